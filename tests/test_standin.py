"""The embedded EdgeX stand-in speaks the reference wire formats (INTERFACES.md and the captures)."""
import base64
import json
import os
import re
import threading
import time

import cbor2
import paho.mqtt.client as mqtt
import pytest
import requests

from app_service.bus import BusSettings, MessageBus
from app_service.clients import CoreCommandClient
from app_service.edgex.envelope import decode_envelope, decode_event
from app_service.errors import CommandError
from app_service.standin import StandIn
from app_service.standin.wire import format_float

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")


def capture(shared_dir, name, topic_prefix):
    path = os.path.join(shared_dir, "edgex", "captures", name)
    for line in open(path, encoding="utf-8"):
        topic, _, body = line.strip().partition(" ")
        if topic.startswith(topic_prefix):
            return topic, json.loads(body)
    raise AssertionError(f"no {topic_prefix} message in {name}")


class Listener:
    """A plain paho subscriber, collecting (topic, payload) from the broker."""

    def __init__(self, broker, topic):
        self.messages, self._ready = [], threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *a: c.subscribe(topic)
        self.client.on_subscribe = lambda *a: self._ready.set()
        self.client.on_message = lambda c, u, m: self.messages.append((m.topic, m.payload))
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert self._ready.wait(5)

    def wait_for(self, count, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.mark.parametrize("value,value_type,style,text", [
    (12.5, "Float32", "e", "1.250000e+01"),
    (12.5, "Float32", "shortest", "1.25e+01"),
    (1.0, "Float64", "shortest", "1e+00"),
    (0.1, "Float32", "shortest", "1e-01"),
    (1.0625056809966731e+308, "Float64", "shortest", "1.0625056809966731e+308"),  # live capture
    (-1.420855e38, "Float32", "e", "-1.420855e+38"),                             # 3.1.1 capture
    (0.0, "Float64", "e", "0.000000e+00"),
])
def test_float_strings_match_go(value, value_type, style, text):
    assert format_float(value, value_type, style) == text


@pytest.mark.parametrize("major", [4, 3])
def test_auto_events_on_the_bus_match_the_capture_shape(broker, shared_dir, major):
    base = f"t{major}{time.monotonic_ns()}"
    listener = Listener(broker, f"{base}/events/#")
    capture_name = "edgex-4.0.2-mqtt-bus.txt" if major == 4 else "edgex-3.1.1-mqtt-bus.txt"
    _, captured = capture(shared_dir, capture_name, "edgex/events/device/")
    try:
        with StandIn(PROFILES, broker=(broker.host, broker.port), base_topic=base, edgex_major=major,
                     event_interval_scale=0.02, seed=3):
            messages = listener.wait_for(12)
    finally:
        listener.close()
    topics = {t for t, _ in messages}
    assert f"{base}/events/device/device-modbus-line/Conveyor-Drive/filler-conveyor/Telemetry" in topics
    topic, raw = next(m for m in messages if m[0].endswith("/filler-conveyor/Telemetry"))
    envelope = json.loads(raw)
    assert list(envelope) == list(captured)  # same keys in the same order as real EdgeX
    if major == 4:
        assert isinstance(envelope["payload"], dict)
        add_event = envelope["payload"]
    else:
        add_event = json.loads(base64.b64decode(envelope["payload"]))
    captured_event = (captured["payload"] if major == 4 else
                      json.loads(base64.b64decode(captured["payload"])))
    assert list(add_event) == list(captured_event)
    assert set(add_event["event"]) == set(captured_event["event"])
    speed = next(r for r in add_event["event"]["readings"] if r["resourceName"] == "Speed")
    assert set(captured_event["event"]["readings"][0]) <= set(speed)
    pattern = r"^-?\d\.\d{6}e[+-]\d\d$" if major == 3 else r"^-?\d(\.\d+)?e[+-]\d\d$"
    assert re.match(pattern, speed["value"]), speed["value"]
    # The service's own decoder (written separately) reads what the stand-in wrote.
    event = decode_event(decode_envelope(raw, topic))
    assert event.device_name == "filler-conveyor" and len(event.readings) == 6


def readings_of(standin, device, source):
    return {r["resourceName"]: r["value"] for r in standin.publish_event(device, source)["readings"]}


def test_signals_vary_and_faults_show():
    standin = StandIn(PROFILES, publish_events=False, fault_rate=0.0, seed=5)
    values = [float(readings_of(standin, "rinse-pump", "Telemetry")["FlowRate"]) for _ in range(50)]
    assert len(set(values)) > 10 and all(0 <= v <= 200 for v in values)
    assert standin.state["rinse-pump"]["TargetPressure"] == "2.5"  # set points are not simulated
    faulty = StandIn(PROFILES, publish_events=False, fault_rate=1.0, seed=5)
    statuses = {readings_of(faulty, "rinse-pump", "Telemetry")["PumpStatus"] for _ in range(20)}
    assert statuses - {"ok"}, statuses
    pressures = [float(readings_of(faulty, "rinse-pump", "Telemetry")["Pressure"]) for _ in range(20)]
    assert max(abs(p - 2.48) for p in pressures) > 1.0


def test_signals_follow_set_points_and_switches():
    standin = StandIn(PROFILES, publish_events=False, fault_rate=0.0, seed=9)
    standin.devices.write("rinse-pump", "TargetPressure", {"TargetPressure": "4.0"})
    for _ in range(30):
        pressure = float(readings_of(standin, "rinse-pump", "Telemetry")["Pressure"])
    assert abs(pressure - 4.0) < 0.4  # pressure follows its set point (same units)
    standin.devices.write("filler-conveyor", "Running", {"Running": "false"})
    for _ in range(30):
        telemetry = readings_of(standin, "filler-conveyor", "Telemetry")
    assert float(telemetry["Current"]) < 0.2 and float(telemetry["Vibration"]) < 0.2  # stopped
    standin.devices.write("kettle-plug", "Power", {"Power": "true"})
    power = [float(readings_of(standin, "kettle-plug", "ActivePower")["ActivePower"]) for _ in range(30)]
    assert power[-1] > 500  # a switched-on appliance draws power
    energy = [float(readings_of(standin, "kettle-plug", "Status")["Energy"]) for _ in range(3)]
    assert energy == sorted(energy) and energy[0] >= 132.4  # a counter never goes back


def test_dataset_state_is_served_as_edgex_strings(shared_dir):
    dev = os.path.join(shared_dir, "commands", "dev")
    state = json.load(open(os.path.join(dev, "state.json")))
    with StandIn(os.path.join(dev, "profiles"), os.path.join(dev, "devices.yaml"), state=state,
                 publish_events=False) as standin:
        client = CoreCommandClient(standin.urls["core-command"], timeout_s=1.0)
        readings = {r.resource_name: r.value for r in client.get("conveyor-1", "Telemetry").readings}
        assert readings["Speed"] == "1.5e+00" and readings["Running"] == "true"
        client.put("living-room-thermostat", "Mode", {"Mode": "cool"})
        assert standin.state["living-room-thermostat"]["Mode"] == "cool"
        with pytest.raises(CommandError) as info:
            client.get("kitchen-light", "Power")  # the W command shadows the RW resource
        assert info.value.status == 405


@pytest.fixture
def bus_standin(broker):
    base = f"b{time.monotonic_ns()}"
    standin = StandIn(PROFILES, broker=(broker.host, broker.port), base_topic=base,
                      publish_events=False).start()
    bus = MessageBus(BusSettings(host=broker.host, port=broker.port, base_topic_prefix=base))
    bus.start()
    assert bus.wait_connected(5)
    yield standin, bus
    bus.stop()
    standin.stop()


def test_bus_command_path_get_set_query_and_errors(bus_standin, shared_dir):
    standin, bus = bus_standin
    client = CoreCommandClient(standin.urls["core-command"], timeout_s=2.0, bus=bus,
                               use_message_bus=True)
    client.put("capper-conveyor", "Speed", {"Speed": "1.5"}, correlation_id="c-42")
    assert standin.state["capper-conveyor"]["Speed"] == "1.5"
    event = client.get("capper-conveyor", "Telemetry")
    assert {r.resource_name: r.typed() for r in event.readings}["Speed"] == pytest.approx(1.5)
    assert client.get("capper-conveyor", "Telemetry", return_event=False) is None
    assert {d["deviceName"] for d in client.list_commands()} == set(standin.devices.devices)
    assert client.list_commands("rinse-pump")[0]["profileName"] == "Centrifugal-Pump"
    for action, status in ((lambda: client.get("ghost", "Telemetry"), 404),
                           (lambda: client.put("rinse-pump", "TargetPressure",
                                               {"TargetPressure": "9"}), 400)):
        with pytest.raises(CommandError) as info:
            action()
        assert info.value.status == status
    assert standin.calls("core-command") == []  # nothing went over REST
    # Response envelopes have the captured shape and topic.
    _, captured = capture(shared_dir, "edgex-4.0.2-command-get-response.txt", "edgex/response/")
    responses = [(t, json.loads(p)) for t, p in standin.published if "/response/core-command/" in t]
    get_response = next(body for _, body in responses if isinstance(body["payload"], dict)
                        and "event" in body["payload"])
    assert list(get_response) == list(captured)
    assert set(get_response["payload"]) == set(captured["payload"])
    assert get_response["receivedTopic"].startswith(f"{standin.base_topic}/response/device-modbus-line/")
    error = next(body for _, body in responses if body["errorCode"] == 1)
    assert error["contentType"] == "text/plain" and "404" in error["payload"]


def test_bus_command_path_unanswered_while_core_command_is_down(bus_standin):
    standin, bus = bus_standin
    client = CoreCommandClient(standin.urls["core-command"], timeout_s=0.4, bus=bus, use_message_bus=True)
    standin.set_down("core-command")
    with pytest.raises(CommandError) as info:
        client.put("rinse-pump", "Running", {"Running": "false"}, idempotent=False)
    assert info.value.status == 0 and standin.state["rinse-pump"]["Running"] == "true"


def test_system_events_on_device_changes(broker):
    base = f"s{time.monotonic_ns()}"
    listener = Listener(broker, f"{base}/system-events/#")
    try:
        with StandIn(PROFILES, broker=(broker.host, broker.port), base_topic=base,
                     publish_events=False) as standin:
            standin.add_device({"name": "garage-light", "profileName": "Tunable-White-Bulb",
                                "serviceName": "device-zigbee-house"})
            standin.set_admin_state("garage-light", "LOCKED")
            messages = listener.wait_for(2)
    finally:
        listener.close()
    assert [t for t, _ in messages] == [
        f"{base}/system-events/core-metadata/device/add/device-zigbee-house/Tunable-White-Bulb",
        f"{base}/system-events/core-metadata/device/update/device-zigbee-house/Tunable-White-Bulb"]
    payload = json.loads(messages[1][1])["payload"]
    assert {k: payload[k] for k in ("type", "action", "source", "owner")} == {
        "type": "device", "action": "update", "source": "core-metadata", "owner": "device-zigbee-house"}
    assert payload["details"]["adminState"] == "LOCKED" and payload["details"]["id"]


def test_core_data_notifications_registry_and_ping():
    with StandIn(PROFILES, publish_events=False) as standin:
        urls = standin.urls
        event = standin.publish_event("kettle-plug", "ActivePower")
        request = {"apiVersion": "v3", "requestId": "r1", "event": event}
        path = "/api/v3/event/device-zigbee-house/Metering-Plug/kettle-plug/ActivePower"
        assert requests.post(urls["core-data"] + path, json=request).status_code == 201
        assert requests.post(urls["core-data"] + path, data=cbor2.dumps(request),
                             headers={"Content-Type": "application/cbor"}).status_code == 201
        assert requests.post(urls["core-data"] + path, data=b"{").status_code == 400
        assert len(standin.events) == 2
        assert requests.get(urls["core-data"] + "/api/v3/event/count").json()["count"] == 2
        bad = [{"notification": {"content": "x", "sender": "s", "severity": "LOUD", "category": "c"}}]
        response = requests.post(urls["support-notifications"] + "/api/v3/notification", json=bad)
        assert response.status_code == 400 and response.json()["statusCode"] == 400
        registry = urls["registry"]
        body = {"apiVersion": "v3", "registration": {
            "serviceId": "app-llm-agent", "host": "localhost", "port": 59741,
            "HealthCheck": {"interval": "10s", "path": "/api/v3/ping", "type": "http"}}}
        assert requests.get(registry + "/api/v3/registry/serviceId/app-llm-agent").status_code == 404
        assert requests.post(registry + "/api/v3/registry", json=body).status_code == 201
        assert requests.post(registry + "/api/v3/registry", json=body).status_code == 409
        body["registration"]["status"] = "HALT"
        assert requests.put(registry + "/api/v3/registry", json=body).status_code == 200
        assert requests.get(registry + "/api/v3/registry/all").json()["registrations"] == []
        assert requests.put(registry + "/v1/agent/service/register",
                            json={"Name": "app-llm-agent", "Address": "h", "Port": 1}).status_code == 200
        assert "app-llm-agent" in requests.get(registry + "/v1/agent/services").json()
        ping = requests.get(urls["core-command"] + "/api/v3/ping").json()
        assert re.match(r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$", ping["timestamp"])
        assert ping["serviceName"] == "core-command"
        assert requests.get(urls["core-command"] + "/api/v3/nothing").status_code == 404
        assert requests.get(urls["core-command"] + "/api/v3/device/name/x/y",
                            params={"ds-pushevent": "yes"}).status_code == 400
        assert requests.put(urls["core-command"] + "/api/v3/device/name/kettle-plug/Power",
                            data=b"not json").status_code == 500
        assert {c.service for c in standin.requests} == {"core-data", "support-notifications",
                                                         "registry", "core-command"}


def test_down_and_up_reuse_the_port():
    with StandIn(PROFILES, publish_events=False) as standin:
        url = standin.urls["core-metadata"] + "/api/v3/ping"
        session = requests.Session()
        assert session.get(url).ok
        standin.set_down("core-metadata")
        with pytest.raises(requests.ConnectionError):
            session.get(url, timeout=1)
        standin.set_down("core-metadata", False)
        assert standin.urls["core-metadata"] + "/api/v3/ping" == url and session.get(url).ok


@pytest.mark.parametrize("options", [{"base64_payload": True}, {"optimize_events": True},
                                     {"edgex_major": 3, "optimize_events": True}])
def test_encoding_options_decode_with_the_service_decoder(options):
    standin = StandIn(PROFILES, publish_events=False, seed=2, **options)
    standin.publish_event("kettle-plug", "ActivePower")
    standin.publish_event("filler-conveyor", "Telemetry")
    (single_topic, single), (multi_topic, multi) = standin.published[-2:]
    envelope = json.loads(single)
    assert isinstance(envelope["payload"], str) == (options.get("edgex_major") == 3
                                                    or options.get("base64_payload", False))
    one = decode_event(decode_envelope(single, single_topic))
    many = decode_event(decode_envelope(multi, multi_topic))
    assert one.readings[0].resource_name == "ActivePower"
    assert one.readings[0].device_name == "kettle-plug" and one.readings[0].origin == one.origin
    assert [r.profile_name for r in many.readings] == ["Conveyor-Drive"] * 6
    if options.get("optimize_events"):
        payload = envelope["payload"]
        raw = json.loads(base64.b64decode(payload)) if isinstance(payload, str) else payload
        assert raw["event"]["readings"][0].keys() == {"valueType", "value", "units"}


def test_devices_added_over_rest_are_commandable_and_announced():
    with StandIn(PROFILES, publish_events=False) as standin:
        metadata = standin.urls["core-metadata"] + "/api/v3/device"
        device = {"name": "garage-lamp", "profileName": "Tunable-White-Bulb",
                  "serviceName": "device-zigbee-house", "labels": ["room:garage"]}
        answer = requests.post(metadata, json=[{"apiVersion": "v3", "requestId": "r1", "device": device},
                                               {"apiVersion": "v3", "device": {"name": "x"}}])
        assert answer.status_code == 207
        assert [r["statusCode"] for r in answer.json()] == [201, 400]
        assert requests.post(metadata, json=[{"device": device}]).json()[0]["statusCode"] == 409
        assert standin.published[-1][0].endswith("/device/add/device-zigbee-house/Tunable-White-Bulb")
        client = CoreCommandClient(standin.urls["core-command"], 1.0)
        readings = {r.resource_name: r.value for r in client.get("garage-lamp", "Status").readings}
        assert readings == {"Power": "false", "Brightness": "100", "ColorTemperature": "2700"}
        patch = requests.patch(metadata, json=[{"device": {"name": "garage-lamp", "adminState": "LOCKED"}}])
        assert patch.json()[0]["statusCode"] == 200
        with pytest.raises(CommandError) as info:
            client.put("garage-lamp", "Power", {"Power": "true"})
        assert info.value.status == 423


def test_malformed_bus_requests_do_not_stop_the_command_path(bus_standin):
    standin, bus = bus_standin
    base = standin.base_topic
    for raw in (b"not json", b"[]", b'{"payload": "%%%"}',
                json.dumps({"requestID": "", "payload": None}).encode()):
        bus.publish(f"{base}/core/command/request/rinse-pump/Telemetry/get", raw)
    envelope = bus.request(f"{base}/core/command/request/rinse-pump/Running/set", "not a map",
                           response_service="core-command", timeout=2.0)
    assert envelope.error_code == 1 and "400" in envelope.error_message
    client = CoreCommandClient(standin.urls["core-command"], 2.0, bus=bus, use_message_bus=True)
    assert client.get("rinse-pump", "Telemetry").device_name == "rinse-pump"


def test_recordings_are_bounded_snapshots():
    standin = StandIn(PROFILES, publish_events=False, record_limit=5)
    for _ in range(12):
        standin.publish_event("kettle-plug", "ActivePower")
        standin.data.record({"deviceName": "kettle-plug"})
    assert len(standin.published) == 5 and len(standin.events) == 5 and standin.data.count == 12
    snapshot = standin.published
    standin.publish_event("kettle-plug", "ActivePower")
    assert len(snapshot) == 5 and snapshot[-1] != standin.published[-1]


def test_a_taken_port_fails_clearly_and_leaves_nothing_running():
    with StandIn(PROFILES, publish_events=False) as first:
        taken = int(first.urls["core-data"].rsplit(":", 1)[1])
        second = StandIn(PROFILES, publish_events=False, ports={"core-data": taken})
        with pytest.raises(OSError, match="core-data cannot listen"):
            second.start()
        command_url = second.urls["core-command"]
        with pytest.raises(requests.ConnectionError):
            requests.get(command_url + "/api/v3/ping", timeout=1)
    with pytest.raises(ValueError):
        StandIn(PROFILES, edgex_major=2)
