"""The edgex-llm-agent command line: flags, config location, exit codes, the demo."""
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from broker import free_port
from logged_process import LoggedProcess
from app_service.cli import build_parser, config_path, load, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = os.path.join(ROOT, "configuration.toml")


@pytest.fixture(autouse=True)
def restore_logging():
    """main() installs the logfmt handler on the root logger; take it off again after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def parse(argv):
    return build_parser()[0].parse_args(argv)


@pytest.mark.parametrize("env, key, value, accepted", [
    ({"SERVICE_PORT": "70000"}, "Service.Port", "70000", "between 1 and 65535"),
    ({"WRITABLE_LOGLEVEL": "LOUD"}, "Writable.LogLevel", "LOUD", "TRACE, DEBUG, INFO, WARN, ERROR"),
    ({"SERVICE_PORT": "http"}, "SERVICE_PORT", "http", "an integer"),
    ({"MESSAGEBUS_EDGEXVERSION": "5"}, "MessageBus.EdgexVersion", "5", "auto, 3, 4"),
    ({"EDGEX_USE_REGISTRY": "perhaps"}, "EDGEX_USE_REGISTRY", "perhaps", "true or false"),
    ({"WRITABLE_PIPELINE_EXECUTIONORDER": "Teleport"}, "Writable.Pipeline.ExecutionOrder",
     "Teleport", "names that start with one of"),
])
def test_bad_value_exits_1_naming_key_value_and_accepted(env, key, value, accepted, capsys,
                                                         tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "s.sqlite"), **env}
    assert main(["-cf", SHIPPED], env=env) == 1
    err = capsys.readouterr().err
    assert key in err and value in err and accepted in err, err


def test_bad_value_exit_code_of_the_real_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT, "SERVICE_PORT": "-1",
           "APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "s.sqlite")}
    proc = subprocess.run([sys.executable, "-m", "app_service", "-cf", SHIPPED], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Service.Port" in proc.stderr and "-1" in proc.stderr
    assert "between 1 and 65535" in proc.stderr


def test_missing_config_file_exits_1(capsys, tmp_path):
    assert main(["-cd", str(tmp_path)], env={}) == 1
    assert "configuration.toml" in capsys.readouterr().err


@pytest.mark.parametrize("argv, env, expected", [
    ([], {}, os.path.join(".", "", "configuration.toml") if os.path.exists("configuration.toml")
     else SHIPPED),
    (["-cd", "/etc/agent"], {}, "/etc/agent/configuration.toml"),
    (["-cd", "/etc/agent", "-p", "factory"], {}, "/etc/agent/factory/configuration.toml"),
    (["-cd", "/etc/agent", "-cf", "alt.toml"], {}, "/etc/agent/alt.toml"),
    (["-cf", "/abs/c.toml", "-cd", "/ignored"], {}, "/abs/c.toml"),
    (["--configFile", "file:///abs/c.toml"], {}, "/abs/c.toml"),
    ([], {"EDGEX_CONFIG_DIR": "/env/dir", "EDGEX_CONFIG_FILE": "e.toml"}, "/env/dir/e.toml"),
    (["-cd", "/flag"], {"EDGEX_CONFIG_DIR": "/env/dir"}, "/flag/configuration.toml"),
    ([], {"EDGEX_CONFIG_DIR": "/d", "EDGEX_PROFILE": "p"}, "/d/p/configuration.toml"),
])
def test_config_path(argv, env, expected):
    assert config_path(parse(argv), env) == expected


@pytest.mark.parametrize("argv, env, attribute, expected", [
    (["-cf", SHIPPED], {}, "service_key", "app-llm-agent"),
    (["-cf", SHIPPED, "-sk", "app-other"], {}, "service_key", "app-other"),
    (["-cf", SHIPPED, "--serviceKey", "app-x"], {"EDGEX_SERVICE_KEY": "app-env"}, "service_key",
     "app-x"),
    (["-cf", SHIPPED], {"EDGEX_SERVICE_KEY": "app-env"}, "service_key", "app-env"),
    (["-cf", SHIPPED, "-r"], {}, "use_registry", True),
    (["-cf", SHIPPED, "--registry"], {}, "use_registry", True),
    (["-cf", SHIPPED], {"EDGEX_USE_REGISTRY": "true"}, "use_registry", True),
    (["-cf", SHIPPED], {}, "use_registry", False),
    (["-cf", SHIPPED, "-d"], {"MESSAGEBUS_HOST": "edgex-mqtt-broker"}, "bus_host", "localhost"),
    (["-cf", SHIPPED], {"MESSAGEBUS_HOST": "edgex-mqtt-broker"}, "bus_host",
     "edgex-mqtt-broker"),
    (["demo", "-cf", SHIPPED, "-sk", "app-demo"], {}, "service_key", "app-demo"),
    (["-sk", "app-before", "demo", "-cf", SHIPPED], {}, "service_key", "app-before"),
])
def test_flags_and_edgex_variables(argv, env, attribute, expected):
    _, settings = load(parse(argv), env)
    assert getattr(settings, attribute) == expected


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"], env={})
    assert exit_info.value.code == 0 and "edgex-llm-agent" in capsys.readouterr().out


def test_demo_starts_standin_and_service_and_events_flow(broker, tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": ROOT, "MESSAGEBUS_PORT": str(broker.port),
           "LLM_AUTOINSTALL": "false",
           "MESSAGEBUS_HOST": "127.0.0.1", "SERVICE_PORT": str(port),
           "MESSAGEBUS_OPTIONAL_CLIENTID": f"app-demo-{port}",
           "APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "s.sqlite"),
           "REGISTRY_PORT": str(free_port())}  # ProfilesDir "profiles": found beside the config
    for name in ("CORE_COMMAND", "CORE_METADATA", "CORE_DATA", "SUPPORT_NOTIFICATIONS"):
        env[f"CLIENTS_{name}_PORT"] = str(free_port())
    demo = LoggedProcess([sys.executable, "-m", "app_service", "demo"], cwd=tmp_path, env=env)
    try:
        assert demo.wait_for_line("Application Service has started", 30), demo.text
        received = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not received:
            time.sleep(0.3)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v3/metrics",
                                        timeout=2) as resp:
                metrics = json.loads(resp.read())["metrics"]
            received = metrics.get("PipelineMessagesProcessed-default-pipeline", {}).get(
                "fields", [{}])[0].get("value", 0)
        assert received >= 1
        ping = f"http://127.0.0.1:{env['CLIENTS_CORE_COMMAND_PORT']}/api/v3/ping"
        with urllib.request.urlopen(ping, timeout=2) as resp:
            assert json.loads(resp.read())["serviceName"] == "core-command"
        assert demo.stop(signal.SIGINT) == 0, demo.text
    finally:
        demo.kill()


def test_port_in_use_exits_1_and_releases_what_it_started(capsys, tmp_path, monkeypatch):
    import socket
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"SERVICE_HOST": "127.0.0.1", "SERVICE_PORT": str(port),
               "MESSAGEBUS_PORT": str(free_port()), "LLM_MODELDIR": str(tmp_path / "no-model"),
               "APPLICATIONSETTINGS_STOREANDFORWARDPATH": str(tmp_path / "s.sqlite")}
        assert main(["-cf", SHIPPED], env=env) == 1
    err = capsys.readouterr().err
    assert "cannot start" in err and "Address already in use" in err
    assert "app-llm-agent stopped" in err


def test_model_subcommand_is_delegated_to_the_llm_cli(tmp_path, capsys):
    assert main(["model", "--cache-dir", str(tmp_path), "list"], env={}) == 0
    out = capsys.readouterr().out
    assert str(tmp_path) in out and "smollm2-135m-instruct" in out


@pytest.mark.parametrize("argv, warned", [
    (["-cp", "-r"], "--configProvider=keeper.http://localhost:59890"),
    (["-cp=consul.http://edgex-core-consul:8500"], "--configProvider=consul.http"),
    (["--configProvider", "keeper.http://k:59890", "-o"], "--overwrite=True"),
    (["-cc", "common.yaml"], "--commonConfig=common.yaml"),
    (["-s"], None),
])
def test_edgex_flags_we_do_not_support_are_accepted_with_a_warning(argv, warned, caplog):
    caplog.set_level("WARNING")
    load(parse(["-cf", SHIPPED] + argv), {})
    if warned:
        assert warned in caplog.text and "not supported" in caplog.text
    else:
        assert "not supported" not in caplog.text


def test_stop_signal_during_start_up_is_honoured_once_the_service_runs():
    import threading

    from app_service.cli import serve

    class RecordingApp:
        stop_requested = False

        def request_stop(self):
            self.stop_requested = True

        def run(self):
            return 0 if self.stop_requested else 99

    early = threading.Event()
    early.set()
    assert serve(RecordingApp(), early) == 0
    assert serve(RecordingApp(), threading.Event()) == 99
