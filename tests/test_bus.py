"""MessageBus against a real mosquitto: pub/sub, request/response, guarded callbacks, auth, TLS."""
import json
import os
import shutil
import subprocess
import threading
import uuid

import pytest

from app_service.bus import BusError, BusSettings, MessageBus, RequestTimeout, wait_for
from app_service.edgex.envelope import decode_envelope, decode_payload, encode_envelope
from app_service.errors import ConfigError
from broker import Broker


def bus_for(broker, **kw):
    bus = MessageBus(BusSettings(host=broker.host, port=broker.port, **kw))
    bus.start()
    assert bus.wait_connected(5)
    return bus


@pytest.fixture
def bus(broker):
    b = bus_for(broker)
    yield b
    b.stop()


def unique(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_publish_subscribe_with_wildcards(broker, bus):
    base = unique()
    got = []
    bus.subscribe([f"{base}/a/#", f"{base}/+/c"], lambda t, r: got.append((t, r)))
    bus.subscribe(f"{base}/a/c", lambda t, r: got.append(("second", r)))
    wait_for(lambda: False, 0.2)
    bus.publish(f"{base}/a/c", b"1")
    bus.publish(f"{base}/x/c", b"2")
    bus.publish(f"{base}/y/z", b"3")
    assert wait_for(lambda: len(got) == 3, 5)
    wait_for(lambda: False, 0.1)
    assert sorted(got) == sorted([(f"{base}/a/c", b"1"), ("second", b"1"), (f"{base}/x/c", b"2")])


def test_a_failing_handler_does_not_kill_the_network_thread(broker, bus, caplog):
    topic = unique()
    got = []

    def handler(t, raw):
        if raw == b"bad":
            raise RuntimeError("handler bug")
        got.append(raw)

    bus.subscribe(topic, handler)
    wait_for(lambda: False, 0.2)
    bus.publish(topic, b"bad")
    bus.publish(topic, b"good")
    assert wait_for(lambda: got == [b"good"], 5)
    assert "handler bug" in caplog.text


def test_full_topic_and_envelope_publishing(broker):
    bus = bus_for(broker, base_topic_prefix="edgex", edgex_major="4")
    try:
        assert bus.full_topic("rules-events") == "edgex/rules-events"
        topic = bus.full_topic(unique())
        got = []
        bus.subscribe(topic, lambda t, r: got.append(r))
        wait_for(lambda: False, 0.2)
        bus.publish_envelope(topic, {"a": 1}, correlation_id="c-1")
        assert wait_for(lambda: got, 5)
        env = decode_envelope(got[0], topic)
        assert env.payload_was_object and decode_payload(env) == {"a": 1}
        assert env.correlation_id == "c-1"
    finally:
        bus.stop()


def test_auto_major_publishes_base64_until_a_4x_peer_is_seen(broker, bus):
    assert bus.publish_major == 3
    assert isinstance(json.loads(bus.encode({"a": 1}, correlation_id="c"))["payload"], str)
    bus.note_peer_major(4)
    assert json.loads(bus.encode({"a": 1}, correlation_id="c"))["payload"] == {"a": 1}


def responder(bus, service, reply):
    """A stand-in for core-command: answers requests on {b}/response/{service}/{requestId}."""
    def handle(topic, raw):
        env = decode_envelope(raw, topic)
        payload, code = reply(env)
        bus.publish(bus.full_topic(f"response/{service}/{env.request_id}"),
                    encode_envelope(payload, correlation_id=env.correlation_id,
                                    request_id=env.request_id, error_code=code,
                                    content_type="text/plain" if code else "application/json"))
    return handle


def test_request_response(broker):
    server = bus_for(broker, base_topic_prefix=unique("edgex"))
    client = bus_for(broker, base_topic_prefix=server.settings.base_topic_prefix)
    try:
        server.subscribe(server.full_topic("core/command/request/#"), responder(
            server, "core-command",
            lambda env: (({"statusCode": 200, "echo": env.query_params}, 0)
                         if "Good" in env.received_topic else ("no such device", 1))))
        wait_for(lambda: False, 0.2)
        reply = client.request(client.full_topic("core/command/request/Good/Int8/get"),
                               response_service="core-command", timeout=5,
                               query_params={"ds-returnevent": "true"})
        assert reply.error_code == 0
        assert decode_payload(reply) == {"statusCode": 200, "echo": {"ds-returnevent": "true"}}
        failed = client.request(client.full_topic("core/command/request/Bad/Int8/get"),
                                response_service="core-command", timeout=5)
        assert failed.error_code == 1 and failed.error_message == "no such device"
        threads = [threading.Thread(target=lambda: client.request(
            client.full_topic("core/command/request/Good/X/get"),
            response_service="core-command", timeout=5)) for _ in range(8)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        with pytest.raises(RequestTimeout):
            client.request(client.full_topic("nobody/listens"), response_service="nobody",
                           timeout=0.3)
    finally:
        client.stop()
        server.stop()


def test_request_without_a_connection_is_a_bus_error():
    bus = MessageBus(BusSettings(host="127.0.0.1", port=1, reconnect_max_s=1))
    bus.start()
    try:
        with pytest.raises(BusError, match="not connected"):
            bus.request("x", response_service="core-command", timeout=0.2)
    finally:
        bus.stop()


# --- settings -----------------------------------------------------------------------------------
CFG = {"MessageBus": {"Type": "mqtt", "Protocol": "tcp", "Host": "broker", "Port": 1883,
                      "BaseTopicPrefix": "edgex", "AuthMode": "usernamepassword",
                      "SecretName": "mqtt", "EdgexVersion": "4",
                      "Optional": {"ClientId": "", "Qos": "1", "KeepAlive": "30",
                                   "Retained": "false", "AutoReconnect": "true",
                                   "ConnectTimeout": "7", "CleanSession": "false",
                                   "SkipCertVerify": "true"}},
       "Writable": {"InsecureSecrets": {"mqtt": {"SecretName": "mqtt", "SecretData": {
           "username": "edgex", "password": "s3cret"}}}}}


def test_settings_from_config():
    s = BusSettings.from_config(CFG, env={"EDGEX_MSG_BASE64_PAYLOAD": "true"},
                                service_key="app-llm-agent")
    assert (s.host, s.port, s.qos, s.keep_alive, s.connect_timeout_s) == ("broker", 1883, 1, 30,
                                                                          7.0)
    assert (s.client_id, s.clean_session, s.skip_cert_verify) == ("app-llm-agent", False, True)
    assert (s.username, s.password, s.edgex_major, s.base64_payload) == ("edgex", "s3cret", "4",
                                                                         True)
    assert BusSettings.from_config({}) == BusSettings(edgex_major="auto")


def with_bus(**changes):
    cfg = json.loads(json.dumps(CFG))
    for key, value in changes.items():
        section = cfg["MessageBus"]
        if key.startswith("Optional."):
            section, key = section["Optional"], key.split(".", 1)[1]
        section[key] = value
    return cfg


@pytest.mark.parametrize("changes,key", [
    ({"Type": "redis"}, "MessageBus.Type"), ({"Port": 0}, "MessageBus.Port"),
    ({"Protocol": "http"}, "MessageBus.Protocol"), ({"AuthMode": "token"}, "MessageBus.AuthMode"),
    ({"SecretName": "nope"}, "MessageBus.SecretName"),
    ({"EdgexVersion": "5"}, "MessageBus.EdgexVersion"),
    ({"Optional.Qos": "3"}, "MessageBus.Optional.Qos"),
    ({"Optional.CleanSession": "maybe"}, "MessageBus.Optional.CleanSession"),
    ({"Optional.KeepAlive": "x"}, "MessageBus.Optional.KeepAlive"),
])
def test_bad_settings_name_the_key(changes, key):
    with pytest.raises(ConfigError) as err:
        BusSettings.from_config(with_bus(**changes), env={})
    assert err.value.key == key


# --- authentication and TLS against a configured mosquitto --------------------------------------
def configured_broker(tmp_path, lines):
    broker = Broker()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lines = ["user root", *lines]  # else mosquitto drops to a user that cannot read tmp_path
    with open(broker._conf, "w") as fh:
        fh.write("\n".join([f"listener {broker.port} 127.0.0.1", *lines]) + "\n")
    return broker.start()


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="needs mosquitto_passwd")
def test_username_password_from_insecure_secrets(tmp_path):
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwd), "edgex", "s3cret"], check=True)
    broker = configured_broker(tmp_path, ["allow_anonymous false", f"password_file {passwd}"])
    try:
        cfg = with_bus(Host=broker.host, Port=broker.port, **{"Optional.CleanSession": "true"})
        good = MessageBus(BusSettings.from_config(cfg, env={}))
        good.start()
        assert good.wait_connected(5)
        good.stop()
        cfg["Writable"]["InsecureSecrets"]["mqtt"]["SecretData"]["password"] = "wrong"
        bad = MessageBus(BusSettings.from_config(cfg, env={}))
        bad.start()
        assert not bad.wait_connected(1)
        bad.stop()
    finally:
        broker.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_tls_with_ca_file(tmp_path):
    def ssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    d = str(tmp_path)
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.crt", "-days", "2", "-subj", "/CN=test-ca")
    ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{d}/server.key", "-out", f"{d}/server.csr", "-subj", "/CN=127.0.0.1")
    with open(f"{d}/ext.cnf", "w") as fh:
        fh.write("subjectAltName=IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.crt", "-CAkey", f"{d}/ca.key",
        "-CAcreateserial", "-out", f"{d}/server.crt", "-days", "2", "-extfile", f"{d}/ext.cnf")
    broker = configured_broker(tmp_path, ["allow_anonymous true", f"cafile {d}/ca.crt",
                                          f"certfile {d}/server.crt", f"keyfile {d}/server.key"])
    try:
        cfg = {"MessageBus": {"Protocol": "ssl", "Host": broker.host, "Port": broker.port,
                              "Optional": {"CaFile": f"{d}/ca.crt"}}}
        bus = MessageBus(BusSettings.from_config(cfg, env={}))
        bus.start()
        assert bus.wait_connected(5)
        got = []
        bus.subscribe("tls/t", lambda t, r: got.append(r))
        wait_for(lambda: False, 0.2)
        bus.publish("tls/t", b"secure")
        assert wait_for(lambda: got == [b"secure"], 5)
        bus.stop()
        with open(f"{d}/ca.crt") as fh:  # the CA given as PEM text (CaPEMBlock)
            pem = fh.read()
        cfg["MessageBus"]["Optional"] = {"CaPEMBlock": pem}
        pem_bus = MessageBus(BusSettings.from_config(cfg, env={}))
        pem_bus.start()
        assert pem_bus.wait_connected(5)
        pem_bus.stop()
        plain = MessageBus(BusSettings(host=broker.host, port=broker.port, reconnect_max_s=1))
        plain.start()
        assert not plain.wait_connected(1)  # a plain-TCP client cannot talk to the TLS listener
        plain.stop()
    finally:
        broker.close()
        assert not os.path.exists(broker._dir)


def test_qos0_publish_while_disconnected_is_counted():
    bus = MessageBus(BusSettings(host="127.0.0.1", port=1, reconnect_max_s=1))
    bus.publish("t", b"lost")
    bus.publish("t", b"queued", qos=1)  # paho keeps QoS 1 for after the reconnect
    assert bus.metrics.value("MessageBusPublishErrors") == 1


def test_auto_reconnect_false_stays_disconnected(fresh_broker):
    bus = MessageBus(BusSettings(host=fresh_broker.host, port=fresh_broker.port,
                                 auto_reconnect=False, reconnect_min_s=0.1, reconnect_max_s=0.2))
    bus.start()
    try:
        assert bus.wait_connected(5)
        fresh_broker.restart(down_seconds=0.2)
        assert not wait_for(lambda: bus.connected, 1.5)
    finally:
        bus.stop()


def test_rate_limited_log_summarises_what_it_suppressed(caplog):
    import logging
    from app_service.ratelimit import RateLimitedLog
    limited = RateLimitedLog(logging.getLogger("test.ratelimit"), interval=60)
    for n in range(5):
        limited.warning("dropped %d", n)
    assert [r.getMessage() for r in caplog.records] == ["dropped 0"]
    limited._last -= 60
    limited.warning("dropped %d", 5)
    assert caplog.records[-1].getMessage() == "dropped 5 (4 similar suppressed)"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_clientcert_auth_mode_takes_pem_from_insecure_secrets(tmp_path):
    d = str(tmp_path)

    def ssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    def key_and_csr(name, cn):
        ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{d}/{name}.key", "-out", f"{d}/{name}.csr", "-subj", f"/CN={cn}")

    def sign(name, ext=()):
        ssl("x509", "-req", "-in", f"{d}/{name}.csr", "-CA", f"{d}/ca.crt", "-CAkey",
            f"{d}/ca.key", "-CAcreateserial", "-out", f"{d}/{name}.crt", "-days", "2", *ext)

    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.crt", "-days", "2", "-subj", "/CN=test-ca")
    with open(f"{d}/ext.cnf", "w") as fh:
        fh.write("subjectAltName=IP:127.0.0.1\n")
    key_and_csr("server", "127.0.0.1")
    sign("server", ("-extfile", f"{d}/ext.cnf"))
    key_and_csr("client", "app-llm-agent")
    sign("client")
    broker = configured_broker(tmp_path, [
        "allow_anonymous true", f"cafile {d}/ca.crt", f"certfile {d}/server.crt",
        f"keyfile {d}/server.key", "require_certificate true"])

    def read(name):
        with open(f"{d}/{name}") as fh:
            return fh.read()
    try:
        cfg = {"MessageBus": {"Protocol": "tls", "Host": broker.host, "Port": broker.port,
                              "AuthMode": "clientcert", "SecretName": "mqtt"},
               "Writable": {"InsecureSecrets": {"mqtt": {"SecretName": "mqtt", "SecretData": {
                   "cacert": read("ca.crt"), "clientcert": read("client.crt"),
                   "clientkey": read("client.key")}}}}}
        bus = MessageBus(BusSettings.from_config(cfg, env={}))
        bus.start()
        assert bus.wait_connected(5)
        tls_dir = bus._tls_dir.name
        assert oct(os.stat(os.path.join(tls_dir, "key.pem")).st_mode & 0o777) == "0o600"
        bus.stop()
        assert not os.path.exists(tls_dir)  # the key is not left on disk
        cfg["Writable"]["InsecureSecrets"]["mqtt"]["SecretData"].pop("clientcert")
        cfg["Writable"]["InsecureSecrets"]["mqtt"]["SecretData"].pop("clientkey")
        anonymous = MessageBus(BusSettings.from_config(cfg, env={}))
        anonymous.start()
        assert not anonymous.wait_connected(1)  # the broker requires a client certificate
        anonymous.stop()
    finally:
        broker.close()
