"""Which numbers in a clause are amounts, identifiers or counts (pure): "by 2 degrees" and
"two degrees warmer" are relative amounts, "pump 2" and "2号" identifiers, "2 conveyors" a count,
"pumps 1, 2 and 3" a list of devices, 5号压机 beside 1号压机 … 3号压机 a device the catalog lacks."""
from __future__ import annotations

import re

from . import lexicon
from .numbers import Quantity

CHANGE_VERB = re.compile(r"(?:please\s+)?(?:drop|raise|lower|increase|decrease|reduce|bump|boost"
                          r"|cut|knock|bring\s+(?:up|down))\b")
_BEFORE_AMOUNT = re.compile(r"(?:\bby|\b(?:another|further|extra)"
                            r"|\b(?:up|down|increase|decrease|raise|lower|reduce|bump|boost|drop)"
                            r"(?:\s+by)?|调高|调低|升高|降低|提高|加|减|高|低|升|降"
                            # 开大/调小/减少/增加 … 15: a change by that much, not a value
                            r"|[开调放加关减]大|[开调放关减]小|增加|减少|提升|下调|上调"
                            # 往上开/向下调 … 20%: a move that way by that much
                            r"|[往向][上下][开关升降调拉放移]?)\s*$")
_AFTER_AMOUNT = re.compile(r"^\s*(?:\w+\s+)?(?:warmer|cooler|hotter|colder|brighter|dimmer"
                           r"|faster|slower"
                           r"|higher|lower|more|less|up|down)\b")


NO_UNIT = (r"(?!\.\d)(?!\s*(?:%|°|[a-z]+/|degrees?\b|hz\b|hertz\b|bar\b|psi\b|kpa\b|percent\b"
            r"|k\b|amps?\b|v\b|m\b|rpm\b))")
_ID_LIST = re.compile(rf"\b([a-z]+s)\s+(\d+)((?:\s*(?:,|\band\b|&)\s*\d+\b{NO_UNIT})+)")


def _kind_only(suffix: str) -> bool:
    """泵, 锅炉: the rest of an alias after its number is only a kind of device (not 教室的灯,
    where the number is a room's)."""
    return suffix in lexicon.ZH_WORDS and all(k in lexicon.DEVICE_KINDS
                                              for k in lexicon.canon(suffix))


def unknown_numbered_alias(body: str, zh_words: dict[str, list[str]]) -> set[str]:
    """5号压机 where the aliases are 1号压机 … 3号压机: a numbered device the catalog lacks."""
    known = {w for w, keys in zh_words.items() if keys[0].startswith("alias:")}
    # (101泵, 102泵: the number written without 号 is the id too)
    suffixes = {(m.group(1), m.group(2)) for w in known
                for m in [re.fullmatch(r"\d+(号?)([\u4e00-\u9fff].*)", w)]
                if m and (m.group(1) or _kind_only(m.group(2)))}
    return {m.group(0) for mark, suffix in suffixes
            for m in re.finditer(rf"(?<![\d.]){'' if mark else '(?<![到至成为])'}\d+{mark}"
                                 rf"{re.escape(suffix)}", body)
            if m.group(0) not in known}


_LISTED_ID = r"(?:[a-z]?\d+|[a-z])"


def listed_numbered_aliases(body: str, zh_words: dict[str, list[str]]
                            ) -> tuple[set[str], set[str], set[str]]:
    """1号和2号发酵罐, 1、2号泵, A1和A2岸电桩: ids listed before one numbered alias name each its
    own device (the devices found, the spellings no device has — 1号和9号发酵罐 refuses — and the
    numbers)."""
    devices: set[str] = set()
    unknown: set[str] = set()
    numbers: set[str] = set()
    if not re.search(r"[和与跟及、,，]", body):
        return devices, unknown, numbers
    aliases = {w: keys[0][6:] for w, keys in zh_words.items() if keys[0].startswith("alias:")}
    shapes = {(m.group(2), m.group(3)) for w in aliases
              for m in [re.fullmatch(r"([a-z]?)\d+(号?)([\u4e00-\u9fff].*)", w)] if m
              and (m.group(1) or m.group(2))}
    for mark, suffix in shapes:
        for m in re.finditer(rf"((?:(?<![a-z\d.]){_LISTED_ID}{mark}?\s*[和与跟及、,，]\s*)+)"
                             rf"{_LISTED_ID}{mark}{re.escape(suffix)}", body):
            for listed in re.findall(_LISTED_ID, m.group(1)):
                numbers.add(re.sub(r"[a-z]", "", listed) or listed)
                spelling = f"{listed}{mark}{suffix}"
                if spelling in aliases:
                    devices.add(aliases[spelling])
                else:
                    unknown.add(spelling)
    for spelling in aliases:
        # A码头和B码头的灯: each id comes with the same middle word, the rest of the alias once
        shape = re.fullmatch(r"([a-z]|\d+号?)([\u4e00-\u9fff]+)", spelling)
        for cut in range(1, len(shape.group(2)) if shape else 0):
            middle, tail = shape.group(2)[:cut], shape.group(2)[cut:]
            if middle not in body:
                continue
            for m in re.finditer(rf"(?<![a-z\d.])({_LISTED_ID}号?){re.escape(middle)}\s*[和与跟及、,，]\s*"
                                 rf"{re.escape(shape.group(1))}{re.escape(middle)}的?{re.escape(tail)}",
                                 body):
                other = f"{m.group(1)}{middle}{tail}"
                if other in aliases:
                    devices.update({aliases[other], aliases[spelling]})
                else:
                    unknown.add(other)
    return devices, unknown, numbers


def word_and_number(token: str, device_vocab: set[str]) -> str | None:
    """The number of a device word written together with it ("fv2" → "2" where fv1…fv4 are
    devices); an id no device has ("fv9") then matches none and is refused."""
    m = re.fullmatch(r"([a-z]+)(\d+)", token)
    if m and (m.group(1) in device_vocab or lexicon.canon(m.group(1))[0] in device_vocab):
        return str(int(m.group(2)))
    return None


def plural_device_word(token: str, device_vocab: set[str]) -> list[str] | None:
    """'AHUs', 'FVs': the plural of a catalog device word the generic stemmer leaves alone."""
    if token.endswith("s") and token[:-1] in device_vocab and token not in device_vocab:
        return [token[:-1]]
    return None


def said_counts(body: str, device_vocab: set[str], zh_table: dict[str, list[str]]
                ) -> list[tuple[int, frozenset[str]]]:
    """'all 4 fermenters', 'both pumps', 4个发酵罐: how many devices of a kind were said (with the
    kind's words), so that a count the catalog disagrees with is never acted on."""
    counts = []
    for m in re.finditer(r"\b(?:(both)|(?<![\d.])(\d+)(?!\.\d))\s+(?:[a-z]+\s+)?([a-z]+s)\b", body):
        keys = plural_device_word(m.group(3), device_vocab) or lexicon.canon(m.group(3))
        if keys[0] in device_vocab:
            counts.append((2 if m.group(1) else int(m.group(2)), frozenset(keys)))
    for m in re.finditer(r"(?<![\d.])(\d+)\s*[个台条盏扇把只块部套面]([\u4e00-\u9fff]+)", body):
        spans = lexicon.zh_segments(m.group(2), zh_table)
        if spans and spans[0][0] == 0 and not spans[0][2][0].startswith(("alias:", "place:")):
            counts.append((int(m.group(1)), frozenset(spans[0][2])))
    return counts


_RANGE_NAMED = re.compile(r"\b([a-z]+)([\s-]?)(\d+)\s*(?:to|through|thru|-|–|~)\s*\1\2(\d+)\b")
_RANGE_PLURAL = re.compile(rf"\b([a-z]+s)\s+(\d+)\s*(?:to|through|thru|-|–|~)\s*(\d+)\b{NO_UNIT}")
_RANGE_ZH = re.compile(r"(?<![\d.])(\d+)\s*号?\s*(?:到|至|~|-|–)\s*(\d+)\s*号")


def _span(first: str, last: str) -> list[int] | None:
    a, b = int(first), int(last)
    return list(range(a, b + 1)) if 0 < b - a <= 20 else None


def expand_id_ranges(text: str) -> str:
    """"fv1 to fv3", "pumps 1 through 3", 1号到3号: every device of the range, never only its
    two ends ("fv1 to fv3" had set fv1 and fv3)."""
    def named(m: re.Match) -> str:
        span = _span(m.group(3), m.group(4))
        return m.group(0) if span is None else " & ".join(
            f"{m.group(1)}{m.group(2)}{n}" for n in span)

    def plural(m: re.Match) -> str:
        span = _span(m.group(2), m.group(3))
        return m.group(0) if span is None else f"{m.group(1)} " + " & ".join(map(str, span))

    def chinese(m: re.Match) -> str:
        span = _span(m.group(1), m.group(2))
        return m.group(0) if span is None else "、".join(f"{n}号" for n in span)

    return _RANGE_ZH.sub(chinese, _RANGE_PLURAL.sub(plural, _RANGE_NAMED.sub(named, text)))


def join_id_lists(text: str) -> str:
    """"stop pumps 1, 2 and 3" stays one clause: "pumps 1 & 2 & 3"; ranges are listed first."""
    return _ID_LIST.sub(lambda m: f"{m.group(1)} {m.group(2)} & "
                        + " & ".join(re.findall(r"\d+", m.group(3))), expand_id_ranges(text))


def is_relative_amount(q: Quantity, body: str) -> bool:
    """'by 2 degrees', 'up 0.5 degree', 'two degrees warmer', '调高2度' (not 'up to 2')."""
    return bool(_BEFORE_AMOUNT.search(body[:q.start])) or bool(_AFTER_AMOUNT.match(body[q.end:]))


def is_count(q: Quantity, body: str, device_vocab: set[str]) -> bool:
    """'2 conveyors', '2条传送带': a count of devices, not a value."""
    if q.unit is not None:
        return False
    after = body[q.end:q.end + 20]
    if re.match(r"\s*[条个台盏扇把只块部套面]", after):
        return True
    word = re.match(r"\s*([a-z]+)", after)
    return bool(word) and word.group(1).endswith("s") \
        and (plural_device_word(word.group(1), device_vocab)
             or lexicon.canon(word.group(1)))[0] in device_vocab


# 切到五号预置位: a numbered preset, position, channel or input right after a verb that sets
# something is the value, not a device's number (调到2号泵 and a bare 调到2号 stay device numbers)
_SET_TO_NUMBER = re.compile(r"(?:切到|切换到|调到|转到|换到|设为|设成|设到|改到|改成)\s*第?\s*(\d+)\s*号"
                            r"(?=预置|预设|位|频道|通道|输入|场景|画面)")


def value_numbers(body: str) -> set[str]:
    return set(_SET_TO_NUMBER.findall(body))


def is_identifier(q: Quantity, body: str, ids: set[str]) -> bool:
    if q.unit is not None:
        return False
    if _SET_TO_NUMBER.search(body[max(0, q.start - 6):q.end + 2]):
        return False
    literal = body[q.start:q.end].strip()
    if literal not in ids:
        return False
    after = body[q.end:q.end + 2]
    if re.match(r"[和与跟及、,，]\s*(?:\d+号|\s)", body[q.end:]):
        return True   # 1、3号泵: the first of listed numbers (an alias said after it is blanked)
    before = body[max(0, q.start - 12):q.start]
    after_word = bool(re.search(r"(?:[a-z]|&)\s*$", before))
    return "号" in after or after_word and not re.search(r"\b(?:to|at|by)\s*$", before)
