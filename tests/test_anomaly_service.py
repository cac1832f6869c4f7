"""The whole service with DetectAnomalies in its pipeline: an event on the bus with a limit
breach comes out as the anomaly record, the LLM-Anomaly Event in core-data and a notification;
stopping the service writes the snapshot and a new service restores it."""
import json
import os
import time
import uuid

import pytest

from app_service.anomaly import AnomalyFeature
from app_service.config import ServiceSettings, load_configuration
from app_service.edgex.dtos import Event, Reading, add_event_request
from app_service.service import build_app
from app_service.standin import StandIn
from broker import free_port, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")


class RulesOnlyModel:
    """No inference here (the real model has its own test): triage falls back to the rules."""

    def start(self):
        pass

    def health(self):
        return {"state": "ready"}

    def close(self):
        pass


@pytest.fixture
def standin(broker):
    with StandIn(PROFILES, broker=("127.0.0.1", broker.port), publish_events=False) as s:
        yield s


def make_app(broker, standin, tmp_path):
    ports = {name: url.rsplit(":", 1)[1] for name, url in standin.urls.items()}
    env = {"MESSAGEBUS_HOST": "127.0.0.1", "MESSAGEBUS_PORT": str(broker.port),
           "MESSAGEBUS_OPTIONAL_CLIENTID": f"anomaly-svc-{uuid.uuid4().hex[:8]}",
           "SERVICE_HOST": "127.0.0.1", "SERVICE_PORT": str(free_port()),
           "APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "store.sqlite"),
           "APPLICATIONSETTINGS_PROFILESDIR": PROFILES,
           "WRITABLE_PIPELINE_EXECUTIONORDER": "DetectAnomalies, SetResponseData",
           "ANOMALYDETECTION_SNAPSHOTPATH": str(tmp_path / "anomaly.json")}
    for name in ("core-command", "core-metadata", "core-data", "support-notifications"):
        key = name.upper().replace("-", "_")
        env[f"CLIENTS_{key}_HOST"] = "127.0.0.1"
        env[f"CLIENTS_{key}_PORT"] = ports[name]
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    return build_app(cfg, ServiceSettings.from_config(cfg, env=env), env=env,
                     model=RulesOnlyModel())


def thermostat_event(value, origin):
    reading = Reading(id=str(uuid.uuid4()), origin=origin, device_name="lounge-thermostat",
                      resource_name="Temperature", profile_name="Room-Thermostat",
                      value_type="Float32", value=str(value), units="C")
    return Event.new("lounge-thermostat", "Room-Thermostat", "Climate", origin, [reading])


def test_service_detects_publishes_and_keeps_its_baseline(broker, standin, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(broker, standin, tmp_path)
    feature = app.anomaly
    assert isinstance(feature, AnomalyFeature)
    app.start()
    try:
        assert app.bus.wait_connected(10)
        topic = "edgex/events/device/device-virtual/Room-Thermostat/lounge-thermostat/Climate"
        start = time.time_ns()

        def send(value, i):
            app.bus.publish_envelope(topic, add_event_request(thermostat_event(value, start + i)),
                                     correlation_id=f"cid-{i}")
        # the subscription is made on connect: send normal readings until they are scored
        i = 0
        while not wait_until(lambda: len(feature.registry) == 1, 0.2) and i < 50:
            send(21.0, i)
            i += 1
        for j in range(i, i + 20):
            send(21.0 + 0.1 * (j % 3), j)
        send(75.0, i + 20)
        assert wait_until(lambda: any(e.get("profileName") == "LLM-Anomaly"
                                      for e in standin.events) and standin.notifications)
        (event,) = [e for e in standin.events if e.get("profileName") == "LLM-Anomaly"]
        record = event["readings"][0]["objectValue"]
        assert record["kind"] == "limit" and record["severity"] == "critical"
        assert record["correlation_id"] == f"cid-{i + 20}"
        assert standin.notifications[0]["severity"] == "CRITICAL"
        assert feature.detected == 1
        seen = feature.registry.detector("lounge-thermostat", "Temperature").state.n
    finally:
        app.stop()
    snapshot = json.loads((tmp_path / "anomaly.json").read_text())
    assert [s[:2] for s in snapshot["streams"]] == [["lounge-thermostat", "Temperature"]]

    again = make_app(broker, standin, tmp_path)
    try:
        restored = again.anomaly.registry.detector("lounge-thermostat", "Temperature")
        assert restored.state.n == seen  # the learned baseline survived the restart
    finally:
        again.stop()


def test_silence_is_flagged_with_the_real_profile_store(broker, standin, tmp_path, monkeypatch):
    """Housekeeping reads autoEvent intervals from the service's own DeviceProfiles store."""
    monkeypatch.chdir(tmp_path)
    app = make_app(broker, standin, tmp_path)
    feature = app.anomaly
    try:
        origin = time.time_ns()
        for i in range(5):
            reading = thermostat_event(21.0, origin + i).readings
            feature.process(Event.new("lounge-thermostat", "Room-Thermostat", "Climate",
                                      origin + i, reading))
        assert feature.check_silence(now=time.time()) == []
        silent = feature.check_silence(now=time.time() + 24 * 3600)
        assert [(f.device, f.resource, f.kind) for f in silent] == [
            ("lounge-thermostat", "Temperature", "silence")]
    finally:
        app.stop()
