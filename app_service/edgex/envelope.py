"""EdgeX MessageEnvelope: decode every shape 2.x/3.x/4.x produce, encode per EdgeX major.

Shapes (INTERFACES.md §1.4, §11): JSON envelope with PascalCase (2.x) or lowerCamel keys; payload
as base64 text (2.x/3.x, 4.x app-service output, CBOR content, ``EDGEX_MSG_BASE64_PAYLOAD``), a
JSON object (4.x), null, or a nested structure inside a whole-CBOR envelope
(``EDGEX_MSG_CBOR_ENCODE``); ``errorCode`` 1 carries error text (base64 in 3.x, plain in 4.x).
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

import cbor2

from ..errors import PayloadError
from . import _json
from .dtos import Event, event_from_body

JSON = "application/json"
CBOR = "application/cbor"
TEXT = "text/plain"

_KEYS = {"apiversion": "api_version", "receivedtopic": "received_topic",
         "correlationid": "correlation_id", "requestid": "request_id",
         "errorcode": "error_code", "payload": "payload", "contenttype": "content_type",
         "queryparams": "query_params"}
_CAMEL = (("apiVersion", "api_version"), ("receivedTopic", "received_topic"),
          ("correlationID", "correlation_id"), ("requestID", "request_id"),
          ("errorCode", "error_code"), ("payload", "payload"), ("contentType", "content_type"),
          ("queryParams", "query_params"))


@dataclass(slots=True)
class Envelope:
    """One decoded message. ``payload`` is ``None``, decoded JSON/CBOR data (object payloads), or
    ``bytes`` (base64 / byte-string payloads, still to be decoded by ``content_type``)."""

    correlation_id: str = ""
    request_id: str = ""
    api_version: str = ""
    received_topic: str = ""
    error_code: int = 0
    payload: Any = None
    content_type: str = JSON
    query_params: dict[str, str] = field(default_factory=dict)
    payload_was_object: bool = False  # a 4.x-style object payload (used to detect the peer's major)

    @property
    def error_message(self) -> str:
        """The error text of an ``errorCode`` != 0 envelope."""
        payload = self.payload
        if isinstance(payload, bytes):
            return payload.decode("utf-8", "replace")
        return "" if payload is None else str(payload)


def decode_envelope(raw: bytes, topic: str = "") -> Envelope:
    """Parse a bus message; raise ``PayloadError`` for anything that is not an envelope."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise PayloadError(f"message is {type(raw).__name__}, not bytes")
    data = _load_envelope(bytes(raw))
    env = Envelope()
    if "payload" in data and "correlationID" in data:  # 3.x/4.x spelling: the common case
        for key, attr in _CAMEL:
            value = data.get(key)
            if value is not None:
                setattr(env, attr, value)
    else:
        for key, value in data.items():
            attr = _KEYS.get(key.lower()) if isinstance(key, str) else None
            if attr is not None and value is not None:
                setattr(env, attr, value)
    for attr in ("correlation_id", "request_id", "api_version", "received_topic", "content_type"):
        if not isinstance(getattr(env, attr), str):
            raise PayloadError(f"envelope {attr} must be a string")
    if isinstance(env.error_code, bool) or not isinstance(env.error_code, int):
        raise PayloadError("envelope errorCode must be an integer")
    if not isinstance(env.query_params, dict):
        raise PayloadError("envelope queryParams must be an object")
    if topic:
        env.received_topic = topic  # set by the receiver, as go-mod-messaging does
    env.content_type = env.content_type or JSON
    payload = env.payload
    if isinstance(payload, str):
        if env.error_code:
            env.payload = _error_text(payload)
        else:
            try:
                env.payload = base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                raise PayloadError("envelope payload is a string but not base64") from None
    elif isinstance(payload, (dict, list)):
        env.payload_was_object = True
    elif not (payload is None or isinstance(payload, bytes)):
        raise PayloadError(f"envelope payload of type {type(payload).__name__} is not supported")
    return env


def _load_envelope(raw: bytes) -> dict[str, Any]:
    first = raw[:1]
    if first in (b"{", b"[", b" ", b"\n", b"\r", b"\t"):
        try:
            data = _json.loads(raw)
        except _json.DecodeError as exc:
            raise PayloadError(f"envelope is not valid JSON: {exc}") from None
    else:
        try:  # whole-envelope CBOR (EDGEX_MSG_CBOR_ENCODE=true)
            data = cbor2.loads(raw)
        except Exception as exc:  # cbor2 raises many types on garbage input
            raise PayloadError(f"envelope is neither JSON nor CBOR: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError("envelope must be a JSON/CBOR object")
    return data


def _error_text(text: str) -> str:
    """Error text is base64 in 3.x and plain in 4.x: take the base64 reading only when it
    yields printable UTF-8 (plain text such as "boom" can also be valid base64)."""
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return text
    return decoded if decoded.isprintable() else text


def decode_payload(env: Envelope) -> Any:
    """The payload as data: decoded by content type when it arrived as bytes."""
    if env.error_code:
        raise PayloadError(f"envelope carries error {env.error_code}: {env.error_message}")
    payload = env.payload
    if not isinstance(payload, bytes):
        return payload
    return decode_body(payload, env.content_type)


def decode_body(body: bytes, content_type: str = JSON) -> Any:
    """JSON or CBOR bytes by content type (parameters after ``;`` ignored, as AFS does)."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == CBOR or (kind != JSON and body[:1] not in (b"{", b"[")):
        try:
            return cbor2.loads(body)
        except Exception as exc:
            raise PayloadError(f"payload is not valid CBOR: {exc}") from None
    try:
        return _json.loads(body)
    except _json.DecodeError as exc:
        raise PayloadError(f"payload is not valid JSON: {exc}") from None


def decode_event(env: Envelope) -> Event:
    """The Event inside an envelope: an AddEventRequest or a bare Event."""
    body = decode_payload(env)
    if body is None:
        raise PayloadError("envelope has no payload")
    return event_from_body(body)


def encode_envelope(payload: Any, *, edgex_major: int = 4, content_type: str = JSON,
                    correlation_id: str = "", request_id: str = "", error_code: int = 0,
                    api_version: str = "v3", base64_payload: bool = False,
                    cbor_envelope: bool = False, query_params: dict[str, str] | None = None,
                    received_topic: str = "") -> bytes:
    """Build the bytes of an envelope as EdgeX ``edgex_major`` (3 or 4) would publish it.

    ``payload`` may be ``None``, ``bytes`` (already encoded; sent as base64 like Go ``[]byte``),
    a ``str`` (error text when ``error_code``), or JSON-able data. Major 3 always base64-encodes;
    major 4 keeps data as an object unless ``base64_payload`` or CBOR content asks for bytes.
    ``cbor_envelope`` produces a whole-CBOR envelope (payload nested, no double encoding).
    """
    is_cbor = content_type.split(";", 1)[0].strip().lower() == CBOR
    if cbor_envelope:
        content_type = CBOR
        body: Any = payload
    elif payload is None:
        body = None
    elif isinstance(payload, (bytes, bytearray)):
        body = base64.b64encode(payload).decode()
    elif isinstance(payload, str) and (error_code or content_type == TEXT):
        body = base64.b64encode(payload.encode()).decode() if edgex_major < 4 else payload
    elif edgex_major < 4 or base64_payload or is_cbor:
        raw = cbor2.dumps(payload) if is_cbor else _json.dumps(payload)
        body = base64.b64encode(raw).decode()
    else:
        body = payload
    envelope = {"apiVersion": api_version, "receivedTopic": received_topic,
                "correlationID": correlation_id, "requestID": request_id,
                "errorCode": error_code, "payload": body, "contentType": content_type}
    if query_params:
        envelope["queryParams"] = query_params
    if cbor_envelope:
        return cbor2.dumps(envelope)
    return _json.dumps(envelope)
