"""[AnomalyDetection] is validated once, with errors naming the key."""
import pytest

from app_service.anomaly.config import load_settings
from app_service.anomaly.detector import DetectorSettings
from app_service.errors import ConfigError


def test_defaults_when_the_section_is_absent():
    s = load_settings({})
    assert s.enabled and s.threshold == 0.3 and s.detector == DetectorSettings()
    assert s.auto_actuate == ()


def test_overrides_resource_beats_profile_beats_section():
    s = load_settings({"AnomalyDetection": {
        "Threshold": 0.4, "AutoActuate": "critical",
        "Detector": {"Refractory": 50, "FireLevel": 0.4},
        "Overrides": {"Thermostat": {"Threshold": 0.7, "AutoActuate": ""},
                      "Thermostat/Temperature": {"Threshold": 0.9, "Enabled": "false"}}}})
    assert s.detector.refractory == 50 and s.detector.fire_level == 0.4
    assert s.threshold_for("Other", "Temperature") == 0.4
    assert s.threshold_for("Thermostat", "Humidity") == 0.7
    assert s.threshold_for("Thermostat", "Temperature") == 0.9
    assert not s.enabled_for("Thermostat", "Temperature") and s.enabled_for("Thermostat", "X")
    assert s.auto_actuate_for("Other", "X") == ("critical",)
    assert s.auto_actuate_for("Thermostat", "X") == ()


@pytest.mark.parametrize("section,key", [
    ({"Threshold": 1.5}, "AnomalyDetection.Threshold"),
    ({"Threshold": "high"}, "AnomalyDetection.Threshold"),
    ({"SilenceFactor": 0.5}, "AnomalyDetection.SilenceFactor"),
    ({"AutoActuate": "panic"}, "AnomalyDetection.AutoActuate"),
    ({"Detector": {"Refractory": -1}}, "AnomalyDetection.Detector.Refractory"),
    ({"Detector": {"Bogus": 1}}, "AnomalyDetection.Detector.Bogus"),
    ({"Detector": {"NoveltyLevels": 17}}, "AnomalyDetection.Detector.NoveltyLevels"),
    ({"Detector": {"SeasonSpread": 1.5}}, "AnomalyDetection.Detector.SeasonSpread"),
    ({"Detector": {"SeasonSpreadAlpha": 2}}, "AnomalyDetection.Detector.SeasonSpreadAlpha"),
    ({"Overrides": {"P": {"Treshold": 0.2}}}, "AnomalyDetection.Overrides.P.Treshold"),
    ({"Overrides": {"P": {"Threshold": 2}}}, "AnomalyDetection.Overrides.P.Threshold"),
    ({"SnapshotInterval": "soon"}, "AnomalyDetection.SnapshotInterval"),
])
def test_bad_values_raise_config_error_naming_the_key(section, key):
    with pytest.raises(ConfigError) as err:
        load_settings({"AnomalyDetection": section})
    assert err.value.key == key


def test_shipped_section_loads_and_env_overrides_reach_it():
    import os

    from app_service.config import load_configuration
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "configuration.toml")
    shipped = load_settings(load_configuration(path, env={}))
    assert shipped.threshold == 0.3 and shipped.auto_actuate == ()
    assert shipped.detector.refractory == DetectorSettings().refractory
    env = {"ANOMALYDETECTION_THRESHOLD": "0.6", "ANOMALYDETECTION_DETECTOR_REFRACTORY": "99",
           "ANOMALYDETECTION_AUTOACTUATE": "critical"}
    s = load_settings(load_configuration(path, env=env))
    assert (s.threshold, s.detector.refractory, s.auto_actuate) == (0.6, 99, ("critical",))
