"""Service metrics with EdgeX's names, types and field names (INTERFACES.md §8).

A metric is registered under an *item name* (``PipelineMessagesProcessed-default-pipeline``) with
tags; the reporter publishes it under the configured name that prefixes the item name. Every type
is thread-safe and O(1) to update.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any


class Counter:
    kind = "counter"

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def inc(self, n: int = 1) -> None:
        with self._lock:
            self._value += n

    def dec(self, n: int = 1) -> None:
        with self._lock:
            self._value -= n

    @property
    def value(self) -> int:
        return self._value

    def fields(self) -> list[dict[str, Any]]:
        return [{"name": "counter-count", "value": self._value}]


class Gauge:
    kind = "gauge"

    def __init__(self) -> None:
        self._value: float = 0

    def set(self, value: float) -> None:
        self._value = value

    @property
    def value(self) -> float:
        return self._value

    def fields(self) -> list[dict[str, Any]]:
        if isinstance(self._value, float) and not self._value.is_integer():
            return [{"name": "gaugeFloat64-value", "value": self._value}]
        return [{"name": "gauge-value", "value": int(self._value)}]


class _Summary:
    """Running count/min/max/mean/variance (Welford), the fields of a go-metrics Timer/Histogram."""

    prefix = "histogram"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._n = 0
        self._min = math.inf
        self._max = -math.inf
        self._mean = 0.0
        self._m2 = 0.0

    def update(self, value: float) -> None:
        with self._lock:
            self._n += 1
            self._min = min(self._min, value)
            self._max = max(self._max, value)
            delta = value - self._mean
            self._mean += delta / self._n
            self._m2 += delta * (value - self._mean)

    @property
    def count(self) -> int:
        return self._n

    def fields(self) -> list[dict[str, Any]]:
        with self._lock:
            n = self._n
            variance = self._m2 / n if n else 0.0
            p = self.prefix
            return [
                {"name": f"{p}-count", "value": n},
                {"name": f"{p}-min", "value": self._min if n else 0},
                {"name": f"{p}-max", "value": self._max if n else 0},
                {"name": f"{p}-mean", "value": self._mean if n else 0},
                {"name": f"{p}-stddev", "value": math.sqrt(variance)},
                {"name": f"{p}-variance", "value": variance},
            ]


class Histogram(_Summary):
    kind = "histogram"
    prefix = "histogram"


class Timer(_Summary):
    """Durations, recorded in nanoseconds as go-metrics does."""

    kind = "timer"
    prefix = "timer"

    def record_seconds(self, seconds: float) -> None:
        self.update(seconds * 1e9)


@dataclass
class _Entry:
    metric: Any
    tags: dict[str, str] = field(default_factory=dict)


class Metrics:
    """The registry of one service's metrics, keyed by item name."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def _get(self, cls: type, name: str, tags: dict[str, str] | None) -> Any:
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                entry = self._entries[name] = _Entry(cls(), dict(tags or {}))
            elif not isinstance(entry.metric, cls):
                raise TypeError(f"metric {name} is a {entry.metric.kind}, not a {cls.kind}")
            return entry.metric

    def counter(self, name: str, tags: dict[str, str] | None = None) -> Counter:
        return self._get(Counter, name, tags)

    def gauge(self, name: str, tags: dict[str, str] | None = None) -> Gauge:
        return self._get(Gauge, name, tags)

    def timer(self, name: str, tags: dict[str, str] | None = None) -> Timer:
        return self._get(Timer, name, tags)

    def histogram(self, name: str, tags: dict[str, str] | None = None) -> Histogram:
        return self._get(Histogram, name, tags)

    def items(self) -> list[tuple[str, Any, dict[str, str]]]:
        with self._lock:
            return [(name, e.metric, dict(e.tags)) for name, e in self._entries.items()]

    def value(self, name: str) -> float:
        """Current scalar value of a counter/gauge, or the count of a timer/histogram; 0 if absent."""
        entry = self._entries.get(name)
        if entry is None:
            return 0
        metric = entry.metric
        return metric.count if isinstance(metric, _Summary) else metric.value

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """JSON-ready view: item name -> {type, fields, tags}."""
        return {
            name: {"type": metric.kind, "fields": metric.fields(), "tags": tags}
            for name, metric, tags in self.items()
        }
