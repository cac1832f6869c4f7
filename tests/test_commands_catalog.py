"""How the catalog reads profiles and devices: EdgeX command resolution, hidden parts, allowed
values, described values, places, aliases and ids."""
import pytest

from app_service.commands.catalog import Catalog
from app_service.device_profiles import parse_device, parse_profile

PROFILE = {
    "name": "Test-Dimmer", "manufacturer": "T", "model": "D", "labels": ["light"],
    "deviceResources": [
        {"name": "Power", "description": "true = on, false = off",
         "properties": {"valueType": "Bool", "readWrite": "RW"}},
        {"name": "Level", "description": "0 = off, 50 = half, 100 = full",
         "properties": {"valueType": "Uint8", "readWrite": "RW", "units": "%", "minimum": 0,
                        "maximum": 100}},
        {"name": "Scene", "description": "Allowed values: reading, movie, night.",
         "properties": {"valueType": "String", "readWrite": "RW"}},
        {"name": "Fade", "description": "fade time",
         "properties": {"valueType": "Uint16", "readWrite": "RW", "units": "s", "minimum": 0,
                        "maximum": 60}},
        {"name": "Step", "description": "speed step",
         "properties": {"valueType": "Uint8", "readWrite": "RW", "minimum": 0, "maximum": 2}},
        {"name": "Firmware", "isHidden": True,
         "properties": {"valueType": "String", "readWrite": "R"}},
        {"name": "Lux", "properties": {"valueType": "Float32", "readWrite": "R", "units": "lx"}},
    ],
    "deviceCommands": [
        {"name": "Power", "readWrite": "W", "resourceOperations": [{"deviceResource": "Power"}]},
        {"name": "SetLevel", "readWrite": "W", "resourceOperations": [{"deviceResource": "Level"}]},
        {"name": "Scene", "readWrite": "RW", "resourceOperations": [{"deviceResource": "Scene"}]},
        {"name": "Step", "readWrite": "W", "resourceOperations": [
            {"deviceResource": "Step", "mappings": {"0": "off", "1": "low", "2": "high"}}]},
        {"name": "Secret", "isHidden": True, "readWrite": "W",
         "resourceOperations": [{"deviceResource": "Fade"}]},
        {"name": "Status", "readWrite": "R", "resourceOperations": [
            {"deviceResource": "Power"}, {"deviceResource": "Level"}, {"deviceResource": "Step"}]},
    ],
}
DEVICE = {"name": "hall-dimmer-2", "profileName": "Test-Dimmer", "serviceName": "s",
          "labels": ["room:hall-way", "alias:走廊调光灯"], "protocols": {"other": {"Address": "1"}}}


@pytest.fixture(scope="module")
def entry():
    catalog = Catalog.from_store({"Test-Dimmer": parse_profile(PROFILE, "test")},
                                 {"hall-dimmer-2": parse_device(DEVICE, "test")})
    return catalog.entries["hall-dimmer-2"]


@pytest.mark.parametrize("resource, set_command, read_command", [
    ("Power", "Power", "Status"),        # the W command shadows the resource: reads go via Status
    ("Level", "SetLevel", "Status"),     # a differently named single-resource W command
    ("Scene", "Scene", "Scene"),         # an RW command
    ("Fade", "Fade", "Fade"),            # only a hidden command: the resource itself, unshadowed
    ("Step", "Step", "Status"),
    ("Lux", None, "Lux"),                # read-only, directly readable
])
def test_command_resolution(entry, resource, set_command, read_command):
    res = entry.resources[resource]
    assert (res.set_command, res.read_command) == (set_command, read_command)


def test_hidden_parts_are_left_out(entry):
    assert "Firmware" not in entry.resources


def test_values_places_aliases_ids(entry):
    assert entry.resources["Scene"].allowed == ("reading", "movie", "night")
    assert entry.resources["Step"].allowed == ("off", "low", "high")
    assert entry.resources["Step"].mappings == (("0", "off"), ("1", "low"), ("2", "high"))
    assert {value for _, value in entry.resources["Level"].labels} == {0.0, 50.0, 100.0}
    assert entry.place == "hall way" and entry.aliases == ("走廊调光灯",)
    assert entry.ids == {"2"} and "dimmer" in entry.words and "light" in entry.words
    assert "temperature" not in entry.resources["Fade"].tokens
