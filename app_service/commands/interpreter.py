"""Text → actions or a refusal, grounded in the catalog (see docs/commands.md for the rules).

Deterministic parsing decides whatever it can decide reliably (numbers, units, relative amounts,
groups, named values, refusals); the language model is asked only to break a tie between
catalog-derived candidates, and only its constrained choice (one of the candidates) is used.
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import grounding
from .catalog import Catalog, Entry, Resource
from .grounding import Clause
from .lexicon import DEVICE_KINDS
from .numbers import (convert, edgex_string, normalise_numbers, precision_for, profile_unit_family,
                      round_half_away)

log = logging.getLogger(__name__)

StateReader = Callable[[str, str], dict[str, str]]

REASONS = ("injection", "unrelated", "unknown_device", "read_only", "out_of_range", "unsupported",
           "ambiguous", "invalid")
_GENERIC_TOKENS = {"target", "rate", "level", "value", "set", "point", "setpoint", "state", "actual"}
_VERB_WORDS = {"open", "close", "raise", "lower", "on", "off", "start", "stop", "run", "shut",
               "turn", "switch", "set", "put", "make", "to", "the", "a", "fully", "all", "way"}
_NAMED_SYNONYMS = {"heating": "heat", "heater": "heat", "warm": "heat", "cooling": "cool", "ac": "cool",
                   "aircon": "cool", "automatic": "auto", "flat": "horizontal", "level": "horizontal",
                   "daylight": "daylight", "制冷": "cool", "制热": "heat", "自动": "auto", "关": "off",
                   "高": "high", "中": "medium", "低": "low", "halfway": "half"}
_STEP_BY_FAMILY = {"percent": 10.0, "temperature": 1.0, "temperature_f": 2.0, "speed": 0.2,
                   "kelvin": 500.0, "pressure": 0.2, "angle": 15.0}
_VERB_START = re.compile(
    r"^(?:please\s+)?(?:turn|switch|set|make|lock|unlock|open|close|start|stop|run|halt|dim|raise|lower"
    r"|put|bring|give|shut|kill|cut|power|tilt|increase|decrease|change|bump|speed|slow|halve|double"
    r"|what|how|is|are|did|does|do|check|tell|secure|activate|enable|disable|deactivate|reduce|boost"
    r"|switch|pull|draw|adjust|crank|fire|resume|pause|could|can|would|will|i'd|i\s+want|let|get)\b"
    r"|^(?:把|将|打开|关|启动|停|锁|解锁|开|调|设|拉|帮我|请)")


class Refusal(Exception):
    def __init__(self, reason: str, message: str):
        assert reason in REASONS, reason
        self.reason, self.message = reason, message
        super().__init__(f"{reason}: {message}")


@dataclass(frozen=True)
class Action:
    device: str
    command: str
    method: str                      # "set" | "get"
    values: dict[str, str] | None = None
    relative: bool = field(default=False, compare=False)   # derived from the current value: no retry

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"device": self.device, "command": self.command, "method": self.method}
        if self.values is not None:
            out["values"] = dict(self.values)
        return out


@dataclass
class Interpretation:
    text: str
    lang: str
    actions: list[Action] = field(default_factory=list)
    refusal: str | None = None
    message: str = ""
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    focus: dict[str, list[str]] = field(default_factory=dict)   # device → resources asked about
    model_used: bool = False

    @property
    def question(self) -> bool:
        return bool(self.actions) and all(a.method == "get" for a in self.actions)


@dataclass
class _Candidate:
    entry: Entry
    actions: list[Action]
    strength: float
    focus: list[str] = field(default_factory=list)
    verb_only: bool = False    # chosen only by a verb ("off"), which cannot name a device by itself


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
        return result

    # --- pipeline --------------------------------------------------------------------------------

    def _interpret(self, text: str, read_state: StateReader | None, result: Interpretation) -> None:
        if not text or not text.strip():
            raise Refusal("invalid", "empty request")
        if grounding.is_injection(text):
            raise Refusal("injection", "the request tries to override the rules; nothing was done")
        norm = normalise_numbers(text.strip())
        if grounding.is_schedule(norm):
            raise Refusal("unsupported", "schedules and delayed commands are not supported")
        catalog = self.catalog
        pieces: list[str] = []
        for piece in grounding.split_clauses(norm):
            if pieces and not _VERB_START.search(piece.strip()):
                pieces[-1] += " and " + piece
            else:
                pieces.append(piece)
        actions: list[Action] = []
        grounded_any = False
        for piece in pieces:
            clause = grounding.analyse(piece, catalog)
            found = self._clause_actions(clause, catalog, read_state, result, standalone=len(pieces) == 1)
            if found is None:
                continue
            grounded_any = True
            actions.extend(a for a in found if a not in actions)
        if not grounded_any or not actions:
            raise Refusal("unrelated", "the request does not name anything this service can control")
        result.actions = actions

    def _clause_actions(self, clause: Clause, catalog: Catalog, read_state: StateReader | None,
                        result: Interpretation, standalone: bool) -> list[Action] | None:
        """Actions for one clause; None when the clause names nothing at all (a filler clause)."""
        if clause.unknown_places:
            raise Refusal("unknown_device", f"there is no device in the {sorted(clause.unknown_places)[0]}")
        unknown_kinds = (clause.words & DEVICE_KINDS) - catalog.vocabulary
        if unknown_kinds:
            raise Refusal("unknown_device", f"there is no {sorted(unknown_kinds)[0]} in the catalog")
        unknown_qualifiers = clause.qualifiers - catalog.vocabulary
        if unknown_qualifiers and clause.words & DEVICE_KINDS:
            raise Refusal("unknown_device", f"there is no {sorted(unknown_qualifiers)[0]} "
                          f"{sorted(clause.words & DEVICE_KINDS)[0]} in the catalog")
        candidates, scope = self._candidates(clause, catalog)
        if clause.excluded is not None:
            excluded, _ = self._candidates(clause.excluded, catalog)
            candidates = [c for c in candidates if c not in excluded]
        if scope == "global" and not (clause.question or clause.actions or clause.quantities
                                      or clause.up or clause.down or clause.complaint):
            if standalone:
                raise Refusal("unrelated", "the request does not name anything this service can control")
            return None
        built: list[_Candidate] = []
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
            if not built:
                if refusals:
                    raise refusals[0]
                if scope == "global" and not standalone:
                    return None
                raise Refusal("unrelated" if scope == "global" else "unsupported",
                              "nothing here can do that")
            if scope == "global":
                # with no device or place named, only a named capability may pick the device
                named_capability = [c for c in built if c.strength > 1 and not c.verb_only]
                if not named_capability:
                    if re.search(r"\b(?:it|that|this|them|these|those)\b|它|这个|那个", clause.text):
                        raise Refusal("ambiguous", "no device is named; say which one")
                    raise Refusal("unrelated", "the request does not name anything this service can control")
                built = named_capability
            best = max(c.strength for c in built)
            built = [c for c in built if c.strength >= best]
            per_place: dict[str, int] = {}
            for cand in built:
                per_place[cand.entry.place] = per_place.get(cand.entry.place, 0) + 1
            bulk = clause.group or all(a.values and set(a.values.values()) <= {"true", "false", "off"}
                                       for c in built for a in c.actions) \
                or (scope == "place" and all(a.method == "get" for c in built for a in c.actions))
            if not bulk and (max(per_place.values()) > 1 or (scope == "global" and len(built) > 1)):
                result.alternatives = _alternatives(built)
                raise Refusal("ambiguous", "several devices could be meant: "
                              + ", ".join(c.entry.name for c in built[:4]))
        else:
            missing = [e.name for e in candidates if not any(c.entry is e for c in built)]
            if missing:
                raise Refusal("unsupported", f"{missing[0]} cannot do that")
        result.alternatives = result.alternatives or _alternatives(built)
        actions: list[Action] = []
        for cand in built:
            actions.extend(cand.actions)
            if cand.focus:
                result.focus[cand.entry.name] = cand.focus
        return actions

    # --- which devices ---------------------------------------------------------------------------

    def _candidates(self, clause: Clause, catalog: Catalog) -> tuple[list[Entry], str]:
        entries = list(catalog.entries.values())
        holders: dict[str, int] = {}
        for entry in entries:
            for word in entry.words:
                holders[word] = holders.get(word, 0) + 1
        matched: dict[str, set[str]] = {}
        for entry in entries:
            words = clause.words & entry.words
            if entry.name in clause.aliases:
                words = words | {"alias:" + entry.name}
            if not words:
                continue
            # a qualifier only this device has ("front", an alias) names it wherever it is; a kind
            # word ("light", "window") must agree with the places said
            specific = any(w.startswith("alias:") or (holders.get(w, 0) == 1 and w not in DEVICE_KINDS)
                           for w in words)
            if clause.ids and entry.ids:
                if not clause.ids & entry.ids:
                    continue
                words = words | {"id:" + i for i in clause.ids & entry.ids}
                specific = True
            if clause.places and not specific and entry.place not in clause.places:
                continue
            if entry.place in clause.places:
                words = words | {"place:" + entry.place}
            matched[entry.name] = words
        if matched:
            keep = [name for name, words in matched.items()
                    if not any(words < other for o, other in matched.items() if o != name)]
            chosen = [catalog.entries[n] for n in keep]
            groups: dict[frozenset, list[str]] = {}
            for name in keep:
                groups.setdefault(frozenset(matched[name]), []).append(name)
            for words, names in groups.items():
                plural = bool(clause.plural & set(words))
                if len(names) > 1 and not (clause.group or plural):
                    raise Refusal("ambiguous", "which one? " + ", ".join(sorted(names)))
            return chosen, "named"
        if clause.words & {w for e in entries for w in e.words} - _GENERIC_TOKENS:
            # a device word was said but nothing matched all constraints (e.g. conveyor 3)
            raise Refusal("unknown_device", "no such device in the catalog")
        if clause.places:
            return [e for e in entries if e.place in clause.places], "place"
        return entries, "global"

    # --- what to do with one device --------------------------------------------------------------

    def _device_actions(self, entry: Entry, clause: Clause, read_state: StateReader | None,
                        scope: str) -> _Candidate | None:
        scores = {name: _concept_score(res, clause) for name, res in entry.resources.items()}
        _check_capabilities(entry, clause)
        if clause.question:
            # "how warm is it" asks for the measurement; "what is it set to" for the set point
            asks_setting = bool({"target", "set", "setting"} & (clause.words | clause.raw_words))
            strength = max((scores[r.name] for r in entry.readable()), default=0)
            scores = {n: s + (0.6 if s > 0 and not entry.resources[n].set_command and not asks_setting
                              else 0) for n, s in scores.items()}
            readable = [r for r in entry.readable() if scores[r.name] > 0] or (
                entry.readable() if scope == "named" else [])
            if not readable:
                return None
            best = max(scores[r.name] for r in readable)
            focus = [r.name for r in readable if scores[r.name] == best and best > 0]
            command = (readable[0] if not focus else entry.resources[focus[0]]).read_command
            if focus:
                command = entry.resources[focus[0]].read_command
            elif entry.read_commands:
                command = max(entry.read_commands, key=lambda c: len(c[1]))[0]
            return _Candidate(entry, [Action(entry.name, command, "get")], 1 + strength, focus)
        writable = entry.writable()
        concept_best = max(scores.values(), default=0)
        if concept_best > 0:
            top = [entry.resources[n] for n, s in scores.items() if s == concept_best]
            if not any(r.set_command for r in top) and not clause.actions & {"on", "off", "lock", "unlock"}:
                raise Refusal("read_only", f"{entry.name} {top[0].name} is read-only")
        if not writable:
            if scope == "named":
                raise Refusal("read_only", f"{entry.name} has nothing that can be set")
            return None
        return self._set_actions(entry, clause, scores, read_state, scope)

    def _set_actions(self, entry: Entry, clause: Clause, scores: dict[str, float],
                     read_state: StateReader | None, scope: str) -> _Candidate | None:
        numeric = [r for r in entry.writable() if r.is_numeric]
        quantity = clause.quantities[0] if clause.quantities else None
        if "all the way" in clause.text and not clause.extreme:
            clause.extreme = "min" if clause.down or "close" in clause.actions else "max"
        relative = (clause.multiplier is not None or clause.complaint is not None
                    or clause.relative_amount or ((clause.up or clause.down) and (
                        clause.vague or quantity is None))
                    or (clause.vague and clause.actions & {"open", "close"})) and not clause.extreme \
            and not (clause.absolute_marker and not clause.relative_amount)
        if relative and numeric and not (clause.vague or clause.relative_amount or clause.multiplier
                                         or clause.complaint):
            named = _named_value(entry, clause, scores, verbs=False)   # "raise the blinds halfway"
            if named is not None and all(entry.resources[k].is_numeric for a in named.actions
                                         for k in (a.values or {})):
                return named
        if relative and numeric:
            target = self._pick_numeric(entry, numeric, scores, clause, quantity)
            if target is not None:
                return self._relative(entry, target, clause, scores, quantity, read_state)
        if clause.extreme and numeric:
            target = self._pick_numeric(entry, numeric, scores, clause, None)
            if target is not None and target.minimum is not None and target.maximum is not None:
                value = target.maximum if clause.extreme == "max" else target.minimum
                actions = [_set(entry, target, value)]
                power = _bool_resource(entry, clause)
                if "on" in clause.actions and power is not None and re.search(r"\bat\b", clause.text):
                    actions.insert(0, _set_bool(entry, power, True))
                return _Candidate(entry, actions, 1 + scores[target.name])
        if quantity is not None and numeric:
            target = self._pick_numeric(entry, numeric, scores, clause, quantity)
            if target is None:
                return None
            value = convert(quantity, target.units, angle_resource=_is_angle(target))
            if value is None:
                return None
            value = _checked(target, round_half_away(value, precision_for(target.value_type, target.units)),
                             entry)
            actions = [_set(entry, target, value)]
            power = _bool_resource(entry, clause)
            if "on" in clause.actions and power is not None and re.search(r"\b(?:at|@)\s+-?\d", clause.text):
                actions.insert(0, _set_bool(entry, power, True))
            return _Candidate(entry, actions, 1 + scores[target.name])
        named = _named_value(entry, clause, scores, verbs=False)
        if named is not None:
            return named
        power = _bool_resource(entry, clause)
        if power is not None and "lock" in power.tokens and not clause.actions & {"lock", "unlock"} \
                and "lock" not in clause.words:
            power = None   # "open the garage door" asks for a door opener, not for unlocking
        if power is not None:
            truth = _truth(power, clause.actions)
            if truth is not None:
                return _Candidate(entry, [_set_bool(entry, power, truth)], 1 + scores[power.name])
        named = _named_value(entry, clause, scores, verbs=True)
        if named is not None:
            return named
        if quantity is not None and scope == "named" and not numeric:
            raise Refusal("unsupported", f"{entry.name} has no value that can be set to a number")
        return None

    def _pick_numeric(self, entry: Entry, numeric: list[Resource], scores: dict[str, float],
                      clause: Clause, quantity) -> Resource | None:
        if quantity is not None and quantity.unit is not None and quantity.unit.family not in ("step",):
            fitting = [r for r in numeric if convert(quantity, r.units,
                                                     angle_resource=_is_angle(r)) is not None
                       and (quantity.unit.family != "degree" or r.units)]
            if quantity.unit.family == "degree":
                # bare degrees are Celsius unless the request is about an angle (tilt, 角度)
                angles = [r for r in fitting if _is_angle(r) and scores[r.name] > 0]
                fitting = angles or [r for r in fitting if not _is_angle(r)]
            if quantity.unit.family == "percent" and not any(
                    (profile_unit_family(r.units) or ("",))[0] == "percent" for r in fitting):
                fitting = numeric if clause.up or clause.down or clause.relative_amount else []
            numeric = fitting
        if not numeric:
            return None
        best = max(scores[r.name] for r in numeric)
        top = [r for r in numeric if scores[r.name] == best]
        if len(top) == 1:
            return top[0]
        setpoints = [r for r in top if "target" in r.tokens or "set point" in r.description.lower()]
        if len(setpoints) == 1:
            return setpoints[0]
        if best > 0 and self._model is not None:
            # the words name a concept two settings share: let the model choose between them
            return self._model_pick(entry, top, clause)
        # nothing named: the profile's first numeric setting is the device's main dimension
        return top[0]

    def _model_pick(self, entry: Entry, options: list[Resource], clause: Clause) -> Resource | None:
        prompt = (f"Device {entry.name}. Request: \"{clause.text}\". Which setting does the request "
                  f"change? Answer:")
        try:
            choice = self._model.choose(prompt, [" " + r.name for r in options])
        except Exception as err:  # the model is an aid, never a requirement
            log.warning("model choice unavailable (%s); using the first candidate", err)
            return options[0]
        return options[choice.index] if max(choice.probabilities) >= self._threshold else None

    def _relative(self, entry: Entry, target: Resource, clause: Clause, scores: dict[str, float],
                  quantity, read_state: StateReader | None) -> _Candidate:
        sign = _direction(clause, target)
        if sign == 0:
            raise Refusal("ambiguous", "cannot tell whether to increase or decrease")
        current = _current(entry, target, read_state)
        family = (profile_unit_family(target.units) or ("", 1.0))[0]
        vague = quantity is None and clause.multiplier is None
        if clause.multiplier is not None:
            value = current * clause.multiplier
        elif quantity is not None:
            if quantity.unit is not None and quantity.unit.family == "percent" and family != "percent":
                value = current * (1 + sign * quantity.value / 100)
            else:
                delta = convert(quantity, target.units, delta=True, angle_resource=_is_angle(target))
                if delta is None:
                    raise Refusal("unsupported", f"{quantity.unit_text} does not fit {target.name}")
                value = current + sign * abs(delta)
        else:
            value = current + sign * _step(target)
        value = round_half_away(value, precision_for(target.value_type, target.units))
        if vague:
            value = min(max(value, target.minimum if target.minimum is not None else value),
                        target.maximum if target.maximum is not None else value)
        value = _checked(target, value, entry)
        action = _set(entry, target, value)
        action = Action(action.device, action.command, "set", action.values, relative=True)
        return _Candidate(entry, [action], 1 + scores[target.name])


# --- helpers -------------------------------------------------------------------------------------

def _concept_score(res: Resource, clause: Clause) -> float:
    tokens = res.tokens - _GENERIC_TOKENS or res.tokens
    words = set(clause.words)
    if clause.complaint:
        words.add(clause.complaint[0])
    hit = tokens & words
    if not hit:
        return 0.0
    return len(hit) - 0.5 * len(tokens - words)


def _is_angle(res: Resource) -> bool:
    return (profile_unit_family(res.units) or ("",))[0] == "angle"


def _check_capabilities(entry: Entry, clause: Clause) -> None:
    for concept in clause.capability_words:
        have = any(concept in r.tokens or concept in " ".join(r.allowed).lower()
                   or (concept == "colour" and "color" in r.tokens and r.units.upper() != "K")
                   for r in entry.resources.values())
        if not have:
            raise Refusal("unsupported", f"{entry.name} has no {concept} control")
    if "mode" in clause.words and not clause.question:
        modes = [r for r in entry.writable() if r.allowed]
        said = {_NAMED_SYNONYMS.get(w, w) for w in clause.raw_words | clause.words}
        if modes and not any(v.lower() in said for r in modes for v in r.allowed):
            raise Refusal("unsupported", f"{entry.name} supports only the modes "
                          + ", ".join(v for r in modes for v in r.allowed))


def _bool_resource(entry: Entry, clause: Clause) -> Resource | None:
    bools = [r for r in entry.writable() if r.is_bool]
    if not bools:
        return None
    if len(bools) == 1:
        return bools[0]
    switch_like = {"power", "on", "off", "run", "enable", "active", "switch", "state", "lock", "open"}
    scored = sorted(bools, key=lambda r: (-_concept_score(r, clause), not (r.tokens & switch_like)))
    return scored[0]


_ACTION_WORDS = {"on": {"on", "running", "run", "powered", "enabled", "active", "start", "started"},
                 "off": {"off", "stopped", "stop", "cut", "disabled", "inactive", "standby"},
                 "open": {"open", "opened"}, "close": {"closed", "close", "shut"},
                 "lock": {"locked", "lock"}, "unlock": {"unlocked", "unlock"}}


def _described_truth(res: Resource, actions: set[str]) -> bool | None:
    """'true = locked, false = unlocked' in the description decides what a verb means."""
    sides = {}
    for side in ("true", "false"):
        match = re.search(side + r"\s*[=:]\s*([^,;.]*)", res.description.lower())
        if match:
            sides[side] = set(re.findall(r"[a-z]+", match.group(1)))
    if len(sides) < 2:
        return None
    votes = set()
    for action in actions:
        words = _ACTION_WORDS.get(action, set())
        if words & sides["true"] and not words & sides["false"]:
            votes.add(True)
        elif words & sides["false"] and not words & sides["true"]:
            votes.add(False)
    return votes.pop() if len(votes) == 1 else None


def _truth(res: Resource, actions: set[str]) -> bool | None:
    described = _described_truth(res, actions)
    if described is not None:
        return described
    lock_like = "lock" in res.tokens
    if lock_like:
        if "unlock" in actions:
            return False
        if "lock" in actions:
            return True
        if "open" in actions:
            return False
        if "close" in actions:
            return True
        return None
    if actions & {"on", "open"} and not actions & {"off", "close"}:
        return True
    if actions & {"off", "close"} and not actions & {"on", "open"}:
        return False
    if {"on", "off"} <= actions:   # "turn X off" also contains "on"? prefer the later word
        return None
    return None


def _named_value(entry: Entry, clause: Clause, scores: dict[str, float], verbs: bool) -> _Candidate | None:
    said = {_NAMED_SYNONYMS.get(w, w) for w in clause.raw_words | clause.words} | clause.actions
    raw = clause.raw_words | {_NAMED_SYNONYMS.get(w, w) for w in clause.raw_words} | clause.actions
    if not verbs:
        said -= _VERB_WORDS - {"off"}
    best: tuple[float, Resource, str] | None = None
    for res in entry.writable():
        for allowed in res.allowed:
            if allowed.lower() in said:
                score = 1.0 + 0.5 * scores[res.name]
                if best is None or score > best[0]:
                    best = (score, res, allowed.lower())
        label_counts: dict[str, int] = {}
        for words, _ in res.labels:
            for w in words:
                label_counts[w] = label_counts.get(w, 0) + 1
        for words, number in res.labels:
            hit = words & (raw if verbs else raw - (_VERB_WORDS - {"off"}))
            if not verbs and not hit - res.tokens:
                continue   # "fan" in "0 = fan off" names the resource, not a value
            if not hit or (not verbs and not hit - _VERB_WORDS):
                continue
            score = sum(1 / label_counts[w] for w in hit) / max(1, len(words - {"fully"}) ** 0.5) \
                + 0.5 * scores[res.name]
            if best is None or score > best[0]:
                best = (score, res, number)
    if best is None:
        return None
    score, res, value = best
    verb_only = isinstance(value, str) and value in _VERB_WORDS | {"off"}
    if isinstance(value, str):
        raw = next((r for r, label in res.mappings if label.lower() == value), None)
        if res.is_numeric and raw is not None:
            # a mapping label on a numeric resource: send the raw value, typed as the format wants
            # (the device SDK also accepts the label, but the raw value parses as the valueType)
            return _Candidate(entry, [_set(entry, res, _checked(res, float(raw), entry))], 1 + score,
                              verb_only=verb_only)
        return _Candidate(entry, [Action(entry.name, res.set_command, "set", {res.name: value})], 1 + score,
                          verb_only=verb_only)
    return _Candidate(entry, [_set(entry, res, _checked(res, value, entry))], 1 + score)


def _direction(clause: Clause, target: Resource) -> int:
    if clause.multiplier is not None:
        return 1
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
    temperature_words = re.search(r"warm|cool|hot|cold|暖|冷|热|凉", clause.text)
    if target.units.strip().upper() == "K" and temperature_words:
        sign = -sign   # a warmer white is fewer kelvin
    return sign


def _step(res: Resource) -> float:
    family = (profile_unit_family(res.units) or ("",))[0]
    if family in _STEP_BY_FAMILY:
        return _STEP_BY_FAMILY[family]
    if res.minimum is not None and res.maximum is not None:
        span = res.maximum - res.minimum
        if res.value_type.lower().startswith(("int", "uint")) and span <= 10:
            return 1.0
        return max(span / 10, 10 ** -precision_for(res.value_type, res.units))
    return 1.0


def _current(entry: Entry, res: Resource, read_state: StateReader | None) -> float:
    if read_state is None or res.read_command is None:
        raise Refusal("unsupported", f"the current {res.name} of {entry.name} cannot be read")
    try:
        reading = read_state(entry.name, res.read_command)[res.name]
        reading = next((raw for raw, label in res.mappings if label.lower() == reading.lower()), reading)
        value = float(reading)
    except Exception as err:
        raise Refusal("unsupported", f"the current {res.name} of {entry.name} is unknown ({err})") from None
    if not math.isfinite(value):
        raise Refusal("unsupported", f"the current {res.name} of {entry.name} is not a number")
    return value


def _checked(res: Resource, value: float, entry: Entry) -> float:
    if (res.minimum is not None and value < res.minimum) or (res.maximum is not None and value > res.maximum):
        raise Refusal("out_of_range", f"{entry.name} {res.name} must be between {res.minimum:g} and "
                      f"{res.maximum:g} {res.units}".rstrip())
    return value


def _set(entry: Entry, res: Resource, value: float) -> Action:
    return Action(entry.name, res.set_command, "set", {res.name: edgex_string(value, res.value_type)})


def _set_bool(entry: Entry, res: Resource, truth: bool) -> Action:
    return Action(entry.name, res.set_command, "set", {res.name: "true" if truth else "false"})


def _alternatives(built: list[_Candidate]) -> list[dict[str, Any]]:
    """Top candidates with probabilities (a softmax over their grounding strengths)."""
    if not built:
        return []
    top = sorted(built, key=lambda c: -c.strength)[:3]
    weights = [math.exp(c.strength) for c in top]
    total = sum(weights)
    return [{"device": c.entry.name, "actions": [a.to_dict() for a in c.actions],
             "probability": round(w / total, 3)} for c, w in zip(top, weights)]
