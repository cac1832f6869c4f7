"""String readings: how well each evidence step judges labelled status strings, and its cost.

    python bench/text_bench.py [--config configuration.toml] [--readings 100000]

1. For a fixed list of status strings labelled normal/abnormal by hand, prints the lexicon's
   verdict and the default model's calibrated p(anomalous) (the prompt the service uses), and
   how many of each label the model flags at several thresholds.
2. Cost per reading of ``TextJudge.judge`` on a stream whose usual status is a word the
   lexicons do not know (the learned frequency decides it), now and then a fault word,
   against a baseline loop that only builds the same facts; and the model's latency for one
   uncached string.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app_service.anomaly.lexicon import lexicon_verdict  # noqa: E402
from app_service.anomaly.records import AnomalyFacts  # noqa: E402
from app_service.anomaly.text import TextClassifier, TextJudge  # noqa: E402
from app_service.config import load_configuration  # noqa: E402
from app_service.llm.handle import LLMSettings, load_model  # noqa: E402

# (status, 1 = abnormal) -- by hand, as an operator would read them
LABELLED = [("ok", 0), ("running", 0), ("idle", 0), ("standby", 0), ("heat", 0), ("eco", 0),
            ("charging", 0), ("test", 0), ("dry", 0), ("fan", 0), ("priming", 0),
            ("stopped", 0), ("ramping", 0), ("fault", 1), ("overtemperature", 1),
            ("cavitation", 1), ("dry-run", 1), ("JAMMED", 1), ("tamper", 1), ("offline", 1),
            ("leak detected", 1), ("smoke", 1), ("co", 1), ("E42", 1)]


def facts(text: str, i: int = 0) -> AnomalyFacts:
    return AnomalyFacts(device="bench-device", resource="Status", profile="Bench", kind="text",
                        score=0.0, value=text, origin_ns=i,
                        description="Status reported by the device")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default="configuration.toml")
    parser.add_argument("--readings", type=int, default=100_000)
    args = parser.parse_args(argv)
    model = load_model(LLMSettings.from_config(load_configuration(args.config)))

    classifier = TextClassifier(model)
    rows = []
    for text, label in LABELLED:
        t0 = time.perf_counter()
        verdict = classifier.classify(facts(text))
        rows.append((verdict.probability, label, text, lexicon_verdict(text),
                     time.perf_counter() - t0))
    print("status             label     lexicon   model p(anomalous)")
    for p, label, text, lexicon, _ in sorted(rows):
        shown = {None: "-", True: "abnormal", False: "normal"}[lexicon]
        print(f"{text:18} {'abnormal' if label else 'normal':9} {shown:9} {p:.4f}")
    normal = sum(1 for r in rows if r[1] == 0)
    for threshold in (0.5, 0.9, 0.99, 0.999):
        flagged = [sum(1 for r in rows if r[1] == label and r[0] >= threshold)
                   for label in (0, 1)]
        print(f"model at {threshold}: flags {flagged[0]}/{normal} normal, "
              f"{flagged[1]}/{len(rows) - normal} abnormal")
    decided = [r for r in rows if r[3] is not None]
    print(f"lexicon: decides {len(decided)}/{len(rows)}, "
          f"{sum(1 for r in decided if int(r[3]) == r[1])} correct")
    print(f"model latency per uncached string: median "
          f"{statistics.median(r[4] for r in rows) * 1e3:.0f} ms")

    stream = [("fault" if i % 997 == 0 else "overload" if i % 1499 == 0 else "priming")
              for i in range(args.readings)]
    items = [facts(text, i) for i, text in enumerate(stream)]
    t0 = time.perf_counter()
    for i, text in enumerate(stream):
        facts(text, i)
    baseline_s = time.perf_counter() - t0
    judge = TextJudge(classifier)
    t0 = time.perf_counter()
    for f in items:
        judge.judge(f)
    judge_s = time.perf_counter() - t0
    print(f"TextJudge.judge: {args.readings / judge_s:,.0f} readings/s "
          f"({judge_s / args.readings * 1e6:.2f} us each; building the facts alone "
          f"{baseline_s / args.readings * 1e6:.2f} us); verdicts by step: {judge.stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
