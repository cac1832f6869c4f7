"""The whole service on a real mosquitto with the embedded EdgeX stand-in."""
import json
import os
import signal
import sys
import urllib.error
import urllib.request

import cbor2
import pytest

from broker import Listener, free_port, wait_until
from logged_process import LoggedProcess
from app_service.config import ServiceSettings, load_configuration
from app_service.errors import ConfigError
from app_service.service import build_app
from app_service.standin import StandIn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")


def service_env(broker, standin, tmp_path, **extra):
    ports = {name: url.rsplit(":", 1)[1] for name, url in standin.urls.items()}
    env = {
        "MESSAGEBUS_HOST": "127.0.0.1", "MESSAGEBUS_PORT": str(broker.port),
        "MESSAGEBUS_OPTIONAL_CLIENTID": f"app-test-{free_port()}",
        "SERVICE_HOST": "127.0.0.1", "SERVICE_PORT": str(free_port()),
        "REGISTRY_HOST": "127.0.0.1", "REGISTRY_PORT": ports["registry"],
        "APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "store.sqlite"),
        "APPLICATIONSETTINGS_PROFILESDIR": PROFILES,
        "WRITABLE_TELEMETRY_INTERVAL": "200ms",
        "TRIGGER_PUBLISHTOPIC": "agent-out/{devicename}",
    }
    for name in ("core-command", "core-metadata", "core-data", "support-notifications"):
        key = name.upper().replace("-", "_")
        env[f"CLIENTS_{key}_HOST"] = "127.0.0.1"
        env[f"CLIENTS_{key}_PORT"] = ports[name]
    env.update(extra)
    return env


@pytest.fixture(autouse=True)
def in_tmp_dir(tmp_path, monkeypatch):
    """Relative state paths of the features (snapshots, stores) land in the test's own folder."""
    monkeypatch.chdir(tmp_path)


class FakeModel:
    """Stands in for the llm part's ModelHandle: these tests are about wiring, not inference."""

    def __init__(self):
        self.started = self.closed = False

    def start(self):
        self.started = True

    def health(self):
        return {"state": "ready" if self.started else "not-loaded", "model": "fake"}

    def close(self):
        self.closed = True


@pytest.fixture
def standin(broker):
    with StandIn(PROFILES, broker=("127.0.0.1", broker.port), publish_events=False) as s:
        yield s


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
        return json.loads(resp.read())


def test_service_runs_pipeline_publishes_telemetry_and_serves_rest(broker, standin, tmp_path):
    env = service_env(broker, standin, tmp_path,
                      WRITABLE_INSECURESECRETS_MQTT_SECRETDATA_PASSWORD="hunter2")
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(cfg, env=env)
    model = FakeModel()
    app = build_app(cfg, settings, env=env, model=model)
    listener = Listener(broker.port, "edgex/#")
    app.start()
    try:
        assert app.bus.wait_connected(10)
        assert get(settings.port, "/api/v3/ping")["serviceName"] == "app-llm-agent"
        assert wait_until(lambda: app.profiles.remote_ok)  # merged with stand-in core-metadata
        # The subscription is made in on_connect; publish until the first event gets through.
        output = lambda t, m: t == "edgex/agent-out/lounge-lamp"  # noqa: E731
        assert wait_until(lambda: standin.publish_event("lounge-lamp", "Status") and
                          listener.has(output, 0.5), 15)
        topic, envelope = listener.wait_for(output)
        assert envelope["correlationID"] and envelope["contentType"] == "application/json"
        _, metric = listener.wait_for(
            lambda t, m: t == "edgex/telemetry/app-llm-agent/PipelineMessagesProcessed"
            and _payload(m)["fields"][0]["value"] >= 1)
        tags = {t["name"]: t["value"] for t in _payload(metric)["tags"]}
        assert tags == {"service": "app-llm-agent", "pipeline": "default-pipeline"}
        config = get(settings.port, "/api/v3/config")["config"]
        secret_data = config["Writable"]["InsecureSecrets"]["mqtt"]["SecretData"]
        assert secret_data == {"username": "", "password": "***"}
        metrics = get(settings.port, "/api/v3/metrics")["metrics"]
        assert metrics["MessagesReceived"]["fields"][0]["value"] >= 1
        assert get(settings.port, "/api/v3/health")["model"] == {"state": "ready",
                                                                 "model": "fake"}
    finally:
        app.stop()
        listener.close()
    assert model.closed


def _payload(envelope):
    payload = envelope["payload"]
    if isinstance(payload, str):  # EdgeX 3 dialect: base64 of the JSON
        import base64
        return json.loads(base64.b64decode(payload))
    return payload


def test_http_trigger_route(broker, standin, tmp_path):
    env = service_env(broker, standin, tmp_path, TRIGGER_TYPE="http")
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(cfg, env=env)
    app = build_app(cfg, settings, env=env, model=FakeModel())
    app.start()
    try:
        event = standin.devices.read("lounge-lamp", "Status", simulate=True)
        body = json.dumps({"apiVersion": "v3", "requestId": "r1", "event": event}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{settings.port}/api/v3/trigger", body,
                                     {"Content-Type": "application/json",
                                      "X-Correlation-ID": "cid-42"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200 and resp.headers["X-Correlation-ID"] == "cid-42"
            assert json.loads(resp.read())["deviceName"] == "lounge-lamp"
        req = urllib.request.Request(f"http://127.0.0.1:{settings.port}/api/v3/trigger",
                                     cbor2.dumps(event), {"Content-Type": "application/cbor"},
                                     method="POST")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.loads(resp.read())["id"] == event["id"]
        req = urllib.request.Request(f"http://127.0.0.1:{settings.port}/api/v3/trigger",
                                     b"{broken", {"Content-Type": "application/json"},
                                     method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=5)
        assert err.value.code == 400 and json.loads(err.value.read())["statusCode"] == 400
        assert app.trigger is None  # Trigger.Type=http: no bus subscription
    finally:
        app.stop()


FEATURE = '''
import time

from app_service.rest import Response

def install(app):
    def shout(params, app_):
        suffix = params.get("Suffix", "!")
        def run(ctx, event):
            ctx.set_response_data((event.device_name.upper() + suffix).encode())
            return True, event
        return run
    app.pipeline_functions["Shout"] = shout

    def explode(params, app_):
        def run(ctx, event):
            if event.device_name == "porch-light":
                raise RuntimeError("porch light refused")
            return True, event
        return run
    app.pipeline_functions["Explode"] = explode

    def slow(params, app_):
        def run(ctx, event):
            time.sleep(float(params.get("Seconds", "0.02")))
            return True, event
        return run
    app.pipeline_functions["Slow"] = slow
    app.rest.add_route("GET", "/api/v3/feature", lambda r: Response(200, {"installed": True}))
    app.on_shutdown(lambda: app.config.setdefault("_feature_stopped", True))
'''


def test_feature_installers_register_functions_routes_and_hooks(broker, standin, tmp_path,
                                                                monkeypatch):
    (tmp_path / "fake_feature.py").write_text(FEATURE)
    monkeypatch.syspath_prepend(str(tmp_path))
    env = service_env(broker, standin, tmp_path, TRIGGER_TYPE="http",
                      WRITABLE_PIPELINE_EXECUTIONORDER="Explode, Shout")
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    cfg["Writable"]["Pipeline"]["Functions"]["Shout"] = {"Parameters": {"Suffix": "?"}}
    settings = ServiceSettings.from_config(cfg, env=env)
    app = build_app(cfg, settings, env=env, model=FakeModel(),
                    features=("fake_feature", "no_such_feature_module"))
    app.start()
    try:
        assert get(settings.port, "/api/v3/feature") == {"installed": True}
        event = standin.devices.read("lounge-lamp", "Status", simulate=True)
        req = urllib.request.Request(f"http://127.0.0.1:{settings.port}/api/v3/trigger",
                                     json.dumps(event).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.read() == (event["deviceName"].upper() + "?").encode()
        failing = standin.devices.read("porch-light", "Status", simulate=True)
        req = urllib.request.Request(f"http://127.0.0.1:{settings.port}/api/v3/trigger",
                                     json.dumps(failing).encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=5)
        body = json.loads(err.value.read())
        assert err.value.code == 422 and body["statusCode"] == 422
        assert "porch light refused" in body["message"]
    finally:
        app.stop()
    assert cfg["_feature_stopped"] is True


@pytest.mark.parametrize("mutate, key", [
    (lambda c: c["Writable"]["Pipeline"].update(ExecutionOrder="NoSuchFunction"),
     "Writable.Pipeline.ExecutionOrder"),
    (lambda c: c["Clients"]["core-command"].update(UseMessageBus=True) or
     c["MessageBus"].update(Disabled=True), "Clients.core-command.UseMessageBus"),
    (lambda c: c["Writable"]["StoreAndForward"].update(RetryInterval="10ms"),
     "Writable.StoreAndForward.RetryInterval"),
])
def test_build_app_rejects_bad_configuration(tmp_path, mutate, key):
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env={})
    cfg["ApplicationSettings"]["StoreAndForwardPath"] = str(tmp_path / "s.sqlite")
    mutate(cfg)
    with pytest.raises(ConfigError) as err:
        build_app(cfg, ServiceSettings.from_config(cfg, env={}), env={}, model=FakeModel())
    assert err.value.key == key


def test_sigterm_drains_deregisters_and_exits_zero(broker, standin, tmp_path):
    env = {**os.environ, **service_env(broker, standin, tmp_path), "EDGEX_USE_REGISTRY": "true",
           "PYTHONPATH": ROOT, "LLM_AUTOINSTALL": "false"}
    port = env["SERVICE_PORT"]
    service = LoggedProcess([sys.executable, "-m", "app_service", "-cf",
                             os.path.join(ROOT, "configuration.toml")], cwd=tmp_path, env=env)
    try:
        # Wait for the log line, not by polling the port: a client polling a port nobody
        # listens on yet can be handed that very port and connect to itself.
        assert service.wait_for_line("Application Service has started", 30), service.text
        assert get(port, "/api/v3/ping")["serviceName"] == "app-llm-agent"
        registrations = standin.registry.registrations
        assert wait_until(lambda: "app-llm-agent" in registrations, 10)
        registration = registrations["app-llm-agent"]
        assert registration["port"] == int(port)
        assert registration["HealthCheck"]["path"] == "/api/v3/ping"
        assert service.stop(signal.SIGTERM) == 0, service.text
    finally:
        service.kill()
    assert registrations["app-llm-agent"]["status"] == "HALT"
    log = service.text
    assert "level=INFO" in log and "app=app-llm-agent" in log
    assert "deregistered app-llm-agent" in log and "app-llm-agent stopped" in log


@pytest.mark.parametrize("version, payload_type", [("3", str), ("4", dict)])
def test_telemetry_envelope_follows_edgex_version(broker, standin, tmp_path, version,
                                                  payload_type):
    env = service_env(broker, standin, tmp_path, MESSAGEBUS_EDGEXVERSION=version)
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(cfg, service_key=f"app-v{version}", env=env)
    app = build_app(cfg, settings, env=env, model=FakeModel(), features=())
    listener = Listener(broker.port, f"edgex/telemetry/app-v{version}/#")
    app.start()
    try:
        topic, envelope = listener.wait_for(lambda t, m: t.endswith("/MessagesReceived"))
    finally:
        app.stop()
        listener.close()
    assert isinstance(envelope["payload"], payload_type)
    metric = _payload(envelope)
    assert metric["name"] == "MessagesReceived" and metric["apiVersion"] == "v3"
    assert {"name": "service", "value": f"app-v{version}"} in metric["tags"]


def test_stop_drains_every_queued_event_before_the_bus_goes(broker, standin, tmp_path,
                                                            monkeypatch):
    (tmp_path / "fake_feature.py").write_text(FEATURE)
    monkeypatch.syspath_prepend(str(tmp_path))
    env = service_env(broker, standin, tmp_path, WRITABLE_PIPELINE_EXECUTIONORDER="Slow, Shout")
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(cfg, env=env)
    app = build_app(cfg, settings, env=env, model=FakeModel(), features=("fake_feature",))
    listener = Listener(broker.port, "edgex/agent-out/#")
    app.start()
    sent = 0
    try:
        assert app.bus.wait_connected(10)
        # wait until the trigger's subscription carries events
        assert wait_until(lambda: standin.publish_event("kettle-plug", "ActivePower") and
                          listener.has(lambda t, m: True, 0.5), 15)
        sent = app.metrics.value("MessagesReceived")
        for _ in range(40):
            standin.publish_event("kettle-plug", "ActivePower")
        sent += 40
        assert wait_until(lambda: app.metrics.value("MessagesReceived") == sent, 10)
        backlog = sent - app.metrics.value("PipelineMessagesProcessed-default-pipeline")
    finally:
        app.stop()
    assert backlog > 0  # the stop really began with work queued
    assert app.metrics.value("PipelineMessagesProcessed-default-pipeline") == sent
    assert app.metrics.value("MessagesDropped") == 0
    assert listener.has(lambda t, m: len(listener.messages) >= sent, 5)
    listener.close()


def test_profiles_are_merged_once_core_metadata_comes_up(broker, standin, tmp_path):
    env = service_env(broker, standin, tmp_path, SERVICE_REQUESTTIMEOUT="1s")
    cfg = load_configuration(os.path.join(ROOT, "configuration.toml"), env=env)
    settings = ServiceSettings.from_config(cfg, env=env)
    app = build_app(cfg, settings, env=env, model=FakeModel(), features=())
    standin.set_down("core-metadata")
    app.start()
    try:
        assert wait_until(lambda: app.profiles.remote_ok is False, 20)
        standin.set_down("core-metadata", False)
        assert wait_until(lambda: app.profiles.remote_ok, 20)
    finally:
        app.stop()


def test_sigterm_while_the_model_is_still_loading_exits_zero(broker, standin, tmp_path):
    # The default model loads (or converts) in the background for a second or more after
    # "has started"; a stop then must not abort the process from inside CTranslate2.
    env = {**os.environ, **service_env(broker, standin, tmp_path), "PYTHONPATH": ROOT}
    service = LoggedProcess([sys.executable, "-m", "app_service", "-cf",
                             os.path.join(ROOT, "configuration.toml")], cwd=tmp_path, env=env)
    try:
        assert service.wait_for_line("Application Service has started", 30), service.text
        code = service.stop(signal.SIGTERM)
    finally:
        service.kill()
    assert code == 0, service.text
    assert "app-llm-agent stopped" in service.text
