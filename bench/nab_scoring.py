"""NAB v1.1 scoring, implemented from ../shared/data/nab/SCORING.md (no NAB code).

Pure functions: a file is scored from its per-row anomaly scores and its windows given as
row-index pairs; ``score_corpus`` sweeps one threshold over every file of a set and
normalises against the null (never fire) and perfect detectors of that same set.
"""
from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping, Sequence


@dataclass(frozen=True)
class Profile:
    tp: float
    fp: float
    fn: float


PROFILES: dict[str, Profile] = {
    "standard": Profile(1.0, 0.11, 1.0),
    "reward_low_FP_rate": Profile(1.0, 0.22, 1.0),
    "reward_low_FN_rate": Profile(1.0, 0.11, 2.0),
}
NO_DETECTION_THRESHOLD = 1.1


@dataclass(frozen=True)
class LabelledFile:
    """One file to score: per-row scores and its windows as inclusive (start_row, end_row)."""
    name: str
    scores: Sequence[float]
    windows: Sequence[tuple[int, int]]


@dataclass(frozen=True)
class ProfileResult:
    profile: str
    threshold: float
    raw: float
    normalised: float
    per_file: dict[str, float]


def sigma(y: float) -> float:
    """NAB's scaled sigmoid: +1 well before, 0 at, -1 well after the reference point."""
    if y > 3:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def probationary_rows(n_rows: int) -> int:
    return min(math.floor(0.15 * n_rows), 750)


def row_values(n_rows: int, windows: Sequence[tuple[int, int]], profile: Profile
               ) -> list[tuple[int, float]]:
    """For every row: (window index or -1, what a detection on that row is worth)."""
    out: list[tuple[int, float]] = []
    sigma_first = sigma(-1.0)
    previous_end = previous_width = None
    next_window = 0
    for i in range(n_rows):
        while next_window < len(windows) and windows[next_window][1] < i:
            previous_end = windows[next_window][1]
            previous_width = windows[next_window][1] - windows[next_window][0] + 1
            next_window += 1
        if next_window < len(windows) and windows[next_window][0] <= i:
            start, end = windows[next_window]
            width = end - start + 1
            out.append((next_window, profile.tp * sigma(-(end - i + 1) / width) / sigma_first))
        elif previous_end is None:
            out.append((-1, -profile.fp))
        else:
            # A one-row window has W' - 1 == 0: any later row is then "far after" it.
            y = (i - previous_end) / (previous_width - 1) if previous_width > 1 else math.inf
            out.append((-1, profile.fp * sigma(y)))
    return out


def score_at(files: Sequence[LabelledFile], profile: Profile, threshold: float) -> dict[str, float]:
    """Raw score of each file at a fixed threshold (detections are scores >= threshold)."""
    per_file = {}
    for f in files:
        best = [-profile.fn] * len(f.windows)
        fp_total = 0.0
        values = row_values(len(f.scores), f.windows, profile)
        for i in range(probationary_rows(len(f.scores)), len(f.scores)):
            if f.scores[i] >= threshold:
                window, value = values[i]
                if window < 0:
                    fp_total += value
                elif value > best[window]:
                    best[window] = value
        per_file[f.name] = sum(best) + fp_total
    return per_file


def sweep(files: Sequence[LabelledFile], profile: Profile) -> tuple[float, float]:
    """(threshold, raw score) maximising the corpus total; ties go to the largest threshold."""
    rows: list[tuple[float, int, float]] = []
    window_base = 0
    for f in files:
        values = row_values(len(f.scores), f.windows, profile)
        for i in range(probationary_rows(len(f.scores)), len(f.scores)):
            window, value = values[i]
            rows.append((f.scores[i], window_base + window if window >= 0 else -1, value))
        window_base += len(f.windows)
    rows.sort(key=lambda r: -r[0])
    best = [-profile.fn] * window_base
    total = -profile.fn * window_base
    best_threshold, best_total = NO_DETECTION_THRESHOLD, total
    i = 0
    while i < len(rows):
        score = rows[i][0]
        while i < len(rows) and rows[i][0] == score:
            _, window, value = rows[i]
            if window < 0:
                total += value
            elif value > best[window]:
                total += value - best[window]
                best[window] = value
            i += 1
        # Strictly greater: walking down, an equal total at a lower threshold loses the tie.
        if total > best_total:
            best_threshold, best_total = score, total
    return best_threshold, best_total


def normalise(raw: float, n_windows: int, profile: Profile) -> float:
    perfect = profile.tp * n_windows
    null = -profile.fn * n_windows
    if perfect == null:
        return 0.0
    return 100.0 * (raw - null) / (perfect - null)


def score_corpus(files: Sequence[LabelledFile], profile_name: str) -> ProfileResult:
    profile = PROFILES[profile_name]
    threshold, raw = sweep(files, profile)
    n_windows = sum(len(f.windows) for f in files)
    return ProfileResult(profile_name, threshold, raw, normalise(raw, n_windows, profile),
                         score_at(files, profile, threshold))


# --- reading NAB's files -------------------------------------------------------------------

def read_series(path: str) -> tuple[list[str], list[float]]:
    """Timestamps (as written) and values of a NAB data or results file, in file order."""
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        t_col, v_col = header.index("timestamp"), header.index("value")
        timestamps, values = [], []
        for row in reader:
            if row:
                timestamps.append(row[t_col].strip())
                values.append(float(row[v_col]))
    return timestamps, values


def load_windows(labels_json: str) -> dict[str, list[list[str]]]:
    with open(labels_json) as fh:
        return json.load(fh)


def window_rows(timestamps: Sequence[str], windows: Iterable[Sequence[str]]
                ) -> list[tuple[int, int]]:
    """Locate each [start, end] timestamp pair on the first row carrying that time."""
    first_row: dict[datetime, int] = {}
    for i, ts in enumerate(timestamps):
        first_row.setdefault(datetime.fromisoformat(ts), i)
    rows = []
    for start, end in windows:
        try:
            rows.append((first_row[datetime.fromisoformat(start)],
                         first_row[datetime.fromisoformat(end)]))
        except KeyError as exc:
            raise ValueError(f"window edge {exc.args[0]} is not a row of the file") from None
    return rows


def score_all_profiles(files: Sequence[LabelledFile]) -> Mapping[str, ProfileResult]:
    return {name: score_corpus(files, name) for name in PROFILES}
