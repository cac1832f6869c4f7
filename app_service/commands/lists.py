"""Devices listed before the words their Chinese aliases share (pure): A1和A2岸电桩 names the
devices aliased A1岸电桩 and A2岸电桩, A码头和B码头的灯 those aliased A码头灯 and B码头灯. Only a
pair whose both spellings are aliases counts, so nothing is guessed."""
from __future__ import annotations

import re
from functools import lru_cache

_AND = r"[和与跟及、,，]"


def listed_shared_tail(body: str, zh_words: dict[str, list[str]]) -> set[str]:
    """The devices named by "X1和X2(的)T" where X1+T and X2+T are both aliases."""
    aliases = tuple(sorted((w, keys[0][6:]) for w, keys in zh_words.items()
                           if keys[0].startswith("alias:")))
    return {device for pattern, pair in _patterns(aliases) if pattern.search(body)
            for device in pair}


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
