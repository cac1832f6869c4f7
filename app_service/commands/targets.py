"""Which numeric setting of a device a value or a change goes to (units, the words said, set
points first; the language model only breaks a tie the words leave)."""
from __future__ import annotations

import logging
import re
from typing import Any

from .catalog import Entry, Resource
from .decisions import Action, Candidate, Refusal, is_angle, opening_sense, set_action
from .grounding import Clause
from .lexicon import RESOURCE_CONCEPTS, canon, split_name
from .numbers import convert, profile_unit_family
from .verbs import clause_verbs, described_switch, described_verbs

log = logging.getLogger(__name__)

_SWITCH_WORDS = {"on", "off", "power", "switch", "run", "enabled", "enable", "active", "state"}


def pick_numeric(entry: Entry, numeric: list[Resource], scores: dict[str, float], clause: Clause,
                 quantity, scope: str = "named", model: Any = None,
                 threshold: float = 0.6) -> Resource | None:
    """The numeric setting a value or change goes to: units and the words said decide; the model
    only breaks a tie between settings the words name equally."""
    complaint = (clause.complaint or ("",))[0]
    temperature = "temperature" in clause.words or complaint == "temperature"
    if temperature and (scope != "named" or clause.complaint):
        # a warmer *room* is its set point; a white tone only when the light itself is named
        numeric = [r for r in numeric if r.units.strip() != "K"]
    if quantity is not None and quantity.unit is not None and quantity.unit.family == "step":
        # "一档", "two notches": a stage or level counted in steps, not a % or a °C
        numeric = [r for r in numeric if not r.units.strip()
                   and r.value_type.lower().startswith(("int", "uint"))]
    elif quantity is not None and quantity.unit is not None:
        fitting = [r for r in numeric if convert(quantity, r.units,
                                                 angle_resource=is_angle(r)) is not None
                   and (quantity.unit.family != "degree" or r.units)]
        if quantity.unit.family == "degree":
            # bare degrees are Celsius unless the request is about an angle (tilt, 角度)
            angles = [r for r in fitting if is_angle(r) and scores[r.name] > 0]
            fitting = angles or [r for r in fitting if not is_angle(r)]
        if quantity.unit.family == "percent" and not any(
                (profile_unit_family(r.units) or ("",))[0] == "percent" for r in fitting):
            fitting = numeric if clause.up or clause.down or clause.relative_amount else []
        numeric = fitting
    if not numeric:
        return None
    best = max(scores[r.name] for r in numeric)
    named = (clause.words | ({clause.complaint[0]} if clause.complaint else set())) \
        & RESOURCE_CONCEPTS - entry.words
    by_unit = quantity is not None and quantity.unit is not None \
        and quantity.unit.family not in ("degree", "percent", "step")
    if best == 0 and named and not by_unit:   # (44 Hz fits the one Hz setting, "speed" or not)
        # "make the office warmer" names a temperature this device does not have; a resource
        # whose description speaks of it ("dimming level … of full brightness") still fits
        numeric = [r for r in numeric if named & r.description_words]
        if not numeric:
            return None
    top = [r for r in numeric if scores[r.name] == best]
    if len(top) == 1:
        return top[0]
    setpoints = [r for r in top if "target" in r.tokens or "set point" in r.description.lower()]
    if len(setpoints) == 1:
        return setpoints[0]
    part_said = any(r.is_bool and (r.tokens - _SWITCH_WORDS) & clause.words
                    for r in entry.writable())
    if best == 0 and quantity is not None and part_said:
        return None   # "the heaters on at 5" with a % awning and a 1-3 stage: no safe reading
    if best > 0 and model is not None:
        # the words name a concept two settings share: let the model choose between them
        return _model_pick(entry, top, clause, model, threshold)
    # nothing named: the profile's first numeric setting is the device's main dimension
    return top[0]


def _model_pick(entry: Entry, options: list[Resource], clause: Clause, model: Any,
                threshold: float) -> Resource | None:
    prompt = (f"Device {entry.name}. Request: \"{clause.text}\". "
              f"Which setting does the request change? Answer:")
    try:
        choice = model.choose(prompt, [" " + r.name for r in options])
    except Exception as err:  # the model is an aid, never a requirement
        log.warning("model choice unavailable (%s); using the first candidate", err)
        return options[0]
    return options[choice.index] if max(choice.probabilities) >= threshold else None


def named_input(entry: Entry, clause: Clause, scores: dict[str, float]) -> Candidate | None:
    """"on DP 2" is the input dp2 beside dp1/dp2/cast, whatever else takes a number; "HDMI 3"
    beside hdmi1/hdmi2 names an input the device lacks and is refused, never read as a number."""
    for res in entry.writable():
        # (a value that is a word only, "hdmi" beside vga: "hdmi 2" names an input it lacks)
        for prefix in {m.group(1) for v in res.allowed
                       for m in [re.fullmatch(r"([a-z]+)\s*\d+", v.lower())] if m} | {
                           v.lower() for v in res.allowed if re.fullmatch(r"[a-z]{3,}", v.lower())
                           and res.tokens & {"input", "source", "channel"}}:
            said = re.search(rf"\b{prefix}\s*(\d+)\b", clause.text)
            if not said:
                continue
            value = prefix + said.group(1)
            if value not in {v.lower() for v in res.allowed}:
                raise Refusal("unsupported", f"{entry.name} {res.name} allows only "
                              + ", ".join(res.allowed))
            return Candidate(entry, [Action(entry.name, res.set_command, "set",
                                            {res.name: value})], 2 + scores[res.name])
    return None


def named_opening(entry: Entry, numeric: list[Resource], scores: dict[str, float],
                  clause: Clause, quantity) -> Candidate | None:
    """"open the vanes": the one setting the words name whose description says which end is open,
    set to that end (nothing relative, extreme or halfway was said)."""
    ends = [r for r in numeric if scores[r.name] > 0 and opening_sense(r) is not None]
    motion = clause.actions & {"open", "close"}
    if quantity is not None or len(ends) != 1 or len(motion) != 1 or (
            clause.up or clause.down or clause.vague or clause.multiplier is not None
            or clause.extreme or clause.raw_words & {"halfway", "half"}):
        return None
    low = (motion == {"open"}) == (opening_sense(ends[0]) == -1)
    return Candidate(entry, [set_action(entry, ends[0], ends[0].minimum if low
                                        else ends[0].maximum)], 1.5 + scores[ends[0].name])


def other_setting_meant(entry: Entry, clause: Clause, named: Resource,
                        nouns: frozenset[str]) -> bool:
    """The words matched a read-only resource best, yet a writable one is meant: a set point said
    with a unit it has, the set point beside the measurement ("compressor pressure up 10 psi";
    "air temperature" stays read-only), or a switch whose description gives the verb a side
    ("arm the intruder alarm"; not when the read-only thing has that verb too: "close the
    sprinkler valve")."""
    quantity = clause.quantities[0] if clause.quantities else None
    if "target" in clause.words and quantity is not None and quantity.unit is not None and any(
            convert(quantity, r.units) is not None for r in entry.writable() if r.is_numeric):
        return True
    if not clause.question and any(
            r.is_numeric and r.tokens & named.tokens & clause.words
            and named.tokens & clause.words <= r.tokens
            and ("target" in r.tokens or "set point" in r.description.lower())
            for r in entry.writable()):
        return True
    return described_switch(entry, clause.text, clause.actions, nouns) is not None \
        and not set(described_verbs(named.description)) & clause_verbs(clause.text)


def valued_by_kind_word(entry: Entry, clause: Clause, top: list[Resource]) -> bool:
    """'set every HVAC zone to 21': readings named only by a word of the device's profile name
    (ZoneTemperature of HVAC-Zone-Controller) are not what a value is given for."""
    kind = {k for t in split_name(entry.profile) for k in canon(t)}
    return bool(clause.quantities) and not any(r.tokens & clause.words - kind for r in top)
