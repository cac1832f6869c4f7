"""Guard-rails over every reason an action is blocked, and the [Commands] policy."""
import os

import pytest

from app_service.commands.catalog import Catalog
from app_service.commands.guardrails import Blocked, Policy, check_action, command_settings
from app_service.commands.interpreter import Action
from app_service.errors import ConfigError

GREENHOUSE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "fixtures", "commands", "greenhouse")


@pytest.fixture(scope="module")
def catalog():
    return Catalog.from_files(os.path.join(GREENHOUSE, "profiles"),
                              os.path.join(GREENHOUSE, "devices.yaml"))


def S(device, command, values):
    return Action(device, command, "set", values)


@pytest.mark.parametrize("action, reason", [
    (S("no-such-device", "Power", {"Power": "true"}), "unknown_device"),
    (S("greenhouse-fan-1", "Turbo", {"Turbo": "true"}), "unknown_command"),
    (Action("greenhouse-fan-1", "Power", "get"), "unknown_command"),       # write-only, shadows
    (S("greenhouse-fan-1", "Status", {"Power": "true"}), "read_only"),
    (S("soil-sensor", "Readings", {"SoilMoisture": "10.0"}), "read_only"),
    (Action("greenhouse-fan-1", "Power", "delete", {"Power": "true"}), "bad_method"),
    (Action("greenhouse-fan-1", "Status", "get", {"Power": "true"}), "bad_values"),
    (S("greenhouse-fan-1", "Speed", {}), "bad_values"),
    (S("greenhouse-fan-1", "Speed", {"Speed": "10", "Power": "true"}), "bad_values"),
    (S("greenhouse-fan-1", "Power", {"Power": "yes"}), "bad_type"),
    (S("greenhouse-fan-1", "Speed", {"Speed": "ten"}), "bad_type"),
    (S("greenhouse-fan-1", "Speed", {"Speed": "10.5"}), "bad_type"),
    (S("greenhouse-fan-1", "Speed", {"Speed": 10}), "bad_type"),
    (S("greenhouse-heater", "Setpoint", {"Setpoint": "nan"}), "bad_type"),
    (S("meeting-room-projector", "Input", {"Input": "hdmi3"}), "not_allowed"),
    (S("greenhouse-fan-1", "Speed", {"Speed": "101"}), "out_of_range"),
    (S("office-light", "Level", {"Level": "0"}), "out_of_range"),
    (S("greenhouse-heater", "Setpoint", {"Setpoint": "35.01"}), "out_of_range"),
    (S("greenhouse-fan-1", "Speed", {"Speed": "300"}), "bad_type"),          # beyond Uint8 itself
])
def test_blocked(catalog, action, reason):
    with pytest.raises(Blocked) as err:
        check_action(action, catalog)
    assert err.value.reason == reason and err.value.message


@pytest.mark.parametrize("action", [
    S("greenhouse-fan-1", "Power", {"Power": "false"}),
    S("greenhouse-fan-1", "Speed", {"Speed": "100"}),
    S("greenhouse-heater", "Setpoint", {"Setpoint": "10.0"}),
    S("meeting-room-projector", "Input", {"Input": "VGA"}),
    Action("soil-sensor", "Readings", "get"),
])
def test_allowed(catalog, action):
    check_action(action, catalog)


def _policy(**sections):
    return Policy.from_config({"Commands": {"Policy": sections}})


UNLOCK = S("office-door-lock", "Locked", {"Locked": "false"})
LOCK = S("office-door-lock", "Locked", {"Locked": "true"})


def test_deny_by_profile():
    policy = _policy(no_heat={"Effect": "Deny", "Profile": "Greenhouse-*"})
    with pytest.raises(Blocked, match="denied"):
        policy.check(S("greenhouse-heater", "Power", {"Power": "true"}), "Greenhouse-Heater",
                     confirmed=True)
    policy.check(S("greenhouse-fan-1", "Power", {"Power": "true"}), "Exhaust-Fan", confirmed=False)


def test_confirmation_for_unlock_only():
    policy = _policy(unlock={"Effect": "RequireConfirmation", "Command": "Locked",
                             "Value": "false"})
    with pytest.raises(Blocked) as err:
        policy.check(UNLOCK, "Office-Lock", confirmed=False)
    assert err.value.reason == "confirmation_required"
    policy.check(UNLOCK, "Office-Lock", confirmed=True)
    policy.check(LOCK, "Office-Lock", confirmed=False)
    read = Action("office-door-lock", "Status", "get")
    assert policy.needs_confirmation(read, "Office-Lock") is None


def test_rate_limit_per_device_and_window():
    policy = _policy(slow={"Effect": "RateLimit", "Device": "greenhouse-fan-*", "MaxPerMinute": 2})
    action = S("greenhouse-fan-1", "Power", {"Power": "true"})
    policy.check(action, "Exhaust-Fan", confirmed=False, now=0.0)
    policy.check(action, "Exhaust-Fan", confirmed=False, now=1.0)
    with pytest.raises(Blocked, match="rate_limited"):
        policy.check(action, "Exhaust-Fan", confirmed=False, now=2.0)
    policy.check(S("greenhouse-fan-2", "Power", {"Power": "true"}), "Exhaust-Fan",
                 confirmed=False, now=2.0)
    policy.check(action, "Exhaust-Fan", confirmed=False, now=61.5)   # the window moved on


@pytest.mark.parametrize("section, key", [
    ({"Policy": {"x": {"Effect": "Allow"}}}, "Commands.Policy.x.Effect"),
    ({"Policy": {"x": {"Effect": "RateLimit"}}}, "Commands.Policy.x.MaxPerMinute"),
    ({"Policy": {"x": "Deny"}}, "Commands.Policy.x"),
    ({"DryRun": "maybe"}, "Commands.DryRun"),
])
def test_policy_configuration_errors_name_the_key(section, key):
    with pytest.raises(ConfigError) as err:
        Policy.from_config({"Commands": section})
    assert err.value.key == key


@pytest.mark.parametrize("section, key", [
    ({"ModelThreshold": 2}, "Commands.ModelThreshold"),
    ({"Enabled": "sometimes"}, "Commands.Enabled"),
])
def test_command_settings_validated(section, key):
    with pytest.raises(ConfigError) as err:
        command_settings({"Commands": section})
    assert err.value.key == key


def test_shipped_configuration_policy_is_valid():
    from app_service.config import load_configuration
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    config = load_configuration(os.path.join(root, "configuration.toml"), env={})
    policy = Policy.from_config(config)
    assert policy.needs_confirmation(UNLOCK, "Office-Lock") is not None
    assert command_settings(config)["audit_topic"] == "llm-agent/audit"
