"""Envelope and DTO shapes from EdgeX 2.x/3.x/4.x, and encoding per EdgeX major."""
import base64
import json

import cbor2
import pytest

from app_service.edgex.dtos import (Event, Reading, add_event_request, base_response,
                                    event_from_body)
from app_service.edgex.envelope import (decode_envelope, decode_event, decode_payload,
                                        encode_envelope)
from app_service.errors import PayloadError

EVENT = {"apiVersion": "v3", "id": "2dd8cbb2-947e-479e-b149-1aafd643fba5",
         "deviceName": "Thermostat-1", "profileName": "Thermostat", "sourceName": "Temperature",
         "origin": 1795950610391180654,
         "readings": [{"id": "4cbb09a9-9397-4eb0-8826-bdd91fd4fdfb", "origin": 1795950610391180654,
                       "deviceName": "Thermostat-1", "resourceName": "Temperature",
                       "profileName": "Thermostat", "valueType": "Float32",
                       "value": "2.150000e+01", "units": "C"}]}
REQUEST = {"apiVersion": "v3", "requestId": "f8c6e57a-12f6-4911-a082-18462cf7439f",
           "event": EVENT}


def envelope(payload, **overrides):
    env = {"apiVersion": "v3", "receivedTopic": "", "correlationID": "cid-1", "requestID": "",
           "errorCode": 0, "payload": payload, "contentType": "application/json"}
    env.update(overrides)
    return json.dumps(env).encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


SHAPES = {
    "4.x object AddEventRequest": envelope(REQUEST),
    "4.x object bare Event": envelope(EVENT),
    "3.x base64 AddEventRequest": envelope(b64(json.dumps(REQUEST).encode())),
    "4.x base64 (EDGEX_MSG_BASE64_PAYLOAD)": envelope(b64(json.dumps(EVENT).encode())),
    "CBOR content, base64": envelope(b64(cbor2.dumps(REQUEST)), contentType="application/cbor"),
    "CBOR content with parameters": envelope(b64(cbor2.dumps(REQUEST)),
                                             contentType="application/cbor; charset=x"),
    "2.x PascalCase keys": json.dumps({
        "ReceivedTopic": "", "CorrelationID": "cid-1", "ApiVersion": "v2", "RequestID": "",
        "ErrorCode": 0, "Payload": b64(json.dumps(REQUEST).encode()),
        "ContentType": "application/json"}).encode(),
    "whole-envelope CBOR": cbor2.dumps({
        "apiVersion": "v3", "receivedTopic": "", "correlationID": "cid-1", "requestID": "",
        "errorCode": 0, "payload": REQUEST, "contentType": "application/cbor"}),
    "whole-envelope CBOR, byte payload": cbor2.dumps({
        "apiVersion": "v3", "correlationID": "cid-1", "errorCode": 0,
        "payload": cbor2.dumps(REQUEST), "contentType": "application/cbor"}),
    "leading whitespace": b"  \n" + envelope(REQUEST),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_envelope_shape_decodes_to_the_same_event(shape):
    env = decode_envelope(SHAPES[shape], "edgex/events/device/svc/Thermostat/Thermostat-1/T")
    assert env.correlation_id == "cid-1"
    assert env.received_topic == "edgex/events/device/svc/Thermostat/Thermostat-1/T"
    event = decode_event(env)
    assert event == Event.from_dict(EVENT)
    assert event.readings[0].typed() == 21.5 and event.readings[0].units == "C"


def test_null_payload_and_query_params():
    env = decode_envelope(envelope(None, requestID="r-1", queryParams={"ds-pushevent": "false"}))
    assert env.payload is None and decode_payload(env) is None
    assert env.request_id == "r-1" and env.query_params == {"ds-pushevent": "false"}
    with pytest.raises(PayloadError, match="no payload"):
        decode_event(env)


@pytest.mark.parametrize("payload", ["device NoSuchDevice not found: 404",
                                     b64(b"device NoSuchDevice not found: 404")])
def test_error_envelope_text_3x_base64_and_4x_plain(payload):
    env = decode_envelope(envelope(payload, errorCode=1, contentType="text/plain"))
    assert env.error_code == 1
    assert env.error_message == "device NoSuchDevice not found: 404"
    with pytest.raises(PayloadError, match="NoSuchDevice"):
        decode_payload(env)


def test_optimized_readings_are_back_filled_from_the_event():
    event = {"apiVersion": "v3", "id": "e-1", "deviceName": "Plug-1", "profileName": "Plug",
             "sourceName": "Power", "origin": 42,
             "readings": [{"valueType": "uint8array", "value": "[0, 1, 2]"}]}
    decoded = decode_event(decode_envelope(envelope(event)))
    reading = decoded.readings[0]
    assert (reading.device_name, reading.profile_name, reading.resource_name, reading.origin,
            reading.value_type) == ("Plug-1", "Plug", "Power", 42, "Uint8Array")
    assert reading.typed() == [0, 1, 2]


def test_optimized_multi_reading_event_needs_resource_names():
    event = {"id": "e", "deviceName": "d", "profileName": "p", "sourceName": "s", "origin": 1,
             "readings": [{"valueType": "Bool", "value": "true"},
                          {"valueType": "Bool", "value": "false"}]}
    with pytest.raises(PayloadError, match="resourceName"):
        Event.from_dict(event)


def test_binary_object_and_numeric_readings():
    event = dict(EVENT, readings=[
        {"origin": 1, "deviceName": "Cam", "resourceName": "Image", "profileName": "Cam",
         "valueType": "Binary", "binaryValue": b64(b"\x89PNG"), "mediaType": "image/png"},
        {"origin": 1, "deviceName": "Cam", "resourceName": "Meta", "profileName": "Cam",
         "valueType": "Object", "objectValue": {"w": 640}},
        {"origin": 1, "deviceName": "Cam", "resourceName": "Count", "profileName": "Cam",
         "valueType": "Int64", "value": 17},
        {"origin": 1, "deviceName": "Cam", "resourceName": "Gone", "profileName": "Cam",
         "valueType": "Float64", "value": None}])
    decoded = Event.from_dict(event)
    assert [r.typed() for r in decoded.readings] == [b"\x89PNG", {"w": 640}, 17, None]
    # CBOR carries binaryValue as a byte string
    as_cbor = cbor2.dumps(add_event_request(decoded, binary_as="bytes"))
    again = decode_event(decode_envelope(envelope(b64(as_cbor), contentType="application/cbor")))
    assert again.readings[0].binary_value == b"\x89PNG"
    assert Event.from_dict(decoded.to_dict()) == decoded


@pytest.mark.parametrize("body,match", [
    ({"id": "e"}, "deviceName"),
    (dict(EVENT, readings=[]), "at least one reading"),
    (dict(EVENT, origin="now"), "origin"),
    (dict(EVENT, readings=[dict(EVENT["readings"][0], valueType="Complex")]), "valueType"),
    (dict(EVENT, readings=[dict(EVENT["readings"][0], value=[1])]), "value"),
    (dict(EVENT, readings=[{"valueType": "Binary", "binaryValue": "%%%", "mediaType": "x"}]),
     "base64"),
    ([EVENT], "object"),
])
def test_invalid_events_raise_payload_error(body, match):
    with pytest.raises(PayloadError, match=match):
        event_from_body(body)


@pytest.mark.parametrize("raw,match", [
    (b"", "neither JSON nor CBOR"), (b"{not json", "not valid JSON"), (b"[1, 2]", "object"),
    (envelope("not base64!"), "not base64"), (envelope(12), "not supported"),
    (envelope(None, errorCode="1"), "errorCode"), (envelope(None, correlationID=5), "string"),
    (cbor2.dumps([1, 2]), "object"), (b"\xff\x00garbage", "neither JSON nor CBOR"),
])
def test_invalid_envelopes_raise_payload_error(raw, match):
    with pytest.raises(PayloadError, match=match):
        decode_envelope(raw, "t")


def test_case_insensitive_event_keys():
    body = {k.upper(): v for k, v in EVENT.items()}
    assert Event.from_dict(body).device_name == "Thermostat-1"


# --- encoding -----------------------------------------------------------------------------------
def test_encode_major_3_uses_base64_payload():
    raw = encode_envelope(REQUEST, edgex_major=3, correlation_id="c", request_id="r")
    env = json.loads(raw)
    assert list(env) == ["apiVersion", "receivedTopic", "correlationID", "requestID",
                         "errorCode", "payload", "contentType"]
    assert json.loads(base64.b64decode(env["payload"])) == REQUEST
    assert decode_event(decode_envelope(raw)) == Event.from_dict(EVENT)


def test_encode_major_4_uses_object_payload_unless_base64_or_cbor():
    assert json.loads(encode_envelope(REQUEST, edgex_major=4))["payload"] == REQUEST
    forced = json.loads(encode_envelope(REQUEST, edgex_major=4, base64_payload=True))
    assert json.loads(base64.b64decode(forced["payload"])) == REQUEST
    as_cbor = json.loads(encode_envelope(REQUEST, edgex_major=4, content_type="application/cbor"))
    assert cbor2.loads(base64.b64decode(as_cbor["payload"])) == REQUEST


def test_encode_bytes_payload_is_base64_like_go_byte_slices():
    env = json.loads(encode_envelope(b'{"a":1}', edgex_major=4))
    assert base64.b64decode(env["payload"]) == b'{"a":1}'


def test_encode_whole_cbor_envelope_nests_payload():
    raw = encode_envelope(REQUEST, cbor_envelope=True, correlation_id="c")
    data = cbor2.loads(raw)
    assert data["payload"] == REQUEST and data["contentType"] == "application/cbor"
    assert decode_event(decode_envelope(raw)) == Event.from_dict(EVENT)


@pytest.mark.parametrize("major,expected", [(3, b64(b"boom")), (4, "boom")])
def test_encode_error_text(major, expected):
    raw = encode_envelope("boom", edgex_major=major, error_code=1, content_type="text/plain")
    assert json.loads(raw)["payload"] == expected
    assert decode_envelope(raw).error_message == "boom"


def test_encode_query_params_and_null_payload():
    env = json.loads(encode_envelope(None, query_params={"ds-returnevent": "true"}))
    assert env["payload"] is None and env["queryParams"] == {"ds-returnevent": "true"}


def test_base_response_omits_empty_fields():
    assert base_response(200) == {"apiVersion": "v3", "statusCode": 200}
    assert base_response(404, "gone", "r") == {"apiVersion": "v3", "requestId": "r",
                                               "message": "gone", "statusCode": 404}


def test_reading_to_dict_uses_edgex_spelling():
    reading = Reading(origin=1, device_name="d", resource_name="r", profile_name="p",
                      value_type="Bool", value="true")
    assert reading.to_dict() == {"origin": 1, "deviceName": "d", "resourceName": "r",
                                 "profileName": "p", "valueType": "Bool", "value": "true"}
