"""CommandService: interpret → guard-rails → policy → actuate → answer → audit, for every entry
point (REST, message bus, pipeline). Pure I/O orchestration; the decisions live in
interpreter.py and guardrails.py."""
from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any, Callable

from ..errors import AppServiceError, CommandError
from .answers import answer, outcome
from .catalog import Catalog
from .guardrails import Blocked, Policy, check_action
from .interpreter import Action, Interpretation, Interpreter

log = logging.getLogger(__name__)

_STATUS_TEXT = {404: "device or command not found in core-command",
                405: "the command does not allow that method",
                423: "the device is locked (adminState LOCKED) and cannot be commanded",
                400: "core-command rejected the value",
                503: "the device service is unavailable",
                0: "core-command could not be reached"}


def readings_of(event: Any) -> dict[str, str]:
    """Resource → value from a core-command Event (dataclass or EdgeX JSON)."""
    if event is None:
        return {}
    readings = getattr(event, "readings", None)
    if readings is None and isinstance(event, dict):
        readings = (event.get("event") or event).get("readings", [])
    out = {}
    for reading in readings or []:
        if isinstance(reading, dict):
            name, value = reading.get("resourceName"), reading.get("value")
        else:
            name, value = getattr(reading, "resource_name", None), getattr(reading, "value", None)
        if name:
            out[name] = "" if value is None else str(value)
    return out


class CommandService:
    def __init__(self, catalog: Callable[[], Catalog], interpreter: Interpreter, client: Any,
                 policy: Policy, *, audit: Callable[[dict[str, Any], str], None] | None = None,
                 metrics: Any = None):
        self._catalog = catalog
        self.interpreter = interpreter
        self.client = client
        self.policy = policy
        self._audit = audit
        self._metrics = metrics

    def handle(self, text: Any, *, execute: bool = False, confirm: bool = False,
               correlation_id: str = "", source: str = "rest") -> dict[str, Any]:
        correlation_id = correlation_id or str(uuid.uuid4())
        started = time.perf_counter()
        core_seconds = 0.0
        state_cache: dict[tuple[str, str], dict[str, str]] = {}

        def read_state(device: str, command: str) -> dict[str, str]:
            nonlocal core_seconds
            key = (device, command)
            if key not in state_cache:
                t0 = time.perf_counter()
                try:
                    state_cache[key] = readings_of(self.client.get(device, command,
                                                                   correlation_id=correlation_id))
                finally:
                    core_seconds += time.perf_counter() - t0
            return state_cache[key]

        if not isinstance(text, str):
            interp = Interpretation(text=str(text), lang="en", refusal="invalid",
                                    message="text must be a string")
        else:
            interp = self.interpreter.interpret(text, read_state if self.client else None)
        catalog = self._catalog()
        results: list[dict[str, Any]] = []
        refusal, message = interp.refusal, interp.message
        try:
            for action in interp.actions:
                check_action(action, catalog)
        except Blocked as blocked:   # an interpreter defect must never reach a device
            log.error("guard-rail blocked %s: %s", interp.actions, blocked,
                      extra={"correlation_id": correlation_id})
            refusal, message = blocked.reason, blocked.message
        actions = [] if refusal else interp.actions
        confirmation = False
        if actions and execute:
            try:
                for action in actions:
                    entry = catalog.entries[action.device]
                    if self.policy.needs_confirmation(action, entry.profile) and not confirm:
                        confirmation = True
                for action in actions:
                    if not confirmation:
                        profile = catalog.entries[action.device].profile
                        self.policy.check(action, profile, confirmed=confirm)
            except Blocked as blocked:
                refusal, message, actions = blocked.reason, blocked.message, []
        readings: dict[str, dict[str, str]] = {}
        for action in actions:
            if confirmation and action.method == "set":
                results.append({**action.to_dict(), "status": "confirmation_required"})
                continue
            if self.client is None and (execute or action.method == "get"):
                results.append(self._failure(action, CommandError(
                    "no core-command client is configured ([Clients.core-command])", 0)))
                continue
            if action.method == "get":
                try:
                    readings[action.device] = read_state(action.device, action.command)
                    results.append({**action.to_dict(), "status": "ok",
                                    "readings": readings[action.device]})
                except AppServiceError as err:
                    results.append(self._failure(action, err))
                continue
            if not execute:
                continue
            if self.policy.dry_run:
                results.append({**action.to_dict(), "status": "dry_run"})
                continue
            t0 = time.perf_counter()
            try:
                self.client.put(action.device, action.command, dict(action.values or {}),
                                idempotent=not action.relative, correlation_id=correlation_id)
                results.append({**action.to_dict(), "status": "ok"})
            except AppServiceError as err:
                results.append(self._failure(action, err))
            finally:
                core_seconds += time.perf_counter() - t0
        text_answer = None
        if readings:
            text_answer = answer(interp.lang, readings, interp.focus, catalog)
        elif refusal:
            text_answer = message
        elif results:
            text_answer = outcome(interp.lang, results)
        latency_ms = round((time.perf_counter() - started - core_seconds) * 1000, 2)
        response = {
            "correlationId": correlation_id,
            "actions": [a.to_dict() for a in actions],
            "results": results,
            "answer": text_answer,
            "refusal": {"reason": refusal, "message": message} if refusal else None,
            "alternatives": interp.alternatives,
            "confirmationRequired": confirmation,
            "executed": bool(execute and actions and not confirmation and not self.policy.dry_run),
            "dryRun": self.policy.dry_run,
            "latency_ms": latency_ms,
        }
        self._count(refusal, results)
        if self._audit is not None:
            record = {"text": interp.text, "lang": interp.lang, "source": source, **response,
                      "timestamp": time.time_ns()}
            try:
                self._audit(record, correlation_id)
            except Exception:  # the audit sink failing must not hide the answer; it is logged
                log.exception("audit record not published",
                              extra={"correlation_id": correlation_id})
        return response

    @staticmethod
    def _failure(action: Action, err: AppServiceError) -> dict[str, Any]:
        status = getattr(err, "status", 0) if isinstance(err, CommandError) else 0
        return {**action.to_dict(), "status": "error", "statusCode": status,
                "error": f"{_STATUS_TEXT.get(status, 'core-command failed')}: {err}"}

    def _count(self, refusal: str | None, results: list[dict[str, Any]]) -> None:
        if self._metrics is None:
            return
        try:
            self._metrics.counter("CommandRequests").inc()
            if refusal:
                self._metrics.counter(f"CommandRefusals-{refusal}").inc()
            for result in results:
                if result.get("status") == "error":
                    self._metrics.counter("CommandActuationErrors").inc()
        except Exception:   # metrics are best effort
            log.debug("command metrics not recorded", exc_info=True)


def audit_publisher(bus: Any, topic: str) -> Callable[[dict[str, Any], str], None]:
    def publish(record: dict[str, Any], correlation_id: str) -> None:
        bus.publish_envelope(topic, record, correlation_id=correlation_id)
    return publish


def parse_request(body: Any) -> tuple[str, bool, bool]:
    """{text, execute?, confirm?} → values, or ValueError naming what is wrong."""
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object {text, execute, confirm}")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("'text' must be a non-empty string")
    if len(text) > 2000:
        raise ValueError("'text' is longer than 2000 characters")
    flags = []
    for key in ("execute", "confirm"):
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise ValueError(f"'{key}' must be true or false")
        flags.append(value)
    return text, flags[0], flags[1]
