"""Generic rules found by the second blind building (a school): fresh phrasings on its catalog,
never the dataset's own sentences, and requests that must not act."""
import os

import pytest

from app_service.commands.dataset import Dataset, actions_match
from app_service.commands.interpreter import Interpreter

SCHOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "commands",
                      "blind-school")


@pytest.fixture(scope="module")
def school():
    dataset = Dataset.load(SCHOOL)
    return Interpreter(dataset.catalog), (lambda d, c: dataset.state[d])


def _set(device, command, value):
    return {"device": device, "command": command, "method": "set", "values": {command: value}}


def _get(device, command):
    return {"device": device, "command": command, "method": "get"}


@pytest.mark.parametrize("text, expected", [
    # a device matched only by a part (a resource, or what its description speaks of) of another
    # device said in the same place is not meant
    ("how many lamp hours does the classroom 101 projector have",
     [_get("classroom-101-projector", "Status")]),
    ("what's the temperature of the water coming back to the boiler?", [_get("boiler", "Telemetry")]),
    # the device's own word ("fan") does not stop its switch from being used
    ("switch the gym fan on", [_set("gym-exhaust-fan", "Running", "true")]),
    ("run the gym fan", [_set("gym-exhaust-fan", "Running", "true")]),
    # a quantifier with the singular head of numbered places means all of them
    ("turn up all the classroom lights a bit",
     [_set("classroom-101-lights", "Brightness", "90"), _set("classroom-102-lights", "Brightness", "45")]),
    # a statement about a place is no question although "is" follows the place name
    ("classroom 101 is too cold", [_set("classroom-101-fan-coil", "Setpoint", "22.5")]),
    # "the entrance" where the place is "entrance hall"
    ("unlock the entrance", [_set("main-entrance-door", "Locked", "false")]),
    # air unit / hvac name an hvac-labelled unit without implying a mode
    ("set the hvac in classroom 102 to heat", [_set("classroom-102-fan-coil", "Mode", "heat")]),
    ("switch classroom 102's air handling unit to ventilate",
     [_set("classroom-102-fan-coil", "Mode", "ventilate")]),
    # "bump … down" is down; a resource called Muted is muted and unmuted
    ("bump the classroom 102 temperature down a degree", [_set("classroom-102-fan-coil", "Setpoint", "19.0")]),
    ("unmute the gym loudspeakers", [_set("gym-pa", "Muted", "false")]),
    ("体育馆广播取消静音", [_set("gym-pa", "Muted", "false")]),
    ("关闭体育馆广播的静音", [_set("gym-pa", "Muted", "false")]),
    ("打开体育馆广播静音", [_set("gym-pa", "Muted", "true")]),
    # Chinese: 几度, 无线, a place that starts an alias covers the other device said with it
    ("102教室空调现在设的几度", [_get("classroom-102-fan-coil", "Readings")]),
    ("101投影仪换成无线", [_set("classroom-101-projector", "Input", "wireless")]),
    ("体育馆灯和排风扇都关掉",
     [_set("gym-lights", "Power", "false"), _set("gym-exhaust-fan", "Running", "false")]),
    # a warmer/cooler room with a read-only sensor beside the unit: the set point, not a refusal
    ("make classroom 102 cooler", [_set("classroom-102-fan-coil", "Setpoint", "19.0")]),
    # a piece that only names a place is the place of the pieces after it
    ("in classroom 102, what's the humidity?", [_get("classroom-102-air-monitor", "Readings")]),
    ("in the gym: lights on", [_set("gym-lights", "Power", "true")]),
    # a kind said beside a device with a resource of that kind is still asked for
    ("turn the projector in 102 off and the lights too",
     [_set("classroom-102-projector", "Power", "false"), _set("classroom-102-lights", "Power", "false")]),
    # a verb character that starts an alias (开水器) is no verb
    ("食堂的灯关一下，开水器也关了",
     [_set("canteen-lights", "Power", "false"), _set("water-urn-outlet", "Power", "false")]),
    # an inverted switch is set only when it is named; "everything off" leaves it alone
    ("turn off mute on the gym PA", [_set("gym-pa", "Muted", "false")]),
    ("switch everything off in the gym",
     [_set("gym-lights", "Power", "false"), _set("gym-exhaust-fan", "Running", "false")]),
    # value words: 话筒/mic, 通风 for "ventilate", a capability word that is an allowed value;
    # 大声/小声 as louder/quieter (10 points on a % volume)
    ("体育馆广播换成话筒", [_set("gym-pa", "Source", "microphone")]),
    ("switch the gym PA to mic", [_set("gym-pa", "Source", "microphone")]),
    ("101教室空调改成通风模式", [_set("classroom-101-fan-coil", "Mode", "ventilate")]),
    ("play music over the gym PA", [_set("gym-pa", "Source", "music")]),
    ("体育馆广播大声一点", [_set("gym-pa", "Volume", "50")]),
    ("体育馆广播小声点", [_set("gym-pa", "Volume", "30")]),
    # "extractor" names a device called …-extract-…
    ("stop the extractor in the canteen", [_set("kitchen-extract-fan", "Running", "false")]),
])
def test_generic_rules_found_by_the_school(school, text, expected):
    interpreter, state = school
    result = interpreter.interpret(text, state)
    predicted = [a.to_dict() for a in result.actions]
    assert actions_match(predicted, expected), (predicted, result.refusal, result.message)
    assert result.refusal is None


@pytest.mark.parametrize("text", [
    "what's on the menu in the canteen?",            # "today"/"menu" is no reading of the urn
    "is lunch ready in the canteen today?",
    "reset the lamp counter on the 102 projector",   # no reset; "on" is no switch-on
    "reset the energy counter of the vending machine",
    "102教室空调静音",                                 # the fan coil has nothing to mute
    "bump the canteen lights up 10 percent",         # 95 + 10 is past the maximum
    "set the humidity in classroom 102 to 50%",      # read-only; not the lights' 50 %
    "make classroom 102 more humid",
    "the canteen, please",                           # a place alone asks for nothing
    "turn off the bell",                             # not Source bell
    "turn the gym PA off",                           # not Muted false (unmute)
    "turn the gym speakers on",
])
def test_school_requests_that_must_not_act(school, text):
    interpreter, state = school
    result = interpreter.interpret(text, state)
    assert result.actions == [] and result.refusal, result.actions
