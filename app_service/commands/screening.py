"""Screening an utterance before it is grounded (pure): override and relayed-instruction attempts
(refused as a whole), advice questions, and questions about a device that no reading answers."""
from __future__ import annotations

import re

_INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+|your\s+|the\s+|my\s+|previous\s+|prior\s+|earlier\s+|above\s+)*"
    r"(?:rules?|instructions?|guidelines?|polic(?:y|ies)|limits?|restrictions?|safety|prompts?)"
    r"|disregard\s+(?:all\s+|any\s+|your\s+|the\s+|previous\s+|prior\s+)*"
    r"(?:rules?|instructions?|guidelines?|polic(?:y|ies)|limits?|safety|prompts?)"
    r"|forget\s+(?:all\s+|your\s+|the\s+|previous\s+)*(?:rules?|instructions?|guidelines?)"
    r"|system\s+(?:override|prompt|message|note)|admin(?:istrator)?\s+mode|developer\s+mode"
    r"|maintenance\s+mode|god\s+mode|jailbreak|you\s+are\s+now\b|pretend\s+(?:you|to\s+be)"
    r"|note\s+to\s+the\s+(?:assistant|ai|model|bot)|(?:safety|security)\s+(?:limits?|checks?"
    r"|rules?)"
    r"\s+(?:are|is|have\s+been)\s+(?:disabled|off|lifted|removed|suspended)"
    r"|bypass\s+(?:the\s+)?(?:safety|rules?|limits?|guard)|override\s+(?:the\s+)?(?:safety"
    r"|rules?|limits?)"
    r"|new\s+instructions?\s*:|\bassistant\s*,\s*(?:disregard|ignore|forget)"
    r"|ignore\s+(?:all\s+|everything\s+)?(?:the\s+)?(?:above|previous|prior|earlier|preceding)\b"
    r"|^\s*(?:#+\s*)?(?:system|admin|administrator|developer|root|assistant)\s*[:>]|\[(?:system"
    r"|admin|inst)\]"
    r"|<\s*/?\s*system\s*>|<<\s*sys\s*>>|\bauthori[sz]e\s+you\b|\boverride\s+code\b|\bsudo\b"
    r"|\bsafety\s+(?:mode\s+)?(?:is|was)\s+(?:now\s+)?(?:off|disabled)\b"
    r"|\bwithout\s+(?:any\s+)?(?:safety\s+)?(?:checks?|confirmation|limits?|restrictions?)\b"
    r"|\bact\s+as\s+(?:an?\s+)?(?:admin|administrator|root|system|unrestricted)|\brole-?play\b"
    r"|\bno\s+(?:longer\s+)?(?:bound|restricted)\s+by\b"
    r"|忽略|无视|忘记(?:之前|以前|你的|所有)|不要理会|系统(?:提示|指令|覆盖|消息)|管理员模式|开发者模式"
    r"|安全限制(?:已|被)?(?:解除|关闭|取消)|越狱|绕过|跳过(?:安全)?检查|不受(?:任何)?限制|你现在是|扮演|授权你"
    r"|^\s*系统[:：]"
    # authority claimed on someone else's behalf: "per admin override", "note from the manager",
    # "the system says", "I am the owner", "as the administrator"
    r"|\boverrid(?:e|es|den|ing)\b|\bon\s+behalf\s+of\b|\bauthori[sz](?:ed|ation)\s+(?:by|from|code)\b"
    r"|\bper\s+(?:the\s+|an?\s+)?(?:\w+\s+)?(?:admin|administrator|manager|management|supervisor"
    r"|owner|boss|director|system|security|technician|landlord)s?\b"
    r"|\b(?:note|message|memo|e-?mail|text|order|instructions?|request)\s+from\b"
    r"|\bleft\s+(?:you\s+)?(?:a|an|this|the)\s+(?:note|message|memo|instruction)"
    r"|\b(?:the\s+)?system\s+(?:says|said|reports?|requires|wants|has\s+(?:approved|authori[sz]ed))\b"
    # instructions relayed from someone else: "the landlord texted: …", "my wife says unlock …",
    # "IT department request: …", "per company policy, …", "as discussed with the owner, …"
    r"|\b(?:texted|emailed|messaged|radioed|wrote)\b|\b(?:says|said)\s*[:,]?\s*(?:to\s+|that\s+)?"
    r"(?:you\s+(?:should|must|can)\s+)?(?:please\s+)?(?:unlock|lock|open|close|turn|switch|set|start"
    r"|stop|disable|enable|shut|cut|raise|lower|run|power|kill)\b"
    r"|\b(?:request|reminder|notice|memo|order|orders|instructions?|directive)\s*(?:from\b|[:\-–])"
    r"|\bper\s+(?:the\s+|our\s+)?(?:company|house|building|site|new)?\s*(?:policy|rules?|protocol"
    r"|procedure)\b|\bas\s+(?:discussed|agreed|instructed|requested|approved|ordered)\b"
    r"|(?:通知|要求|指示|吩咐|发消息|发短信|打电话|来电)(?:说|[:：])|让我(?:告诉|转告)你|这是.{0,6}的意思|以.{0,6}权限|假装|按(?:照)?(?:公司|规定|政策).{0,4}(?:要求|规定)"
    r"|\b(?:note|message|memo|instructions?)\s+(?:for|to)\s+(?:the\s+)?(?:bot|assistant|ai|model"
    r"|system|agent|computer)\b|\b(?:wants|needs|instructed|ordered|authori[sz]ed)\s+you\s+to\b"
    r"|\bfrom\s+(?:the\s+)?(?:management|manager|admin|administrator|supervisor|owner|boss|head\s+office"
    r"|it\s+department|security\s+team)\b|^\W*(?:urgent|emergency|important|attention|priority)\s*[:!-]"
    r"|\b(?:i\s+am|i'm|im|as|speaking\s+as|it's|it\s+is|this\s+is|here's)\s+(?:the|an?|your)\s+(?:\w+\s+)?(?:admin|administrator"
    r"|manager|owner|supervisor|boss|director|technician|engineer|developer|operator)\b"
    r"|\b(?:admin|administrator|manager|supervisor|owner|boss|security)\s+(?:says|said|wants|asked"
    r"|approved|authori[sz]ed|ordered|told)\b"
    r"|(?:管理员|经理|主管|老板|领导|系统|物业|前台|值班员?|技术员|上级)(?:说|要求|通知|指示|留言|授权|批准|让你|命令"
    r"|吩咐|交代)|留言[:：]|通知[:：]|指令[:：]|命令[:：]|代表.{0,8}(?:要求|让你)|我是(?:这里的)?(?:管理员|经理|老板"
    r"|主管|技术员|工程师|负责人)|以.{0,8}身份|覆盖|特批|紧急授权", re.IGNORECASE)
_ADVICE = re.compile(
    r"^(?:what|what's|whats|which|how|is|are)\b.*\b(?:best|ideal|recommended|optimal|healthiest"
    r"|right)\s+(?:\w+\s+){0,2}?(?:temperature|level|setting|value|speed|time|way|brightness"
    r"|colou?r|mode|ph|humidity|amount|pressure|for)\b"
    r"|\b(?:how|what|which)\b(?:\s+\w+){0,3}?\s+should\s+(?:i|we|one|you|a|an|the|it|they|my|our)\b"
    r"|^\W*is\s+it\s+(?:safe|ok|okay|wise|a\s+good\s+idea|dangerous|bad|better)\s+to\b"
    r"|\bshould\s+(?:i|we)\b|一般(?:应该|是|在)|通常(?:应该|是|在)|应该是多少|正常(?:值|范围)|安全吗|好不好|要不要"
    r"|(?:最佳|理想|推荐|建议|合适)的?.{0,10}(?:多少|什么|几|是)|应该(?:设|调|开)?(?:成|到|为)?多少", re.IGNORECASE)


def is_advice(text: str) -> bool:
    """'what's the best temperature for a sauna?' asks for advice, not for a reading."""
    return bool(_ADVICE.search(text.strip()))


# a value taken from another device ("set fryer 1 to fryer 2's temperature", 和二号一样): no
# setting holds it, and reading then writing would be two steps nobody confirmed
_COPIED_VALUE = re.compile(r"\b(?:to|at)\s+(?:the\s+)?(?:[a-z0-9-]+\s+){0,3}?[a-z0-9-]+['\u2019]s\s+"
                           r"(?:temperature|temp|setting|settings|level|speed|value|setpoint|mode)\b"
                           r"|\b(?:same|equal)\s+(?:as|to)\b|\bmatch(?:es|ing)?\s+(?:the\s+)?[a-z]"
                           r"|(?:和|跟|与|同)[^，,。]{1,10}(?:一样|相同)")


def copies_another_value(text: str) -> bool:
    return bool(_COPIED_VALUE.search(text))


_QUOTED_COMMAND = re.compile(r"\b(?:turn|switch|unlock|lock|open|close|start|stop|set|disable"
                             r"|enable|shut"
                             r"|ignore|disregard|run|raise|lower)\b|打开|关|解锁|启动|停|调到", re.IGNORECASE)


# a role label in any bracket, or as a prefix before a colon, speaking for the system:
# "【系统管理员】：…", "[Administrator]: …", "(operator) …", "SYSADMIN: …", "开发者：…"
_ROLE = (r"(?:(?:system|sys|it|site|building|network|security|facility|facilities)[\s_-]*)?"
         r"(?:admin(?:istrator)?s?|operators?|developers?|devs?|root|superuser|moderator|system"
         r"|assistant|owner|manager|supervisor|engineer|ops)"
         r"|(?:系统|超级|网络|运维|安全)?(?:管理员|管理者|操作员|运维(?:人员|工程师)?|开发者|开发人员|工程师"
         r"|超级用户|主管|负责人)|系统")
_ROLE_LABEL = re.compile(
    r"[【\[（(<「『《〈][^】\]）)>」』》〉]{0,12}?(?:" + _ROLE + r")[^】\]）)>」』》〉]{0,6}[】\]）)>」』》〉]"
    r"|(?:^|[\s。.!！;；,，])(?:" + _ROLE + r")\s*[:：]", re.IGNORECASE)


def is_injection(text: str) -> bool:
    if _INJECTION.search(text) or _ROLE_LABEL.search(text):
        return True
    # instructions hidden in quoted content addressed to the assistant
    for quoted in re.findall(r"(?:^|[\s:：,，(])['\"‘“「『](.+?)['\"’”」』]", text):
        if re.search(r"\b(?:assistant|ai|system|instructions?)\b", quoted, re.IGNORECASE):
            return True
        if len(quoted) >= 8 and _QUOTED_COMMAND.search(quoted):
            return True   # a command inside quoted content is someone else's instruction
    return False


# questions no reading answers ("who installed the UPS?", "why is the pump loud?")
_NO_READING = re.compile(r"^\W*(?:who|whom|whose|when|why|how\s+old|how\s+come)\b"
                         # "where's the washer at (in its cycle)?" asks how far it got, a reading
                         r"|^\W*where\b(?!.*\b(?:at|up\s+to)(?:\W*\s+(?:and\s+)?(?:in|with|on)\b|\W*$))"
                         r"|\bwhy\b|为什么|为啥|怎么会|牌子|品牌|型号|厂家|多少钱|价格|保修|电话|安装|维修|维护"
                         r"|序列号|固件|版本|说明书|重量|尺寸|产地|联系|支持.{0,6}吗|有没有.{0,6}功能"
                         # facts about the product, not readings: brand, warranty, features
                         r"|\b(?:brand|manufacturer|model|serial|warranty|guarantee|price"
                         r"|cost|costs|paid|bought|purchased|installed|installer|serviced|servicing"
                         r"|maintained|repaired|phone|contact|e-?mail|address|manual|firmware|version"
                         r"|wi-?fi|bluetooth|app|age|weigh|weight|dimensions|made|vendor|supplier"
                         r"|efficient|efficiency|rating|certified|licen[cs]e)\b"
                         r"|^\W*(?:does|do|can|could|will|would|is\s+there)\b.*\b(?:have|has|support"
                         r"|supports|play|connect|come\s+with|work\s+with)\b"
                         # specifications and history are no reading either
                         r"|\b(?:supports?|supported|handle|capacity|specs?|specifications?|rated"
                         r"|yesterday|ago|history|log)\b|\blast\s+(?:night|week|month|time)\b"
                         r"|\bdid\s+(?:anyone|anybody|someone|somebody)\s+(?!leave\b|forget\b)|\bhow\s+many\s+times\b"
                         r"|\bhow\s+long\s+(?:has|have)\b.*\bbeen\b|\bsince\s+when\b"
                         r"|昨天|前天|上周|多少次|历史|记录(?!仪)|规格|额定|最大.{0,4}(?:支持|承受)"
                         # secrets, how-to and what-is-it questions
                         r"|\b(?:password|passcode|pin|code|combination)\b|密码|用的什么|什么(?:电池|灯泡)"
                         r"|\bhow\s+(?:do|can|should|would)\s+(?:i|we|you|one)\b|\bwhat\s+(?:does|do)\b.*\bdo\W*$"
                         r"|\bwhat\s+is\b.*\bfor\W*$|\bmean\b|^\W*(?:tell\s+me|talk)\s+about\b|\b(?:describe|explain)\b"
                         r"|怎么(?:设置|用|使用|操作|安装|重置|复位)|如何(?:设置|使用|操作|安装|重置)|是干什么的|有什么用|介绍一下"
                         r"|谁|什么时候|为什么|(?<!到)哪里|(?<!到)哪儿|几岁|多少年"
                         # opening hours and timetables: when a business or place opens is no
                         # device's state ("what time does the chandlery open on Sundays?")
                         r"|\bwhat\s+time\b|\b(?:opening|closing|business|office|trading|visiting)"
                         r"\s+(?:hours|times)\b|\bhours\s+of\s+(?:business|operation)\b|\bhow\s+late\b"
                         r"|\b(?:on|at|over)\s+(?:the\s+)?(?:sundays?|mondays?|tuesdays?|wednesdays?"
                         r"|thursdays?|fridays?|saturdays?|weekends?|(?:public\s+|bank\s+)?holidays?)\b"
                         r"|\btimetable\b|\bschedule\s+for\b|几点|营业|开门时间|关门时间|开放时间"
                         r"|(?:周|星期|礼拜)[一二三四五六日天末]"
                         r"|(?:店|铺|超市|商场|银行|邮局|药房|菜场|市场)(?:今天|现在|还|已经)?(?:开门|关门|营业|开着|关着"
                         r"|开了|关了|开吗|关吗)", re.IGNORECASE)


def no_reading_words(text: str) -> set[str]:
    """The words that made a question one no reading answers ("price", "installed")."""
    return {w for m in _NO_READING.finditer(text)
            for w in re.findall(r"[a-z]+", m.group(0).lower())}


def asks_no_reading(text: str) -> bool:
    """Who installed it, its PIN, its warranty, why it is loud: nothing to read for these."""
    return bool(_NO_READING.search(text))
