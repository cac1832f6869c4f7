"""The anomaly feature inside the service: per-reading detection on events, outputs on the bus,
notifications, the DetectAnomalies pipeline function and ``install(app)``."""
from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
import time
from collections import deque
from typing import Any, Callable

from ..commands.catalog import CatalogHolder
from ..commands.guardrails import Policy
from ..edgex.dtos import Event, Reading, add_event_request
from ..edgex.topics import event_topic, join_topic
from ..errors import PayloadError
from ..pipeline.registry import register_function
from .actions import ActionCatalog, GuardedActuator
from .config import AnomalySettings, load_settings
from .records import AnomalyFacts, AnomalyRecord, anomaly_event, notification
from .persist import read_json, text_snapshot_path, write_json_atomic
from .streams import StreamRegistry
from .text import ANOMALOUS, PENDING, TextClassifier, TextJudge, Verdict
from .triage import Triager, TriageQueue

log = logging.getLogger(__name__)
NUMERIC = {"Int8", "Int16", "Int32", "Int64", "Uint8", "Uint16", "Uint32", "Uint64", "Float32",
           "Float64"}
RECENT = 10


class AnomalyOutputs:
    """Publishes a triaged record: JSON on llm-agent/anomalies, an EdgeX Event, a notification."""

    def __init__(self, bus: Any, service_key: str, notifications: Any = None,
                 store: Any = None) -> None:
        self.bus = bus
        self.service_key = service_key
        self.notifications = notifications
        self.store = store

    def deliver(self, record: AnomalyRecord) -> None:
        f = record.facts
        if self.bus is not None:  # MessageBus.Disabled: notifications only
            prefix = self.bus.settings.base_topic_prefix
            body = json.dumps(record.to_dict(), default=str).encode()
            self.bus.publish(join_topic(prefix, "llm-agent/anomalies", f.device, f.resource), body)
            event = anomaly_event(record, Event, Reading)
            topic = event_topic(prefix, self.service_key, event.profile_name, f.device,
                                event.source_name)
            self.bus.publish_envelope(topic, add_event_request(event),
                                      correlation_id=f.correlation_id or record.id)
        note = notification(record, self.service_key)
        if note is not None and self.notifications is not None:
            try:
                self.notifications.send(note, correlation_id=f.correlation_id)
            except Exception as exc:  # kept for retry rather than lost
                if self.store is None:
                    raise
                log.warning("notification for %s deferred: %s", record.id, exc,
                            extra={"correlation_id": f.correlation_id})
                self.store.add("anomaly-notification", note, f.correlation_id)


class AnomalyFeature:
    """Scores every reading of an event; flagged ones go to the triage queue."""

    def __init__(self, settings: AnomalySettings, queue: TriageQueue | None, *,
                 profiles: Any = None, metrics: Any = None, model: Any = None) -> None:
        self.settings = settings
        self.registry = StreamRegistry(settings.detector, settings.max_streams)
        self.queue = queue
        classifier = (TextClassifier(model, settings.text.model_threshold)
                      if model is not None and queue is not None else None)
        self.text = TextJudge(classifier, settings.text, settings.max_streams)
        if queue is not None:
            queue.resolve_text = self.resolve_text
        self.profiles = profiles
        self._detected = metrics.counter("AnomaliesDetected") if metrics else None
        self._skipped = metrics.counter("AnomalyReadingsSkipped") if metrics else None
        self.detected = self.skipped = 0
        self._recent: dict[tuple[str, str], deque] = {}
        self._lock = threading.Lock()

    def save_snapshots(self, path: str) -> None:
        """Numeric streams to ``path``, String streams beside it (persist.text_snapshot_path)."""
        self.registry.save(path)
        write_json_atomic(text_snapshot_path(path), self.text.snapshot())

    def load_snapshots(self, path: str) -> tuple[int, int]:
        """(numeric, String) streams restored; a missing file is a cold start, a bad one is
        logged and ignored (those streams learn again)."""
        numeric = self.registry.load(path)
        text_path = text_snapshot_path(path)
        try:
            snapshot = read_json(text_path)
            texts = 0 if snapshot is None else self.text.restore(snapshot)
        except (OSError, ValueError) as exc:
            log.error("text snapshot %s ignored, String streams will relearn: %s", text_path,
                      exc)
            texts = 0
        return numeric, texts

    def _resource(self, profile_name: str, resource: str) -> tuple[Any, Any, str, str, str]:
        """(minimum, maximum, units, description, defaultValue) from the device profile."""
        profile = self.profiles.profile(profile_name) if self.profiles is not None else None
        found = profile.resource(resource) if profile is not None else None
        if found is None:
            return None, None, "", "", ""
        p = found.properties
        return (p.minimum, p.maximum, p.units or "", found.description or "",
                p.default_value or "")

    def _skip(self, key: tuple[str, str], why: str, correlation_id: str) -> None:
        """A reading not scored is counted (AnomalyReadingsSkipped) and logged, never silent;
        the log is thinned to powers of two so a flood cannot drown the log."""
        self.skipped += 1
        if self._skipped:
            self._skipped.inc()
        if self.skipped & (self.skipped - 1) == 0:
            log.warning("reading %s/%s not scored (%d so far): %s", key[0], key[1], self.skipped,
                        why, extra={"correlation_id": correlation_id})

    def count_detected(self, facts: AnomalyFacts) -> None:
        self.detected += 1
        if self._detected:
            self._detected.inc()

    def _flag(self, facts: AnomalyFacts) -> None:
        self.count_detected(facts)
        if self.queue is not None:
            self.queue.submit(facts)

    def process(self, event: Event, correlation_id: str = "") -> list[AnomalyFacts]:
        flagged = []
        for r in event.readings:
            profile = r.profile_name or event.profile_name
            if not self.settings.enabled_for(profile, r.resource_name):
                continue
            minimum, maximum, units, description, default = self._resource(
                profile, r.resource_name)
            key = (r.device_name or event.device_name, r.resource_name)
            with self._lock:  # bounded like the detectors: no unbounded growth from names
                recent = self._recent.get(key)
                if recent is None:
                    recent = deque(maxlen=RECENT)
                    if len(self._recent) < self.settings.max_streams:
                        self._recent[key] = recent
            base = dict(device=key[0], resource=key[1], profile=profile, origin_ns=r.origin,
                        units=r.units or units, description=description, minimum=minimum,
                        maximum=maximum, correlation_id=correlation_id)
            if r.value_type == "String":
                facts = AnomalyFacts(kind="text", score=0.0, value=r.value, recent=tuple(recent),
                                     **base)
                recent.append(r.value)
                if self._judge_text(facts, default):
                    flagged.append(facts)
                continue
            if r.value_type not in NUMERIC:
                continue
            try:
                value = float(r.typed())
                if not math.isfinite(value):
                    raise ValueError(f"value {r.value!r} is not finite")
            except (TypeError, ValueError, PayloadError) as exc:
                self._skip(key, f"unreadable value: {exc}", correlation_id)
                continue
            detector = self.registry.detector(key[0], key[1], minimum=minimum, maximum=maximum)
            if detector is None:
                self._skip(key, f"MaxStreams={self.settings.max_streams} streams already tracked",
                           correlation_id)
                continue
            score = detector.update(value, r.origin / 1e9 if r.origin else time.time())
            if score >= self.settings.threshold_for(profile, key[1]):
                kind = classify(detector, value)
                facts = AnomalyFacts(kind=kind, score=round(score, 4), value=value,
                                     recent=tuple(recent), **base)
                self._flag(facts)
                flagged.append(facts)
            recent.append(value)
        return flagged

    def _judge_text(self, facts: AnomalyFacts, default: str) -> bool:
        """Evidence first (text.py); only an undecided string is queued for the model, once per
        (device, resource, string). True when the reading is anomalous now."""
        outcome, verdict, report = self.text.judge(facts, default)
        if outcome == ANOMALOUS:
            self.count_detected(facts)
            if report and self.queue is not None:
                self.queue.submit(_with_verdict(facts, verdict))
            return True
        if outcome == PENDING and (self.queue is None
                                   or not self.queue.submit(facts, classify=True)):
            self.text.abandon(facts)   # counted as TriageDropped; a later reading retries
        return False

    def resolve_text(self, facts: AnomalyFacts) -> AnomalyFacts | None:
        """The triage worker's half: the model's verdict settles every reading that waited on
        it; the facts come back for triage only on a change into an anomalous state."""
        verdict, settled, report = self.text.resolve(facts)
        if verdict is None or not verdict.anomalous:
            return None
        for _ in range(settled):
            self.count_detected(facts)
        return _with_verdict(facts, verdict) if report else None

    def check_silence(self, now: float | None = None) -> list[AnomalyFacts]:
        now = time.time() if now is None else now
        intervals, factors = {}, {}
        devices = self.profiles.devices() if self.profiles is not None else {}
        for (device, resource) in self.registry.keys():
            d = devices.get(device)
            profile_name = d.profile_name if d is not None else ""
            factors[(device, resource)] = self.settings.silence_factor_for(profile_name, resource)
            profile = self.profiles.profile(profile_name) if d is not None else None
            for auto in getattr(d, "auto_events", ()) or ():
                seconds = auto.interval_seconds
                if seconds and resource in _source_resources(profile, auto.source_name):
                    intervals[(device, resource)] = seconds
        found = []
        for s in self.registry.silent_streams(now, intervals, factors):
            facts = AnomalyFacts(device=s.device, resource=s.resource, profile="", kind="silence",
                                 score=1.0, value=f"silent for {s.silent_s:.0f} s, expected every "
                                 f"{s.expected_interval_s:.0f} s", origin_ns=time.time_ns())
            self._flag(facts)
            found.append(facts)
        return found


def _with_verdict(facts: AnomalyFacts, verdict: Verdict) -> AnomalyFacts:
    score = verdict.probability if verdict.probability is not None else 1.0
    return dataclasses.replace(facts, score=score, evidence=verdict.evidence)


def _source_resources(profile: Any, source: str) -> set[str]:
    """An autoEvent's source is a resource or a deviceCommand reading several resources."""
    names = {source}
    command = profile.command(source) if profile is not None else None
    if command is not None:
        names.update(r.name for r in profile.command_resources(command))
    return names


def classify(detector: Any, value: float) -> str:
    """Which detector family flagged the reading (for the record and the explanation)."""
    st = detector.state
    if value < detector.minimum or value > detector.maximum:
        return "limit"
    if st.stuck_fired and st.run:
        return "stuck"
    if value <= st.lo or value >= st.hi:
        return "range"
    return "surprise"


class Housekeeping:
    """Background checks: silence every ``interval_s``, snapshot every ``snapshot_interval_s``."""

    def __init__(self, feature: AnomalyFeature, interval_s: float = 1.0) -> None:
        self.feature = feature
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_snapshot = time.monotonic()

    def start(self) -> "Housekeeping":
        self._thread = threading.Thread(target=self._loop, name="anomaly-housekeeping",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        settings = self.feature.settings
        while not self._stop.wait(self.interval_s):
            try:
                self.feature.check_silence()
                if settings.snapshot_path and settings.snapshot_interval_s and (
                        time.monotonic() - self._last_snapshot >= settings.snapshot_interval_s):
                    self.feature.save_snapshots(settings.snapshot_path)
                    self._last_snapshot = time.monotonic()
            except Exception:  # keep checking; the cause is logged once per failure
                log.exception("anomaly housekeeping failed")


class AutoActuation:
    """Between triage and outputs: actuates the recommended action where configuration allows
    it for the stream and severity (default: nowhere), and notes the outcome on the record."""

    def __init__(self, settings: AnomalySettings, actions: ActionCatalog | None,
                 actuator: GuardedActuator | None, deliver: Callable[[AnomalyRecord], None]):
        self.settings = settings
        self.actions = actions
        self.actuator = actuator
        self.deliver = deliver

    def __call__(self, record: AnomalyRecord) -> None:
        f = record.facts
        allowed = record.severity in self.settings.auto_actuate_for(f.profile, f.resource)
        if allowed and record.action and self.actions and self.actuator:
            action = self.actions.action(f.device, record.action)
            record.actuation = (self.actuator.actuate(action, f.correlation_id) if action else
                                {"status": "blocked", "reason": "not_in_catalog"})
        self.deliver(record)


@register_function("DetectAnomalies")
def detect_anomalies(params: Any, app: Any) -> Callable:
    """Pipeline function: scores the event's readings and passes the event on unchanged."""
    feature = install(app)

    def detect(ctx: Any, data: Any) -> tuple[bool, Any]:
        if not isinstance(data, Event):
            raise TypeError(f"DetectAnomalies in pipeline '{ctx.pipeline_id}': expected an "
                            f"Event, got {type(data).__name__}")
        feature.process(data, ctx.correlation_id)
        return True, data
    return detect


def install(app: Any) -> AnomalyFeature:
    """Validate [AnomalyDetection], restore snapshots, start triage, register workers."""
    existing = getattr(app, "anomaly", None)
    if isinstance(existing, AnomalyFeature):
        return existing
    settings = load_settings(app.config)
    model = getattr(app, "model", None)
    actions = actuator = None
    if getattr(app, "profiles", None) is not None:
        holder = CatalogHolder(app.profiles)
        actions = ActionCatalog(lambda: holder.catalog)
        commands = getattr(app, "commands", None)
        policy = getattr(commands, "policy", None) or Policy.from_config(app.config)
        if getattr(app, "command_client", None) is not None:
            actuator = GuardedActuator(lambda: holder.catalog, policy, app.command_client)
    triager = Triager(model, actions.options if actions else None)
    outputs = AnomalyOutputs(app.bus, app.service_key, getattr(app, "notifications_client", None),
                             getattr(app, "store", None))
    finish = AutoActuation(settings, actions, actuator, outputs.deliver)
    queue = TriageQueue(triager, finish, size=settings.triage_queue_size, metrics=app.metrics)
    feature = AnomalyFeature(settings, queue, profiles=getattr(app, "profiles", None),
                             metrics=app.metrics, model=model)
    if settings.snapshot_path:
        numeric, texts = feature.load_snapshots(settings.snapshot_path)
        log.info("anomaly detection restored %d numeric and %d String streams from %s", numeric,
                 texts, settings.snapshot_path)
        app.on_shutdown(lambda: feature.save_snapshots(settings.snapshot_path))
    store = getattr(app, "store", None)
    notifications = getattr(app, "notifications_client", None)
    if store is not None and notifications is not None:
        store.register("anomaly-notification", lambda note: notifications.send(
            {k: v for k, v in note.items() if not k.startswith("_")},
            correlation_id=note.get("_correlation_id", "")))
    app.add_worker(queue)
    app.add_worker(Housekeeping(feature))
    app.anomaly = feature
    return feature
