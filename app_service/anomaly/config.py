"""The [AnomalyDetection] configuration section, validated once at start.

    [AnomalyDetection]
    Enabled = true
    Threshold = 0.5            # a reading whose score reaches this is flagged
    SilenceFactor = 3.0        # silent after this many autoEvent intervals without a reading
    ...
      [AnomalyDetection.Detector]        # statistical tuning (NAB-tuned defaults)
      Refractory = 150
      [AnomalyDetection.Overrides."Thermostat"]              # one device profile
      Threshold = 0.8
      [AnomalyDetection.Overrides."Thermostat/Temperature"]  # one resource of it
      Enabled = false
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..errors import ConfigError
from ..settings import (get_bool, get_duration, get_float, get_int, get_list, get_section,
                        get_str)
from .detector import DetectorSettings
from .text import TextSettings

SECTION = "AnomalyDetection"
SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class StreamOverride:
    enabled: bool | None = None
    threshold: float | None = None
    silence_factor: float | None = None
    auto_actuate: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AnomalySettings:
    enabled: bool = True
    threshold: float = 0.3             # = the detector fire level; NAB sweeps land at 0.30
    silence_factor: float = 3.0
    snapshot_path: str = ""
    snapshot_interval_s: float = 60.0
    max_streams: int = 10000
    triage_queue_size: int = 64
    auto_actuate: tuple[str, ...] = ()
    detector: DetectorSettings = field(default_factory=DetectorSettings)
    text: TextSettings = field(default_factory=TextSettings)
    overrides: Mapping[str, StreamOverride] = field(default_factory=dict)

    def _pick(self, profile: str, resource: str, attribute: str, default: Any) -> Any:
        for key in (f"{profile}/{resource}", profile):
            override = self.overrides.get(key)
            if override is not None and getattr(override, attribute) is not None:
                return getattr(override, attribute)
        return default

    def enabled_for(self, profile: str, resource: str) -> bool:
        return self._pick(profile, resource, "enabled", self.enabled)

    def threshold_for(self, profile: str, resource: str) -> float:
        return self._pick(profile, resource, "threshold", self.threshold)

    def silence_factor_for(self, profile: str, resource: str) -> float:
        return self._pick(profile, resource, "silence_factor", self.silence_factor)

    def auto_actuate_for(self, profile: str, resource: str) -> tuple[str, ...]:
        return self._pick(profile, resource, "auto_actuate", self.auto_actuate)


# novelty_levels ** 2 bits of state per stream: 16 levels keep it within the 2 KB budget
_INT_MAXIMA = {"novelty_levels": 16}
_FLOAT_MAXIMA = {"season_spread": 1.0, "season_spread_alpha": 1.0}   # a weight, an EWMA rate


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _detector(sec: Mapping[str, Any], path: str) -> DetectorSettings:
    defaults = DetectorSettings()
    by_key = {_camel(f.name): f.name for f in fields(DetectorSettings)}
    unknown = sorted(set(sec) - set(by_key))
    if unknown:
        raise ConfigError(f"{path}.{unknown[0]}", sec[unknown[0]], "one of " + ", ".join(by_key))
    values = {}
    for key, name in by_key.items():
        default = getattr(defaults, name)
        if isinstance(default, bool):
            values[name] = get_bool(sec, key, path, default)
        elif isinstance(default, int):
            values[name] = get_int(sec, key, path, default, minimum=0,
                                   maximum=_INT_MAXIMA.get(name))
        else:
            values[name] = get_float(sec, key, path, default, minimum=0.0,
                                     maximum=_FLOAT_MAXIMA.get(name))
    return DetectorSettings(**values)


def _severities(sec: Mapping[str, Any], key: str, path: str, default: Any) -> tuple[str, ...]:
    values = tuple(v.lower() for v in get_list(sec, key, path, default))
    bad = [v for v in values if v not in SEVERITIES]
    if bad:
        raise ConfigError(f"{path}.{key}", sec.get(key), "a list of " + ", ".join(SEVERITIES))
    return values


def _override(sec: Mapping[str, Any], path: str) -> StreamOverride:
    allowed = {"Enabled", "Threshold", "SilenceFactor", "AutoActuate"}
    unknown = sorted(set(sec) - allowed)
    if unknown:
        raise ConfigError(f"{path}.{unknown[0]}", sec[unknown[0]], "one of " + ", ".join(allowed))
    return StreamOverride(
        enabled=get_bool(sec, "Enabled", path) if "Enabled" in sec else None,
        threshold=get_float(sec, "Threshold", path, minimum=0.0, maximum=1.0)
        if "Threshold" in sec else None,
        silence_factor=get_float(sec, "SilenceFactor", path, minimum=1.0)
        if "SilenceFactor" in sec else None,
        auto_actuate=_severities(sec, "AutoActuate", path, None) if "AutoActuate" in sec else None,
    )


def _text(sec: Mapping[str, Any], path: str) -> TextSettings:
    allowed = {"ModelThreshold", "FrequentShare", "WarmUp", "Window"}
    unknown = sorted(set(sec) - allowed)
    if unknown:
        raise ConfigError(f"{path}.{unknown[0]}", sec[unknown[0]], "one of " + ", ".join(allowed))
    d = TextSettings()
    return TextSettings(
        model_threshold=get_float(sec, "ModelThreshold", path, d.model_threshold, 0.5, 1.0),
        frequent_share=get_float(sec, "FrequentShare", path, d.frequent_share, 0.0, 1.0),
        warm_up=get_int(sec, "WarmUp", path, d.warm_up, minimum=1),
        window=get_int(sec, "Window", path, d.window, minimum=2))


def load_settings(config: Mapping[str, Any]) -> AnomalySettings:
    """Read and validate [AnomalyDetection] from the whole configuration dict."""
    sec = get_section(config, SECTION)
    overrides_sec = get_section(sec, "Overrides", SECTION)
    overrides = {}
    for key in overrides_sec:
        path = f"{SECTION}.Overrides.{key}"
        overrides[key] = _override(get_section(overrides_sec, key, f"{SECTION}.Overrides"), path)
    return AnomalySettings(
        enabled=get_bool(sec, "Enabled", SECTION, True),
        threshold=get_float(sec, "Threshold", SECTION, AnomalySettings.threshold, 0.0, 1.0),
        silence_factor=get_float(sec, "SilenceFactor", SECTION, 3.0, minimum=1.0),
        snapshot_path=get_str(sec, "SnapshotPath", SECTION, ""),
        snapshot_interval_s=get_duration(sec, "SnapshotInterval", SECTION, "60s"),
        max_streams=get_int(sec, "MaxStreams", SECTION, 10000, minimum=1),
        triage_queue_size=get_int(sec, "TriageQueueSize", SECTION, 64, minimum=1),
        auto_actuate=_severities(sec, "AutoActuate", SECTION, ""),
        detector=_detector(get_section(sec, "Detector", SECTION), f"{SECTION}.Detector"),
        text=_text(get_section(sec, "Text", SECTION), f"{SECTION}.Text"),
        overrides=overrides,
    )
