"""Golden tests: every message in every capture of real EdgeX 3.1.1 / 4.0.2 traffic decodes."""
import os

import pytest

from app_service.edgex.dtos import Event
from app_service.edgex.envelope import decode_envelope, decode_event, decode_payload
from app_service.edgex.topics import topic_matches
from app_service.errors import PayloadError

CAPTURES = os.path.join(os.path.dirname(__file__), "fixtures", "captures")
FILES = sorted(f for f in os.listdir(CAPTURES) if f.endswith(".txt"))


def messages(name):
    with open(os.path.join(CAPTURES, name), "rb") as fh:
        for line in fh:
            line = line.rstrip(b"\n")
            if line:
                topic, payload = line.split(b" ", 1)
                yield topic.decode(), payload


def is_event_topic(topic):
    return topic_matches(topic, ["edgex/events/#"]) or topic == "edgex/rules-events"


def test_the_capture_set_is_complete():
    assert FILES == ["edgex-3.1.1-command-get-response.txt", "edgex-3.1.1-mqtt-bus.txt",
                     "edgex-4.0.2-asc-rules-events-and-telemetry.txt",
                     "edgex-4.0.2-command-get-response.txt", "edgex-4.0.2-mqtt-bus.txt"]


@pytest.mark.parametrize("name", FILES)
def test_every_message_decodes(name):
    count = events = errors = 0
    for topic, raw in messages(name):
        env = decode_envelope(raw, topic)
        count += 1
        assert env.received_topic == topic
        assert len(env.correlation_id) == 36
        if env.error_code:
            errors += 1
            with pytest.raises(PayloadError):
                decode_payload(env)
            continue
        body = decode_payload(env)
        if is_event_topic(topic):
            event = decode_event(env)
            events += 1
            assert isinstance(event, Event) and event.readings
            assert topic == "edgex/rules-events" or topic.endswith(
                f"/{event.profile_name}/{event.device_name}/{event.source_name}")
            for reading in event.readings:
                reading.typed()  # every value parses by its valueType
        elif topic.endswith("/set"):  # a set command: the settings map, values as strings
            assert body and all(isinstance(v, str) for v in body.values())
        elif body is not None:
            assert isinstance(body, dict) and body.get("apiVersion") == "v3"
    expected = {"edgex-3.1.1-command-get-response.txt": (1, 0, 0),
                "edgex-3.1.1-mqtt-bus.txt": (42, 17, 0),
                "edgex-4.0.2-asc-rules-events-and-telemetry.txt": (71, 38, 0),
                "edgex-4.0.2-command-get-response.txt": (1, 0, 0),
                "edgex-4.0.2-mqtt-bus.txt": (108, 66, 1)}[name]
    assert (count, events, errors) == expected


def first(name, topic_part):
    return next((t, r) for t, r in messages(name) if topic_part in t)


def test_4x_object_payload_event_fields():
    topic, raw = next((t, r) for t, r in messages("edgex-4.0.2-mqtt-bus.txt")
                      if b"2dd8cbb2-947e-479e-b149-1aafd643fba5" in r)
    env = decode_envelope(raw, topic)
    assert env.payload_was_object and env.correlation_id == "66ae4cf0-3d04-466e-9c82-155b0cd5a6bf"
    event = decode_event(env)
    assert (event.device_name, event.profile_name, event.source_name) == (
        "Random-Integer-Device", "Random-Integer-Device", "Int32")
    assert event.origin == 1795950610391180654
    reading = event.readings[0]
    assert (reading.value_type, reading.value, reading.typed()) == ("Int32", "827208634",
                                                                    827208634)


def test_4x_shortest_float_values_parse():
    values = []
    for topic, raw in messages("edgex-4.0.2-mqtt-bus.txt"):
        if "/Random-Float-Device/Float" in topic:
            values += [r.typed() for r in decode_event(decode_envelope(raw, topic)).readings]
    assert 12.5 in values and any(abs(v) > 1e37 for v in values)


def test_3x_base64_payload_is_add_event_request():
    topic, raw = first("edgex-3.1.1-mqtt-bus.txt", "/events/device/")
    env = decode_envelope(raw, topic)
    assert isinstance(env.payload, bytes) and not env.payload_was_object
    body = decode_payload(env)
    assert set(body) == {"apiVersion", "requestId", "event"}
    event = decode_event(env)
    assert event.id == "dc602ecb-4a1f-4807-8a15-36511d111624"
    assert event.readings[0].typed() in (True, False)


def test_3x_events_use_go_percent_e_floats():
    floats = [r.value for t, raw in messages("edgex-3.1.1-mqtt-bus.txt")
              if "/events/" in t and "/Float" in t
              for r in decode_event(decode_envelope(raw, t)).readings]
    assert floats and all("." in v and "e" in v for v in floats)


def test_asc_output_is_base64_bare_event_with_empty_api_version():
    topic, raw = first("edgex-4.0.2-asc-rules-events-and-telemetry.txt", "rules-events")
    env = decode_envelope(raw, topic)
    assert env.api_version == "" and env.request_id == ""
    body = decode_payload(env)
    assert "event" not in body and body["id"] == "fa73d51c-9dc2-4c87-b3d4-a720cfa1e1fb"
    assert decode_event(env).source_name == "Int64"


def test_telemetry_payload_is_a_metric():
    topic, raw = first("edgex-4.0.2-asc-rules-events-and-telemetry.txt", "/telemetry/")
    body = decode_payload(decode_envelope(raw, topic))
    assert body["name"] == topic.rsplit("/", 1)[1]
    assert {"name": "service", "value": "app-rules-engine"} in body["tags"]


@pytest.mark.parametrize("name,device,value_type", [
    ("edgex-3.1.1-command-get-response.txt", "Random-Float-Device", "Float32"),
    ("edgex-4.0.2-command-get-response.txt", "Random-Integer-Device", "Int8"),
])
def test_command_get_responses(name, device, value_type):
    topic, raw = next(messages(name))
    env = decode_envelope(raw, topic)
    assert env.request_id == topic.rsplit("/", 1)[1]
    assert env.received_topic == topic
    body = decode_payload(env)
    assert body["statusCode"] == 200
    event = decode_event(env)
    assert event.device_name == device and event.readings[0].value_type == value_type


def test_4x_error_envelope_is_plain_text():
    env = next(decode_envelope(r, t) for t, r in messages("edgex-4.0.2-mqtt-bus.txt")
               if b'"errorCode":1' in r)
    assert env.content_type == "text/plain"
    assert env.error_message.startswith("invalid request topic: failed to get Device by name")
