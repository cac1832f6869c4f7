"""EdgeX Event / Reading DTOs (INTERFACES.md §2) in EdgeX's JSON spelling.

``from_dict`` accepts what Go's decoder accepts: field names in any case, readings "optimized"
by ``EDGEX_OPTIMIZE_EVENT_PAYLOAD`` (back-filled from the event), and 4.x numeric ``value``s.
It validates what EdgeX validates (required names, ns ``origin``, at least one reading, a known
``valueType``) and raises ``PayloadError`` for anything else.
"""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import PayloadError
from .values import decode_binary, normalize_value_type, parse_value

API_VERSION = "v3"


def _getter(data: Mapping[str, Any], required: tuple[str, ...]) -> Callable[[str], Any]:
    """``get(key)``: the exact key (the common case, a plain ``dict.get``), else Go's
    case-insensitive match."""
    if all(k in data for k in required):
        return data.get
    lowered = {k.lower(): v for k, v in data.items() if isinstance(k, str)}

    def get(key: str) -> Any:
        value = data.get(key)
        return lowered.get(key.lower()) if value is None else value
    return get


def _name(get: Callable[[str], Any], key: str, what: str, default: Any = None) -> str:
    value = get(key)
    if value is None:
        value = default
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{what}.{key} is required and must be a non-empty string")
    return value


def _origin(value: Any, what: str) -> int:
    if value.__class__ is int:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PayloadError(f"{what}.origin must be an integer (ns since epoch), got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise PayloadError(f"{what}.origin must be an integer, got {value!r}")
        value = int(value)
    return value


def _tags(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{what}.tags must be an object")
    return dict(value)


@dataclass(slots=True)
class Reading:
    id: str = ""
    origin: int = 0
    device_name: str = ""
    resource_name: str = ""
    profile_name: str = ""
    value_type: str = "String"
    value: str | None = ""
    units: str = ""
    binary_value: bytes | None = None
    media_type: str = ""
    object_value: Any = None
    tags: dict[str, Any] = field(default_factory=dict)

    def typed(self) -> Any:
        """The Python value: bool/int/float/str, a list for arrays, bytes for Binary, the decoded
        JSON for Object."""
        if self.value_type == "Binary":
            return self.binary_value
        if self.value_type in ("Object", "ObjectArray"):
            return self.object_value
        if self.value is None:
            return None
        return parse_value(self.value_type, self.value)

    def to_dict(self, *, binary_as: str = "base64") -> dict[str, Any]:
        """EdgeX JSON (``binary_as="bytes"`` keeps ``binaryValue`` raw, for CBOR)."""
        out: dict[str, Any] = {}
        if self.id:
            out["id"] = self.id
        out["origin"] = self.origin
        out["deviceName"] = self.device_name
        out["resourceName"] = self.resource_name
        out["profileName"] = self.profile_name
        out["valueType"] = self.value_type
        if self.units:
            out["units"] = self.units
        if self.tags:
            out["tags"] = self.tags
        if self.value_type == "Binary":
            raw = self.binary_value or b""
            out["binaryValue"] = raw if binary_as == "bytes" else base64.b64encode(raw).decode()
            out["mediaType"] = self.media_type
        elif self.value_type in ("Object", "ObjectArray"):
            out["objectValue"] = self.object_value
        else:
            out["value"] = self.value
        return out

    @classmethod
    def from_dict(cls, data: Any, event: "Event | None" = None, single: bool = False) -> "Reading":
        if not isinstance(data, dict):
            raise PayloadError("reading must be an object")
        get = _getter(data, ("deviceName", "resourceName", "profileName", "valueType"))
        ev_device = event.device_name if event else None
        ev_profile = event.profile_name if event else None
        ev_source = event.source_name if single and event else None
        value_type = normalize_value_type(get("valueType"))
        origin = get("origin")
        reading = cls(
            id=get("id") or "",
            origin=_origin(origin if origin is not None else (event.origin if event else None),
                           "reading"),
            device_name=_name(get, "deviceName", "reading", ev_device),
            resource_name=_name(get, "resourceName", "reading", ev_source),
            profile_name=_name(get, "profileName", "reading", ev_profile),
            value_type=value_type,
            units=get("units") or "",
            tags=_tags(get("tags"), "reading"),
        )
        if not isinstance(reading.id, str) or not isinstance(reading.units, str):
            raise PayloadError("reading.id and reading.units must be strings")
        if value_type == "Binary":
            reading.binary_value = decode_binary(get("binaryValue") or b"")
            media = get("mediaType")
            if not isinstance(media, str) or not media:
                raise PayloadError("reading.mediaType is required for Binary readings")
            reading.media_type = media
            reading.value = None
        elif value_type in ("Object", "ObjectArray"):
            reading.object_value = get("objectValue")
            reading.value = None
        else:
            value = get("value")
            if value.__class__ is str or value is None:
                reading.value = value  # None: a 4.x NullReading
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                reading.value = repr(value) if isinstance(value, float) else str(value)
            else:
                raise PayloadError(f"reading.value must be a string, got {type(value).__name__}")
        return reading


@dataclass(slots=True)
class Event:
    id: str = ""
    device_name: str = ""
    profile_name: str = ""
    source_name: str = ""
    origin: int = 0
    readings: list[Reading] = field(default_factory=list)
    tags: dict[str, Any] = field(default_factory=dict)
    api_version: str = API_VERSION

    @classmethod
    def new(cls, device_name: str, profile_name: str, source_name: str, origin: int,
            readings: list[Reading] | None = None, tags: dict[str, Any] | None = None) -> "Event":
        return cls(str(uuid.uuid4()), device_name, profile_name, source_name, origin,
                   readings or [], tags or {})

    def to_dict(self, *, binary_as: str = "base64") -> dict[str, Any]:
        out: dict[str, Any] = {
            "apiVersion": self.api_version or API_VERSION,
            "id": self.id,
            "deviceName": self.device_name,
            "profileName": self.profile_name,
            "sourceName": self.source_name,
            "origin": self.origin,
            "readings": [r.to_dict(binary_as=binary_as) for r in self.readings],
        }
        if self.tags:
            out["tags"] = self.tags
        return out

    @classmethod
    def from_dict(cls, data: Any) -> "Event":
        if not isinstance(data, dict):
            raise PayloadError("event must be an object")
        get = _getter(data, ("id", "deviceName", "profileName", "sourceName", "origin",
                             "readings"))
        event_id = get("id")
        if not isinstance(event_id, str) or not event_id:
            raise PayloadError("event.id is required and must be a non-empty string")
        api_version = get("apiVersion") or API_VERSION
        if not isinstance(api_version, str):
            raise PayloadError("event.apiVersion must be a string")
        event = cls(
            id=event_id,
            device_name=_name(get, "deviceName", "event"),
            profile_name=_name(get, "profileName", "event"),
            source_name=_name(get, "sourceName", "event"),
            origin=_origin(get("origin"), "event"),
            tags=_tags(get("tags"), "event"),
            api_version=api_version,
        )
        readings = get("readings")
        if not isinstance(readings, list) or not readings:
            raise PayloadError("event.readings must hold at least one reading")
        single = len(readings) == 1
        event.readings = [Reading.from_dict(r, event, single) for r in readings]
        return event


def add_event_request(event: Event, request_id: str | None = None,
                      *, binary_as: str = "base64") -> dict[str, Any]:
    """``AddEventRequest`` = BaseRequest + event."""
    return {"apiVersion": API_VERSION, "requestId": request_id if request_id is not None
            else str(uuid.uuid4()), "event": event.to_dict(binary_as=binary_as)}


def base_response(status_code: int, message: str = "", request_id: str = "") -> dict[str, Any]:
    """EdgeX ``BaseResponse`` (``requestId`` and ``message`` are omitempty)."""
    out: dict[str, Any] = {"apiVersion": API_VERSION}
    if request_id:
        out["requestId"] = request_id
    if message:
        out["message"] = message
    out["statusCode"] = status_code
    return out


def event_from_body(body: Any) -> Event:
    """An ``AddEventRequest`` or a bare ``Event`` (AFS tries the first, then the second)."""
    if isinstance(body, dict):
        inner = body.get("event")
        if inner is None and "event" not in body:
            inner = next((v for k, v in body.items() if isinstance(k, str)
                          and k.lower() == "event"), None)
        if isinstance(inner, dict):
            return Event.from_dict(inner)
    return Event.from_dict(body)
