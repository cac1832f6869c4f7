"""An utterance split into clauses (pure): split on punctuation and conjunctions, then pieces with
no verb of their own are merged back ("turn on the kitchen and living room lights")."""
from __future__ import annotations

import re

from .grounding import Clause, split_clauses
from .lexicon import DEVICE_KINDS

_VERB_START = re.compile(
    r"^(?:please\s+)?(?:turn|switch|set|make|lock|unlock|open|close|start|stop|run|halt|dim"
    r"|raise|lower|put|bring|give|shut|kill|cut|power|tilt|increase|decrease|change|bump|speed"
    r"|slow|halve|double|what|how|is|are|did|does|do|check|tell|secure|activate|enable|disable"
    r"|deactivate|reduce|boost|pull|draw|adjust|crank|fire|resume|pause|could|can|would|will"
    r"|i'd|i\s+want|let|get|any|show|find|see|report|mute|unmute|reverse|limit|heat|cool|warm)\b"
    r"|^(?:把|将|打开|关|启动|停|锁|解锁|开|调|设|拉|帮我|请|查|看|告诉)")


# "… and everything else off": a group switched by its particle is a request of its own
_GROUP_SWITCH = re.compile(r"(?:everything|all\s+the\s+\w+|the\s+rest)\b.*\b(?:on|off)$")
_CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")


def _has_verb(piece: str, verbs: frozenset[str] = frozenset()) -> bool:
    first = re.match(r"(?:please\s+)?([a-z]+)", piece.strip())
    return bool(_VERB_START.search(piece.strip()) or _ZH_VERB.search(piece)
                or _GROUP_SWITCH.match(piece.strip())
                or (first and first.group(1) in verbs))


_SWITCHED = re.compile(r"^(?:please\s+)?(?:turn|switch)\b.*\bon\b|打开|开启|启动")
_ZH_VERB = re.compile(r"打开|关|开|启动|停|锁|调|设|拉|升|降|吗|多少|怎么样|如何|几个人|静音|暂停|播放")
_HAS_VALUE = re.compile(r"(?:\b(?:to|at|by)\s+|调到|调至|设为|设成|设到)-?\d|\d\s*(?:%|percent|degrees?|°)")

# "set the fan to medium and the temperature to 23": the first piece has a value of its own
_NAMED_VALUE_END = re.compile(r"\b(?:to|on)\s+[a-z]+\s*$")


def clause_pieces(norm: str, verbs: frozenset[str] = frozenset()) -> list[str]:
    """``verbs``: words the catalog makes verbs (a switch named "Defrost" or "Mute")."""
    pieces: list[str] = []
    for piece in split_clauses(norm):
        if pieces and not _has_verb(pieces[-1], verbs) and _CJK_TEXT.search(piece):
            pieces[-1] += " " + piece   # 客厅和卧室的窗帘，都拉开: the verb comes after a comma
        elif pieces and not _has_verb(piece, verbs):
            if _HAS_VALUE.search(piece) and not _HAS_VALUE.search(pieces[-1]) \
                    and _SWITCHED.search(pieces[-1]):
                pieces.append(piece)   # 打开A码头灯，亮度百分之八十: switched on, then a value
            elif _PARTICLE_END.search(piece) and _PARTICLE_END.search(pieces[-1]):
                pieces.append(piece)   # "projector on, screen down": each its own request
            elif _HAS_VALUE.search(piece) and (_HAS_VALUE.search(pieces[-1])
                                               or _NAMED_VALUE_END.search(pieces[-1])
                                               or _PARTICLE_END.search(pieces[-1])):
                # "set the kitchen light to 30% and the bedroom light to 50%": its own value
                verb = _VERB_START.search(pieces[-1].strip())
                pieces.append((verb.group(0) if verb else "set") + " " + piece)
            else:
                pieces[-1] += " and " + piece
        else:
            pieces.append(piece)
    return pieces


_EN_VERB_PREFIX = re.compile(r"^((?:please\s+)?[a-z]+(?:\s+(?:on|off|up|down|out))?)\s+(?=the\b|my\b|our\b)")
_PARTICLE_END = re.compile(r"\s(on|off|up|down)\s*$")
_ZH_VERB_TAIL = re.compile(r"(?:都|也)?(?:关掉|关了|关闭|关上|打开|开启|启动|停掉|停止|开|关|停)[了吧吗]?\s*$")
_ZH_AND = re.compile(r"和|跟|与|以及")


def split_devices(piece: str, names_own_device) -> list[str]:
    """'turn off the canteen lights and the gym fan', 把食堂灯和体育馆排风扇都关掉: two devices,
    each with its own place, are two requests sharing the verb (never every light and fan of
    both places). ``names_own_device(text)`` says 'placed' when a text names one device with its
    own place, alias or number, 'unique' when it names the catalog's only such device, else ''."""
    if _CJK_TEXT.search(piece):
        parts = _ZH_AND.split(piece, maxsplit=1)
        if len(parts) == 2:
            tail = _ZH_VERB_TAIL.search(parts[1])
            left = parts[0] + (tail.group(0) if tail else "")
            if tail and _both_named(names_own_device(left), names_own_device(parts[1])):
                return [left, parts[1]]
        return [piece]
    match = re.search(r"\s+and\s+(?=the\b|my\b|our\b)", piece)
    prefix = _EN_VERB_PREFIX.match(piece)
    if not match or not prefix:
        return [piece]
    left, right = piece[:match.start()], piece[match.end():]
    particle = _PARTICLE_END.search(right)
    right_full = prefix.group(1) + " " + right
    left_full = left + (" " + particle.group(1) if particle and not _PARTICLE_END.search(left)
                        else "")
    if _both_named(names_own_device(left_full), names_own_device(right_full)):
        return [left_full, right_full]
    return [piece]


def _both_named(left: str, right: str) -> bool:
    """Both name their own device ("the living room light and the heater": the only heater)."""
    return bool(left and right)


def says_nothing(clause: Clause) -> bool:
    """Only names something: no action, value, question, change or capability."""
    return not (clause.actions or clause.quantities or clause.question or clause.up
                or clause.down or clause.complaint or clause.multiplier is not None
                or clause.extreme or clause.capability_words or clause.verb_words - {"the"})


def borrow_subject(clause: Clause, previous: set[str], context: set[str], pointed: bool) -> bool:
    """A clause that was ambiguous on its own takes the device or place said before; False when
    there is none to take. ``pointed``: a pronoun, a subject said on its own before, or the
    device before among those the ambiguity offered."""
    if pointed and len(previous) == 1 and not clause.aliases:
        clause.aliases = set(previous)   # "more steam in the oven, make it 70%"
    elif context and not clause.places:
        clause.places = set(context)     # "checking out of 102: lights off and lock the door"
    elif len(previous) == 1 and not (clause.aliases or clause.places or clause.ids
                                     or clause.words & DEVICE_KINDS):
        clause.aliases = set(previous)   # 打开A码头灯，亮度百分之八十: the device just named
    else:
        return False
    return True


_STATEMENT = re.compile(r"(?:we|i|they)(?:'re|'m|'ve|'ll|\s+are|\s+am|\s+have|\s+will)\b"
                        r"|(?:我们|我)(?:要|在|准备|正在)")


def is_reason_statement(text: str) -> bool:
    """"we're closing up, disable the fuel pump": a first-person statement is the reason."""
    return bool(_STATEMENT.match(text.strip()))
