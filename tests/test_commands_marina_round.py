"""Generic mechanisms found by the eleventh blind building (a marina), each checked on a small
made-up building of its own (a sawmill: names, places and words unlike the datasets')."""
import pytest

from made_up_catalog import _actions, building, _profile, _res, _set


PROFILES = [
    _profile("Saw-Feeder", [
        _res("ContactorClosed", "Bool", description="Motor contactor: true = closed (current to "
                                                    "the saw), false = open (no current)"),
        _res("FeedAllowed", "Bool", description="Log feed permit: true = feed permitted, "
                                                "false = feed blocked"),
        _res("Amps", "Float32", "R", units="A", minimum=0, maximum=80)],
        labels=["saw", "log-cutter"]),
    _profile("Yard-Lamp", [
        _res("Lit", "Bool", description="Lamp circuit switched on (true) or off (false)"),
        _res("Glow", "Uint8", description="Lamp output in percent", units="%", minimum=0,
             maximum=100)], labels=["lighting"]),
    _profile("Pager", [   # "no page" says no call, not no power: never an "everything off"
        _res("Paging", "Bool", description="true = a page is sounding, false = no page")]),
    _profile("Yard-Gate", [
        _res("Latched", "Bool", description="Latch: true = locked, false = unlocked")]),
]
DEVICES = [
    ("saw-1", "Saw-Feeder", "area:cutting-shed", ["alias:一号锯"]),
    ("saw-2", "Saw-Feeder", "area:cutting-shed", ["alias:二号锯"]),
    ("shed-lamp", "Yard-Lamp", "area:cutting-shed", ["alias:锯棚灯"]),
    ("shed-pager", "Pager", "area:cutting-shed", []),
    ("log-yard-lamp-east", "Yard-Lamp", "area:log-yard-east", ["alias:东堆场灯"]),
    ("log-yard-lamp-west", "Yard-Lamp", "area:log-yard-west", ["alias:西堆场灯"]),
    ("kiln-lamp", "Yard-Lamp", "area:drying-kiln", []),
    ("sawmill-gate", "Yard-Gate", "area:entrance", ["alias:大门"]),
]
STATE = {"saw-1": {"ContactorClosed": "false", "FeedAllowed": "false", "Amps": "0"},
         "saw-2": {"ContactorClosed": "true", "FeedAllowed": "true", "Amps": "12"},
         **{name: {"Lit": "false", "Glow": "50"} for name, profile, _, _ in DEVICES
            if profile == "Yard-Lamp"},
         "sawmill-gate": {"Latched": "true"}, "shed-pager": {"Paging": "true"}}


@pytest.fixture(scope="module")
def sawmill():
    return building(PROFILES, DEVICES, STATE)


@pytest.mark.parametrize("text, expected", [
    # the description's "no current" side is off, so a closed contactor is on: 打开 means on here,
    # not "open the contactor"; 断开 (disconnect) and "kill" are off
    ("打开一号锯", [_set("saw-1", "ContactorClosed", "true")]),
    ("把二号锯断开", [_set("saw-2", "ContactorClosed", "false")]),
    ("switch saw 1 on", [_set("saw-1", "ContactorClosed", "true")]),
    ("kill saw 2", [_set("saw-2", "ContactorClosed", "false")]),
    ("open the contactor on saw 2", [_set("saw-2", "ContactorClosed", "false")]),
    ("block the feed on saw 1", [_set("saw-1", "FeedAllowed", "false")]),
])
def test_the_on_side_comes_from_the_description(sawmill, text, expected):
    assert _actions(sawmill(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # "on <place>" is the place, not the particle; a "no current" side is a switch's off
    ("kill everything on the cutting shed", [
        _set("saw-1", "ContactorClosed", "false"), _set("saw-2", "ContactorClosed", "false"),
        _set("shed-lamp", "Lit", "false")]),
    # a profile's label phrase names its devices, not everything else in the place
    ("kill log cutter power on the cutting shed", [
        _set("saw-1", "ContactorClosed", "false"), _set("saw-2", "ContactorClosed", "false")]),
    ("turn on the lights on the cutting shed", [_set("shed-lamp", "Lit", "true")]),
    ("turn on the cutting shed lamp", [_set("shed-lamp", "Lit", "true")]),
])
def test_places_after_on_and_label_phrases(sawmill, text, expected):
    assert _actions(sawmill(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # the site said after "in" names no device whose kind was not said (the sawmill gate)
    ("switch every lamp in the sawmill on", [
        _set(n, "Lit", "true") for n in ("kiln-lamp", "log-yard-lamp-east", "log-yard-lamp-west",
                                         "shed-lamp")]),
    ("lock the sawmill gate", [_set("sawmill-gate", "Latched", "true")]),
    # a place word shared by lettered or qualified places names all of them, with a group word
    ("turn on both log yard lamps", [_set("log-yard-lamp-east", "Lit", "true"),
                                     _set("log-yard-lamp-west", "Lit", "true")]),
])
def test_group_words_hold(sawmill, text, expected):
    assert _actions(sawmill(text)) == expected


@pytest.mark.parametrize("text", [
    "bump both lamps up a bit",        # four lamps: "both" must agree
    "turn on the log yard lamp",       # one of two, nothing to choose between them
])
def test_counts_and_shared_places_never_guess(sawmill, text):
    result = sawmill(text)
    assert result.actions == [] and result.refusal == "ambiguous"


LETTERED = [("jetty-a-lamp", "Yard-Lamp", "area:jetty-a", ["alias:A栈道灯"]),
            ("jetty-b-lamp", "Yard-Lamp", "area:jetty-b", ["alias:B栈道灯"]),
            ("jetty-c-lamp", "Yard-Lamp", "area:jetty-c", [])]


def test_a_place_word_shared_by_lettered_places():
    run = building(PROFILES, LETTERED, {n: {"Lit": "true", "Glow": "40"} for n, *_ in LETTERED})
    assert _actions(run("switch off the jetty lamps")) == [
        _set(n, "Lit", "false") for n, *_ in LETTERED]
    assert run("switch off the jetty lamp").refusal == "ambiguous"
    assert run("dim both jetty lamps a bit").refusal == "ambiguous"


DUST = [_profile("Dust-Station", [   # (the side function listed first)
    _res("SlurryPumpActive", "Bool", description="Slurry pump: true = running, false = stopped"),
    _res("FanActive", "Bool", description="Extraction fan: true = running, false = stopped")])]
DUST[0]["description"] = "Dust station console: runs the extraction fan and the slurry pump " \
                         "beside it"


@pytest.mark.parametrize("text, expected", [
    # two switches and nothing said between them: the main function, named first by the profile
    ("开一下除尘站", [_set("dust-station", "FanActive", "true")]),
    ("turn on the dust station", [_set("dust-station", "FanActive", "true")]),
    # a verb that names one of them (抽: pump) decides
    ("除尘站开始抽", [_set("dust-station", "SlurryPumpActive", "true")]),
    ("stop the slurry pump on the dust station", [_set("dust-station", "SlurryPumpActive",
                                                        "false")]),
])
def test_main_function_and_verbs_break_ties(text, expected):
    run = building(DUST, [("dust-station", "Dust-Station", "area:saw-hall", ["alias:除尘站"])],
                   {"dust-station": {"FanActive": "false", "SlurryPumpActive": "false"}})
    assert _actions(run(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # switched on, then a value in a clause of its own that names no device: both, one device
    ("打开锯棚灯，亮度百分之六十", [_set("shed-lamp", "Glow", "60"), _set("shed-lamp", "Lit", "true")]),
    ("turn on the shed lamp, brightness 60%", [_set("shed-lamp", "Glow", "60"),
                                               _set("shed-lamp", "Lit", "true")]),
    # a first-person statement before the request is its reason, not a request
    ("we're finishing up, kill saw 2", [_set("saw-2", "ContactorClosed", "false")]),
    ("I'm heading home, lock the sawmill gate", [_set("sawmill-gate", "Latched", "true")]),
])
def test_clauses_that_name_no_device(sawmill, text, expected):
    assert _actions(sawmill(text)) == expected


def test_a_statement_alone_is_still_refused(sawmill):
    assert sawmill("we're finishing up").refusal == "unrelated"


def test_lettered_devices_listed_before_their_shared_alias_words():
    # devices listed before the words their aliases share: each by its own alias
    run = building(PROFILES, LETTERED, {n: {"Lit": "true", "Glow": "40"} for n, *_ in LETTERED})
    assert _actions(run("A和B栈道灯都关了")) == [_set("jetty-a-lamp", "Lit", "false"),
                                            _set("jetty-b-lamp", "Lit", "false")]


@pytest.mark.parametrize("text, expected", [
    ("东堆场和西堆场的灯都调到百分之三十", [_set("log-yard-lamp-east", "Glow", "30"),
                                   _set("log-yard-lamp-west", "Glow", "30")]),
    ("把锯棚灯也开了", [_set("shed-lamp", "Lit", "true")]),      # 开了: on
    ("锯棚灯开了吧", [_set("shed-lamp", "Lit", "true")]),
    ("打开一号锯，顺便把锯棚灯也开了", [_set("saw-1", "ContactorClosed", "true"),
                             _set("shed-lamp", "Lit", "true")]),
])
def test_chinese_lists_and_verbs(sawmill, text, expected):
    assert _actions(sawmill(text)) == expected


def test_a_listed_spelling_no_device_has_lists_nothing(sawmill):
    # 北堆场灯 is no alias: the pair is not read as a list, so the west lamp is not added
    result = sawmill("北堆场和西堆场的灯都关了")
    assert "log-yard-lamp-east" not in {a.device for a in result.actions}


WEATHER = [
    _profile("Wind-Mast", [_res("WindSpeed", "Float32", "R", units="m/s", minimum=0, maximum=60),
                           _res("AirTemp", "Float32", "R", units="°C", minimum=-40, maximum=50)]),
    _profile("Shed-Fan-Coil", [
        _res("FanSpeed", "Uint8", description="0 = off, 3 = high", minimum=0, maximum=3),
        _res("RoomTemp", "Float32", "R", units="°C", minimum=-10, maximum=50)]),
]


@pytest.mark.parametrize("text, expected", [
    # 风速 is the wind's speed; a fan's speed where a place's fan coil is meant
    ("现在风速多少？", [{"device": "mast", "command": "State", "method": "get"}]),
    ("锯棚风速调到二档", [_set("shed-coil", "FanSpeed", "2")]),
])
def test_wind_speed_and_fan_speed(text, expected):
    run = building(WEATHER, [("mast", "Wind-Mast", "area:log-yard", []),
                             ("shed-coil", "Shed-Fan-Coil", "area:saw-shed", ["alias:锯棚风机盘管"])],
                   {"mast": {"WindSpeed": "4.0", "AirTemp": "10"},
                    "shed-coil": {"FanSpeed": "1", "RoomTemp": "15"}})
    assert _actions(run(text)) == expected


CAMERA = _profile("Yard-Camera", [
    _res("Preset", "Uint8", description="Stored view: 1 = log yard east, 2 = cutting shed, "
                                        "3 = drying kiln, 4 = entrance", minimum=1, maximum=4),
    _res("Recording", "Bool", description="true = recording, false = not recording")])


@pytest.fixture(scope="module")
def watched():
    devices = DEVICES + [("shed-camera", "Yard-Camera", "area:cutting-shed", ["alias:锯棚摄像头"]),
                         ("gate-camera", "Yard-Camera", "area:entrance", [])]
    state = {**STATE, "shed-camera": {"Preset": "2", "Recording": "true"},
             "gate-camera": {"Preset": "4", "Recording": "true"}}
    return building(PROFILES + [CAMERA], devices, state)


@pytest.mark.parametrize("text, expected", [
    # a place after at/to is where to point, when the device's description names it a value
    ("point the shed camera at the drying kiln", [_set("shed-camera", "Preset", "3")]),
    ("swing the gate camera round to the log yard east", [_set("gate-camera", "Preset", "1")]),
    ("turn both cameras to the entrance", [_set("gate-camera", "Preset", "4"),
                                           _set("shed-camera", "Preset", "4")]),
    # otherwise a place is still where the device is
    ("switch off the lamp at the drying kiln", [_set("kiln-lamp", "Lit", "false")]),
    ("stop recording on the camera at the entrance", [_set("gate-camera", "Recording", "false")]),
])
def test_a_place_aimed_at_is_a_described_value(watched, text, expected):
    assert _actions(watched(text)) == expected


def test_everything_at_a_place_is_no_aim(watched):
    assert {a.device for a in watched("everything off at the entrance").actions} <= {
        "gate-camera", "sawmill-gate"}


HORN = [_profile("Yard-Signal", [
    _res("Hoot", "Bool", "W", description="Trigger: write true to sound one warning wail"),
    _res("HornFault", "Bool", "R", description="Horn driver fault flag, read-only: true = fault")])]


@pytest.mark.parametrize("text, expected", [
    # the trigger's object said ("wail"), not the fault flag the device's own word matches
    ("give a wail on the yard horn", [_set("yard-horn", "Hoot", "true")]),
    ("lock the sawmill gate and give a wail on the yard horn",
     [_set("sawmill-gate", "Latched", "true"), _set("yard-horn", "Hoot", "true")]),
    ("is the yard horn ok", [{"device": "yard-horn", "command": "State", "method": "get"}]),
    ("turn off the yard horn", []),
])
def test_a_trigger_named_by_its_object(text, expected):
    run = building(PROFILES + HORN, DEVICES + [("yard-horn", "Yard-Signal", "area:entrance", [])],
                   {**STATE, "yard-horn": {"HornFault": "false"}})
    assert _actions(run(text)) == expected


CRADLE = [_profile("Log-Cradle", [
    _res("Travel", "String", description="Cradle travel, a lowercase string. Allowed values: "
                                         "raise, lower, stop"),
    _res("LoadKg", "Float32", "R", units="kg", minimum=0, maximum=5000)])]


@pytest.mark.parametrize("text, expected", [
    # only the device said: its one setting whose values are directions takes the direction
    ("一号吊架升起来", [_set("cradle-1", "Travel", "raise")]),
    ("把一号吊架放下去", [_set("cradle-1", "Travel", "lower")]),
    # a stop said, where the values name one
    ("二号吊架停住", [_set("cradle-2", "Travel", "stop")]),
    ("stop cradle 2", [_set("cradle-2", "Travel", "stop")]),
])
def test_a_moving_setting_named_by_its_device(text, expected):
    run = building(CRADLE, [("cradle-1", "Log-Cradle", "area:log-yard", ["alias:一号吊架"]),
                            ("cradle-2", "Log-Cradle", "area:log-yard", ["alias:二号吊架"])],
                   {n: {"Travel": "stop", "LoadKg": "0"} for n in ("cradle-1", "cradle-2")})
    assert _actions(run(text)) == expected


KIOSK = [_profile("Timber-Kiosk", [
    _res("PricePerTonne", "Float32", "R", units="EUR/t", minimum=0, maximum=1000),
    _res("PondDepth", "Float32", "R", units="m", minimum=0, maximum=5)])]


@pytest.mark.parametrize("text, expected", [
    # a price the readings carry is a reading; "where's X at" asks how far it got, a reading
    ("what's the timber price on the kiosk today?", [{"device": "kiosk", "command": "State",
                                                      "method": "get"}]),
    ("where's the pond depth at, in feet?", [{"device": "kiosk", "command": "State",
                                              "method": "get"}]),
    # what no reading carries stays refused
    ("who installed the kiosk?", []),
    ("what's the price of the sawmill gate?", []),
])
def test_questions_a_reading_answers(text, expected):
    run = building(PROFILES + KIOSK, DEVICES + [("kiosk", "Timber-Kiosk", "area:entrance", [])],
                   {**STATE, "kiosk": {"PricePerTonne": "80", "PondDepth": "1.2"}})
    assert _actions(run(text)) == expected


GATE = [_profile("Log-Gate", [
    _res("Barred", "Bool", description="Bar state: true = locked, false = unlocked"),
    _res("LeafOpen", "Bool", "R", description="Gate leaf contact: true = standing open")])]


@pytest.mark.parametrize("text", ["is the yard gate shut?", "is the yard gate closed",
                                  "is the yard gate open?"])
def test_shut_asks_for_the_open_state(text):
    # the place is called like the gate, and a camera shares it
    run = building(GATE + [CAMERA], [("yard-gate", "Log-Gate", "area:yard-gate", []),
                                     ("yard-gate-camera", "Yard-Camera", "area:yard-gate", [])],
                   {"yard-gate": {"Barred": "true", "LeafOpen": "false"},
                    "yard-gate-camera": {"Preset": "1", "Recording": "true"}})
    assert _actions(run(text)) == [{"device": "yard-gate", "command": "State", "method": "get"}]


@pytest.mark.parametrize("text, expected", [
    # a number right after a verb that sets something is the value, not a device's number
    ("锯棚摄像头切到三号预置位", [_set("shed-camera", "Preset", "3")]),
    ("锯棚摄像头调到4号位", [_set("shed-camera", "Preset", "4")]),
])
def test_a_numbered_value_is_no_device_number(watched, text, expected):
    assert _actions(watched(text)) == expected


def test_a_number_before_a_device_still_names_it(sawmill):
    assert _actions(sawmill("把2号锯断开")) == [_set("saw-2", "ContactorClosed", "false")]
    # a bare number or one before a gear is no preset: never a speed or level of 2
    assert sawmill("把锯棚灯调到2号").actions == []
    assert sawmill("把锯棚灯调到2号档").actions == []


@pytest.mark.parametrize("text, expected", [
    ("拉一下场院号角", [_set("yard-horn", "Hoot", "true")]),     # its one trigger, done once
    ("give the yard horn a pull", [_set("yard-horn", "Hoot", "true")]),
    ("场院号角", []),                                            # named, nothing asked
])
def test_a_device_whose_only_setting_is_a_trigger(text, expected):
    run = building(HORN, [("yard-horn", "Yard-Signal", "area:entrance", ["alias:场院号角"])],
                   {"yard-horn": {"HornFault": "false"}})
    assert _actions(run(text)) == expected


CLIMATE = [_profile("Cabin-Climate", [
    _res("Setpoint", "Float32", units="°C", minimum=16, maximum=28),
    _res("CabinTemp", "Float32", "R", units="°C", minimum=-10, maximum=50)])]


@pytest.mark.parametrize("text, expected", [
    # a qualifier before a place word that a device there is aliased with names that place
    ("锯木厂办公室设定华氏六十五度", [_set("mill-office-ac", "Setpoint", "18.3")]),
    ("销售办公室调到二十度", [_set("sales-office-ac", "Setpoint", "20.0")]),
])
def test_a_place_said_with_the_qualifier_its_aliases_use(text, expected):
    run = building(CLIMATE, [
        ("mill-office-ac", "Cabin-Climate", "room:mill-office", ["alias:锯木厂办公室空调"]),
        ("sales-office-ac", "Cabin-Climate", "room:sales-office", ["alias:销售办公室空调"])],
        {n: {"Setpoint": "21", "CabinTemp": "20"} for n in ("mill-office-ac", "sales-office-ac")})
    assert _actions(run(text)) == expected


MODED = [_profile("Cabin-Unit", [
    _res("UnitMode", "String", description="Operating mode. Allowed values: off, heat, cool"),
    _res("Setpoint", "Float32", units="°C", minimum=16, maximum=28)])]
HEATER = [_profile("Panel-Heater", [_res("Power", "Bool", description="true = on, false = off")])]


def test_a_missing_kind_that_names_a_value_there():
    # 暖气 (the heating) where the office's unit has a heat mode and no heater exists
    run = building(MODED, [("mill-office-unit", "Cabin-Unit", "room:mill-office",
                            ["alias:锯木厂办公室空调"])],
                   {"mill-office-unit": {"UnitMode": "off", "Setpoint": "21"}})
    assert _actions(run("锯木厂办公室开暖气")) == [_set("mill-office-unit", "UnitMode", "heat")]


def test_a_heater_that_exists_is_still_the_heater():
    run = building(MODED + HEATER, [
        ("mill-office-unit", "Cabin-Unit", "room:mill-office", ["alias:锯木厂办公室空调"]),
        ("shed-heater", "Panel-Heater", "area:cutting-shed", ["alias:锯棚暖气"])],
        {"mill-office-unit": {"UnitMode": "off", "Setpoint": "21"},
         "shed-heater": {"Power": "false"}})
    assert _actions(run("开暖气")) == [_set("shed-heater", "Power", "true")]


BERTHS = [("berth-d1", "Saw-Feeder", "area:quay-d", []), ("berth-d2", "Saw-Feeder", "area:quay-d", []),
          ("cradle-2", "Log-Cradle", "area:log-yard", [])]


@pytest.mark.parametrize("text, expected", [
    # "power on <id>" after an off verb is the noun and a preposition, never the switch-on
    ("kill shore power on D2", [_set("berth-d2", "ContactorClosed", "false")]),
    ("kill the power on berth D1", [_set("berth-d1", "ContactorClosed", "false")]),
    ("cut the power on saw 2", [_set("saw-2", "ContactorClosed", "false")]),
    ("power on D2", [_set("berth-d2", "ContactorClosed", "true")]),
    # a letters-and-digits id said whole is that device's, not also "2" of another device
    ("what is the saw on D2 drawing?", [{"device": "berth-d2", "command": "State",
                                         "method": "get"}]),
])
def test_ids_after_on_and_lettered_ids(text, expected):
    run = building(PROFILES + CRADLE, DEVICES + BERTHS,
                   {**STATE, "berth-d1": STATE["saw-1"], "berth-d2": STATE["saw-1"],
                    "cradle-2": {"Travel": "stop", "LoadKg": "0"}})
    assert _actions(run(text)) == expected
