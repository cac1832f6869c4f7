"""One-sentence answers to questions, from readings, with units, in the language asked (pure)."""
from __future__ import annotations

from .catalog import Catalog
from .lexicon import canon, split_name

_ZH_NAMES = {"temperature": "温度", "humidity": "湿度", "brightness": "亮度", "power": "电源",
             "speed": "速度", "pressure": "压力", "battery": "电量", "position": "开合度", "tilt": "叶片角度",
             "mode": "模式", "lock": "锁定", "run": "运行", "smoke": "烟雾", "co": "一氧化碳",
             "vibration": "振动", "current": "电流", "flow": "流量", "draw": "功率", "fan": "风速",
             "color": "色温", "target": "设定", "motor": "电机", "open": "开启", "level": "亮度",
             "moisture": "湿度", "soil": "土壤", "air": "空气", "input": "输入"}
_ZH_BOOL = {"true": "是", "false": "否"}


def _number(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:g}" if abs(number) < 1e6 else value


def _phrase_en(name: str, value: str, units: str) -> str:
    words = " ".join(split_name(name))
    if value.lower() in ("true", "false"):
        return f"{words}: {'yes' if value.lower() == 'true' else 'no'}"
    return f"{words} {_number(value)}{(' ' + units) if units and units != '%' else units}"


def _phrase_zh(name: str, value: str, units: str) -> str:
    words = "".join(_ZH_NAMES.get(w) or _ZH_NAMES.get(canon(w)[0]) or w for w in split_name(name))
    if value.lower() in ("true", "false"):
        return f"{words}：{_ZH_BOOL[value.lower()]}"
    return f"{words}{_number(value)}{units}"


def answer(lang: str, readings: dict[str, dict[str, str]], focus: dict[str, list[str]],
           catalog: Catalog) -> str:
    """``readings``: device → {resource: value}. Mentions the resources asked about, else all."""
    parts = []
    for device, values in readings.items():
        entry = catalog.entries.get(device)
        wanted = [r for r in focus.get(device, []) if r in values] or list(values)
        units = {n: (entry.resources[n].units if entry and n in entry.resources else "")
                 for n in wanted}
        if lang == "zh":
            alias = next((a for a in (entry.aliases if entry else ()) if not a.isascii()), device)
            parts.append(alias + "：" + "，".join(_phrase_zh(n, values[n], units[n]) for n in wanted))
        else:
            phrases = ", ".join(_phrase_en(n, values[n], units[n]) for n in wanted)
            parts.append(f"{device} reports {phrases}")
    if not parts:
        return "没有读数。" if lang == "zh" else "No readings were returned."
    return ("；".join(parts) + "。") if lang == "zh" else ("; ".join(parts) + ".")


_STATUS_ZH = {"ok": "已完成", "dry_run": "演练（未发送）", "confirmation_required": "需要确认",
              "error": "失败"}
_STATUS_EN = {"ok": "done", "dry_run": "dry run, not sent",
              "confirmation_required": "needs confirm=true", "error": "failed"}


def outcome(lang: str, results: list[dict]) -> str:
    """One sentence on what happened to each set: 'kitchen-light Power=true: done.'"""
    parts = []
    for result in results:
        values = ", ".join(f"{k}={v}" for k, v in (result.get("values") or {}).items())
        status = result.get("status", "")
        table = _STATUS_ZH if lang == "zh" else _STATUS_EN
        parts.append(f"{result['device']} {values}: {table.get(status, status)}".replace("  ", " "))
    return ("；".join(parts) + "。") if lang == "zh" else ("; ".join(parts) + ".")
