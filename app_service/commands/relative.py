"""Relative changes (pure): the direction said, the default step by unit, the current value
read through core-command, and the absolute value that results (dev README conventions)."""
from __future__ import annotations

import math
import re

from .catalog import Entry, Resource
from .decisions import (Action, Candidate, Refusal, StateReader, checked_range, is_angle,
                        opening_sense, set_action)
from .grounding import Clause
from .numbers import convert, precision_for, profile_unit_family, round_half_away

_STEP_BY_FAMILY = {"percent": 10.0, "temperature": 1.0, "temperature_f": 2.0, "speed": 0.2,
                   "kelvin": 500.0, "pressure": 0.2, "angle": 15.0}


def direction(clause: Clause, target: Resource) -> int:
    if clause.multiplier is not None:
        # "open the blinds by half" says up and halve at once: no safe reading
        more = clause.up or "open" in clause.actions
        less = clause.down or "close" in clause.actions
        conflict = (clause.multiplier < 1 and more and not less) or (
            clause.multiplier > 1 and less and not more)
        return 0 if conflict else 1
    if clause.complaint is not None:
        sign = clause.complaint[1]
    elif clause.up and not clause.down:
        sign = 1
    elif clause.down and not clause.up:
        sign = -1
    elif "open" in clause.actions or "on" in clause.actions and not clause.down:
        sign = 1
    elif "close" in clause.actions:
        sign = -1
    else:
        return 0
    if opening_sense(target) == -1:
        sign = -sign   # "open the shade a bit more" on a shade counted as lowered: down
    temperature_words = re.search(r"warm|cool|hot|cold|暖|冷|热|凉", clause.text)
    if target.units.strip().upper() == "K" and temperature_words:
        sign = -sign   # a warmer white is fewer kelvin
    return sign


def default_step(res: Resource) -> float:
    family = (profile_unit_family(res.units) or ("",))[0]
    if family in _STEP_BY_FAMILY:
        return _STEP_BY_FAMILY[family]
    if res.minimum is not None and res.maximum is not None:
        span = res.maximum - res.minimum
        if res.value_type.lower().startswith(("int", "uint")) and span <= 10:
            return 1.0
        return max(span / 10, 10 ** -precision_for(res.value_type, res.units))
    return 1.0


def current_value(entry: Entry, res: Resource, read_state: StateReader | None) -> float:
    if read_state is None or res.read_command is None:
        raise Refusal("unsupported", f"the current {res.name} of {entry.name} cannot be read")
    try:
        reading = read_state(entry.name, res.read_command)[res.name]
        reading = next((raw for raw, label in res.mappings if label.lower() == reading.lower()),
                       reading)
        value = float(reading)
    except Exception as err:
        raise Refusal("unsupported",
                      f"the current {res.name} of {entry.name} is unknown ({err})") from None
    if not math.isfinite(value):
        raise Refusal("unsupported", f"the current {res.name} of {entry.name} is not a number")
    return value


# settings whose numbers name a thing rather than measure it: a preset, a channel, an input
_IDENTIFIER = re.compile(r"preset|\bid\b|identifier|channel|input|source|scene|slot|index"
                         r"|program(?:me)?\b|address|station|track|position number", re.IGNORECASE)


# qualities a relative change may name; the setting changed must be the one named
_QUALITIES = {"brightness": r"bright|dim|light|lamp|lux|illumin", "volume": r"volume|loud|sound|audio",
              "speed": r"speed|fan|rpm|fast|slow|flow|pump|motor|hz|freq|rate|stroke", "zoom": r"zoom",
              "focus": r"focus", "humidity": r"humid|moist|rh\b", "pressure": r"pressure|bar|psi"}


def is_identifier(res: Resource) -> bool:
    """PresetNumber, Channel, InputSource: stepping one by "a bit" picks another thing, not more."""
    if profile_unit_family(res.units) or res.units.strip() in {"%", "dB", "db"}:
        return False   # InputGain in dB, SourceTemp in °C: measured amounts
    return bool(_IDENTIFIER.search(" ".join(sorted(res.tokens)) + " " + res.name))


def relative_candidate(entry: Entry, target: Resource, clause: Clause, scores: dict[str, float],
                       quantity, read_state: StateReader | None) -> Candidate:
    """A change from the current value: by an amount, a multiplier or the default step."""
    named = clause.words & set(_QUALITIES)
    said_of = " ".join([*target.tokens, target.description, *entry.words]).lower()
    if named and quantity is None and not any(re.search(_QUALITIES[q], said_of) for q in named):
        # "make the fan a bit brighter": the words name a quality this setting is not
        raise Refusal("unsupported", f"{entry.name} has no {sorted(named)[0]} to change")
    if is_identifier(target):
        raise Refusal("unsupported", f"{target.name} of {entry.name} names a setting, it is no "
                                     "amount to change by")
    sign = direction(clause, target)
    if sign == 0:
        raise Refusal("ambiguous", "cannot tell whether to increase or decrease")
    current = current_value(entry, target, read_state)
    family = (profile_unit_family(target.units) or ("", 1.0))[0]
    vague = quantity is None and clause.multiplier is None
    if clause.multiplier is not None:
        value = current * clause.multiplier
    elif quantity is not None:
        percent = quantity.unit is not None and quantity.unit.family == "percent"
        if percent and family != "percent":
            value = current * (1 + sign * quantity.value / 100)
        else:
            delta = convert(quantity, target.units, delta=True, angle_resource=is_angle(target))
            if delta is None:
                raise Refusal("unsupported", f"{quantity.unit_text} does not fit {target.name}")
            value = current + sign * abs(delta)
    else:
        value = current + sign * default_step(target)
    value = round_half_away(value, precision_for(target.value_type, target.units))
    if vague:
        value = min(max(value, target.minimum if target.minimum is not None else value),
                    target.maximum if target.maximum is not None else value)
    value = checked_range(target, value, entry)
    action = set_action(entry, target, value)
    action = Action(action.device, action.command, "set", action.values, relative=True)
    return Candidate(entry, [action], 1 + scores[target.name])
