"""Device profile and devices-file parsing with EdgeX's validation rules."""
import copy
import json
import os
import threading

import pytest
import yaml

from app_service.device_profiles import (DeviceProfiles, allowed_values, go_duration_seconds,
                                         load_devices, load_profiles_dir, parse_device,
                                         parse_profile)
from app_service.errors import AppServiceError, CommandError, ProfileError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")

GOOD = {
    "name": "Pump", "manufacturer": "Acme", "model": "P1", "labels": ["pump"],
    "description": "test pump",
    "deviceResources": [
        {"name": "Running", "properties": {"valueType": "Bool", "readWrite": "RW"}},
        {"name": "Pressure", "description": "bar", "isHidden": False,
         "properties": {"valueType": "float32", "readWrite": "R", "units": "bar",
                        "minimum": 0, "maximum": 10}},
        {"name": "Mode", "description": "Pump mode. Allowed values: eco, boost.",
         "properties": {"valueType": "String", "readWrite": "RW", "defaultValue": "eco"}},
        {"name": "Snapshot", "properties": {"valueType": "Binary", "readWrite": "R",
                                            "mediaType": "image/jpeg"}},
    ],
    "deviceCommands": [
        {"name": "Running", "readWrite": "W", "resourceOperations": [{"deviceResource": "Running"}]},
        {"name": "Telemetry", "readWrite": "R", "resourceOperations": [
            {"deviceResource": "Pressure"}, {"deviceResource": "Running"},
            {"deviceResource": "Mode", "mappings": {"0": "eco", "1": "boost"}}]},
    ],
}


def broken(path, value):
    """GOOD with the field at ``path`` (list of keys/indices) set to value (or removed for ...)."""
    doc = copy.deepcopy(GOOD)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


def test_good_profile_parses_and_normalizes_value_type():
    profile = parse_profile(GOOD, "pump.yaml")
    pressure = profile.resource("Pressure")
    assert pressure.properties.value_type == "Float32"
    assert (pressure.properties.minimum, pressure.properties.maximum) == (0.0, 10.0)
    assert profile.resource("Mode").allowed_values == ("eco", "boost")
    telemetry = profile.command("Telemetry")
    assert [r.name for r in profile.command_resources(telemetry)] == ["Pressure", "Running", "Mode"]
    assert telemetry.resource_operations[2].mappings == {"0": "eco", "1": "boost"}
    assert profile.resource("Nope") is None and profile.command("Nope") is None


@pytest.mark.parametrize("path,value,field,problem", [
    (["name"], ..., "name", "required"),
    (["name"], "", "name", "required"),
    (["deviceResources", 1, "properties", "valueType"], "Float128",
     "deviceResources[1].properties.valueType", "unknown valueType"),
    (["deviceResources", 1, "properties", "valueType"], ...,
     "deviceResources[1].properties.valueType", "required"),
    (["deviceResources", 0, "properties", "readWrite"], "RWX",
     "deviceResources[0].properties.readWrite", "not one of"),
    (["deviceResources", 1, "properties", "minimum"], "0",
     "deviceResources[1].properties.minimum", "expected a number"),
    (["deviceResources", 1, "properties", "maximum"], True,
     "deviceResources[1].properties.maximum", "expected a number"),
    (["deviceResources", 1, "properties", "minimum"], 20,
     "deviceResources[1].properties.minimum", "greater than maximum"),
    (["deviceResources", 3, "properties", "readWrite"], "RW",
     "deviceResources[3].properties.readWrite", "Binary"),
    (["deviceResources", 3, "properties", "mediaType"], ...,
     "deviceResources[3].properties.mediaType", "required for Binary"),
    (["deviceResources", 1, "name"], "Running", "deviceResources[1].name", "duplicated"),
    (["deviceResources", 2, "properties"], ..., "deviceResources[2].properties", "mapping"),
    (["deviceResources", 0, "isHidden"], "no", "deviceResources[0].isHidden", "true or false"),
    (["deviceResources", 1, "properties", "mask"], -1,
     "deviceResources[1].properties.mask", "unsigned"),
    (["deviceCommands", 1, "name"], "Running", "deviceCommands[1].name", "duplicated"),
    (["deviceCommands", 0, "readWrite"], ..., "deviceCommands[0].readWrite", "required"),
    (["deviceCommands", 0, "resourceOperations"], [], "deviceCommands[0].resourceOperations",
     "at least one"),
    (["deviceCommands", 1, "resourceOperations", 1, "deviceResource"], "Missing",
     "deviceCommands[1].resourceOperations[1].deviceResource", "does not match"),
    (["deviceCommands", 1, "readWrite"], "RW", "deviceCommands[1].readWrite", "does not align"),
    (["deviceCommands", 1, "resourceOperations", 2, "mappings"], {"0": 1},
     "deviceCommands[1].resourceOperations[2].mappings", "strings"),
    (["labels"], "pump", "labels", "list of strings"),
])
def test_invalid_profile_names_file_and_field(path, value, field, problem):
    with pytest.raises(ProfileError) as info:
        parse_profile(broken(path, value), "pump.yaml")
    assert info.value.source == "pump.yaml"
    assert info.value.field == field
    assert problem in info.value.problem
    assert str(info.value).startswith(f"pump.yaml: {field}: ")


def test_write_command_on_read_only_resource_is_rejected():
    doc = broken(["deviceCommands", 0, "resourceOperations"], [{"deviceResource": "Pressure"}])
    with pytest.raises(ProfileError, match="does not align"):
        parse_profile(doc, "p.yaml")


def test_core_metadata_json_spelling_is_accepted():
    # As core-metadata 4.x returns it: extra keys, null attributes, linkedDeviceCount.
    doc = copy.deepcopy(GOOD)
    doc.update({"id": "16128c17-da2c-4705-bc57-06a88d4d8e66", "created": 1795950595324,
                "modified": 1795950595324, "apiVersion": "v3", "linkedDeviceCount": 0})
    for resource in doc["deviceResources"]:
        resource["attributes"] = None
    doc["deviceResources"][1]["properties"]["minimum"] = 0.0
    profile = parse_profile(json.loads(json.dumps(doc)), "core-metadata")
    assert profile == parse_profile(GOOD, "core-metadata")


def test_yaml_scalar_default_value_is_read_as_string():
    doc = broken(["deviceResources", 1, "properties", "defaultValue"], 2.5)
    assert parse_profile(doc, "p").resource("Pressure").properties.default_value == "2.5"
    with pytest.raises(ProfileError, match="expected a string"):
        parse_profile(broken(["description"], 5), "p")


def test_shipped_profiles_and_devices_are_valid_and_consistent():
    profiles = load_profiles_dir(PROFILES)
    devices = load_devices(os.path.join(PROFILES, "devices.yaml"))
    assert len(profiles) >= 8 and len(devices) >= 8
    for device in devices.values():
        profile = profiles[device.profile_name]
        assert device.label_values("room") or device.label_values("area"), device.name
        assert device.label_values("alias"), device.name
        for auto in device.auto_events:
            # A same-named command shadows the resource (device SDK lookup order).
            command = profile.command(auto.source_name)
            access = (command.read_write if command
                      else profile.resource(auto.source_name).properties.read_write)
            assert "R" in access, (device.name, auto.source_name)
    for profile in profiles.values():
        write_paths = {op.device_resource for c in profile.device_commands if "W" in c.read_write
                       and not c.is_hidden for op in c.resource_operations}
        read_paths = {op.device_resource for c in profile.device_commands if "R" in c.read_write
                      and not c.is_hidden for op in c.resource_operations}
        for resource in profile.device_resources:
            if resource.properties.writable:
                assert resource.name in write_paths, (profile.name, resource.name)
            if resource.properties.readable:
                assert resource.name in read_paths, (profile.name, resource.name)
            if resource.properties.value_type == "String":
                assert resource.allowed_values, (profile.name, resource.name)
    state = json.load(open(os.path.join(PROFILES, "state.json")))
    assert set(state) == set(devices)


def test_load_profiles_dir_rejects_duplicates_and_bad_yaml(tmp_path):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(GOOD))
    (tmp_path / "devices.yaml").write_text("deviceList: []\n")
    (tmp_path / "state.json").write_text("{}")
    assert list(load_profiles_dir(str(tmp_path))) == ["Pump"]
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(GOOD))
    with pytest.raises(ProfileError, match="also defined in"):
        load_profiles_dir(str(tmp_path))
    (tmp_path / "b.yaml").write_text("name: [unclosed\n")
    with pytest.raises(ProfileError) as info:
        load_profiles_dir(str(tmp_path))
    assert info.value.source.endswith("b.yaml")


DEVICE = {"name": "pump-1", "profileName": "Pump", "serviceName": "device-modbus",
          "labels": ["area:plant", "alias:泵"], "protocols": {"other": {"Address": "10.0.0.1"}},
          "autoEvents": [{"interval": "1m30s", "onChange": False, "sourceName": "Telemetry"}]}


def test_device_parses_with_defaults_and_auto_event_interval():
    device = parse_device(DEVICE, "devices.yaml", "deviceList[0]")
    assert device.admin_state == "UNLOCKED" and device.operating_state == "UP"
    assert device.auto_events[0].interval_seconds == 90.0
    assert device.label_values("alias") == ("泵",)


@pytest.mark.parametrize("key,value,field", [
    ("name", None, "deviceList[0].name"),
    ("serviceName", "", "deviceList[0].serviceName"),
    ("adminState", "OPEN", "deviceList[0].adminState"),
    ("operatingState", "up", "deviceList[0].operatingState"),
    ("autoEvents", [{"interval": "10 seconds", "sourceName": "x"}], "deviceList[0].autoEvents[0].interval"),
    ("autoEvents", [{"interval": "10s"}], "deviceList[0].autoEvents[0].sourceName"),
    ("labels", "room:x", "deviceList[0].labels"),
])
def test_invalid_device_is_rejected(key, value, field):
    with pytest.raises(ProfileError) as info:
        parse_device({**DEVICE, key: value}, "devices.yaml", "deviceList[0]")
    assert info.value.field == field


def test_duplicate_device_in_file(tmp_path):
    path = tmp_path / "devices.yaml"
    path.write_text(yaml.safe_dump({"deviceList": [DEVICE, DEVICE]}, allow_unicode=True))
    with pytest.raises(ProfileError, match="duplicated"):
        load_devices(str(path))


@pytest.mark.parametrize("text,expected", [
    ("10s", 10.0), ("500ms", 0.5), ("1h2m3s", 3723.0), ("", None), ("10", None), ("s10", None),
])
def test_go_duration(text, expected):
    assert go_duration_seconds(text) == expected


def test_allowed_values_sentence():
    assert allowed_values("Mode. Allowed values: off, heat, cool.") == ("off", "heat", "cool")
    assert allowed_values("no list here") == ()


class FakeMetadata:
    """core-metadata as seen through MetadataClient: parsed lists, or unreachable."""

    def __init__(self, profiles=(), devices=()):
        self.profiles, self.devices, self.down = list(profiles), list(devices), False

    def all_profiles(self):
        if self.down:
            raise CommandError("core-metadata unreachable", 0)
        return self.profiles

    def all_devices(self):
        if self.down:
            raise CommandError("core-metadata unreachable", 0)
        return self.devices


def test_store_merges_core_metadata_over_local_files():
    remote_light = parse_profile({**yaml.safe_load(open(os.path.join(PROFILES, "tunable-white-bulb.yaml"))),
                                  "description": "from core-metadata"}, "core-metadata")
    remote_device = parse_device({**DEVICE, "profileName": "Tunable-White-Bulb"}, "core-metadata")
    metadata = FakeMetadata([remote_light], [remote_device])
    store = DeviceProfiles(PROFILES, os.path.join(PROFILES, "devices.yaml"), metadata)
    changes = []
    store.on_change(lambda: changes.append(store.version))
    assert store.profile("Tunable-White-Bulb").description != "from core-metadata"
    assert store.refresh() is True and store.remote_ok
    assert store.profile("Tunable-White-Bulb").description == "from core-metadata"
    assert store.profile_of("pump-1").name == "Tunable-White-Bulb"
    assert store.device("lounge-lamp") is not None  # local devices stay
    assert changes == [1]
    assert store.refresh() is True and changes == [1]  # unchanged: no new version
    metadata.down = True
    assert store.refresh() is False and store.remote_ok is False
    assert store.profile("Tunable-White-Bulb").description == "from core-metadata"  # last good view


def test_store_refresh_is_safe_under_concurrent_readers():
    store = DeviceProfiles(PROFILES, os.path.join(PROFILES, "devices.yaml"), FakeMetadata())
    errors = []

    def reader():
        for _ in range(2000):
            try:
                assert store.profile_of("lounge-lamp").name == "Tunable-White-Bulb"
            except Exception as err:  # noqa: BLE001 - collected for the assertion below
                errors.append(err)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(50):
        store.refresh()
    for t in threads:
        t.join()
    assert errors == []


def test_profile_error_is_an_app_service_error():
    assert issubclass(ProfileError, AppServiceError)
