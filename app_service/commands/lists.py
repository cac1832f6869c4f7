"""What Chinese aliases say beyond the device (pure): devices listed before the words their
aliases share (A1和A2岸电桩 names the devices aliased A1岸电桩 and A2岸电桩, only when both
spellings are aliases, so nothing is guessed), and the part of a device an alias names."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from . import lexicon

if TYPE_CHECKING:
    from .catalog import Catalog, Entry

_AND = r"[和与跟及、,，]"


def listed_shared_tail(body: str, catalog: Catalog, devices: set[str], ids: set[str]) -> None:
    """Adds to ``devices`` (and their ids to ``ids``) those named by "X1和X2(的)T" where X1+T and
    X2+T are both aliases."""
    aliases = tuple(sorted((w, keys[0][6:]) for w, keys in catalog.zh_words.items()
                           if keys[0].startswith("alias:")))
    for pattern, pair in _patterns(aliases):
        if pattern.search(body):
            devices.update(pair)
            ids.update(i for d in pair if d in catalog.entries for i in catalog.entries[d].ids)


@lru_cache(maxsize=32)
def _patterns(aliases: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern, tuple], ...]:
    found = []
    for i, (first, first_device) in enumerate(aliases):
        for second, second_device in aliases[i + 1:]:
            if first_device == second_device:
                continue
            shared = 0
            while shared < min(len(first), len(second)) - 1 and \
                    first[-1 - shared] == second[-1 - shared]:
                shared += 1
            for size in range(1, shared + 1):
                tail = first[-size:]
                if not re.search(r"[\u4e00-\u9fff]", tail):
                    continue
                heads = [first[:-size], second[:-size]]
                for a, b in (heads, heads[::-1]):
                    found.append((re.compile(rf"{re.escape(a)}的?\s*{_AND}\s*{re.escape(b)}的?"
                                             rf"{re.escape(tail)}"),
                                  (first_device, second_device)))
    return tuple(found)


def alias_parts(device: Entry, spelling: str) -> set[str]:
    """The parts an alias names (燃气总阀, an alias of a hood panel, says its gas valve); a part
    two settings' names or descriptions share names neither (加油泵 beside a dispenser pump and
    a pump-out pump)."""
    parts = {t for r in device.writable() for t in r.tokens}
    bool_parts = {t for r in device.writable() if r.is_bool for t in r.tokens}
    return {k for _, _, inner in lexicon.zh_segments(spelling) for k in inner if k in parts
            and sum(k in r.tokens | r.description_words for r in device.writable()
                    if r.is_bool == (k in bool_parts)) == 1}
