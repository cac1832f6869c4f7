"""On the wire: a real mosquitto, the EdgeX stand-in, the service's bus and clients.

A limit breach on lounge-thermostat must come out as (1) a JSON record on
{b}/llm-agent/anomalies/{device}/{resource}, (2) an LLM-Anomaly Event that the stand-in's
core-data stores, (3) a CRITICAL support-notifications notification.
"""
import json
import os
import time
import types
import uuid

import pytest

from app_service.anomaly.config import load_settings
from app_service.anomaly.triage import Triager, TriageQueue
from app_service.anomaly.wiring import AnomalyFeature, AnomalyOutputs, detect_anomalies
from app_service.bus import BusSettings, MessageBus
from app_service.clients import NotificationsClient
from app_service.device_profiles import DeviceProfiles
from app_service.edgex.dtos import Event, Reading
from app_service.metrics import Metrics
from app_service.pipeline.context import Context
from app_service.standin import StandIn
from broker import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")


def climate_event(value, origin_ns, value_type="Float32", resource="Temperature"):
    reading = Reading(id=str(uuid.uuid4()), origin=origin_ns, device_name="lounge-thermostat",
                      resource_name=resource, profile_name="Room-Thermostat",
                      value_type=value_type, value=str(value), units="C")
    return Event.new("lounge-thermostat", "Room-Thermostat", "Climate", origin_ns, [reading])


@pytest.fixture
def wired(broker):
    with StandIn(PROFILES, broker=(broker.host, broker.port), publish_events=False,
                 seed=3) as standin:
        bus = MessageBus(BusSettings(host=broker.host, port=broker.port,
                                     client_id=f"anomaly-{uuid.uuid4().hex[:8]}"), Metrics())
        bus.start()
        assert bus.wait_connected(5)
        notifications = NotificationsClient(standin.urls["support-notifications"], timeout_s=2.0)
        metrics = Metrics()
        outputs = AnomalyOutputs(bus, "app-llm-agent", notifications)
        queue = TriageQueue(Triager(None), outputs.deliver, size=8, metrics=metrics).start()
        feature = AnomalyFeature(load_settings({}), queue,
                                 profiles=DeviceProfiles(PROFILES,
                                                         os.path.join(PROFILES, "devices.yaml")),
                                 metrics=metrics)
        received = []
        bus.subscribe("edgex/llm-agent/anomalies/#", lambda topic, raw: received.append(
            (topic, json.loads(raw))))
        time.sleep(0.2)  # let the subscription settle
        yield types.SimpleNamespace(standin=standin, feature=feature, received=received,
                                    metrics=metrics)
        queue.close()
        bus.stop()
        notifications.close()


def test_limit_breach_becomes_record_event_and_notification(wired):
    start = time.time_ns()
    for i in range(30):  # normal readings: nothing goes out
        wired.feature.process(climate_event(21.0 + 0.1 * (i % 3), start + i * 10**10), "cid-n")
    flagged = wired.feature.process(climate_event(75.0, start + 31 * 10**10), "cid-breach")
    assert [f.kind for f in flagged] == ["limit"]

    assert wait_until(lambda: wired.received and wired.standin.notifications and any(
        e.get("profileName") == "LLM-Anomaly" for e in wired.standin.events))
    topic, record = wired.received[0]
    assert topic == "edgex/llm-agent/anomalies/lounge-thermostat/Temperature"
    assert record["severity"] == "critical" and record["kind"] == "limit"
    assert record["value"] == 75.0 and record["maximum"] == 60.0
    assert "outside its profile limits -20 to 60 C" in record["explanation"]

    (event,) = [e for e in wired.standin.events if e.get("profileName") == "LLM-Anomaly"]
    assert event["sourceName"] == "Anomaly" and event["deviceName"] == "lounge-thermostat"
    (reading,) = event["readings"]
    assert reading["valueType"] == "Object" and reading["objectValue"]["id"] == record["id"]

    (note,) = wired.standin.notifications
    assert note["category"] == "anomaly" and note["severity"] == "CRITICAL"
    assert set(note["labels"]) == {"lounge-thermostat", "Temperature"}
    assert wired.metrics.counter("AnomaliesDetected").value == 1
    assert len(wired.received) == 1  # the normal readings produced nothing


def test_pipeline_function_passes_the_event_on_and_rejects_other_data():
    started = []
    app = types.SimpleNamespace(config={"AnomalyDetection": {"Threshold": 0.3}}, bus=None,
                                service_key="app-llm-agent", metrics=Metrics(), model=None,
                                profiles=DeviceProfiles(PROFILES, os.path.join(PROFILES,
                                                                               "devices.yaml")),
                                store=None, notifications_client=None,
                                add_worker=started.append, on_shutdown=lambda fn: None)
    detect = detect_anomalies({}, app)
    assert detect_anomalies({}, app) is not detect and len(started) == 2  # installed once
    event = climate_event(99.0, time.time_ns())
    ctx = Context(correlation_id="cid-p", pipeline_id="default-pipeline")
    assert detect(ctx, event) == (True, event)
    assert app.anomaly.detected == 1 and app.anomaly.queue.depth() == 1
    with pytest.raises(TypeError):
        detect(ctx, b"raw bytes")


@pytest.mark.parametrize("value,value_type", [("abc", "Float32"), ("NaN", "Float64"),
                                              ("Inf", "Float64")])
def test_unreadable_values_are_counted_and_logged_not_scored(value, value_type, caplog):
    metrics = Metrics()
    feature = AnomalyFeature(load_settings({}), None, metrics=metrics)
    event = climate_event(value, time.time_ns(), value_type=value_type)
    assert feature.process(event, "cid-bad") == []
    assert metrics.counter("AnomalyReadingsSkipped").value == 1 and len(feature.registry) == 0
    assert "not scored" in caplog.text and "lounge-thermostat/Temperature" in caplog.text


def test_streams_beyond_max_streams_are_counted_not_silently_dropped():
    metrics = Metrics()
    feature = AnomalyFeature(load_settings({"AnomalyDetection": {"MaxStreams": 1}}), None,
                             metrics=metrics)
    feature.process(climate_event(21.0, time.time_ns()), "c1")
    feature.process(climate_event(21.0, time.time_ns(), resource="Humidity"), "c2")
    assert len(feature.registry) == 1
    assert metrics.counter("AnomalyReadingsSkipped").value == 1


def test_notification_failure_goes_to_store_and_forward_not_lost():
    from app_service.anomaly.records import AnomalyFacts, AnomalyRecord
    from app_service.errors import CommandError

    class DownNotifications:
        def send(self, note, correlation_id=""):
            raise CommandError("support-notifications unreachable", 0)

    class Store:
        def __init__(self):
            self.items = []

        def add(self, kind, payload, correlation_id):
            self.items.append((kind, payload, correlation_id))

    store = Store()
    outputs = AnomalyOutputs(None, "app-llm-agent", DownNotifications(), store)
    facts = AnomalyFacts(device="d", resource="r", profile="p", kind="limit", score=1.0,
                         value=9.0, origin_ns=0, correlation_id="cid-s")
    outputs.deliver(AnomalyRecord(facts, severity="critical", explanation="e"))
    ((kind, payload, cid),) = store.items
    assert kind == "anomaly-notification" and payload["severity"] == "CRITICAL" and cid == "cid-s"
    with pytest.raises(CommandError):  # without a store the failure is raised (and logged)
        AnomalyOutputs(None, "s", DownNotifications()).deliver(
            AnomalyRecord(facts, severity="critical", explanation="e"))


def test_text_readings_flow_through_the_model_once_and_are_counted():
    class Verdicts:
        calls = 0

        def choose(self, prompt, options, **kwargs):
            Verdicts.calls += 1
            p = 0.95 if "UNLATCHED" in prompt[-1]["content"] else 0.2
            return types.SimpleNamespace(option=options[p > 0.5], index=int(p > 0.5),
                                         probabilities=(1 - p, p))

    metrics = Metrics()
    delivered = []
    queue = TriageQueue(Triager(None), delivered.append, size=8, metrics=metrics)
    feature = AnomalyFeature(load_settings({}), queue, metrics=metrics, model=Verdicts())
    # "locked" is a normal word: no model; "UNLATCHED" is unknown (and rare): the model, once
    for i, status in enumerate(["LOCKED"] * 40 + ["UNLATCHED", "LOCKED", "UNLATCHED"]):
        event = climate_event(status, time.time_ns() + i, value_type="String",
                              resource="LockState")
        feature.process(event, f"cid-{i}")
        while queue.process_one(0.01):
            pass
    # each change into the anomalous status is published (LOCKED re-arms it in between)
    assert [r.facts.value for r in delivered] == ["UNLATCHED", "UNLATCHED"]
    assert metrics.counter("AnomaliesDetected").value == 2 and Verdicts.calls == 1
    assert [r.facts.kind for r in delivered] == ["text", "text"]
    assert delivered[0].facts.evidence == "model p(anomalous)=0.950"
