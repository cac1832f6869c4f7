"""EdgeX device profile and device records, as immutable dataclasses.

Field names follow EdgeX's DTOs in snake_case (``valueType`` -> ``value_type``). Instances are built by
``parse.py`` after validation, so code holding one can rely on EdgeX's rules being met.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

READ_WRITE = ("R", "W", "RW", "WR")

# Canonical valueType spellings (CC common/constants.go); matched case-insensitively on input.
VALUE_TYPES = (
    "Bool", "String", "Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32", "Int64",
    "Float32", "Float64", "Binary", "BoolArray", "StringArray", "Uint8Array", "Uint16Array",
    "Uint32Array", "Uint64Array", "Int8Array", "Int16Array", "Int32Array", "Int64Array",
    "Float32Array", "Float64Array", "Object", "ObjectArray",
)
INTEGER_TYPES = ("Uint8", "Uint16", "Uint32", "Uint64", "Int8", "Int16", "Int32", "Int64")
FLOAT_TYPES = ("Float32", "Float64")

_ALLOWED_VALUES = re.compile(r"allowed values\s*:\s*([^.]*)\.?", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def allowed_values(description: str) -> tuple[str, ...]:
    """The enumeration a String resource documents as ``Allowed values: a, b, c.`` (else empty).

    EdgeX has no enum for String resources, so integrators write the list into the description.
    """
    match = _ALLOWED_VALUES.search(description or "")
    if not match:
        return ()
    return tuple(v.strip() for v in match.group(1).split(",") if v.strip())


def go_duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration such as ``"10s"``, ``"1m30s"`` or ``"500ms"``; None if malformed."""
    text = (text or "").strip()
    if not text:
        return None
    position, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return total if position == len(text) else None


@dataclass(frozen=True)
class ResourceProperties:
    value_type: str
    read_write: str
    units: str = ""
    minimum: float | None = None
    maximum: float | None = None
    default_value: str = ""
    mask: int | None = None
    shift: int | None = None
    scale: float | None = None
    offset: float | None = None
    base: float | None = None
    assertion: str = ""
    media_type: str = ""
    optional: Mapping[str, Any] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        return "R" in self.read_write

    @property
    def writable(self) -> bool:
        return "W" in self.read_write


@dataclass(frozen=True)
class DeviceResource:
    name: str
    properties: ResourceProperties
    description: str = ""
    is_hidden: bool = False
    attributes: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed_values(self) -> tuple[str, ...]:
        return allowed_values(self.description)


@dataclass(frozen=True)
class ResourceOperation:
    device_resource: str
    default_value: str = ""
    mappings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceCommand:
    name: str
    read_write: str
    resource_operations: tuple[ResourceOperation, ...]
    is_hidden: bool = False
    tags: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DeviceProfile:
    name: str
    device_resources: tuple[DeviceResource, ...] = ()
    device_commands: tuple[DeviceCommand, ...] = ()
    manufacturer: str = ""
    model: str = ""
    description: str = ""
    labels: tuple[str, ...] = ()
    source: str = field(default="", compare=False)  # where it was read from, not part of its identity

    def resource(self, name: str) -> DeviceResource | None:
        return next((r for r in self.device_resources if r.name == name), None)

    def command(self, name: str) -> DeviceCommand | None:
        return next((c for c in self.device_commands if c.name == name), None)

    def command_resources(self, command: DeviceCommand) -> tuple[DeviceResource, ...]:
        """The resources a command touches, in its resourceOperations order."""
        return tuple(r for r in (self.resource(op.device_resource) for op in command.resource_operations)
                     if r is not None)


@dataclass(frozen=True)
class AutoEvent:
    source_name: str
    interval: str
    on_change: bool = False
    on_change_threshold: float = 0.0

    @property
    def interval_seconds(self) -> float | None:
        return go_duration_seconds(self.interval)


@dataclass(frozen=True)
class Device:
    name: str
    profile_name: str
    service_name: str
    description: str = ""
    labels: tuple[str, ...] = ()
    admin_state: str = "UNLOCKED"
    operating_state: str = "UP"
    protocols: Mapping[str, Any] = field(default_factory=dict)
    auto_events: tuple[AutoEvent, ...] = ()
    location: Any = None
    tags: Mapping[str, Any] = field(default_factory=dict)
    properties: Mapping[str, Any] = field(default_factory=dict)

    def label_values(self, prefix: str) -> tuple[str, ...]:
        """Values of ``prefix:value`` labels, e.g. ``label_values("alias")`` -> Chinese aliases."""
        start = prefix + ":"
        return tuple(label[len(start):] for label in self.labels if label.startswith(start))
