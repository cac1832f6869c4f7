"""Natural-language commands (English and Chinese) to safe EdgeX actuation.

``install(app)`` plugs the feature into the service: ``POST /api/v3/interpret``, the bus request
topic ``{b}/llm-agent/command/request/{requestID}`` (answered on
``{b}/response/{serviceKey}/{id}``),
the pipeline function ``InterpretCommand``, audit records on ``{b}/llm-agent/audit`` and a catalog
that follows core-metadata (system events and a periodic refresh). See docs/commands.md.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from ..settings import get_duration, get_int, get_section
from .catalog import Catalog, CatalogHolder
from .guardrails import Policy, command_settings
from .interpreter import Action, Interpretation, Interpreter
from .service import CommandService, audit_publisher, parse_request

__all__ = ["Action", "Catalog", "CommandService", "Interpretation", "Interpreter", "Policy",
           "install"]

log = logging.getLogger(__name__)


class _ModelAdapter:
    """Lets the interpreter use the service's ModelHandle only when it is ready (never waits)."""

    def __init__(self, handle: Any):
        self._handle = handle

    def choose(self, prompt: str, options: list[str]):
        if getattr(self._handle, "state", "ready") != "ready":
            raise RuntimeError("language model not ready")
        return self._handle.choose(prompt, options)


class _Worker:
    """Runs bus requests off the network thread; a full queue is answered at once with an error."""

    def __init__(self, handle, size: int, metrics: Any):
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self._handle = handle
        self._metrics = metrics
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def submit(self, item: Any) -> bool:
        try:
            self._queue.put_nowait(item)
            return True
        except queue.Full:
            if self._metrics is not None:
                self._metrics.counter("CommandRequestsDropped").inc()
            return False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="commands-worker", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                self._handle(*item)
            except Exception:  # one bad request must not stop the worker
                log.exception("command request failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)


def install(app: Any) -> None:
    settings = command_settings(app.config)
    if not settings["enabled"]:
        log.info("Commands.Enabled is false; natural-language commands are off")
        return
    section = get_section(app.config, "Commands")
    refresh_s = get_duration(section, "CatalogRefreshInterval", "Commands", "60s")
    queue_size = get_int(section, "QueueSize", "Commands", 32, minimum=1)
    policy = Policy.from_config(app.config)
    holder = CatalogHolder(app.profiles)
    model = _ModelAdapter(app.model) if settings["use_model"] and app.model is not None else None
    interpreter = Interpreter(lambda: holder.catalog, model, settings["model_threshold"])
    audit = None
    if app.bus is not None:
        audit = audit_publisher(app.bus, app.bus.full_topic(settings["audit_topic"]))
    service = CommandService(lambda: holder.catalog, interpreter, app.command_client, policy,
                             audit=audit, metrics=app.metrics)
    app.commands = service
    _install_rest(app, service)
    _install_pipeline_function(app, service, settings)
    if app.bus is not None:
        _install_bus(app, service, settings, queue_size)
    _install_refresh(app, refresh_s)


def _install_rest(app: Any, service: CommandService) -> None:
    from ..errors import PayloadError
    from ..rest import Response, error_response

    def interpret(request) -> Response:
        try:
            text, execute, confirm = parse_request(request.json())
        except (ValueError, PayloadError) as err:
            return error_response(400, str(err), request.correlation_id)
        try:
            body = service.handle(text, execute=execute, confirm=confirm,
                                  correlation_id=request.correlation_id, source="rest")
        except Exception as err:  # a defect must answer 500, logged once with the correlation id
            log.exception("interpret failed", extra={"correlation_id": request.correlation_id})
            return error_response(500, f"interpretation failed: {err}", request.correlation_id)
        return Response(200, {"apiVersion": "v3", "statusCode": 200, **body})

    app.rest.add_route("POST", "/api/v3/interpret", interpret)


def _install_bus(app: Any, service: CommandService, settings: dict, queue_size: int) -> None:
    import json

    from ..edgex.envelope import decode_envelope, decode_payload

    bus = app.bus
    prefix = bus.full_topic(settings["request_topic"])

    def respond(request_id: str, correlation_id: str, body: Any, error: bool = False) -> None:
        topic = bus.full_topic(f"response/{app.service_key}/{request_id}")
        if error:
            bus.publish_envelope(topic, str(body), correlation_id=correlation_id,
                                 request_id=request_id, content_type="text/plain", error_code=1)
        else:
            bus.publish_envelope(topic, body, correlation_id=correlation_id, request_id=request_id)

    def work(topic: str, raw: bytes) -> None:
        request_id = topic.rsplit("/", 1)[-1]
        correlation_id = ""
        try:
            envelope = decode_envelope(raw, topic)
            correlation_id = envelope.correlation_id or ""
            request_id = envelope.request_id or request_id
            payload = decode_payload(envelope)
            text, execute, confirm = parse_request(payload if not isinstance(payload, bytes)
                                                   else json.loads(payload))
        except Exception as err:  # malformed request: answered with an error envelope, counted
            if app.metrics is not None:
                app.metrics.counter("CommandRequestsInvalid").inc()
            respond(request_id, correlation_id, f"invalid command request: {err}", error=True)
            return
        try:
            body = service.handle(text, execute=execute, confirm=confirm,
                                  correlation_id=correlation_id, source="bus")
        except Exception as err:  # answered, so the requester does not wait for a timeout
            log.exception("interpret failed", extra={"correlation_id": correlation_id})
            respond(request_id, correlation_id, f"interpretation failed: {err}", error=True)
            return
        respond(request_id, body["correlationId"], body)

    worker = _Worker(work, queue_size, app.metrics)
    app.add_worker(worker)

    def on_request(topic: str, raw: bytes) -> None:
        if not worker.submit((topic, raw)):
            respond(topic.rsplit("/", 1)[-1], "", "command queue full, request dropped", error=True)

    bus.subscribe(prefix + "/#", on_request)


def _install_pipeline_function(app: Any, service: CommandService, settings: dict) -> None:
    def factory(params: dict, _app: Any = None):
        resource = (params.get("ResourceName") or params.get("resourcename")
                    or settings["utterance_resource"])
        execute = str(params.get("Execute", settings["execute_from_pipeline"])).lower() == "true"

        def interpret_command(ctx, data):
            readings = getattr(data, "readings", None)
            if readings is None:
                return False, TypeError(
                    f"InterpretCommand in pipeline {ctx.pipeline_id}: expected an Event")
            utterances = [r.value for r in readings if r.resource_name == resource and r.value]
            if not utterances:
                return False, None   # not an utterance event: filtered, like EdgeX filters
            results = [service.handle(text, execute=execute, correlation_id=ctx.correlation_id,
                                      source="pipeline") for text in utterances]
            result = results[0] if len(results) == 1 else results
            ctx.set_response_data(result)
            return True, result
        return interpret_command

    app.pipeline_functions["InterpretCommand"] = factory


def _install_refresh(app: Any, interval_s: float) -> None:
    """Re-read core-metadata when it announces a change, and every ``interval_s``."""
    if app.profiles is None or not callable(getattr(app.profiles, "refresh", None)):
        return
    wake = threading.Event()
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            wake.wait(interval_s if interval_s > 0 else None)
            if stop.is_set():
                return
            wake.clear()
            try:
                app.profiles.refresh()
            except Exception:
                log.warning("catalog refresh failed; keeping the current catalog", exc_info=True)

    class _Refresher:
        def start(self) -> None:
            threading.Thread(target=loop, name="commands-catalog", daemon=True).start()

        def stop(self) -> None:
            stop.set()
            wake.set()

    app.add_worker(_Refresher())
    if app.bus is not None:
        app.bus.subscribe(app.bus.full_topic("system-events/core-metadata/#"),
                          lambda topic, raw: wake.set())
