"""Recommended actions come only from the catalog; auto-actuation only where configured, and
always through the commands part's guard-rails and policy (against the stand-in's core-command)."""
import os

import pytest
import tenacity

from app_service.anomaly.actions import ActionCatalog, GuardedActuator
from app_service.anomaly.config import load_settings
from app_service.anomaly.records import AnomalyFacts, AnomalyRecord
from app_service.anomaly.wiring import AutoActuation
from app_service.clients import CoreCommandClient
from app_service.commands.catalog import Catalog
from app_service.commands.guardrails import Policy
from app_service.commands.interpreter import Action
from app_service.standin import StandIn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")
CATALOG = Catalog.from_files(PROFILES, os.path.join(PROFILES, "devices.yaml"))


@pytest.fixture
def standin():
    with StandIn(PROFILES, publish_events=False, seed=11) as s:
        yield s


@pytest.fixture
def client(standin):
    c = CoreCommandClient(standin.urls["core-command"], timeout_s=1.0,
                          wait=tenacity.wait_fixed(0.02))
    yield c
    c.rest.close()


@pytest.mark.parametrize("device,expected", [
    ("filler-conveyor", ["set Running to true", "set Running to false"]),
    ("lounge-thermostat", ["set Mode to off", "set Mode to heat", "set Mode to cool",
                           "set Mode to auto", "set Mode to eco"]),
    ("landing-smoke-alarm", []),          # a sensor only: nothing to recommend
    ("no-such-device", []),
])
def test_options_are_the_catalog_writable_values(device, expected):
    assert ActionCatalog(lambda: CATALOG).options(device) == expected


def test_choice_maps_back_only_to_catalog_actions():
    actions = ActionCatalog(lambda: CATALOG)
    assert actions.action("filler-conveyor", "set Running to false") == Action(
        "filler-conveyor", "Running", "set", {"Running": "false"})
    assert actions.action("filler-conveyor", "set Running to maybe") is None
    assert actions.action("landing-smoke-alarm", "set Power to false") is None


def record(device="filler-conveyor", severity="critical", action="set Running to false"):
    facts = AnomalyFacts(device=device, resource="Vibration", profile="Conveyor-Drive",
                         kind="limit", score=1.0, value=60.0, origin_ns=1, correlation_id="c")
    return AnomalyRecord(facts, severity=severity, explanation="x", action=action)


def auto(config, client, policy=None):
    delivered = []
    step = AutoActuation(load_settings({"AnomalyDetection": config}),
                         ActionCatalog(lambda: CATALOG),
                         GuardedActuator(lambda: CATALOG, policy or Policy(), client),
                         delivered.append)
    return step, delivered


def test_default_configuration_never_actuates(standin, client):
    step, delivered = auto({}, client)
    step(record())
    assert delivered[0].actuation is None
    assert standin.state["filler-conveyor"]["Running"] == "true"
    assert not standin.calls("core-command", "PUT")


@pytest.mark.parametrize("config,severity,actuated", [
    ({"AutoActuate": "critical"}, "critical", True),
    ({"AutoActuate": "critical"}, "warning", False),
    ({"Overrides": {"Conveyor-Drive/Vibration": {"AutoActuate": "warning,critical"}}},
     "warning", True),
    ({"AutoActuate": "critical", "Overrides": {"Conveyor-Drive": {"AutoActuate": ""}}},
     "critical", False),
])
def test_auto_actuation_only_where_configured(standin, client, config, severity, actuated):
    step, delivered = auto(config, client)
    step(record(severity=severity))
    assert (delivered[0].actuation is not None) is actuated
    assert standin.state["filler-conveyor"]["Running"] == ("false" if actuated else "true")
    if actuated:
        assert delivered[0].actuation["status"] == "ok"


def test_policy_deny_and_confirmation_block_auto_actuation(standin, client):
    policy = Policy.from_config({"Commands": {"Policy": {
        "no-stops": {"Effect": "Deny", "Command": "Running", "Value": "false"},
        "confirm-unlock": {"Effect": "RequireConfirmation", "Command": "Locked"}}}})
    step, delivered = auto({"AutoActuate": "critical"}, client, policy)
    step(record())
    step(record(device="back-door-lock", action="set Locked to false"))
    assert [r.actuation["reason"] for r in delivered] == ["denied", "confirmation_required"]
    assert standin.state["filler-conveyor"]["Running"] == "true"
    assert not standin.calls("core-command", "PUT")


def test_an_action_outside_the_catalog_never_reaches_a_device(standin, client):
    step, delivered = auto({"AutoActuate": "critical"}, client)
    step(record(action="set Speed to 99"))      # not an offered option
    assert delivered[0].actuation == {"status": "blocked", "reason": "not_in_catalog"}
    bad = GuardedActuator(lambda: CATALOG, Policy(), client).actuate(
        Action("filler-conveyor", "Running", "set", {"Running": "banana"}))
    assert bad["status"] == "blocked"
    assert not standin.calls("core-command", "PUT")
