"""Throughput and state size of the service's anomaly detector on one core.

    python bench/detector_bench.py [--readings 300000] [--streams 100]

Feeds synthetic readings (daily sine + noise + occasional spikes) through
``StreamRegistry.score`` (what the pipeline calls) and through ``StreamDetector.update``
alone, interleaving the streams, and prints readings/s for both, against a baseline loop
that only reads the same inputs in the same run. State size per stream: the snapshot's
bytes (JSON) and the in-memory bytes of one stream's objects (sys.getsizeof, deep).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app_service.anomaly.detector import DetectorSettings, StreamDetector  # noqa: E402
from app_service.anomaly.streams import StreamRegistry  # noqa: E402


def synthetic(n: int, streams: int, seed: int = 7) -> list[tuple[str, float, float]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        k = i % streams
        value = 50 + 20 * math.sin(i / streams / 288 * 2 * math.pi) + rnd.gauss(0, 2)
        if rnd.random() < 0.001:
            value += 60
        rows.append((f"dev-{k}", value, 1.7e9 + i / streams * 300))
    return rows


def deep_size(obj) -> int:
    size = sys.getsizeof(obj)
    if hasattr(obj, "__slots__"):
        size += sum(sys.getsizeof(getattr(obj, name)) for name in obj.__slots__
                    if name not in ("settings", "state"))  # settings: shared; state: counted apart
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=300_000)
    parser.add_argument("--streams", type=int, default=100)
    args = parser.parse_args(argv)
    rows = synthetic(args.readings, args.streams)

    start = time.perf_counter()
    sink = 0.0
    for device, value, ts in rows:  # baseline: the loop and unpacking alone
        sink += value
    baseline_s = time.perf_counter() - start

    detectors = {f"dev-{k}": StreamDetector() for k in range(args.streams)}
    start = time.perf_counter()
    for device, value, ts in rows:
        detectors[device].update(value, ts)
    detector_s = time.perf_counter() - start

    registry = StreamRegistry()
    score = registry.score
    start = time.perf_counter()
    for device, value, ts in rows:
        score(device, "value", value, ts)
    registry_s = time.perf_counter() - start

    n = len(rows)
    one = next(iter(detectors.values()))
    snapshot_bytes = len(json.dumps(registry.snapshot(), separators=(",", ":"))) / len(registry)
    memory_bytes = deep_size(one) + deep_size(one.state)
    print(f"readings            {n} over {args.streams} streams")
    print(f"baseline loop       {n / baseline_s:12,.0f} readings/s")
    print(f"StreamDetector      {n / detector_s:12,.0f} readings/s "
          f"({detector_s / n * 1e6:.2f} us/reading, "
          f"{detector_s / baseline_s:.1f}x the baseline loop)")
    print(f"StreamRegistry      {n / registry_s:12,.0f} readings/s "
          f"({registry_s / n * 1e6:.2f} us/reading)")
    print(f"snapshot per stream {snapshot_bytes:12.0f} bytes (JSON)")
    print(f"memory per stream   {memory_bytes:12d} bytes (detector + state, deep)")
    single = StreamDetector(DetectorSettings(weekend_split=False))
    for device, value, ts in rows[::args.streams]:
        single.update(value, ts)
    print(f"WeekendSplit=false  {len(json.dumps(single.state.to_list())):12d} bytes (JSON), "
          f"{deep_size(single) + deep_size(single.state)} bytes in memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
