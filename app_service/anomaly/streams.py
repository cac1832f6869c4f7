"""One detector per (device, resource) stream, with snapshots and silence checks.

Snapshots are one JSON file written atomically (temp file + rename), so a crash mid-write
leaves the previous snapshot intact; a corrupt or foreign snapshot is logged and ignored
(the streams learn again) rather than stopping the service.
"""
from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass

from .detector import DetectorSettings, StreamDetector, StreamState
from .persist import read_json, write_json_atomic

log = logging.getLogger(__name__)
SNAPSHOT_VERSION = 4   # 3: the novelty bit set (`seen`); 4: the time-of-day `spread`


@dataclass(frozen=True)
class Silence:
    device: str
    resource: str
    silent_s: float
    expected_interval_s: float


class StreamRegistry:
    """Detectors keyed by (device, resource); bounded by ``max_streams`` (extra ones are refused
    and counted, never silently evicted, so a known stream never loses its baseline)."""

    def __init__(self, settings: DetectorSettings | None = None, max_streams: int = 10000) -> None:
        self.settings = settings or DetectorSettings()
        self.max_streams = max_streams
        self.refused = 0
        self._streams: dict[tuple[str, str], StreamDetector] = {}
        self._silent_reported: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._streams)

    def keys(self) -> list[tuple[str, str]]:
        return list(self._streams)

    def detector(self, device: str, resource: str, *, minimum: float | None = None,
                 maximum: float | None = None) -> StreamDetector | None:
        """The stream's detector (created on first use); None when the registry is full."""
        key = (device, resource)
        detector = self._streams.get(key)
        if detector is None:
            with self._lock:
                if len(self._streams) >= self.max_streams:
                    self.refused += 1
                    return None
                detector = self._streams.setdefault(
                    key, StreamDetector(self.settings, minimum=minimum, maximum=maximum))
        else:
            # the profile may have been edited since: its limits win over the remembered ones
            if minimum is not None:
                detector.minimum = minimum
            if maximum is not None:
                detector.maximum = maximum
        return detector

    def score(self, device: str, resource: str, value: float, timestamp: float, *,
              minimum: float | None = None, maximum: float | None = None) -> float | None:
        detector = self.detector(device, resource, minimum=minimum, maximum=maximum)
        if detector is None:
            return None
        self._silent_reported.discard((device, resource))
        return detector.update(value, timestamp)

    def silent_streams(self, now: float, expected_interval_s: dict[tuple[str, str], float],
                       factor: float | dict[tuple[str, str], float] = 3.0) -> list[Silence]:
        """Streams with no reading for ``factor`` x their expected interval, each reported once
        per silence (a new reading re-arms it). Without a configured interval (no autoEvent),
        the interval learned from arrivals is used."""
        found = []
        for key, detector in list(self._streams.items()):
            interval = expected_interval_s.get(key) or detector.state.interval
            silent = detector.silent_for(now)
            if not (interval > 0 and silent == silent) or key in self._silent_reported:
                continue
            limit = (factor.get(key, 3.0) if isinstance(factor, dict) else factor) * interval
            if silent > limit:
                self._silent_reported.add(key)
                found.append(Silence(key[0], key[1], silent, interval))
        return found

    # --- snapshots ----------------------------------------------------------------------

    def snapshot(self) -> dict:
        return {"version": SNAPSHOT_VERSION,
                "streams": [[d, r, det.state.to_list()] for (d, r), det in self._streams.items()]}

    def save(self, path: str) -> int:
        """Write the snapshot atomically; returns its size in bytes."""
        return write_json_atomic(path, self.snapshot())

    def restore(self, snapshot: dict) -> int:
        """Load streams from a snapshot dict; returns how many were restored."""
        if not isinstance(snapshot, dict) or snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"not an anomaly snapshot of version {SNAPSHOT_VERSION}")
        restored = 0
        for entry in snapshot.get("streams", []):
            device, resource, values = entry
            state = StreamState.from_list(values)
            self._streams[(device, resource)] = StreamDetector(self.settings, state=state)
            restored += 1
        return restored

    def load(self, path: str) -> int:
        """Restore from a file; a missing file is a cold start, a bad one is logged and skipped."""
        try:
            snapshot = read_json(path)
            return 0 if snapshot is None else self.restore(snapshot)
        except (OSError, ValueError, TypeError) as exc:
            log.error("anomaly snapshot %s ignored, streams will relearn: %s", path, exc)
            self._streams.clear()
            return 0


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))
