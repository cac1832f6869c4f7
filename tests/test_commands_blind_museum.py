"""Generic mechanisms found by the ninth blind building (a museum), each checked on a small
made-up venue of its own (names, rooms and words unlike the datasets') and by requests that
must not act."""
import pytest

from made_up_catalog import _actions, building, _profile, _res, _set


PROFILES = [
    _profile("Ceiling-Lights", [
        _res("Lamp", "Bool", description="true = on, false = off"),
        _res("Level", "Uint8", description="dimming level of the downlights", units="%",
             minimum=0, maximum=100),
        _res("Tone", "Uint16", units="K", minimum=2200, maximum=5000)], labels=["lighting"]),
    _profile("Stage-Panel", [
        _res("AisleLightLevel", "Uint8", description="0 = off", units="%", minimum=0,
             maximum=100),
        _res("BackdropLift", "String", description="Allowed values: up, down."),
        _res("Loudness", "Uint8", units="%", minimum=0, maximum=100)]),
    _profile("Smoke-Curtain", [
        _res("CurtainRaised", "Bool", description="true = raised (open), false = lowered "
                                                  "(closed); it cannot be stopped midway")]),
    _profile("Roller-Gate", [
        _res("GateDrive", "String", "W", description="Allowed values: open, close, stop."),
        _res("GatePosition", "Uint8", "R", units="%", minimum=0, maximum=100)]),
    _profile("Vault-Climate", [
        _res("VaultRH", "Float32", "R", units="%", minimum=0, maximum=100),
        _res("TargetRH", "Uint8", units="%", minimum=30, maximum=60),
        _res("DryMode", "String", description="Allowed values: off, dry. off = the dehumidifier "
                                              "is stopped; dry = the dehumidifier runs")]),
    _profile("Head-Counter", [
        _res("Headcount", "Uint16", "R", minimum=0, maximum=5000)], read="Counts",
        labels=["counter"]),
    _profile("Air-Sensor", [
        _res("AirRH", "Float32", "R", units="%", minimum=0, maximum=100)], labels=["sensor"]),
    _profile("Zone-Panel", [
        _res("BarrierDown", "Bool", description="true = lowered, false = raised"),
        _res("FlowSwitch", "Bool", "R", description="sprinkler flow switch")],
        labels=["sprinkler"]),
    _profile("Belt-Drive", [
        _res("BeltRunning", "Bool", description="true = running, false = stopped")]),
]
DEVICES = [
    ("foyer-lights", "Ceiling-Lights", "room:foyer", ["alias:门厅灯"]),
    ("reading-hall-lights", "Ceiling-Lights", "room:reading-hall", []),
    ("stage-panel", "Stage-Panel", "room:theatre", []),
    ("foyer-smoke-curtain", "Smoke-Curtain", "room:foyer", ["alias:门厅防烟幕"]),
    ("yard-gate", "Roller-Gate", "area:yard", ["alias:院子卷闸"]),
    ("book-belt", "Belt-Drive", "room:stacks", []),
    ("foyer-counter", "Head-Counter", "room:foyer", ["alias:门厅计数器"]),
    ("yard-counter", "Head-Counter", "area:yard", []),
    ("yard-zone-panel", "Zone-Panel", "area:yard", []),
    ("stacks-hygrometer", "Air-Sensor", "room:stacks", []),
    ("vault-1", "Vault-Climate", "room:stacks", ["alias:1号储藏柜"]),
    ("vault-2", "Vault-Climate", "room:stacks", ["alias:2号储藏柜"]),
]
DESCRIPTIONS = {"vault-1": "Display vault 1 of the rare books", "vault-2": "Display vault 2",
                "yard-counter": "Counter at the yard gate; its Headcount is everyone in the building",
                "foyer-counter": "Counter at the foyer door"}
STATE = {"foyer-lights": {"Lamp": "true", "Level": "60", "Tone": "3000"},
         "reading-hall-lights": {"Lamp": "true", "Level": "40", "Tone": "3000"},
         "stage-panel": {"AisleLightLevel": "100", "BackdropLift": "up", "Loudness": "40"},
         "foyer-smoke-curtain": {"CurtainRaised": "true"},
         "yard-gate": {"GatePosition": "0"},
         "yard-zone-panel": {"BarrierDown": "false", "FlowSwitch": "false"},
         "book-belt": {"BeltRunning": "true"},
         "foyer-counter": {"Headcount": "12"}, "yard-counter": {"Headcount": "80"},
         "stacks-hygrometer": {"AirRH": "47.0"},
         "vault-1": {"VaultRH": "44.0", "TargetRH": "45", "DryMode": "dry"},
         "vault-2": {"VaultRH": "51.0", "TargetRH": "50", "DryMode": "dry"}}


@pytest.fixture(scope="module")
def venue():
    return building(PROFILES, DEVICES, STATE, DESCRIPTIONS)


@pytest.mark.parametrize("text, expected", [
    # two words said together that are one resource's name ("aisle light") name its device,
    # not every device of the generic kind ("lights")
    ("halve the aisle lights", [_set("stage-panel", "AisleLightLevel", "50")]),
    ("dim the aisle lights to 20%", [_set("stage-panel", "AisleLightLevel", "20")]),
    ("turn the aisle lights off", [_set("stage-panel", "AisleLightLevel", "0")]),
    # the generic kind word alone still means the lights
    ("halve the lights", [_set("foyer-lights", "Level", "30"),
                          _set("reading-hall-lights", "Level", "20")]),
    ("dim the foyer lights to 20%", [_set("foyer-lights", "Level", "20")]),
])
def test_a_resource_phrase_names_its_device_over_a_generic_group(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("stop the yard gate", [_set("yard-gate", "GateDrive", "stop")]),
    ("open the yard gate", [_set("yard-gate", "GateDrive", "open")]),
    ("stop the book belt", [_set("book-belt", "BeltRunning", "false")]),
    ("lower the smoke curtain", [_set("foyer-smoke-curtain", "CurtainRaised", "false")]),
    ("raise the smoke curtain", [_set("foyer-smoke-curtain", "CurtainRaised", "true")]),
    # a travelling barrier goes the way said ("drop" is lowering it, not a relative decrease)
    ("drop the smoke curtain", [_set("foyer-smoke-curtain", "CurtainRaised", "false")]),
])
def test_stop_and_open_where_the_profile_can(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text", [
    # a stop the catalog lacks is never read as "close" (or "off") on an open/closed position
    "stop the smoke curtain", "halt the foyer smoke curtain", "停止门厅防烟幕",
    # a partial amount on something that only opens and closes fully is never "open"
    "open the yard gate halfway", "raise the smoke curtain halfway", "院子卷闸打开一半",
])
def test_what_a_moving_part_cannot_do_is_refused(venue, text):
    result = venue(text)
    assert result.actions == [] and result.refusal == "unsupported", result


@pytest.mark.parametrize("text, expected", [
    # a direction said of the one named setting whose values are directions sets that value,
    # never the number beside it (the loudness up)
    ("raise the backdrop", [_set("stage-panel", "BackdropLift", "up")]),
    ("lower the backdrop", [_set("stage-panel", "BackdropLift", "down")]),
    ("backdrop down", [_set("stage-panel", "BackdropLift", "down")]),
    ("put the backdrop up", [_set("stage-panel", "BackdropLift", "up")]),
    ("raise the loudness", [_set("stage-panel", "Loudness", "50")]),
    # verbless requests, each ending in its own particle or value, are requests of their own
    ("aisle lights off, backdrop down", [_set("stage-panel", "AisleLightLevel", "0"),
                                         _set("stage-panel", "BackdropLift", "down")]),
    ("backdrop up, aisle lights at 30%", [_set("stage-panel", "AisleLightLevel", "30"),
                                          _set("stage-panel", "BackdropLift", "up")]),
    ("foyer lights on, reading hall lights off", [_set("foyer-lights", "Lamp", "true"),
                                                  _set("reading-hall-lights", "Lamp", "false")]),
])
def test_directions_on_listed_values_and_verbless_requests(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # what an alias says after its number (储藏柜 of 1号储藏柜) is a kind word for its devices
    ("所有储藏柜湿度都设为百分之四十",
     [_set("vault-1", "TargetRH", "40"), _set("vault-2", "TargetRH", "40")]),
    # the device's own word in a resource name (VaultRH) does not make "vault humidity" that
    # read-only reading when a setting matches the rest; RH is humidity
    ("set vault 1 humidity to 45%", [_set("vault-1", "TargetRH", "45")]),
    ("set vault 2 to 55% RH", [_set("vault-2", "TargetRH", "55")]),
])
def test_kind_words_from_aliases_and_device_words_in_resource_names(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # a kind word the descriptions put right before a device's word names that device
    ("set display vault 1 to 40% RH", [_set("vault-1", "TargetRH", "40")]),
    ("set every display vault to 50% RH", [_set("vault-1", "TargetRH", "50"),
                                           _set("vault-2", "TargetRH", "50")]),
])
def test_multi_word_names_from_descriptions(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text", ["turn on the display", "set the display in the stacks to 40%"])
def test_the_described_modifier_alone_names_nothing(venue, text):
    result = venue(text)
    assert result.actions == [] and result.refusal == "unknown_device", result


@pytest.mark.parametrize("text, expected", [
    # whites by name (the command-set convention) on a kelvin setting that names none
    ("set the foyer lights to neutral white", [_set("foyer-lights", "Tone", "4000")]),
    ("set the foyer lights to warm white", [_set("foyer-lights", "Tone", "2700")]),
    ("门厅灯调成暖白", [_set("foyer-lights", "Tone", "2700")]),
])
def test_white_names_on_a_kelvin_setting(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text", ["set the foyer lights to daylight",
                                  "set the foyer lights to cool white"])
def test_a_white_beyond_the_range_is_refused(venue, text):
    result = venue(text)
    assert result.actions == [] and result.refusal == "out_of_range", result


def _get(device, command):
    return {"device": device, "command": command, "method": "get"}


@pytest.mark.parametrize("text, expected", [
    # people and visitors are what a head counter counts; a place picks its counter
    ("how many people are in the foyer?", [_get("foyer-counter", "Counts")]),
    ("门厅里现在有几个人", [_get("foyer-counter", "Counts")]),
    # the whole site said: the counter whose description covers the building
    ("how many visitors are in the building?", [_get("yard-counter", "Counts")]),
    ("how many people are in the venue right now?", [_get("yard-counter", "Counts")]),
    # a place's humidity is its air, not the inside of a vault there (VaultRH)
    ("what's the humidity in the stacks?", [_get("stacks-hygrometer", "State")]),
    ("what's the humidity in vault 2?", [_get("vault-2", "State")]),
    # a Chinese question mark ends a question; the next one is its own
    ("门厅现在多少人？1号储藏柜湿度怎么样？",
     [_get("foyer-counter", "Counts"), _get("vault-1", "State")]),
])
def test_people_counts_and_place_readings(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # a thing only a description names acts on the devices it describes, never the rest there
    ("turn on the downlights in the foyer", [_set("foyer-lights", "Lamp", "true")]),
    ("turn off the dehumidifier in the stacks", [_set("vault-1", "DryMode", "off"),
                                                 _set("vault-2", "DryMode", "off")]),
    # everything off switches things off; a curtain lowered (a travelling barrier) is no switch
    ("turn everything off in the foyer", [_set("foyer-lights", "Lamp", "false")]),
])
def test_described_things_and_everything_off(venue, text, expected):
    assert _actions(venue(text)) == expected


@pytest.mark.parametrize("text", ["turn on the dehumidifier in the foyer",
                                  "turn on the downlights in the yard"])
def test_described_things_elsewhere_act_on_nothing(venue, text):
    assert venue(text).actions == []


@pytest.mark.parametrize("text", ["turn off the sprinkler in the yard", "turn on the sprinkler",
                                  "stop the sprinkler in the yard"])
def test_a_part_only_read_is_never_another_switch(venue, text):
    # the panel is called a sprinkler panel but only reads the sprinkler's flow switch
    result = venue(text)
    assert result.actions == [] and result.refusal in {"read_only", "unsupported"}, result


@pytest.mark.parametrize("text, expected", [
    ("1号储藏柜湿度再高5个百分点", [_set("vault-1", "TargetRH", "50")]),
    ("2号储藏柜湿度再低两个百分点", [_set("vault-2", "TargetRH", "48")]),
])
def test_chinese_again_higher_by_an_amount(venue, text, expected):
    assert _actions(venue(text)) == expected


def test_a_read_only_reading_is_still_read(venue):
    result = venue("what's the humidity in vault 1?")
    assert [a.to_dict() for a in result.actions] == [
        {"device": "vault-1", "command": "State", "method": "get"}]
