"""Configuration: TOML in, EdgeX environment overrides applied, validated settings out.

``load_configuration`` reads the file and applies EdgeX's override rule (INTERFACES.md §5.4): a
variable named after a key's path, upper-cased with '.', '/' and '-' turned into '_', replaces that
key's value, cast to the type the key already has. Variables never add keys. ``ServiceSettings``
validates the sections the service core owns, once, at start-up; every other subsystem validates
its own section with the readers in ``settings.py``.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from .errors import ConfigError
from .settings import (get_bool, get_choice, get_duration, get_int, get_list, get_section,
                       get_str)

log = logging.getLogger(__name__)

DEFAULT_SERVICE_KEY = "app-llm-agent"
DEFAULT_CONFIG_FILE = "configuration.toml"
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR")
CLIENT_NAMES = ("core-command", "core-metadata", "core-data", "support-notifications")
# Go's strconv.ParseBool spellings, which is what EdgeX accepts in an override.
_GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
_SERVICE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~-]*$")


def override_name(path: tuple[str, ...]) -> str:
    """``("Clients", "core-command", "Host")`` -> ``CLIENTS_CORE_COMMAND_HOST``."""
    return re.sub(r"[./-]", "_", "_".join(path)).upper()


def load_configuration(path: str, *, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the TOML file at ``path`` and apply the EdgeX environment overrides from ``env``."""
    env = os.environ if env is None else env
    try:
        with open(path, "rb") as fh:
            config = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("configFile", path, "an existing TOML file") from None
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError("configFile", path, f"a readable TOML file ({err})") from None
    apply_env_overrides(config, env)
    return config


def apply_env_overrides(config: dict[str, Any], env: Mapping[str, str]) -> list[str]:
    """Replace every leaf whose override variable is set; return the variable names used."""
    used = []
    for path, value in list(_leaves(config)):
        name = override_name(path)
        if name not in env:
            continue
        new_value = _cast(env[name], value, name, path)
        parent = config
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = new_value
        shown = "<redacted>" if _is_secret(path) else env[name]
        log.info("Variables override of '%s' by environment variable: %s=%s",
                 "/".join(path), name, shown)
        used.append(name)
    return used


def _leaves(node: dict[str, Any], prefix: tuple[str, ...] = ()):
    for key, value in node.items():
        if isinstance(value, dict):
            yield from _leaves(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def _cast(raw: str, current: Any, name: str, path: tuple[str, ...]) -> Any:
    key = f"{name} (config {'.'.join(path)})"
    if isinstance(current, bool):
        if raw in _GO_TRUE or raw in _GO_FALSE:
            return raw in _GO_TRUE
        raise ConfigError(key, raw, "true or false")
    if isinstance(current, int):
        try:
            return int(raw.strip())
        except ValueError:
            raise ConfigError(key, raw, "an integer") from None
    if isinstance(current, float):
        try:
            return float(raw.strip())
        except ValueError:
            raise ConfigError(key, raw, "a number") from None
    if isinstance(current, list):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _is_secret(path: tuple[str, ...]) -> bool:
    return is_secret_key(path[-1]) or (
        len(path) > 2 and path[:2] == ("Writable", "InsecureSecrets") and path[-1] != "SecretName")


_SECRET_WORDS = re.compile(r"password|passwd|token|privatekey|clientkey|keypemblock|apikey|"
                           r"secret(?!name)", re.IGNORECASE)


def is_secret_key(name: str) -> bool:
    """True for leaf names that hold a credential (``Password``, ``KeyPEMBlock``, ``token``...)."""
    return bool(_SECRET_WORDS.search(name))


def redact(config: Mapping[str, Any], _path: tuple[str, ...] = ()) -> dict[str, Any]:
    """A copy of ``config`` with InsecureSecrets values, passwords and tokens replaced by '***'."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        path = _path + (key,)
        if isinstance(value, Mapping):
            out[key] = redact(value, path)
        elif _is_secret(path) and value not in ("", None):
            out[key] = "***"
        else:
            out[key] = value
    return out


def resolve_service_key(flag: str | None, env: Mapping[str, str], profile: str = "") -> str:
    """-sk beats EDGEX_SERVICE_KEY beats the default; ``<profile>`` is replaced as AFS does."""
    key = flag or env.get("EDGEX_SERVICE_KEY") or DEFAULT_SERVICE_KEY
    key = key.replace("<profile>", profile)
    if not _SERVICE_KEY.match(key):
        raise ConfigError("serviceKey", key,
                          "letters, digits, '-', '_', '.', '~' (e.g. app-llm-agent)")
    return key


def apply_dev_mode(config: dict[str, Any]) -> None:
    """-d/--dev: reach every other service on localhost and listen on all interfaces."""
    for section in ("MessageBus", "Registry"):
        if isinstance(config.get(section), dict) and "Host" in config[section]:
            config[section]["Host"] = "localhost"
    for client in config.get("Clients", {}).values():
        if isinstance(client, dict) and "Host" in client:
            client["Host"] = "localhost"
    config.setdefault("Service", {})["ServerBindAddr"] = "0.0.0.0"


@dataclass(frozen=True)
class ClientSettings:
    protocol: str
    host: str
    port: int
    use_message_bus: bool = False

    @property
    def base_url(self) -> str:
        return f"{self.protocol}://{self.host}:{self.port}"


@dataclass(frozen=True)
class ServiceSettings:
    """The validated settings the service core needs (other parts read their own sections)."""

    service_key: str
    log_level: str
    host: str
    port: int
    bind_addr: str
    startup_msg: str
    request_timeout: float
    max_request_size: int                   # bytes
    health_check_interval: str              # kept as written: the registry wants "10s"
    use_registry: bool
    registry_type: str
    registry_host: str
    registry_port: int
    bus_disabled: bool
    bus_host: str
    bus_port: int
    base_topic_prefix: str
    edgex_version: str                      # "auto" | "3" | "4"
    trigger_type: str
    subscribe_topics: tuple[str, ...]
    publish_topic: str
    telemetry_interval: float               # seconds; 0 = off
    telemetry_metrics: dict[str, bool] = field(default_factory=dict)
    telemetry_tags: dict[str, str] = field(default_factory=dict)
    msg_base64_payload: bool = False        # EDGEX_MSG_BASE64_PAYLOAD
    msg_cbor_encode: bool = False           # EDGEX_MSG_CBOR_ENCODE
    optimize_event_payload: bool = False    # EDGEX_OPTIMIZE_EVENT_PAYLOAD
    clients: dict[str, ClientSettings] = field(default_factory=dict)
    application_settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], *, service_key: str = DEFAULT_SERVICE_KEY,
                    use_registry: bool = False, env: Mapping[str, str] | None = None
                    ) -> "ServiceSettings":
        env = os.environ if env is None else env
        writable = get_section(cfg, "Writable")
        service = get_section(cfg, "Service")
        registry = get_section(cfg, "Registry")
        bus = get_section(cfg, "MessageBus")
        trigger = get_section(cfg, "Trigger")
        telemetry = get_section(writable, "Telemetry", "Writable")
        max_kib = get_int(service, "MaxRequestSize", "Service", 0, minimum=0)
        return cls(
            service_key=service_key,
            log_level=get_choice(writable, "LogLevel", LOG_LEVELS, "Writable", "INFO"),
            host=get_str(service, "Host", "Service", "localhost"),
            port=get_int(service, "Port", "Service", 59741, minimum=1, maximum=65535),
            bind_addr=get_str(service, "ServerBindAddr", "Service", ""),
            startup_msg=get_str(service, "StartupMsg", "Service", ""),
            request_timeout=get_duration(service, "RequestTimeout", "Service", "5s",
                                         allow_zero=False),
            max_request_size=(max_kib or 16 * 1024) * 1024,
            health_check_interval=_duration_text(service, "HealthCheckInterval", "Service", "10s"),
            use_registry=use_registry or _env_bool(env, "EDGEX_USE_REGISTRY"),
            registry_type=get_choice(registry, "Type", ("keeper", "consul"), "Registry", "keeper"),
            registry_host=get_str(registry, "Host", "Registry", "localhost"),
            registry_port=get_int(registry, "Port", "Registry", 59890, minimum=1, maximum=65535),
            bus_disabled=get_bool(bus, "Disabled", "MessageBus", False),
            bus_host=get_str(bus, "Host", "MessageBus", "localhost"),
            bus_port=get_int(bus, "Port", "MessageBus", 1883, minimum=1, maximum=65535),
            base_topic_prefix=get_str(bus, "BaseTopicPrefix", "MessageBus", "edgex"),
            edgex_version=get_choice({"EdgexVersion": str(bus.get("EdgexVersion", "auto"))},
                                     "EdgexVersion", ("auto", "3", "4"), "MessageBus"),
            trigger_type=get_choice(trigger, "Type", ("edgex-messagebus", "http"), "Trigger",
                                    "edgex-messagebus"),
            subscribe_topics=tuple(get_list(trigger, "SubscribeTopics", "Trigger", "events/#")),
            publish_topic=get_str(trigger, "PublishTopic", "Trigger", ""),
            telemetry_interval=get_duration(telemetry, "Interval", "Writable.Telemetry", "30s"),
            telemetry_metrics={
                name: get_bool(metrics, name, "Writable.Telemetry.Metrics")
                for metrics in [get_section(telemetry, "Metrics", "Writable.Telemetry")]
                for name in metrics},
            telemetry_tags={k: str(v) for k, v in
                            get_section(telemetry, "Tags", "Writable.Telemetry").items()},
            msg_base64_payload=_env_bool(env, "EDGEX_MSG_BASE64_PAYLOAD"),
            msg_cbor_encode=_env_bool(env, "EDGEX_MSG_CBOR_ENCODE"),
            optimize_event_payload=_env_bool(env, "EDGEX_OPTIMIZE_EVENT_PAYLOAD"),
            clients=_clients(get_section(cfg, "Clients")),
            application_settings={k: str(v) for k, v in
                                  get_section(cfg, "ApplicationSettings").items()},
        )

    @property
    def bind_host(self) -> str:
        return self.bind_addr or self.host


def _duration_text(sec: Mapping[str, Any], key: str, section: str, default: str) -> str:
    get_duration(sec, key, section, default, allow_zero=False)
    return str(sec.get(key, default))


def _env_bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "")
    if raw == "":
        return False
    if raw in _GO_TRUE or raw in _GO_FALSE:
        return raw in _GO_TRUE
    raise ConfigError(name, raw, "true or false")


def _clients(section: Mapping[str, Any]) -> dict[str, ClientSettings]:
    clients = {}
    for name, sec in section.items():
        path = f"Clients.{name}"
        if not isinstance(sec, dict):
            raise ConfigError(path, sec, "a table with Protocol, Host and Port")
        clients[name] = ClientSettings(
            protocol=get_choice(sec, "Protocol", ("http", "https"), path, "http"),
            host=get_str(sec, "Host", path, "localhost"),
            port=get_int(sec, "Port", path, minimum=1, maximum=65535),
            use_message_bus=get_bool(sec, "UseMessageBus", path, False))
    return clients
