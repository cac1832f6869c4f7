"""EdgeX wire shapes, built for the stand-in straight from ../shared/edgex/INTERFACES.md.

Deliberately independent of ``app_service.edgex``: the stand-in plays the real EdgeX services in tests,
so it must not share the decoders it is used to check.
"""
from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import numpy as np

API_VERSION = "v3"
FLOAT_BITS = {"Float32": 32, "Float64": 64}


def new_id() -> str:
    return str(uuid.uuid4())


def now_ns() -> int:
    return time.time_ns()


def format_float(value: float, value_type: str, style: str) -> str:
    """A float reading the way a Go device service writes it.

    ``style="e"``: ``%e`` (CC <= v4.0.2, every 2.x/3.x and 4.0.0/4.0.1 service) -> ``1.250000e+01``.
    ``style="shortest"``: ``strconv.FormatFloat(v, 'e', -1, bits)`` (CC v4.0.3, EdgeX 4.0.2) ->
    ``1.25e+01``, shortest digits that round-trip at the type's precision.
    """
    if style == "e":
        return "%e" % (float(np.float32(value)) if value_type == "Float32" else value)
    number = np.float32(value) if value_type == "Float32" else np.float64(value)
    return np.format_float_scientific(number, unique=True, trim="-", exp_digits=2)


def base_response(status: int, message: str = "", request_id: str = "") -> dict:
    body: dict[str, Any] = {"apiVersion": API_VERSION}
    if request_id:
        body["requestId"] = request_id
    if message:
        body["message"] = message
    body["statusCode"] = status
    return body


def envelope(payload: Any, *, edgex_major: int, correlation_id: str = "", request_id: str = "",
             error_code: int = 0, content_type: str = "application/json",
             received_topic: str = "", query_params: dict | None = None,
             base64_payload: bool = False) -> bytes:
    """A MessageEnvelope as Go services put it on the bus.

    3.x: the payload is ``[]byte`` -> base64 text. 4.x: a JSON object (or a plain string for an error
    text). ``payload=None`` stays ``null`` in both. ``base64_payload`` is 4.x with
    ``EDGEX_MSG_BASE64_PAYLOAD=true``.
    """
    if payload is None:
        encoded: Any = None
    elif error_code:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        encoded = text if edgex_major >= 4 else base64.b64encode(text.encode()).decode()
    elif edgex_major >= 4 and not base64_payload:
        encoded = payload
    else:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        encoded = base64.b64encode(raw).decode()
    body = {"apiVersion": API_VERSION, "receivedTopic": received_topic,
            "correlationID": correlation_id or new_id(), "requestID": request_id,
            "errorCode": error_code, "payload": encoded, "contentType": content_type}
    if query_params:
        body["queryParams"] = query_params
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def read_envelope(raw: bytes) -> dict:
    """Decode an incoming envelope loosely (case-insensitive keys; payload object/base64/null).

    Returns ``{"correlationID", "requestID", "errorCode", "contentType", "queryParams", "payload"}``
    with ``payload`` decoded to Python data (or bytes when it is not JSON). Raises ValueError.
    """
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("envelope is not a JSON object")
    lowered = {k.lower(): v for k, v in data.items()}
    payload = lowered.get("payload")
    content_type = lowered.get("contenttype") or "application/json"
    if isinstance(payload, str) and not lowered.get("errorcode"):
        payload = base64.b64decode(payload, validate=True)
        if content_type.startswith("application/json"):
            payload = json.loads(payload) if payload else None
    return {"correlationID": lowered.get("correlationid") or "", "requestID": lowered.get("requestid") or "",
            "errorCode": lowered.get("errorcode") or 0, "contentType": content_type,
            "queryParams": lowered.get("queryparams") or {}, "payload": payload}


def reading(device: str, profile: str, resource: str, value_type: str, value: str, origin: int,
            units: str = "") -> dict:
    body = {"id": new_id(), "origin": origin, "deviceName": device, "resourceName": resource,
            "profileName": profile, "valueType": value_type, "value": value}
    if units:
        body["units"] = units
    return body


def event(device: str, profile: str, source: str, readings: list[dict], origin: int) -> dict:
    return {"apiVersion": API_VERSION, "id": new_id(), "deviceName": device, "profileName": profile,
            "sourceName": source, "origin": origin, "readings": readings}


def add_event_request(evt: dict) -> dict:
    return {"apiVersion": API_VERSION, "requestId": new_id(), "event": evt}


def optimized(evt: dict) -> dict:
    """An Event as ``EDGEX_OPTIMIZE_EVENT_PAYLOAD=true`` marshals it (CC v4.0.3, ADR 0031): readings
    drop id, deviceName and profileName, origin when equal to the event's, and resourceName when the
    single reading is named like the source."""
    readings = []
    for item in evt["readings"]:
        slim = {k: v for k, v in item.items() if k not in ("id", "deviceName", "profileName")}
        if slim.get("origin") == evt["origin"]:
            del slim["origin"]
        if len(evt["readings"]) == 1 and slim.get("resourceName") == evt["sourceName"]:
            del slim["resourceName"]
        readings.append(slim)
    return {**evt, "readings": readings}
