"""EdgeX clients against the embedded stand-in: routes, errors, the retry policy, the bus path."""
import os
import threading
import time

import pytest
import requests
import tenacity
import yaml

from app_service.clients import (CoreCommandClient, MetadataClient, NotificationsClient,
                                 is_transient, make_retrying)
from app_service.device_profiles import DeviceProfiles
from app_service.errors import CommandError
from app_service.standin import StandIn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")
FAST = tenacity.wait_fixed(0.02)  # keeps retry tests quick; the policy itself is tested below


@pytest.fixture
def standin():
    with StandIn(PROFILES, publish_events=False, seed=7) as s:
        yield s


@pytest.fixture
def command(standin):
    client = CoreCommandClient(standin.urls["core-command"], timeout_s=1.0, wait=FAST)
    yield client
    client.rest.close()


def puts(standin, device=None):
    return [c for c in standin.calls("core-command", "PUT")
            if device is None or f"/name/{device}/" in c.path]


def test_get_returns_the_event_with_typed_readings(command):
    event = command.get("filler-conveyor", "Telemetry")
    values = {r.resource_name: r for r in event.readings}
    assert event.device_name == "filler-conveyor" and event.source_name == "Telemetry"
    assert values["Running"].typed() is True
    assert values["Speed"].value == "1.2e+00" and values["Speed"].typed() == pytest.approx(1.2)
    assert values["DriveStatus"].value == "running"


def test_put_sets_state_and_sends_string_values(command, standin):
    command.put("lounge-lamp", "Brightness", {"Brightness": 30}, correlation_id="cid-1")
    assert standin.state["lounge-lamp"]["Brightness"] == "30"
    call = puts(standin)[-1]
    assert call.json() == {"Brightness": "30"} and call.headers["x-correlation-id"] == "cid-1"
    status = {r.resource_name: r.value for r in command.get("lounge-lamp", "Status").readings}
    assert status["Brightness"] == "30"


def test_get_flags_and_no_event(command, standin):
    assert command.get("lounge-lamp", "Status", return_event=False) is None
    assert standin.calls("core-command", "GET")[-1].query == {"ds-pushevent": "false",
                                                             "ds-returnevent": "false"}
    command.get("lounge-lamp", "Status", push_event=True)
    topic, _ = standin.published[-1]
    assert topic == "edgex/events/device/device-zigbee-house/Tunable-White-Bulb/lounge-lamp/Status"


@pytest.mark.parametrize("action,status", [
    (lambda c: c.get("no-such-device", "Status"), 404),
    (lambda c: c.get("lounge-lamp", "NoSuchCommand"), 404),
    (lambda c: c.get("lounge-lamp", "Brightness"), 405),           # write-only command
    (lambda c: c.put("landing-smoke-alarm", "Status", {"Smoke": "true"}), 405),  # read-only
    (lambda c: c.put("lounge-lamp", "Brightness", {"Brightness": "101"}), 400),  # above maximum
    (lambda c: c.put("lounge-thermostat", "Setpoint", {"Setpoint": "warm"}), 400),
    (lambda c: c.put("lounge-lamp", "Power", {"Power": "maybe"}), 400),
    (lambda c: c.put("back-door-lock", "Locked", {"Locked": "false"}), 423),     # locked below
])
def test_core_command_errors_become_command_errors(command, standin, action, status):
    standin.set_admin_state("back-door-lock", "LOCKED")
    with pytest.raises(CommandError) as info:
        action(command)
    assert info.value.status == status
    # 4xx are never retried: exactly one request reached core-command.
    assert len([c for c in standin.calls("core-command") if c.status == status]) == 1
    assert standin.state["back-door-lock"]["Locked"] == "true"


def test_device_service_unavailable_is_503_after_retries(standin):
    command = CoreCommandClient(standin.urls["core-command"], timeout_s=0.4, wait=FAST)
    standin.set_device_service_down("device-modbus-line")
    with pytest.raises(CommandError) as info:
        command.put("rinse-pump", "Running", {"Running": "false"})
    assert info.value.status == 503 and "unavailable" in str(info.value)
    assert len(puts(standin)) > 1  # 503 = not done: retried within the budget
    assert standin.state["rinse-pump"]["Running"] == "true"


@pytest.mark.parametrize("status,idempotent,expected_calls", [
    (503, True, 3), (500, True, 3), (502, True, 3),   # transient: retried until it works
    (503, False, 3),                                  # 503: not executed, safe to resend
    (500, False, 1),                                  # may have acted: a non-idempotent call stops
    (400, True, 1), (404, True, 1), (423, True, 1),   # the request is wrong: never retried
])
def test_retry_policy_on_http_status(command, standin, status, idempotent, expected_calls):
    standin.fail_next("core-command", status, 2)
    try:
        command.put("lounge-lamp", "Brightness", {"Brightness": "40"}, idempotent=idempotent)
        succeeded = True
    except CommandError as err:
        assert err.status == status
        succeeded = False
    assert len(puts(standin)) == expected_calls
    assert succeeded == (expected_calls == 3)


def test_connection_refused_is_retried_until_the_service_is_back(command, standin):
    standin.set_down("core-command")
    threading.Timer(0.3, standin.set_down, args=("core-command", False)).start()
    command.put("lounge-lamp", "Brightness", {"Brightness": "25"}, idempotent=False)
    assert len(puts(standin)) == 1 and standin.state["lounge-lamp"]["Brightness"] == "25"


def test_unreachable_service_fails_within_the_budget(standin):
    command = CoreCommandClient(standin.urls["core-command"], timeout_s=0.4, wait=FAST)
    standin.set_down("core-command")
    started = time.monotonic()
    with pytest.raises(CommandError) as info:
        command.get("lounge-lamp", "Status")
    assert info.value.status == 0 and "could not be reached" in str(info.value)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("idempotent,min_calls", [(True, 1), (False, 1)])
def test_slow_service_times_out_within_the_budget(standin, idempotent, min_calls):
    standin.set_delay("core-command", 1.5)
    client = CoreCommandClient(standin.urls["core-command"], timeout_s=0.5, wait=FAST)
    started = time.monotonic()
    with pytest.raises(CommandError) as info:
        client.put("lounge-lamp", "Brightness", {"Brightness": "10"}, idempotent=idempotent)
    assert time.monotonic() - started < 1.2 and info.value.status == 0


@pytest.mark.parametrize("exc,idempotent,expected", [
    (requests.ConnectTimeout(), False, True),
    (requests.ReadTimeout(), True, True),
    (requests.ReadTimeout(), False, False),
    (requests.ConnectionError("Connection aborted"), False, False),
    (requests.ConnectionError("reset"), True, True),
    (ValueError("bug"), True, False),
])
def test_is_transient_table(exc, idempotent, expected):
    assert is_transient(exc, idempotent) is expected


def test_make_retrying_stops_after_the_budget():
    calls = []

    def always_refused():
        calls.append(time.monotonic())
        raise requests.ConnectTimeout()

    started = time.monotonic()
    with pytest.raises(requests.ConnectTimeout):
        make_retrying(0.3)(always_refused)
    assert 0.3 <= time.monotonic() - started < 1.5 and len(calls) >= 2
    calls.clear()
    with pytest.raises(ValueError):
        make_retrying(5.0)(lambda: calls.append(1) or (_ for _ in ()).throw(ValueError("x")))
    assert calls == [1]


def test_list_commands_all_and_one(command, standin):
    everything = command.list_commands()
    assert {d["deviceName"] for d in everything} == set(standin.devices.devices)
    (lamp,) = command.list_commands("lounge-lamp")
    by_name = {c["name"]: c for c in lamp["coreCommands"]}
    assert by_name["Status"]["get"] is True and "set" not in by_name["Status"]
    assert by_name["Brightness"] == {
        "name": "Brightness", "set": True, "path": "/api/v3/device/name/lounge-lamp/Brightness",
        "url": standin.urls["core-command"],
        "parameters": [{"resourceName": "Brightness", "valueType": "Uint8"}]}


def test_metadata_client_reads_and_uploads(standin):
    metadata = MetadataClient(standin.urls["core-metadata"], timeout_s=1.0, wait=FAST)
    assert {p.name for p in metadata.all_profiles()} >= {"Tunable-White-Bulb", "Conveyor-Drive"}
    assert len(metadata.all_devices()) == len(standin.devices.devices)
    assert metadata.device("rinse-pump").auto_events[0].interval_seconds == 2.0
    assert metadata.profile("Room-Thermostat").resource("Mode").allowed_values[-1] == "eco"
    new_profile = {"name": "Fan-Coil", "deviceResources": [
        {"name": "Speed", "properties": {"valueType": "Uint8", "readWrite": "RW",
                                         "minimum": 0, "maximum": 3}}],
        "deviceCommands": []}
    assert metadata.upload_profile(yaml.safe_dump(new_profile))
    assert metadata.profile("Fan-Coil").resource("Speed").properties.maximum == 3
    topic = standin.published[-1][0]
    assert topic == "edgex/system-events/core-metadata/deviceprofile/add/core-metadata/Fan-Coil"
    with pytest.raises(CommandError) as info:
        metadata.upload_profile(yaml.safe_dump(new_profile))
    assert info.value.status == 409
    assert metadata.upload_profile(yaml.safe_dump(new_profile), replace=True) == ""
    with pytest.raises(CommandError) as info:
        metadata.upload_profile("name: [broken")
    assert info.value.status == 400
    with pytest.raises(CommandError) as info:
        metadata.profile("Nope")
    assert info.value.status == 404


def test_invalid_core_metadata_profile_is_skipped_not_fatal(standin):
    bad = {"name": "Broken", "deviceResources": [{"name": "X", "properties": {"valueType": "Nope",
                                                                              "readWrite": "R"}}]}
    MetadataClient(standin.urls["core-metadata"], 1.0).upload_profile(yaml.safe_dump(bad))
    metadata = MetadataClient(standin.urls["core-metadata"], 1.0)
    names = {p.name for p in metadata.all_profiles()}
    assert "Broken" not in names and "Conveyor-Drive" in names and metadata.skipped == 1


def test_profile_store_merges_from_the_standin_and_survives_it_going_down(standin):
    metadata = MetadataClient(standin.urls["core-metadata"], timeout_s=0.3, wait=FAST)
    store = DeviceProfiles(PROFILES, metadata=metadata)
    standin.add_device({"name": "garden-light", "profileName": "Tunable-White-Bulb",
                        "serviceName": "device-zigbee-house", "labels": ["room:garden"]})
    assert store.device("garden-light") is None
    assert store.refresh() and store.profile_of("garden-light").name == "Tunable-White-Bulb"
    standin.set_down("core-metadata")
    assert store.refresh() is False and store.device("garden-light") is not None


def test_notifications_client(standin):
    client = NotificationsClient(standin.urls["support-notifications"], timeout_s=1.0, wait=FAST)
    notification_id = client.send({"category": "anomaly", "content": "Vibration spike on filler-conveyor",
                                   "sender": "app-llm-agent", "severity": "CRITICAL",
                                   "labels": ["filler-conveyor", "Vibration"]})
    (stored,) = standin.notifications
    assert stored["id"] == notification_id and stored["severity"] == "CRITICAL"
    assert stored["contentType"] == "text/plain" and stored["labels"] == ["filler-conveyor", "Vibration"]
    for bad in ({"content": "x", "sender": "s", "severity": "LOW", "category": "c"},
                {"sender": "s", "severity": "NORMAL", "category": "c"},
                {"content": "x", "sender": "s", "severity": "NORMAL"}):
        with pytest.raises(ValueError):
            client.send(bad)
    standin.fail_next("support-notifications", 500, 1)
    with pytest.raises(CommandError) as info:  # POST is not idempotent: a 500 is not resent
        client.send({"category": "c", "content": "x", "sender": "s", "severity": "NORMAL"})
    assert info.value.status == 500 and len(standin.notifications) == 1


def test_identical_core_metadata_profiles_are_not_reported_as_replacements(standin, caplog):
    store = DeviceProfiles(PROFILES, os.path.join(PROFILES, "devices.yaml"),
                           MetadataClient(standin.urls["core-metadata"], 1.0))
    with caplog.at_level("INFO", logger="app_service.device_profiles.store"):
        assert store.refresh()
    assert store.version == 0 and "replaces" not in caplog.text


def test_garbled_success_bodies_are_command_errors(standin, command):
    standin.answer_next("core-command", 200, b"<html>proxy</html>", "text/html", count=2)
    for action in (lambda: command.get("lounge-lamp", "Status"), lambda: command.list_commands()):
        with pytest.raises(CommandError) as info:
            action()
        assert info.value.status == 502
    standin.answer_next("core-command", 200, {"apiVersion": "v3", "statusCode": 200, "event": {}})
    with pytest.raises(CommandError, match="no valid event"):
        command.get("lounge-lamp", "Status")
