"""Generic mechanisms found by the fifth and sixth blind buildings (a clinic and a restaurant),
each checked on a small made-up building of its own (names, rooms and words unlike the datasets')
and by requests that must not act."""
import os

import pytest

from app_service.commands.catalog import Catalog
from app_service.commands.dataset import Dataset
from app_service.commands.interpreter import Interpreter
from app_service.device_profiles import parse_device, parse_profile
from made_up_catalog import _actions, building, _profile, _res, _set


PROFILES = [
    _profile("Wall-Dimmer", [
        _res("Relay", "Bool", description="true = light on, false = light off"),
        _res("Output", "Uint8", description="output level", units="%", minimum=0, maximum=100)],
        labels=["lighting"]),
    _profile("Kiln-Controller", [
        _res("Firing", "Bool", description="write true to begin the firing schedule, false to "
                                           "terminate it; reads true while firing"),
        _res("Kiln", "Float32", "R", units="°C", minimum=0, maximum=1300)]),
    _profile("Page-Point", [
        _res("PageOn", "Bool", description="true = a page is sounding, false = quiet. Writing "
                                           "false clears the page; writing true summons a porter"),
        _res("Loudness", "Uint8", description="0 = silent, 8 = loudest", minimum=0, maximum=8)]),
]
DEVICES = [
    ("reading-area-dimmer", "Wall-Dimmer", "room:reading-area", []),
    ("garden-dimmer", "Wall-Dimmer", "area:rooftop-garden", []),
    ("studio-1-dimmer", "Wall-Dimmer", "room:craft-studio-1", ["alias:1号工作室灯"]),
    ("studio-2-dimmer", "Wall-Dimmer", "room:craft-studio-2", []),
    ("studio-3-dimmer", "Wall-Dimmer", "room:craft-studio-3", []),
    ("kiln", "Kiln-Controller", "room:pottery-workroom", ["alias:陶艺室窑炉", "alias:陶艺室电窑"]),
    ("porter-page-1", "Page-Point", "room:craft-studio-1", ["alias:1号呼叫点"]),
    ("porter-page-2", "Page-Point", "room:craft-studio-2", []),
]
STATE = {name: {"Relay": "true", "Output": "50"} for name, profile, _, _ in DEVICES
         if profile == "Wall-Dimmer"}


@pytest.fixture(scope="module")
def studio():
    return building(PROFILES, DEVICES, STATE)


@pytest.mark.parametrize("text, expected", [
    # another generic place word: "reading room" for the place "reading area"
    ("dim the reading room lights to 30 percent", [_set("reading-area-dimmer", "Output", "30")]),
    # the head noun alone: "garden" for "rooftop garden"
    ("garden lights to 60 percent", [_set("garden-dimmer", "Output", "60")]),
    # numbered places listed, or counted, or said without their middle word
    ("craft studios 1 and 3 lights off",
     [_set("studio-1-dimmer", "Relay", "false"), _set("studio-3-dimmer", "Relay", "false")]),
    ("turn off the lights in all three craft studios",
     [_set(f"studio-{n}-dimmer", "Relay", "false") for n in (1, 2, 3)]),
    ("set the light in craft 2 to 40 percent", [_set("studio-2-dimmer", "Output", "40")]),
])
def test_places_said_another_way(studio, text, expected):
    assert _actions(studio(text)) == expected


@pytest.mark.parametrize("text", [
    "dim the reading room lights",                    # no amount: vague, so a relative change
])
def test_place_said_another_way_never_widens_to_every_device(studio, text):
    devices = {a["device"] for a in _actions(studio(text))}
    assert devices <= {"reading-area-dimmer"}


def test_chinese_place_spellings_from_aliases(studio):
    places = {w: k for w, k in studio.catalog.zh_words.items() if k[0].startswith("place:")}
    # two aliases of one device share a prefix that ends like a place (室, 区, 房 …)
    assert places["陶艺室"] == ["place:pottery workroom"]
    # a shared "1号" is a number, not a place
    assert "1号" not in places


@pytest.mark.parametrize("text", [
    "turn on the loom in craft studio 1",
    "is the tablet in the reading area on?",
    "switch the espresso machine off in the pottery workroom",
    "set the easel in craft studio 2 to 5",
])
def test_a_thing_no_device_is_refused_even_where_the_place_matches(studio, text):
    result = studio(text)
    assert result.actions == [] and result.refusal == "unknown_device"


@pytest.mark.parametrize("text, expected", [
    ("turn off the lights in craft studio 2 please", [_set("studio-2-dimmer", "Relay", "false")]),
    ("a bit brighter in the reading area please", [_set("reading-area-dimmer", "Output", "60")]),
])
def test_known_things_and_fillers_in_a_place_still_act(studio, text, expected):
    assert _actions(studio(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # the Bool's description says what writing true/false does; the request's verb picks it
    ("terminate the kiln firing", [_set("kiln", "Firing", "false")]),
    ("begin the kiln firing", [_set("kiln", "Firing", "true")]),
    ("clear the porter page in craft studio 2", [_set("porter-page-2", "PageOn", "false")]),
    ("summon a porter in craft studio 1", [_set("porter-page-1", "PageOn", "true")]),
    ("clear every porter page",
     [_set("porter-page-1", "PageOn", "false"), _set("porter-page-2", "PageOn", "false")]),
])
def test_verbs_the_profile_describes(studio, text, expected):
    assert _actions(studio(text)) == expected


@pytest.mark.parametrize("description, verbs", [
    ("write true to start the program, false to abort a running cycle",
     {"start": True, "abort": False}),
    ("true = a call is active, false = no call. Writing false cancels (resets) the call",
     {"active": True, "cancel": False, "reset": False}),
    ("true = music playing, false = stopped", {"play": True, "stop": False}),
    ("true = light on, false = light off", {}),     # the same word on both sides says nothing
])
def test_described_verbs(description, verbs):
    from app_service.commands.verbs import described_verbs
    found = described_verbs(description)
    assert {w: found[w] for w in verbs if w in found} == verbs
    assert "light" not in found


def test_profile_head_noun_repeated_by_a_label_names_the_device():
    profiles = {p["name"]: parse_profile(p, "test") for p in [
        _profile("Bench-Centrifuge", [_res("Spin", "Bool")], labels=["centrifuge", "lab"]),
        _profile("Glaze-Extractor", [_res("Fan", "Bool")], labels=["ventilation"])]}
    devices = {n: parse_device({"name": n, "profileName": p, "serviceName": "s",
                                "labels": ["room:lab"], "protocols": {"other": {"Address": "1"}}},
                               "test")
               for n, p in [("spinner-1", "Bench-Centrifuge"), ("booth-2", "Glaze-Extractor")]}
    catalog = Catalog.from_store(profiles, devices)
    assert "centrifuge" in catalog.entries["spinner-1"].words
    # a head noun no label confirms stays out ("the extractor" may be another device's part)
    assert not {"extractor", "extract"} & catalog.entries["booth-2"].words


CLINIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "commands",
                      "blind-clinic")


@pytest.fixture(scope="module")
def clinic():
    dataset = Dataset.load(CLINIC)
    interpreter = Interpreter(dataset.catalog)
    return lambda text: interpreter.interpret(text, lambda d, c: dataset.state[d])


def _get(device, command):
    return {"device": device, "command": command, "method": "get"}


@pytest.mark.parametrize("text, expected", [
    # a state word in a question names the state ("locked" reads the strike)
    ("is the staff entrance door locked?", [_get("staff-entrance-door", "AccessStatus")]),
    # "read me …" asks
    ("read me the vaccine fridge", [_get("vaccine-fridge", "CabinetStatus")]),
    # "fully"/"completely" with a direction is the end of the range
    ("raise the exam room 1 blind fully", [_set("exam-room-1-shade", "LiftPercent", "100")]),
    ("lower the exam room 1 blind completely", [_set("exam-room-1-shade", "LiftPercent", "0")]),
    # 拉上去 pulls up (open), 拉上 draws shut
    ("把一号诊室的百叶窗拉上去", [_set("exam-room-1-shade", "LiftPercent", "100")]),
    ("把一号诊室的百叶窗拉上", [_set("exam-room-1-shade", "LiftPercent", "0")]),
    # everyday words for kinds and states: steriliser, silence = mute, 呼叫 + 护士
    ("start the steriliser", [_set("autoclave", "CycleRun", "true")]),
    ("silence the vaccine fridge alarm", [_set("vaccine-fridge", "AlarmSilenced", "true")]),
    ("呼叫二号诊室的护士", [_set("nurse-call-exam-2", "CallActive", "true")]),
    ("看一下冷库记录仪", [_get("cold-room-logger", "Readings")]),   # 记录仪 is no 记录 (history)
])
def test_clinic_phrasings(clinic, text, expected):
    assert _actions(clinic(text)) == sorted(expected, key=lambda a: (a["device"], a["command"]))


@pytest.mark.parametrize("text", [
    "change exam room 3's call priority to urgent",     # read-only, whatever "call" says
    "把三号诊室呼叫的优先级改成普通",
    "把一号诊室的百叶窗收起",          # 收起 rolls a blind up but an awning in: no safe reading
    "turn on the ultrasound in exam room 1",
])
def test_clinic_requests_that_must_not_act(clinic, text):
    assert clinic(text).actions == []


RESTAURANT = os.path.join(os.path.dirname(CLINIC), "blind-restaurant")


@pytest.fixture(scope="module")
def restaurant():
    dataset = Dataset.load(RESTAURANT)
    interpreter = Interpreter(dataset.catalog)
    return lambda text: interpreter.interpret(text, lambda d, c: dataset.state[d])


@pytest.mark.parametrize("text, expected", [
    # a verb of change, the device, then an amount with a unit: relative ("to" makes it absolute)
    ("lower fryer 1 ten degrees", [_set("fryer-1", "FrySetpoint", "165.0")]),
    ("bump fryer 1 three degrees", [_set("fryer-1", "FrySetpoint", "178.0")]),
    ("drop fryer 1 to 150 degrees", [_set("fryer-1", "FrySetpoint", "150.0")]),
    # Chinese 降N / 再加N / 升N档 are changes by N
    ("一号炸炉温度降五度", [_set("fryer-1", "FrySetpoint", "170.0")]),
    ("吧台灯亮度再加十", [_set("bar-pendants", "Level", "45")]),
    # a count of steps (档) goes to a unitless stage, not to a % setting; 东区/西边 are qualifiers
    ("东区加热器调到三档", [_set("terrace-east", "HeatStage", "3")]),
])
def test_restaurant_phrasings(restaurant, text, expected):
    assert _actions(restaurant(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # music words are a capability a playback/source setting gives; stopping is Playback, never
    # the Muted switch beside it (only "mute" sets that)
    ("stop the dining music", [_set("dining-music", "Playback", "false")]),
    ("turn the bar music off", [_set("bar-music", "Playback", "false")]),
    ("start the music in the bar", [_set("bar-music", "Playback", "true")]),
    ("酒吧的音乐继续播放", [_set("bar-music", "Playback", "true")]),
    ("把吧台音响静音", [_set("bar-music", "Muted", "true")]),
    ("what's the dining music volume", [_get("dining-music", "ZoneState")]),
])
def test_playback_is_the_music_switch(restaurant, text, expected):
    assert _actions(restaurant(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # halfway with no described half: the middle of an opening-like range (extend = open)
    ("roll the west awning out halfway", [_set("terrace-west", "AwningExtension", "50")]),
    ("把东边遮阳篷放出一半", [_set("terrace-east", "AwningExtension", "50")]),
    # 一次 (once) is no value; 除霜 is the verb of the Defrost switch
    ("酒窖空调除霜一次", [_set("wine-cellar-unit", "DefrostNow", "true")]),
    # a question naming a setting's values asks for that setting
    ("is the dining music on radio or line-in?", [_get("dining-music", "ZoneState")]),
])
def test_halfway_once_and_values_in_questions(restaurant, text, expected):
    assert _actions(restaurant(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # an exhaust/extract/blower setting is what people call the fan
    ("turn the hood fan off", [_set("kitchen-hood", "ExhaustStage", "0")]),
    ("set the kitchen hood fan to medium", [_set("kitchen-hood", "ExhaustStage", "2")]),
    ("排烟罩风机调到高档", [_set("kitchen-hood", "ExhaustStage", "3")]),
    # an alias that names a part (燃气总阀: the gas valve) switches that part, not the fan stages
    ("关闭燃气总阀", [_set("kitchen-hood", "GasValveOpen", "false")]),
    ("shut the gas valve", [_set("kitchen-hood", "GasValveOpen", "false")]),
])
def test_parts_called_by_other_names(restaurant, text, expected):
    assert _actions(restaurant(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # a complaint before a request is its reason, not a second request
    ("it's cold out on the terrace, switch the east heaters on",
     [_set("terrace-east", "HeatersOn", "true")]),
    # an alias and a place: the one device there with what is asked about
    ("吧台音响和餐厅现在音量多少", [_get("bar-music", "ZoneState"), _get("dining-music", "ZoneState")]),
])
def test_complaint_reasons_and_alias_with_a_place(restaurant, text, expected):
    assert _actions(restaurant(text)) == sorted(expected, key=lambda a: (a["device"], a["command"]))


@pytest.mark.parametrize("text, reason", [
    ("冷库和露台现在多少度", "ambiguous"),        # two terrace zones could answer: never dropped
    ("冷库和洗碗间的灯现在多少度", None),          # whatever it is, it acts on nothing unsure
])
def test_a_place_said_with_an_alias_is_never_dropped(restaurant, text, reason):
    result = restaurant(text)
    assert result.actions == [] and (reason is None or result.refusal == reason)


@pytest.mark.parametrize("text", [
    "西边加热器档位降一档",        # 1 - 1 leaves the 1..3 range: an explicit amount is refused
    "turn the bar music up by 20 percent",     # 70 + 20 passes the 80 maximum
])
def test_restaurant_requests_that_must_not_act(restaurant, text):
    assert restaurant(text).actions == []


@pytest.mark.parametrize("text, expected", [
    # "everything off" switches power-like Bools only, never a nurse call ("false = no call")
    ("turn everything off in exam room 3", [_set("exam-room-3-dimmer", "Switch", "false")]),
    # a value described as "muted" is what "mute" asks for
    ("mute the chime in exam room 2", [_set("nurse-call-exam-2", "ChimeVolume", "0")]),
])
def test_found_probing_the_clinic(clinic, text, expected):
    assert _actions(clinic(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # a value asked for ("to high") beats a switch the device words also name
    ("turn the heaters on the terrace to high",
     [_set("terrace-east", "HeatStage", "3"), _set("terrace-west", "HeatStage", "3")]),
])
def test_found_probing_the_restaurant(restaurant, text, expected):
    assert _actions(restaurant(text)) == expected


@pytest.mark.parametrize("text", [
    "dim the lights in exam room 4",          # numbered places 1-3: room 4 is unknown, 4 no value
    "把四号诊室的灯打开",
    "打开三号诊室的X光机",                      # a Chinese thing no word accounts for
    "三号诊室的超声仪开一下",
    "run a flash cycle on the autoclave",      # a program the profile does not list
])
def test_clinic_refusals_found_probing(clinic, text):
    result = clinic(text)
    assert result.actions == [] and result.refusal in ("unknown_device", "unsupported")


@pytest.mark.parametrize("text, expected", [
    # a named program with a start verb: the program, then run it (like "run conveyor 1 at 2")
    ("start the liquids cycle on the autoclave",
     [_set("autoclave", "CycleProgram", "liquids"), _set("autoclave", "CycleRun", "true")]),
    ("启动灭菌器的器械程序",
     [_set("autoclave", "CycleProgram", "instruments"), _set("autoclave", "CycleRun", "true")]),
    ("start the sterilizer", [_set("autoclave", "CycleRun", "true")]),   # program unchanged
])
def test_start_with_a_named_program(clinic, text, expected):
    assert _actions(clinic(text)) == sorted(expected, key=lambda a: (a["device"], a["command"]))


def test_a_number_no_device_has_never_falls_to_the_unnumbered_one(studio):
    # the studio dimmers are numbered 1-3; "light 4" is none of them, nor an unnumbered light
    result = studio("turn on light 4")
    assert result.actions == [] and result.refusal == "unknown_device"


@pytest.mark.parametrize("text", [
    "turn on the terrace heaters at 5",   # the words name the heater switch; 5 fits no stage
    "play jazz in the bar",               # a genre is nothing a playback switch or source picks
])
def test_restaurant_refusals_found_probing(restaurant, text):
    assert restaurant(text).actions == []


def test_an_out_of_range_set_point_said_as_setpoint_is_not_offered_to_the_light(clinic):
    # "setpoint" names the unit's ZoneSetpoint (16-28 °C); 72 must not dim the room's light
    result = clinic("waiting area setpoint 80 please")
    assert result.actions == [] and result.refusal == "out_of_range"


@pytest.mark.parametrize("text", [
    "turn off all the lights in the sauna",     # a place the catalog lacks names nothing here
    "dim the lights in the pottery shed",
    "把桑拿房的灯关了",
    "turn on the minibar in the reading area",  # "minibar" starts like "min": no unit
])
def test_unknown_places_and_things_refuse_everywhere(studio, text):
    result = studio(text)
    assert result.actions == [] and result.refusal == "unknown_device"


@pytest.mark.parametrize("text, expected", [
    ("turn off all the lights in the building",
     [_set(f"{n}-dimmer", "Relay", "false")
      for n in ("garden", "reading-area", "studio-1", "studio-2", "studio-3")]),
    ("turn off the lights in the reading area please", [_set("reading-area-dimmer", "Relay",
                                                             "false")]),
])
def test_known_places_and_the_whole_building_still_act(studio, text, expected):
    assert _actions(studio(text)) == expected


@pytest.mark.parametrize("text, reason", [
    ("set the wine fridge to 5 degrees", "unknown_device"),   # a kind of fridge the clinic lacks
    ("turn on the espresso machine in the waiting area", "unknown_device"),
    ("set the autoclave dry time to 130 min", "out_of_range"),  # minutes, not the minimum
])
def test_found_by_generated_probes(clinic, text, reason):
    result = clinic(text)
    assert result.actions == [] and result.refusal == reason


def test_min_as_a_word_is_still_the_minimum(clinic):
    assert _actions(clinic("set the autoclave dry time to min")) == [
        _set("autoclave", "DryTime", "5")]


@pytest.mark.parametrize("text, expected", [
    ("灭菌器现在在哪个阶段", [_get("autoclave", "SterilizerStatus")]),     # 哪个 asks
    ("候诊区百叶窗叶片调平", [_set("waiting-area-shade", "SlatAngle", "0")]),  # 调平 = flat
])
def test_more_chinese_phrasings(clinic, text, expected):
    assert _actions(clinic(text)) == expected


def test_a_switch_named_only_by_the_device_name_is_not_the_part_said(clinic):
    # "call" is the nurse-call station's own word; "chime" names another setting: never cancel
    # the call for "turn the … call chime off"
    assert clinic("turn the exam 2 call chime off").actions == []


@pytest.mark.parametrize("text", [
    "把陶艺室的热水壶关了",     # 水壶: a thing no device is (…壶/锅/灶/桶 like …机/器)
    "谁修过陶艺室窑炉",         # 谁 asks, and no reading answers who
])
def test_chinese_things_and_who_questions_do_nothing(studio, text):
    assert studio(text).actions == []


PROBE_LAB = os.path.join(os.path.dirname(CLINIC), "probe-lab")


@pytest.mark.parametrize("text, acts", [
    ("谁修过不间断电源", False),    # 断电 inside the alias 不间断电源 is no "power off"
    ("把不间断电源关了", True),
])
def test_verbs_inside_an_alias_are_not_said(text, acts):
    dataset = Dataset.load(PROBE_LAB)
    result = Interpreter(dataset.catalog).interpret(text, lambda d, c: dataset.state[d])
    assert bool(result.actions) == acts


POOL = os.path.join(os.path.dirname(CLINIC), "blind-pool")


@pytest.mark.parametrize("text", [
    "set the main pool dosing ph to 7",   # "dosing" is the device's own word, not its switch
    "set the ph in the kids pool to 7",
])
def test_a_read_only_setting_said_with_the_device_name_is_refused(text):
    dataset = Dataset.load(POOL)
    result = Interpreter(dataset.catalog).interpret(text, lambda d, c: dataset.state[d])
    assert result.actions == [] and result.refusal == "read_only"


def test_mixed_case_short_names_stay_one_word():
    from app_service.commands.lexicon import split_name
    assert split_name("pH") == ["ph"] and split_name("TargetTemperature") == ["target",
                                                                              "temperature"]


HOTEL = os.path.join(os.path.dirname(CLINIC), "blind-hotel")


def test_no_direction_read_across_a_name():
    # 打开大堂灯: 开 + 大堂 is no 开大 ("turn up"); it switches the lobby light on
    dataset = Dataset.load(HOTEL)
    result = Interpreter(dataset.catalog).interpret("打开大堂灯", lambda d, c: dataset.state[d])
    assert [a.to_dict() for a in result.actions] == [_set("lobby-light", "OnOff", "true")]


@pytest.mark.parametrize("text, expected", [
    # "dimmer" is the device's name here, not "make it dimmer"
    ("turn the reading area dimmer up a bit", [_set("reading-area-dimmer", "Output", "60")]),
    ("make the reading area dimmer", [_set("reading-area-dimmer", "Output", "40")]),
])
def test_a_device_name_is_no_direction(studio, text, expected):
    assert _actions(studio(text)) == expected


@pytest.mark.parametrize("text, expected", [
    # two devices each with its own place: two requests sharing the verb, not every light and
    # every page of both places
    ("turn off the craft studio 1 lights and the craft studio 2 porter page",
     [_set("porter-page-2", "PageOn", "false"), _set("studio-1-dimmer", "Relay", "false")]),
    ("turn the garden lights and the reading area lights off",
     [_set("garden-dimmer", "Relay", "false"), _set("reading-area-dimmer", "Relay", "false")]),
    # a device named like a direction ("dimmer") is no direction
    ("turn off the studio 3 dimmer", [_set("studio-3-dimmer", "Relay", "false")]),
])
def test_two_devices_with_their_own_places(studio, text, expected):
    assert _actions(studio(text)) == expected


def test_chinese_two_devices_with_their_own_places(restaurant):
    assert _actions(restaurant("把吧台灯和露台灯都关掉")) == [
        _set("bar-pendants", "Switch", "false"), _set("terrace-lights", "Switch", "false")]


def test_turning_off_a_device_named_like_one_of_its_values(restaurant):
    # "combi" names the combi oven, not its combi mode
    assert _actions(restaurant("turn off combi oven 1")) == [_set("combi-oven-1", "Heating",
                                                                  "false")]


def test_a_device_word_modifying_an_unknown_noun_names_nothing():
    # "hot" is the hot-water heater's word, but "the hot tub" is no heater
    dataset = Dataset.load(HOTEL)
    interpreter = Interpreter(dataset.catalog)
    for text in ("turn on the hot tub in the plant room", "switch the hot tub off"):
        assert interpreter.interpret(text, lambda d, c: dataset.state[d]).actions == [], text
