"""What a device cannot do (pure): a capability word said (colour, media, mute, volume, energy),
a mode, a thing to play or a kind of program the profile lacks is refused before any setting is
chosen ("play jazz", "eco mode", "run a flash cycle")."""
from __future__ import annotations

import re

from .catalog import Entry
from .decisions import _NAMED_SYNONYMS, Refusal
from .grounding import Clause
from .lexicon import stem
from .motion import check_motion
from .verbs import describes

# resource words that give a device a capability word's concept ("pause the music": Playback)
_CAPABILITY_TOKENS = {"media": {"play", "playback", "playing", "source", "track", "music", "song",
                                "playlist", "radio"},
                      "mute": {"mute", "silence"}, "volume": {"volume", "loudness"}}


_PLAYABLE = {"music", "something", "it", "them", "again", "on", "in", "at", "from", "please"}
_COMMON_MODIFIERS = {"the", "a", "an", "its", "this", "that", "what", "which", "new", "next",
                     "current", "another", "same", "whole", "full", "last", "running", "my",
                     "our", "your", "each", "every", "one", "first", "second", "drying"}


# words a number may follow without naming a thing of its own ("to level 3", "to stage 2")
_NUMBERED_GENERIC = {"level", "stage", "step", "setting", "position", "number", "speed", "gear",
                     "notch", "power", "minus", "plus", "about", "around", "roughly", "exactly",
                     "just", "only", "maybe", "approximately", "and", "or", "by", "to", "at",
                     "of", "from", "the", "a", "max", "min", "maximum", "minimum", "full",
                     # a count of devices ("on all 3 projectors", "on both 2 …")
                     "all", "both", "each", "every", "these", "those"}


def _named_number(entry: Entry, clause: Clause) -> str | None:
    """'switch the tv to hdmi 2' on a TV with no inputs: the number belongs to "hdmi", a thing
    this device lacks, never to its volume."""
    resources = entry.resources.values()
    own = set(entry.words) | {t for r in resources for t in r.tokens}
    own |= {w for r in resources for v in r.allowed for w in re.findall(r"[a-z]+", v.lower())}
    own |= {w for r in resources for words, _ in r.labels for w in words}
    own |= {w for p in clause.places for w in p.split()}
    for m in re.finditer(r"\b(?:to|on|onto|into)\s+([a-z]+)\s*-?\s*(\d+)\b(?!\s*(?:%|°|\.\d))",
                         clause.text.lower()):
        word = m.group(1)
        if word + m.group(2) in entry.ids:
            continue   # "kill the power on D2": the device's own letters-and-digits id
        if word not in own and stem(word) not in own and word not in _NUMBERED_GENERIC:
            return word
    return None


def check_capabilities(entry: Entry, clause: Clause) -> None:
    check_motion(entry, clause)
    thing = _named_number(entry, clause) if not clause.question else None
    if thing is not None:
        raise Refusal("unsupported", f"{entry.name} has no {thing}")
    for concept, said in clause.capability_words.items():
        said_stems = said | {stem(w) for w in said}
        have = any(concept in r.tokens or any(t.startswith(concept) for t in r.tokens)
                   or concept in " ".join(r.allowed).lower()
                   or r.tokens & said_stems or {a.lower() for a in r.allowed} & said_stems
                   or (concept == "colour" and "color" in r.tokens and r.units.upper() != "K")
                   or describes(r, said)
                   or any(concept in words or words & said_stems for words, _ in r.labels)
                   for r in entry.resources.values())
        kin = _CAPABILITY_TOKENS.get(concept, set())
        have = have or any(r.tokens & kin for r in entry.resources.values())
        if not have and not entry.words & (said_stems | {concept} | kin):   # "the music player"
            raise Refusal("unsupported", f"{entry.name} has no {concept} control")
    if "mode" in clause.words and not clause.question:
        modes = [r for r in entry.writable() if r.allowed]
        said = {_NAMED_SYNONYMS.get(w, w) for w in clause.raw_words | clause.words}
        before = re.search(r"([a-z]+)\s+mode\b", clause.text)
        if before and modes and before.group(1) not in {"the", "its", "a", "that", "this", "what"}:
            said = {_NAMED_SYNONYMS.get(before.group(1), before.group(1)), before.group(1)}
        if modes and not any(v.lower() in said for r in modes for v in r.allowed):
            raise Refusal("unsupported", f"{entry.name} supports only the modes "
                          + ", ".join(v for r in modes for v in r.allowed))
    played = re.search(r"\bplay(?:ing)?\s+(?:some\s+|the\s+|a\s+|my\s+)?([a-z]+)", clause.text)
    if played and not clause.question:
        # "play jazz": a genre, track or artist is nothing a source or playback switch can pick
        said = {played.group(1), stem(played.group(1))}
        known = entry.words | {v.lower() for r in entry.resources.values() for v in r.allowed} \
            | {t for r in entry.resources.values() for t in r.tokens} | _PLAYABLE
        if not said & known:
            raise Refusal("unsupported", f"{entry.name} cannot play {played.group(1)}")
    named_kind = re.search(r"([a-z]+)\s+(?:program|programme|cycle|setting|preset)s?\b",
                           clause.text)
    programs = [r for r in entry.writable() if r.allowed and r.is_string]
    if named_kind and programs and not clause.question:
        # "run a flash cycle" where the programs are instruments/wrapped/…: not one of them
        word = named_kind.group(1)
        known = {v.lower() for r in programs for v in r.allowed} | entry.words | {
            t for r in entry.resources.values() for t in r.tokens} | _COMMON_MODIFIERS
        if not {word, stem(word), _NAMED_SYNONYMS.get(word, word)} & known:
            raise Refusal("unsupported", f"{entry.name} has no {word} "
                          + named_kind.group(0).split()[-1])
