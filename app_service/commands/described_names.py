"""Other names a resource's description gives it: 'Douser (shutter) in front of the lens' for
ShutterOpen, 'Master fader, i.e. the auditorium volume' for Fader, 'Agitator (stirrer) motor'.

Only the description's opening phrase counts, and only when one side of the pair already says
the resource's own name, so a parenthetical about something else ('(raw code, mapped to a label
on read)') names nothing."""
from __future__ import annotations

import re

from . import lexicon

# the pair must end the noun phrase ("Measured zone (return air) temperature" is one phrase)
_PAIR = re.compile(r"^\s*([A-Za-z]+(?:[ -][A-Za-z]+){0,3})\s*\(([A-Za-z]+(?:[ -][A-Za-z]+){0,2})\)"
                   r"(?=\s*(?:$|[:,;.]|(?:in|as|on|of|for|with|is|at|used|from|to)\b))")
_THAT_IS = re.compile(r"^\s*([A-Za-z]+(?:[ -][A-Za-z]+){0,3})\s*,?\s+(?:i\.e\.|that is|also called"
                      r"|a\.k\.a\.)\s*,?\s+(?:the\s+)?([A-Za-z]+(?:[ '-][A-Za-z]+){0,3})"
                      r"\s*(?:[,;.(]|$)")
_NOT_NAMES = {"true", "false", "on", "off", "yes", "no"}


def _head(phrase: str) -> str | None:
    words = re.findall(r"[a-z]+", phrase.lower())
    return words[-1] if words else None


def _keys(phrase: str) -> set[str]:
    return {k for w in re.findall(r"[a-z]+", phrase.lower()) for k in lexicon.canon(w)}


def description_names(description: str, tokens: frozenset[str] | set[str]) -> set[str]:
    """Canonical words for the other side of an opening 'X (Y)' or 'X, i.e. the Y' pair."""
    names: set[str] = set()
    for pattern in (_PAIR, _THAT_IS):
        match = pattern.match(description or "")
        if not match:
            continue
        first, second = match.group(1), match.group(2)
        for said, other in ((first, second), (second, first)):
            # the side that says the name ends with it ("Master fader", "Douser (shutter)")
            said_head, head = _head(said), _head(other)
            if head and head not in _NOT_NAMES and said_head \
                    and set(lexicon.canon(said_head)) & set(tokens) \
                    and not _keys(other) & set(tokens):
                names.update(lexicon.canon(head))
    return names
