"""Grounded evidence for String readings: generic English/Chinese lexicons of clearly normal and
clearly abnormal status words, matched on word tokens (never on device names).

``lexicon_verdict(text)`` answers False (normal), True (anomalous) or None (no evidence).
An abnormal term wins over a normal one ("running, overload" is anomalous) unless it is negated
("no fault", "alarm cleared", "无故障"). Latin text is split into lowercase word tokens (camelCase,
snake_case, hyphens and punctuation separate words), so "LowBattery", "dry-run" and "DRY_RUN"
all match, while "co" or "on" never match inside another word. Chinese has no spaces: an abnormal
term counts anywhere in a run of Chinese characters; a run is normal only when it is made up
entirely of normal terms (so "未就绪", not ready, gives no evidence).
"""
from __future__ import annotations

import re

NORMAL_WORDS = frozenset("""
ok okay normal nominal good healthy fine ready running run idle on off open opened closed close
locked unlocked standby auto automatic manual heat heating cool cooling eco online connected
enabled active home away armed disarmed charging charged clear cleared operational operating
""".split())
ABNORMAL_WORDS = frozenset("""
fault faults faulted faulty error errors alarm alarms alarming failure failures failed fail
overload overloaded overloading overtemperature overtemp overheat overheated overheating
overcurrent overvoltage undervoltage overpressure underpressure cavitation cavitating leak leaks
leaking leakage jam jams jammed jamming tamper tampered tampering stall stalled blocked clogged
tripped trip emergency estop critical malfunction broken offline disconnected unreachable
smoke fire flood flooded abnormal warning alert nok
""".split())
ABNORMAL_PHRASES = (("dry", "run"), ("dry", "running"), ("low", "battery"), ("battery", "low"),
                    ("over", "temperature"), ("over", "temp"), ("over", "heat"),
                    ("over", "load"), ("over", "current"), ("over", "voltage"),
                    ("under", "voltage"), ("short", "circuit"), ("not", "ok"),
                    ("not", "normal"), ("e", "stop"), ("high", "temperature"))
NEGATORS = frozenset({"no", "not", "non", "without", "zero"})
CLEARERS = frozenset({"cleared", "reset", "resolved", "recovered", "ended", "acknowledged"})

NORMAL_ZH = ("正常", "运行", "运行中", "就绪", "待机", "空闲", "开", "关", "开启", "关闭", "打开",
             "已开", "已关", "锁定", "已锁", "上锁", "已上锁", "解锁", "已解锁", "自动", "手动",
             "制热", "制冷", "加热", "在线", "良好", "充电", "已充满", "节能")
# glue that may sit between normal terms ("运行中", "状态正常", "自动模式")
FILLER_ZH = ("中", "已", "状态", "模式", "的", "：", ":")
ABNORMAL_ZH = ("故障", "报警", "告警", "警报", "过载", "过热", "超温", "过温", "泄漏", "漏水",
               "漏气", "卡死", "卡住", "堵转", "堵塞", "失败", "错误", "异常", "不正常", "短路",
               "断路", "开路", "过流", "过压", "欠压", "低电量", "电量低", "离线", "空转", "干转", "气蚀",
               "防拆", "撬锁", "火警", "烟雾", "跳闸", "急停")
NEGATORS_ZH = ("无", "没有", "未", "非")
CLEARERS_ZH = ("解除", "已解除", "清除", "已清除", "复位", "已复位", "恢复", "已恢复")

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LATIN = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff\uff1a:]+")


def tokens(text: str) -> list[str]:
    return _LATIN.findall(_CAMEL.sub(" ", text).lower())


def _latin_verdict(words: list[str]) -> bool | None:
    abnormal, normal = False, False
    for i, word in enumerate(words):
        phrase = next((p for p in ABNORMAL_PHRASES if tuple(words[i:i + len(p)]) == p), None)
        if phrase is None and word not in ABNORMAL_WORDS:
            normal = normal or (word in NORMAL_WORDS and not _negated(words, i, 1))
            continue
        if phrase in (("not", "ok"), ("not", "normal")):
            abnormal = True
        elif _negated(words, i, len(phrase or (word,))):
            normal = True       # "no fault", "alarm cleared": good news
        else:
            abnormal = True
    if abnormal:
        return True
    return False if normal else None


def _negated(words: list[str], i: int, length: int) -> bool:
    """'no fault', 'no active alarms', 'fault cleared', 'not ready' (two words either side)."""
    return bool(NEGATORS & set(words[max(0, i - 2):i])
                or CLEARERS & set(words[i + length:i + length + 2]))


def _segments(run: str, words: tuple[str, ...]) -> bool:
    """Whether ``run`` is made up entirely of ``words`` (longest match first)."""
    if not run:
        return True
    return any(run.startswith(w) and _segments(run[len(w):], words)
               for w in sorted(words, key=len, reverse=True))


def _chinese_verdict(runs: list[str]) -> bool | None:
    abnormal = normal = False
    for run in runs:
        for term in ABNORMAL_ZH:
            start = run.find(term)
            while start >= 0:
                before, after = run[:start], run[start + len(term):]
                if before.endswith(NEGATORS_ZH) or after.startswith(CLEARERS_ZH):
                    normal = True   # "无故障", "报警已解除": good news
                else:
                    abnormal = True
                start = run.find(term, start + 1)
        if len(run) <= 16 and any(t in run for t in NORMAL_ZH) and _segments(
                run, NORMAL_ZH + FILLER_ZH):
            normal = True
    if abnormal:
        return True
    return False if normal else None


def lexicon_verdict(text: str) -> bool | None:
    """True: a clearly abnormal status word; False: only clearly normal ones; None: undecided."""
    text = str(text).strip()
    if not text:
        return None
    latin = _latin_verdict(tokens(text))
    chinese = _chinese_verdict(_CJK.findall(text))
    if latin or chinese:
        return True
    if latin is False or chinese is False:
        return False
    return None
