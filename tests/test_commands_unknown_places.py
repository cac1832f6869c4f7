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
