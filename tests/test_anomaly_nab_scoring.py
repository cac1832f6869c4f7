"""The NAB scorer pinned on cases worked out by hand (SCORING.md §4-§9)."""
import math
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from nab_scoring import (PROFILES, LabelledFile, probationary_rows, score_at,  # noqa: E402
                         score_corpus, sigma, window_rows)


def worked_example():
    # SCORING.md §9: N=1000, P=150, one window rows 500-599, 0.9 at six rows, 0.1 elsewhere.
    scores = [0.1] * 1000
    for row in (100, 300, 520, 560, 700, 999):
        scores[row] = 0.9
    return LabelledFile("f", scores, [(500, 599)])


@pytest.mark.parametrize("y,expected", [
    (-1, 0.9866143), (-0.5, 0.8482836), (0, 0.0), (1, -0.9866143), (3, -0.9999994), (3.01, -1.0),
])
def test_sigma_reference_values(y, expected):
    assert sigma(y) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("n,p", [(1000, 150), (4999, 749), (5000, 750), (20000, 750), (7, 1)])
def test_probationary_rows(n, p):
    assert probationary_rows(n) == p


@pytest.mark.parametrize("profile,raw,normalised", [
    # 520: sigma(-0.8)/sigma(-1) = 0.97711; 300: -A_FP; 700: A_FP*sigma(101/99); 999: -A_FP.
    ("standard", 0.97711 - 0.11 - 0.10867 - 0.11, 82.42),
    ("reward_low_FP_rate", 0.97711 - 0.22 - 0.21734 - 0.22, 65.99),
    ("reward_low_FN_rate", 0.64844, 88.28),
])
def test_worked_example(profile, raw, normalised):
    result = score_corpus([worked_example()], profile)
    assert result.threshold == 0.9
    assert result.raw == pytest.approx(raw, abs=1e-4)
    assert result.normalised == pytest.approx(normalised, abs=5e-3)


def test_sweep_candidates_include_never_fire_and_every_row():
    f = worked_example()
    assert score_at([f], PROFILES["standard"], 1.1)["f"] == -1.0
    # Every scorable row fires: window credit from row 500 (exactly A_TP = 1), FPs 150..499 at
    # -0.11 each (350 rows) and the 400 rows after the window at 0.11*sigma((i-599)/99).
    after = sum(0.11 * sigma((i - 599) / 99) for i in range(600, 1000))
    expected = 1.0 - 350 * 0.11 + after
    assert expected == pytest.approx(-78.53542, abs=1e-4)
    assert score_at([f], PROFILES["standard"], 0.1)["f"] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("row,expected", [(600, -0.00278), (599, 0.02533), (500, 1.0)])
def test_single_detection_values(row, expected):
    scores = [0.0] * 1000
    scores[row] = 1.0
    raw = score_at([LabelledFile("f", scores, [(500, 599)])], PROFILES["standard"], 1.0)["f"]
    assert raw - (-1.0 if row >= 600 else 0.0) == pytest.approx(expected, abs=1e-5)


def test_probationary_scores_are_not_candidates():
    # A high score only in probation must not become the threshold: the best is never firing.
    scores = [0.0] * 100
    scores[5] = 1.0
    result = score_corpus([LabelledFile("f", scores, [(50, 59)])], "standard")
    assert result.threshold == 1.1 and result.normalised == 0.0


def test_threshold_is_shared_and_ties_pick_the_largest():
    # File a: window rows 40-49 hit on its first row by 0.8 -> +1 (a perfect file).
    # File b: no windows; a 0.5 row outside costs -0.11. Threshold 0.8 gives 1.0 total,
    # threshold 0.5 gives 0.89, 1.1 gives -1. Normalised: 100*(1+1)/2 = 100.
    a = [0.0] * 100
    a[40] = 0.8
    b = [0.0] * 100
    b[60] = 0.5
    result = score_corpus([LabelledFile("a", a, [(40, 49)]), LabelledFile("b", b, [])],
                          "standard")
    assert (result.threshold, result.raw, result.normalised) == (0.8, 1.0, 100.0)
    # Two thresholds tying: both rows in the same window, 0.7 first. Any θ <= 0.7 scores the
    # same, so the largest (0.7) wins over 0.6.
    c = [0.0] * 100
    c[40], c[45] = 0.7, 0.6
    assert score_corpus([LabelledFile("c", c, [(40, 49)])], "standard").threshold == 0.7


def test_late_detection_earns_less_and_only_the_first_counts():
    # Window 40-49 (W=10): detection at row 45 -> y=-(49-45+1)/10=-0.5 -> 0.84828/0.98661.
    scores = [0.0] * 100
    scores[45] = scores[47] = 1.0
    raw = score_at([LabelledFile("f", scores, [(40, 49)])], PROFILES["standard"], 1.0)["f"]
    assert raw == pytest.approx(0.8482836 / 0.9866143, abs=1e-6)


def test_window_rows_match_first_row_and_fractional_seconds():
    stamps = ["2014-01-01 00:00:00", "2014-01-01 00:05:00", "2014-01-01 00:05:00",
              "2014-01-01 00:10:00"]
    assert window_rows(stamps, [["2014-01-01 00:05:00.000000", "2014-01-01 00:10:00.000000"]]) \
        == [(1, 3)]
    with pytest.raises(ValueError):
        window_rows(stamps, [["2014-01-01 00:07:00.000000", "2014-01-01 00:10:00.000000"]])


def test_no_window_files_only_cost_false_positives():
    scores = [0.0] * 100
    scores[50] = scores[60] = 1.0
    raw = score_at([LabelledFile("f", scores, [])], PROFILES["reward_low_FP_rate"], 1.0)["f"]
    assert raw == pytest.approx(-0.44) and not math.isnan(raw)
