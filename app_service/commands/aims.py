"""A place said as where to point something (pure): "point the gate camera at pier B",
大门摄像头转到加油码头. When the words after the aiming preposition are the words of a value a
setting's description names ("4 = pier B"), they are that value, not where the device is."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from . import lexicon

if TYPE_CHECKING:
    from .catalog import Catalog
    from .grounding import Clause

_EN_AIM = re.compile(r"\b(?:at|to|towards?|onto)\s+(?:the\s+)?([a-z]+(?:\s+[a-z]+){0,2})"
                     r"\s*[?.!]*\s*$")
_ZH_AIM = re.compile(r"(?:转到|转向|对准|对着|切到|看向|看着|拍)(?:的)?([\u4e00-\u9fffA-Za-z0-9]{2,})"
                     r"[。！!？?]*$")


def aimed_words(text: str, catalog: Catalog, place_words
                ) -> tuple[str, set[str], set[str]] | None:
    """(the text without the aim, the aim's words, the devices that have such a value) when the
    aim names a described value of some writable setting; ``place_words(aim_text)`` gives the
    English words of the places and words a Chinese aim names."""
    match = _EN_AIM.search(text) or _ZH_AIM.search(text)
    if match is None:
        return None
    aim = match.group(1)
    words = set(place_words(aim)) if not aim.isascii() else {
        k for w in aim.split() for k in (w, *lexicon.canon(w))}
    if not words & {w for p in catalog.places for w in p.split() if len(w) > 1}:
        return None   # "set the fan to high": a value, which the usual reading already finds
    holders = {e.name for e in catalog.entries.values() for r in e.writable()
               if len(r.labels) > 2 and any(label and label <= words for label, _ in r.labels)}
    if not holders:
        return None
    return text[:match.start()] + text[match.end():], words, holders


def aimed_clause(text: str, catalog: Catalog, analyse: Callable[[str, Catalog], Clause]
                 ) -> Clause | None:
    """The clause without its aim, the aim's words added as said, when the rest names a device
    with such a value and switches nothing (a switch or a question keeps the place where the
    device is: "stop recording on the camera at the gate")."""
    def place_words(aim: str) -> set[str]:
        part = analyse(aim, catalog)   # 加油码头: fuel, dock
        return {w for p in part.places for w in p.split()} | part.words | part.raw_words

    aimed = aimed_words(text, catalog, place_words)
    if aimed is None:
        return None
    rest, words, holders = aimed
    clause = analyse(rest, catalog)
    named = clause.aliases & holders or any(catalog.entries[n].words & clause.words
                                            for n in holders)
    if not named or clause.actions or clause.question:
        return None
    clause.text = text
    clause.raw_words |= words
    return clause
