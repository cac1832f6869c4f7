"""Which setting of one device a clause sets, and to what (pure): named inputs and values,
verbs a description gives, switches, relative changes, extremes and numbers routed by units."""
from __future__ import annotations

import re
from typing import Any

from .catalog import Entry
from .decisions import (Candidate, Refusal, StateReader, checked_range, is_angle, named_value,
                        only_from_device_words, opening_sense, opening_value, set_action,
                        set_bool_action)
from .grounding import Clause
from .lexicon import DEVICE_KINDS, canon
from .numbers import convert, precision_for, round_half_away
from .relative import relative_candidate
from .switches import SIDE_SWITCHES, bool_resource, bool_value
from .targets import named_input, named_opening, pick_numeric
from .value_glosses import glossed_value, numbered_value, side_value
from .verbs import described_switch, is_trigger

_SPECIFIC_UNITS = {"flow", "frequency", "concentration", "concentration_ppm", "current",
                   "voltage", "rotation", "length", "pressure", "speed"}

_START = re.compile(r"\b(?:start|run|launch|begin|kick\s+off)\b"
                    r"|\b(?:turn|switch)\b(?:\s+\w+){0,4}?\s+on\b|启动|开始|运行|打开")
_RUN_WORDS = {"run", "power", "on", "switch", "playback", "heat", "enabled", "start"}


def part_said(res, clause: Clause, entry: Entry) -> bool:
    """Words name this setting beyond the device's own name ("the gas valve", 燃气总阀)."""
    return bool((res.tokens & clause.words) - entry.words or res.tokens & clause.part_words)


def set_actions(entry: Entry, clause: Clause, scores: dict[str, float],
                read_state: StateReader | None, scope: str, vocabulary: frozenset[str],
                model: Any, threshold: float) -> Candidate | None:
    """The set actions for a clause on one device: named inputs and values, described verbs,
    switches, relative changes, extremes and numbers routed by their units; None when nothing
    here takes what was said."""
    named = named_input(entry, clause, scores)   # "on DP 2"; "HDMI 3" it lacks refuses
    if named is not None:
        return named
    named = numbered_value(entry, clause, scores)   # "the sound to 5.1": surround51
    if named is not None:
        return named
    numeric = [r for r in entry.writable() if r.is_numeric]
    quantity = clause.quantities[0] if clause.quantities else None
    switch = clause.actions & {"on", "off"}
    described = described_switch(entry, clause.text, clause.actions,
                                 vocabulary) if quantity is None else None
    if described is not None:
        # "abort the cycle", "cancel the call": the profile says what the verb writes
        actions = [set_bool_action(entry, *described)]
        named = named_value(entry, clause, scores, verbs=False) if described[1] else None
        if named is not None and not named.verb_only and all(
                entry.resources[k].is_string for a in named.actions for k in a.values or {}) \
            and not any(only_from_device_words(entry, clause, v.lower())
                        for a in named.actions for v in (a.values or {}).values()):
            actions = named.actions + actions   # "start the liquids cycle": program, then run
        # a verb alone ("open") never picks this device when no device or setting was named
        return Candidate(entry, actions, 1.5 + scores[described[0].name],
                         verb_only=scores[described[0].name] <= 0)
    said_bool = [r for r in entry.writable() if r.is_bool
                 and (r.tokens & clause.raw_words - entry.words or r.tokens & clause.part_words)
                 and not r.tokens & {"power", "run", "lock", "open", "on", "off"}]
    verb = re.match(r"(?:please\s+)?([a-z]+)", clause.text.strip())
    if quantity is None and len(said_bool) == 1 and (
            len(switch) == 1 or (not switch and verb and verb.group(1) in said_bool[0].tokens)):
        # "turn on the boost" / "boost the water heater": the switch the words name, not
        # "boost" read as "higher"
        return Candidate(entry, [set_bool_action(entry, said_bool[0], switch != {"off"})],
                         1 + scores[said_bool[0].name])
    ends = named_opening(entry, numeric, scores, clause, quantity)   # "open the vanes"
    if ends is not None:
        return ends
    by_verb = False
    switched = clause.actions & {"on", "off"} and not clause.actions & {"open", "close"} \
        and not (clause.up or clause.down) and bool_resource(entry, clause) is not None
    if re.search(r"all the way|\b(?:completely|fully)\b|[升抬开]到[顶头]|开到底|[降放落关]到底",
                 clause.text) and not clause.extreme and not switched:
        # ("turn off the kitchen light completely" is its switch, never a brightness end)
        # 关到底 closes all the way (关 alone reads as "off", not "close")
        clause.extreme = "min" if clause.down or clause.actions & {"close", "off"} \
            or re.search(r"[降放落关]到底", clause.text) else "max"
        by_verb = True   # the end the verb moves toward, which the description may invert
    relative = (clause.multiplier is not None or clause.complaint is not None
                or clause.relative_amount
                or ((clause.up or clause.down) and (clause.vague or quantity is None))
                or (clause.vague and clause.actions & {"open", "close"}))
    relative = relative and not clause.extreme and not (
        clause.absolute_marker and not clause.relative_amount)
    if relative and numeric and not (clause.vague or clause.relative_amount or clause.multiplier
                                     or clause.complaint):
        named = named_value(entry, clause, scores, verbs=False)   # "raise the blinds halfway"
        if named is not None and all(entry.resources[k].is_numeric for a in named.actions
                                     for k in (a.values or {})):
            return named
    if relative and numeric:
        target = pick_numeric(entry, numeric, scores, clause, quantity, scope,
                              model, threshold)
        only_opened = not (clause.up or clause.down or clause.multiplier is not None
                           or clause.complaint or clause.relative_amount)
        if target is not None and only_opened and scores[target.name] <= 0 \
                and target.units.strip() != "%" and opening_sense(target) is None:
            target = None   # 1号泵开一点: "open a bit" says nothing about a pressure set point
        if target is not None:
            return relative_candidate(entry, target, clause, scores, quantity, read_state)
    if clause.extreme and numeric:
        target = pick_numeric(entry, numeric, scores, clause, None, scope,
                              model, threshold)
        if target is not None and target.minimum is not None and target.maximum is not None:
            toward_max = (clause.extreme == "max") == (
                not by_verb or opening_sense(target) != -1)
            value = target.maximum if toward_max else target.minimum
            actions = [set_action(entry, target, value)]
            power = bool_resource(entry, clause)
            at = re.search(r"\bat\b", clause.text)
            if "on" in clause.actions and power is not None and at:
                actions.insert(0, set_bool_action(entry, power, True))
            return Candidate(entry, actions, 1 + scores[target.name])
    if quantity is not None and numeric:
        target = pick_numeric(entry, numeric, scores, clause, quantity, scope,
                              model, threshold)
        if target is None:
            return None
        value = convert(quantity, target.units, angle_resource=is_angle(target))
        if value is None:
            return None
        places = precision_for(target.value_type, target.units)
        value = checked_range(target, round_half_away(value, places), entry)
        actions = [set_action(entry, target, value)]
        power = bool_resource(entry, clause)
        if "on" in clause.actions and power is not None and re.search(
                r"\b(?:at|@|for)\s+(?:(?:stage|level|step|setting|speed|gear)\s+)?-?\d"
                r"|以\s*(?:每秒|每分钟)?\s*-?\d",
                clause.text):   # "turn the heater on at stage 2": on, then the stage
            actions.insert(0, set_bool_action(entry, power, True))
        elif power is not None and "brightness" in target.tokens \
                and re.search(r"(?<![关断切])开到", clause.text):
            # 把灯光开到百分之百: a light switched on *to* a level ("turn on at N %")
            actions.insert(0, set_bool_action(entry, power, True))
        strength = scores[target.name]
        if quantity.unit is not None and quantity.unit.family in _SPECIFIC_UNITS \
                and target.tokens & clause.words:
            strength = max(strength, 0.5)   # "the hypo feed rate to 120 mL/min": unit + a word
        return Candidate(entry, actions, 1 + strength)
    halfway = clause.raw_words & {"halfway", "half"}
    if halfway and not any("half" in words for r in entry.writable() for words, _ in r.labels):
        opening = opening_value(entry, clause)   # "extend it halfway": no described half
        if opening is not None:
            return opening
    power = bool_resource(entry, clause)
    named = named_value(entry, clause, scores, verbs=False)
    if power is not None and 0 < scores[power.name] >= max(scores.values()) and (
            named is None or named.verb_only) and part_said(power, clause, entry):
        truth = bool_value(power, clause.actions)
        if truth is not None:   # "shut the gas valve" on a panel that also has fan stages
            return Candidate(entry, [set_bool_action(entry, power, truth)],
                             1 + scores[power.name])
    if named is not None and not named.verb_only and _START.search(clause.text) \
            and clause.actions & {"on", "off"} == {"on"} \
            and power is not None and power.tokens & _RUN_WORDS and all(
                entry.resources[k].is_string for a in named.actions for k in a.values or {}) \
            and not any(only_from_device_words(entry, clause, v.lower())
                        for a in named.actions for v in (a.values or {}).values()):
        # "start the liquids cycle", "turn the radio on": the program, then run it
        return Candidate(entry, named.actions + [set_bool_action(entry, power, True)],
                         named.strength)
    if named is not None and power is not None and clause.actions & {"on", "off"} \
            and bool_value(power, clause.actions) is not None and any(
                entry.resources[k].is_string
                and only_from_device_words(entry, clause, v.lower())
                for a in named.actions for k, v in (a.values or {}).items()):
        named = None   # "turn the AC on" where the AC has its own switch: not "cool"
    if named is not None:
        return named
    # (words read into the device's own name do not count: "heat" of "heat pump")
    from_name = {k for w in clause.raw_words & entry.words for k in canon(w)}
    if power is not None and not part_said(power, clause, entry) and any(
            scores[r.name] > 0 and (r.tokens & clause.words) - entry.words - from_name
            for r in entry.writable() if r is not power):
        power = None   # "close the sash": the words name another setting than this switch
    if power is not None and "lock" in power.tokens \
            and not clause.actions & {"lock", "unlock"} and "lock" not in clause.words:
        power = None   # "open the garage door" asks for a door opener, not for unlocking
    if power is not None and (power.tokens & SIDE_SWITCHES or is_trigger(power)) \
            and not power.tokens & clause.raw_words:
        power = None   # "turn the PA off" is not "Muted false"; only "mute"/"turn mute off" is
    said = clause.raw_words | {w[2:] for w in clause.raw_words if w.startswith(("un", "de"))}
    named_bool = next((r for r in entry.writable() if r.is_bool
                       and r.tokens & said - (entry.words & DEVICE_KINDS)
                       and not r.tokens & {"power", "run", "lock", "open"}), None)
    if named_bool is not None and not clause.actions and not clause.absolute_marker:
        # "mute the tv" / "unmute the tv": the verb is the resource itself
        negated = any(w.startswith(("un", "de")) and w[2:] in named_bool.tokens
                      for w in clause.raw_words)
        return Candidate(entry, [set_bool_action(entry, named_bool, not negated)],
                         1 + scores[named_bool.name])
    if power is not None:
        truth = bool_value(power, clause.actions)
        if truth is not None:
            return Candidate(entry, [set_bool_action(entry, power, truth)],
                             1 + scores[power.name])
    halfway = clause.raw_words & {"halfway", "half"}
    opening = opening_value(entry, clause) if halfway else None
    if opening is not None:
        return opening   # "open it halfway" where only open and closed are described
    named = named_value(entry, clause, scores, verbs=True)
    if named is not None:
        return named
    opening = opening_value(entry, clause)
    if opening is not None:
        return opening
    if quantity is not None and scope == "named" and not numeric:
        raise Refusal("unsupported", f"{entry.name} has no value that can be set to a number")
    if scope != "named" or quantity is not None:
        return None
    return glossed_value(entry, clause) or side_value(entry, clause)
