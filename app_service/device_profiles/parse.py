"""Parse and validate EdgeX device profiles and devices files.

Accepts the YAML a device service ships and the JSON core-metadata returns (same keys, plus ``id``,
``created``… which are ignored, as Go's decoder ignores unknown keys). The rules are those of
go-mod-core-contracts (``ValidateDeviceProfileDTO`` and the DTO validator tags); a breach raises
``ProfileError(source, field_path, problem)`` with a path like ``deviceResources[2].properties.valueType``.
"""
from __future__ import annotations

import json
import logging
import math
import os
from typing import Any, Mapping

import yaml

from ..errors import ProfileError
from .model import (READ_WRITE, VALUE_TYPES, AutoEvent, Device, DeviceCommand, DeviceProfile,
                    DeviceResource, ResourceOperation, ResourceProperties)

log = logging.getLogger(__name__)

_CANONICAL_TYPE = {t.lower(): t for t in VALUE_TYPES}
ADMIN_STATES = ("LOCKED", "UNLOCKED")
OPERATING_STATES = ("UP", "DOWN", "UNKNOWN")
_MISSING = object()


class _Fields:
    """Typed access to one mapping of a document, naming the field path in every error."""

    def __init__(self, data: Any, source: str, path: str):
        if not isinstance(data, Mapping):
            raise ProfileError(source, path or "<document>", f"expected a mapping, got {_kind(data)}")
        self.data, self.source, self.path = data, source, path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> ProfileError:
        return ProfileError(self.source, self.at(key), problem)

    def string(self, key: str, required: bool = False, lenient: bool = False) -> str:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                raise self.fail(key, "is required")
            return ""
        # yaml.v3 decodes any scalar into a string field; JSON does not (lenient covers YAML).
        if isinstance(value, str):
            return value
        if lenient and isinstance(value, (bool, int, float)):
            return str(value).lower() if isinstance(value, bool) else str(value)
        raise self.fail(key, f"expected a string, got {_kind(value)}")

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {value!r}")
        return value

    def number(self, key: str, integer: bool = False) -> float | int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            # EdgeX 3.x/4.x: minimum/maximum are *float64, so a quoted "0" is rejected (400).
            raise self.fail(key, f"expected a number, got {_kind(value)} {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"expected a finite number, got {value!r}")
        if integer:
            if isinstance(value, float) and not value.is_integer():
                raise self.fail(key, f"expected an integer, got {value!r}")
            return int(value)
        return float(value)

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(key, f"expected a mapping, got {_kind(value)}")
        return dict(value)

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected a list of strings")
        return tuple(value)

    def items(self, key: str, required: bool = False) -> list[Any]:
        value = self.data.get(key)
        if value is None or value == []:
            if required:
                raise self.fail(key, "needs at least one entry")
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list, got {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


def parse_profile(data: Any, source: str) -> DeviceProfile:
    """Validate one profile document (YAML or core-metadata JSON) and build a ``DeviceProfile``."""
    top = _Fields(data, source, "")
    resources = tuple(_parse_resource(item, source, f"deviceResources[{i}]")
                      for i, item in enumerate(top.items("deviceResources")))
    _require_unique([r.name for r in resources], source, "deviceResources", "device resource")
    by_name = {r.name: r for r in resources}
    commands = tuple(_parse_command(item, source, f"deviceCommands[{i}]", by_name)
                     for i, item in enumerate(top.items("deviceCommands")))
    _require_unique([c.name for c in commands], source, "deviceCommands", "device command")
    return DeviceProfile(
        name=top.string("name", required=True), device_resources=resources, device_commands=commands,
        manufacturer=top.string("manufacturer"), model=top.string("model"),
        description=top.string("description"), labels=top.string_list("labels"), source=source)


def _parse_resource(data: Any, source: str, path: str) -> DeviceResource:
    item = _Fields(data, source, path)
    name = item.string("name", required=True)
    props = _Fields(item.data.get("properties"), source, item.at("properties"))
    raw_type = props.string("valueType", required=True)
    value_type = _CANONICAL_TYPE.get(raw_type.lower())
    if value_type is None:
        raise props.fail("valueType", f"unknown valueType {raw_type!r}")
    read_write = props.string("readWrite", required=True)
    if read_write not in READ_WRITE:
        raise props.fail("readWrite", f"{read_write!r} is not one of {', '.join(READ_WRITE)}")
    if value_type == "Binary" and "W" in read_write:
        raise props.fail("readWrite", "Binary resources cannot be writable")
    media_type = props.string("mediaType")
    if value_type == "Binary" and not media_type:
        raise props.fail("mediaType", "is required for Binary resources")
    minimum, maximum = props.number("minimum"), props.number("maximum")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise props.fail("minimum", f"minimum {minimum} is greater than maximum {maximum}")
    mask = props.number("mask", integer=True)
    if mask is not None and mask < 0:
        raise props.fail("mask", "must be an unsigned integer")
    properties = ResourceProperties(
        value_type=value_type, read_write=read_write, units=props.string("units"),
        minimum=minimum, maximum=maximum, default_value=props.string("defaultValue", lenient=True),
        mask=mask, shift=props.number("shift", integer=True), scale=props.number("scale"),
        offset=props.number("offset"), base=props.number("base"),
        assertion=props.string("assertion", lenient=True), media_type=media_type,
        optional=props.mapping("optional"))
    return DeviceResource(name=name, properties=properties, description=item.string("description"),
                          is_hidden=item.boolean("isHidden"), attributes=item.mapping("attributes"),
                          tags=item.mapping("tags"))


def _parse_command(data: Any, source: str, path: str,
                   resources: Mapping[str, DeviceResource]) -> DeviceCommand:
    item = _Fields(data, source, path)
    name = item.string("name", required=True)
    read_write = item.string("readWrite", required=True)
    if read_write not in READ_WRITE:
        raise item.fail("readWrite", f"{read_write!r} is not one of {', '.join(READ_WRITE)}")
    operations = []
    for i, raw in enumerate(item.items("resourceOperations", required=True)):
        op = _Fields(raw, source, item.at(f"resourceOperations[{i}]"))
        resource_name = op.string("deviceResource", required=True)
        resource = resources.get(resource_name)
        if resource is None:
            raise op.fail("deviceResource", f"{resource_name!r} does not match any device resource")
        # A command may only ask for access its resources grant (R command on an RW resource is fine).
        if not set(read_write) <= set(resource.properties.read_write):
            raise item.fail("readWrite", f"{read_write!r} does not align with resource {resource_name!r} "
                                         f"({resource.properties.read_write!r})")
        mappings = op.mapping("mappings")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in mappings.items()):
            raise op.fail("mappings", "keys and values must be strings")
        operations.append(ResourceOperation(resource_name, op.string("defaultValue", lenient=True),
                                            mappings))
    return DeviceCommand(name=name, read_write=read_write, resource_operations=tuple(operations),
                         is_hidden=item.boolean("isHidden"), tags=item.mapping("tags"))


def _require_unique(names: list[str], source: str, path: str, what: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ProfileError(source, f"{path}[{i}].name", f"{what} {name!r} is duplicated")
        seen.add(name)


def parse_device(data: Any, source: str, path: str = "") -> Device:
    """Validate one device (devices-file entry or core-metadata Device DTO)."""
    item = _Fields(data, source, path)
    admin = item.string("adminState") or "UNLOCKED"
    if admin not in ADMIN_STATES:
        raise item.fail("adminState", f"{admin!r} is not one of {', '.join(ADMIN_STATES)}")
    operating = item.string("operatingState") or "UP"
    if operating not in OPERATING_STATES:
        raise item.fail("operatingState", f"{operating!r} is not one of {', '.join(OPERATING_STATES)}")
    auto_events = []
    for i, raw in enumerate(item.items("autoEvents")):
        event = _Fields(raw, source, item.at(f"autoEvents[{i}]"))
        auto = AutoEvent(source_name=event.string("sourceName", required=True),
                         interval=event.string("interval", required=True),
                         on_change=event.boolean("onChange"),
                         on_change_threshold=event.number("onChangeThreshold") or 0.0)
        if not auto.interval_seconds:
            raise event.fail("interval", f"{auto.interval!r} is not a positive Go duration like \"10s\"")
        auto_events.append(auto)
    return Device(
        name=item.string("name", required=True), profile_name=item.string("profileName"),
        service_name=item.string("serviceName", required=True), description=item.string("description"),
        labels=item.string_list("labels"), admin_state=admin, operating_state=operating,
        protocols=item.mapping("protocols"), auto_events=tuple(auto_events),
        location=item.data.get("location"), tags=item.mapping("tags"),
        properties=item.mapping("properties"))


def read_document(path: str) -> Any:
    """YAML or JSON file -> Python data, with decode errors turned into ProfileError."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        return json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as err:
        raise ProfileError(path, "<document>", f"cannot be read: {err}") from err


def load_devices(path: str) -> dict[str, Device]:
    """Devices in EdgeX's devices-file format (``deviceList:``), by name."""
    top = _Fields(read_document(path), path, "")
    devices: dict[str, Device] = {}
    for i, raw in enumerate(top.items("deviceList")):
        device = parse_device(raw, path, f"deviceList[{i}]")
        if device.name in devices:
            raise ProfileError(path, f"deviceList[{i}].name", f"device {device.name!r} is duplicated")
        devices[device.name] = device
    return devices


def load_profiles_dir(path: str) -> dict[str, DeviceProfile]:
    """Every profile file (*.yaml, *.yml) in a folder, by profile name.

    A devices file (top-level ``deviceList``) may sit in the same folder and is skipped; JSON files
    (such as the stand-in's ``state.json``) are not profiles.
    """
    profiles: dict[str, DeviceProfile] = {}
    for entry in sorted(os.listdir(path)):
        if not entry.endswith((".yaml", ".yml")):
            continue
        file_path = os.path.join(path, entry)
        data = read_document(file_path)
        if isinstance(data, Mapping) and "deviceList" in data:
            continue
        profile = parse_profile(data, file_path)
        if profile.name in profiles:
            raise ProfileError(file_path, "name", f"profile {profile.name!r} is also defined in "
                                                  f"{profiles[profile.name].source}")
        profiles[profile.name] = profile
    log.debug("loaded %d device profiles from %s", len(profiles), path)
    return profiles
