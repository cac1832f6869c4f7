"""Text → actions or a refusal, grounded in the catalog (see docs/commands.md for the rules).

Deterministic parsing decides whatever it can decide reliably (numbers, units, relative amounts,
groups, named values, refusals); the language model is asked only to break a tie between
catalog-derived candidates, and only its constrained choice (one of the candidates) is used.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable

from . import grounding, screening
from .amounts import join_id_lists
from .capabilities import check_capabilities
from .catalog import Catalog, Entry
from .clauses import (borrow_subject, clause_pieces, is_reason_statement, says_nothing,
                      split_devices)
from .decisions import (Action, Candidate, Interpretation, Refusal, StateReader, alternatives,
                        checked_range, is_angle, named_value, only_from_device_words,
                        opening_sense, opening_value, resource_scores, set_action,
                        set_bool_action)
from .grounding import Clause
from .lexicon import DEVICE_KINDS, canon
from .motion import directed_value
from .numbers import (convert, normalise_numbers, precision_for, profile_unit_family,
                      round_half_away)
from .phrases import drop_current_value
from .places import lettered_places
from .questions import read_candidate
from .relative import relative_candidate
from .selection import named_devices, refuse_unknown, unknown_things
from .settle import NOTHING as _NOTHING, PRONOUN as _PRONOUN, settle_unnamed
from .switches import SIDE_SWITCHES, bool_resource, bool_value
from .targets import (named_input, named_opening, other_setting_meant, pick_numeric,
                      valued_by_kind_word)
from .unread_parts import unread_part_checked
from .value_glosses import glossed_value, numbered_value, side_value
from .timing import is_duration, is_schedule
from .verbs import described_switch, is_trigger, said_trigger

log = logging.getLogger(__name__)


_NOT_VERBS = {"power", "on", "off", "state", "enable", "enabled", "active", "mode", "light", "door",
              "output", "switch", "open", "lock", "run", "privacy"}
_OTHERS = re.compile(r"\b(?:everything|everywhere|all)\s+else\b|\bthe\s+rest\b"
                     r"|\ball\s+(?:the\s+)?others\b|其他|其余|别的")
_NOT_IMMEDIATE = "schedules, delays and conditions are not supported; only immediate commands"
_SWITCH_ACTIONS = {"on", "off", "lock", "unlock"}
_SPECIFIC_UNITS = {"flow", "frequency", "concentration", "concentration_ppm", "current",
                   "voltage", "rotation", "length", "pressure", "speed"}
_START = re.compile(r"\b(?:start|run|launch|begin|kick\s+off)\b"
                    r"|\b(?:turn|switch)\b(?:\s+\w+){0,4}?\s+on\b|启动|开始|运行|打开")
_RUN_WORDS = {"run", "power", "on", "switch", "playback", "heat", "enabled", "start"}


def _part_said(res, clause: Clause, entry: Entry) -> bool:
    """Words name this setting beyond the device's own name ("the gas valve", 燃气总阀)."""
    return bool((res.tokens & clause.words) - entry.words or res.tokens & clause.part_words)


class Interpreter:
    """``interpret(text, read_state)``; ``catalog`` is a Catalog or a callable returning one."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog], model: Any = None,
                 model_threshold: float = 0.6):
        self._catalog = catalog
        self._model = model
        self._threshold = model_threshold

    @property
    def catalog(self) -> Catalog:
        return self._catalog() if callable(self._catalog) else self._catalog

    def interpret(self, text: str, read_state: StateReader | None = None) -> Interpretation:
        result = Interpretation(text=text, lang=grounding.language(text))
        try:
            self._interpret(text, read_state, result)
        except Refusal as refusal:
            result.actions, result.refusal, result.message = [], refusal.reason, refusal.message
            result.alternatives = refusal.alternatives or result.alternatives
        return result

    # --- pipeline --------------------------------------------------------------------------------

    def _interpret(self, text: str, read_state: StateReader | None, result: Interpretation) -> None:
        if not text or not text.strip():
            raise Refusal("invalid", "empty request")
        if screening.is_injection(text):
            raise Refusal("injection", "the request tries to override the rules; nothing was done")
        names = frozenset(w for e in self.catalog.entries.values()
                          for w in (*e.place.split(), *e.words))
        norm = drop_current_value(normalise_numbers(lettered_places(text.strip(), self.catalog)),
                                  names)
        if screening.is_advice(norm):
            raise Refusal("unrelated", "that asks for advice, not for a reading or a setting")
        if screening.copies_another_value(norm):
            raise Refusal("unsupported", "a value copied from another device is not supported")
        if is_schedule(norm):
            raise Refusal("unsupported", _NOT_IMMEDIATE)
        catalog = self.catalog
        if is_duration(norm) and not any(
                (profile_unit_family(r.units) or ("",))[0] == "time"
                for e in catalog.entries.values() for r in e.writable()):
            raise Refusal("unsupported", "timed runs are not supported; only immediate commands")
        verbs = frozenset(t for e in catalog.entries.values() for r in e.writable()
                          if r.is_bool for t in r.tokens) - _NOT_VERBS

        def names_own_device(text: str) -> str:
            """'placed' (its own place, alias or number), 'unique' or '' (names no one device)."""
            part = grounding.analyse(text, catalog)
            try:
                found, how = named_devices(part, catalog)
            except Refusal:
                return ""
            if how != "named":
                return ""
            return "placed" if part.places or part.ids or part.aliases else (
                "unique" if len(found) == 1 else "")

        pieces = [p for piece in clause_pieces(join_id_lists(norm), verbs)
                  for p in split_devices(piece, names_own_device)]
        actions: list[Action] = []
        grounded_any = False
        context: set[str] = set()
        previous: set[str] = set()
        subject_said = False
        for piece in pieces:
            clause = grounding.analyse(piece, catalog)
            if len(pieces) > 1 and says_nothing(clause) and (clause.aliases or clause.ids):
                subject, _ = named_devices(clause, catalog)
                if len(subject) == 1:   # "charger 1: raise the current limit by 4 amps"
                    previous, subject_said = {subject[0].name}, True
                    continue
            try:
                found = self._clause_actions(clause, catalog, read_state, result,
                                             standalone=len(pieces) == 1)
            except Refusal as refusal:
                if refusal.reason != "ambiguous":
                    raise
                if clause.complaint and len(pieces) > 1 and not clause.quantities:
                    continue   # "it's chilly out here, get the heaters going": the reason only
                offered = {a.get("device") for a in refusal.alternatives or result.alternatives}
                # "set the mash tun to 67 and start the agitator": the device of the clause before
                if not borrow_subject(clause, previous, context,
                                      bool(_PRONOUN.search(clause.text)) or subject_said
                                      or bool(previous & offered)):
                    raise
                found = self._clause_actions(clause, catalog, read_state, result,
                                             standalone=len(pieces) == 1)
            if found is None and len(previous) == 1 and not clause.aliases and not clause.places \
                    and (clause.actions or clause.capability_words or clause.verb_words):
                # 把大屏打开，声音先静音: the second part says no device, so it is the same one
                clause.aliases = set(previous)
                found = self._clause_actions(clause, catalog, read_state, result,
                                             standalone=False)
            context = clause.places or context
            if found is None:
                continue
            grounded_any = True
            if _OTHERS.search(clause.text):
                # "… and everything else off": not the devices the request already named
                found = [a for a in found if a.device not in {b.device for b in actions}]
            previous = {a.device for a in found}
            for action in found:
                # a later value for the same setting is the one meant ("a bit more, make it 70")
                actions[:] = [a for a in actions if a.method == "get" or action.method == "get"
                              or (a.device, a.command) != (action.device, action.command)]
                if action not in actions:
                    actions.append(action)
        if not grounded_any or not actions:
            raise Refusal("unrelated", _NOTHING)
        result.actions = actions

    def _clause_actions(self, clause: Clause, catalog: Catalog, read_state: StateReader | None,
                        result: Interpretation, standalone: bool) -> list[Action] | None:
        """Actions for one clause; None when the clause names nothing at all (a filler clause)."""
        refuse_unknown(clause, catalog)
        candidates, scope = named_devices(clause, catalog)
        if clause.excluded is not None:
            excluded, _ = named_devices(clause.excluded, catalog)
            candidates = [c for c in candidates if c not in excluded]
        if scope == "global" and not standalone and is_reason_statement(clause.text):
            return None   # "we're closing up, disable the fuel pump": the reason, not a request
        if scope == "global" and not (clause.question or clause.actions or clause.quantities
                                      or clause.up or clause.down or clause.complaint
                                      or clause.multiplier is not None):
            if standalone:
                raise Refusal("unrelated", _NOTHING)
            return None
        unknown = unknown_things(clause, candidates, catalog, scope)
        if unknown:
            # "turn on the X-ray viewer in exam room 2": a thing no device there is, never
            # whatever else is in the room
            raise Refusal("unknown_device", f"there is no {sorted(unknown)[0]} there")
        if scope == "place" and not standalone and not (
                clause.question or clause.actions or clause.quantities or clause.up or clause.down
                or clause.complaint or clause.multiplier is not None or clause.extreme
                or clause.capability_words or clause.words & catalog.vocabulary):
            return None   # "in the kitchen, is the light on?": the place for the clauses after
        built: list[Candidate] = []
        refusals: list[Refusal] = []
        for entry in candidates:
            try:
                cand = self._device_actions(entry, clause, read_state, scope)
            except Refusal as refusal:
                if scope == "named":
                    raise
                refusals.append(refusal)
                continue
            if cand is not None:
                built.append(cand)
        if scope != "named":
            built = settle_unnamed(built, refusals, clause, scope, catalog, result, standalone)
            if built is None:
                return None
        else:
            missing = [e.name for e in candidates if not any(c.entry is e for c in built)]
            if missing:
                raise Refusal("unsupported", f"{missing[0]} cannot do that")
        result.alternatives = result.alternatives or alternatives(built)
        actions: list[Action] = []
        for cand in built:
            actions.extend(cand.actions)
            if cand.focus:
                result.focus[cand.entry.name] = cand.focus
        return actions

    # --- what to do with one device --------------------------------------------------------------

    def _device_actions(self, entry: Entry, clause: Clause, read_state: StateReader | None,
                        scope: str) -> Candidate | None:
        scores = resource_scores(entry, clause)
        check_capabilities(entry, clause)
        if clause.question:
            return read_candidate(entry, clause, scores, scope)
        writable = entry.writable()
        trigger = said_trigger(entry, clause.text, clause.actions)
        if trigger is not None:   # "give a blast on the fog horn": not its fault flag
            return Candidate(entry, [set_bool_action(entry, trigger, True)], 1.5)
        concept_best = max(scores.values(), default=0)
        if concept_best > 0:
            top = [entry.resources[n] for n, s in scores.items() if s == concept_best]
            # "the pool dosing pH": Dosing matched only by the device's own word
            top = [r for r in top if _part_said(r, clause, entry)] or top
            if not any(r.set_command for r in top) and not clause.actions & _SWITCH_ACTIONS \
                    and not valued_by_kind_word(entry, clause, top) \
                    and not other_setting_meant(entry, clause, top[0], self.catalog.vocabulary):
                refusal = Refusal("read_only", f"{entry.name} {top[0].name} is read-only",
                                  named=True)
                refusal.units = top[0].units
                raise refusal
        if not writable:
            if scope == "named":
                raise Refusal("read_only", f"{entry.name} has nothing that can be set")
            return None
        directed = directed_value(entry, clause, scores)   # "raise the screen": up, not louder
        if directed is not None:
            return directed
        try:
            return unread_part_checked(entry, clause,
                                       self._set_actions(entry, clause, scores, read_state, scope))
        except Refusal as refusal:
            # the words named this setting and the value does not fit it: another device that
            # merely could take the number ("chlorine target to 5" → a light at 5 %) is no answer
            if refusal.reason == "out_of_range" and (concept_best > 0 or "target" in clause.words
                                                     and any("target" in r.tokens
                                                             for r in entry.writable())):
                refusal.named = True
            raise

    def _set_actions(self, entry: Entry, clause: Clause, scores: dict[str, float],
                     read_state: StateReader | None, scope: str) -> Candidate | None:
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
                                     self.catalog.vocabulary) if quantity is None else None
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
                                  self._model, self._threshold)
            only_opened = not (clause.up or clause.down or clause.multiplier is not None
                               or clause.complaint or clause.relative_amount)
            if target is not None and only_opened and scores[target.name] <= 0 \
                    and target.units.strip() != "%" and opening_sense(target) is None:
                target = None   # 1号泵开一点: "open a bit" says nothing about a pressure set point
            if target is not None:
                return relative_candidate(entry, target, clause, scores, quantity, read_state)
        if clause.extreme and numeric:
            target = pick_numeric(entry, numeric, scores, clause, None, scope,
                                  self._model, self._threshold)
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
                                  self._model, self._threshold)
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
                named is None or named.verb_only) and _part_said(power, clause, entry):
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
        if power is not None and not _part_said(power, clause, entry) and any(
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
