"""Requests that are not for now (pure): schedules and delays ("in ten minutes", 明天), timed runs
("for ten minutes", a timer) and energy totals over a period, which no setting or reading is."""
import re

_SCHEDULE = re.compile(
    r"\b(?:in|after|within)\s+(?:\d+(?:\.\d+)?|a|an|a\s+few|few|a\s+couple\s+of)\s*"
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b|\bat\s+\d{1,2}(?::\d\d)?\s*(?:am|pm"
    r"|o'?clock)\b"
    r"|\bat\s+\d{1,2}:\d\d\b|\b(?:until|till)\s+\d|\bat\s+(?:noon|midnight|dawn|dusk|sunset"
    r"|sunrise)\b|\b(?:tomorrow|tonight|later|schedule[ds]?"
    r"|every\s+(?:day|morning|evening|night|hour|week)|from\s+now|o'?clock)\b"
    r"|\bwhen(?:ever)?\s+(?:i|we|you|it|the|someone|somebody|anyone)\b|\bas\s+soon\s+as\b"
    r"|\bif\s+(?:i|we|it|the|someone|somebody|anyone|there)\b|\buntil\b|\bonce\s+(?:i|we|the|it)\b"
    r"|\d+\s*(?:秒|分钟|小时)(?:后|以后|之后)|\d+\s*点(?:钟|半|整)|(?:上午|下午|中午|凌晨|早上|晚上)\s*\d+\s*点"
    r"|明天|今晚|定时|点钟|稍后|过一会|待会|的时候|如果|等我|到家后")
ENERGY_TOTAL = re.compile(
    r"\b(?:used|consumed|consumption|use)\b.*\b(?:today|yesterday|this\s+(?:week|month|year)"
    r"|so\s+far"
    r"|in\s+total|last\s+(?:week|month|year))\b|[用耗]了多少度?电|总共用|一共用了|累计用电"
    r"|(?:今天|昨天|这个月|本月|上个月|今年|这周|本周)[^，,。？?]*[用耗]")


_DURATION = re.compile(r"\bfor\s+(?:\d+(?:\.\d+)?|a|an|a\s+few|a\s+couple\s+of)\s*"
                       r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?)\b|\btimers?\b")


def is_duration(text: str) -> bool:
    """'for ten minutes': fine where a device has a settable duration, a timer otherwise."""
    return bool(_DURATION.search(text))


def is_schedule(text: str) -> bool:
    # "tell me if / check if" asks a question; it is not a condition
    text = re.sub(r"\b(know|me|check|see|out|wonder|ask)\s+if\b", r"\1 whether", text)
    # "how long until it is done" asks about the present, it schedules nothing
    text = re.sub(r"\bhow\s+(?:long|much\s+longer|many\s+minutes)\s+(?:until|till|before)\b",
                  "how long", text)
    return bool(_SCHEDULE.search(text))
