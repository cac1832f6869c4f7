"""Verbs a profile gives meaning to (pure): a Bool's description says what writing true or false
does ("write true to start the program, false to abort", "writing false cancels (resets) the
call"), so "abort the cycle", "cancel the call", "reset every call" pick the value from the
profile, not from a word list of this building."""
from __future__ import annotations

import re
from functools import lru_cache

from .catalog import Entry, Resource
from .lexicon import stem

# everyday Chinese verbs → the English verb a description would use
ZH_VERBS = {"取消": "cancel", "撤销": "cancel", "复位": "reset", "重置": "reset", "中止": "abort",
            "终止": "abort", "放弃": "abort", "启动": "start", "开始": "start", "呼叫": "call",
            "暂停": "pause", "恢复": "resume", "继续": "resume", "静音": "silence", "消音": "silence",
            "触发": "trigger", "确认": "acknowledge", "清除": "clear", "播放": "play",
            "除霜": "defrost", "化霜": "defrost", "布防": "arm", "撤防": "disarm", "试车": "start",
            "试运行": "start", "手动": "manual", "结束": "end", "浇水": "water",
            "自动": "automatic", "抽": "pump"}
_FILLER = {"a", "an", "the", "to", "is", "it", "be", "will", "when", "while", "means", "of", "and",
           "or", "no", "not", "writing", "write", "written", "set", "value", "from", "by", "this",
           "that", "its", "reads", "read", "with", "for", "in", "on", "off", "turn", "switch",
           "put", "make", "get", "keep", "go"}


def word_forms(word: str) -> set[str]:
    """'cancels' → {cancels, cancel}; 'silenced' → {silenced, silence, silenc}."""
    word = word.lower()
    forms = {word, stem(word)}
    if word.endswith("ed"):
        forms.update({word[:-1], word[:-2]})
        if len(word) > 4 and word[-3] == word[-4]:
            forms.add(word[:-3])   # stopped → stop
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("ing"):
        forms.update({word[:-3], word[:-3] + "e"})
    return {f for f in forms if len(f) > 2}


@lru_cache(maxsize=1024)
def described_verbs(description: str) -> dict[str, bool]:
    """Words said only on the true side or only on the false side of a Bool's description."""
    sides: dict[bool, set[str]] = {True: set(), False: set()}
    side = None
    for token in re.findall(r"[a-z]+|[.;]", description.lower()):
        if token in ("true", "false"):
            side = token == "true"
        elif token in ".;":
            side = None
        elif side is not None and token not in _FILLER:
            sides[side].update(word_forms(token))
    return {**{w: True for w in sides[True] - sides[False]},
            **{w: False for w in sides[False] - sides[True]}}


def clause_verbs(text: str) -> set[str]:
    """The verb that starts an English request, or the everyday Chinese verbs said."""
    verbs: set[str] = set()
    for part in re.split(r"[,;:]|\band\b|\bthen\b", text.lower()):
        # "I'm on site now and disarm the panel": each part's first word may be the verb
        first = re.match(r"\s*(?:(?:please|now|then|just|also|and)\s+)*([a-z]+)", part)
        if first:
            verbs |= word_forms(first.group(1))
    for after in re.findall(r"\b(?:to|into|on)\s+([a-z]+)(?:\s+(?:control|mode|operation))?\s*$",
                            text.lower().strip(" .!?")) + re.findall(
            r"\b(?:to|into)\s+([a-z]+)\s+(?:control|mode|operation)\b", text.lower()):
        verbs |= word_forms(after)   # "switch the fans to manual control": the side said
    verbs.update(english for zh, english in ZH_VERBS.items() if zh in text)
    return verbs


def described_switch(entry: Entry, text: str, actions: set[str],
                     nouns: frozenset[str]) -> tuple[Resource, bool] | None:
    """The one writable Bool whose description gives the request's verb a value. ``nouns``
    (the catalog's device and resource words) never act as verbs ("kitchen light off"), and a
    value must agree with an on/off said as well."""
    # a noun of this device never acts as a verb for it; another device's noun may ("arm the
    # panel" beside a barrier arm) when this device's description gives it a side
    own = set(entry.words) | {t for r in entry.resources.values() for t in r.tokens}
    verbs = clause_verbs(text) - (nouns & own)
    said = {f for w in re.findall(r"[a-z]+", text.lower()) for f in word_forms(w)}
    found = {(res.name, truth) for res in entry.writable() if res.is_bool
             and (not is_trigger(res) or _object_said(res, said))
             for word, truth in described_verbs(res.description).items() if word in verbs}
    if len(found) == 2 and len({n for n, _ in found}) == 1:
        # 试车结束 "the test run, end it": in Chinese the verb said last is the one meant
        said = [(text.rfind(zh), english) for zh, english in ZH_VERBS.items() if zh in text]
        last = max(said, default=(-1, ""))[1]
        found = {(n, t) for n, t in found
                 if last and last in {w for w, side in described_verbs(
                     entry.resources[n].description).items() if side == t}}
    if len(found) != 1:
        return None
    name, truth = found.pop()
    if ("on" in actions and not truth) or ("off" in actions and truth):
        return None
    return entry.resources[name], truth


def is_trigger(res: Resource) -> bool:
    """"Write true to start one manual defrost cycle": a write-only trigger, with no meaning for
    false, is no switch of the device ("turn off the walk-in" must not write it)."""
    text = res.description.lower()
    return bool(res.is_bool and re.search(r"\bwrite\s+true\b|\btrigger\b", text)
                and not re.search(r"\bfalse\b", text))


def _object_said(res: Resource, said: set[str]) -> bool:
    """A word of the trigger's name or of what its description starts is said ("defrost")."""
    words = set(res.tokens) | {f for w in re.findall(r"[a-z]+", res.description.lower())
                               if w not in _FILLER and len(w) > 3 for f in word_forms(w)}
    return bool(words - {"start", "starts", "trigger", "write", "manual", "true", "once",
                         "one", "cycle"} & said)


def describes(res: Resource, words: set[str]) -> bool:
    """The description gives one of these verbs a meaning (so "reset" is a capability it has)."""
    return bool(res.is_bool and set(described_verbs(res.description))
                & {f for w in words for f in word_forms(w)})


def said_trigger(entry: Entry, text: str, actions: set[str]) -> Resource | None:
    """"give a blast on the fog horn": the one write-only trigger whose description's object
    (not the device's own name) is said, with nothing switched off."""
    if actions & {"off", "close", "lock", "unlock"}:
        return None
    own = set(entry.words)
    said = {f for w in re.findall(r"[a-z]+", text.lower()) for f in word_forms(w)} - own
    found = [r for r in entry.writable() if is_trigger(r) and not r.read_command
             and _object_said(r, said - set(r.tokens))]
    only = entry.writable()
    if not found and len(only) == 1 and is_trigger(only[0]) and not only[0].read_command \
            and _ONCE.search(text):
        found = only   # 拉一下雾笛: its one trigger, done once
    return found[0] if len(found) == 1 else None


# a thing done once to a device whose only setting is a trigger ("give the horn a pull")
_ONCE = re.compile(r"[拉按鸣响吹敲打]\s*一?\s*下|\b(?:pull|press|blow|hit|give)\b")
