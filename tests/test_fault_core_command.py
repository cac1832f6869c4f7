"""Fault test: core-command down, then back. Store-and-forward delivers every queued PUT exactly once."""
import os

import tenacity

from app_service.clients import CoreCommandClient
from app_service.errors import CommandError
from app_service.standin import StandIn
from app_service.store_forward import StoreAndForward, StoreSettings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "profiles")

ACTIONS = [("lounge-lamp", "Brightness", {"Brightness": "35"}),
           ("study-light", "Power", {"Power": "true"}),
           ("lounge-thermostat", "Setpoint", {"Setpoint": "22.5"}),
           ("filler-conveyor", "Speed", {"Speed": "1.6"}),
           ("rinse-pump", "TargetPressure", {"TargetPressure": "3.0"})]


def test_queued_puts_are_delivered_once_after_core_command_returns(tmp_path):
    with StandIn(PROFILES, publish_events=False) as standin:
        client = CoreCommandClient(standin.urls["core-command"], timeout_s=0.15,
                                   wait=tenacity.wait_fixed(0.02))

        def deliver(payload):
            client.put(payload["device"], payload["command"], payload["values"], idempotent=False,
                       correlation_id=payload["_correlation_id"])

        store = StoreAndForward(str(tmp_path / "sf.db"),
                                StoreSettings(enabled=True, retry_interval_s=1.0, max_retry_count=0))
        store.register("actuation", deliver)
        standin.set_down("core-command")
        for i, (device, command, values) in enumerate(ACTIONS):
            payload = {"device": device, "command": command, "values": values}
            try:
                deliver({**payload, "_correlation_id": f"cid-{i}"})
            except CommandError as err:
                assert err.status == 0  # unreachable, not refused
                store.add("actuation", payload, correlation_id=f"cid-{i}")
        assert store.count() == len(ACTIONS)
        assert store.retry_now() == 0 and store.count() == len(ACTIONS)  # still down: all kept

        # Restart the store (as after a service restart) while core-command comes back.
        store.close()
        standin.set_down("core-command", False)
        store = StoreAndForward(str(tmp_path / "sf.db"),
                                StoreSettings(enabled=True, retry_interval_s=1.0, max_retry_count=0))
        store.register("actuation", deliver)
        assert store.retry_now() == len(ACTIONS) and store.count() == 0
        assert store.retry_now() == 0
        store.close()

        puts = standin.calls("core-command", "PUT")
        assert sorted((c.path, c.headers["x-correlation-id"], c.status) for c in puts) == sorted(
            (f"/api/v3/device/name/{d}/{c}", f"cid-{i}", 200) for i, (d, c, _) in enumerate(ACTIONS))
        for device, command, values in ACTIONS:
            (resource, value), = values.items()
            assert standin.state[device][resource] == value
