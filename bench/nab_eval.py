"""Run the service's anomaly detector over a NAB-layout folder and score it.

    python bench/nab_eval.py DATA_DIR LABELS_JSON [--results results] [--detector llmAgent]
                                                  [--set key=value ...] [--families]

Every CSV under DATA_DIR is fed value by value, in file order (never sorted), through
``app_service.anomaly.detector.StreamDetector`` -- the code the service runs -- with the
default settings unless ``--set`` overrides one. Results are written in NAB's layout
(results/<detector>/<family>/<detector>_<name>.csv) and scored with bench/nab_scoring.py.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from app_service.anomaly.detector import StreamDetector, settings_from_dict  # noqa: E402
from nab_scoring import (PROFILES, LabelledFile, load_windows, score_corpus,  # noqa: E402
                         window_rows)


def list_files(data_dir: str) -> list[str]:
    """Relative paths "<family>/<name>.csv", in a stable order."""
    out = []
    for family in sorted(os.listdir(data_dir)):
        folder = os.path.join(data_dir, family)
        if os.path.isdir(folder):
            out += [f"{family}/{name}" for name in sorted(os.listdir(folder))
                    if name.endswith(".csv")]
    return out


def epoch_seconds(timestamp: str) -> float:
    """NAB's timestamps carry no zone: read them as UTC so results do not depend on the
    machine's TZ (the detector's time-of-day profile uses them)."""
    return datetime.fromisoformat(timestamp).replace(tzinfo=timezone.utc).timestamp()


def detect_file(path: str, settings) -> tuple[list[str], list[str], list[float]]:
    """(timestamps, values as written, scores): one update per row, in file order."""
    with open(path, newline="") as fh:
        rows = [row for row in csv.reader(fh)][1:]
    timestamps = [row[0].strip() for row in rows if row]
    raw_values = [row[1].strip() for row in rows if row]
    detector = StreamDetector(settings)
    update = detector.update
    scores = [update(float(v), epoch_seconds(t)) for t, v in zip(timestamps, raw_values)]
    return timestamps, raw_values, scores


def write_results(results_dir: str, detector_name: str, rel: str, timestamps, values, scores,
                  windows) -> None:
    family, name = rel.split("/")
    folder = os.path.join(results_dir, detector_name, family)
    os.makedirs(folder, exist_ok=True)
    inside = [0] * len(scores)
    for start, end in windows:
        for i in range(start, end + 1):
            inside[i] = 1
    with open(os.path.join(folder, f"{detector_name}_{name}"), "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "value", "anomaly_score", "label"])
        for timestamp, value, score, label in zip(timestamps, values, scores, inside):
            writer.writerow([timestamp, value, repr(score), label])


def run(data_dir: str, labels_json: str, settings, results_dir: str | None = None,
        detector_name: str = "llmAgent") -> list[LabelledFile]:
    labels = load_windows(labels_json)
    files = []
    for rel in list_files(data_dir):
        if rel not in labels:
            raise SystemExit(f"{rel} has no entry in {labels_json}")
        timestamps, values, scores = detect_file(os.path.join(data_dir, rel), settings)
        windows = window_rows(timestamps, labels[rel])
        if results_dir:
            write_results(results_dir, detector_name, rel, timestamps, values, scores, windows)
        files.append(LabelledFile(rel, scores, windows))
    return files


def family_breakdown(files: list[LabelledFile], profile: str) -> dict[str, float]:
    """Per family: the corpus threshold's raw score of that family, normalised by its windows."""
    result = score_corpus(files, profile)
    p = PROFILES[profile]
    out = {}
    for family in sorted({f.name.split("/")[0] for f in files}):
        members = [f for f in files if f.name.startswith(family + "/")]
        windows = sum(len(f.windows) for f in members)
        raw = sum(result.per_file[f.name] for f in members)
        out[family] = 100.0 * (raw + p.fn * windows) / ((p.tp + p.fn) * windows) if windows else raw
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("data_dir")
    parser.add_argument("labels_json")
    parser.add_argument("--results", default="results")
    parser.add_argument("--detector", default="llmAgent")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--families", action="store_true", help="per-family breakdown")
    args = parser.parse_args(argv)
    settings = settings_from_dict(dict(item.split("=", 1) for item in args.set))
    files = run(args.data_dir, args.labels_json, settings, args.results, args.detector)
    for profile in PROFILES:
        result = score_corpus(files, profile)
        print(f"{profile:20s} {result.normalised:7.2f}  (threshold {result.threshold:.6g}, "
              f"raw {result.raw:.4f}, {len(files)} files)")
    if args.families:
        for family, score in family_breakdown(files, "standard").items():
            print(f"  {family:24s} {score:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
