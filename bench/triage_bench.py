"""Triage latency and throughput with the default language model.

    python bench/triage_bench.py [--config configuration.toml] [--anomalies 40]

Loads the model the service would load ([LLM] section, through ModelHandle) and triages a
fixed set of anomalies (limit, range, stuck, surprise, silence on the demo profiles): each is
three constrained choices (severity, explanation, action). Prints load time, per-anomaly
latency (p50/p95/max), anomalies/s on one worker, the per-question latency, and the text
classifier's uncached and cached latency. Baseline in the same run: the rules-only triage.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app_service.anomaly.records import AnomalyFacts, explanation_options  # noqa: E402
from app_service.anomaly.text import TextClassifier  # noqa: E402
from app_service.anomaly.triage import Triager  # noqa: E402
from app_service.config import load_configuration  # noqa: E402
from app_service.llm.handle import LLMSettings, ModelHandle, load_model  # noqa: E402

CASES = [
    dict(device="lounge-thermostat", resource="Temperature", profile="Room-Thermostat",
         kind="limit", value=75.0, units="C", description="Room temperature", minimum=-20.0,
         maximum=60.0, recent=(21.0, 21.2, 21.1, 21.3)),
    dict(device="filler-conveyor", resource="Vibration", profile="Conveyor-Drive", kind="range",
         value=14.2, units="mm/s", description="Vibration velocity at the drive bearing",
         minimum=0.0, maximum=50.0, recent=(2.1, 2.3, 2.0, 2.2)),
    dict(device="study-thermostat", resource="Humidity", profile="Room-Thermostat",
         kind="stuck", value=48.0, units="%", description="Relative humidity", minimum=0.0,
         maximum=100.0, recent=(48.0,) * 10),
    dict(device="main-pump", resource="Pressure", profile="Centrifugal-Pump", kind="surprise",
         value=3.9, units="bar", description="Discharge pressure", minimum=0.0, maximum=16.0,
         recent=(6.1, 6.0, 6.2, 5.1, 4.4)),
    dict(device="kitchen-plug", resource="Power", profile="Metering-Plug", kind="silence",
         value="silent for 95 s, expected every 30 s", units="W", description="Active power"),
]
ACTIONS = {"lounge-thermostat": ["set FanLevel to 3", "set Mode to off"],
           "filler-conveyor": ["set Running to false", "set Speed to 0"],
           "main-pump": ["set Running to false"]}


def facts_list(n: int) -> list[AnomalyFacts]:
    return [AnomalyFacts(score=0.8, origin_ns=0, correlation_id=f"bench-{i}",
                         **CASES[i % len(CASES)]) for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configuration.toml")
    parser.add_argument("--anomalies", type=int, default=40)
    parser.add_argument("--direct", action="store_true",
                        help="call the LanguageModel directly instead of the service's ModelHandle "
                             "(no batching executor, no request timeout)")
    args = parser.parse_args(argv)
    config = load_configuration(args.config)
    started = time.perf_counter()
    if args.direct:
        handle = load_model(LLMSettings.from_config(config))
    else:
        handle = ModelHandle.from_config(config)
        handle.model  # noqa: B018  (waits for the load)
    load_s = time.perf_counter() - started
    print(f"model {config.get('LLM', {}).get('Model')} loaded in {load_s:.2f} s "
          f"({'LanguageModel directly' if args.direct else 'ModelHandle'})")

    items = facts_list(args.anomalies)
    rules = Triager(None)
    t0 = time.perf_counter()
    for f in items:
        rules.triage(f)
    rules_s = (time.perf_counter() - t0) / len(items)

    triager = Triager(handle, actions_for=lambda device: ACTIONS.get(device, []))
    triager.triage(items[0])  # warm-up (prompt caches)
    latencies, severities, fitting = [], {}, 0
    for f in items:
        t0 = time.perf_counter()
        record = triager.triage(f)
        latencies.append(time.perf_counter() - t0)
        severities.setdefault(f.kind, set()).add(record.severity)
        # the finding-specific sentence is always the first option; did the model pick it?
        fitting += record.explanation == explanation_options(f)[0][1]
        assert record.triaged_by == "model", "the model did not answer"
    total = sum(latencies)
    q = statistics.quantiles(latencies, n=20)
    print(f"triaged {len(items)} anomalies (3 constrained choices each, 2 without actions)")
    print(f"latency p50 {statistics.median(latencies) * 1e3:.0f} ms, p95 {q[18] * 1e3:.0f} ms, "
          f"max {max(latencies) * 1e3:.0f} ms; {len(items) / total:.1f} anomalies/s on one worker")
    print(f"rules-only triage (baseline) {rules_s * 1e6:.0f} us per anomaly; model/rules "
          f"{statistics.median(latencies) / rules_s:,.0f}x")
    print("severity chosen per kind:", {k: sorted(v) for k, v in severities.items()})
    print(f"finding-specific explanation chosen for {fitting}/{len(items)} anomalies")

    classifier = TextClassifier(handle)
    text = AnomalyFacts(device="front-door", resource="LockState", profile="Smart-Deadbolt",
                        kind="text", score=0.0, value="JAMMED", origin_ns=0,
                        description="Bolt state")
    t0 = time.perf_counter()
    verdict = classifier.classify(text)
    uncached = time.perf_counter() - t0
    t0 = time.perf_counter()
    classifier.classify(text)
    cached = time.perf_counter() - t0
    print(f"text classification 'JAMMED' -> {verdict}: "
          f"{uncached * 1e3:.0f} ms uncached, {cached * 1e6:.1f} us cached")
    handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
