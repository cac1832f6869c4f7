"""Numbers and units in English and Chinese utterances (pure functions).

``normalise_numbers`` rewrites spelled-out numbers ("twenty and a half", "二十二", "百分之六十",
"half a degree") as digits so the rest of the parser only sees ``12.5``-style literals;
``find_quantities`` then pairs every literal with the unit written next to it. Conversions and
rounding follow the dataset conventions: convert, round half away from zero to the resource's
precision, then range-check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
             "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
             "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}
_EN_WORD = "|".join(sorted(list(_EN_UNITS) + list(_EN_TENS) + ["hundred", "thousand"], key=len,
                           reverse=True))
_EN_NUMBER = re.compile(
    rf"\b(?:(?:{_EN_WORD})(?:[\s-]+(?:and\s+)?(?:{_EN_WORD}))*)"
    r"(?:\s+point\s+(?:zero|one|two|three|four|five|six|seven|eight|nine)(?:\s+(?:zero|one|two|"
    r"three|four|five|six|seven|eight|nine))*)?"
    r"(?:\s+and\s+a\s+half)?\b")
_DIGIT_WORD = {w: str(v) for w, v in _EN_UNITS.items() if v < 10}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?")
# Kept as words: units that start with a numeral character (千帕 = kPa), and "一点"/"一下"/"一些",
# which mean "a bit"/"a moment" (amounts of vagueness, not numbers), and words built on 一.
_CN_VAGUE = re.compile(r"千帕|千米|千克|千瓦|百帕|兆帕|一点(?![零〇一二两三四五六七八九\d])儿?|一下|一些"
                       r"|有点|点儿|一氧化碳|二氧化碳|二氧化|一切|一起|一样|一直|一共|一般|一定|万一|统一|唯一"
                       r"|两侧|两边|两头|两端")   # both sides: no amount


def _en_words_to_number(text: str) -> float | None:
    words = [w for w in re.split(r"[\s-]+", text.strip()) if w and w != "and"]
    half = False
    if words[-2:] == ["a", "half"]:
        half, words = True, words[:-2]
    fraction = ""
    if "point" in words:
        i = words.index("point")
        fraction = "".join(_DIGIT_WORD.get(w, "") for w in words[i + 1:])
        words = words[:i]
    total, current = 0, 0
    for word in words:
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    value = float(f"{total + current}.{fraction}" if fraction else total + current)
    return value + 0.5 if half else value


def cn_to_number(text: str) -> float | None:
    """Chinese numerals ("二十二", "两", "一百零五", "三点五") → float; None if not a number."""
    if "点" in text:
        whole, _, frac = text.partition("点")
        base = cn_to_number(whole) if whole else 0.0
        digits = "".join(str(_CN_DIGITS[c]) for c in frac if c in _CN_DIGITS)
        return None if base is None or not digits else float(f"{int(base)}.{digits}")
    total, section, digit = 0, 0, None
    if len(text) >= 3 and text[-1] in _CN_DIGITS and text[-2] in "千百万" and text[-3] != "零":
        # 三千五 = 3500, 一百五 = 150, 两万五 = 25000 (the last digit fills the next place)
        head = cn_to_number(text[:-1])
        return None if head is None else head + _CN_DIGITS[text[-1]] * _CN_SCALES[text[-2]] / 10
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SCALES:
            scale = _CN_SCALES[char]
            if scale == 10000:
                total = (total + section + (digit or 0)) * scale
                section = 0
            else:
                section += (1 if digit is None else digit) * scale
            digit = None
        else:
            return None
    return float(total + section + (digit or 0))


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def normalise_numbers(text: str) -> str:
    """Rewrite number words as digit literals; lower-cases English text."""
    text = text.lower()
    text = re.sub(r"(\d),(\d{3})\b", r"\1\2", text)
    text = re.sub(r"\bhalf\s+an?\s+", "0.5 ", text)
    text = re.sub(r"\b(?:a|one)\s+quarter\b", "25%", text)
    text = re.sub(r"\b(?:a|one)\s+and\s+a\s+half\b", "1.5", text)
    text = re.sub(r"\ban?\s+(hour|minute)\s+and\s+a\s+half\b", r"1.5 \1s", text)
    # "the living room one to 40%": the pronoun, not the number (but "set it to one" is a number)
    text = re.sub(r"(?<!to )(?<!at )(?<!by )(?<!of )\bone\b(?=\s*(?:to\b|at\b|and\b|,|\.|$))",
                  "\x02", text)
    text = _EN_NUMBER.sub(lambda m: _fmt(_en_words_to_number(m.group(0)) or 0)
                          if _en_words_to_number(m.group(0)) is not None else m.group(0), text)
    text = re.sub(r"(\d+(?:\.\d+)?)\s+and\s+a\s+half\b",
                  lambda m: _fmt(float(m.group(1)) + 0.5), text)
    text = text.replace("\x02", "one")
    text = re.sub(r"\b(?:minus|negative)\s+(\d)", r"-\1", text)
    text = re.sub(r"#\s*(\d)", r"\1", text)
    text = re.sub(r"\b(?:number|no\.)\s*(\d+)\b", r"\1", text)   # "fan number two" is fan 2
    # Chinese: protect vague phrases, then convert numerals.
    protected: list[str] = []

    def _protect(m: re.Match) -> str:
        protected.append(m.group(0))
        return f"\x00{len(protected) - 1}\x00"

    text = _CN_VAGUE.sub(_protect, text)
    text = text.replace("零下", "负")
    text = re.sub(r"百分之([零〇一二两三四五六七八九十百点\d.]+)",
                  lambda m: (_fmt(cn_to_number(m.group(1))) if not m.group(1)[0].isdigit()
                             else m.group(1)) + "%", text)
    # 五个百分点 / 5个百分点: percentage points, said as a percent
    text = re.sub(r"([零〇一二两三四五六七八九十百\d.]+)\s*个?百分点",
                  lambda m: (_fmt(cn_to_number(m.group(1))) if not m.group(1)[0].isdigit()
                             else m.group(1)) + "%", text)
    # 六成 / 6成: six tenths, said of an opening or a level ("开到六成" = 60 %; 成 after a verb,
    # as in 调成, is "to", not tenths)
    text = re.sub(r"(?<![零〇一二两三四五六七八九十百\d.])([一二两三四五六七八九十]|[1-9]|10)成(?![功为了绩本员])",
                  lambda m: _fmt(10 * (int(m.group(1)) if m.group(1).isdigit()
                                       else cn_to_number(m.group(1)) or 0)) + "%", text)
    text = re.sub(r"([零〇一二两三四五六七八九十百千万\d.]+)度半",
                  lambda m: _fmt((float(m.group(1)) if m.group(1)[0].isdigit()
                                  else cn_to_number(m.group(1)) or 0) + 0.5) + "度", text)
    # 降低一半 cuts the value by half (a decrease verb before 一半); 关一半 / 开一半 stay halfway
    text = re.sub(r"(降低|减少|减小|调低|调小|减低|缩小|下调)了?一半", "减半", text)
    text = re.sub(r"一半", "halfway", text)
    text = re.sub(r"半度", "0.5度", text)

    def _cn(m: re.Match) -> str:
        if set(m.group(0)) <= set("百千万"):   # 百叶窗, 千万: words, not numbers
            return m.group(0)
        value = cn_to_number(m.group(0))
        return m.group(0) if value is None else _fmt(value)

    text = _CN_NUMBER.sub(_cn, text)
    text = re.sub(r"负\s*(\d)", r"-\1", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], text)


# --- units -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    family: str      # temperature | delta-less families: percent, angle, speed, pressure, ...
    to_base: float   # multiply to reach the family's base unit (°C, m/s, bar, K, ...)
    offset: float = 0.0  # added before scaling (°F only)


_UNIT_SPELLINGS: list[tuple[str, Unit]] = [
    # longest spellings first (regex alternation is ordered)
    (r"degrees?\s+fahrenheit|degrees?\s+f\b|°\s*f\b|fahrenheit|华氏度|华氏|℉|f\b",
     Unit("temperature", 5 / 9, -32.0)),
    (r"degrees?\s+celsius|degrees?\s+centigrade|degrees?\s+c\b|°\s*c\b|celsius|centigrade|摄氏度|摄氏"
     r"|℃|c\b",
     Unit("temperature", 1.0)),
    (r"meters?\s+per\s+second|metres?\s+per\s+second|m/s|米每秒|米/秒|mps", Unit("speed", 1.0)),
    (r"meters?\s+per\s+minute|metres?\s+per\s+minute|m/min|米每分钟|米/分钟", Unit("speed", 1 / 60)),
    (r"feet\s+per\s+second|foot\s+per\s+second|ft/s|fps", Unit("speed", 0.3048)),
    (r"feet\s+per\s+minute|foot\s+per\s+minute|ft/min|fpm|英尺每分钟|英尺/分钟", Unit("speed", 0.3048 / 60)),
    (r"英尺每秒|英尺/秒", Unit("speed", 0.3048)),
    (r"kilometers?\s+per\s+hour|kilometres?\s+per\s+hour|km/h|kph|公里每小时|千米每小时",
     Unit("speed", 1 / 3.6)),
    (r"miles?\s+per\s+hour|mph", Unit("speed", 0.44704)),
    (r"centimet(?:er|re)s?\s+per\s+second|cm/s|厘米每秒", Unit("speed", 0.01)),
    (r"millilit(?:er|re)s?\s+per\s+minute|ml/min|毫升每分钟|毫升/分钟", Unit("flow", 0.001)),
    (r"millilit(?:er|re)s?\s+per\s+hour|ml/h|毫升每小时", Unit("flow", 0.001 / 60)),
    (r"cubic\s+met(?:er|re)s?\s+per\s+hour|m3/h|m³/h|立方米每小时|立方每小时", Unit("flow", 1000 / 60)),
    (r"milligrams?\s+per\s+lit(?:er|re)|mg/l|毫克每升|毫克/升", Unit("concentration", 1.0)),
    (r"parts?\s+per\s+million|ppm", Unit("concentration_ppm", 1.0)),
    (r"kilohertz|khz|千赫", Unit("frequency", 1000.0)),
    (r"hertz|hz|赫兹|赫", Unit("frequency", 1.0)),
    (r"milliamps?|milliamperes?|ma\b|毫安", Unit("current", 0.001)),
    (r"amps?|amperes?|安培", Unit("current", 1.0)),
    (r"volts?|伏特|伏", Unit("voltage", 1.0)),
    (r"rpm|revolutions?\s+per\s+minute|转每分钟?|转/分", Unit("rotation", 1.0)),
    (r"psi", Unit("pressure", 0.0689476)),
    (r"kpa|千帕", Unit("pressure", 0.01)),
    (r"mpa|兆帕", Unit("pressure", 10.0)),
    (r"atmospheres?|atm|个大气压|大气压", Unit("pressure", 1.01325)),
    (r"bars?|巴", Unit("pressure", 1.0)),
    (r"mireds?|mireks?", Unit("kelvin", -1.0)),  # reciprocal, handled in to_resource_unit
    (r"kelvins?|k\b|开尔文", Unit("kelvin", 1.0)),
    (r"percent|per\s+cent|percentage\s+points?|points?|%", Unit("percent", 1.0)),
    (r"degrees?|deg\b|°|度", Unit("degree", 1.0)),   # temperature or angle: decided by the resource
    (r"kilowatts?|kw\b|千瓦", Unit("power", 1000.0)),
    (r"watts?|w\b|瓦", Unit("power", 1.0)),
    (r"liters?\s+per\s+minute|litres?\s+per\s+minute|l/min|升每分钟", Unit("flow", 1.0)),
    (r"gallons?\s+per\s+minute|gpm", Unit("flow", 3.78541)),
    (r"(?:liters?|litres?)\s+per\s+hour|l/h|升每小时", Unit("flow", 1 / 60)),
    (r"steps?|notch(?:es)?|档|级", Unit("step", 1.0)),
    (r"millimet(?:er|re)s?|mm\b|毫米", Unit("length", 0.001)),
    (r"centimet(?:er|re)s?|cm\b|厘米", Unit("length", 0.01)),
    (r"met(?:er|re)s?|m\b|米", Unit("length", 1.0)),
    (r"feet|foot|ft\b|英尺", Unit("length", 0.3048)),
    (r"seconds?|secs?|秒", Unit("time", 1.0)),
    (r"minutes?|mins?|分钟", Unit("time", 60.0)),
    (r"hours?|hrs?|小时", Unit("time", 3600.0)),
    # units we do not convert: a number with one of these is never taken as a bare number
    (r"inch(?:es)?|yards?|pounds?|lbs?|kg|kilograms?|grams?|ounces?|oz|cups?|gallons?|liters?"
     r"|litres?|miles?|lux|db|decibels?",
     Unit("other", 1.0)),
    (r"millibars?|mbar|hpa|百帕", Unit("pressure", 0.001)),
]
_UNIT_RE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(" + "|".join(f"(?:{p})" for p, _ in _UNIT_SPELLINGS)
                      + r")?")
_PER_MINUTE_CN = re.compile(r"每分钟\s*(-?\d+(?:\.\d+)?)\s*米")
_PER_HOUR_CN = re.compile(r"每小时\s*(-?\d+(?:\.\d+)?)\s*(?:公里|千米)")
_PER_SECOND_CN = re.compile(r"每秒\s*(-?\d+(?:\.\d+)?)\s*米")
# 每秒2英尺 / 每分钟90英尺: the time said first, as 每秒2米 is
_PER_TIME_FEET_CN = re.compile(r"每(秒|分钟)\s*(-?\d+(?:\.\d+)?)\s*英尺")
_PER_MINUTE_ML_CN = re.compile(r"每分钟\s*(-?\d+(?:\.\d+)?)\s*毫升")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: Unit | None
    start: int
    end: int
    unit_text: str = ""


def _unit_for(text: str) -> Unit | None:
    for pattern, unit in _UNIT_SPELLINGS:
        if re.fullmatch(pattern, text):
            return unit
    return None


def find_quantities(text: str) -> list[Quantity]:
    """Every number literal in normalised text with the unit written right after it (if any)."""
    text = _PER_MINUTE_CN.sub(lambda m: f"{m.group(1)} m/min", text)
    text = _PER_HOUR_CN.sub(lambda m: f"{m.group(1)} km/h", text)
    text = _PER_SECOND_CN.sub(lambda m: f"{m.group(1)} m/s", text)
    text = _PER_TIME_FEET_CN.sub(
        lambda m: f"{m.group(2)} {'ft/s' if m.group(1) == '秒' else 'ft/min'}".ljust(len(m.group(0))), text)
    text = _PER_MINUTE_ML_CN.sub(lambda m: f"{m.group(1)} ml/min".ljust(len(m.group(0))), text)
    # 华氏七十度 → "70°f", padded so that positions found later still index the same text
    text = re.sub(r"华氏\s*(-?\d+(?:\.\d+)?)\s*度?",
                  lambda m: f"{m.group(1)}°f".ljust(len(m.group(0))), text)
    text = re.sub(r"摄氏\s*(-?\d+(?:\.\d+)?)\s*度?",
                  lambda m: f"{m.group(1)}°c".ljust(len(m.group(0))), text)
    found = []
    for m in _UNIT_RE.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isalpha() and text[m.start() - 1].isascii()):
            continue  # part of an identifier such as "m3"
        unit_text = (m.group(2) or "").strip()
        found.append(Quantity(float(m.group(1)), _unit_for(unit_text) if unit_text else None,
                              m.start(), m.end(), unit_text))
    return found


# Units in profiles, mapped onto the same families.
_PROFILE_UNITS = {
    "°c": ("temperature", 1.0), "c": ("temperature", 1.0), "degc": ("temperature", 1.0),
    "celsius": ("temperature", 1.0), "℃": ("temperature", 1.0), "°f": ("temperature_f", 1.0),
    "℉": ("temperature_f", 1.0), "degf": ("temperature_f", 1.0),
    "%": ("percent", 1.0), "%rh": ("percent", 1.0), "percent": ("percent", 1.0),
    "°": ("angle", 1.0), "deg": ("angle", 1.0), "degrees": ("angle", 1.0),
    "m/s": ("speed", 1.0), "m/min": ("speed", 1 / 60), "km/h": ("speed", 1 / 3.6),
    "bar": ("pressure", 1.0), "kpa": ("pressure", 0.01), "psi": ("pressure", 0.0689476),
    "mpa": ("pressure", 10.0), "mbar": ("pressure", 0.001), "hpa": ("pressure", 0.001),
    "k": ("kelvin", 1.0), "w": ("power", 1.0), "kw": ("power", 1000.0), "l/min": ("flow", 1.0),
    "ml/min": ("flow", 0.001), "ml/h": ("flow", 0.001 / 60), "l/h": ("flow", 1 / 60),
    "m3/h": ("flow", 1000 / 60), "m³/h": ("flow", 1000 / 60), "gpm": ("flow", 3.78541),
    "mg/l": ("concentration", 1.0), "ppm": ("concentration_ppm", 1.0),
    "hz": ("frequency", 1.0), "khz": ("frequency", 1000.0), "a": ("current", 1.0),
    "ma": ("current", 0.001), "v": ("voltage", 1.0), "rpm": ("rotation", 1.0),
    "m": ("length", 1.0), "cm": ("length", 0.01), "mm": ("length", 0.001), "ft": ("length", 0.3048),
    "s": ("time", 1.0), "sec": ("time", 1.0), "seconds": ("time", 1.0), "min": ("time", 60.0),
    "minutes": ("time", 60.0), "h": ("time", 3600.0), "hours": ("time", 3600.0),
}


def unit_matches_profile(said: str, resource_units: str) -> bool:
    """'24 amps' fits a resource in "A", '300 lux' one in "lx": same unit, no conversion."""
    said, units = said.strip().lower().rstrip("s"), (resource_units or "").strip().lower()
    aliases = {"amp": "a", "volt": "v", "lux": "lx", "decibel": "db", "kilogram": "kg",
               "meter": "m", "metre": "m", "liter": "l", "litre": "l"}
    return bool(units) and aliases.get(said, said) == units


def profile_unit_family(units: str) -> tuple[str, float] | None:
    return _PROFILE_UNITS.get((units or "").strip().lower())


def convert(quantity: Quantity, resource_units: str, *, delta: bool = False,
            angle_resource: bool = False) -> float | None:
    """Convert ``quantity`` into ``resource_units``; None when the families do not match.

    ``delta`` converts a difference (no °F offset); ``angle_resource`` makes bare degrees an angle.
    A quantity without a unit is taken as already in the resource's unit, except that a
    temperature without a scale is °C.
    """
    unit = quantity.unit
    family = profile_unit_family(resource_units)
    if family and family[0] == "temperature_f" and (unit is None or unit.family == "degree"):
        # the command-set convention: a temperature without its scale is °C, also for a setting
        # that works in °F ("set fv4 to 19" = 66.2 °F; a bare 65 is 149 °F and out of range)
        return quantity.value * 9 / 5 + (0 if delta else 32)
    if unit is None or unit.family == "step":
        return quantity.value
    if unit.family == "other":
        return quantity.value if unit_matches_profile(quantity.unit_text, resource_units) else None
    if family is None:
        unitless_resource = unit.family in ("degree", "percent") and not resource_units
        return quantity.value if unitless_resource else None
    fam, scale = family
    if unit.family == "degree":
        if fam in ("angle", "temperature_f") or (fam == "temperature" and not angle_resource):
            return quantity.value
        return None
    if fam == "temperature_f" and unit.family == "temperature":
        celsius = (quantity.value + (0 if delta else unit.offset)) * unit.to_base
        return celsius * 9 / 5 + (0 if delta else 32)
    if unit.family != fam:
        return None
    if unit.family == "kelvin" and unit.to_base < 0:
        return None if delta or quantity.value == 0 else 1_000_000 / quantity.value
    base = (quantity.value + (0 if delta else unit.offset)) * unit.to_base
    return base / scale


# --- precision and spelling ------------------------------------------------------------------

INTEGER_TYPES = {"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"}
FLOAT_TYPES = {"float32", "float64"}


def precision_for(value_type: str, units: str) -> int:
    """Decimal places a value is rounded to: whole numbers for integer types, 0.1 for temperatures,
    0.01 for other floats (the dataset's rounding table, generalised by unit)."""
    if value_type.lower() in INTEGER_TYPES:
        return 0
    family = profile_unit_family(units)
    if family and family[0] in ("temperature", "temperature_f", "percent", "angle"):
        return 1
    return 2


def round_half_away(value: float, places: int) -> float:
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return float(rounded)


def edgex_string(value: float, value_type: str) -> str:
    """Spell a number the way the dataset and EdgeX expect: "30", "22.0", "3.45"."""
    if value_type.lower() in INTEGER_TYPES:
        return str(int(round_half_away(value, 0)))
    text = repr(float(value))
    if "e" in text:
        text = format(value, "f").rstrip("0")
    return text if "." in text and not text.endswith(".") else text.rstrip(".") + ".0"
