"""What a resource's or profile's description says (pure): values named by number ("0 = fan off,
3 = high", "3 = pier A") and which function the profile names first (its main one)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lexicon
from .numbers import profile_unit_family

if TYPE_CHECKING:
    from .catalog import Resource

_LABEL_SEGMENT = re.compile(r"[,;:]")
_LABEL_VERBS = {"open", "close", "lower", "raise", "stop", "unlock", "lock", "run"}
_LABEL_NUMBER = re.compile(r"(?<![+\-\w])(-?\d+(?:\.\d+)?)\s*(?:k\b|%|°)?")


def _labels(description: str) -> tuple[tuple[frozenset[str], float], ...]:
    """'0 = fan off, 1 = low, 3 = high' → ((frozenset({'fan','off'}), 0), ...)."""
    labels = []
    for segment in _LABEL_SEGMENT.split(description or ""):
        numbers = list(_LABEL_NUMBER.finditer(segment))
        if len(numbers) != 1 or "+-" in segment or "±" in segment:
            continue
        rest = segment.replace(numbers[0].group(0), " ")
        # "3 = pier A": a capital letter after a word is a name's letter, not the article
        letters = {m.lower() for m in re.findall(r"(?<=[a-z] )[A-Z](?![A-Za-z])", rest)}
        words = re.findall(r"[a-z]+", rest.lower())
        keys = set()
        for word in words:
            if word not in {"is", "k", "the", "a", "an", "to", "of", "and"} or word in letters:
                keys.add({"halfway": "half"}.get(word, lexicon.stem(word)))
                if word.endswith("ed") and len(word) > 4:
                    keys.update({word[:-2], word[:-1]})   # "retracted": retract; "muted": mute
                keys.update(k for k in lexicon.canon(word) if k in _LABEL_VERBS)
        if keys:
            labels.append((frozenset(keys), float(numbers[0].group(1))))
    return tuple(labels)


# The whites by their names (the command-set convention) for a kelvin setting whose description
# names none; the range check still refuses a white the fixture cannot make
_WHITES = ((frozenset({"warm", "white"}), 2700.0), (frozenset({"neutral", "white"}), 4000.0),
           (frozenset({"cool", "white"}), 6500.0), (frozenset({"daylight"}), 6500.0))


def _with_white_names(labels: tuple, units: str | None) -> tuple:
    if (profile_unit_family(units or "") or ("",))[0] != "kelvin" or any(
            "white" in words or "daylight" in words for words, _ in labels):
        return labels
    return labels + _WHITES


def described_labels(description: str, units: str | None) -> tuple:
    return _with_white_names(_labels(description), units)


def function_rank(description: str, resources: dict[str, Resource]) -> dict[str, int]:
    said = [k for w in re.findall(r"[a-z]+", description.lower()) for k in lexicon.canon(w)]
    first = {}
    for name, res in resources.items():
        spots = [said.index(t) for t in res.tokens - {"enabled", "active", "state", "on"}
                 if t in said]
        first[name] = min(spots, default=len(said))
    return {name: rank for rank, name in enumerate(sorted(first, key=first.get))}
