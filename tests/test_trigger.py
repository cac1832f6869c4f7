"""The message-bus trigger (queue, workers, metrics, responses) and the HTTP trigger entry."""
import json
import threading
import uuid
from types import SimpleNamespace

import cbor2
import pytest

from app_service.bus import BusSettings, MessageBus, wait_for
from app_service.edgex.dtos import Event, Reading, add_event_request
from app_service.edgex.envelope import decode_envelope, decode_event, encode_envelope
from app_service.errors import ConfigError, PayloadError
from app_service.metrics import Metrics
from app_service.pipeline import build_pipelines
from app_service.pipeline.runtime import PipelineRuntime
from app_service.trigger import MessageBusTrigger, TriggerSettings, handle_http_trigger

APP = SimpleNamespace(metrics=Metrics(), config={})


def event(device="Light-1", profile="Light", source="Brightness", value="42"):
    return Event.new(device, profile, source, 1, [Reading(
        origin=1, device_name=device, resource_name=source, profile_name=profile,
        value_type="Uint8", value=value)])


def event_message(ev, major=4):
    return encode_envelope(add_event_request(ev), edgex_major=major,
                           correlation_id=str(uuid.uuid4()))


class FakeBus:
    """Records publishes; enough of MessageBus for the trigger's worker side."""

    def __init__(self):
        self.published = []
        self.handlers = []
        self.major = 0

    def full_topic(self, relative):
        return "edgex/" + relative

    def subscribe(self, topics, handler):
        self.handlers.append((topics, handler))

    def unsubscribe(self, handler):
        self.handlers = [h for h in self.handlers if h[1] != handler]

    def publish_envelope(self, topic, payload, *, correlation_id, content_type):
        self.published.append((topic, payload, correlation_id, content_type))

    def note_peer_major(self, major):
        self.major = major


def runtime_for(cfg, metrics=None):
    metrics = metrics or Metrics()
    return PipelineRuntime(build_pipelines(cfg, APP, base_topic_prefix="edgex"), metrics)


PIPELINES = {
    "ExecutionOrder": "FilterByProfileName, SetResponseData",
    "Functions": {"FilterByProfileName": {"Parameters": {"ProfileNames": "Light"}},
                  "AddTags": {"Parameters": {"Tags": "seen:yes"}}},
    "PerTopicPipelines": {"locks": {"Id": "lock-pipeline", "Topics": "events/device/+/Lock/#",
                                    "ExecutionOrder": "AddTags, SetResponseData"}},
}


def test_pipelines_run_by_topic_and_responses_use_placeholders():
    metrics = Metrics()
    bus = FakeBus()
    trigger = MessageBusTrigger(bus, runtime_for(PIPELINES, metrics), TriggerSettings(
        publish_topic="out/{pipelineid}/{devicename}/{profilename}/{sourcename}"), metrics)
    light = event()
    lock = event("Lock-1", "Lock", "State")
    trigger.handle("edgex/events/device/svc/Light/Light-1/Brightness", event_message(light))
    trigger.handle("edgex/events/device/svc/Lock/Lock-1/State", event_message(lock, major=3))
    topics = [p[0] for p in bus.published]
    assert topics == ["edgex/out/default-pipeline/Light-1/Light/Brightness",
                      "edgex/out/lock-pipeline/Lock-1/Lock/State"]
    tagged = Event.from_dict(json.loads(bus.published[1][1]))
    assert tagged.tags == {"seen": "yes"} and bus.published[1][3] == "application/json"
    assert metrics.value("PipelineMessagesProcessed-default-pipeline") == 2
    assert metrics.value("PipelineMessagesProcessed-lock-pipeline") == 1
    assert metrics.value("PipelineMessageProcessingTime-lock-pipeline") == 1
    assert metrics.snapshot()["PipelineMessagesProcessed-lock-pipeline"]["tags"] == {
        "pipeline": "lock-pipeline"}
    assert bus.major == 4


def test_unknown_placeholder_is_not_published(caplog):
    bus = FakeBus()
    trigger = MessageBusTrigger(bus, runtime_for({"ExecutionOrder": "SetResponseData"}),
                                TriggerSettings(publish_topic="out/{nosuch}"))
    trigger.handle("edgex/events/x", event_message(event()))
    assert bus.published == [] and "nosuch" in caplog.text


@pytest.mark.parametrize("raw", [b"", b"garbage", b"{}", b'{"payload": 5}',
                                 encode_envelope({"not": "an event"}),
                                 encode_envelope(None), encode_envelope("x", error_code=1)])
def test_invalid_messages_are_counted_not_raised(raw):
    metrics = Metrics()
    trigger = MessageBusTrigger(FakeBus(), runtime_for({"ExecutionOrder": "SetResponseData"},
                                                       metrics), TriggerSettings(), metrics)
    trigger.enqueue("edgex/events/x", raw)
    assert trigger.handle("edgex/events/x", raw) is None
    assert metrics.value("InvalidMessagesReceived") == 1
    assert metrics.value("MessagesReceived") == 1


def test_raw_target_type_passes_payload_bytes():
    seen = []
    from app_service.pipeline.runner import Pipeline
    runtime = PipelineRuntime([Pipeline("raw", ("#",), [lambda c, d: (seen.append(d), (True,
                                                                                       d))[1]])])
    trigger = MessageBusTrigger(FakeBus(), runtime, TriggerSettings(target_type="raw"))
    trigger.handle("t", encode_envelope(b"\x01\x02", edgex_major=4))
    trigger.handle("t", encode_envelope({"a": 1}, edgex_major=4))
    assert seen == [b"\x01\x02", b'{"a":1}']


def test_overload_drops_are_counted_and_the_queue_stays_bounded():
    metrics = Metrics()
    release = threading.Event()
    from app_service.pipeline.runner import Pipeline
    blocked = Pipeline("slow", ("#",), [lambda c, d: (release.wait(5), (True, d))[1]])
    trigger = MessageBusTrigger(FakeBus(), PipelineRuntime([blocked], metrics),
                                TriggerSettings(queue_size=10, workers=1), metrics)
    trigger.start()
    raw = event_message(event())
    for _ in range(100):
        trigger.enqueue("edgex/events/x", raw)
    assert trigger.queued <= 10
    dropped = metrics.value("MessagesDropped")
    assert 100 - 11 <= dropped <= 100 - 10  # one may already sit in the worker
    release.set()
    assert wait_for(lambda: trigger.idle, 5)
    assert metrics.value("PipelineMessagesProcessed-slow") == 100 - dropped
    assert metrics.value("MessagesReceived") == 100
    trigger.stop()


def test_stop_drains_the_queue():
    metrics = Metrics()
    trigger = MessageBusTrigger(FakeBus(), runtime_for({"ExecutionOrder": "SetResponseData"},
                                                       metrics), TriggerSettings(workers=2),
                                metrics)
    trigger.start()
    raw = event_message(event())
    for _ in range(200):
        trigger.enqueue("edgex/events/x", raw)
    trigger.stop(drain_timeout=10)
    assert metrics.value("PipelineMessagesProcessed-default-pipeline") == 200
    trigger.enqueue("edgex/events/x", raw)  # after stop: counted as dropped, never processed
    assert metrics.value("MessagesDropped") == 1


def test_end_to_end_over_mosquitto(broker):
    metrics = Metrics()
    prefix = f"edgex-{uuid.uuid4().hex[:6]}"
    bus = MessageBus(BusSettings(host=broker.host, port=broker.port, base_topic_prefix=prefix),
                     metrics)
    bus.start()
    assert bus.wait_connected(5)
    trigger = MessageBusTrigger(bus, runtime_for(PIPELINES, metrics), TriggerSettings(
        publish_topic="rules-events/{devicename}"), metrics)
    trigger.start()
    out = []
    bus.subscribe(f"{prefix}/rules-events/#", lambda t, r: out.append((t, r)))
    try:
        wait_for(lambda: False, 0.3)
        for n in range(20):
            ev = event(value=str(n)) if n % 2 else event("Plug-1", "Plug", "Power")
            bus.publish(f"{prefix}/events/device/svc/{ev.profile_name}/{ev.device_name}/x",
                        event_message(ev))
        assert wait_for(lambda: len(out) == 10, 5)
        values = sorted(int(decode_event(decode_envelope(r)).readings[0].value) for _, r in out)
        assert values == list(range(1, 20, 2))
        assert {t for t, _ in out} == {f"{prefix}/rules-events/Light-1"}
        assert metrics.value("MessagesReceived") == 20
    finally:
        trigger.stop()
        bus.stop()


# --- HTTP trigger -------------------------------------------------------------------------------
@pytest.mark.parametrize("encode,content_type", [
    (lambda e: json.dumps(add_event_request(e)).encode(), "application/json"),
    (lambda e: json.dumps(e.to_dict()).encode(), "application/json; charset=utf-8"),
    (lambda e: cbor2.dumps(add_event_request(e)), "application/cbor"),
])
def test_http_trigger_success(encode, content_type):
    runtime = runtime_for(PIPELINES)
    response = handle_http_trigger(runtime, encode(event()), content_type, "cid-7")
    assert response.status == 200 and response.headers["X-Correlation-ID"] == "cid-7"
    assert Event.from_dict(json.loads(response.body)).device_name == "Light-1"
    filtered = handle_http_trigger(runtime, encode(event("Plug-1", "Plug")), content_type)
    assert (filtered.status, filtered.body) == (200, b"")


@pytest.mark.parametrize("body", [b"", b"{", b'{"event": {}}', b"[1]"])
def test_http_trigger_bad_body_is_400(body):
    metrics = Metrics()
    response = handle_http_trigger(runtime_for(PIPELINES, metrics), body, "application/json")
    assert response.status == 400 and response.body
    assert metrics.value("InvalidMessagesReceived") == 1


def test_http_trigger_pipeline_failure_is_422_and_no_pipeline_is_500():
    from app_service.pipeline.runner import Pipeline

    def fail(ctx, data):
        raise PayloadError("cannot process")
    body = json.dumps(add_event_request(event())).encode()
    response = handle_http_trigger(PipelineRuntime([Pipeline("p", ("#",), [fail])]), body,
                                   "application/json")
    assert (response.status, response.body) == (422, b"cannot process")
    assert handle_http_trigger(PipelineRuntime([]), body, "application/json").status == 500


def test_trigger_settings():
    s = TriggerSettings.from_config({"Trigger": {"SubscribeTopics": "events/#, commands/#",
                                                 "PublishTopic": "out", "QueueSize": 50},
                                     "Writable": {"Pipeline": {"TargetType": "raw"}}})
    assert (s.subscribe_topics, s.publish_topic, s.queue_size, s.target_type) == (
        ("events/#", "commands/#"), "out", 50, "raw")
    for bad, key in [({"Trigger": {"Type": "external-mqtt"}}, "Trigger.Type"),
                     ({"Trigger": {"Workers": 0}}, "Trigger.Workers"),
                     ({"Writable": {"Pipeline": {"TargetType": "metric"}}},
                      "Writable.Pipeline.TargetType")]:
        with pytest.raises(ConfigError) as err:
            TriggerSettings.from_config(bad)
        assert err.value.key == key


def test_settings_and_pipelines_from_the_shipped_configuration():
    import os
    from app_service.bus import BusSettings
    from app_service.config import load_configuration
    from app_service.store_forward import StoreSettings
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # the shipped order also names DetectAnomalies, which only an installed anomaly feature
    # provides (the whole shipped pipeline is built in test_service); here: the built-ins
    cfg = load_configuration(os.path.join(root, "configuration.toml"),
                             env={"TRIGGER_QUEUESIZE": "123", "MESSAGEBUS_OPTIONAL_QOS": "1",
                                  "WRITABLE_PIPELINE_EXECUTIONORDER": "SetResponseData"})
    trigger = TriggerSettings.from_config(cfg)
    assert trigger.queue_size == 123 and trigger.subscribe_topics == ("events/#",)
    assert BusSettings.from_config(cfg, env={}, service_key="app-llm-agent").qos == 1
    StoreSettings.from_config(cfg)
    pipelines = build_pipelines(cfg["Writable"]["Pipeline"], APP, base_topic_prefix="edgex")
    assert [p.id for p in pipelines][0] == "default-pipeline"


def test_stop_returns_even_when_workers_are_stuck_on_a_full_queue():
    from app_service.pipeline.runner import Pipeline
    release = threading.Event()
    stuck = Pipeline("stuck", ("#",), [lambda c, d: (release.wait(10), (True, d))[1]])
    trigger = MessageBusTrigger(FakeBus(), PipelineRuntime([stuck]),
                                TriggerSettings(queue_size=3, workers=1))
    trigger.start()
    for _ in range(10):
        trigger.enqueue("edgex/events/x", event_message(event()))
    stopped = threading.Thread(target=trigger.stop, args=(0.3,))
    stopped.start()
    stopped.join(5)
    assert not stopped.is_alive()
    release.set()


def test_events_of_one_topic_keep_their_order_across_workers():
    import random
    from zlib import crc32
    from app_service.pipeline.runner import Pipeline
    seen: dict[str, list[int]] = {}
    lock = threading.Lock()
    jitter = random.Random(3)

    def record(ctx, ev):
        threading.Event().wait(jitter.random() / 300)
        with lock:
            seen.setdefault(ev.device_name, []).append(int(ev.readings[0].value))
        return True, ev
    metrics = Metrics()
    trigger = MessageBusTrigger(FakeBus(), PipelineRuntime([Pipeline("p", ("#",), [record])],
                                                           metrics),
                                TriggerSettings(workers=4, queue_size=4000), metrics)
    trigger.start()
    devices = [f"Sensor-{n}" for n in range(8)]
    for n in range(400):
        device = devices[n % len(devices)]
        trigger.enqueue(f"edgex/events/device/svc/P/{device}/S",
                        event_message(event(device, "P", "S", value=str(n))))
    trigger.stop(drain_timeout=20)
    assert sum(len(v) for v in seen.values()) == 400
    for device, values in seen.items():
        assert values == sorted(values), device
    used = {crc32(f"edgex/events/device/svc/P/{d}/S".encode()) % 4 for d in devices}
    assert len(used) > 1  # the devices really were spread over several workers
