"""Evaluate natural-language command interpretation on a dataset in the command-set format.

    python bench/command_eval.py DATASET_DIR [--no-model] [--repeat N] [--show-failures]

DATASET_DIR holds profiles/, devices.yaml, state.json and cases.jsonl (see
../shared/commands/dev/README.md). Runs the real interpreter and guard-rails through the service's
CommandService, the real default language model (loaded from the [LLM] settings), and the embedded
EdgeX stand-in's core-command holding state.json (reads over REST, no writes). Prints exact-match
accuracy per kind and language, refusal precision/recall, unsafe actions, schema-valid rate and
p50/p95 latency per request excluding core-command's own time.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from app_service.clients import CoreCommandClient  # noqa: E402
from app_service.commands.dataset import Dataset, actions_match, schema_valid  # noqa: E402
from app_service.commands.guardrails import Blocked, Policy, check_action  # noqa: E402
from app_service.commands.interpreter import Action, Interpreter  # noqa: E402
from app_service.commands.service import CommandService  # noqa: E402
from app_service.standin import StandIn  # noqa: E402


class CountingModel:
    """Wraps the model to count how often the interpreter consults it."""

    def __init__(self, model):
        self.model, self.calls, self.seconds = model, 0, 0.0

    def choose(self, prompt, options):
        self.calls += 1
        started = time.perf_counter()
        try:
            return self.model.choose(prompt, options)
        finally:
            self.seconds += time.perf_counter() - started


def load_model():
    from app_service.config import load_configuration
    from app_service.llm import LLMSettings, ModelHandle
    config = load_configuration(os.path.join(ROOT, "configuration.toml"))
    handle = ModelHandle(LLMSettings.from_config(config))
    started = time.perf_counter()
    handle.executor(timeout=300)   # waits for the load; raises ModelError with the reason
    print(f"model: {handle.settings.model} loaded in {time.perf_counter() - started:.1f} s")
    return handle


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--no-model", action="store_true", help="run without the language model")
    parser.add_argument("--repeat", type=int, default=1, help="timed passes over the cases")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)

    dataset = Dataset.load(args.dataset)
    with open(os.path.join(args.dataset, "state.json"), encoding="utf-8") as fh:
        state = json.load(fh)
    model = None
    if not args.no_model:
        try:
            model = CountingModel(load_model())
        except Exception as err:   # figures without the model are still figures; say so loudly
            print(f"WARNING: language model unavailable ({err}); running without it")
    standin = StandIn(os.path.join(args.dataset, "profiles"),
                      os.path.join(args.dataset, "devices.yaml"),
                      state=state, publish_events=False, fault_rate=0.0, seed=0).start()
    try:
        client = CoreCommandClient(standin.urls["core-command"], 5.0)
        interpreter = Interpreter(dataset.catalog, model)
        service = CommandService(lambda: dataset.catalog, interpreter, client, Policy())
        for case in dataset.cases[:3]:   # warm-up (imports, first HTTP connections)
            service.handle(case["text"])
        rows, latencies = [], []
        for _ in range(max(1, args.repeat)):
            rows = []
            for case in dataset.cases:
                response = service.handle(case["text"])
                latencies.append(response["latency_ms"])
                rows.append((case, response))
    finally:
        standin.stop()
    report(rows, latencies, dataset, model, args.show_failures)
    return 0


def report(rows, latencies, dataset, model, show_failures: bool) -> None:
    groups: dict[tuple[str, str], list[bool]] = {}
    refuse_expected = refuse_predicted = refuse_correct = 0
    unsafe = invalid = total_actions = 0
    failures = []
    for case, response in rows:
        predicted = response["actions"]
        ok = actions_match(predicted, case["expect"])
        groups.setdefault((case["kind"], case["lang"]), []).append(ok)
        if not ok:
            failures.append((case, response))
        refuse_expected += case["kind"] == "refuse"
        refuse_predicted += not predicted
        refuse_correct += case["kind"] == "refuse" and not predicted
        if case["kind"] == "refuse" and predicted:
            unsafe += len(predicted)
        for action in predicted:
            total_actions += 1
            valid = schema_valid(action, dataset.catalog)
            try:
                check_action(Action(action["device"], action["command"], action["method"],
                                    action.get("values")), dataset.catalog)
            except Blocked as blocked:
                valid = False
                if blocked.reason == "out_of_range" and case["kind"] != "refuse":
                    unsafe += 1
            invalid += not valid
    print(f"\ndataset: {dataset.root}  cases: {len(rows)}")
    print(f"{'kind':10} {'en':>14} {'zh':>14} {'all':>14}")
    kinds = ["set", "get", "relative", "multi", "units", "refuse"]
    for kind in kinds + ["ALL"]:
        cells = []
        for lang in ("en", "zh", None):
            hits = [h for (k, lg), v in groups.items() for h in v
                    if (kind == "ALL" or k == kind) and (lang is None or lg == lang)]
            cells.append(f"{sum(hits):3d}/{len(hits):3d} {100 * sum(hits) / len(hits):5.1f}%"
                         if hits else f"{'-':>14}")
        print(f"{kind:10} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14}")
    actionable = [h for (k, _), v in groups.items() if k != "refuse" for h in v]
    share = 100 * sum(actionable) / max(1, len(actionable))
    print(f"exact match on set/get/relative/multi/units: {share:.1f} %")
    precision = refuse_correct / refuse_predicted if refuse_predicted else 1.0
    recall = refuse_correct / refuse_expected if refuse_expected else 1.0
    print(f"refusals: precision {100 * precision:.1f} %  recall {100 * recall:.1f} %  "
          f"({refuse_correct} correct of {refuse_expected} expected, {refuse_predicted} predicted)")
    print(f"unsafe actions: {unsafe}")
    print(f"schema-valid actions: {total_actions - invalid}/{total_actions} "
          f"({100 * (total_actions - invalid) / max(1, total_actions):.1f} %)")
    print(f"latency per request (excluding core-command): p50 {percentile(latencies, 0.5):.1f} ms  "
          f"p95 {percentile(latencies, 0.95):.1f} ms  max {max(latencies):.1f} ms  "
          f"mean {statistics.fmean(latencies):.1f} ms  (n={len(latencies)})")
    if model is not None:
        print(f"language model consulted: {model.calls} times, {model.seconds:.2f} s in total")
    if show_failures:
        for case, response in failures:
            got = json.dumps(response["actions"], ensure_ascii=False)
            expected = json.dumps(case["expect"], ensure_ascii=False)
            print(f"FAIL {case['id']} {case['text']!r}\n  got {got} refusal={response['refusal']}"
                  f"\n  exp {expected}")


if __name__ == "__main__":
    sys.exit(main())
