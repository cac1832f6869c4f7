"""What on and off mean for a device's Bool settings (pure): which switch a request means, the
side its description calls on ("true = closed (power supplied), false = open (no power)"),
and which switches "everything off" may touch."""
from __future__ import annotations

import re

from .catalog import Entry, Resource
from .grounding import Clause
from .lexicon import canon, split_name
from .motion import is_position


def bool_resource(entry: Entry, clause: Clause) -> Resource | None:
    bools = [r for r in entry.writable() if r.is_bool]
    said = clause.raw_words | clause.words
    plain = [r for r in bools if not r.tokens & SIDE_SWITCHES or r.tokens & said]
    if len(plain) < len(bools):
        # beside a mute, a switch named after a feature (ChimeEnabled) is no more the device's
        # power than the mute is: "turn off the PA" names neither
        own = entry.words | {k for t in split_name(entry.profile) for k in canon(t)}
        featured = [r for r in plain if not r.tokens & said and r.tokens - _MAIN_SWITCH_WORDS - own]
        if featured and featured == plain:
            return None
    bools = plain or bools   # "stop the music" is Playback, not the Muted switch beside it
    if not bools:
        return None
    if len(bools) == 1:
        return bools[0]
    switch_like = {"power", "on", "off", "run", "enable", "enabled", "active", "switch", "state",
                   "lock", "open"}
    # a tie goes to the switch a verb said names ("start pumping": the pump), else to the
    # device's main function, the one its profile's description names first
    from .decisions import concept_score   # decisions re-exports this module
    scored = sorted(bools, key=lambda r: (-concept_score(r, clause), not (r.tokens & switch_like),
                                          not r.tokens & clause.verb_words,
                                          entry.function_rank.get(r.name, 0)))
    return scored[0]


_MAIN_SWITCH_WORDS = {"power", "on", "off", "run", "enable", "enabled", "active", "switch", "state",
                      "playback", "output", "running", "energized", "main"}
# switches whose true means "less happens" or that pick a way of working: only their own name
# sets them ("turn the PA off" is not "Muted false", "turn off the UPS" not "EcoMode false")
SIDE_SWITCHES = {"mute", "silence", "standby", "sleep", "pause", "paused", "disable", "disabled",
                 "bypass", "hold", "inhibit", "block", "blocked", "mode", "eco", "auto", "manual"}


_ACTION_WORDS = {"on": {"on", "running", "run", "powered", "enabled", "active", "start", "started"},
                 "off": {"off", "stopped", "stop", "cut", "disabled", "inactive", "standby",
                         "paused", "pause", "suspended"},
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
    # "true = closed (power supplied), false = open (no power)": the side that says "no" is off,
    # whatever the other words (a closed breaker is on, an open one off)
    negated = {side for side, words in sides.items() if _no_power(words)}
    on_side = ({"true", "false"} - negated).pop() == "true" if len(negated) == 1 else None
    votes: dict[str, bool] = {}
    for action in actions:
        words = _ACTION_WORDS.get(action, set())
        opposite = _ACTION_WORDS.get(_OPPOSITE.get(action, ""), set())
        if words & sides["true"] and not words & sides["false"]:
            votes[action] = True
        elif words & sides["false"] and not words & sides["true"]:
            votes[action] = False
        elif action in ("on", "off") and opposite & sides["false"] \
                and not opposite & sides["true"]:
            # "false = safety lock disabled": turning it on (打开童锁) is the other side, true
            votes[action] = True
        elif action in ("on", "off") and opposite & sides["true"] \
                and not opposite & sides["false"]:
            votes[action] = False
        elif action in ("on", "off") and on_side is not None:
            votes[action] = on_side == (action == "on")
    if len(set(votes.values())) > 1 and on_side is not None and actions & {"on", "off"}:
        # 打开 says both "open" and "on": on a switch whose off side is "no …", on/off decides
        votes = {a: v for a, v in votes.items() if a in ("on", "off")}
    return votes.popitem()[1] if len(set(votes.values())) == 1 else None


_NEGATIONS = {"no", "not", "none", "without", "nothing"}
_SUPPLY = {"power", "current", "supply", "supplied", "voltage", "energy", "electricity", "output",
           "flow", "feed", "fuel"}


def _no_power(words: set[str]) -> bool:
    """"false = open (no power)": a side that says nothing is supplied (not "no call")."""
    return bool(words & _NEGATIONS and words & _SUPPLY)


_OPPOSITE = {"on": "off", "off": "on"}


_OFF_LIKE = {"off", "closed", "close", "shut", "stopped", "stop", "dark", "idle", "standby",
             "disabled", "paused", "cut", "unpowered", "inactive"}


def is_power_switch(res: Resource) -> bool:
    """'everything off' switches things off, not a nurse call ('true = a call is active'): a
    Bool whose description gives true/false other meanings than on/off is no power switch."""
    if is_position(res, moving=True):
        return False   # a fire shutter lowered is no device switched off (a valve closed is)
    false_side = re.search(r"false\s*[=:]\s*([^,;.]*)", res.description.lower())
    words = set(re.findall(r"[a-z]+", false_side.group(1))) if false_side else set()
    return not false_side or bool(words & _OFF_LIKE) or _no_power(words)   # "open (no power)"


def bool_value(res: Resource, actions: set[str]) -> bool | None:
    from .decisions import _ACTION_CONCEPTS   # (lazy, like concept_score)
    named = actions & res.tokens - {"on", "off"}
    if named and actions - named and res.tokens - _ACTION_CONCEPTS:
        actions = actions - named   # "turn off the hold-open": "open" is the setting's name
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
    if not res.tokens & {"open", "close"}:
        actions = actions - {"open", "close"}   # "close the garage" says nothing about a charger
    if actions & {"on", "open"} and not actions & {"off", "close"}:
        return True
    if actions & {"off", "close"} and not actions & {"on", "open"}:
        return False
    if {"on", "off"} <= actions:   # "turn X off" also contains "on"? prefer the later word
        return None
    return None
