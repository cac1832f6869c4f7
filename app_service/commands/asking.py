"""Whether a clause asks rather than orders (pure): a question word starting what was said (not
left at the front once a place was cut out), a status word, a Chinese question particle, or a
question mark after no imperative."""
import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUESTION_START = re.compile(
    r"^(?:is|are|was|were|what|what's|whats|how|how's|hows|which|did|does|do|has|have|any"
    r"|read(?:\s+(?:me|out))?"
    r"|tell\s+me|"
    r"show\s+me|check(?!-)|give\s+me\s+(?:the\s+)?(?:reading|status|level|temperature)|report"
    r"|let\s+me\s+know"
    r"|i\s+(?:want|would\s+like|'d\s+like)\s+to\s+know|find\s+out|see\s+if|do\s+you\s+know"
    r"|whether)\b")
_IMPERATIVE = re.compile(r"^(?:please\s+)?(?:turn|switch|set|open|close|lock|unlock|start|stop"
                         r"|dim|raise"
                         r"|lower|make|put|run|halt|shut|increase|decrease)\b")
POLITE = re.compile(r"^(?:(?:please|hey|ok|okay)\s*,?\s+)?(?:could|can|would"
                    r"|will)\s+you\s+(?:please\s+)?")
_ZH_QUESTION = re.compile(r"吗|多少|多久|几度|几档|几挡|几级|几个人|几位|什么|谁|哪个|哪一|哪种|哪里|哪儿|多大|多高|多快|几米|几楼|几层"
                          r"|有没有|是否|是不是|怎么样|如何|了没|没有$|[？?]$"
                          r"|^(?:帮我)?(?:查一下|查查|看看|看一下|告诉我|显示|查询)")
_STATUS = re.compile(r"\b(?:status|readings?|report)\b|状态|读数")


def is_question(lowered: str, main: str, has_quantity: bool) -> bool:
    """``lowered``: the clause with places and aliases cut out; ``main``: as it was said."""
    said = POLITE.sub("", main.lower().strip())
    if re.match(r"^(?:make\s+sure|ensure|see\s+to\s+it)", lowered):
        return False
    # "classroom 102 is freezing" is no question although "is" starts it once the place is out
    return bool(_QUESTION_START.match(POLITE.sub("", lowered)) and (
        _QUESTION_START.match(said) or not re.match(r"[a-z0-9]", said)
        or re.match(r"(?:in|at|inside|for|over|on)\b", said))) \
        or bool(_STATUS.search(lowered) and not has_quantity) \
        or (bool(_ZH_QUESTION.search(lowered)) and bool(_CJK.search(lowered))) \
        or (lowered.endswith("?") and not POLITE.match(lowered) and not _IMPERATIVE.match(lowered))
