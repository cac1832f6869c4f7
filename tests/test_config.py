"""configuration.toml loading, EdgeX environment overrides and ServiceSettings validation."""
import os

import pytest

from app_service.config import (ServiceSettings, apply_dev_mode, load_configuration,
                                override_name, redact, resolve_service_key)
from app_service.errors import ConfigError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = os.path.join(ROOT, "configuration.toml")

SAMPLE = """
[Writable]
LogLevel = "INFO"
  [Writable.Telemetry]
  Interval = "30s"
    [Writable.Telemetry.Metrics]
    MessagesReceived = false
  [Writable.InsecureSecrets.mqtt]
  SecretName = "mqtt"
    [Writable.InsecureSecrets.mqtt.SecretData]
    username = "bob"
    password = "hunter2"
[Service]
Port = 59741
RequestTimeout = "5s"
MaxRequestSize = 0
[MessageBus]
Host = "localhost"
Port = 1883
  [MessageBus.Optional]
  ClientId = "app-llm-agent"
  Password = "pw"
[Trigger]
SubscribeTopics = "events/#"
Topics = ["a", "b"]
[Clients.core-command]
Protocol = "http"
Host = "localhost"
Port = 59882
UseMessageBus = false
[ApplicationSettings]
Ratio = 0.5
"""


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "configuration.toml"
    path.write_text(SAMPLE)
    return str(path)


@pytest.mark.parametrize("path, name", [
    (("Writable", "LogLevel"), "WRITABLE_LOGLEVEL"),
    (("Service", "Host"), "SERVICE_HOST"),
    (("Clients", "core-metadata", "Host"), "CLIENTS_CORE_METADATA_HOST"),
    (("MessageBus", "Optional", "ClientId"), "MESSAGEBUS_OPTIONAL_CLIENTID"),
    (("Writable", "InsecureSecrets", "DB", "SecretData", "username"),
     "WRITABLE_INSECURESECRETS_DB_SECRETDATA_USERNAME"),
    (("Trigger", "a.b/c"), "TRIGGER_A_B_C"),
])
def test_override_name_follows_edgex_rule(path, name):
    assert override_name(path) == name


@pytest.mark.parametrize("var, value, path, expected", [
    ("WRITABLE_LOGLEVEL", "DEBUG", ("Writable", "LogLevel"), "DEBUG"),
    ("SERVICE_PORT", "60000", ("Service", "Port"), 60000),
    ("CLIENTS_CORE_COMMAND_USEMESSAGEBUS", "true", ("Clients", "core-command", "UseMessageBus"),
     True),
    ("CLIENTS_CORE_COMMAND_USEMESSAGEBUS", "F", ("Clients", "core-command", "UseMessageBus"),
     False),
    ("CLIENTS_CORE_COMMAND_HOST", "edgex-core-command", ("Clients", "core-command", "Host"),
     "edgex-core-command"),
    ("MESSAGEBUS_OPTIONAL_CLIENTID", "", ("MessageBus", "Optional", "ClientId"), ""),
    ("TRIGGER_TOPICS", "x, y ,z", ("Trigger", "Topics"), ["x", "y", "z"]),
    ("APPLICATIONSETTINGS_RATIO", "0.25", ("ApplicationSettings", "Ratio"), 0.25),
])
def test_env_override_casts_to_existing_type(sample, var, value, path, expected):
    cfg = load_configuration(sample, env={var: value})
    node = cfg
    for part in path:
        node = node[part]
    assert node == expected and type(node) is type(expected)


def test_env_override_never_adds_keys(sample):
    cfg = load_configuration(sample, env={"SERVICE_NEWKEY": "x", "REGISTRY_HOST": "h"})
    assert "NewKey" not in cfg["Service"] and "Registry" not in cfg


@pytest.mark.parametrize("var, value, accepted", [
    ("SERVICE_PORT", "not-a-port", "an integer"),
    ("CLIENTS_CORE_COMMAND_USEMESSAGEBUS", "maybe", "true or false"),
    ("APPLICATIONSETTINGS_RATIO", "lots", "a number"),
])
def test_env_override_bad_type_names_variable_value_and_accepted(sample, var, value, accepted):
    with pytest.raises(ConfigError) as err:
        load_configuration(sample, env={var: value})
    assert var in err.value.key and err.value.value == value and accepted in str(err.value)


@pytest.mark.parametrize("content, accepted", [
    (None, "existing TOML file"),
    ("[Service\nPort=", "readable TOML"),
])
def test_unreadable_file_is_a_config_error(tmp_path, content, accepted):
    path = tmp_path / "c.toml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=accepted):
        load_configuration(str(path), env={})


def test_shipped_configuration_validates_with_documented_defaults():
    settings = ServiceSettings.from_config(load_configuration(SHIPPED, env={}), env={})
    assert settings.service_key == "app-llm-agent"
    assert settings.port == 59741
    assert (settings.bus_host, settings.bus_port, settings.base_topic_prefix) == (
        "localhost", 1883, "edgex")
    assert settings.edgex_version == "auto"
    assert settings.subscribe_topics == ("events/#",)
    assert set(settings.clients) == {"core-command", "core-metadata", "core-data",
                                     "support-notifications"}
    assert settings.clients["core-command"].base_url == "http://localhost:59882"
    assert settings.telemetry_metrics["PipelineMessagesProcessed"] is True
    assert settings.registry_type == "keeper" and not settings.use_registry


@pytest.mark.parametrize("section, key, value, accepted", [
    ("Writable", "LogLevel", "LOUD", "TRACE, DEBUG, INFO, WARN, ERROR"),
    ("Service", "Port", 70000, "between 1 and 65535"),
    ("Service", "RequestTimeout", "soon", "duration"),
    ("Service", "MaxRequestSize", -1, ">= 0"),
    ("Registry", "Type", "etcd", "keeper, consul"),
    ("MessageBus", "EdgexVersion", "5", "auto, 3, 4"),
    ("Trigger", "Type", "external-mqtt", "edgex-messagebus, http"),
])
def test_bad_values_name_key_value_and_accepted(section, key, value, accepted):
    cfg = load_configuration(SHIPPED, env={})
    cfg[section][key] = value
    with pytest.raises(ConfigError) as err:
        ServiceSettings.from_config(cfg, env={})
    assert err.value.key == f"{section}.{key}" and err.value.value == value
    assert accepted in err.value.accepted


@pytest.mark.parametrize("env, field, expected", [
    ({"EDGEX_USE_REGISTRY": "true"}, "use_registry", True),
    ({"EDGEX_MSG_BASE64_PAYLOAD": "true"}, "msg_base64_payload", True),
    ({"EDGEX_MSG_CBOR_ENCODE": "1"}, "msg_cbor_encode", True),
    ({"EDGEX_OPTIMIZE_EVENT_PAYLOAD": "false"}, "optimize_event_payload", False),
    ({}, "msg_base64_payload", False),
])
def test_edgex_variables(env, field, expected):
    settings = ServiceSettings.from_config(load_configuration(SHIPPED, env={}), env=env)
    assert getattr(settings, field) is expected


def test_edgex_variable_bad_value():
    with pytest.raises(ConfigError, match="EDGEX_USE_REGISTRY"):
        ServiceSettings.from_config(load_configuration(SHIPPED, env={}),
                                    env={"EDGEX_USE_REGISTRY": "sure"})


def test_max_request_size_is_kib_with_zero_meaning_hard_cap(sample):
    settings = ServiceSettings.from_config(load_configuration(sample, env={}), env={})
    assert settings.max_request_size == 16 * 1024 * 1024
    cfg = load_configuration(sample, env={"SERVICE_MAXREQUESTSIZE": "2"})
    assert ServiceSettings.from_config(cfg, env={}).max_request_size == 2048


@pytest.mark.parametrize("flag, env, profile, expected", [
    (None, {}, "", "app-llm-agent"),
    (None, {"EDGEX_SERVICE_KEY": "app-env"}, "", "app-env"),
    ("app-flag", {"EDGEX_SERVICE_KEY": "app-env"}, "", "app-flag"),
    ("app-<profile>", {}, "factory", "app-factory"),
])
def test_service_key_precedence(flag, env, profile, expected):
    assert resolve_service_key(flag, env, profile) == expected


def test_service_key_rejects_spaces():
    with pytest.raises(ConfigError, match="serviceKey"):
        resolve_service_key("app llm", {})


def test_redact_hides_secrets_keeps_names(sample):
    shown = redact(load_configuration(sample, env={}))
    secrets = shown["Writable"]["InsecureSecrets"]["mqtt"]
    assert secrets["SecretName"] == "mqtt"
    assert secrets["SecretData"] == {"username": "***", "password": "***"}
    assert shown["MessageBus"]["Optional"]["Password"] == "***"
    assert shown["MessageBus"]["Optional"]["ClientId"] == "app-llm-agent"
    assert shown["Service"]["Port"] == 59741


def test_secret_override_value_is_not_logged(sample, caplog):
    caplog.set_level("INFO")
    load_configuration(sample, env={"WRITABLE_INSECURESECRETS_MQTT_SECRETDATA_PASSWORD": "s3cr3t",
                                    "SERVICE_PORT": "59999"})
    assert "s3cr3t" not in caplog.text and "SERVICE_PORT=59999" in caplog.text


def test_dev_mode_points_hosts_at_localhost():
    cfg = load_configuration(SHIPPED, env={"MESSAGEBUS_HOST": "edgex-mqtt-broker",
                                           "CLIENTS_CORE_COMMAND_HOST": "edgex-core-command"})
    apply_dev_mode(cfg)
    assert cfg["MessageBus"]["Host"] == "localhost"
    assert cfg["Clients"]["core-command"]["Host"] == "localhost"
    assert cfg["Service"]["ServerBindAddr"] == "0.0.0.0"
