"""Recommended actions from the commands catalog, and guarded auto-actuation.

Options are only what the catalog says a device accepts: a writable Bool resource (true/false)
or a String resource with an enumeration, each through its own set command. Auto-actuation
runs the same guard-rails as natural-language commands (``check_action``, then the
``Commands.Policy``); a policy rule that needs confirmation blocks it, because nobody is there
to confirm.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from ..commands.guardrails import Blocked, Policy, check_action
from ..commands.interpreter import Action
from ..errors import AppServiceError

log = logging.getLogger(__name__)


def option_text(action: Action) -> str:
    (resource, value), = action.values.items()
    return f"set {resource} to {value}"


def catalog_actions(catalog: Any, device: str) -> list[Action]:
    entry = catalog.entries.get(device)
    if entry is None:
        return []
    out = []
    for res in entry.writable():
        shared = [r for r in entry.resources.values() if r.set_command == res.set_command]
        if len(shared) != 1:  # the command needs values for several resources at once
            continue
        values = ("true", "false") if res.is_bool else (res.allowed if res.is_string else ())
        out += [Action(device, res.set_command, "set", {res.name: v}) for v in values]
    return out


class ActionCatalog:
    """``options(device)`` for the triager; ``action(device, text)`` maps a choice back."""

    def __init__(self, catalog: Callable[[], Any]) -> None:
        self._catalog = catalog

    def options(self, device: str) -> list[str]:
        return [option_text(a) for a in catalog_actions(self._catalog(), device)]

    def action(self, device: str, text: str) -> Action | None:
        return next((a for a in catalog_actions(self._catalog(), device)
                     if option_text(a) == text), None)


class GuardedActuator:
    """Executes a recommended action through the commands part's guard-rails and policy."""

    def __init__(self, catalog: Callable[[], Any], policy: Policy, client: Any) -> None:
        self._catalog = catalog
        self.policy = policy
        self.client = client

    def actuate(self, action: Action, correlation_id: str = "") -> dict[str, Any]:
        catalog = self._catalog()
        try:
            check_action(action, catalog)
            profile = catalog.entries[action.device].profile
            if self.policy.needs_confirmation(action, profile):
                raise Blocked("confirmation_required",
                              "a policy requires confirmation; anomalies never auto-confirm")
            self.policy.check(action, profile, confirmed=False)
        except Blocked as blocked:
            log.warning("auto-actuation %s blocked: %s", action.to_dict(), blocked,
                        extra={"correlation_id": correlation_id})
            return {**action.to_dict(), "status": "blocked", "reason": blocked.reason}
        if self.policy.dry_run:
            return {**action.to_dict(), "status": "dry_run"}
        try:
            self.client.put(action.device, action.command, dict(action.values),
                            correlation_id=correlation_id)
        except AppServiceError as err:
            log.error("auto-actuation %s failed: %s", action.to_dict(), err,
                      extra={"correlation_id": correlation_id})
            return {**action.to_dict(), "status": "failed", "error": str(err)}
        log.info("auto-actuated %s", action.to_dict(), extra={"correlation_id": correlation_id})
        return {**action.to_dict(), "status": "ok"}
