"""``[MessageBus]`` settings, validated once at start (INTERFACES.md §1.1).

``Optional`` is EdgeX's string map of client options; credentials come from the
``Writable.InsecureSecrets`` entry named by ``SecretName``; ``EDGEX_MSG_BASE64_PAYLOAD`` and
``EDGEX_MSG_CBOR_ENCODE`` come from the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from .edgex.secrets import insecure_secret
from .errors import ConfigError
from .settings import get_bool, get_choice, get_int, get_section, get_str

TLS_SCHEMES = ("ssl", "tls", "mqtts", "wss")
PROTOCOLS = ("tcp", "mqtt", "ssl", "tls", "mqtts", "ws", "wss")


@dataclass(frozen=True)
class BusSettings:
    host: str = "localhost"
    port: int = 1883
    protocol: str = "tcp"
    base_topic_prefix: str = "edgex"
    auth_mode: str = "none"
    secret_name: str = ""
    client_id: str = ""
    qos: int = 0
    keep_alive: int = 10
    retained: bool = False
    auto_reconnect: bool = True
    connect_timeout_s: float = 5.0
    clean_session: bool = True
    skip_cert_verify: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    ca_pem: str = ""
    cert_pem: str = ""
    key_pem: str = ""
    username: str = ""
    password: str = ""
    disabled: bool = False
    edgex_major: str = "auto"        # EdgexVersion "auto" | "3" | "4": how we encode envelopes
    base64_payload: bool = False     # EDGEX_MSG_BASE64_PAYLOAD
    cbor_envelope: bool = False      # EDGEX_MSG_CBOR_ENCODE
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 30.0
    max_queued_publishes: int = 10000
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], env: Mapping[str, str] | None = None,
                    service_key: str = "") -> "BusSettings":
        """Validate ``[MessageBus]`` (+ ``Writable.InsecureSecrets`` for credentials).

        A blank ``Optional.ClientId`` becomes ``service_key`` (or a random id without one)."""
        env = os.environ if env is None else env
        s = "MessageBus"
        bus = get_section(cfg, s)
        opt = {str(k): v for k, v in get_section(bus, "Optional", s).items()}
        o = f"{s}.Optional"
        get_choice(bus, "Type", ("mqtt",), s, default="mqtt")
        auth = get_choice(bus, "AuthMode", ("none", "usernamepassword", "clientcert", "cacert"),
                          s, default="none")
        secret_name = get_str(bus, "SecretName", s, default="")
        secret = insecure_secret(cfg, secret_name) if auth != "none" else {}
        if auth != "none" and not secret:
            raise ConfigError(f"{s}.SecretName", secret_name,
                              "the SecretName of a Writable.InsecureSecrets entry")
        username = password = ca_pem = cert_pem = key_pem = ""
        if auth == "usernamepassword":
            username, password = secret.get("username", ""), secret.get("password", "")
        if auth in ("clientcert", "cacert"):
            ca_pem = secret.get("cacert", "")
        if auth == "clientcert":
            cert_pem, key_pem = secret.get("clientcert", ""), secret.get("clientkey", "")
        major = str(bus.get("EdgexVersion", "auto")).strip().lower()
        if major not in ("auto", "3", "4"):
            raise ConfigError(f"{s}.EdgexVersion", bus.get("EdgexVersion"), "auto, 3 or 4")
        return cls(
            host=get_str(bus, "Host", s, default="localhost"),
            port=get_int(bus, "Port", s, default=1883, minimum=1, maximum=65535),
            protocol=get_choice(bus, "Protocol", PROTOCOLS, s, default="tcp"),
            base_topic_prefix=get_str(bus, "BaseTopicPrefix", s, default="edgex"),
            auth_mode=auth, secret_name=secret_name,
            client_id=get_str(opt, "ClientId", o, default="") or service_key,
            qos=get_int(opt, "Qos", o, default=0, minimum=0, maximum=2),
            keep_alive=get_int(opt, "KeepAlive", o, default=10, minimum=0, maximum=65535),
            retained=get_bool(opt, "Retained", o, default=False),
            auto_reconnect=get_bool(opt, "AutoReconnect", o, default=True),
            connect_timeout_s=float(get_int(opt, "ConnectTimeout", o, default=5, minimum=1)),
            clean_session=get_bool(opt, "CleanSession", o, default=True),
            skip_cert_verify=get_bool(opt, "SkipCertVerify", o, default=False),
            ca_file=get_str(opt, "CaFile", o, default=""),
            cert_file=get_str(opt, "CertFile", o, default=""),
            key_file=get_str(opt, "KeyFile", o, default=""),
            ca_pem=ca_pem or get_str(opt, "CaPEMBlock", o, default=""),
            cert_pem=cert_pem or get_str(opt, "CertPEMBlock", o, default=""),
            key_pem=key_pem or get_str(opt, "KeyPEMBlock", o, default=""),
            username=username, password=password,
            disabled=get_bool(bus, "Disabled", s, default=False),
            edgex_major=major,
            base64_payload=get_bool(env, "EDGEX_MSG_BASE64_PAYLOAD", "env", default=False),
            cbor_envelope=get_bool(env, "EDGEX_MSG_CBOR_ENCODE", "env", default=False),
        )

    @property
    def uses_tls(self) -> bool:
        return self.protocol in TLS_SCHEMES
