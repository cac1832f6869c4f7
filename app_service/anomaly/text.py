"""Judging String readings (status words, fault messages) sensibly and cheaply.

Evidence in order, the first that decides wins:
1. the value equals the resource's ``defaultValue``: normal;
2. the generic lexicons (lexicon.py): a clearly abnormal word is anomalous, clearly normal
   words are normal;
3. learned frequency per (device, resource): during its first ``warm_up`` readings a stream
   only learns (undecided strings are normal); then a value making up at least
   ``frequent_share`` of the stream's recent readings is normal, and a rarer or never-seen
   value is a candidate for step 4;
4. the model's calibrated constrained choice, asked once per (resource, string) and cached:
   anomalous only when p(anomalous) >= ``model_threshold``. Without a model, or when it fails,
   an undecided string is not flagged (and the model is asked again on a later reading).

Only step 4 costs anything, and it runs off the ingestion path: ``TextJudge.judge`` says
PENDING for the first reading of an undecided string, which the caller queues; further readings
of the same (device, resource, string) wait on that one classification (WAITING) instead of
queueing again, and ``resolve`` settles them all when the verdict comes back.

A stream reports an anomalous status once when it changes into it; while the same anomalous
value persists, each reading is counted but not reported again. A normal reading re-arms it.
A status flagged by the model that persists until it is a usual value of its stream (step 3)
is normal from then on; one flagged by the lexicon stays anomalous however long it lasts.
"""
from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .lexicon import lexicon_verdict
from .records import AnomalyFacts

log = logging.getLogger(__name__)
TEXT_OPTIONS = ("normal", "anomalous")
NORMAL, ANOMALOUS, PENDING, WAITING = "normal", "anomalous", "pending", "waiting"
TEXT_SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class TextSettings:
    model_threshold: float = 0.9    # p(anomalous) the model must reach to flag a string
    frequent_share: float = 0.05    # a value this common in a stream's recent readings is normal
    warm_up: int = 20               # readings a stream only learns from (no model asked)
    window: int = 500               # "recent": counts decay with this time constant (readings)
    max_values: int = 32            # distinct values remembered per stream (rarest evicted)


@dataclass(frozen=True)
class Verdict:
    """A decided reading: ``anomalous``, which step decided (``source``: default, lexicon,
    frequency or model), why in words (``evidence``), and the model's p(anomalous)."""
    anomalous: bool
    source: str
    evidence: str
    probability: float | None = None


class ValueFrequency:
    """Exponentially decaying counts of a stream's values, O(1) per reading: each count keeps
    the step it was last updated at and is decayed lazily when read."""

    def __init__(self, window: int, max_values: int) -> None:
        self.decay = 1.0 - 1.0 / window
        self.max_values = max_values
        self.seen = 0
        self.total = 0.0
        self._counts: dict[str, tuple[float, int]] = {}

    def _count(self, value: str) -> float:
        count, step = self._counts.get(value, (0.0, self.seen))
        return count * self.decay ** (self.seen - step)

    def share(self, value: str) -> float:
        return self._count(value) / self.total if self.total else 0.0

    def add(self, value: str) -> None:
        count = self._count(value)
        if value not in self._counts and len(self._counts) >= self.max_values:
            del self._counts[min(self._counts, key=self._count)]
        self.seen += 1
        self.total = self.total * self.decay + 1.0
        self._counts[value] = (count * self.decay + 1.0, self.seen)

    def to_list(self) -> list:
        return [self.seen, self.total, [[v, c, step] for v, (c, step) in self._counts.items()]]

    def restore(self, data: list) -> None:
        """Load what ``to_list`` wrote; ValueError/TypeError for anything else, the state
        then unchanged."""
        seen, total, counts = data
        if (not isinstance(seen, int) or seen < 0 or not _count_ok(total)
                or not isinstance(counts, list)):
            raise ValueError("malformed value frequencies")
        loaded = {}
        for value, count, step in counts:
            if not isinstance(value, str) or not _count_ok(count) or not (
                    isinstance(step, int) and 0 <= step <= seen):
                raise ValueError("malformed value frequency")
            loaded[value] = (float(count), step)
        # the most recent max_values survive a smaller MaxValues setting
        kept = sorted(loaded.items(), key=lambda item: item[1][1])[-self.max_values:]
        self.seen, self.total, self._counts = seen, float(total), dict(kept)


def _count_ok(number: Any) -> bool:
    return (isinstance(number, (int, float)) and not isinstance(number, bool)
            and math.isfinite(number) and number >= 0)


class TextClassifier:
    """normal/anomalous by the model's calibrated constrained choice, cached per distinct
    (resource, string) in a bounded LRU. ``classify`` returns None when the model failed."""

    def __init__(self, model: Any, threshold: float = 0.9, cache_size: int = 1024) -> None:
        self.model = model
        self.threshold = threshold
        self.cache_size = cache_size
        self.calls = 0
        self._cache: OrderedDict[tuple[str, str], Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, resource: str, text: str) -> Verdict | None:
        with self._lock:
            hit = self._cache.get((resource, text))
            if hit is not None:
                self._cache.move_to_end((resource, text))
            return hit

    def classify(self, facts: AnomalyFacts) -> Verdict | None:
        text = str(facts.value)
        hit = self.cached(facts.resource, text)
        if hit is not None:
            return hit
        self.calls += 1
        try:
            choice = self.model.choose(text_prompt(facts), list(TEXT_OPTIONS))
        except Exception as exc:  # busy or failing model: undecided now, asked again later
            log.warning("text classification of %s/%s failed: %s", facts.device, facts.resource,
                        exc, extra={"correlation_id": facts.correlation_id})
            return None
        p = float(choice.probabilities[TEXT_OPTIONS.index("anomalous")])
        verdict = Verdict(p >= self.threshold, "model", f"model p(anomalous)={p:.3f}", round(p, 4))
        with self._lock:
            self._cache[(facts.resource, text)] = verdict
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return verdict


def text_prompt(facts: AnomalyFacts) -> list[dict[str, str]]:
    usual = ", ".join(dict.fromkeys(str(v) for v in facts.recent)) or "none yet"
    about = f" - {facts.description}" if facts.description else ""
    return [{"role": "system",
             "content": "You check status texts reported by industrial and home IoT devices."},
            {"role": "user",
             "content": f"Device {facts.device}, {facts.resource}{about}\nRecent values: {usual}."
                        f"\nNew status text: '{facts.value}'.\n"
                        "Is this status normal or anomalous?"}]


@dataclass
class _Stream:
    frequency: ValueFrequency
    alarmed: str | None = None       # the anomalous value last reported, until a normal reading


class TextJudge:
    """Per-stream text state: frequencies, pending classifications and the alarm state.
    Streams beyond ``max_streams`` still get the lexicon and the model, without learning."""

    def __init__(self, classifier: TextClassifier | None, settings: TextSettings | None = None,
                 max_streams: int = 10000) -> None:
        self.classifier = classifier
        self.settings = settings or TextSettings()
        self.max_streams = max_streams
        self.stats = {"default": 0, "lexicon": 0, "learning": 0, "frequency": 0, "model": 0,
                      "undecided": 0, "waited": 0, "repeats": 0}
        self._streams: dict[tuple[str, str], _Stream] = {}
        # readings waiting on each queued classification: a count, so a burst costs no memory
        self._pending: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def _stream(self, key: tuple[str, str]) -> _Stream | None:
        stream = self._streams.get(key)
        if stream is None and len(self._streams) < self.max_streams:
            s = self.settings
            stream = self._streams[key] = _Stream(ValueFrequency(s.window, s.max_values))
        return stream

    def snapshot(self) -> dict:
        """What each stream has learned (value frequencies, alarm state), for a restart."""
        with self._lock:
            return {"version": TEXT_SNAPSHOT_VERSION,
                    "streams": [[d, r, st.frequency.to_list(), st.alarmed]
                                for (d, r), st in self._streams.items()]}

    def restore(self, snapshot: Any) -> int:
        """Load a ``snapshot``; returns the streams restored. A foreign or malformed snapshot
        raises ValueError and leaves no stream half-loaded."""
        if not isinstance(snapshot, dict) or snapshot.get("version") != TEXT_SNAPSHOT_VERSION:
            raise ValueError(f"not a text snapshot of version {TEXT_SNAPSHOT_VERSION}")
        s = self.settings
        loaded: dict[tuple[str, str], _Stream] = {}
        try:
            for device, resource, frequencies, alarmed in snapshot.get("streams", []):
                if not (isinstance(device, str) and isinstance(resource, str)
                        and (alarmed is None or isinstance(alarmed, str))):
                    raise ValueError("malformed text stream")
                stream = _Stream(ValueFrequency(s.window, s.max_values), alarmed)
                stream.frequency.restore(frequencies)
                loaded[(device, resource)] = stream
        except (TypeError, ValueError) as exc:
            raise ValueError(f"malformed text snapshot: {exc}") from exc
        with self._lock:
            self._streams = dict(list(loaded.items())[:self.max_streams])
            return len(self._streams)

    def evidence(self, stream: _Stream | None, text: str, default: str) -> Verdict | None:
        """Steps 1-3, no model call."""
        if default and text == default:
            return Verdict(False, "default", "the resource's defaultValue")
        verdict = lexicon_verdict(text)
        if verdict is not None:
            return Verdict(verdict, "lexicon",
                           "abnormal status word" if verdict else "normal status word")
        if stream is not None and stream.frequency.seen < self.settings.warm_up:
            # everything is new to a new stream: it learns its usual values first (the model
            # is no judge of them: docs/anomaly.md, "Text readings")
            return Verdict(False, "learning", "stream still learning its usual values")
        if stream is not None:
            share = stream.frequency.share(text)
            if share >= self.settings.frequent_share:
                return Verdict(False, "frequency", f"usual value ({share:.0%} of recent "
                                                   "readings)")
        return None

    def judge(self, facts: AnomalyFacts, default: str = "") -> tuple[str, Verdict | None, bool]:
        """(NORMAL | ANOMALOUS, verdict, report) when decided now -- ``report``: a change into an
        anomalous state, to be triaged and published; (PENDING, None, False) when the caller
        must queue ``facts`` for ``resolve``; (WAITING, None, False) when an earlier reading of
        the same string is already queued (it is settled with that one)."""
        text = str(facts.value)
        key = (facts.device, facts.resource)
        with self._lock:
            stream = self._stream(key)
            waiting = self._pending.get((*key, text))
            verdict = None if waiting is not None else self.evidence(stream, text, default)
            if stream is not None:
                stream.frequency.add(text)
            if waiting is not None:
                self._pending[(*key, text)] = waiting + 1
                self.stats["waited"] += 1
                return WAITING, None, False
            if verdict is None and self.classifier is not None:
                verdict = self.classifier.cached(facts.resource, text)
                if verdict is None:
                    self._pending[(*key, text)] = 1
                    return PENDING, None, False
            outcome, report = self._settle(stream, text, verdict)
            return outcome, verdict, report

    def abandon(self, facts: AnomalyFacts) -> int:
        """The queued classification could not be queued: forget it (a later reading retries).
        Returns how many readings were waiting on it."""
        with self._lock:
            return self._pending.pop((facts.device, facts.resource, str(facts.value)), 0)

    def resolve(self, facts: AnomalyFacts) -> tuple[Verdict | None, int, bool]:
        """In the triage worker: classify a PENDING reading. Returns (verdict, how many readings
        it settles, whether to report it: anomalous and a change into that state)."""
        verdict = self.classifier.classify(facts) if self.classifier is not None else None
        text = str(facts.value)
        with self._lock:
            settled = self._pending.pop((facts.device, facts.resource, text), 1)
            stream = self._streams.get((facts.device, facts.resource))
            _, report = self._settle(stream, text, verdict, settled)
        return verdict, settled, report

    def _settle(self, stream: _Stream | None, text: str, verdict: Verdict | None,
                readings: int = 1) -> tuple[str, bool]:
        """Count the decided readings and move the stream's alarm state; (outcome, report)."""
        if verdict is None:
            self.stats["undecided"] += readings
            return NORMAL, False
        self.stats[verdict.source] += readings
        if not verdict.anomalous:
            if stream is not None:
                stream.alarmed = None
            return NORMAL, False
        report = stream is None or stream.alarmed != text
        if stream is not None:
            stream.alarmed = text
        self.stats["repeats"] += readings - int(report)
        return ANOMALOUS, report
