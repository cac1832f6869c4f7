"""Telemetry reporter: publishes enabled metrics as EdgeX ``dtos.Metric`` every interval.

Mirrors go-mod-bootstrap's reporter (INTERFACES.md §8): a metric registered as
``PipelineMessagesProcessed-default-pipeline`` is reported under the configured name that prefixes
it (``PipelineMessagesProcessed``) on ``{BaseTopicPrefix}/telemetry/{serviceKey}/{name}``, tagged
with ``service=<key>``, the configured tags and the metric's own tags (``pipeline=...``). Metrics
not enabled in ``Writable.Telemetry.Metrics`` are never published.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any, Callable, Mapping

from .metrics import Metrics

log = logging.getLogger(__name__)

# publish(topic, metric_dto, correlation_id): the service wires this to the message bus.
Publisher = Callable[[str, dict[str, Any], str], None]


def enabled_name(item_name: str, enabled: Mapping[str, bool]) -> str | None:
    """The configured name an item is reported under: the longest enabled prefix, if any."""
    matches = [name for name, on in enabled.items() if on and item_name.startswith(name)]
    return max(matches, key=len) if matches else None


def metric_dto(name: str, fields: list[dict[str, Any]], tags: Mapping[str, str],
               timestamp_ns: int) -> dict[str, Any]:
    return {"apiVersion": "v3", "name": name, "fields": fields,
            "tags": [{"name": k, "value": str(v)} for k, v in tags.items()],
            "timestamp": timestamp_ns}


class TelemetryReporter:
    def __init__(self, metrics: Metrics, publish: Publisher, *, service_key: str,
                 base_topic_prefix: str, interval: float, enabled: Mapping[str, bool],
                 tags: Mapping[str, str] | None = None):
        self.metrics = metrics
        self.publish = publish
        self.service_key = service_key
        self.interval = interval
        self.enabled = dict(enabled)
        self.service_tags = {"service": service_key, **dict(tags or {})}
        self.topic_prefix = "/".join(p for p in (base_topic_prefix, "telemetry", service_key) if p)
        self.publish_errors = metrics.counter("TelemetryPublishErrors")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def report_once(self, timestamp_ns: int | None = None) -> int:
        """Publish every enabled metric now; returns how many were published."""
        timestamp_ns = timestamp_ns or time.time_ns()
        published = 0
        for item_name, metric, metric_tags in self.metrics.items():
            name = enabled_name(item_name, self.enabled)
            if name is None:
                continue
            dto = metric_dto(name, metric.fields(), {**self.service_tags, **metric_tags},
                             timestamp_ns)
            correlation_id = str(uuid.uuid4())
            try:
                self.publish(f"{self.topic_prefix}/{name}", dto, correlation_id)
                published += 1
            except Exception:
                self.publish_errors.inc()
                log.warning("telemetry %s not published", name, exc_info=True,
                            extra={"correlation_id": correlation_id})
        return published

    def start(self) -> None:
        if self.interval <= 0 or not any(self.enabled.values()):
            log.info("telemetry reporting is off (Writable.Telemetry.Interval=0 or no metric "
                     "enabled)")
            return
        self._thread = threading.Thread(target=self._run, name="telemetry", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.report_once()
            except Exception:  # a reporter bug must not end reporting for good
                log.exception("telemetry report failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
