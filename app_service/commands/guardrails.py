"""Guard-rails applied to every action before it is sent, whatever produced it, plus the policy
from ``[Commands]`` in configuration.toml (Deny, RequireConfirmation, rate limits, DryRun)."""
from __future__ import annotations

import fnmatch
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..settings import get_bool, get_choice, get_float, get_int, get_section, get_str
from .catalog import Catalog
from .interpreter import Action
from .numbers import FLOAT_TYPES, INTEGER_TYPES

SECTION = "Commands"
_INT_LIMITS = {"uint8": (0, 255), "uint16": (0, 65535), "uint32": (0, 2**32 - 1),
               "uint64": (0, 2**64 - 1), "int8": (-128, 127), "int16": (-32768, 32767),
               "int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


class Blocked(Exception):
    """An action the guard-rails or the policy stop; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str):
        self.reason, self.message = reason, message
        super().__init__(f"{reason}: {message}")


def check_action(action: Action, catalog: Catalog) -> None:
    """Raise ``Blocked`` unless the action names a real device and command, with a method the
    profile's readWrite allows, values for exactly the command's resources, typed and in range."""
    entry = catalog.entries.get(action.device)
    if entry is None:
        raise Blocked("unknown_device", f"device {action.device!r} is not in the catalog")
    if action.method == "get":
        if action.values:
            raise Blocked("bad_values", "a read carries no values")
        readable = {r.read_command for r in entry.resources.values() if r.read_command}
        if action.command not in readable:
            raise Blocked("unknown_command",
                          f"{action.device} has no readable command {action.command!r}")
        return
    if action.method != "set":
        raise Blocked("bad_method", f"method must be set or get, not {action.method!r}")
    targets = {r.name: r for r in entry.resources.values() if r.set_command == action.command}
    if not targets:
        readable = any(r.read_command == action.command for r in entry.resources.values())
        raise Blocked("read_only" if readable else "unknown_command",
                      f"{action.device} has no writable command {action.command!r}")
    values = action.values or {}
    if set(values) != set(targets):
        raise Blocked("bad_values", f"{action.command} takes exactly {sorted(targets)}")
    for name, raw in values.items():
        _check_value(targets[name], raw, action.device)


def _check_value(res: Any, raw: Any, device: str) -> None:
    kind = res.value_type.lower()
    if not isinstance(raw, str):
        raise Blocked("bad_type", f"{res.name} must be an EdgeX string, got {type(raw).__name__}")
    if res.allowed and raw.lower() in {a.lower() for a in res.allowed}:
        return   # a documented value or a mapping label (the device SDK maps labels on writes)
    if kind == "bool":
        if raw not in ("true", "false"):
            raise Blocked("bad_type", f"{res.name} must be true or false, not {raw!r}")
        return
    if kind == "string":
        if res.allowed and raw.lower() not in {a.lower() for a in res.allowed}:
            raise Blocked("not_allowed",
                          f"{res.name} accepts only {', '.join(res.allowed)}, not {raw!r}")
        return
    try:
        if kind in {t.lower() for t in INTEGER_TYPES}:
            number: float = int(raw)
            low, high = _INT_LIMITS[kind]
            if not low <= number <= high:
                raise ValueError
        elif kind in {t.lower() for t in FLOAT_TYPES}:
            number = float(raw)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError
        else:
            raise Blocked("bad_type",
                          f"{res.name} has valueType {res.value_type}, which commands do not set")
    except ValueError:
        raise Blocked("bad_type", f"{res.name} must be a {res.value_type}, not {raw!r}") from None
    if (res.minimum is not None and number < res.minimum) or (
            res.maximum is not None and number > res.maximum):
        raise Blocked("out_of_range",
                      f"{device} {res.name}={raw} is outside {res.minimum:g}..{res.maximum:g}")


# --- policy ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    name: str
    effect: str                       # Deny | RequireConfirmation | RateLimit
    profile: str = "*"
    device: str = "*"
    command: str = "*"
    value: str = "*"
    max_per_minute: int = 0

    def matches(self, action: Action, profile: str) -> bool:
        values = list((action.values or {}).values()) or [""]
        return (action.method == "set" and fnmatch.fnmatchcase(profile, self.profile)
                and fnmatch.fnmatchcase(action.device, self.device)
                and fnmatch.fnmatchcase(action.command, self.command)
                and any(fnmatch.fnmatch(v.lower(), self.value.lower()) for v in values))


@dataclass
class Policy:
    dry_run: bool = False
    rules: tuple[Rule, ...] = ()
    _recent: dict[tuple[str, str], deque] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Policy":
        section = get_section(config, SECTION)
        rules = []
        policies = get_section(section, "Policy", SECTION)
        for name, raw in policies.items():
            path = f"{SECTION}.Policy.{name}"
            if not isinstance(raw, dict):
                from ..errors import ConfigError
                raise ConfigError(path, raw, "a table with Effect and Profile/Device/Command/Value")
            effect = get_choice(raw, "Effect", ("Deny", "RequireConfirmation", "RateLimit"), path)
            rules.append(Rule(
                name=name, effect=effect, profile=get_str(raw, "Profile", path, "*"),
                device=get_str(raw, "Device", path, "*"),
                command=get_str(raw, "Command", path, "*"),
                value=get_str(raw, "Value", path, "*"),
                max_per_minute=get_int(raw, "MaxPerMinute", path,
                                       0 if effect != "RateLimit" else None,
                                       minimum=0 if effect != "RateLimit" else 1)))
        return cls(dry_run=get_bool(section, "DryRun", SECTION, False), rules=tuple(rules))

    def needs_confirmation(self, action: Action, profile: str) -> Rule | None:
        return next((r for r in self.rules if r.effect == "RequireConfirmation"
                     and r.matches(action, profile)), None)

    def check(self, action: Action, profile: str, *, confirmed: bool,
              now: float | None = None) -> None:
        """Raise Blocked for a denied, unconfirmed or rate-limited action; records it otherwise."""
        for rule in self.rules:
            if rule.effect == "Deny" and rule.matches(action, profile):
                raise Blocked("denied",
                              f"policy {rule.name} denies {action.command} on {action.device}")
        rule = self.needs_confirmation(action, profile)
        if rule is not None and not confirmed:
            raise Blocked("confirmation_required",
                          f"policy {rule.name}: repeat the request with confirm=true to proceed")
        now = time.monotonic() if now is None else now
        with self._lock:
            for rule in self.rules:
                if rule.effect != "RateLimit" or not rule.matches(action, profile):
                    continue
                window = self._recent.setdefault((rule.name, action.device), deque())
                while window and now - window[0] > 60.0:
                    window.popleft()
                if len(window) >= rule.max_per_minute:
                    raise Blocked("rate_limited",
                                  f"policy {rule.name}: at most {rule.max_per_minute} "
                                  f"changes a minute on {action.device}")
            for rule in self.rules:
                if rule.effect == "RateLimit" and rule.matches(action, profile):
                    self._recent.setdefault((rule.name, action.device), deque()).append(now)


def command_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The non-policy keys of [Commands], validated once at start."""
    section = get_section(config, SECTION)
    return {
        "enabled": get_bool(section, "Enabled", SECTION, True),
        "use_model": get_bool(section, "UseModel", SECTION, True),
        "model_threshold": get_float(section, "ModelThreshold", SECTION, 0.75,
                                     minimum=0.0, maximum=1.0),
        "audit_topic": get_str(section, "AuditTopic", SECTION, "llm-agent/audit"),
        "request_topic": get_str(section, "RequestTopic", SECTION, "llm-agent/command/request"),
        "utterance_resource": get_str(section, "UtteranceResource", SECTION, "Utterance"),
        "execute_from_pipeline": get_bool(section, "ExecuteFromPipeline", SECTION, False),
    }
