"""The commands feature inside the whole service: REST and message-bus request paths, the audit
topic, the InterpretCommand pipeline function and catalog refresh on core-metadata system events,
over a real mosquitto with the embedded EdgeX stand-in holding our greenhouse building."""
import base64
import json
import os
import time
import urllib.error
import urllib.request

import pytest

from app_service.config import ServiceSettings, load_configuration
from app_service.edgex.dtos import Event, Reading
from app_service.pipeline import Context
from app_service.service import build_app
from app_service.standin import StandIn
from broker import Listener, free_port, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GREENHOUSE = os.path.join(ROOT, "tests", "fixtures", "commands", "greenhouse")


class FakeModel:
    """Wiring test: the interpreter never needs the model on these requests."""
    state = "ready"

    def start(self):
        pass

    def health(self):
        return {"state": "ready"}

    def close(self):
        pass

    def choose(self, prompt, options):
        raise AssertionError("the model is not needed for these requests")


def payload_of(envelope):
    payload = envelope["payload"]
    return json.loads(base64.b64decode(payload)) if isinstance(payload, str) else payload


def post(port, path, body, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method="POST",
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture
def running(broker, tmp_path, monkeypatch):
    yield from _running(broker, tmp_path, monkeypatch, {})


@pytest.fixture
def running_bus_commands(broker, tmp_path, monkeypatch):
    yield from _running(broker, tmp_path, monkeypatch,
                        {"CLIENTS_CORE_COMMAND_USEMESSAGEBUS": "true"})


def _running(broker, tmp_path, monkeypatch, extra_env):
    monkeypatch.chdir(tmp_path)
    with open(os.path.join(GREENHOUSE, "state.json"), encoding="utf-8") as fh:
        state = json.load(fh)
    standin = StandIn(os.path.join(GREENHOUSE, "profiles"),
                      os.path.join(GREENHOUSE, "devices.yaml"),
                      state=state, broker=("127.0.0.1", broker.port), publish_events=False,
                      fault_rate=0.0).start()
    ports = {name: url.rsplit(":", 1)[1] for name, url in standin.urls.items()}
    env = {"MESSAGEBUS_HOST": "127.0.0.1", "MESSAGEBUS_PORT": str(broker.port),
           "MESSAGEBUS_OPTIONAL_CLIENTID": f"app-cmd-{free_port()}",
           "SERVICE_HOST": "127.0.0.1", "SERVICE_PORT": str(free_port()),
           "APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "store.sqlite"),
           "APPLICATIONSETTINGS_PROFILESDIR": GREENHOUSE, **extra_env}
    for name in ("core-command", "core-metadata", "core-data", "support-notifications"):
        key = name.upper().replace("-", "_")
        env[f"CLIENTS_{key}_HOST"], env[f"CLIENTS_{key}_PORT"] = "127.0.0.1", ports[name]
    config = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(config, env=env)
    app = build_app(config, settings, env=env, model=FakeModel())
    audit = Listener(broker.port, "edgex/llm-agent/audit")
    app.start()
    try:
        assert app.bus.wait_connected(10)
        # the local folder has no profiles at its top level: the catalog comes from core-metadata
        assert wait_until(lambda: "office-light" in app.commands.interpreter.catalog.entries, 15)
        yield app, standin, settings, audit, broker
    finally:
        app.stop()
        audit.close()
        standin.stop()


def test_rest_interpret_executes_and_audits(running):
    app, standin, settings, audit, _ = running
    status, body = post(settings.port, "/api/v3/interpret",
                        {"text": "open the irrigation valve", "execute": True},
                        {"X-Correlation-ID": "e2e-rest-1"})
    assert status == 200 and body["refusal"] is None and body["executed"]
    assert body["actions"] == [{"device": "irrigation-valve", "command": "Open", "method": "set",
                                "values": {"Open": "true"}}]
    assert body["results"][0]["status"] == "ok"
    assert standin.state["irrigation-valve"]["Open"] == "true"
    _, envelope = audit.wait_for(lambda t, m: m.get("correlationID") == "e2e-rest-1")
    record = payload_of(envelope)
    assert record["text"] == "open the irrigation valve" and record["results"] == body["results"]
    status, refused = post(settings.port, "/api/v3/interpret",
                           {"text": "set fan 1 to 300%", "execute": True})
    assert status == 200 and refused["refusal"]["reason"] == "out_of_range"
    assert refused["actions"] == []


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400), ({"text": 5}, 400), ({"text": "hi", "execute": "yes"}, 400),
])
def test_rest_rejects_bad_requests(running, body, status):
    _, _, settings, _, _ = running
    code, reply = post(settings.port, "/api/v3/interpret", body)
    assert code == status and reply["statusCode"] == status and reply["message"]


def test_bus_request_answered_on_the_response_topic(running):
    app, standin, _, audit, broker = running
    responses = Listener(broker.port, "edgex/response/app-llm-agent/#")
    try:
        request = {"apiVersion": "v3", "receivedTopic": "", "correlationID": "e2e-bus-1",
                   "requestID": "req-1", "errorCode": 0, "contentType": "application/json",
                   "payload": {"text": "switch off both fans", "execute": True}}
        publisher = responses.client
        publisher.publish("edgex/llm-agent/command/request/req-1", json.dumps(request))
        _, envelope = responses.wait_for(lambda t, m: t.endswith("/req-1"))
        assert envelope["requestID"] == "req-1" and envelope["correlationID"] == "e2e-bus-1"
        assert envelope["errorCode"] == 0
        body = payload_of(envelope)
        assert {a["device"] for a in body["actions"]} == {"greenhouse-fan-1", "greenhouse-fan-2"}
        assert standin.state["greenhouse-fan-2"]["Power"] == "false"
        audit.wait_for(lambda t, m: m.get("correlationID") == "e2e-bus-1")
        publisher.publish("edgex/llm-agent/command/request/req-2", b"\xff not an envelope")
        _, error = responses.wait_for(lambda t, m: t.endswith("/req-2"))
        assert error["errorCode"] == 1
    finally:
        responses.close()


def test_pipeline_function_interprets_utterance_events(running):
    app, _, _, _, _ = running
    fn = app.pipeline_functions["InterpretCommand"]({"ResourceName": "Utterance"}, app)
    event = Event.new("voice-panel", "Speech", "Utterance", time.time_ns(),
                      [Reading(resource_name="Utterance", value_type="String", value="土壤湿度是多少？")])
    ctx = Context(correlation_id="e2e-pipe-1")
    go_on, result = fn(ctx, event)
    assert go_on and "35.5" in result["answer"] and ctx.response_data
    other = Event.new("fan", "Exhaust-Fan", "Status", time.time_ns(),
                      [Reading(resource_name="Speed", value_type="Uint8", value="3")])
    assert fn(ctx, other) == (False, None)
    stop, error = fn(ctx, "not an event")
    assert stop is False and isinstance(error, TypeError)


def test_catalog_follows_core_metadata_system_events(running):
    app, standin, settings, _, _ = running
    status, before = post(settings.port, "/api/v3/interpret", {"text": "turn on greenhouse fan 3"})
    assert before["refusal"]["reason"] == "unknown_device"
    standin.add_device({"name": "greenhouse-fan-3", "profileName": "Exhaust-Fan",
                        "description": "Door fan", "labels": ["area:greenhouse"],
                        "adminState": "UNLOCKED", "operatingState": "UP",
                        "serviceName": "device-modbus",
                        "protocols": {"other": {"Address": "10.0.0.19"}}})
    assert wait_until(lambda: post(settings.port, "/api/v3/interpret",
                                   {"text": "turn on greenhouse fan 3"})[1]["actions"], 10)


def test_actuation_through_the_message_bus_command_path(running_bus_commands):
    app, standin, settings, _, _ = running_bus_commands
    assert app.command_client.uses_message_bus
    status, body = post(settings.port, "/api/v3/interpret",
                        {"text": "set the greenhouse heater to 21 degrees", "execute": True})
    assert status == 200 and body["results"][0]["status"] == "ok", body
    assert float(standin.state["greenhouse-heater"]["Setpoint"]) == 21.0
    assert any(t.startswith("edgex/response/core-command/") for t, _ in standin.published)
