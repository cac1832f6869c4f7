"""``edgex-llm-agent``: run the service (default), the embedded ``demo``, or ``model`` tools.

Flags follow go-mod-bootstrap / app-functions-sdk-go (INTERFACES.md §5.3). Exit codes: 0 after a
clean shutdown, 1 when the configuration is invalid or the service cannot start.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Mapping, Sequence

from . import __version__
from .config import (DEFAULT_CONFIG_FILE, DEFAULT_SERVICE_KEY, ServiceSettings, apply_dev_mode,
                     load_configuration, resolve_service_key)
from .errors import AppServiceError, ConfigError
from .logging_setup import configure_logging
from .settings import get_float

log = logging.getLogger(__name__)

PROG = "edgex-llm-agent"
_CHECKOUT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _add_edgex_flags(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a subcommand's copy of a flag from resetting the value given before it.
    add = parser.add_argument
    s = argparse.SUPPRESS
    add("-cf", "--configFile", default=s, help=f"configuration file name or path "
        f"(default {DEFAULT_CONFIG_FILE}; env EDGEX_CONFIG_FILE)")
    add("-cd", "--configDir", default=s, help="directory of the configuration file "
        "(default: the working directory; env EDGEX_CONFIG_DIR)")
    add("-p", "--profile", default=s, help="configuration profile: reads <configDir>/<profile>/ "
        "(env EDGEX_PROFILE)")
    add("-r", "--registry", action="store_true", default=s,
        help="register with core-keeper/Consul per [Registry] (env EDGEX_USE_REGISTRY=true)")
    add("-sk", "--serviceKey", default=s, help="service key (default app-llm-agent; "
        "env EDGEX_SERVICE_KEY; '<profile>' is replaced by the profile name)")
    add("-d", "--dev", action="store_true", default=s,
        help="developer mode: reach every EdgeX service on localhost")
    # Accepted so EdgeX compose files and scripts work unchanged; warned about and ignored.
    add("-cp", "--configProvider", nargs="?", const="keeper.http://localhost:59890", default=s,
        help="not supported: the configuration comes from the file and the environment")
    add("-cc", "--commonConfig", default=s, help="not supported (see -cp)")
    add("-o", "--overwrite", action="store_true", default=s, help="not supported (see -cp)")
    add("-s", "--skipVersionCheck", action="store_true", default=s,
        help="accepted; there is no core-metadata version check")
    add("-rsh", "--remoteServiceHosts", default=s, help="not supported")


def build_parser() -> tuple[argparse.ArgumentParser, Any]:
    parser = argparse.ArgumentParser(prog=PROG, description="EdgeX application service with "
                                     "small language models at the edge.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_edgex_flags(parser)
    sub = parser.add_subparsers(dest="command", metavar="{run,demo,model}")
    _add_edgex_flags(sub.add_parser("run", help="run the service (the default)"))
    demo = sub.add_parser("demo", help="run the service with an embedded EdgeX stand-in and "
                                       "virtual devices (starts mosquitto when none listens)")
    _add_edgex_flags(demo)
    llm_cli = _optional_module("app_service.llm.cli")
    if llm_cli is not None and hasattr(llm_cli, "add_parser"):
        llm_cli.add_parser(sub)
    return parser, llm_cli


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def config_path(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    """-cf/-cd/-p (or EDGEX_CONFIG_FILE/_DIR/EDGEX_PROFILE) to a file path.

    With neither flag nor variable, ./configuration.toml is used, else the one of the source
    checkout, so ``edgex-llm-agent`` works from anywhere in a development install.
    """
    name = getattr(args, "configFile", None) or env.get("EDGEX_CONFIG_FILE") or DEFAULT_CONFIG_FILE
    if name.startswith("file://"):
        name = name[len("file://"):]
    directory = getattr(args, "configDir", None) or env.get("EDGEX_CONFIG_DIR")
    profile = getattr(args, "profile", None) or env.get("EDGEX_PROFILE") or ""
    if os.path.isabs(name):
        return name
    if directory is None:
        local = os.path.join(".", profile, name)
        if os.path.exists(local) or profile or name != DEFAULT_CONFIG_FILE:
            return local
        return os.path.join(_CHECKOUT_ROOT, name)
    return os.path.join(directory, profile, name)


_IGNORED_FLAGS = ("configProvider", "commonConfig", "overwrite", "remoteServiceHosts")


def load(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[dict, ServiceSettings]:
    for flag in _IGNORED_FLAGS:
        if getattr(args, flag, None):
            log.warning("--%s=%s is not supported and is ignored: this service reads its "
                        "configuration from its file and environment overrides", flag,
                        getattr(args, flag))
    path = config_path(args, env)
    if path.startswith(("http://", "https://")):
        raise ConfigError("configFile", path, "a local file (remote configuration is not "
                                              "supported)")
    profile = getattr(args, "profile", None) or env.get("EDGEX_PROFILE") or ""
    log.info("configuration %s", os.path.abspath(path))
    config = load_configuration(path, env=env)
    _anchor_relative_paths(config, os.path.dirname(os.path.abspath(path)))
    if getattr(args, "dev", False):
        apply_dev_mode(config)
    service_key = resolve_service_key(getattr(args, "serviceKey", None), env, profile)
    settings = ServiceSettings.from_config(config, service_key=service_key,
                                           use_registry=bool(getattr(args, "registry", False)),
                                           env=env)
    return config, settings


def _anchor_relative_paths(config: dict, config_dir: str) -> None:
    """A relative ProfilesDir missing from the working directory is looked up beside the
    configuration file, so the shipped configuration works from any directory."""
    app_settings = config.get("ApplicationSettings")
    if not isinstance(app_settings, dict):
        return
    profiles = app_settings.get("ProfilesDir")
    if isinstance(profiles, str) and profiles and not os.path.isabs(profiles) \
            and not os.path.isdir(profiles) and os.path.isdir(os.path.join(config_dir, profiles)):
        app_settings["ProfilesDir"] = os.path.join(config_dir, profiles)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    parser, llm_cli = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    if command not in ("run", "demo"):
        return int(llm_cli.run(args) or 0)
    # INFO until the configuration says otherwise, so the env override lines are seen.
    configure_logging(getattr(args, "serviceKey", None) or env.get("EDGEX_SERVICE_KEY")
                      or DEFAULT_SERVICE_KEY, "INFO")
    # A stop signal during start-up (imports, model handle, features) is kept and honoured as
    # soon as the service runs, so it still ends in a clean stop and exit code 0.
    early_stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: early_stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        config, settings = load(args, env)
        configure_logging(settings.service_key, settings.log_level)
        if command == "demo":
            return run_demo(config, settings, env, early_stop)
        from .service import build_app
        return serve(build_app(config, settings, env=env), early_stop)
    except ConfigError as err:
        print(f"{PROG}: {err}", file=sys.stderr)
        return 1
    except (AppServiceError, OSError) as err:
        print(f"{PROG}: cannot start: {err}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(app: Any, early_stop: threading.Event) -> int:
    if early_stop.is_set():
        app.request_stop()
    return app.run()


def run_program() -> None:
    """The console script and ``python -m app_service``: ``main``, then a hard exit.

    A model still loading when a stop arrives runs inside CTranslate2 on a daemon thread; letting
    the interpreter finalize under it aborts the process ("terminate called without an active
    exception", exit 134) instead of exiting 0. ``App.stop`` has already drained, flushed and
    closed everything, so finalization is skipped once the logs are flushed.
    """
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


# -- demo ----------------------------------------------------------------------------------------
def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_broker_if_needed(host: str, port: int) -> subprocess.Popen | None:
    """A local mosquitto for the demo when nothing listens on the bus address."""
    if _listening(host, port):
        return None
    binary = shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(p)),
        None)
    if binary is None or host not in ("localhost", "127.0.0.1"):
        raise ConfigError("MessageBus.Host", f"{host}:{port}", "a reachable MQTT broker "
                          "(nothing listens there and mosquitto is not installed to start one)")
    # Its own session: a Ctrl-C meant for the service must not take the broker down before the
    # service has drained and flushed.
    broker = subprocess.Popen([binary, "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while not _listening(host, port):
        if broker.poll() is not None or time.monotonic() > deadline:
            broker.kill()
            raise OSError(f"mosquitto did not start on port {port}")
        time.sleep(0.05)
    log.info("started mosquitto on %s:%d for the demo", host, port)
    return broker


def run_demo(config: dict, settings: ServiceSettings, env: Mapping[str, str],
             early_stop: threading.Event) -> int:
    from .service import build_app
    from .standin import StandIn

    ports = {name: client.port for name, client in settings.clients.items()}
    ports["registry"] = settings.registry_port
    # a fault (a numeric spike, an unusual status word) in about 1 % of the virtual devices'
    # reads: with the demo's ~2 events/s, one every minute or so shows the anomaly outputs
    fault_rate = get_float(settings.application_settings, "DemoFaultRate", "ApplicationSettings",
                           0.01, 0.0, 1.0)
    standin = StandIn(settings.application_settings.get("ProfilesDir", "profiles"),
                      broker=(settings.bus_host, settings.bus_port),
                      base_topic=settings.base_topic_prefix, ports=ports, fault_rate=fault_rate)
    broker = start_broker_if_needed(settings.bus_host, settings.bus_port)
    try:
        standin.start()
        log.info("EdgeX stand-in up: %s", ", ".join(f"{k}={v}" for k, v in standin.urls.items()))
        app = build_app(config, settings, env=env)
        threading.Thread(target=_report_flow, args=(app,), name="demo-report",
                         daemon=True).start()
        return serve(app, early_stop)
    finally:
        standin.stop()
        if broker is not None:
            broker.terminate()
            broker.wait(5)


def _report_flow(app: Any, interval: float = 10.0) -> None:
    """The demo's heartbeat: how many events arrived and went through the pipelines."""
    last_received = last_processed = 0
    while not app.wait_for_stop(interval):
        received = app.metrics.value("MessagesReceived")
        processed = sum(app.metrics.value(name) for name, _, _ in app.metrics.items()
                        if name.startswith("PipelineMessagesProcessed-"))
        errors = sum(app.metrics.value(name) for name, _, _ in app.metrics.items()
                     if name.startswith("PipelineProcessingErrors-"))
        log.info("demo: %d events received, %d pipeline runs in the last %.0f s (%d errors so "
                 "far); try GET http://localhost:%d/api/v3/metrics", received - last_received,
                 processed - last_processed, interval, errors, app.settings.port)
        last_received, last_processed = received, processed
