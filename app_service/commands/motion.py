"""What a moving part cannot do (pure): a stop where the profile only opens and closes fully,
and a partial opening ("halfway") where nothing takes a partial value. Both are refused rather
than read as the nearest thing the device can do (closing it, opening it fully)."""
from __future__ import annotations

import re

from .catalog import Entry, Resource
from .grounding import Clause
from .lexicon import canon, split_name

_STOP = re.compile(r"\b(?:stop|halt|freeze)\b|停止|停下|停住|停在")
_HALF = {"halfway", "half"}
_POSITION_WORDS = {"open", "opened", "close", "closed", "shut", "raised", "lowered", "up", "down",
                   "extended", "retracted"}
_TRAVEL_WORDS = {"raised", "lowered", "up", "down", "extended", "retracted"}
_RUN_WORDS = {"on", "off", "run", "running", "power", "powered", "start", "started", "stopped",
              "enable", "enabled", "active", "moving"}


def is_position(res: Resource, moving: bool = False) -> bool:
    """A Bool that is a position (true = raised/open), not a run or power switch; ``moving``:
    one that travels (raised/lowered, extended/retracted), not a valve's open/closed."""
    sides = re.findall(r"(?:true|false)\s*[=:]\s*([^,;.]*)", res.description.lower())
    words = set(res.tokens) | set(re.findall(r"[a-z]+", " ".join(sides)))
    if words & _RUN_WORDS:
        return False
    return bool(words & (_TRAVEL_WORDS if moving else _POSITION_WORDS))


def _described_side(res: Resource, word: str) -> bool | None:
    """Which Bool value the description gives a word ('true = raised (open)' → raised: True)."""
    for side in ("true", "false"):
        match = re.search(side + r"\s*[=:]\s*([^,;.]*)", res.description.lower())
        if match and word in match.group(1):
            return side == "true"
    return None


def _named_stop(res: Resource) -> bool:
    return any(v.lower() in {"stop", "halt"} for v in res.allowed) or any(
        words & {"stop", "stopped", "halt"} for words, _ in res.labels)


def check_motion(entry: Entry, clause: Clause) -> None:
    from .decisions import Refusal   # decisions imports this module
    if clause.question:
        return
    named = {k for t in split_name(entry.name) + split_name(entry.profile) for k in canon(t)}
    said = (clause.words | clause.raw_words) & entry.words
    # (a value said, "to 30 percent", is routed by its unit instead: a read-only power reading
    # that the description ties to the lights does not make the lights read-only)
    if said and not said & named and entry.writable() and not clause.quantities and not any(
            said & (r.tokens | r.description_words) for r in entry.writable()) and any(
            said & (r.tokens | r.description_words) for r in entry.readable()) \
            and not _verb_described(entry, clause):
        # "turn off the sprinkler" of a fire-zone module that only monitors the sprinkler
        # valve: that part is only read, never the module's shutter
        raise Refusal("read_only", f"the {sorted(said)[0]} of {entry.name} is only read",
                      named=True)
    writable = list(entry.writable())
    if _STOP.search(clause.text) and not clause.actions - {"off"} and writable:
        stoppable = any(_named_stop(r) or (r.is_bool and not is_position(r))
                        or (r.is_numeric and not r.is_bool) for r in writable)
        if not stoppable:
            raise Refusal("unsupported", f"{entry.name} cannot be stopped part way; it only "
                          "opens or closes fully")
    if clause.raw_words & _HALF and not clause.quantities and writable and not any(
            r.is_numeric and not r.is_bool or any(_HALF & words for words, _ in r.labels)
            for r in writable):
        raise Refusal("unsupported", f"{entry.name} cannot be set part way; it only opens or "
                      "closes fully")


_UP_VALUES = ("up", "raised", "raise", "open", "opened", "extended", "extend")
_DOWN_VALUES = ("down", "lowered", "lower", "close", "closed", "retracted", "retract")


def directed_value(entry: Entry, clause: Clause, scores: dict[str, float]):
    """'raise the screen', 'screen down', 幕布升起来: a direction said of the one named setting
    whose listed values are directions (up/down) sets that value, never a number beside it
    (the PA volume up)."""
    from .decisions import Action, Candidate   # decisions imports this module
    best = max(scores.values(), default=0)
    up, down = clause.up or "open" in clause.actions, clause.down or "close" in clause.actions
    barriers = [r for r in entry.writable() if r.is_bool and is_position(r, moving=True)
                and 0 < scores[r.name] >= best
                and r.tokens & clause.words - _POSITION_WORDS - _TRAVEL_WORDS - {"raise", "lower"}]
    if len(barriers) == 1 and up != down and not clause.quantities:
        # "drop the fire shutter": a travelling barrier goes the way said, never "by" an amount
        truth = _described_side(barriers[0], "raised" if up else "lowered")
        if truth is not None:
            action = Action(entry.name, barriers[0].set_command, "set",
                            {barriers[0].name: "true" if truth else "false"})
            return Candidate(entry, [action], 1.5 + scores[barriers[0].name])
    named = [r for r in entry.writable() if r.is_string and r.allowed and 0 < scores[r.name]]
    if not named and best <= 0:
        # 一号升船机升起来: nothing but the device said, and its one setting that moves it
        named = [r for r in entry.writable() if r.is_string
                 and {v.lower() for v in r.allowed} & set(_UP_VALUES)
                 and {v.lower() for v in r.allowed} & set(_DOWN_VALUES)]
        named = named if len(named) == 1 else []
    if len(named) != 1 or scores[named[0].name] < best or clause.quantities:
        return None
    res = named[0]
    allowed = {v.lower(): v for v in res.allowed}
    if _STOP.search(clause.text) and _named_stop(res) and not clause.actions - {"off"}:
        value = next(allowed[v] for v in ("stop", "halt") if v in allowed)   # 二号吊船架停住
        return Candidate(entry, [Action(entry.name, res.set_command, "set", {res.name: value})],
                         1.5 + scores[res.name])
    up = clause.up or "open" in clause.actions or "up" in clause.raw_words
    down = clause.down or "close" in clause.actions or "down" in clause.raw_words
    if up == down:
        return None
    value = next((allowed[v] for v in (_UP_VALUES if up else _DOWN_VALUES) if v in allowed), None)
    if value is None:
        return None
    action = Action(entry.name, res.set_command, "set", {res.name: value})
    return Candidate(entry, [action], 1.5 + scores[res.name])


def _verb_described(entry: Entry, clause: Clause) -> bool:
    """"arm the alarm" on an intrusion panel whose alarm zones are only read: the verb is the
    one its SystemArmed describes ("true = armed, false = disarmed"), so the panel is meant."""
    from .verbs import described_switch   # (kept lazy like the import above)
    return described_switch(entry, clause.text, clause.actions, frozenset()) is not None
