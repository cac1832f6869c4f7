"""Questions (pure): which readable resource a question asks about and the read command that
answers it (a state word or a value said names the state; measurements before set points)."""
from __future__ import annotations

import re

from . import screening
from .catalog import Entry
from .decisions import Action, Candidate
from .grounding import Clause
from .lexicon import canon, split_name

_STATE_WORDS = {"lock", "unlock", "run", "open", "close", "active"}
# "is the chandlery open?": the thing asked about, when only a state word matched a device
_STATE_SUBJECT = re.compile(
    r"^\W*(?:is|are|was|were|does|do|will|has)\s+(?:the|my|our|that|this|your)\s+"
    r"((?:[a-z]+\s+){0,2}?[a-z]+)\s+(?:still\s+|already\s+|yet\s+|now\s+)?"
    r"(?:open|opened|opens|closed|close|closes|shut|locked|unlocked|running|active)\b")


def _subject_is_other(entry: Entry, clause: Clause) -> bool:
    """The question's subject is a word this device is not called by and no place was named:
    a business or a room the catalog lacks, whose "open" is no reading of this device."""
    said = _STATE_SUBJECT.match(clause.text)
    if said is None or clause.places:
        return False
    known = entry.words | {t for r in entry.resources.values() for t in r.tokens}
    return not set(said.group(1).split()) & known


def _other_level(entry: Entry, clause: Clause) -> bool:
    """'the oxygen level' asked of a light: a level of something this device is not or has not
    (its DimLevel is no answer); 'the tower level' of the tower's device still is."""
    own = entry.words | {t for r in entry.resources.values() for t in r.tokens}
    said = {w for m in re.finditer(r"\b([a-z0-9]+)\s+(?:level|rate)s?\b", clause.text.lower())
            for w in canon(m.group(1))}
    return bool(said - own - _NOT_QUALITIES)


_NOT_QUALITIES = {"the", "a", "an", "its", "this", "that", "what", "current", "present", "actual",
                  "my", "our", "your", "high", "low"}


def read_candidate(entry: Entry, clause: Clause, scores: dict[str, float],
                   scope: str) -> Candidate | None:
    """The read that answers the question about this device; None when no reading does."""
    # "how warm is it" asks for the measurement; "what is it set to" for the set point
    asks_setting = bool({"target", "set", "setting"} & (clause.words | clause.raw_words))
    strength = max((scores[r.name] for r in entry.readable()), default=0)
    measured = {n for n, r in entry.resources.items() if not r.set_command}
    if strength <= 0 and scope != "named" and _subject_is_other(entry, clause):
        return None
    if strength <= 0:
        # "is the entrance locked?", "is the pump running?": a state word names the state
        # … and so do its values ("playing from radio or the playlist?": the Source)
        states = (clause.words | ({"close"} if "shut" in clause.raw_words else set())) \
            & _STATE_WORDS
        for pair in ({"open", "close"}, {"lock", "unlock"}):
            states |= pair if states & pair else set()   # "is it shut?" reads GateOpen
        said = clause.raw_words | clause.words
        # "how full is auditorium 1": a degree asked, not the masking's value "full"
        said = said - set(re.findall(r"\bhow\s+([a-z]+)", clause.text.lower()))
        level = not _other_level(entry, clause)
        scores = {n: (1.0 if states & r.tokens or said & {v.lower() for v in r.allowed}
                      else 0.5 if level and said & r.tokens & {"level", "rate"}   # "the tower level"
                      else scores[n]) for n, r in entry.resources.items()}
        strength = max((scores[r.name] for r in entry.readable()), default=0)
    if strength <= 0 and not screening.asks_no_reading(clause.text):
        named = _named_read_command(entry, clause, scope)
        if named is not None:
            return named
    scores = {n: s + (0.6 if s > 0 and n in measured and not asks_setting else 0)
              for n, s in scores.items()}
    if screening.asks_no_reading(clause.text) and not (
            screening.no_reading_words(clause.text)
            & {t for r in entry.readable() if not r.set_command for t in r.tokens}):
        # who/why/where: no reading answers it, unless a reading is called that ("the price"
        # where the console shows PricePerLitre)
        return None
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
    return Candidate(entry, [Action(entry.name, command, "get")], 1 + strength, focus)


_GENERIC_READS = {"status", "reading", "data", "state", "info", "value", "measurement", "telemetry"}


def _named_read_command(entry: Entry, clause: Clause, scope: str) -> Candidate | None:
    """'the gas readings in the resurfacer bay', 'the washer status': the words of a read
    command's own name (GasReadings); a generic one alone (readings, status) only where a device
    or place was said."""
    said = clause.raw_words | clause.words
    best = None
    for name, resources in entry.read_commands:
        hit = {k for t in split_name(name) for k in canon(t)} & said
        if hit and (hit - _GENERIC_READS or scope != "global") and (
                best is None or len(hit) > best[0]):
            best = (len(hit), name)
    if best is None:
        return None
    return Candidate(entry, [Action(entry.name, best[1], "get")], 1 + 0.5 * best[0], [])
