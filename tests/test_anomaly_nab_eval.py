"""bench/nab_eval.py: NAB's results layout, row for row, scored with the project's scorer."""
import csv
import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

import nab_eval  # noqa: E402
from app_service.anomaly.detector import StreamDetector  # noqa: E402


def write_series(path, n, spike_at=None, crlf=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    rows = []
    for i in range(n):
        value = 10 + 3 * math.sin(i / 20) + (40 if i == spike_at else 0)
        # a repeated timestamp (as in NAB's DST rows) must be kept, not sorted or dropped
        minute = i * 5 if i != 7 else 30
        rows.append(f"2015-01-0{1 + minute // 1440} {minute % 1440 // 60:02d}:{minute % 60:02d}:00,"
                    f"{value:.3f}")
    end = "\r\n" if crlf else "\n"
    with open(path, "w", newline="") as fh:
        fh.write("timestamp,value" + end + end.join(rows) + end)
    return rows


def test_results_layout_rows_and_scores(tmp_path, capsys):
    data = tmp_path / "data"
    rows_a = write_series(str(data / "famA" / "one.csv"), 400, spike_at=300)
    write_series(str(data / "famB" / "two.csv"), 300, crlf=True)
    window_start, window_end = rows_a[290].split(",")[0], rows_a[310].split(",")[0]
    labels = tmp_path / "windows.json"
    labels.write_text(json.dumps({"famA/one.csv": [[window_start + ".000000",
                                                    window_end + ".000000"]],
                                  "famB/two.csv": []}))
    results = tmp_path / "results"
    assert nab_eval.main([str(data), str(labels), "--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "standard" in out and "reward_low_FP_rate" in out and "reward_low_FN_rate" in out

    with open(results / "llmAgent" / "famA" / "llmAgent_one.csv", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["timestamp", "value", "anomaly_score", "label"]
    assert [",".join(r[:2]) for r in got[1:]] == rows_a     # copied unchanged, same order
    scores = [float(r[2]) for r in got[1:]]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert [int(r[3]) for r in got[1:]] == [1 if 290 <= i <= 310 else 0 for i in range(400)]
    # the service's detector, default settings, fed value by value
    detector = StreamDetector()
    expected = [detector.update(float(r.split(",")[1]), nab_eval.epoch_seconds(r.split(",")[0]))
                for r in rows_a]
    assert scores == expected
    assert max(scores[300:311]) >= 0.3
    assert (results / "llmAgent" / "famB" / "llmAgent_two.csv").exists()
