"""How a grounded clause becomes values: concept scores, named values, on/off meaning, range
checks and EdgeX spelling (pure functions; used by interpreter.py; changes are relative.py's)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .catalog import Entry, Resource
from .grounding import Clause
from .lexicon import canon
from .numbers import edgex_string, profile_unit_family
from .verbs import is_trigger

StateReader = Callable[[str, str], dict[str, str]]

REASONS = ("injection", "unrelated", "unknown_device", "read_only", "out_of_range", "unsupported",
           "ambiguous", "invalid")
_OFF_VALUES = {"off", "false", "stop", "stopped", "close", "closed", "none", "idle", "standby"}
GENERIC_TOKENS = {"target", "rate", "level", "value", "set", "point", "setpoint", "state", "actual",
                  "today", "daily", "total", "yesterday"}
_VERB_WORDS = {"open", "close", "raise", "lower", "on", "off", "start", "stop", "run", "shut",
               "turn", "switch", "set", "put", "make", "to", "the", "a", "fully", "all", "way"}
_NAMED_SYNONYMS = {"heating": "heat", "heater": "heat", "warm": "heat", "cooling": "cool",
                   "ac": "cool", "aircon": "cool", "automatic": "auto", "flat": "horizontal",
                   "level": "horizontal",
                   "daylight": "daylight", "制冷": "cool", "制热": "heat", "自动": "auto", "关": "off",
                   "高": "high", "中": "medium", "低": "low", "halfway": "half",
                   "ventilation": "ventilate", "ventilating": "ventilate", "mic": "microphone",
                   "dehumidify": "dry"}
NAMED_SYNONYMS = _NAMED_SYNONYMS   # the spoken words for values (heater → heat)


class Refusal(Exception):
    """Why nothing will be done; ``alternatives`` lists the readings that were too close to call;
    ``named`` is set when the words named what was refused (a read-only humidity), which must win
    over devices that merely could take the value."""

    def __init__(self, reason: str, message: str, alternatives: list[dict[str, Any]] | None = None,
                 named: bool = False):
        assert reason in REASONS, reason
        self.reason, self.message = reason, message
        self.alternatives = alternatives or []
        self.named = named
        super().__init__(f"{reason}: {message}")


@dataclass(frozen=True)
class Action:
    device: str
    command: str
    method: str                      # "set" | "get"
    values: dict[str, str] | None = None
    # derived from the current value, so a retry could apply it twice
    relative: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"device": self.device, "command": self.command,
                               "method": self.method}
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
class Candidate:
    entry: Entry
    actions: list[Action]
    strength: float
    focus: list[str] = field(default_factory=list)
    verb_only: bool = False    # chosen only by a verb ("off"), which cannot name a device by itself


_ACTION_CONCEPTS = {"on", "off", "open", "close", "run", "start", "stop", "lock", "unlock", "power",
                    "set", "switch", "enable", "active", "state"}


def resource_scores(entry: Entry, clause: Clause) -> dict[str, float]:
    """How well each resource matches the words; the words that name the device ("case 2
    humidity": case) count only when nothing else matches (CaseRH is not the case's set point)."""
    own = frozenset(entry.words)
    scores = {name: concept_score(res, clause, own) for name, res in entry.resources.items()}
    if not any(scores.values()):
        scores = {name: concept_score(res, clause) for name, res in entry.resources.items()}
    targets = [n for n, r in entry.resources.items() if "target" in r.tokens and r.set_command]
    if "target" in clause.words and targets:
        # "the glycol setpoint", "the milk target": a set-point word names no reading, whatever
        # the other words name; another setting the words name still wins ("fan speed target")
        scores = {n: 0.0 if not entry.resources[n].set_command
                  else max(s, 0.1) if n in targets else s for n, s in scores.items()}
    return scores


def concept_score(res: Resource, clause: Clause, ignore: frozenset[str] = frozenset()) -> float:
    tokens = res.tokens - GENERIC_TOKENS or res.tokens
    # verbs never say *what* to change ("switch on" must not pick a resource named OnOff)
    words = set(clause.words) - _ACTION_CONCEPTS - ignore
    if "airflow" in words and "airflow" not in tokens:
        words.add("fan")   # 风量, "the airflow": what a fan setting sets
    if clause.complaint and not (clause.complaint[0] == "temperature" and res.units.strip() == "K"):
        words.add(clause.complaint[0])   # "it's freezing" is about the room, not a white tone
    hit = tokens & words
    if not hit:
        return 0.0
    # a word of the name said always counts, however long the name ("feed" for ManualFeedRate)
    return max(len(hit) - 0.5 * len(tokens - words), 0.1 * len(hit))


def is_angle(res: Resource) -> bool:
    return (profile_unit_family(res.units) or ("",))[0] == "angle"


def named_value(entry: Entry, clause: Clause, scores: dict[str, float],
                verbs: bool) -> Candidate | None:
    said = {_NAMED_SYNONYMS.get(w, w) for w in clause.raw_words | clause.words} | clause.actions
    raw = clause.raw_words | {_NAMED_SYNONYMS.get(w, w) for w in clause.raw_words} | clause.actions
    if not verbs:
        said -= _VERB_WORDS - {"off"}
    best: tuple[float, Resource, Any, bool] | None = None
    for res in entry.writable():
        for allowed in res.allowed:
            # "cooling" said for a value spelled "cool", or "cool"/"AC" for one spelled "cooling"
            joined = re.sub(r"[\s_-]+", "", allowed.lower())   # "flow-paced" said "flow paced"
            if allowed.lower() in said or _NAMED_SYNONYMS.get(allowed.lower(), "") in said - {""} \
                    or (joined != allowed.lower() and joined in clause.raw_words):
                score = 1.0 + 0.5 * scores[res.name]
                if only_from_device_words(entry, clause, allowed.lower()):
                    score -= 0.25   # "the AC in economizer mode": the value said beats "AC" → cool
                if best is None or score > best[0]:
                    best = (score, res, allowed.lower(), allowed.lower() in _VERB_WORDS | {"off"})
        label_counts: dict[str, int] = {}
        for words, _ in res.labels:
            for w in words:
                label_counts[w] = label_counts.get(w, 0) + 1
        for words, number in res.labels:
            hit = words & (raw if verbs else raw - (_VERB_WORDS - {"off"}))
            if not hit - res.tokens:
                continue   # "fan" in "0 = fan off" names the resource, not a value
            if not hit or (not verbs and not hit - _VERB_WORDS):
                continue
            score = sum(1 / label_counts[w] for w in hit) / max(1, len(words - {"fully"}) ** 0.5) \
                + 0.5 * scores[res.name]
            if best is None or score > best[0]:
                best = (score, res, number, not hit - _VERB_WORDS)
    if best is None:
        return None
    score, res, value, verb_only = best
    if isinstance(value, str) and only_from_device_words(entry, clause, value) \
            and clause.actions & {"on", "off"}:
        return None   # "turn off combi oven 1": "combi" names the oven, not its combi mode
    if isinstance(value, str) and clause.actions & {"off"} and not clause.actions & {"on"} \
            and value not in _OFF_VALUES:
        # "turn off the bell" does not select the value "bell"
        raise Refusal("unsupported", f"{entry.name} cannot switch {value} off")
    if isinstance(value, str) and only_from_device_words(entry, clause, value) \
            and _ASKED_VALUE.search(clause.text):
        # "put the AC on dehumidify": "AC" may imply cooling, but another value was asked for
        raise Refusal("unsupported", f"{entry.name} {res.name} allows only "
                      + ", ".join(res.allowed))
    if isinstance(value, str):
        raw = next((r for r, label in res.mappings if label.lower() == value), None)
        if res.is_numeric and raw is not None:
            # a mapping label on a numeric resource: send the raw value, typed as the format wants
            # (the device SDK also accepts the label, but the raw value parses as the valueType)
            action = set_action(entry, res, checked_range(res, float(raw), entry))
        else:
            action = Action(entry.name, res.set_command, "set", {res.name: value})
        return Candidate(entry, [action], 1 + score, verb_only=verb_only)
    return Candidate(entry, [set_action(entry, res, checked_range(res, value, entry))], 1 + score,
                     verb_only=verb_only)


_ASKED_VALUE = re.compile(r"\b(?:to|on|into)\s+(?!the\b|a\b|an\b|my\b|our\b|it\b|its\b|please\b)"
                          r"[a-z][a-z ]*$")


def only_from_device_words(entry: Entry, clause: Clause, value: str) -> bool:
    """True when the value was read only into a word naming the device ("AC" → cool)."""
    device_words = {w for w in clause.raw_words | clause.words
                    if w in entry.words or canon(w)[0] in entry.words}
    rest = clause.raw_words | clause.words | clause.actions
    said = {_NAMED_SYNONYMS.get(w, w) for w in rest - device_words} | (rest - device_words)
    return value not in said and _NAMED_SYNONYMS.get(value, value) not in said \
        and re.sub(r"[\s_-]+", "", value) not in said


_OPENING_WORDS = {"open", "opening", "position", "close", "closed", "aperture", "valve", "blind",
                  "cover", "shade", "damper", "vent", "louver", "shutter", "curtain", "awning",
                  "extension", "extended", "canopy"}


def opening_value(entry: Entry, clause: Clause) -> Candidate | None:
    """open/close/halfway on an opening-like % resource whose description names no values:
    open = maximum, close = minimum, halfway = the middle."""
    if not clause.actions & {"open", "close"} and not clause.raw_words & {"halfway", "half"}:
        return None
    for res in entry.writable():
        words = set(re.findall(r"[a-z]+", (res.name + " " + res.description).lower())) | res.tokens
        bounded = res.minimum is not None and res.maximum is not None
        if not res.is_numeric or not bounded or not words & _OPENING_WORDS:
            continue
        if clause.raw_words & {"halfway", "half"}:
            value = (res.minimum + res.maximum) / 2
        elif clause.actions & {"open", "close"} == {"open"}:
            value = res.maximum
        elif clause.actions & {"open", "close"} == {"close"}:
            value = res.minimum
        else:
            return None
        return Candidate(entry, [set_action(entry, res, value)], 1.5, verb_only=True)
    return None


_OPEN_LABEL = {"open", "opened", "raise", "raised", "up"}
_CLOSE_LABEL = {"close", "closed", "shut", "lower", "lowered", "down"}


def opening_sense(res: Resource) -> int | None:
    """+1 when opening raises the value, -1 when the description says the open end is the low one
    (a KNX shade counts how far it is lowered: 0 = fully raised/open; slats 90 = shut)."""
    if res.minimum is None or res.maximum is None or res.maximum <= res.minimum:
        return None
    opened = [v for words, v in res.labels if words & _OPEN_LABEL and not words & _CLOSE_LABEL]
    closed = [v for words, v in res.labels if words & _CLOSE_LABEL and not words & _OPEN_LABEL]
    middle = (res.minimum + res.maximum) / 2
    if opened and closed:
        gap = sum(opened) / len(opened) - sum(closed) / len(closed)
        return None if gap == 0 else (1 if gap > 0 else -1)
    if opened or closed:
        ends = opened or closed
        if all(v == ends[0] for v in ends) and ends[0] != middle:
            high = ends[0] > middle
            return (1 if high else -1) * (1 if opened else -1)
    return None


def checked_range(res: Resource, value: float, entry: Entry) -> float:
    if (res.minimum is not None and value < res.minimum) or (
            res.maximum is not None and value > res.maximum):
        raise Refusal("out_of_range", f"{entry.name} {res.name} must be between "
                      f"{res.minimum:g} and {res.maximum:g} {res.units}".rstrip())
    return value


def set_action(entry: Entry, res: Resource, value: float) -> Action:
    return Action(entry.name, res.set_command, "set",
                  {res.name: edgex_string(value, res.value_type)})


def set_bool_action(entry: Entry, res: Resource, truth: bool) -> Action:
    if not truth and is_trigger(res):
        # "stop the defrost": false means nothing to a trigger that only starts a cycle
        raise Refusal("unsupported", f"{entry.name} {res.name} can only be started")
    return Action(entry.name, res.set_command, "set", {res.name: "true" if truth else "false"})


def alternatives(built: list[Candidate]) -> list[dict[str, Any]]:
    """Top candidates with probabilities (a softmax over their grounding strengths)."""
    if not built:
        return []
    top = sorted(built, key=lambda c: -c.strength)[:3]
    weights = [math.exp(c.strength) for c in top]
    total = sum(weights)
    return [{"device": c.entry.name, "actions": [a.to_dict() for a in c.actions],
             "probability": round(w / total, 3)} for c, w in zip(top, weights)]
