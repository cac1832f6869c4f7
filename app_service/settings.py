"""Typed readers for configuration values.

Every subsystem validates its own section once, at start-up, with these readers. They raise
``ConfigError`` naming the full key path, the value and what is accepted.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping

from .errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _path(section: str, key: str) -> str:
    return f"{section}.{key}" if section else key


def get_str(sec: Mapping[str, Any], key: str, section: str = "", default: str | None = None) -> str:
    value = sec.get(key, default)
    if value is None:
        raise ConfigError(_path(section, key), value, "a string (the key is required)")
    if isinstance(value, (dict, list)):
        raise ConfigError(_path(section, key), value, "a string")
    return str(value)


def get_bool(sec: Mapping[str, Any], key: str, section: str = "", default: bool | None = None) -> bool:
    value = sec.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ConfigError(_path(section, key), value, "true or false")


def get_int(sec: Mapping[str, Any], key: str, section: str = "", default: int | None = None,
            minimum: int | None = None, maximum: int | None = None) -> int:
    value = sec.get(key, default)
    accepted = "an integer" + _bounds(minimum, maximum)
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
        if number is None:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(_path(section, key), value, accepted) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ConfigError(_path(section, key), value, accepted)
    return number


def get_float(sec: Mapping[str, Any], key: str, section: str = "", default: float | None = None,
              minimum: float | None = None, maximum: float | None = None) -> float:
    value = sec.get(key, default)
    accepted = "a number" + _bounds(minimum, maximum)
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(_path(section, key), value, accepted) from None
    if not math.isfinite(number) or (minimum is not None and number < minimum) or (
            maximum is not None and number > maximum):
        raise ConfigError(_path(section, key), value, accepted)
    return number


def get_duration(sec: Mapping[str, Any], key: str, section: str = "", default: str | None = None,
                 allow_zero: bool = True) -> float:
    """Parse a Go-style duration ("10s", "500ms", "1m", "0s") into seconds."""
    value = sec.get(key, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value)) if value is not None else None
        if not match:
            raise ConfigError(_path(section, key), value, 'a duration such as "500ms", "10s" or "1m"')
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]
    if seconds < 0 or (seconds == 0 and not allow_zero):
        raise ConfigError(_path(section, key), value, "a positive duration")
    return seconds


def get_choice(sec: Mapping[str, Any], key: str, choices: Iterable[str], section: str = "",
               default: str | None = None, case_sensitive: bool = False) -> str:
    """Return the canonical spelling (from ``choices``) of a value that must be one of them."""
    value = sec.get(key, default)
    options = list(choices)
    for option in options:
        if value == option or (not case_sensitive and isinstance(value, str)
                               and value.lower() == option.lower()):
            return option
    raise ConfigError(_path(section, key), value, "one of " + ", ".join(options))


def get_list(sec: Mapping[str, Any], key: str, section: str = "", default: Any = None) -> list[str]:
    """A list given as a TOML array or as a comma-separated string (EdgeX style)."""
    value = sec.get(key, default)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise ConfigError(_path(section, key), value, "a list of strings or a comma-separated string")


def get_section(sec: Mapping[str, Any], key: str, section: str = "") -> dict[str, Any]:
    value = sec.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(_path(section, key), value, "a table")
    return value


def _bounds(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" between {minimum} and {maximum}"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""
