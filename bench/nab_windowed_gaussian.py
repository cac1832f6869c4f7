"""A check of bench/nab_scoring.py against a published detector: NAB's Windowed Gaussian,
re-implemented from its description (6,400-value window slid by 100, score = 1 - the Gaussian
tail probability of the value), scored on a NAB-layout folder.

    python bench/nab_windowed_gaussian.py DATA_DIR LABELS_JSON

SCORING.md's DEV reference for NAB's stored Windowed Gaussian output: standard 36.71,
reward_low_FP_rate 21.40, reward_low_FN_rate 45.17.
"""
from __future__ import annotations

import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from nab_eval import list_files  # noqa: E402
from nab_scoring import (PROFILES, LabelledFile, load_windows, read_series,  # noqa: E402
                         score_corpus, window_rows)

WINDOW, STEP = 6400, 100


def _mean_std(window: list[float]) -> tuple[float, float]:
    mean = sum(window) / len(window)
    std = math.sqrt(sum((x - mean) ** 2 for x in window) / len(window))
    return mean, std or 1e-6


def windowed_gaussian(values: list[float]) -> list[float]:
    window: list[float] = []
    pending: list[float] = []
    mean, std = 0.0, 1.0
    scores = []
    for x in values:
        score = 0.0
        if window:
            z = abs(x - mean) / std
            score = 1.0 - 0.5 * math.erfc(z / math.sqrt(2.0))
        if len(window) < WINDOW:
            window.append(x)
            mean, std = _mean_std(window)
        else:
            pending.append(x)
            if len(pending) == STEP:
                window = window[STEP:] + pending
                pending = []
                mean, std = _mean_std(window)
        scores.append(score)
    return scores


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    data_dir, labels_json = argv[0], argv[1]
    labels = load_windows(labels_json)
    files = []
    for rel in list_files(data_dir):
        timestamps, values = read_series(os.path.join(data_dir, rel))
        files.append(LabelledFile(rel, windowed_gaussian(values),
                                  window_rows(timestamps, labels[rel])))
    for profile in PROFILES:
        print(f"{profile:20s} {score_corpus(files, profile).normalised:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
