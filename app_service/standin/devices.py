"""Virtual devices for the stand-in: profiles and devices as plain dicts, state, reads and writes
with the device SDK's rules, and realistic signals for the readings they report."""
from __future__ import annotations

import math
import random
import re
import threading
from typing import Any

from . import wire
from .signals import Signals

INT_RANGES = {"Uint8": (0, 2**8 - 1), "Uint16": (0, 2**16 - 1), "Uint32": (0, 2**32 - 1),
              "Uint64": (0, 2**64 - 1), "Int8": (-2**7, 2**7 - 1), "Int16": (-2**15, 2**15 - 1),
              "Int32": (-2**31, 2**31 - 1), "Int64": (-2**63, 2**63 - 1)}
GO_TRUE, GO_FALSE = ("1", "t", "T", "TRUE", "true", "True"), ("0", "f", "F", "FALSE", "false", "False")
_ALLOWED = re.compile(r"allowed values\s*:\s*([^.]*)", re.IGNORECASE)


class DeviceError(Exception):
    """A device-service refusal, with the HTTP status EdgeX gives it."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _canonical_type(value_type: str) -> str:
    for known in list(INT_RANGES) + ["Bool", "String", "Float32", "Float64", "Binary", "Object"]:
        if known.lower() == str(value_type).lower():
            return known
    return value_type


def parse_value(resource: dict, text: Any) -> str:
    """Check a value written to ``resource`` as the device SDK does; return its canonical string."""
    props = resource.get("properties") or {}
    value_type = _canonical_type(props.get("valueType", ""))
    text = text if isinstance(text, str) else str(text).lower() if isinstance(text, bool) else str(text)
    name = resource["name"]
    if value_type == "Bool":
        if text not in GO_TRUE + GO_FALSE:
            raise DeviceError(400, f"failed to parse {name} value {text!r} as Bool")
        return "true" if text in GO_TRUE else "false"
    if value_type in INT_RANGES:
        low, high = INT_RANGES[value_type]
        try:
            number: float = int(text, 10)
        except ValueError:
            raise DeviceError(400, f"failed to parse {name} value {text!r} as {value_type}") from None
        if not low <= number <= high:
            raise DeviceError(400, f"{name} value {text!r} overflows {value_type}")
    elif value_type in ("Float32", "Float64"):
        try:
            number = float(text)
        except ValueError:
            raise DeviceError(400, f"failed to parse {name} value {text!r} as {value_type}") from None
        if not math.isfinite(number):
            raise DeviceError(400, f"{name} value {text!r} is not a finite number")
    else:
        return text
    minimum, maximum = props.get("minimum"), props.get("maximum")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise DeviceError(400, f"set command parameter out of minimum or maximum value range: "
                               f"{name}={text} (minimum {minimum}, maximum {maximum})")
    return str(int(number)) if value_type in INT_RANGES else repr(float(number))


class VirtualDevices:
    """State and behaviour of the simulated devices (thread-safe)."""

    def __init__(self, profiles: dict[str, dict], devices: dict[str, dict], state: dict | None,
                 *, float_style: str, fault_rate: float = 0.004, seed: int | None = None):
        self.profiles, self.devices = profiles, devices
        self.float_style = float_style
        self.fault_rate = fault_rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._signals = Signals(self._rng)
        self._given = state or {}
        self.state: dict[str, dict[str, str]] = {}
        for name, device in devices.items():
            self._fill_state(name, profiles.get(device.get("profileName", ""), {}))

    def _fill_state(self, device: str, profile: dict) -> dict[str, str]:
        """Initial values for resources the state does not hold yet (also for devices and profiles
        added to core-metadata later): the given state, else defaultValue, else a neutral value."""
        given = self._given.get(device, {})
        values = self.state.setdefault(device, {})
        for resource in profile.get("deviceResources") or []:
            name = resource["name"]
            if name in values:
                continue
            props = resource.get("properties") or {}
            if name in given:
                values[name] = str(given[name])
            elif props.get("defaultValue") not in (None, ""):
                values[name] = str(props["defaultValue"])
            else:
                values[name] = _initial(resource)
        return values

    # --- lookups -----------------------------------------------------------------------------
    def device(self, name: str) -> dict:
        device = self.devices.get(name)
        if device is None:
            raise DeviceError(404, f"fail to query device by name {name}")
        return device

    def profile_of(self, device: dict) -> dict:
        profile = self.profiles.get(device.get("profileName", ""))
        if profile is None:
            raise DeviceError(404, f"device profile {device.get('profileName')!r} not found")
        return profile

    @staticmethod
    def resource(profile: dict, name: str) -> dict | None:
        return next((r for r in profile.get("deviceResources") or [] if r["name"] == name), None)

    def source(self, device_name: str, command: str) -> tuple[dict, dict, str, list[dict]]:
        """(device, profile, readWrite, [(resource, operation)…]) for a command or resource name.

        A deviceCommand is looked up before a deviceResource, as the device SDK does.
        """
        device = self.device(device_name)
        profile = self.profile_of(device)
        for cmd in profile.get("deviceCommands") or []:
            if cmd["name"] == command:
                ops = [(self.resource(profile, op["deviceResource"]), op)
                       for op in cmd.get("resourceOperations") or []]
                return device, profile, cmd.get("readWrite", ""), ops
        resource = self.resource(profile, command)
        if resource is None:
            raise DeviceError(404, f"deviceResource or deviceCommand {command} not found "
                                   f"in profile {profile.get('name')}")
        return device, profile, resource["properties"]["readWrite"], [(resource, {})]

    @staticmethod
    def check_usable(device: dict) -> None:
        if device.get("adminState", "UNLOCKED") == "LOCKED":
            raise DeviceError(423, f"device {device['name']} is locked")
        if device.get("operatingState", "UP") == "DOWN":
            raise DeviceError(423, f"device {device['name']} is down (operatingState DOWN)")

    # --- reads and writes --------------------------------------------------------------------
    def read(self, device_name: str, command: str, *, simulate: bool = False) -> dict:
        """The Event a GET of ``command`` returns. ``simulate`` advances the signals (auto events)."""
        device, profile, access, ops = self.source(device_name, command)
        self.check_usable(device)
        if "R" not in access:
            raise DeviceError(405, f"{command} is marked as write-only")
        origin = wire.now_ns()
        with self._lock:
            fault = simulate and self._rng.random() < self.fault_rate
            readings = [self._reading(device, profile, resource, op, origin, simulate, fault)
                        for resource, op in ops]
        return wire.event(device["name"], profile["name"], command, readings, origin)

    def write(self, device_name: str, command: str, values: dict) -> dict[str, str]:
        """Apply a SET body; returns what was stored. Raises DeviceError like the device SDK."""
        device, profile, access, ops = self.source(device_name, command)
        self.check_usable(device)
        if "W" not in access:
            raise DeviceError(405, f"{command} is marked as read-only")
        updates: dict[str, str] = {}
        for resource, op in ops:
            name = resource["name"]
            if name in values:
                raw = values[name]
            elif op.get("defaultValue") not in (None, ""):
                raw = op["defaultValue"]
            elif (resource.get("properties") or {}).get("defaultValue") not in (None, ""):
                raw = resource["properties"]["defaultValue"]
            else:
                raise DeviceError(400, f"missing value for resource {name} of command {command}")
            if "W" not in resource["properties"]["readWrite"]:
                raise DeviceError(405, f"{name} is marked as read-only")
            updates[name] = parse_value(resource, raw)
        with self._lock:
            self._fill_state(device["name"], profile).update(updates)
        return updates

    # --- signals -----------------------------------------------------------------------------
    def _reading(self, device: dict, profile: dict, resource: dict, op: dict, origin: int,
                 simulate: bool, fault: bool) -> dict:
        props = resource.get("properties") or {}
        value_type = _canonical_type(props.get("valueType", ""))
        values = self._fill_state(device["name"], profile)
        text = values.get(resource["name"], "")
        if simulate and props.get("readWrite") == "R":
            text = self._signals.next_value(device["name"], values, profile, resource,
                                            _allowed(resource.get("description", "")), fault)
            values[resource["name"]] = text
        mapped = (op.get("mappings") or {}).get(text, text)
        if value_type in ("Float32", "Float64"):
            mapped = wire.format_float(float(mapped), value_type, self.float_style)
        return wire.reading(device["name"], profile["name"], resource["name"], value_type, mapped,
                            origin, props.get("units", ""))


def _allowed(description: str) -> list[str]:
    match = _ALLOWED.search(description or "")
    return [v.strip() for v in match.group(1).split(",") if v.strip()] if match else []


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _initial(resource: dict) -> str:
    props = resource.get("properties") or {}
    value_type = _canonical_type(props.get("valueType", ""))
    if value_type == "Bool":
        return "false"
    if value_type == "String":
        allowed = _allowed(resource.get("description", ""))
        return allowed[0] if allowed else ""
    if value_type in INT_RANGES or value_type in ("Float32", "Float64"):
        low = props.get("minimum")
        number = low if low is not None else 0
        return str(int(number)) if value_type in INT_RANGES else repr(float(number))
    return ""
