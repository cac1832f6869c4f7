"""Leave-one-family-out robustness of the detector's tuning on a NAB-layout folder.

    python bench/nab_lofo.py DATA_DIR LABELS_JSON

A small grid around the default settings is run once over every file. For each family F, the
grid point with the best standard score on the other families is picked ("tuned without F")
and F alone is scored with it (threshold swept on F, normalised by F's windows), beside F's
score with the shipped defaults. Families without windows are reported as raw FP cost.
"""
from __future__ import annotations

import itertools
import os
import sys
from dataclasses import replace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from app_service.anomaly.detector import DetectorSettings  # noqa: E402
from nab_eval import run  # noqa: E402
from nab_scoring import score_corpus  # noqa: E402

GRID = {
    "season_spread": (0.0, 0.3, 0.5),
    "novelty_levels": (0, 5),
    "weekend_split": (False, True),
    "min_std": (0.085, 0.1, 0.115),
    "fire_level": (0.25, 0.3, 0.35),
    "refractory": (150, 250),
}


def family_of(name: str) -> str:
    return name.split("/")[0]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    data_dir, labels = argv[0], argv[1]
    default = DetectorSettings()
    points = [dict(zip(GRID, combo)) for combo in itertools.product(*GRID.values())]
    runs = {}
    for point in points:
        runs[tuple(point.items())] = run(data_dir, labels, replace(default, **point))
    default_key = tuple({k: getattr(default, k) for k in GRID}.items())
    if default_key not in runs:
        runs[default_key] = run(data_dir, labels, default)
    families = sorted({family_of(f.name) for f in runs[default_key]})
    full_default = score_corpus(runs[default_key], "standard").normalised
    print(f"grid of {len(runs)} settings; defaults score {full_default:.2f} on all families")
    print(f"{'left out':24s} {'defaults':>9s} {'tuned w/o':>9s} {'moved':>7s}  "
          "chosen (all-family score)")
    for family in families:
        def score_on(files, keep):
            subset = [f for f in files if keep(family_of(f.name))]
            if not any(f.windows for f in subset):
                return score_corpus(subset, "standard").raw
            return score_corpus(subset, "standard").normalised
        best_key = max(runs, key=lambda k: score_on(runs[k], lambda fam: fam != family))
        left_default = score_on(runs[default_key], lambda fam: fam == family)
        left_tuned = score_on(runs[best_key], lambda fam: fam == family)
        full = score_corpus(runs[best_key], "standard").normalised
        chosen = ", ".join(f"{k}={v}" for k, v in best_key)
        moved = left_tuned - left_default
        print(f"{family:24s} {left_default:9.2f} {left_tuned:9.2f} {moved:+7.2f}"
              f"  {chosen} ({full:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
