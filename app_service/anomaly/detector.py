"""Streaming anomaly detector for one numeric (device, resource) stream.

Every reading costs O(1) arithmetic on a fixed set of floats (no buffers), so a stream's state
is about 1.9 KB in memory and snapshots to a flat list. The score in [0, 1] is the largest of:

* limit     -- the value is outside the device profile's minimum/maximum: 1.0 at once;
* range     -- after warm-up, a value beyond the range learned so far (plus a tolerance);
* novelty   -- a jump between two levels of the learned range (a 5 x 5 grid of the previous
               and the current reading) that the stream has never made before;
* surprise  -- prediction errors of three channels: the last value (rate of change), a slow
               EWMA (level) and a time-of-day profile, each normalised by its usual size (for
               the time of day partly that half-hour's own: busy hours vary more) into a raw
               surprise, then HTM's anomaly likelihood per channel: a short average of the
               raw surprise against that channel's own long-run Gaussian, log-scaled;
* stuck     -- the value has not changed for longer than any run seen while learning;

then damped for a while after a detection, because only the first detection inside an anomaly
matters and the later ones are noise to an operator (a new extreme still gets through).
Silence (no reading for too long) is not a per-reading score: ``silent_for`` answers it from
the last arrival time.
"""
from __future__ import annotations

import base64
import math
from array import array
from dataclasses import dataclass, fields

_SQRT2 = math.sqrt(2.0)
# HTM's log-likelihood scaling: 1 - 1e-10 likelihood maps to 1.0.
_LOG_FLOOR = math.log(1e-10)


@dataclass(frozen=True)
class DetectorSettings:
    """Tuning of the statistical detector: one parameter set for every stream (NAB-tuned)."""
    warmup: int = 150                 # readings learned from before scoring (limits always score)
    fast_alpha: float = 1.0           # 1.0: predict the last value (rate of change)
    slow_alpha: float = 0.05          # EWMA of the value for the level predictor
    scale_alpha: float = 0.003        # EWMA of absolute prediction errors (their usual size)
    raw_gain: float = 0.2             # raw surprise = 1 - exp(-gain * error / usual error)
    short_alpha: float = 0.1          # short average of raw surprise
    long_alpha: float = 0.001         # long-run mean/variance of that short average
    min_std: float = 0.1              # floor of the long-run std (calm streams stay calm)
    range_tolerance: float = 0.05     # fraction of the learned range a new extreme must exceed
    range_score: float = 1.0
    novelty_levels: int = 5           # (previous, current) value pairs on a levels x levels grid
    novelty_score: float = 0.5        # of the learned range: a jump never seen before (0 = off)
    rate_factor: float = 0.0          # a step this many times its usual size scores rate_score
    rate_score: float = 0.5           # (0 turns the rate-of-change spike check off)
    stuck_factor: float = 2.0         # stuck when a run of equal values exceeds factor x the
    stuck_min_run: int = 30           # longest run learned so far (and this many readings)
    stuck_score: float = 0.6
    refractory: int = 250             # readings damped after a detection ...
    fire_level: float = 0.3           # ... which is a score at or above this
    damping: float = 0.35             # multiplier of a new extreme during the refractory period
    season_bins: int = 48             # time-of-day profile: bins per period (0 = off) ...
    season_alpha: float = 0.2         # ... each bin an EWMA of the values that fell in it
    season_period: float = 86400.0    # seconds (readings need timestamps)
    season_spread: float = 0.3        # weight of each bin's own usual error size against the
    season_spread_alpha: float = 0.05  # stream's overall one (0 = off); its EWMA rate
    weekend_split: bool = True        # separate time-of-day profiles for Sat/Sun (UTC days)


class StreamState:
    """Learned state of one stream; ``__slots__`` keeps it small and fast to touch."""

    __slots__ = ("n", "last", "fast", "slow", "fast_scale", "slow_scale", "channels", "lo", "hi",
                 "run", "longest_run", "quiet", "last_time",
                 "interval", "stuck_fired", "season", "season_scale", "seen", "spread")

    def __init__(self) -> None:
        self.n = 0
        self.last = self.fast = self.slow = 0.0
        self.fast_scale = self.slow_scale = 0.0
        # per channel (rate, level, time of day): short average, long mean, long variance
        self.channels = array("d", [0.0]) * 9
        self.lo = math.inf
        self.hi = -math.inf
        self.run = 0
        self.longest_run = 0
        self.quiet = 0
        self.last_time = math.nan
        self.interval = math.nan
        self.stuck_fired = 0
        self.season: array | None = None   # allocated on the first timestamped reading
        self.season_scale = 0.0
        self.seen = 0    # bit set of the transition cells visited (novelty_levels ** 2 bits)
        # usual time-of-day error per bin (weekday and weekend bins share one): float32, as a
        # scale needs no more precision and the 2 KB bound has no room for doubles
        self.spread: array | None = None

    def to_list(self) -> list:
        """JSON values: arrays as base64 of their bytes (exact, compact; float64, the spread
        float32), non-finite floats as null (standard JSON; restored to the fresh state's
        inf / NaN)."""
        return [base64.b64encode(v.tobytes()).decode() if isinstance(v, array)
                else _finite_or_none(v) for v in (getattr(self, n) for n in self.__slots__)]

    @classmethod
    def from_list(cls, values: list) -> "StreamState":
        if len(values) != len(cls.__slots__):
            raise ValueError(f"snapshot has {len(values)} fields, expected {len(cls.__slots__)}")
        state = cls()
        for name, value in zip(cls.__slots__, values):
            if name in _ARRAY_FIELDS:
                if value is not None:
                    raw = array(_ARRAY_FIELDS[name])
                    raw.frombytes(base64.b64decode(value, validate=True))
                    value = raw
            elif value is None:
                value = getattr(state, name)
            elif name in _INT_FIELDS:
                value = int(value)
            else:
                value = float(value)
            setattr(state, name, value)
        return state


def _finite_or_none(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


_ARRAY_FIELDS = {"season": "d", "channels": "d", "spread": "f"}
_FLOAT32_MAX = 3.4e38
_INT_FIELDS = {"n", "run", "longest_run", "quiet", "stuck_fired", "seen"}


class StreamDetector:
    """Scores readings of one stream; ``minimum``/``maximum`` come from the device profile."""

    __slots__ = ("settings", "state", "minimum", "maximum")

    def __init__(self, settings: DetectorSettings | None = None, *, minimum: float | None = None,
                 maximum: float | None = None, state: StreamState | None = None) -> None:
        self.settings = settings or DetectorSettings()
        self.state = state or StreamState()
        self.minimum = -math.inf if minimum is None else minimum
        self.maximum = math.inf if maximum is None else maximum

    def update(self, value: float, timestamp: float = math.nan) -> float:
        """Learn from one reading and return its anomaly score in [0, 1].

        Raises ValueError for NaN or infinite values (they would poison the learned state)."""
        if not -math.inf < value < math.inf:
            raise ValueError(f"reading {value!r} is not a finite number")
        s = self.settings
        st = self.state
        n = st.n + 1
        st.n = n
        if timestamp == timestamp:  # not NaN
            previous = st.last_time
            if previous == previous and timestamp > previous:
                gap = timestamp - previous
                interval = st.interval
                if gap > 2.0 * interval:  # an outage is not the stream's rhythm
                    gap = 2.0 * interval
                st.interval = gap if interval != interval else interval + 0.05 * (gap - interval)
            st.last_time = timestamp
        if n == 1:
            st.last = st.fast = st.slow = value
            st.lo = st.hi = value
            return 1.0 if value < self.minimum or value > self.maximum else 0.0

        # stuck: the current run of identical values against the longest one seen so far
        if value == st.last:
            run = st.run + 1
        else:
            if st.run > st.longest_run:
                st.longest_run = st.run
            run = st.stuck_fired = 0
        st.run = run

        fast_err = abs(value - st.fast)
        slow_err = abs(value - st.slow)
        st.fast += s.fast_alpha * (value - st.fast)
        st.slow += s.slow_alpha * (value - st.slow)
        fast_scale = st.fast_scale
        slow_scale = st.slow_scale
        if n <= 2:
            fast_scale, slow_scale = fast_err, slow_err
        a = s.scale_alpha if n > 20 else 1.0 / n
        st.fast_scale = fast_scale + a * (fast_err - fast_scale)
        st.slow_scale = slow_scale + a * (slow_err - slow_scale)
        gain = s.raw_gain
        raw_fast = 1.0 - math.exp(-gain * fast_err / fast_scale) if fast_scale > 0 else (
            1.0 if fast_err > 0 else 0.0)
        raw_slow = 1.0 - math.exp(-gain * slow_err / slow_scale) if slow_scale > 0 else (
            1.0 if slow_err > 0 else 0.0)
        channels = st.channels
        sa = s.short_alpha
        la = s.long_alpha if n * s.long_alpha > 1.0 else 1.0 / n
        floor = s.min_std
        score = _likelihood(channels, 0, raw_fast, sa, la, floor)
        level = _likelihood(channels, 3, raw_slow, sa, la, floor)
        if level > score:
            score = level
        bins = s.season_bins
        if bins and timestamp == timestamp:
            # time of day: surprise against what this stream usually reads at this hour
            season = st.season
            if s.weekend_split:
                slots = 2 * bins
                b = int((timestamp % s.season_period) / s.season_period * bins)
                if int(timestamp // 86400.0 + 3) % 7 >= 5:  # day 0 (1970-01-01) was a Thursday
                    b += bins
            else:
                slots = bins
                b = int((timestamp % s.season_period) / s.season_period * bins)
            if season is None or len(season) != slots:
                season = st.season = array("d", [math.nan]) * slots
            expected = season[b]
            if expected != expected and b >= bins:  # a weekend slot starts from the weekday one
                expected = season[b - bins]
            if expected == expected:
                err = abs(value - expected)
                scale = st.season_scale or err
                usual = scale
                weight = s.season_spread
                if weight:
                    # Some hours are busier than others (rush hour, a nightly backup): what is
                    # a usual error at this time of day, shrunk towards the stream's overall one
                    # because a bin learns from few readings.
                    spread = st.spread
                    if spread is None or len(spread) != bins:
                        spread = st.spread = array("f", [math.nan]) * bins
                    own = spread[b % bins]
                    if own == own:
                        usual = weight * own + (1.0 - weight) * scale
                        own += s.season_spread_alpha * (err - own)
                    else:
                        own = scale
                    spread[b % bins] = own if own < _FLOAT32_MAX else _FLOAT32_MAX
                raw_season = 1.0 - math.exp(-gain * err / usual) if usual > 0 else 0.0
                st.season_scale = scale + a * (err - scale)
                seasonal = _likelihood(channels, 6, raw_season, sa, la, floor)
                if seasonal > score:
                    score = seasonal
                season[b] = expected + s.season_alpha * (value - expected)
            else:
                season[b] = value

        lo, hi = st.lo, st.hi
        novel = False
        levels = s.novelty_levels
        if levels and hi > lo:
            # transition novelty: where the previous and this reading sit in the learned range
            per_unit = levels / (hi - lo)
            top = levels - 1
            now = (value - lo) * per_unit      # (inf or NaN on absurd ranges: clipped below)
            before = (st.last - lo) * per_unit
            now = top if now >= top else (int(now) if now > 0 else 0)
            before = top if before >= top else (int(before) if before > 0 else 0)
            cell = 1 << (now * levels + before)
            if not st.seen & cell:
                st.seen |= cell
                # a first step to a neighbouring level is how a stream explores its range;
                # a jump across two or more levels that never happened before is news
                novel = now - before >= 2 or before - now >= 2
        out_of_range = False
        if value < lo or value > hi:
            tolerance = s.range_tolerance * (hi - lo)
            out_of_range = value < lo - tolerance or value > hi + tolerance
            if value < lo:
                lo = value
            else:
                hi = value
        st.lo, st.hi = lo, hi
        st.last = value

        if value < self.minimum or value > self.maximum:
            return 1.0
        if n <= s.warmup:
            return 0.0

        if s.rate_factor and fast_err > s.rate_factor * fast_scale and s.rate_score > score:
            score = s.rate_score
        if novel and s.novelty_score > score:
            score = s.novelty_score
        if out_of_range and s.range_score > score:
            score = s.range_score
        if (run > s.stuck_min_run and run > s.stuck_factor * st.longest_run and not st.stuck_fired
                and not st.quiet):  # a run that starts in a refractory period is reported after it
            st.stuck_fired = 1  # once per run: a stuck sensor is one event, not one per reading
            if s.stuck_score > score:
                score = s.stuck_score

        if st.quiet > 0:
            st.quiet -= 1
            # Only a new extreme is news so soon after a detection; statistical surprise here
            # is the same anomaly's echo, damped twice to stay far below any flag.
            score *= s.damping if out_of_range else s.damping * s.damping
        elif score >= s.fire_level:
            st.quiet = s.refractory
        return 0.0 if score < 0.0 else (1.0 if score > 1.0 else score)

    def silent_for(self, now: float) -> float:
        """Seconds since the last reading (NaN before the first timestamped one)."""
        return now - self.state.last_time


def _likelihood(stats: array, i: int, raw: float, short_alpha: float, long_alpha: float,
                min_std: float) -> float:
    """HTM's anomaly likelihood for one channel, log-scaled to [0, 1]: how improbable the short
    average of its raw surprise is under the channel's own long-run Gaussian. Each channel has
    its own baseline, so a channel that is always a little surprised (a time-of-day profile on
    a stream without a daily rhythm) cannot drown the others."""
    short = stats[i] + short_alpha * (raw - stats[i])
    mean = stats[i + 1]
    delta = short - mean
    stats[i] = short
    stats[i + 1] = mean + long_alpha * delta
    var = stats[i + 2] = (1.0 - long_alpha) * (stats[i + 2] + long_alpha * delta * delta)
    std = math.sqrt(var)
    if std < min_std:
        std = min_std
    tail = 0.5 * math.erfc((short - mean - long_alpha * delta) / (std * _SQRT2))
    return math.log(tail + 1e-10) / _LOG_FLOOR if tail < 1.0 else 0.0


def settings_from_dict(values: dict) -> DetectorSettings:
    known = {f.name: f.type for f in fields(DetectorSettings)}
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown detector settings: {sorted(unknown)}")
    defaults = DetectorSettings()

    def typed(key: str, value):
        kind = type(getattr(defaults, key))
        if kind is bool and isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return kind(value)
    return DetectorSettings(**{k: typed(k, v) for k, v in values.items()})
