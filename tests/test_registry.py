"""Registration with core-keeper and Consul against a small recording HTTP stand-in."""
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app_service.standin import StandIn
from app_service.registry import (ConsulRegistry, KeeperRegistry, Registrar, Registration,
                                  RegistryError, make_registry)

REG = Registration("app-llm-agent", "10.0.0.5", 59741, "10s")


class FakeRegistry:
    """Records requests; behaves like core-keeper's /api/v3/registry and Consul's agent API."""

    def __init__(self, port=0, fail_first=0, sock=None):
        self.requests = []
        self.keeper = {}
        self.fail_first = fail_first
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status, body=None):
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                owner.requests.append((self.command, self.path, body))
                if owner.fail_first > 0:
                    owner.fail_first -= 1
                    return self._reply(503)
                if self.path.startswith("/api/v3/registry/serviceId/"):
                    sid = self.path.rsplit("/", 1)[1]
                    return self._reply(200 if sid in owner.keeper else 404,
                                       {"registration": owner.keeper.get(sid)})
                if self.path == "/api/v3/registry":
                    reg = body["registration"]
                    if self.command == "POST":
                        owner.keeper[reg["serviceId"]] = reg
                        return self._reply(201)
                    if reg["serviceId"] not in owner.keeper:
                        return self._reply(404)
                    owner.keeper[reg["serviceId"]] = reg
                    return self._reply(200)
                if self.path.startswith("/v1/agent/"):
                    return self._reply(200)
                return self._reply(404)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args):
                pass

        if sock is None:
            self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        else:  # serve on a socket reserved (bound, not listening) by the test
            self.httpd = ThreadingHTTPServer(sock.getsockname(), Handler, bind_and_activate=False)
            self.httpd.socket.close()
            self.httpd.socket = sock
            self.httpd.server_address = sock.getsockname()
            self.httpd.server_activate()
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake():
    f = FakeRegistry()
    yield f
    f.close()


def test_keeper_new_service_get_then_post_with_nested_healthcheck(fake):
    KeeperRegistry(fake.url).register(REG)
    assert [(m, p) for m, p, _ in fake.requests] == [
        ("GET", "/api/v3/registry/serviceId/app-llm-agent"), ("POST", "/api/v3/registry")]
    assert fake.requests[1][2] == {"apiVersion": "v3", "registration": {
        "serviceId": "app-llm-agent", "host": "10.0.0.5", "port": 59741,
        "HealthCheck": {"interval": "10s", "path": "/api/v3/ping", "type": "http"}}}


def test_keeper_known_service_is_updated_with_put_and_halted_on_deregister(fake):
    keeper = KeeperRegistry(fake.url)
    keeper.register(REG)
    keeper.register(REG)
    keeper.deregister(REG)
    assert [m for m, _, _ in fake.requests] == ["GET", "POST", "GET", "PUT", "PUT"]
    assert fake.keeper["app-llm-agent"]["status"] == "HALT"


def test_keeper_error_status_raises(fake):
    fake.fail_first = 1
    with pytest.raises(RegistryError, match="503"):
        KeeperRegistry(fake.url).register(REG)


def test_consul_register_and_deregister(fake):
    consul = ConsulRegistry(fake.url)
    consul.register(REG)
    consul.deregister(REG)
    assert [(m, p) for m, p, _ in fake.requests] == [
        ("PUT", "/v1/agent/service/register"), ("PUT", "/v1/agent/check/register"),
        ("PUT", "/v1/agent/check/deregister/app-llm-agent"),
        ("PUT", "/v1/agent/service/deregister/app-llm-agent")]
    assert fake.requests[0][2] == {"ID": "app-llm-agent", "Name": "app-llm-agent",
                                   "Address": "10.0.0.5", "Port": 59741}
    assert fake.requests[1][2] == {
        "ID": "app-llm-agent", "Name": "Health Check: app-llm-agent",
        "Notes": "Check the health of the API", "ServiceID": "app-llm-agent",
        "HTTP": "http://10.0.0.5:59741/api/v3/ping", "Interval": "10s"}


@pytest.mark.parametrize("kind, cls", [("keeper", KeeperRegistry), ("consul", ConsulRegistry)])
def test_make_registry(kind, cls):
    assert isinstance(make_registry(kind, "h", 1), cls)


def test_registrar_retries_in_background_until_registry_appears():
    # Bound but not listening: connections are refused, and no client socket of the retry loop
    # can be handed this port as its own ephemeral port (a loopback self-connect).
    reserved = socket.socket()
    reserved.bind(("127.0.0.1", 0))
    port = reserved.getsockname()[1]
    registrar = Registrar(KeeperRegistry(f"http://127.0.0.1:{port}", timeout=0.5), REG,
                          first_delay=0.05, max_delay=0.1)
    started = time.monotonic()
    registrar.start()
    assert time.monotonic() - started < 0.5  # start never waits for the registry
    time.sleep(0.3)
    assert not registrar.registered.is_set()
    fake = FakeRegistry(sock=reserved)
    try:
        assert registrar.registered.wait(5)
        assert fake.keeper["app-llm-agent"]["port"] == 59741
        registrar.stop()
        assert fake.keeper["app-llm-agent"]["status"] == "HALT"
    finally:
        fake.close()


def test_registrar_retries_on_server_errors(fake):
    fake.fail_first = 2
    registrar = Registrar(KeeperRegistry(fake.url), REG, first_delay=0.02)
    registrar.start()
    assert registrar.registered.wait(5)
    registrar.stop()
    assert [m for m, _, _ in fake.requests] == ["GET", "GET", "GET", "POST", "PUT"]


def test_registrar_stop_without_registration_sends_nothing():
    with socket.socket() as reserved:  # bound, not listening: connections are refused
        reserved.bind(("127.0.0.1", 0))
        port = reserved.getsockname()[1]
        registrar = Registrar(KeeperRegistry(f"http://127.0.0.1:{port}", timeout=0.2), REG,
                              first_delay=10)
        registrar.start()
        time.sleep(0.1)
        started = time.monotonic()
        registrar.stop()
    assert time.monotonic() - started < 2 and not registrar.registered.is_set()


@pytest.mark.parametrize("kind", ["keeper", "consul"])
def test_registers_with_the_embedded_standin_registry(kind):
    profiles = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "profiles")
    with StandIn(profiles, publish_events=False) as standin:
        port = int(standin.urls["registry"].rsplit(":", 1)[1])
        registry = make_registry(kind, "127.0.0.1", port)
        registry.register(REG)
        if kind == "keeper":
            stored = standin.registry.registrations["app-llm-agent"]
            assert stored["HealthCheck"]["path"] == "/api/v3/ping" and stored["port"] == 59741
        else:
            assert "app-llm-agent" in standin.registry.checks
        registry.deregister(REG)
        if kind == "keeper":
            assert standin.registry.registrations["app-llm-agent"]["status"] == "HALT"
        else:
            assert "app-llm-agent" not in standin.registry.checks
