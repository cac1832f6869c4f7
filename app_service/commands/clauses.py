"""An utterance split into clauses (pure): split on punctuation and conjunctions, then pieces with
no verb of their own are merged back ("turn on the kitchen and living room lights")."""
from __future__ import annotations

import re

from .grounding import split_clauses

_VERB_START = re.compile(
    r"^(?:please\s+)?(?:turn|switch|set|make|lock|unlock|open|close|start|stop|run|halt|dim"
    r"|raise|lower|put|bring|give|shut|kill|cut|power|tilt|increase|decrease|change|bump|speed"
    r"|slow|halve|double|what|how|is|are|did|does|do|check|tell|secure|activate|enable|disable"
    r"|deactivate|reduce|boost|pull|draw|adjust|crank|fire|resume|pause|could|can|would|will"
    r"|i'd|i\s+want|let|get|any|show|find|see|report|mute|unmute|reverse|limit|heat|cool|warm)\b"
    r"|^(?:把|将|打开|关|启动|停|锁|解锁|开|调|设|拉|帮我|请|查|看|告诉)")


_CJK_TEXT = re.compile(r"[\u4e00-\u9fff]")


def _has_verb(piece: str, verbs: frozenset[str] = frozenset()) -> bool:
    first = re.match(r"(?:please\s+)?([a-z]+)", piece.strip())
    return bool(_VERB_START.search(piece.strip()) or _ZH_VERB.search(piece)
                or (first and first.group(1) in verbs))


_ZH_VERB = re.compile(r"打开|关|开|启动|停|锁|调|设|拉|升|降|吗|多少")   # zh puts the verb last
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
            if _HAS_VALUE.search(piece) and (_HAS_VALUE.search(pieces[-1])
                                             or _NAMED_VALUE_END.search(pieces[-1])):
                # "set the kitchen light to 30% and the bedroom light to 50%": its own value
                verb = _VERB_START.search(pieces[-1].strip())
                pieces.append((verb.group(0) if verb else "set") + " " + piece)
            else:
                pieces[-1] += " and " + piece
        else:
            pieces.append(piece)
    return pieces
