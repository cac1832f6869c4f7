"""The running service: ``build_app`` wires every part; ``App.start/stop/run`` drive it.

``build_app`` constructs and validates everything (a bad value raises ``ConfigError`` before
anything starts), calls the feature installers, then builds the pipelines, so functions the
features register are available to ``Writable.Pipeline``. Every part can be injected, which is how
the tests swap in fakes. Nothing here imports ``cli``; nothing imports this module but ``cli``.
"""
from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
from typing import Any, Callable, Mapping

from . import __version__
from .bus import BusSettings, MessageBus
from .config import ServiceSettings, redact
from .errors import ConfigError
from .metrics import Metrics
from .pipeline import build_pipelines, registered_functions
from .pipeline.runtime import PipelineRuntime
from .registry import Registrar, Registration, make_registry
from .rest import Request, Response, RestServer, error_response, install_common_routes
from .store_forward import StoreAndForward, StoreSettings
from .telemetry import TelemetryReporter
from .trigger import MessageBusTrigger, TriggerSettings, handle_http_trigger

log = logging.getLogger(__name__)

FEATURES = ("app_service.commands", "app_service.anomaly")
DEFAULT_STORE_PATH = "data/store-and-forward.sqlite"
DRAIN_TIMEOUT_S = 10.0


class App:
    """The running service (attributes as in docs/ARCHITECTURE.md)."""

    def __init__(self, config: dict[str, Any], settings: ServiceSettings, metrics: Metrics):
        self.config = config
        self.settings = settings
        self.service_key = settings.service_key
        self.metrics = metrics
        self.bus: Any = None
        self.rest: RestServer | None = None
        self.command_client: Any = None
        self.metadata_client: Any = None
        self.notifications_client: Any = None
        self.profiles: Any = None
        self.store: StoreAndForward | None = None
        self.model: Any = None
        self.pipeline_functions: dict[str, Callable] = {}
        self.runtime: PipelineRuntime | None = None
        self.trigger: MessageBusTrigger | None = None
        self.trigger_settings: TriggerSettings | None = None
        self.telemetry: TelemetryReporter | None = None
        self.registrar: Registrar | None = None
        self._workers: list[Any] = []
        self._shutdown_hooks: list[Callable[[], None]] = []
        self._stop_requested = threading.Event()
        self._stopped = False

    # -- what features use ---------------------------------------------------------------
    def add_worker(self, worker: Any) -> None:
        """Something with ``start()`` (optional) and ``stop()`` or ``close()``: started with the
        service, stopped in reverse order at shutdown."""
        self._workers.append(worker)

    def on_shutdown(self, fn: Callable[[], None]) -> None:
        self._shutdown_hooks.append(fn)

    def model_health(self) -> dict[str, Any]:
        if self.model is None:
            return {"state": "unavailable", "reason": "no language model is configured"}
        health = getattr(self.model, "health", None)
        try:
            report = health() if callable(health) else health
        except Exception as err:  # health must answer even when the model is broken
            return {"state": "unavailable", "reason": f"{type(err).__name__}: {err}"}
        if isinstance(report, Mapping):
            return dict(report)
        return dict(getattr(report, "__dict__", {"state": str(report)}))

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self.bus is not None:
            self.bus.start()
        if self.model is not None and callable(getattr(self.model, "start", None)):
            self.model.start()  # loads in the background; requests wait for it
        for worker in self._workers:
            if callable(getattr(worker, "start", None)):
                worker.start()
        if self.store is not None:
            self.store.start()
        if self.trigger is not None:
            self.trigger.start()
        self.rest.start()
        if self.telemetry is not None:
            self.telemetry.start()
        if self.settings.use_registry:
            self.registrar = Registrar(
                make_registry(self.settings.registry_type, self.settings.registry_host,
                              self.settings.registry_port, self.settings.request_timeout),
                Registration(self.service_key, self.settings.host, self.rest.port,
                             self.settings.health_check_interval))
            self.registrar.start()
        if self.profiles is not None and self.metadata_client is not None:
            threading.Thread(target=self._refresh_profiles, name="profiles-refresh",
                             daemon=True).start()
        log.info(self.settings.startup_msg or f"{self.service_key} has started")

    def _refresh_profiles(self, first_delay: float = 1.0, max_delay: float = 60.0) -> None:
        """Merge core-metadata's profiles in; while it is unreachable, retry with backoff."""
        delay = first_delay
        while True:
            try:
                if self.profiles.refresh():
                    return
            except Exception:
                log.warning("device profiles from core-metadata not loaded", exc_info=True)
            if self.wait_for_stop(delay):
                return
            delay = min(delay * 2, max_delay)

    def request_stop(self, *_: Any) -> None:
        self._stop_requested.set()

    def wait_for_stop(self, timeout: float | None = None) -> bool:
        """True once a stop was requested (signal or ``request_stop``)."""
        return self._stop_requested.wait(timeout)

    def run(self) -> int:
        """Start, block until SIGTERM/SIGINT (or ``request_stop``), stop; the exit code."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            while not self.wait_for_stop(0.5):
                pass
            log.info("shutting down")
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def stop(self) -> None:
        """Stop intake, drain the queue, flush, deregister, disconnect. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        steps: list[tuple[str, Callable[[], None]]] = []
        if self.trigger is not None:
            steps.append(("trigger", lambda: self.trigger.stop(DRAIN_TIMEOUT_S)))
        if self.rest is not None:
            steps.append(("REST server", self.rest.stop))
        steps += [("shutdown hook", hook) for hook in reversed(self._shutdown_hooks)]
        steps += [(type(w).__name__, _closer(w)) for w in reversed(self._workers)]
        if self.telemetry is not None:
            steps.append(("telemetry", self.telemetry.stop))
        if self.store is not None:
            steps += [("store-and-forward", self.store.stop), ("store close", self.store.close)]
        if self.registrar is not None:
            steps.append(("registry", self.registrar.stop))
        if self.model is not None and callable(getattr(self.model, "close", None)):
            steps.append(("model", self.model.close))
        if self.bus is not None:
            steps.append(("message bus", self.bus.stop))
        steps += [(type(c).__name__, c.close) for c in (
            self.command_client, self.metadata_client, self.notifications_client)
            if callable(getattr(c, "close", None))]
        for name, step in steps:
            try:
                step()
            except Exception:  # one part failing to stop must not keep the others running
                log.exception("stopping %s failed", name)
        log.info("%s stopped", self.service_key)


def _closer(worker: Any) -> Callable[[], None]:
    return getattr(worker, "stop", None) or getattr(worker, "close")


def build_app(config: dict[str, Any], settings: ServiceSettings, *, metrics: Metrics | None = None,
              bus: Any = None, rest: RestServer | None = None, store: Any = None,
              command_client: Any = None, metadata_client: Any = None,
              notifications_client: Any = None, profiles: Any = None, model: Any = None,
              features: tuple[str, ...] = FEATURES, env: Mapping[str, str] | None = None) -> App:
    """Construct every part from ``config``; raises ``ConfigError`` on the first bad value."""
    env = os.environ if env is None else env
    app = App(config, settings, metrics or Metrics())
    app.trigger_settings = TriggerSettings.from_config(config)
    store_settings = StoreSettings.from_config(config)
    if bus is None and not settings.bus_disabled:
        bus = MessageBus(BusSettings.from_config(config, env, settings.service_key), app.metrics)
    app.bus = bus
    app.rest = rest or RestServer(settings.bind_host, settings.port, settings.max_request_size,
                                  read_timeout=max(settings.request_timeout, 1.0))
    app.store = store or StoreAndForward(
        settings.application_settings.get("StoreAndForwardPath", DEFAULT_STORE_PATH),
        store_settings, app.metrics)
    _build_clients(app, command_client, metadata_client, notifications_client)
    app.profiles = profiles if profiles is not None else _build_profiles(app)
    app.model = model if model is not None else _build_model(app)
    for feature in features:
        _install(feature, app)
    functions = {**registered_functions(), **app.pipeline_functions}
    pipeline_cfg = config.get("Writable", {}).get("Pipeline", {})
    app.runtime = PipelineRuntime(
        build_pipelines(pipeline_cfg, app, base_topic_prefix=settings.base_topic_prefix,
                        functions=functions),
        app.metrics, store=app.store, store_enabled=store_settings.enabled)
    if app.bus is not None and app.trigger_settings.type == "edgex-messagebus":
        app.trigger = MessageBusTrigger(app.bus, app.runtime, app.trigger_settings, app.metrics)
    if app.bus is not None:
        app.telemetry = TelemetryReporter(
            app.metrics, lambda topic, dto, cid: app.bus.publish_envelope(
                topic, dto, correlation_id=cid),
            service_key=settings.service_key, base_topic_prefix=settings.base_topic_prefix,
            interval=settings.telemetry_interval, enabled=settings.telemetry_metrics,
            tags=settings.telemetry_tags)
    install_common_routes(app.rest, service_key=settings.service_key, version=__version__,
                          config=lambda: redact(app.config), metrics=app.metrics,
                          model_health=app.model_health)
    app.rest.add_route("POST", "/api/v3/trigger", _trigger_route(app))
    return app


def _trigger_route(app: App) -> Callable[[Request], Response]:
    def trigger(request: Request) -> Response:
        answer = handle_http_trigger(app.runtime, request.body, request.content_type,
                                     request.correlation_id, app.trigger_settings.target_type)
        if answer.status != 200:
            response = error_response(answer.status, answer.body.decode("utf-8", "replace"),
                                      request.correlation_id)
        else:
            response = Response(200, answer.body, answer.content_type)
        response.headers.update(answer.headers)
        return response
    return trigger


def _install(module_name: str, app: App) -> None:
    """Call ``module.install(app)`` when the feature module defines it."""
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        log.warning("feature %s not available: %s", module_name, err)
        return
    install = getattr(module, "install", None)
    if callable(install):
        install(app)


def _build_clients(app: App, command: Any, metadata: Any, notifications: Any) -> None:
    """core-C's clients for the configured [Clients.*] entries, unless injected."""
    from .clients import CoreCommandClient, MetadataClient, NotificationsClient
    timeout = app.settings.request_timeout
    clients = app.settings.clients
    if command is None and "core-command" in clients:
        spec = clients["core-command"]
        if spec.use_message_bus and app.bus is None:
            raise ConfigError("Clients.core-command.UseMessageBus", True,
                              "false while MessageBus.Disabled is true")
        command = CoreCommandClient(spec.base_url, timeout, bus=app.bus,
                                    use_message_bus=spec.use_message_bus)
    if metadata is None and "core-metadata" in clients:
        metadata = MetadataClient(clients["core-metadata"].base_url, timeout)
    if notifications is None and "support-notifications" in clients:
        notifications = NotificationsClient(clients["support-notifications"].base_url, timeout)
    app.command_client, app.metadata_client = command, metadata
    app.notifications_client = notifications


def _build_profiles(app: App) -> Any:
    from .device_profiles import DeviceProfiles
    profiles_dir = app.settings.application_settings.get("ProfilesDir", "profiles")
    if not os.path.isdir(profiles_dir):
        log.warning("ApplicationSettings.ProfilesDir %r is not a directory; only core-metadata's "
                    "profiles will be known", profiles_dir)
        return DeviceProfiles(metadata=app.metadata_client)
    devices_file = os.path.join(profiles_dir, "devices.yaml")
    return DeviceProfiles(profiles_dir, devices_file if os.path.exists(devices_file) else None,
                          metadata=app.metadata_client)


def _build_model(app: App) -> Any:
    """The llm part's ModelHandle, validated now and loaded in the background by ``start``."""
    from .llm import LLMSettings, ModelHandle
    return ModelHandle(LLMSettings.from_config(app.config), metrics=app.metrics)
