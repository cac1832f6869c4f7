"""What the description says each allowed value of a String setting means.

Integrators document an enumeration as ``Allowed values: flat, scope, full. flat = 1.85:1,
scope = 2.39:1, full = masking fully retracted``: the value is a code word, and people say what
it stands for ("set the masking to 2.39", "the sound to 5.1"). A decimal number that the gloss of
exactly one value holds names that value; whole numbers do not (they are ids, steps and ratios'
":1" as often as they are values).
"""
from __future__ import annotations

import re

from .catalog import Entry, Resource
from .decisions import Action, Candidate
from .grounding import Clause
from .lexicon import canon

_DECIMAL = re.compile(r"(?<![\d.])(\d+\.\d+)(?![\d.])")


def value_glosses(res: Resource) -> dict[str, str]:
    """``{"flat": "1.85:1", "scope": "2.39:1 (widest image)", ...}`` from the description."""
    if not res.allowed:
        return {}
    names = sorted((re.escape(v) for v in res.allowed), key=len, reverse=True)
    pattern = re.compile(rf"(?<![\w-])({'|'.join(names)})\s*=\s*", re.IGNORECASE)
    text = res.description or ""
    marks = list(pattern.finditer(text))
    glosses: dict[str, str] = {}
    for mark, following in zip(marks, marks[1:] + [None]):
        end = following.start() if following else len(text)
        glosses.setdefault(mark.group(1).lower(), text[mark.end():end].strip(" ,;."))
    return glosses


def decimal_names(res: Resource) -> dict[float, str]:
    """Decimal numbers that name exactly one allowed value through its gloss."""
    seen: dict[float, set[str]] = {}
    for value, gloss in value_glosses(res).items():
        for number in _DECIMAL.findall(gloss):
            seen.setdefault(float(number), set()).add(value)
    return {number: next(iter(values)) for number, values in seen.items() if len(values) == 1}


def numbered_value(entry: Entry, clause: Clause, scores: dict[str, float]) -> Candidate | None:
    """'change the sound to 5.1' on a processor whose SoundFormat says 'surround51 = 5.1
    surround': that value, unless the words name a numeric setting the number may go to."""
    if len(clause.quantities) != 1 or clause.quantities[0].unit is not None \
            or clause.relative_amount or clause.multiplier is not None:
        return None
    said = clause.quantities[0].value
    hits = [(res, value) for res in entry.writable() if res.is_string
            for number, value in decimal_names(res).items() if abs(number - said) < 1e-9]
    if len(hits) != 1:
        return None
    res, value = hits[0]
    if any(scores[r.name] > scores[res.name] for r in entry.writable() if r.is_numeric):
        return None   # "set the volume to 5.1": the fader the words name takes the number
    return Candidate(entry, [Action(entry.name, res.set_command, "set", {res.name: value})],
                     2 + scores[res.name])


_GLOSS_STOPWORDS = {"a", "an", "the", "and", "or", "of", "to", "in", "on", "off", "for", "with",
                    "by", "as", "at", "is", "be", "only", "no", "not", "all", "any", "when",
                    "while", "than", "from", "up", "down", "one", "two", "its", "it"}


def _gloss_keys(gloss: str) -> set[str]:
    keys = set()
    for word in re.findall(r"[a-z]+", gloss.lower()):
        if word in _GLOSS_STOPWORDS or len(word) < 3:
            continue
        keys.add(word)
        if word.endswith("ed") and len(word) > 4:
            keys.update({word[:-2], word[:-1]})   # "retracted": retract
    return keys


def glossed_value(entry: Entry, clause: Clause) -> Candidate | None:
    """'retract the masking fully' where the description says 'full = masking fully
    retracted': the one value whose gloss holds a word said that names neither the device nor
    the setting, nor any other value's gloss."""
    said = clause.raw_words | clause.words
    hits = []
    for res in entry.writable():
        if not res.is_string:
            continue
        glosses = {value: _gloss_keys(gloss) - res.tokens - entry.words
                   for value, gloss in value_glosses(res).items()}
        for value, keys in glosses.items():
            others = set().union(*(k for v, k in glosses.items() if v != value))
            if keys & said - others:
                hits.append((res, value))
    if len(hits) != 1:
        return None
    res, value = hits[0]
    return Candidate(entry, [Action(entry.name, res.set_command, "set", {res.name: value})], 1.0)


def gloss_words(entry: Entry) -> set[str]:
    """The words of the device's value glosses (for the Chinese bridge to say them)."""
    return {w for res in entry.writable() if res.is_string
            for gloss in value_glosses(res).values() for w in _gloss_keys(gloss)
            if w.isalpha() and w not in res.tokens}


_SIDE = re.compile(r"\b(true|false)\s*[=:]\s*([^,;.]*)")
_PLAIN_SIDES = {"true", "false", "on", "off", "yes", "no", "active", "inactive", "enabled",
                "disabled", "open", "closed", "running", "stopped"}


def side_words(res: Resource) -> dict[bool, set[str]]:
    """'true = projector on (light source lit), false = standby': {True: {...}, False: {standby}},
    less the plain on/off words the verbs already read."""
    sides: dict[bool, set[str]] = {}
    for side, text in _SIDE.findall((res.description or "").lower()):
        sides[side == "true"] = _gloss_keys(text) - _PLAIN_SIDES - res.tokens
    return sides


def side_value(entry: Entry, clause: Clause) -> Candidate | None:
    """'put projector 1 in standby', 一号厅放映机待机: the one Bool side whose description word
    was said (no verb said which way)."""
    if clause.actions & {"on", "off", "open", "close", "lock", "unlock"}:
        return None   # the verb said which way ("turn on the fans" is no "false = the fans hold")
    said = clause.raw_words | clause.words
    named = _named_words(entry)
    hits = [(res, truth) for res in entry.writable() if res.is_bool
            for truth, words in side_words(res).items()
            if {w for w in words if not set(canon(w)) & named} & said]
    if len(hits) != 1:
        return None
    res, truth = hits[0]
    value = "true" if truth else "false"
    return Candidate(entry, [Action(entry.name, res.set_command, "set", {res.name: value})], 1.0)


def side_gloss_words(entry: Entry) -> set[str]:
    """The words of the device's Bool sides (for the Chinese bridge: 待机 → standby)."""
    named = _named_words(entry)
    return {w for res in entry.writable() if res.is_bool
            for words in side_words(res).values() for w in words
            if w.isalpha() and not set(canon(w)) & named}


def _named_words(entry: Entry) -> set[str]:
    """Words that name the device or any of its settings ("true = program running": "program"
    is CipProgram's, never a side of CipRunning)."""
    return set(entry.words) | {t for r in entry.resources.values() for t in r.tokens}
