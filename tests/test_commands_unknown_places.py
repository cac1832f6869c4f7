"""A place said outright that the catalog lacks is refused, never widened to every device of the
kind (a made-up skating centre: its places are 'main rink', 'concourse' and 'fitness room')."""
import pytest

from tests.made_up_catalog import _actions, _profile, _res, _set, building

# "hall lighting" in the description makes "hall" one of the lamps' own words
LAMP = _profile("Lamp-Relay", [_res("Lamps", "Bool", description="Relay of the hall lighting, true = lit")])
HEATER = _profile("Bench-Heater", [_res("Heating", "Bool"),
                                   _res("Setpoint", "Float32", units="°C", minimum=5, maximum=30)])
DEVICES = [("rink-floods", "Lamp-Relay", "area:main-rink", []),
           ("concourse-lamps", "Lamp-Relay", "area:concourse", []),
           ("gym-lamps", "Lamp-Relay", "room:fitness-room", []),
           ("server-room-heater", "Bench-Heater", "room:plant-room", [])]
STATE = {d[0]: {"Lamps": "false", "Heating": "false", "Setpoint": "18"} for d in DEVICES}
RUN = building([LAMP, HEATER], DEVICES, STATE)


@pytest.mark.parametrize("text", [
    "turn on the lights in the curling hall",
    "turn off the lights in the ice hall",
    "switch the lamps on in the visitors lounge",
    "lights on at the east wing",
])
def test_a_place_the_catalog_lacks_is_refused(text):
    result = RUN(text)
    assert result.actions == []
    assert result.refusal == "unknown_device"


@pytest.mark.parametrize("text, expected", [
    ("turn on the lights in the fitness room", [_set("gym-lamps", "Lamps", "true")]),
    ("turn on the lights in the main rink", [_set("rink-floods", "Lamps", "true")]),
    ("turn on the lights in the whole concourse", [_set("concourse-lamps", "Lamps", "true")]),
    # the words before 'room' name a device: no place is said
    ("turn on the heater in the server room", [_set("server-room-heater", "Heating", "true")]),
])
def test_known_places_and_device_words_still_act(text, expected):
    assert _actions(RUN(text)) == expected


# --- words that look like amounts or verbs but are not ----------------------------------------

FAN = _profile("Shed-Fan", [_res("FanOn", "Bool"),
                            _res("Opening", "Int16", units="%", minimum=0, maximum=100)])
SHED = building([LAMP, FAN, _profile("Chiller", [_res("CompressorRun", "Bool")])], [
    ("barn-lamp", "Lamp-Relay", "area:barn", ["alias:牛舍的灯"]),
    ("calf-lamp", "Lamp-Relay", "area:calf-shed", ["alias:犊牛舍的灯"]),
    ("east-vent", "Shed-Fan", "area:east-side", ["alias:东侧风窗"]),
    ("west-vent", "Shed-Fan", "area:west-side", ["alias:西侧风窗"]),
    ("ice-plant", "Chiller", "room:plant-room", []),
    ("gym-lamp", "Lamp-Relay", "room:fitness-room", ["alias:健身房灯"])],
    {"barn-lamp": {"Lamps": "true"}, "calf-lamp": {"Lamps": "true"},
     "east-vent": {"FanOn": "true", "Opening": "20"}, "west-vent": {"FanOn": "true", "Opening": "20"},
     "ice-plant": {"CompressorRun": "true"}, "gym-lamp": {"Lamps": "true"}})


@pytest.mark.parametrize("text, expected", [
    # another device's alias inside the one said (牛舍的灯 in 犊牛舍的灯) names nothing
    ("犊牛舍的灯关了吧", [_set("calf-lamp", "Lamps", "false")]),
    ("牛舍的灯关了吧", [_set("barn-lamp", "Lamps", "false")]),
    # 六成 is six tenths; 两侧 is "both sides", no amount
    ("东西两侧风窗都开到六成", [_set("east-vent", "Opening", "60"), _set("west-vent", "Opening", "60")]),
    ("lights out in the calf shed", [_set("calf-lamp", "Lamps", "false")]),
    # 健身房的灯 is the alias 健身房灯 said with 的: no missing "gym" place
    ("健身房的灯关掉", [_set("gym-lamp", "Lamps", "false")]),
])
def test_words_that_look_like_amounts_or_other_devices(text, expected):
    assert _actions(SHED(text)) == expected


def test_out_in_a_complaint_switches_nothing_off():
    # "too dark out on the ice": "out" is no "off" (it switched a chiller off once)
    result = SHED("it's too dark out on the ice")
    assert not any(a.values == {"CompressorRun": "false"} for a in result.actions)


@pytest.mark.parametrize("text, expected", [
    ("开到六成", "开到60%"), ("开到6成", "开到60%"), ("调成五档", "调成5档"), ("完成", "完成"),
    ("东西两侧", "东西两侧"),
])
def test_tenths_and_both_sides(text, expected):
    from app_service.commands.numbers import normalise_numbers
    assert normalise_numbers(text) == expected


DOOR = building([_profile("Door-Leaf", [
    _res("HoldOpen", "Bool", description="true = held open by its magnet, false = normal operation"),
    _res("Locked", "Bool", description="true = locked, false = unlocked")])],
    [("front-door", "Door-Leaf", "area:foyer", [])],
    {"front-door": {"HoldOpen": "true", "Locked": "false"}})


@pytest.mark.parametrize("text, value", [
    # "open" inside the setting's own name is no "open" verb
    ("turn off the hold-open on the front door", "false"),
    ("release the hold open on the front door", "false"),
    ("turn on the hold-open on the front door", "true"),
])
def test_a_verb_inside_the_settings_name_is_not_the_action(text, value):
    assert _actions(DOOR(text)) == [_set("front-door", "HoldOpen", value)]


HVAC = _profile("Zone-Hvac", [_res("Target", "Float32", units="°C", minimum=10, maximum=30),
                              _res("Temp", "Float32", "R", units="°C")], labels=["hvac"])
ZONES = building([HVAC, LAMP], [
    ("stand-unit", "Zone-Hvac", "area:grandstand", ["alias:看台空调"]),
    ("foyer-unit", "Zone-Hvac", "room:foyer", ["alias:门厅空调"]),
    ("gate-n-lamp", "Lamp-Relay", "area:gate", ["alias:北侧灯"]),
    ("gate-s-lamp", "Lamp-Relay", "area:gate", ["alias:南侧灯"])],
    {"stand-unit": {"Target": "18", "Temp": "17.5"}, "foyer-unit": {"Target": "21", "Temp": "20"},
     "gate-n-lamp": {"Lamps": "false"}, "gate-s-lamp": {"Lamps": "false"}})


@pytest.mark.parametrize("text, expected", [
    # 看台 is the place of the one device aliased 看台空调
    ("看台现在多少度？", [{"device": "stand-unit", "command": "State", "method": "get"}]),
    ("看台温度设到二十度", [_set("stand-unit", "Target", "20.0")]),
])
def test_place_names_learnt_from_aliases(text, expected):
    assert _actions(ZONES(text)) == expected


def test_sides_are_not_places():
    assert "北侧" not in ZONES.catalog.zh_words and "南侧" not in ZONES.catalog.zh_words


HEATER_Z = _profile("Tank-Heater", [_res("Target", "Float32", units="°C", minimum=40, maximum=70)],
                    labels=["heater"])
GATE = _profile("Gate-Arm", [_res("Locked", "Bool", description="true = locked, false = free")])
CLUB = building([HEATER_Z, GATE], [
    ("home-heater", "Tank-Heater", "room:home-locker", ["alias:主场更衣室热水器"]),
    ("away-heater", "Tank-Heater", "room:away-locker", ["alias:客场更衣室热水器"]),
    ("gate-n", "Gate-Arm", "area:entrance", ["alias:北侧闸机"]),
    ("gate-s", "Gate-Arm", "area:entrance", ["alias:南闸机"])],
    {"home-heater": {"Target": "55"}, "away-heater": {"Target": "55"},
     "gate-n": {"Locked": "false"}, "gate-s": {"Locked": "false"}})


@pytest.mark.parametrize("text, expected", [
    # 更衣室 is the place word both learnt place names share: both places
    ("两个更衣室的热水器都设到六十度", [_set("away-heater", "Target", "60.0"),
                                         _set("home-heater", "Target", "60.0")]),
    # 闸机 after a side (北侧, 南) is the kind word of both gates
    ("两个闸机都锁上", [_set("gate-n", "Locked", "true"), _set("gate-s", "Locked", "true")]),
    ("北侧闸机锁上", [_set("gate-n", "Locked", "true")]),
])
def test_shared_chinese_place_and_kind_words(text, expected):
    assert _actions(CLUB(text)) == expected


def test_a_shared_place_word_without_a_group_word_is_ambiguous():
    result = CLUB("更衣室的热水器设到六十度")
    assert result.actions == [] and result.refusal == "ambiguous"


VAT = building([_profile("Chill-Vat", [
    _res("Cooling", "Bool", description="Refrigeration: true = cooling, false = off"),
    _res("Stirrer", "Bool", description="Paddle: true = turning")])],
    [("cold-vat", "Chill-Vat", "room:dairy", ["alias:奶罐"])],
    {"cold-vat": {"Cooling": "false", "Stirrer": "false"}})


def test_a_part_no_word_reads_is_not_the_main_switch():
    # 搅拌器 is read by nothing here: never switch the vat's cooling on instead
    result = VAT("奶罐的搅拌器开一下")
    assert result.actions == [] and result.refusal is not None
    assert _actions(VAT("奶罐的制冷打开")) == [_set("cold-vat", "Cooling", "true")]


def test_a_decimal_after_a_place_is_a_value_not_its_number():
    # "the foyer 71.5 °F" is no place "foyer 71"
    assert _actions(ZONES("make the foyer 71.5 °F")) == [_set("foyer-unit", "Target", "21.9")]


def test_number_word_before_an_id():
    fans = building([FAN], [("shed-fan-1", "Shed-Fan", "area:shed", []),
                            ("shed-fan-2", "Shed-Fan", "area:shed", [])],
                    {"shed-fan-1": {"FanOn": "true", "Opening": "0"},
                     "shed-fan-2": {"FanOn": "true", "Opening": "0"}})
    assert _actions(fans("switch off fan number two in the shed")) == [
        _set("shed-fan-2", "FanOn", "false")]


PLANT = building([_profile("Fluid-Heater", [_res("HeaterOn", "Bool"), _res(
    "Target", "Float32", units="°C", minimum=40, maximum=70)], labels=["heater"]), _profile(
    "Air-Handler", [_res("FreshAir", "Int16", units="%", minimum=0, maximum=100,
                         description="Fresh-air damper: 0 = closed, 100 = fully open")])], [
    ("pad-heater", "Fluid-Heater", "area:de-icing-pad", ["alias:除冰液加热器"]),
    ("hall-2-ahu", "Air-Handler", "room:auditorium-2", ["alias:2号厅空调", "alias:二号厅空调机组"])],
    {"pad-heater": {"HeaterOn": "false", "Target": "60"}, "hall-2-ahu": {"FreshAir": "20"}})


@pytest.mark.parametrize("text", [
    "打开洗手间的热水器",             # a place the catalog lacks, after a verb: never the pad heater
    "打开二号厅的烟雾机",             # 烟雾机 is a thing (a haze machine), not "smoke" on the air handler
    "除冰液加热器这个月一共用了多少度电？",   # an energy total no setting or reading holds
])
def test_chinese_things_and_places_the_catalog_lacks_act_on_nothing(text):
    assert PLANT(text).actions == []


def test_a_distinctive_word_picks_the_device_without_naming_it():
    rink = building([HVAC, _profile("Brine-Chiller", [
        _res("BrineSetpoint", "Float32", units="°C", minimum=-12, maximum=-4),
        _res("BrineSupplyTemp", "Float32", "R", units="°C")])], [
        ("stand-unit", "Zone-Hvac", "area:stands", []),
        ("foyer-unit", "Zone-Hvac", "room:foyer", []),
        ("ice-plant", "Brine-Chiller", "room:plant-room", [])],
        {"stand-unit": {"Target": "18", "Temp": "17"}, "foyer-unit": {"Target": "21", "Temp": "20"},
         "ice-plant": {"BrineSetpoint": "-7", "BrineSupplyTemp": "-7.2"}})
    # "brine" is no rival's word: the chiller's set point, not "several set points"
    assert _actions(rink("lower the brine setpoint by 1.5 degrees")) == [
        _set("ice-plant", "BrineSetpoint", "-8.5")]
    assert rink("lower the setpoint by 1.5 degrees").actions == []   # still ambiguous


def test_a_read_commands_own_name_answers_a_question():
    monitor = {"name": "Gas-Monitor", "manufacturer": "T", "model": "M", "labels": [],
               "deviceResources": [_res("CoPpm", "Float32", "R", units="ppm"),
                                   _res("No2Ppm", "Float32", "R", units="ppm")],
               "deviceCommands": [{"name": "GasReadings", "readWrite": "R", "resourceOperations": [
                   {"deviceResource": "CoPpm"}, {"deviceResource": "No2Ppm"}]}]}
    site = building([monitor, LAMP], [("bay-monitor", "Gas-Monitor", "room:garage", []),
                                      ("bay-lamp", "Lamp-Relay", "room:garage", [])],
                    {"bay-monitor": {"CoPpm": "3", "No2Ppm": "0.1"}, "bay-lamp": {"Lamps": "true"}})
    get = [{"device": "bay-monitor", "command": "GasReadings", "method": "get"}]
    assert _actions(site("what are the gas readings in the garage?")) == get
    assert _actions(site("gas readings?")) == get


def test_the_weathers_it_names_no_device():
    mast = {"name": "Weather-Mast", "manufacturer": "T", "model": "M", "labels": [],
            "deviceResources": [_res("WindSpeed", "Float32", "R", units="m/s"),
                                _res("RainDetected", "Bool", "R")],
            "deviceCommands": [{"name": "Conditions", "readWrite": "R", "resourceOperations": [
                {"deviceResource": "WindSpeed"}, {"deviceResource": "RainDetected"}]}]}
    farm = building([mast, LAMP], [("mast", "Weather-Mast", "area:yard", []),
                                   ("yard-lamp", "Lamp-Relay", "area:yard", [])],
                    {"mast": {"WindSpeed": "4.2", "RainDetected": "false"},
                     "yard-lamp": {"Lamps": "false"}})
    get = [{"device": "mast", "command": "Conditions", "method": "get"}]
    assert _actions(farm("is it rainy?")) == get
    assert _actions(farm("how windy is it?")) == get
    assert farm("turn it on").actions == []   # a device's "it" still names nothing
