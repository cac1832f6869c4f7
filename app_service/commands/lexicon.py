"""Generic word tables (English and Chinese) for common device and resource concepts.

Nothing here names a particular building: these are everyday words mapped onto canonical keys.
Both sides of every match go through ``canon``: the words a catalog derives from device names,
aliases, labels and resource names, and the words of an utterance. A concept the catalog does not
have never matches anything, which is how unknown devices and capabilities are refused.
"""
from __future__ import annotations

import re

# English synonyms → canonical key (after lower-casing and plural stripping).
EN_SYNONYMS = {
    "lamp": "light", "bulb": "light", "lighting": "light", "luminaire": "light", "shade": "blind",
    "curtain": "blind", "shutter": "blind", "drape": "blind", "roller": "blind", "socket": "plug",
    "outlet": "plug", "belt": "conveyor", "deadbolt": "lock", "alarm": "detector",
    "temp": "temperature", "warm": "temperature", "warmer": "temperature", "warmth": "temperature",
    "hot": "temperature", "hotter": "temperature", "cold": "temperature", "colder": "temperature",
    "cooler": "temperature", "freezing": "temperature", "chilly": "temperature",
    "heat": "temperature", "colour": "color", "kelvin": "color", "white": "color",
    "mired": "color", "bright": "brightness", "brighter": "brightness", "brighten": "brightness",
    "dim": "brightness", "dimming": "brightness", "dimmed": "brightness", "dimmer": "brightness",
    "dark": "brightness", "darker": "brightness",
    "fast": "speed", "faster": "speed", "slow": "speed", "slower": "speed", "quick": "speed",
    "quicker": "speed", "rpm": "speed", "angle": "tilt", "slat": "tilt", "humid": "humidity", "rh": "humidity",
    "vibrating": "vibration", "amp": "current", "amperage": "current", "drawing": "draw",
    "consumption": "draw", "consuming": "draw", "watt": "draw", "setpoint": "target",
    "running": "run", "locked": "lock", "smoky": "smoke", "carbon": "co", "monoxide": "co",
    "moisture": "humidity", "litre": "flow", "liter": "flow", "opening": "open", "opened": "open",
    "closed": "close", "lowered": "lower", "raised": "raise", "unlocked": "unlock",
    "stopped": "stop", "heating": "heat", "cooling": "cool", "automatic": "auto",
    "medium": "medium", "washing": "washer", "tv": "television", "aircon": "aircon", "ac": "aircon",
    "occupancy": "occupied", "presence": "occupied", "present": "occupied",
    "anyone": "occupied", "anybody": "occupied", "someone": "occupied", "somebody": "occupied",
    "people": "occupied", "visitor": "occupied", "person": "occupied", "occupant": "occupied",
    "headcount": "occupied",
    "muted": "mute", "extractor": "extract", "loudspeaker": "speaker",
    "pa": "speaker",   # a public-address zone is its loudspeakers
    "outdoor": "outside", "outdoors": "outside",
    "refrigerator": "fridge", "steriliser": "sterilizer", "silenced": "mute", "silence": "mute",
    "secured": "lock", "calling": "call", "fryers": "fryer",
    "genset": "generator", "boom": "barrier", "intruder": "intrusion", "burglar": "intrusion",
    # weather adjectives ask for the noun's reading ("how windy is it")
    "windy": "wind", "rainy": "rain", "snowy": "snow", "sunny": "sun", "cloudy": "cloud",
    "foggy": "fog", "stormy": "storm", "dusty": "dust", "noisy": "noise",
}

# English phrases rewritten to one word before tokenising (both sides of a match are words).
EN_PHRASES = {
    r"air[\s-]*condition(?:ing|ers?)|a/c": "aircon", r"washing\s+machines?": "washer",
    r"do\s*-?\s*not\s*-?\s*disturb|\bdnd\b": "privacy", r"carbon\s+dioxide": "co2", r"\boxygen\b": "o2", r"\bammonia\b": "nh3",
    r"\bcooker\s+hoods?|range\s+hoods?": "hood",
    r"\bdish(?:washing)?\s+machines?": "dishwasher",
    r"\bair\s+(?:handling\s+)?units?\b|\bair\s+handlers?\b|\bhvac(?:\s+units?)?\b"
    r"|\bclimate\s+units?\b": "hvac",
    r"\bpublic[\s-]+address\b": "pa", r"\bair\s+curtains?\b": "aircurtain", r"\bkick(?:s|ed|ing)?\s+off\b": "start", r"\bset\s*-?\s*points?\b": "setpoint", r"\bair\s*flow\b": "airflow",
    r"\bair\s+condition(?:ing|ers?)?\s+units?\b": "aircon",
}

# Chinese words (longest match first) → canonical keys (space-separated for several).
ZH_WORDS = {
    "锅炉": "boiler", "水温": "water temperature", "空压机": "compressor", "压缩机": "compressor",
    "机柜": "rack", "冷冻库": "freezer", "冰柜": "freezer", "冷柜": "freezer", "冷库": "freezer", "充电桩": "charger",
    "充电器": "charger", "电磁阀": "valve", "水阀": "valve", "排气扇": "fan", "吊扇": "fan",
    "鼓风机": "fan", "照明": "light", "卷帘门": "door", "闸门": "gate", "循环泵": "pump",
    "传感器": "sensor", "探头": "sensor", "热水器": "heater", "除湿器": "dehumidifier",
    "加湿机": "humidifier", "投影机": "projector", "音响": "speaker", "摄像机": "camera",
    "烟雾报警器": "smoke detector", "一氧化碳": "co", "百叶窗": "blind", "窗帘": "blind", "卷帘": "blind",
    "遮阳帘": "blind", "灯光": "light", "电灯": "light", "台灯": "light", "吊灯": "light", "灯": "light",
    "温控器": "thermostat", "恒温器": "thermostat", "空调": "aircon", "门锁": "lock", "锁": "lock",
    "大门": "front door", "前门": "front door", "正门": "front door", "后门": "back door",
    "侧门": "side door", "门": "door", "传送带": "conveyor", "输送线": "conveyor", "输送带": "conveyor",
    "皮带": "conveyor", "水泵": "pump", "泵": "pump", "风扇": "fan", "风机": "fan", "风速": "fan wind speed",
    "风量": "airflow speed", "水位": "water level", "液位": "level",
    "加氯": "chlorine dose", "投加": "dose", "投加量": "dose", "投加速率": "feed rate", "进料速率": "feed rate", "速率": "rate", "频率": "frequency speed", "送风量": "airflow speed", "道闸": "barrier gate",
    "栏杆": "barrier", "道杆": "barrier", "闸杆": "barrier", "大屏": "display", "显示屏": "display", "风幕机": "aircurtain", "风幕": "aircurtain", "热泵": "heat pump",
    "显示器": "display", "发电机": "generator", "柴油": "diesel fuel", "取暖器": "heater", "电暖器": "heater", "加热器": "heater", "暖气": "heater",
    "阀门": "valve", "阀": "valve", "投影仪": "projector", "投影": "projector", "洒水器": "sprinkler",
    "喷淋": "sprinkler", "喷头": "sprinkler", "窗户": "window", "窗": "window", "报警器": "detector",
    "探测器": "detector", "插座": "plug", "咖啡机": "coffee", "洗衣机": "washer", "洗碗机": "dishwasher",
    "烤箱": "oven", "微波炉": "microwave", "扫地机": "vacuum", "净化器": "purifier",
    "烘干机": "dryer", "电梯": "elevator", "打印机": "printer", "门铃": "doorbell", "电视": "television",
    "冰箱": "fridge", "摄像头": "camera", "音箱": "speaker", "加湿器": "humidifier", "除湿机": "dehumidifier",
    "电机": "motor", "马达": "motor", "亮度": "brightness", "亮": "brightness", "暗": "brightness",
    "温度": "temperature", "色温": "color temperature", "颜色": "colour", "速度": "speed", "转速": "speed",
    "快": "speed", "慢": "speed", "压力": "pressure", "压强": "pressure", "叶片": "tilt", "角度": "tilt",
    "倾斜": "tilt", "湿度": "humidity", "电量": "battery", "电池": "battery", "电": "battery",
    "烟雾": "smoke", "烟": "smoke", "报警": "smoke", "振动": "vibration", "震动": "vibration",
    "电流": "current", "流量": "flow", "功率": "draw", "耗电": "draw", "限制": "limit", "上限": "limit",
    "模式": "mode", "位置": "position",
    "热": "temperature", "冷": "temperature", "暖": "temperature", "凉": "temperature",
    "升温": "temperature", "降温": "temperature", "多少度": "temperature", "制冷": "cool", "制热": "heat",
    "自动": "auto", "高档": "high", "中档": "medium", "低档": "low", "高速": "high", "中速": "medium",
    "低速": "low", "最高档": "high", "运行": "run", "土壤": "soil", "空气": "air", "水分": "humidity",
    "气压": "pressure", "二氧化碳": "co2 co 2", "氧气": "o2 o 2", "含氧量": "o2 o 2", "氨气": "nh3 nh 3", "有人": "occupied", "几个人": "occupied", "多少人": "occupied", "人数": "occupied",
    "程序": "program",
    "勿扰": "privacy", "除霜": "defrost", "化霜": "defrost", "大声": "volume", "小声": "volume",
    "几度": "temperature", "排风扇": "fan", "蒸汽": "steam", "油烟机": "hood", "抽油烟机": "hood",
    "灭菌器": "sterilizer", "消毒柜": "sterilizer", "炸炉": "fryer", "炸锅": "fryer", "护士": "nurse",
    "呼叫": "call", "冷藏柜": "fridge", "记录仪": "logger", "遮阳篷": "awning", "遮阳棚": "awning",
    "新风阀": "outside air damper", "风阀": "damper", "新风": "outside air", "档位": "stage",
    "东边": "east", "东侧": "east", "东区": "east", "东面": "east", "西边": "west", "西侧": "west",
    "西区": "west", "西面": "west", "南边": "south", "南侧": "south", "南区": "south", "北边": "north",
    "北侧": "north", "北区": "north", "左边": "left", "右边": "right",
    "燃气": "gas", "煤气": "gas", "读数": "reading", "门禁": "door", "优先级": "priority",
    "音量": "volume", "阶段": "phase", "幕布": "screen", "投影幕": "screen", "屏幕": "screen",
}

# Chinese names of values (matched against "Allowed values" and described numbers, "warm white").
ZH_VALUES = {
    "暖白": "warm white", "暖光": "warm white", "冷白": "cool white", "冷光": "cool white",
    "日光": "daylight", "白光": "daylight", "中性白": "neutral white", "自然白": "neutral white",
    "自然光": "neutral white", "水平": "horizontal", "放平": "horizontal", "高档": "high", "中档": "medium",
    "低档": "low", "自动": "auto", "制冷": "cool", "制热": "heat", "除湿": "dry", "送风": "fan", "节能": "eco",
    "毛巾": "towels", "棉质": "cotton", "棉织物": "cotton", "化纤": "synthetics", "合成纤维": "synthetics",
    "精细": "delicates", "轻柔": "delicates", "床单": "linen", "亚麻": "linen", "羊毛": "wool",
    "热风": "convection", "通风": "ventilation", "无线": "wireless", "静音": "mute", "提示音": "chime", "外面": "outside", "室外": "outside", "户外": "outside", "话筒": "microphone", "麦克风": "microphone",
    "铃声": "bell", "音乐": "music", "加湿": "humidify",
    "取消静音": "unmute", "无线投屏": "wireless", "制热模式": "heat", "制冷模式": "cool",
    "调平": "flat", "织物": "textiles", "器械": "instruments", "液体": "liquids", "外接输入": "line-in",
    "外部输入": "line-in", "线路输入": "line-in", "收音机": "radio", "电台": "radio",
    "歌单": "playlist", "播放列表": "playlist", "手动": "manual", "液位控制": "level",
    "压力控制": "pressure",
}

# Places: English key → Chinese spellings (generic; the catalog adds prefixes shared by aliases).
ZH_PLACES = {
    "kitchen": ["厨房"], "living room": ["客厅", "起居室"], "bedroom": ["卧室", "主卧", "睡房"],
    "hallway": ["走廊", "过道", "门厅"], "bathroom": ["浴室", "卫生间", "洗手间", "厕所"], "study": ["书房"],
    "garage": ["车库"], "entrance": ["玄关", "门口", "入口"], "workshop": ["车间", "工坊"], "office": ["办公室"],
    "meeting room": ["会议室"], "greenhouse": ["温室", "大棚"], "garden": ["花园", "院子"],
    "lobby": ["大堂", "大厅"], "balcony": ["阳台"], "basement": ["地下室"], "dining room": ["餐厅", "饭厅"],
    "laundry": ["洗衣房"], "warehouse": ["仓库"], "lab": ["实验室"], "kids room": ["儿童房"], "attic": ["阁楼"],
    "backyard": ["后院"], "front yard": ["前院"], "server room": ["机房"], "corridor": ["走廊"],
    "reception": ["前台"], "classroom": ["教室"], "yard": ["院子"], "porch": ["门廊"], "patio": ["露台"],
    "nursery": ["育苗室"], "storage": ["储藏室"], "pool": ["泳池"], "parking": ["停车场"],
    "roof": ["屋顶", "天台"], "stairwell": ["楼梯间"], "pantry": ["茶水间"], "canteen": ["食堂"],
    "factory": ["工厂", "厂房"], "packing": ["包装间"], "boiler room": ["锅炉房"], "cold room": ["冷库"],
    "lounge": ["休息室"], "guest room": ["客房"], "hall": ["大厅"], "gym": ["体育馆", "健身房"],
    "pump room": ["泵房", "水泵房"], "control room": ["控制室", "中控室"],
    "generator room": ["发电机房"],
}
# English place words that are not in the catalog still tell us a place was named.
EN_PLACES = {
    "kitchen", "living room", "bedroom", "hallway", "hall", "bathroom", "toilet", "study",
    "garage", "entrance", "workshop", "office", "meeting room", "greenhouse", "garden", "lobby",
    "balcony", "basement", "dining room", "laundry", "laundry room", "warehouse", "lab",
    "kids room", "nursery", "attic", "cellar", "server room", "corridor", "reception", "classroom",
    "yard", "porch", "patio", "guest room", "pantry", "loft", "shed", "conference room",
    "master bedroom", "utility room", "stairs", "staircase", "upstairs", "downstairs", "pool",
    "library", "gym", "backyard", "front yard",
}

# Other English names of common places (used only when the catalog has the canonical one).
PLACE_SYNONYMS = {
    "lounge": "living room", "sitting room": "living room", "family room": "living room",
    "front room": "living room", "hall": "hallway", "corridor": "hallway", "entryway": "entrance",
    "entry": "entrance", "foyer": "entrance", "washroom": "bathroom", "restroom": "bathroom",
    "toilet": "bathroom", "bath room": "bathroom", "bed room": "bedroom",
    "master bedroom": "bedroom", "dining area": "dining room", "shop floor": "workshop",
    "plant room": "boiler room", "car park": "parking", "carpark": "parking",
    "garage": "parking", "parking garage": "parking", "parking lot": "parking",
}

# Device kinds people name that a catalog may lack (naming one the catalog lacks = unknown device).
DEVICE_KINDS = {
    "freezer", "charger", "rack",
    "light", "thermostat", "lock", "door", "blind", "plug", "conveyor", "pump", "fan", "heater",
    "valve", "projector", "sprinkler", "window", "detector", "camera", "speaker", "television",
    "washer", "dryer", "dishwasher", "oven", "fridge", "humidifier", "dehumidifier", "purifier",
    "kettle", "vacuum", "printer", "gate", "elevator", "boiler", "compressor", "motor", "sensor",
    "aircon", "radiator", "microwave", "toaster", "coffee", "garage door", "opener", "heater",
    "vent", "hvac", "doorbell", "siren", "irrigation", "hose", "mower", "robot", "screen", "display",
    "router", "speaker", "stove", "hood", "chiller", "fountain", "pool", "jacuzzi",
    "sterilizer", "autoclave", "fryer", "grill", "griddle", "logger", "awning", "viewer",
    "aircurtain",
}

# Resource words that name the part people call by another name ("the hood fan" is its Exhaust)
IMPLIED_PARTS = {"exhaust": "fan", "extract": "fan", "blower": "fan", "extraction": "fan"}

# Concepts that name what to change; said with a device that has none of them, nothing fits.
RESOURCE_CONCEPTS = {"temperature", "brightness", "speed", "pressure", "humidity", "color",
                     "volume", "flow", "tilt", "fan", "battery", "co", "smoke", "vibration",
                     "current", "draw", "channel", "direction", "input"}

# Qualifiers people put before a device kind ("the back door"); one no device has names nothing.
QUALIFIERS = {
    "front", "back", "rear", "side", "north", "south", "east", "west", "left", "right", "upstairs",
    "downstairs", "inner", "outer", "upper", "middle", "centre", "center", "third", "fourth",
    "fifth", "spare", "guest", "master", "patio", "cellar", "attic",
}

# Words that ask for capabilities a catalog may lack (checked against the target's resources).
CAPABILITY_WORDS = {
    "brand": "info", "manufacturer": "info", "warranty": "info", "firmware": "info",
    "serial": "info", "vendor": "info", "reboot": "info", "restart": "info", "calibrate": "info",
    "品牌": "info", "型号": "info", "保修": "info", "固件": "info", "重启": "info", "reset": "info",
    "重置": "info", "清零": "info", "phone": "info", "telephone": "info", "email": "info",
    "电话": "info", "邮箱": "info", "钱": "cost",
    "多少钱": "cost", "expensive": "cost", "cheap": "cost", "贵": "cost",
    "red": "colour", "blue": "colour", "green": "colour", "yellow": "colour", "purple": "colour",
    "pink": "colour", "orange": "colour", "violet": "colour", "cyan": "colour",
    "magenta": "colour", "红色": "colour", "蓝色": "colour", "绿色": "colour", "黄色": "colour",
    "紫色": "colour", "粉色": "colour", "橙色": "colour", "红": "colour", "蓝": "colour", "绿": "colour",
    "reverse": "direction", "backward": "direction", "backwards": "direction",
    "direction": "direction", "反转": "direction", "倒转": "direction", "energy": "energy",
    "kwh": "energy", "能耗": "energy", "用电量": "energy", "volume": "volume", "louder": "volume",
    "quieter": "volume", "音量": "volume", "channel": "channel", "频道": "channel",
    "silence": "mute", "hush": "mute", "mute": "mute", "snooze": "mute",
    "静音": "mute", "消音": "mute", "play": "media", "music": "media", "song": "media",
    "jazz": "media", "playlist": "media", "播放": "media", "音乐": "media", "brew": "brew",
    "录像": "record", "cost": "cost", "price": "cost", "bill": "cost", "费用": "cost", "价格": "cost",
    "电费": "cost",
}

_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def split_name(name: str) -> list[str]:
    """'TargetTemperature' → ['target', 'temperature']; 'living-room-light' → [...]."""
    parts: list[str] = []
    for chunk in re.split(r"[\s_\-./]+", name):
        pieces = _CAMEL.findall(chunk) if chunk.isascii() else [chunk]
        if chunk.isascii() and len(pieces) > 1 and all(len(p) == 1 for p in pieces):
            pieces = [chunk]   # "pH", "kW": one word, not letters
        if chunk.isascii():
            parts.extend(p.lower() for p in pieces)
        else:
            parts.append(chunk)
    return [p for p in parts if p]


def phrase_tokens(name: str) -> list[str]:
    """A catalog name's tokens with the multi-word kinds joined as utterances join them
    ("dock-air-curtain" → dock, aircurtain: an air curtain is no curtain)."""
    return join_phrases(" ".join(split_name(name))).split()


def join_phrases(text: str) -> str:
    """Lower-case text with the multi-word kinds joined ("air curtain fan" → "aircurtain fan")."""
    for phrase, word in EN_PHRASES.items():
        text = re.sub(phrase, word, text)
    return text


def stem(word: str) -> str:
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]   # presses, glasses
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz" and not word.endswith("ses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def canon(word: str) -> list[str]:
    """Canonical keys of one English word or one Chinese dictionary word."""
    if word in ZH_WORDS:
        return ZH_WORDS[word].split()
    if not word.isascii():
        return [word]
    lowered = word.lower()
    if lowered in EN_SYNONYMS:
        return [EN_SYNONYMS[lowered]]
    stemmed = stem(lowered)
    return [EN_SYNONYMS.get(stemmed, stemmed)]


def zh_segments(text: str, extra: dict[str, list[str]] | None = None
                ) -> list[tuple[int, int, list[str]]]:
    """Greedy longest-match scan of the Chinese parts of ``text``.

    ``extra`` adds catalog words (aliases, derived place names) → canonical keys; they take
    precedence over the generic table. Returns (start, end, keys) spans.
    """
    table: dict[str, list[str]] = {w: k.split() for w, k in ZH_WORDS.items()}
    table.update(extra or {})
    longest = max((len(w) for w in table), default=1)
    spans, i = [], 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            piece = text[i:i + size]
            if piece in table:
                spans.append((i, i + size, table[piece]))
                i += size
                break
        else:
            i += 1
    return spans


def mask_alias_verbs(text: str, zh_words: dict[str, list[str]]) -> str:
    """Verb characters inside a device's alias (开水器, 不间断电源) are no verbs; one that ends it
    (前门锁上) may still be, so all but the last character are masked."""
    for spelling, keys in sorted(zh_words.items(), key=lambda kv: -len(kv[0])):
        if keys and keys[0].startswith("alias:") and spelling in text:
            # 不间断电源 holds 断电 (off), 开水器 starts with 开 (on): neither is said; only the
            # last character may still start a verb (前门锁上)
            text = text.replace(spelling, "的" * (len(spelling) - 1) + spelling[-1])
    return text


def leading_place(alias: str, place: str, table: dict[str, list[str]]) -> set[str]:
    """"体育馆的灯和排风扇": the device's place, when a spelling of it starts the alias said, also
    holds the other devices of the clause."""
    return {place for spelling, keys in table.items()
            if keys[0] == "place:" + place and len(spelling) < len(alias)
            and alias.startswith(spelling)}
