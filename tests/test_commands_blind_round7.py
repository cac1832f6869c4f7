"""Generic mechanisms found by the seventh and eighth blind buildings (an office and a pumping
station), each checked on a small made-up building of its own (names, rooms and words unlike the
datasets') and by requests that must not act."""
import pytest

from app_service.commands.catalog import Catalog
from app_service.commands.decisions import opening_sense
from app_service.commands.interpreter import Interpreter
from app_service.device_profiles import parse_device, parse_profile
from made_up_catalog import _actions, building, _profile, _res, _set


PROFILES = [
    # counted the other way round: 0 = open (a hatch that reports how far it is shut)
    _profile("Roof-Hatch", [
        _res("Travel", "Uint8", description="How far the hatch is shut: 0 = fully open, "
                                            "100 = fully closed, 50 = halfway",
             units="%", minimum=0, maximum=100),
        _res("Vanes", "Uint8", description="Vane angle: 0 = vanes level, 70 = vanes shut",
             units="°", minimum=0, maximum=70)]),
    _profile("Dock-Door", [
        _res("Lift", "Uint8", description="0 = closed, 100 = open", units="%", minimum=0,
             maximum=100)]),
    _profile("Guard-Station", [
        _res("Watch", "Bool", description="Station state: true = armed, false = disarmed"),
        _res("Breach", "Bool", "R", description="true while a sensor reports an intrusion")]),
    _profile("Press-Drive", [
        _res("Running", "Bool", description="true = running, false = stopped"),
        _res("StrokeRate", "Float32", units="Hz", minimum=10, maximum=60),
        _res("RamPressure", "Float32", units="bar", minimum=1, maximum=8),
        _res("OilPressure", "Float32", "R", units="bar", minimum=0, maximum=10),
        _res("Steps", "Uint8", minimum=1, maximum=5)]),
    _profile("Bay-Lighting", [
        _res("Level", "Uint8", units="%", minimum=0, maximum=100)], labels=["lighting"]),
    _profile("Wall-Screen", [
        _res("Power", "Bool", description="true = on, false = standby"),
        _res("Source", "String", description="Allowed values: dp1, dp2, cast."),
        _res("Loudness", "Uint8", units="%", minimum=0, maximum=100),
        _res("Muted", "Bool", description="true = speakers muted, false = audio on")]),
    _profile("Lift-Arm", [
        _res("ArmUp", "Bool", description="true = arm raised (lane open), false = arm lowered")]),
    _profile("Air-Terminal", [
        _res("AirflowDemand", "Uint8", units="%", minimum=0, maximum=100),
        _res("Louvre", "Uint8", description="0 = louvres horizontal, 80 = louvres shut",
             units="°", minimum=0, maximum=80)]),
    _profile("Fan-Bank", [
        _res("Stage", "Uint8", description="0 = off, 1 = low, 2 = high", minimum=0, maximum=2),
        _res("AutoStaging", "Bool", description="true = automatic staging from the sensor, "
                                                "false = manual (the fans hold Stage)")]),
    _profile("Dosing-Skid", [
        _res("ManualFeedRate", "Float32", units="mL/min", minimum=0, maximum=400),
        _res("DoseTarget", "Float32", units="mg/L", minimum=0.1, maximum=3)]),
    _profile("Tank-Gauge", [
        _res("Depth", "Float32", "R", units="m", minimum=0, maximum=9)], read="Gauge"),
    _profile("Hypo-Feeder", [
        _res("Feeding", "Bool", description="true = feeding, false = stopped"),
        _res("FeedMode", "String", description="Allowed values: flow-paced, manual.")]),
    _profile("Cassette-Unit", [
        _res("UnitOn", "Bool", description="true = unit running, false = unit off"),
        _res("Mode", "String", description="Allowed values: cool, heat, dry, auto.")],
        labels=["aircon"]),
    _profile("Zone-Box", [
        _res("Setpoint", "Float32", description="zone set point", units="°C", minimum=15,
             maximum=28)]),
    _profile("Kiln-Burner", [
        _res("TrialBurn", "Bool", description="true = start the burner for a trial burn, "
                                              "false = end the trial and stop the burner"),
        _res("Feed", "Bool", description="true = fuel feed allowed, false = feed paused"),
        _res("BurnerTemperature", "Float32", units="°C", minimum=10, maximum=40),
        _res("SafetyLock", "Bool", description="true = the burner only lights after the two-hand "
                                           "release, false = safety interlock disabled")]),
]
DEVICES = [
    ("atrium-hatch", "Roof-Hatch", "room:atrium", ["alias:中庭天窗"]),
    ("dock-door", "Dock-Door", "area:dock", []),
    ("guard-station", "Guard-Station", "room:lodge", ["alias:门卫报警"]),
    ("kiln-burner", "Kiln-Burner", "area:kiln-yard", ["alias:窑炉燃烧器"]),
    ("press-1", "Press-Drive", "area:stamping-hall", ["alias:1号压机"]),
    ("press-2", "Press-Drive", "area:stamping-hall", ["alias:2号压机"]),
    ("press-3", "Press-Drive", "area:stamping-hall", ["alias:3号压机"]),
    ("bay-lights", "Bay-Lighting", "area:loading-bay", []),
    ("screen-hall-x", "Wall-Screen", "room:studio-hall-x", ["alias:X厅大屏"]),
    ("screen-hall-y", "Wall-Screen", "room:studio-hall-y", []),
    ("yard-arm", "Lift-Arm", "area:parking", ["alias:入场道闸"]),
    ("terminal-copy", "Air-Terminal", "room:copy-closet", ["alias:复印间送风"]),
    ("fan-bank", "Fan-Bank", "area:tunnel", ["alias:隧道风机"]),
    ("dosing-skid", "Dosing-Skid", "room:chemical-store", ["alias:加药装置"]),
    ("settling-gauge", "Tank-Gauge", "area:settling-tank",
     ["alias:沉淀池液位计", "alias:沉淀池水位"]),
    ("cassette-lodge", "Cassette-Unit", "room:lodge", []),
    ("hypo-feeder", "Hypo-Feeder", "room:dosing-room", []),
    ("box-north", "Zone-Box", "room:print-shop-north", ["alias:北区末端"]),
    ("box-south", "Zone-Box", "room:print-shop-south", ["alias:南区末端"]),
    ("box-a", "Zone-Box", "room:guest-room-a", ["alias:A客房末端", "alias:A客房温控"]),
    ("box-b", "Zone-Box", "room:guest-room-b", ["alias:B客房末端", "alias:B客房温控"]),
]
STATE = {"box-north": {"Setpoint": "20"}, "dosing-skid": {"ManualFeedRate": "80", "DoseTarget": "1.2"},
         "settling-gauge": {"Depth": "3.2"}, "bay-lights": {"Level": "40"},
         **{f"press-{i}": {"Running": "true", "StrokeRate": "40", "RamPressure": "5",
                           "Steps": "3"}
            for i in (1, 2, 3)}, "atrium-hatch": {"Travel": "40", "Vanes": "30"}, "dock-door": {"Lift": "40"}}


@pytest.fixture(scope="module")
def plant():
    return building(PROFILES, DEVICES, STATE)


@pytest.mark.parametrize("device, resource, sense", [
    ("atrium-hatch", "Travel", -1), ("atrium-hatch", "Vanes", -1), ("dock-door", "Lift", 1)])
def test_opening_sense_from_the_description(plant, device, resource, sense):
    assert opening_sense(plant.catalog.entries[device].resources[resource]) == sense


@pytest.mark.parametrize("text, expected", [
    ("open the atrium hatch all the way", [_set("atrium-hatch", "Travel", "0")]),
    ("close the atrium hatch fully", [_set("atrium-hatch", "Travel", "100")]),
    ("open the atrium hatch a bit more", [_set("atrium-hatch", "Travel", "30")]),
    ("lower the atrium hatch by 20 percent", [_set("atrium-hatch", "Travel", "60")]),
    ("close the vanes on the atrium hatch a bit", [_set("atrium-hatch", "Vanes", "45")]),
    ("tilt the atrium hatch vanes fully shut", [_set("atrium-hatch", "Vanes", "70")]),
    ("open the dock door all the way", [_set("dock-door", "Lift", "100")]),
    ("中庭天窗升到顶", [_set("atrium-hatch", "Travel", "0")]),
    ("中庭天窗降到底", [_set("atrium-hatch", "Travel", "100")]),
    ("open the vanes on the atrium hatch", [_set("atrium-hatch", "Vanes", "0")]),
    # no device said: the setting named decides, never a barrier whose description says "open"
    ("open the vanes", [_set("atrium-hatch", "Vanes", "0")]),
    ("close the vanes", [_set("atrium-hatch", "Vanes", "70")]),
    ("open the dock door a bit more", [_set("dock-door", "Lift", "50")]),
])
def test_open_and_close_follow_the_described_ends(plant, text, expected):
    assert _actions(plant(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("disarm the guard station", [_set("guard-station", "Watch", "false")]),
    ("arm the guard station", [_set("guard-station", "Watch", "true")]),
    ("we're on site now, disarm the guard station", [_set("guard-station", "Watch", "false")]),
    ("门卫报警布防", [_set("guard-station", "Watch", "true")]),
    ("门卫报警撤防", [_set("guard-station", "Watch", "false")]),
    ("kick off a trial burn on the kiln burner", [_set("kiln-burner", "TrialBurn", "true")]),
    ("窑炉燃烧器做一次试车", [_set("kiln-burner", "TrialBurn", "true")]),
    ("pause the feed on the kiln burner", [_set("kiln-burner", "Feed", "false")]),
    ("turn the safety lock on for the kiln burner", [_set("kiln-burner", "SafetyLock", "true")]),
    ("turn the safety lock off on the kiln burner", [_set("kiln-burner", "SafetyLock", "false")]),
    # 打开 a lock whose false side is "disabled" enables it (a door lock's 打开 still unlocks)
    ("打开窑炉燃烧器的安全锁", [_set("kiln-burner", "SafetyLock", "true")]),
])
def test_verbs_take_their_value_from_the_description(plant, text, expected):
    assert _actions(plant(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("set every print-shop zone to 21 degrees",
     [_set("box-north", "Setpoint", "21.0"), _set("box-south", "Setpoint", "21.0")]),
    ("set the north print-shop zone to 21 degrees", [_set("box-north", "Setpoint", "21.0")]),
    ("北区温度设到二十一度", [_set("box-north", "Setpoint", "21.0")]),
    ("所有客房温度设成二十二度", [_set("box-a", "Setpoint", "22.0"), _set("box-b", "Setpoint", "22.0")]),
])
def test_place_words_said_another_way(plant, text, expected):
    assert _actions(plant(text)) == expected


@pytest.mark.parametrize("text, reason", [
    ("把C客房温度调到22度", "unknown_device"),       # only guest rooms A and B exist
    ("set the temperature to 22", "ambiguous"),      # zone boxes and the burner all have one
    ("2号窑炉燃烧器停一下", "unknown_device"),           # one burner, and it has no number
    ("pause the feed on kiln burner 2", "unknown_device"),
])
def test_place_and_kind_that_single_nothing_out(plant, text, reason):
    result = plant(text)
    assert result.actions == [] and result.refusal == reason, (result.refusal, result.message)


@pytest.mark.parametrize("text, expected", [
    ("slow presses 1 and 3 by 2 Hz each",
     [_set("press-1", "StrokeRate", "38.0"), _set("press-3", "StrokeRate", "38.0")]),
    ("stop presses 1, 2 and 3", [_set(f"press-{i}", "Running", "false") for i in (1, 2, 3)]),
    ("run press 2 at forty-four hertz",
     [_set("press-2", "Running", "true"), _set("press-2", "StrokeRate", "44.0")]),
    ("set press 1 to 450 kpa", [_set("press-1", "RamPressure", "4.5")]),
    ("it's a bit dim in the loading bay", [_set("bay-lights", "Level", "50")]),
    ("make it a bit dim in the loading bay", [_set("bay-lights", "Level", "30")]),   # a request
])
def test_numbers_units_and_complaints(plant, text, expected):
    assert _actions(plant(text)) == expected


@pytest.mark.parametrize("text", [
    "stop presses 1 and 4",          # press 4 does not exist: never stop only press 1
    "start press 4",
    "5号压机停一下",
])
def test_numbered_devices_that_do_not_exist(plant, text):
    result = plant(text)
    assert result.actions == [] and result.refusal == "unknown_device", result.message


@pytest.mark.parametrize("text, expected", [
    ("put the hall X screen on DP 2", [_set("screen-hall-x", "Source", "dp2")]),
    ("turn the hall Y display volume down by 15", []),
    ("switch on the screen in hall Y", [_set("screen-hall-y", "Power", "true")]),
    ("set the copy room airflow to 40 percent", [_set("terminal-copy", "AirflowDemand", "40")]),
    ("复印间送风风量开到百分之七十", [_set("terminal-copy", "AirflowDemand", "70")]),
    ("复印间送风的叶片调平", [_set("terminal-copy", "Louvre", "0")]),
    ("入场道闸抬杆", [_set("yard-arm", "ArmUp", "true")]),
    ("lower the boom in the car park", [_set("yard-arm", "ArmUp", "false")]),
])
def test_names_and_synonyms(plant, text, expected):
    result = plant(text)
    if expected:
        assert _actions(result) == expected, (result.refusal, result.message)
    else:   # hall Y's state is not in STATE: a relative change there cannot be computed
        assert result.actions == [] and result.refusal == "unsupported"


@pytest.mark.parametrize("text", [
    "turn the hall X screen to DP 3",     # dp1/dp2 only
    "put the hall X screen on cast 2",    # one input called cast: never Loudness 2
])
def test_an_input_the_device_lacks_is_no_number(plant, text):
    result = plant(text)
    assert result.actions == [] and result.refusal == "unsupported"


@pytest.mark.parametrize("text, expected", [
    ("switch the tunnel fans to manual control", [_set("fan-bank", "AutoStaging", "false")]),
    ("put the tunnel fans into automatic mode", [_set("fan-bank", "AutoStaging", "true")]),
    ("隧道风机改成手动", [_set("fan-bank", "AutoStaging", "false")]),
    ("turn off the tunnel fans", [_set("fan-bank", "Stage", "0")]),
    ("set the dosing skid feed rate to 120 mL/min", [_set("dosing-skid", "ManualFeedRate", "120.0")]),
    ("加药装置的投加速率设为每分钟150毫升", [_set("dosing-skid", "ManualFeedRate", "150.0")]),
    ("加药装置投加速率翻一倍", [_set("dosing-skid", "ManualFeedRate", "160.0")]),
    ("dosing skid dose up by 0.3 mg/L", [_set("dosing-skid", "DoseTarget", "1.5")]),
])
def test_units_and_described_sides(plant, text, expected):
    result = plant(text)
    assert _actions(result) == expected, (result.refusal, result.message)


def test_turning_on_never_picks_a_way_of_working(plant):
    # "on" for a bank whose only switch is automatic/manual: no stage is named, nothing is safe
    assert plant("turn on the tunnel fans").actions == []


@pytest.mark.parametrize("text", ["沉淀池现在水位多少米", "沉淀池水位现在多大"])
def test_chinese_place_prefix_and_questions(plant, text):
    assert [a.to_dict() for a in plant(text).actions] == [
        {"device": "settling-gauge", "command": "Gauge", "method": "get"}]


@pytest.mark.parametrize("text, expected", [
    ("麻烦把X厅大屏打开，声音先静音",
     [_set("screen-hall-x", "Muted", "true"), _set("screen-hall-x", "Power", "true")]),
    ("press 2: raise the ram pressure by 1 bar", [_set("press-2", "RamPressure", "6.0")]),
    ("give press 1 one more step", [_set("press-1", "Steps", "4")]),
    ("put press 3's oil set point at 450 kPa", [_set("press-3", "RamPressure", "4.5")]),
    ("set the dosing feed rate to 90 mL/min", [_set("dosing-skid", "ManualFeedRate", "90.0")]),
    # one word of a long resource name beats a set point the words do not name
    ("double the feed rate on the dosing skid", [_set("dosing-skid", "ManualFeedRate", "160.0")]),
])
def test_carried_subjects_amounts_and_set_points(plant, text, expected):
    result = plant(text)
    assert _actions(result) == expected, (result.refusal, result.message)


@pytest.mark.parametrize("text, expected", [
    ("turn the lodge aircon on", [_set("cassette-lodge", "UnitOn", "true")]),
    ("turn on the AC in the lodge", [_set("cassette-lodge", "UnitOn", "true")]),
    ("put the lodge AC on heat", [_set("cassette-lodge", "Mode", "heat")]),
])
def test_an_aircon_with_its_own_switch_is_switched_not_set_to_cool(plant, text, expected):
    result = plant(text)
    assert _actions(result) == expected, (result.refusal, result.message)


def test_asking_for_dark_never_brightens(plant):
    assert all(a.values != {"Level": "50"} for a in plant("make it dark in the loading bay").actions)


@pytest.mark.parametrize("text, expected", [
    ("stop all presses in the stamping room", [_set(f"press-{i}", "Running", "false") for i in (1, 2, 3)]),
    ("窑炉燃烧器试车结束", [_set("kiln-burner", "TrialBurn", "false")]),
    ("中庭天窗开一点", [_set("atrium-hatch", "Travel", "30")]),
])
def test_place_said_with_another_generic_word_and_chinese_verbs(plant, text, expected):
    result = plant(text)
    assert _actions(result) == expected, (result.refusal, result.message)


@pytest.mark.parametrize("text", [
    "桑拿房里的压机全部停下",    # a room the catalog lacks, said before the devices
    "1号压机开一点",             # "open a bit" names no setting of a press
])
def test_unread_chinese_place_and_open_on_no_opening(plant, text):
    result = plant(text)
    assert not any(a.values and set(a.values) - {"Running"} for a in result.actions), result.actions
    if text.startswith("桑拿"):
        assert result.actions == [] and result.refusal == "unknown_device"


def test_a_door_lock_is_never_switched_by_on_or_off():
    """Only a lock whose description's false side is 'disabled' (a child or safety lock) takes
    on/off; a door lock ("false = unlocked") must not be unlocked by "turn off"."""
    profile = parse_profile(_profile("Strike-Lock", [
        _res("Locked", "Bool", description="true = locked, false = unlocked")]), "test")
    device = parse_device({"name": "vault-door", "profileName": "Strike-Lock", "serviceName": "s",
                           "labels": ["room:vault"], "protocols": {"other": {"Address": "1"}}},
                          "test")
    interpreter = Interpreter(Catalog.from_store({"Strike-Lock": profile}, {"vault-door": device}))
    for text in ("turn off the vault door lock", "turn the vault lock off", "关掉金库门锁"):
        actions = interpreter.interpret(text, lambda d, c: {"Locked": "true"}).actions
        assert all(a.values != {"Locked": "false"} for a in actions), text   # (关掉 = close: locks)


@pytest.mark.parametrize("text", [
    "start press 1 and everything else off",
    "start press 1 and turn the rest off",
    "把1号压机启动，其他都关掉",
])
def test_everything_else_leaves_the_devices_already_named(plant, text):
    """(it switched the device just named the other way: "turn on the kitchen light and
    everything else off" turned the kitchen light off)"""
    actions = plant(text).actions
    press_1 = [a.values for a in actions if a.device == "press-1"]
    assert press_1 == [{"Running": "true"}], actions
    assert {"press-2", "press-3"} <= {a.device for a in actions}


def test_an_air_curtain_is_no_curtain():
    """Multi-word kinds in catalog names are joined as in utterances ("air curtain"), so "close
    both dock shutters" is not refused because an air curtain at the dock looked like a blind."""
    profiles = [
        _profile("Roller-Shutter", [_res("Closure", "Uint8", units="%", minimum=0, maximum=100,
                                          description="0 = fully open (rolled up), 100 = fully closed")]),
        _profile("Air-Curtain", [_res("Enabled", "Bool", description="true = running, false = off")])]
    devices = [("dock-shutter-1", "Roller-Shutter"), ("dock-shutter-2", "Roller-Shutter"),
               ("dock-air-curtain", "Air-Curtain")]
    catalog = Catalog.from_store(
        {p["name"]: parse_profile(p, "test") for p in profiles},
        {n: parse_device({"name": n, "profileName": p, "serviceName": "s",
                          "labels": ["area:loading-dock"], "protocols": {"other": {"Address": "1"}}},
                         "test") for n, p in devices})
    run = Interpreter(catalog).interpret
    assert "blind" not in catalog.entries["dock-air-curtain"].words
    assert _actions(run("close both dock shutters")) == [
        _set("dock-shutter-1", "Closure", "100"), _set("dock-shutter-2", "Closure", "100")]
    assert _actions(run("turn on the air curtain")) == [_set("dock-air-curtain", "Enabled", "true")]


@pytest.mark.parametrize("text, expected", [
    ("turn on the freezer store", []), ("switch the freezer store off", []),
    ("start the freezer store", []),
    ("defrost the freezer store", [_set("freezer-store", "DefrostNow", "true")]),
    ("start a defrost in the freezer store", [_set("freezer-store", "DefrostNow", "true")]),
])
def test_a_write_only_trigger_is_no_power_switch(text, expected):
    """"Write true to start a defrost cycle" (nothing for false): "turn on/off" or "start" the
    room never writes it; only its own words (defrost) do."""
    profile = parse_profile(_profile("Cold-Store", [
        _res("Setpoint", "Float32", units="°C", minimum=-30, maximum=-10),
        _res("DefrostNow", "Bool", description="write true to start a defrost cycle")]), "test")
    device = parse_device({"name": "freezer-store", "profileName": "Cold-Store",
                           "serviceName": "s", "labels": ["room:freezer-store"],
                           "protocols": {"other": {"Address": "1"}}}, "test")
    interpreter = Interpreter(Catalog.from_store({"Cold-Store": profile}, {"freezer-store": device}))
    assert _actions(interpreter.interpret(text, lambda d, c: {"Setpoint": "-20"})) == expected


@pytest.mark.parametrize("text, expected", [
    ("compressor pressure up 10 psi", [_set("compressor", "CutOut", "130.0")]),
    ("set the compressor pressure to 9 bar", [_set("compressor", "CutOut", "130.53")]),
    ("set the tank pressure to 140 psi", []),      # the measured one, named: read-only
])
def test_a_concept_said_goes_to_the_set_point_beside_the_measurement(text, expected):
    profile = parse_profile(_profile("Air-Compressor", [
        _res("CutOut", "Float32", description="Cut-out pressure set point", units="psi",
             minimum=80, maximum=150),
        _res("TankPressure", "Float32", "R", units="psi", minimum=0, maximum=200)]), "test")
    device = parse_device({"name": "compressor", "profileName": "Air-Compressor",
                           "serviceName": "s", "labels": ["room:plant"],
                           "protocols": {"other": {"Address": "1"}}}, "test")
    interpreter = Interpreter(Catalog.from_store({"Air-Compressor": profile},
                                                 {"compressor": device}))
    state = {"CutOut": "120.0", "TankPressure": "110.0"}
    assert _actions(interpreter.interpret(text, lambda d, c: state)) == expected


@pytest.fixture(scope="module")
def tower():
    profiles = [
        _profile("Corridor-Lighting", [
            _res("LightsOn", "Bool", description="true = lights on, false = off"),
            _res("MotionMode", "Bool", description="true = lights follow the motion sensor, "
                                                   "false = manual"),
            _res("Level", "Uint8", units="%", minimum=5, maximum=100)]),
        _profile("Pool-Heat-Pump", [
            _res("Power", "Bool", description="true = on, false = off"),
            _res("WaterSetpoint", "Float32", units="°C", minimum=20, maximum=32),
            _res("Mode", "String", description="Allowed values: heat, cool, auto.")]),
        _profile("Lift-Monitor", [_res("Floor", "Int16", "R", minimum=-2, maximum=30)]),
        _profile("Water-Heater", [_res("TankSetpoint", "Float32", units="°C", minimum=45,
                                       maximum=75)])]
    devices = [("corridor-lights-l1", "Corridor-Lighting", "area:level-1", []),
               ("pool-heat-pump", "Pool-Heat-Pump", "room:pool-hall", ["alias:泳池热泵"]),
               ("lift-a", "Lift-Monitor", "area:core", ["alias:A梯"]),
               ("hot-water-heater", "Water-Heater", "room:plant-room", [])]
    catalog = Catalog.from_store(
        {p["name"]: parse_profile(p, "test") for p in profiles},
        {n: parse_device({"name": n, "profileName": p, "serviceName": "s", "labels": [pl, *al],
                          "protocols": {"other": {"Address": "1"}}}, "test")
         for n, p, pl, al in devices})
    state = {"pool-heat-pump": {"WaterSetpoint": "28.0"},
             "corridor-lights-l1": {"LightsOn": "true", "Level": "60"}}
    return lambda text: Interpreter(catalog).interpret(text, lambda d, c: state.get(d, {}))


@pytest.mark.parametrize("text, expected", [
    # the device's own word "lights" does not make LightsOn the thing named: manual is the side
    ("switch the level 1 corridor lights to manual",
     [_set("corridor-lights-l1", "MotionMode", "false")]),
    # "heat" of "heat pump" is its name, not the mode heat nor its temperature
    ("turn the pool heat pump on", [_set("pool-heat-pump", "Power", "true")]),
    ("turn off the pool heat pump", [_set("pool-heat-pump", "Power", "false")]),
    ("泳池热泵关掉", [_set("pool-heat-pump", "Power", "false")]),
    ("pool heat pump to cool", [_set("pool-heat-pump", "Mode", "cool")]),
    ("A梯在几楼", [{"device": "lift-a", "command": "State", "method": "get"}]),
    # "water" said in the pool hall is the pool's water, not the hot-water heater elsewhere
    ("泳池水温调到二十九度", [_set("pool-heat-pump", "WaterSetpoint", "29.0")]),
    ("set the pool water to 29", [_set("pool-heat-pump", "WaterSetpoint", "29.0")]),
    ("hot water to 70", [_set("hot-water-heater", "TankSetpoint", "70.0")]),
    # "a bit" after a device word is no id "a" (lift-a has one)
    ("dim the level 1 corridor a bit", [_set("corridor-lights-l1", "Level", "50")]),
])
def test_words_of_the_device_name_are_not_its_settings(tower, text, expected):
    result = tower(text)
    assert _actions(result) == expected, (result.refusal, result.message)


@pytest.mark.parametrize("text, expected", [
    ("set the temperature in A to 22", [_set("box-a", "Setpoint", "22.0")]),
    ("set the temperature in B to 22", [_set("box-b", "Setpoint", "22.0")]),
])
def test_a_capital_letter_after_in_names_a_lettered_place(plant, text, expected):
    assert _actions(plant(text)) == expected


def test_lower_case_in_a_stays_an_article(plant):
    assert plant("set the temperature in a room to 22").actions == []


def test_a_place_phrase_that_is_a_device_name_names_the_device():
    """"the server room AC" where no place is a server room but a device is server-ac."""
    profiles = [_profile("Split-AC", [
        _res("OnOff", "Bool", description="true = running, false = off"),
        _res("SetTemperature", "Float32", units="°C", minimum=16, maximum=30)])]
    devices = [("server-ac", "room:it-closet"), ("office-ac", "room:office")]
    catalog = Catalog.from_store(
        {"Split-AC": parse_profile(profiles[0], "test")},
        {n: parse_device({"name": n, "profileName": "Split-AC", "serviceName": "s",
                          "labels": [pl], "protocols": {"other": {"Address": "1"}}}, "test")
         for n, pl in devices})
    run = Interpreter(catalog).interpret
    assert _actions(run("set the server room AC to 19")) == [
        _set("server-ac", "SetTemperature", "19.0")]
    assert run("set the bathroom AC to 19").refusal == "unknown_device"


@pytest.fixture(scope="module")
def farm():
    profiles = [
        _profile("Roof-Vent", [_res("Opening", "Uint8", units="%", minimum=0, maximum=100)]),
        _profile("Climate-Controller", [
            _res("HeatingSetpoint", "Float32", units="°C", minimum=5, maximum=30),
            _res("RH", "Float32", "R", units="%RH", minimum=0, maximum=100)]),
        _profile("Irrigation-Valve", [
            _res("Open", "Bool", description="true = watering, false = closed")])]
    devices = [("vent-house-1", "Roof-Vent", "area:house-1", []),
               ("climate-house-1", "Climate-Controller", "area:house-1", []),
               ("valve-zone-1", "Irrigation-Valve", "area:house-1", ["alias:一号区灌溉阀"])]
    catalog = Catalog.from_store(
        {p["name"]: parse_profile(p, "test") for p in profiles},
        {n: parse_device({"name": n, "profileName": p, "serviceName": "s", "labels": [pl, *al],
                          "protocols": {"other": {"Address": "1"}}}, "test")
         for n, p, pl, al in devices})
    state = {"vent-house-1": {"Opening": "20"}}
    return lambda text: Interpreter(catalog).interpret(text, lambda d, c: state.get(d, {}))


@pytest.mark.parametrize("text, expected", [
    # "roof" is a word of the profile's name Roof-Vent, not an unknown thing
    ("open the roof vent in house 1 a bit", [_set("vent-house-1", "Opening", "30")]),
    ("start watering in house 1", [_set("valve-zone-1", "Open", "true")]),
    ("把灌溉阀卖了", []),   # 灌溉 is a noun here, never a verb that opens it
])
def test_profile_words_and_watering(farm, text, expected):
    result = farm(text)
    assert _actions(result) == expected, (result.refusal, result.message)


def test_a_verb_about_the_read_only_thing_named_never_moves_another():
    """"close the sprinkler valve" where the valve is read-only supervision and the same module
    has a writable shutter whose description also says closed: refused, never the shutter."""
    profile = parse_profile(_profile("Fire-Zone", [
        _res("ShutterOpen", "Bool", description="true = raised (open), false = lowered (closed)"),
        _res("ValveOpen", "Bool", "R", description="Sprinkler valve supervision: true = valve "
                                                   "open, false = valve closed")]), "test")
    device = parse_device({"name": "fire-zone-north", "profileName": "Fire-Zone",
                           "serviceName": "s", "labels": ["area:north-wing"],
                           "protocols": {"other": {"Address": "1"}}}, "test")
    run = Interpreter(Catalog.from_store({"Fire-Zone": profile},
                                         {"fire-zone-north": device})).interpret
    result = run("close the valve in the north wing")
    assert result.actions == [] and result.refusal == "read_only"
    assert _actions(run("close the fire shutter in the north wing")) == [
        _set("fire-zone-north", "ShutterOpen", "false")]


def test_a_hyphenated_value_said_with_or_without_the_hyphen(plant):
    for text in ("put the hypo feeder on flow-paced feeding", "switch the hypo feeder to flow paced"):
        assert _actions(plant(text)) == [_set("hypo-feeder", "FeedMode", "flow-paced")], text


@pytest.mark.parametrize("text, expected", [
    ("把1号压机的频率调高2赫兹", [_set("press-1", "StrokeRate", "42.0")]),    # by 2 Hz
    ("中庭天窗开大百分之十五", [_set("atrium-hatch", "Travel", "25")]),        # by 15, opening = down
    ("加药装置投加量减少0.2", [_set("dosing-skid", "DoseTarget", "1.0")]),     # by 0.2, not to 0.2
])
def test_chinese_changes_by_an_amount(plant, text, expected):
    result = plant(text)
    assert _actions(result) == expected, (result.refusal, result.message)
