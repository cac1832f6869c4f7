"""Phrase tables (pure regular expressions, English and Chinese): action verbs, directions,
vagueness, complaints, multipliers, extremes, quantifiers, ordinals and exclusions. grounding.py
applies them to a clause."""
import re

EN_ACTIONS = [
    (r"\bturn(?:ed)?\s+(?:\w+\s+){0,4}?on\b|\bswitch(?:ed)?\s+(?:\w+\s+){0,4}?on\b"
     r"|\bpower\s+(?:up|on)\b"
     r"|\b(?:start|starts|started|run|enable|activate|resume|fire\s+up|boot)\b|\blights?\s+on\b"
     r"|\bget\s+(?:\w+\s+){0,4}?going\b"
     r"|\bon\b", "on"),
    (r"\bturn(?:ed)?\s+(?:\w+\s+){0,4}?off\b|\bswitch(?:ed)?\s+(?:\w+\s+){0,4}?off\b"
     r"|\bpower\s+(?:down|off)\b"
     r"|\bshut\s+(?:\w+\s+){0,3}?(?:down|off)\b|\b(?:stop|halt|kill|disable|deactivate|cut|pause"
     r"|suspend|abort|cancel|terminate|release|disengage)\b|\boff\b"
     # "put the fire out", "lights out": a particle of a verb, never "too dark out on the ice"
     r"|\b(?:put|turn|switch|blow|knock|lights?)\s+(?:\w+\s+){0,3}?out\b"
     r"|\b(?:take|get|bring|come|switch)\s+(?:\w+\s+){0,3}?out\s+of\b",
     "off"),
    (r"\bunlock|\bunbolt|\bunsecure", "unlock"),
    # "lock" as a verb (clause start, "lock up/all/both", "locked"), not the noun in "door lock"
    (r"^(?:please\s+)?(?:lock|secure|bolt)\b|\blocked\b|\block\s+(?:up|all|both|every|the|my|our)\b"
     r"|\b(?:and|then|also|to)\s+(?:lock|secure)\b", "lock"),
    (r"\bopen\b|\bopened\b|\braise\b|\bpull\s+up\b", "open"),
    (r"\bclose\b|\bshut\b|\bclosed\b|\bdraw\b|\blower\b|\bpull\s+down\b", "close"),
]
ZH_ACTIONS = [(r"解锁|开锁", "unlock"), (r"锁上|锁好|上锁|锁起来|把.*锁$", "lock"),
              (r"打开|拉开|开启|升起|[拉升收卷]上去|拉起|放出|伸出|展开|抬杆|抬起|升杆|升到顶|拉到顶|开大|开一点|再开", "open"),
              (r"落杆|降杆|降到底|放到底|关小|关一点|再关", "close"),
              (r"关上|拉上(?!去)|合上|关死|关严|全关", "close"),
              (r"拉开|升起|打开|开启|开一下|开着|^开|(?<![断切分])开了?[吧啊呀嘛哦]?[。！!]?$|启动|运行|开始"
               r"|开起来|通电|上电|恢复(?!默认|出厂|原)|开机", "on"),
              # 断开/切断 disconnect: the 开 in them is no "on"
              (r"断电|断开|切断|关掉|关闭|关了|关上|关|停止|停掉|停下|停|熄灭|结束", "off"),
              (r"拉上(?!去)|合上|放下|降下|关闭|关上|关掉|关了", "close"), (r"拉开|升起", "open")]
# 往上开 20% / 往下关一点: that way by an amount (alone, 往下拉 may mean all the way: not read)
_TOWARD = r"[往向]{}[开关升降调拉放移]?(?=\s*(?:\d|一点|一些|点儿|些))"
UP = re.compile(r"\b(?:up|increase|raise|higher|more|bump(?!\s+(?:\S+\s+){0,4}?down\b)|boost"
                r"|brighter|brighten|warmer|hotter|widen|wider|broaden"
                r"|faster"
                r"|quicker)\b|大声|调高|升高|提高|加大|增加|高一|亮一|快一|热一|暖一|开大|再亮|再快|大一|调亮|调快|调大"
                r"|调热|升温|暖和|加快|加速|亮些|快些|再加|" + _TOWARD.format("上") + r"|(?:加|升|再高)(?=\s*\d)")
DOWN = re.compile(r"\b(?:down|decrease|reduce|lower|less|dim|dimmer|darker|cooler|colder|slower"
                  r"|narrow|narrower"
                  r"|slow|drop)\b|小声|调低|降低|减小|减少|低一|暗一|慢一|冷一|凉一|关小|小一|调暗|调慢|调小|调冷|降温|凉快"
                  r"|减慢|减速|暗些|慢些|再减|" + _TOWARD.format("下") + r"|(?:减|降|再低)(?=\s*\d)")
VAGUE = re.compile(r"\ba\s+(?:bit|little|touch|notch|tad|smidge)\b|\bslightly\b|\bsomewhat\b"
                   r"|\ba\s+bit\s+more\b|\bmore\b|\bless\b|一点|一些|稍微|有点|再|点儿|一档")
COMPLAINT = [
    (re.compile(r"too\s+dark|\bdark\s+in\b|太暗|有点暗|好暗"
                r"|\b(?:it'?s?|it\s+is|is|are|getting|looks?)\s+"
                r"(?:a\s+(?:bit|little)\s+|too\s+|so\s+"
                r"|very\s+|quite\s+|rather\s+|pretty\s+|really\s+|kind\s+of\s+|getting\s+)?(?:dim|dark)\b"),
     "brightness", +1),
    (re.compile(r"too\s+bright|\bglare\b|太亮|刺眼"), "brightness", -1),
    (re.compile(r"freezing|too\s+cold|\bchilly\b|\bcold\s+(?:in|out|on|up|down|here)\b"
                r"|\bit'?s\s+(?:so\s+|really\s+|very\s+|getting\s+)?cold\b|太冷|好冷|有点冷"),
     "temperature", +1),
    (re.compile(r"too\s+(?:hot|warm)|\bboiling\b|\bstuffy\b|\bhot\s+(?:in|out|on|up|down|here)\b"
                r"|\bit'?s\s+(?:so\s+|really\s+|very\s+|getting\s+)?hot\b|太热|好热|有点热|闷"),
     "temperature", -1),
]
# 开大一倍: opened wider by one whole (the current opening again) = double
MULTIPLY = [(re.compile(r"\bdouble\b|\btwice\b|翻倍|加倍|翻\s*[一1]\s*倍"
                        r"|(?:增加|提高|[开调加增放升提][大高])\s*[一1]\s*倍"), 2.0),
            (re.compile(r"\bhalve\b|\b(?:by|in)\s+half\b|减半"), 0.5)]
EXTREME = [(re.compile(r"(?<!/)\b(?:full|maximum|max|highest|fullest)\b|最大|最高|最亮|最快|全开"), "max"),
           # "130 min", "140 L/min" are minutes, not the minimum
           (re.compile(r"\b(?:minimum|lowest)\b|(?<![\d/])(?<!\d\s)\bmin\b|最小|最低|最暗|最慢"),
            "min")]
QUANTIFIER = re.compile(r"\b(?:all|every|everything|everywhere|both|each|entire|whole"
                        r"|throughout)\b"
                        r"|所有|全部|每个|都|一切|整个|到处|全屋")
ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
            "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10"}
EXCEPT = re.compile(r"\b(?:except(?:\s+for)?|but\s+not|apart\s+from|other\s+than|besides)\b|除了")

# "the x ray viewer in …": the word that ends a determiner's phrase names the thing meant
NOUN_HEAD = re.compile(
    r"\b(?:the|my|our|your|this|that|these|those|a|an)\s+(?:[a-z0-9]+[\s-]+){0,3}?([a-z]+)"
    r"(?=\s*(?:$|[?.!,]|\b(?:in|on|at|to|for|of|from|by|with|and|or|off|up|down|out|please|now"
    r"|is|are|was|were|then|but|so|too|again|back|a|an|the|all|fully|completely|halfway)\b))")

NOT_HEADS = {"please", "thanks", "thank", "now", "today", "again", "there", "here", "too", "yet",
             "already", "instead", "first", "asap", "quickly", "round", "around",
             # a state asked about ("is the gate shut?"), no thing
             "shut", "open", "closed", "locked", "unlocked",
             # a yes/no question's judgement ("is the CO2 level in the cellar ok?")
             "ok", "okay", "fine", "normal", "alright", "safe", "good", "high", "low", "enough"}

DETERMINERS = {"the", "a", "an", "my", "our", "your", "this", "that", "these", "those"}

# words that may stand before a device word without naming a kind of it
NOT_MODIFIERS = {"the", "a", "an", "my", "our", "your", "this", "that", "these", "those", "its",
                 "their", "his", "her", "on", "off", "in", "at", "to", "of", "for", "and", "or",
                 "turn", "switch", "set", "put", "make", "start", "stop", "run", "open", "close",
                 "lock", "unlock", "dim", "raise", "lower", "all", "both", "every", "each", "is",
                 "are", "was", "check", "read", "show", "get", "big", "small", "little", "large",
                 "main", "new", "old", "other", "whole", "entire", "two", "three", "four",
                 "please", "now", "up", "down", "out", "by", "with", "from", "it", "them", "what",
                 "which", "how", "any", "some", "shut", "kill", "cut", "power", "also", "then",
                 "just", "quickly", "again", "too", "me", "us", "s", "whats", "hows"}

PLACE_PHRASE = re.compile(r"\b(?:in|inside|at|around|throughout)\s+(?:the|my|our)\s+"
                          r"(?:[a-z]+\s+)?([a-z]+)\s*(?=$|[?.!,])")

ZH_PLACE_THING = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:室|房|厅|馆|中心)")

ZH_THING = re.compile(r"[A-Za-z0-9\u4e00-\u9fff]{0,3}[A-Za-z\u4e00-\u9fff](?:机|器|仪|柜|箱|炉|泵|屏|壶|锅|灶|桶|设备)")

EXTEND = re.compile(r"\broll(?:ed|ing)?\s+(?:\w+\s+){0,3}?out\b|\bextend|放出|伸出|展开")

RETRACT = re.compile(r"\broll(?:ed|ing)?\s+(?:\w+\s+){0,3}?in\b|\bretract|收起|收回|收拢|收进")

_ON_PARTICLE_VERB = re.compile(r"\b(?:turn(?:ed)?|switch(?:ed)?|power|lights?)\s+(?:\w+\s+){0,4}?on\b")
_ON_KEEPS = {"at", "in", "for", "and", "then", "please", "now", "too", "again", "with", "to",
             "full", "high", "low", "max", "first", "already", "right", "as", "but", "so",
             "while", "here", "there", "again", "again"}


_LEADING_SIDE = re.compile(
    r"^(?:please\s+)?(?:(?P<off>stop|halt|kill|abort|cancel|terminate|disable|deactivate|suspend"
    r"|pause)|(?P<on>start|enable|activate|resume))\b")


def leading_side(text: str) -> str | None:
    """The side the verb that starts the request takes ("abort the CIP run": off, whatever the
    noun "run" would say later)."""
    m = _LEADING_SIDE.match(text.strip())
    return None if m is None else ("off" if m.group("off") else "on")


def only_prepositional_on(text: str) -> bool:
    """"on" said only as a preposition ("on the hatch", "on site"): no switch-on verb, and every
    bare "on" is followed by a word that starts a noun phrase, not by the end or a particle."""
    if _ON_PARTICLE_VERB.search(text):
        return False
    stripped = re.sub(r"\bon\b", "", text)
    if any(re.search(pattern, stripped) for pattern, action in EN_ACTIONS if action == "on"):
        return False
    follows = [m.group(1) for m in re.finditer(r"\bon\b\s*([a-z0-9]*)", text)]
    return bool(follows) and all(word and word[0].isalpha() and word not in _ON_KEEPS
                                 for word in follows)


# (a place or device after "from" is no value: "the lights from the hallway to the kitchen")
_FROM_TO = re.compile(r"\bfrom\s+(?!(?:the|my|our|a|an|this|that)\b)(?:[\w.°%-]+\s+){0,3}?(?=to\s)"
                      r"|从[^从，,。；;]{1,8}?(?=改成|换成|切换到|切到|调到|改到)")


def drop_current_value(text: str, names: frozenset[str] = frozenset()) -> str:
    """"switch from hdmi 1 to hdmi 2", 从制热改成制冷: the value after "from" is the present one,
    never the one to set; a from-part with a place or device word in ``names`` is kept."""
    return _FROM_TO.sub(lambda m: m.group(0) if set(re.findall(r"[a-z]+", m.group(0))) & names
                        else "", text)


def on_only_before_places(text: str, places: set[str], ids: set[str] = frozenset()) -> bool:
    """"kill shore power on pier A", "… on A2": every "on" stands before a place or an id (not
    right after turn or switch, nor after a leading "power": "power on A2"), so none of them is
    the particle."""
    placed = text

    def cut(m: re.Match) -> str:
        before = placed[:m.start()].split()
        if before and (before[-1] in ("turn", "switch", "turned", "switched")
                       or before == ["power"] or before[-2:] == ["please", "power"]):
            return m.group(0)
        return " "

    for place in sorted(places, key=len, reverse=True):
        placed = re.sub(rf"\bon\s+(?:the\s+)?{re.escape(place)}s?\b", cut, placed)
    for name in ids:   # "… on (pedestal) A2", "… on pump 2" (a bare "on 2" may be a value)
        word = r"[a-z]+\s+" if name.isdigit() else r"(?:[a-z]+\s+)?"
        placed = re.sub(rf"\bon\s+(?:the\s+)?{word}{re.escape(name)}\b", cut, placed)
    return placed != text and not re.search(EN_ACTIONS[0][0], placed)


# (grounding's statement and phrasal-verb patterns)
IMPERATIVE_CHANGE = re.compile(r"(?:please\s+)?(?:make|turn|set|get|keep|put|let)\b")
PHRASAL = re.compile(r"\b(?:shut|power|start|fire|boot|wind|back|lock|set|fill|pick)\s+"
                     r"(?:(?:everything|it|them|all|the\s+\w+|\w+)\s+)?(?:up|down)\b"
                     r"|停下|放下|拉下|降下")


_ZH_UNREAD_PART = re.compile(r"的([\u4e00-\u9fff]{2,4}?)(?=[关开停启调设切改换拉升降])")


def unread_parts_after_aliases(unread: str, segments: list[tuple[int, int, list[str]]]) -> set[str]:
    """The Chinese words right after '<alias>的' and before a verb that no table read."""
    found = set()
    for _, end, keys in segments:
        part = _ZH_UNREAD_PART.match(unread, end) \
            if any(k.startswith("alias:") for k in keys) else None
        if part:
            found.add(part.group(1))
    return found
