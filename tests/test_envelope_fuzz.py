"""Property-based fuzzing of the decode path: malformed envelopes never crash anything, every one
is counted in InvalidMessagesReceived, and decoding fails only with PayloadError."""
import base64
import json
import uuid

import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app_service.bus import BusSettings, MessageBus, wait_for
from app_service.edgex.envelope import decode_envelope, decode_event
from app_service.errors import PayloadError
from app_service.metrics import Metrics
from app_service.pipeline.runner import Pipeline
from app_service.pipeline.runtime import PipelineRuntime
from app_service.trigger import MessageBusTrigger, TriggerSettings, decode_message

FUZZ = settings(max_examples=600, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

VALID_EVENT = {"apiVersion": "v3", "id": "e-1", "deviceName": "d", "profileName": "p",
               "sourceName": "s", "origin": 1,
               "readings": [{"origin": 1, "deviceName": "d", "resourceName": "s",
                             "profileName": "p", "valueType": "Int8", "value": "1"}]}
json_scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(
    max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                           max_leaves=15)
reading_keys = st.sampled_from(["origin", "deviceName", "resourceName", "profileName",
                                "valueType", "value", "binaryValue", "mediaType", "objectValue",
                                "tags", "units", "id"])
value_types = st.sampled_from(["Int8", "Uint64", "Float32", "Bool", "String", "Binary",
                               "Object", "Int16Array", "StringArray", "float64", "Nope", ""])


@st.composite
def mutated_events(draw):
    """A valid event with some fields deleted or replaced by arbitrary JSON values."""
    event = json.loads(json.dumps(VALID_EVENT))
    reading = event["readings"][0]
    for key in draw(st.lists(reading_keys, max_size=4)):
        if draw(st.booleans()):
            reading.pop(key, None)
        else:
            reading[key] = draw(json_values | value_types)
    reading["valueType"] = draw(st.just(reading.get("valueType")) | value_types)
    for key in draw(st.lists(st.sampled_from(list(VALID_EVENT)), max_size=3)):
        if draw(st.booleans()):
            event.pop(key, None)
        else:
            event[key] = draw(json_values)
    return event


@st.composite
def envelopes(draw):
    """Envelopes around broken bodies, in every encoding EdgeX uses."""
    body = draw(mutated_events() | json_values)
    if draw(st.booleans()):
        body = {"apiVersion": "v3", "requestId": "r", "event": body}
    encoding = draw(st.sampled_from(["object", "base64-json", "base64-cbor", "base64-junk",
                                     "cbor-envelope", "string"]))
    content_type = "application/json"
    if encoding == "object":
        payload = body
    elif encoding == "base64-json":
        payload = base64.b64encode(json.dumps(body).encode()).decode()
    elif encoding == "base64-cbor":
        payload = base64.b64encode(cbor2.dumps(body)).decode()
        content_type = draw(st.sampled_from(["application/cbor", "application/json", ""]))
    elif encoding == "base64-junk":
        payload = base64.b64encode(draw(st.binary(max_size=40))).decode()
        content_type = draw(st.sampled_from(["application/cbor", "application/json", "x/y"]))
    else:
        payload = draw(st.text(max_size=30))
    cid = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))
    env = {"apiVersion": "v3", "correlationID": cid,
           "requestID": "", "errorCode": draw(st.sampled_from([0, 0, 0, 1, "0", None])),
           "payload": payload, "contentType": content_type}
    for key in draw(st.lists(st.sampled_from(list(env)), max_size=2)):
        env[key] = draw(json_values)
    if encoding == "cbor-envelope":
        try:
            return cbor2.dumps(env)
        except (ValueError, TypeError, OverflowError):
            return b"\xa0"
    return json.dumps(env).encode()


def assert_decodes_or_payload_error(raw):
    try:
        env = decode_envelope(raw, "edgex/events/x")
        decode_event(env).readings[0].typed()
    except PayloadError:
        pass


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes(raw):
    assert_decodes_or_payload_error(raw)


@FUZZ
@given(envelopes())
def test_malformed_envelopes_fail_only_with_payload_error(raw):
    assert_decodes_or_payload_error(raw)


class Sink:
    def __init__(self):
        self.count = 0

    def __call__(self, ctx, data):
        self.count += 1
        return True, data


class NoBus:
    def full_topic(self, relative):
        return "edgex/" + relative

    def note_peer_major(self, major):
        pass


@settings(max_examples=250, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(envelopes() | st.binary(max_size=60), min_size=1, max_size=4))
def test_trigger_counts_every_invalid_message(batch):
    metrics, sink = Metrics(), Sink()
    trigger = MessageBusTrigger(NoBus(), PipelineRuntime([Pipeline("p", ("#",), [sink])],
                                                         metrics), TriggerSettings(), metrics)
    expected_invalid = 0
    for raw in batch:
        try:
            decode_message("edgex/events/x", raw)
        except PayloadError:
            expected_invalid += 1
        trigger.handle("edgex/events/x", raw)
    assert metrics.value("InvalidMessagesReceived") == expected_invalid
    assert sink.count == len(batch) - expected_invalid


def test_malformed_messages_over_the_bus_are_all_counted(broker):
    """A few hundred malformed messages through mosquitto, the network thread and the workers."""
    metrics, sink = Metrics(), Sink()
    prefix = f"fuzz-{uuid.uuid4().hex[:6]}"
    bus = MessageBus(BusSettings(host=broker.host, port=broker.port, base_topic_prefix=prefix,
                                 qos=1), metrics)
    trigger = MessageBusTrigger(bus, PipelineRuntime([Pipeline("p", ("#",), [sink])], metrics),
                                TriggerSettings(), metrics)
    trigger.start()
    bus.start()
    try:
        assert bus.wait_connected(5)
        wait_for(lambda: False, 0.2)
        samples = []
        rng = __import__("random").Random(7)
        for n in range(300):
            raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 80)))
            if n % 3 == 0:
                raw = b'{"payload":' + raw + b"}"
            samples.append(raw)
        for raw in samples:
            bus.publish(f"{prefix}/events/device/a/b/c/d", raw)
        assert wait_for(lambda: metrics.value("MessagesReceived") == 300 and trigger.idle, 10)
        assert metrics.value("InvalidMessagesReceived") + sink.count == 300
        assert metrics.value("InvalidMessagesReceived") >= 290
        assert all(t.is_alive() for t in trigger._workers)
    finally:
        trigger.stop()
        bus.stop()
