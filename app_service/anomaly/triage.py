"""LLM triage of flagged anomalies, off the ingestion path.

``TriageQueue.submit`` never blocks: a full queue drops the job and counts it (TriageDropped).
One worker thread asks the model three constrained questions -- severity among
info/warning/critical, which grounded sentence explains it, which valid command (or none) to
recommend -- and hands the record to ``deliver``. Without a model (or when it fails) the rules
in records.py decide, so an anomaly is never lost because the model is busy or missing.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, Sequence

from .records import (SEVERITIES, AnomalyFacts, AnomalyRecord, clamp_severity,
                      explanation_options, ranked, rule_severity, triage_prompt)

log = logging.getLogger(__name__)
NO_ACTION = "no action"


class Triager:
    """Turns facts into a record; ``model`` is anything with ``choose(prompt, options)``."""

    def __init__(self, model: Any = None,
                 actions_for: Callable[[str], Sequence[str]] | None = None) -> None:
        self.model = model
        self.actions_for = actions_for

    def triage(self, facts: AnomalyFacts) -> AnomalyRecord:
        floor = rule_severity(facts)
        options = explanation_options(facts)
        record = AnomalyRecord(facts, severity=floor, explanation=options[0][1])
        if self.model is None:
            return record
        try:
            # Uncalibrated: with PMI calibration the default 135M model answered "critical" for
            # every kind (p > 0.99); raw scores separate limit/silence from the rest (triage_bench).
            severity = self.model.choose(
                triage_prompt(facts, "How severe is this anomaly? "
                                     "Answer info, warning or critical."),
                list(SEVERITIES), calibrate=False)
            record.severity = clamp_severity(severity.option, floor)
            record.severity_probabilities = ranked(severity.options, severity.probabilities)
            if len(options) > 1:
                # uncalibrated here too: it picked the finding-specific label for limit, range
                # and stuck where calibrated choice picked "above recent readings" (1 of 3)
                chosen = self.model.choose(
                    triage_prompt(facts, "What best describes the anomaly?"),
                    [label for label, _ in options], calibrate=False)
                record.explanation = options[chosen.index][1]
            actions = list(self.actions_for(facts.device)) if self.actions_for else []
            if actions:
                chosen = self.model.choose(
                    triage_prompt(facts, "Which single action should an operator take?"),
                    [NO_ACTION] + actions)
                if chosen.option != NO_ACTION:
                    record.action = chosen.option
                    record.action_probability = round(float(chosen.probabilities[chosen.index]), 4)
            record.triaged_by = "model"
        except Exception as exc:  # a failing model must not lose the anomaly: rules decide
            log.warning("triage of %s/%s fell back to rules: %s", facts.device, facts.resource,
                        exc, extra={"correlation_id": facts.correlation_id})
        return record


class TriageQueue:
    """Bounded queue + one worker: ``submit`` is O(1) and never blocks the caller."""

    def __init__(self, triager: Triager, deliver: Callable[[AnomalyRecord], None], *,
                 size: int = 64, metrics: Any = None,
                 resolve_text: Callable[[AnomalyFacts], AnomalyFacts | None] | None = None
                 ) -> None:
        self.triager = triager
        self.deliver = deliver
        # judges a queued String reading; returns the facts to triage and publish, or None
        self.resolve_text = resolve_text
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self.dropped = 0
        self._depth = metrics.gauge("TriageQueueDepth") if metrics else None
        self._dropped = metrics.counter("TriageDropped") if metrics else None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, facts: AnomalyFacts, *, classify: bool = False) -> bool:
        """Queue a flagged reading; ``classify``: a String reading the model has yet to judge
        (``resolve_text`` decides whether it is triaged and published)."""
        try:
            self._queue.put_nowait((facts, classify))
        except queue.Full:
            self.dropped += 1
            if self._dropped:
                self._dropped.inc()
            log.warning("triage queue full, anomaly on %s/%s dropped from triage",
                        facts.device, facts.resource,
                        extra={"correlation_id": facts.correlation_id})
            return False
        if self._depth:
            self._depth.set(self._queue.qsize())
        return True

    def depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> "TriageQueue":
        self._thread = threading.Thread(target=self._work, name="anomaly-triage", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    stop = close

    def process_one(self, timeout: float = 0.2) -> bool:
        """Triage and deliver one job; False when none arrived within ``timeout``."""
        try:
            facts, classify = self._queue.get(timeout=timeout)
        except queue.Empty:
            return False
        if self._depth:
            self._depth.set(self._queue.qsize())
        try:
            if classify:
                facts = self.resolve_text(facts) if self.resolve_text is not None else None
                if facts is None:
                    return True
            self.deliver(self.triager.triage(facts))
        except Exception:  # the worker must outlive any one bad job; logged with its id
            log.exception("anomaly triage/delivery failed for %s/%s", facts.device,
                          facts.resource, extra={"correlation_id": facts.correlation_id})
        return True

    def _work(self) -> None:
        while not self._stop.is_set():
            self.process_one()
