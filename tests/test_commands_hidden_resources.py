"""Hidden deviceResources: not addressable by their own name, but reachable through the
(non-hidden) deviceCommands over them, as core-command exposes them (INTERFACES.md: each
non-hidden deviceCommand, then each non-hidden, unshadowed deviceResource)."""
import pytest

from app_service.commands.guardrails import Blocked, check_action
from app_service.commands.interpreter import Action
from tests.made_up_catalog import _actions, _res, building


def _hidden(resource):
    return {**resource, "isHidden": True}


TANK = {"name": "Bulk-Tank", "manufacturer": "T", "model": "M", "labels": [],
        "deviceResources": [
            _hidden(_res("StirrerEnabled", "Bool", description="Stirrer: true = running, false = stopped")),
            _hidden(_res("CoolTarget", "Float32", units="°C", minimum=2, maximum=6,
                         description="Cooling set point of the milk")),
            _hidden(_res("MilkTemp", "Float32", "R", units="°C")),
            _hidden(_res("Calibration", "Float32", units="°C", minimum=-1, maximum=1))],
        "deviceCommands": [
            {"name": "SetStirrer", "readWrite": "W",
             "resourceOperations": [{"deviceResource": "StirrerEnabled"}]},
            {"name": "SetCoolTarget", "readWrite": "W",
             "resourceOperations": [{"deviceResource": "CoolTarget"}]},
            {"name": "TankStatus", "readWrite": "R", "resourceOperations": [
                {"deviceResource": "StirrerEnabled"}, {"deviceResource": "CoolTarget"},
                {"deviceResource": "MilkTemp"}]}]}
RUN = building([TANK], [("bulk-vat", "Bulk-Tank", "room:dairy", [])],
               {"bulk-vat": {"StirrerEnabled": "false", "CoolTarget": "4", "MilkTemp": "3.8",
                             "Calibration": "0"}})


@pytest.mark.parametrize("text, expected", [
    ("start the stirrer on the bulk vat",
     [{"device": "bulk-vat", "command": "SetStirrer", "method": "set",
       "values": {"StirrerEnabled": "true"}}]),
    ("set the bulk vat to 3.5 degrees",
     [{"device": "bulk-vat", "command": "SetCoolTarget", "method": "set",
       "values": {"CoolTarget": "3.5"}}]),
    ("how cold is the milk in the bulk vat?", [{"device": "bulk-vat", "command": "TankStatus", "method": "get"}]),
])
def test_hidden_resources_through_their_commands(text, expected):
    assert _actions(RUN(text)) == expected


def test_a_hidden_resource_is_never_addressed_by_its_own_name():
    with pytest.raises(Blocked):
        check_action(Action("bulk-vat", "StirrerEnabled", "set", {"StirrerEnabled": "true"}),
                     RUN.catalog)
    with pytest.raises(Blocked):   # no command reaches it at all
        check_action(Action("bulk-vat", "Calibration", "set", {"Calibration": "0.5"}), RUN.catalog)
    assert "Calibration" not in RUN.catalog.entries["bulk-vat"].resources
    check_action(Action("bulk-vat", "SetStirrer", "set", {"StirrerEnabled": "true"}), RUN.catalog)


def test_the_limits_of_a_hidden_resource_still_hold():
    with pytest.raises(Blocked):
        check_action(Action("bulk-vat", "SetCoolTarget", "set", {"CoolTarget": "9"}), RUN.catalog)
    assert RUN("set the bulk vat to 9 degrees").actions == []
