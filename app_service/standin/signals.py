"""Plausible sensor signals for the virtual devices.

No device names are known here; behaviour follows from the profile, generically:
- a read-only numeric resource with the same units as a writable one follows that set point with a lag
  (room temperature towards the thermostat set point, pump pressure towards its target);
- when the device has a writable on/off switch (a Bool such as Power or Running) that is off, readings
  whose minimum is 0 (current, flow, power draw, vibration) fall to rest at 0, and come back when on;
- energy counters (kWh/Wh) only grow, by the power the device reports in W;
- everything else wanders around its initial value (a mean-reverting walk plus a slow wave), so a
  reading is never flat;
- a fault is a spike of 35-50 % of the range, or an unusual word for a status string.
"""
from __future__ import annotations

import math
import random
import time

INT_TYPES = ("Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32", "Int64")
NUMERIC_TYPES = INT_TYPES + ("Float32", "Float64")
COUNTER_UNITS = {"kWh": 3_600_000.0, "Wh": 3600.0}   # joules per unit
SLOW_UNITS = ("°C", "°F", "K")                      # thermal mass: follow set points slowly


def _props(resource: dict) -> dict:
    return resource.get("properties") or {}


def _type(resource: dict) -> str:
    value_type = str(_props(resource).get("valueType", ""))
    return next((t for t in NUMERIC_TYPES + ("Bool", "String") if t.lower() == value_type.lower()),
                value_type)


def _number(text: str, default: float = 0.0) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


class Signals:
    def __init__(self, rng: random.Random):
        self._rng = rng
        self._level: dict[tuple[str, str], float] = {}
        self._on_level: dict[tuple[str, str], float] = {}
        self._walk: dict[tuple[str, str], float] = {}
        self._resting: dict[tuple[str, str], str] = {}
        self._last_time: dict[tuple[str, str], float] = {}

    def next_value(self, device: str, state: dict[str, str], profile: dict, resource: dict,
                   allowed: list[str], fault: bool) -> str:
        """The next reading of ``resource`` (an EdgeX string), given the device's current state."""
        key = (device, resource["name"])
        text = state.get(resource["name"], "")
        value_type = _type(resource)
        if value_type == "String":
            resting = self._resting.setdefault(key, text)
            if fault and len(allowed) > 1:
                return self._rng.choice([a for a in allowed[1:] if a != resting] or allowed)
            return resting
        if value_type not in NUMERIC_TYPES:
            return text
        props = _props(resource)
        low, high = props.get("minimum"), props.get("maximum")
        units = props.get("units", "")
        if units in COUNTER_UNITS:
            return self._counter(key, state, profile, _number(text), COUNTER_UNITS[units], value_type)
        level = self._level.setdefault(key, _number(text))
        target = self._target(key, state, profile, resource, level)
        level += (target - level) * (0.05 if units in SLOW_UNITS else 0.3)
        self._level[key] = level
        span = (high - low) if low is not None and high is not None else max(abs(level), 1.0)
        resting = target == 0.0 and low == 0
        self._walk[key] = walk = self._walk.get(key, 0.0) * 0.9 + self._rng.gauss(
            0, span * (0.0005 if resting else 0.004))
        wave = 0.0 if resting else math.sin(time.time() / 600.0 + len(key[1])) * span * 0.01
        value = level + walk + wave
        if fault:  # outside the normal band, possibly past the profile's limits: an anomaly
            value = level + span * self._rng.choice((0.35, 0.5, -0.35))
        else:
            value = max(low, value) if low is not None else value
            value = min(high, value) if high is not None else value
        return _format(value, value_type)

    def _target(self, key: tuple[str, str], state: dict[str, str], profile: dict, resource: dict,
                level: float) -> float:
        props = _props(resource)
        resources = profile.get("deviceResources") or []
        switches = [r for r in resources if _type(r) == "Bool" and "W" in _props(r).get("readWrite", "")]
        powered = all(state.get(r["name"]) != "false" for r in switches)
        if not powered and props.get("minimum") == 0:
            return 0.0
        units = props.get("units", "")
        setpoint = next((r for r in resources if r is not resource and units
                         and _props(r).get("units") == units and "W" in _props(r).get("readWrite", "")
                         and _type(r) in NUMERIC_TYPES), None)
        if setpoint is not None:
            return _number(state.get(setpoint["name"], ""), level)
        if key not in self._on_level:
            low, high = props.get("minimum"), props.get("maximum")
            typical = level if level or low is None or high is None else (low + high) / 2
            self._on_level[key] = typical
        return self._on_level[key]

    def _counter(self, key: tuple[str, str], state: dict[str, str], profile: dict, value: float,
                 joules_per_unit: float, value_type: str) -> str:
        now = time.monotonic()
        elapsed = now - self._last_time.get(key, now)
        self._last_time[key] = now
        watts = sum(max(0.0, _number(state.get(r["name"], ""))) for r in profile.get("deviceResources") or []
                    if _props(r).get("units") == "W")
        return _format(value + watts * elapsed / joules_per_unit, value_type)


def _format(value: float, value_type: str) -> str:
    if value_type in INT_TYPES:
        return str(int(round(value)))
    return repr(round(value, 4))
