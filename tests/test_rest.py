"""REST server: routes, EdgeX BaseResponse errors, correlation ids, limits, malformed HTTP."""
import json
import re
import socket
import time
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app_service.errors import CommandError, PayloadError
from app_service.metrics import Metrics
from app_service.rest import (Response, RestServer, error_response, go_unix_date,
                              install_common_routes)


def echo(request):
    return Response(200, {"method": request.method, "query": request.query,
                          "json": request.json() if request.body else None})


def fail_with(exc):
    def handler(request):
        raise exc
    return handler


@pytest.fixture(scope="module")
def server():
    metrics = Metrics()
    metrics.counter("MessagesReceived").inc(3)
    srv = RestServer("127.0.0.1", 0, max_request_size=1024, read_timeout=1.0, max_connections=8)
    install_common_routes(srv, service_key="app-test", version="1.2.3",
                          config=lambda: {"Service": {"Port": 1}}, metrics=metrics,
                          model_health=lambda: {"state": "unavailable", "reason": "no model"})
    srv.add_route("POST", "/api/v3/echo", echo)
    srv.add_route("GET", "/api/v3/echo", echo)
    srv.add_route("GET", "/api/v3/payload-error", fail_with(PayloadError("bad body")))
    srv.add_route("GET", "/api/v3/command-error", fail_with(CommandError("locked", 423)))
    srv.add_route("GET", "/api/v3/unreachable", fail_with(CommandError("down", 0)))
    srv.add_route("GET", "/api/v3/bug", fail_with(KeyError("oops")))
    srv.start()
    yield srv
    srv.stop()


def call(srv, method, path, body=None, headers=None):
    req = urllib.request.Request(f"http://127.0.0.1:{srv.port}{path}", data=body,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def raw(srv, data: bytes, *, read_timeout=5.0, shutdown_write=True) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.port), timeout=read_timeout) as sock:
        sock.sendall(data)
        if shutdown_write:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:  # the server may have answered and closed already
                pass
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def test_ping_has_go_unix_date_and_service_name(server):
    status, headers, body = call(server, "GET", "/api/v3/ping")
    data = json.loads(body)
    assert status == 200 and data["apiVersion"] == "v3" and data["serviceName"] == "app-test"
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}",
                        data["timestamp"])
    assert headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("epoch, text", [
    (1795950625, "Sun Nov 29 11:10:25 UTC 2026"),
    (1793790000, "Wed Nov  4 11:00:00 UTC 2026"),
])
def test_go_unix_date(epoch, text):
    assert go_unix_date(epoch) == text


@pytest.mark.parametrize("path, key, expected", [
    ("/api/v3/version", "sdk_version", "v1.2.3"),
    ("/api/v3/version", "version", "1.2.3"),
    ("/api/v3/config", "config", {"Service": {"Port": 1}}),
    ("/api/v3/health", "model", {"state": "unavailable", "reason": "no model"}),
])
def test_common_routes(server, path, key, expected):
    status, _, body = call(server, "GET", path)
    assert status == 200 and json.loads(body)[key] == expected


def test_metrics_route_serves_snapshot(server):
    body = json.loads(call(server, "GET", "/api/v3/metrics")[2])
    assert body["metrics"]["MessagesReceived"]["fields"] == [
        {"name": "counter-count", "value": 3}]


def test_correlation_id_echoed_or_generated(server):
    _, headers, _ = call(server, "GET", "/api/v3/ping", headers={"X-Correlation-ID": "abc-123"})
    assert headers["X-Correlation-ID"] == "abc-123"
    _, headers, _ = call(server, "GET", "/api/v3/ping")
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["X-Correlation-ID"])


def test_post_json_and_query(server):
    status, _, body = call(server, "POST", "/api/v3/echo?x=1&y=", b'{"a": 1}',
                           {"Content-Type": "application/json"})
    assert status == 200 and json.loads(body) == {"method": "POST", "query": {"x": "1", "y": ""},
                                                  "json": {"a": 1}}


@pytest.mark.parametrize("method, path, body, status, message", [
    ("GET", "/api/v3/nowhere", None, 404, "no route"),
    ("POST", "/api/v3/secret", b'{"secretName": "mqtt"}', 405, "InsecureSecrets"),
    ("DELETE", "/api/v3/ping", None, 405, "not allowed"),
    ("POST", "/api/v3/echo", b"{not json", 400, "not valid JSON"),
    ("POST", "/api/v3/echo", b"[" * 1000, 400, "not valid JSON"),
    ("GET", "/api/v3/payload-error", None, 400, "bad body"),
    ("GET", "/api/v3/command-error", None, 423, "locked"),
    ("GET", "/api/v3/unreachable", None, 502, "down"),
    ("GET", "/api/v3/bug", None, 500, "KeyError"),
    ("POST", "/api/v3/echo", b"x" * 1025, 413, "MaxRequestSize"),
])
def test_errors_are_base_responses(server, method, path, body, status, message):
    got, headers, raw_body = call(server, method, path, body, {"X-Correlation-ID": "cid-9"})
    data = json.loads(raw_body)
    assert got == status and data["statusCode"] == status and data["apiVersion"] == "v3"
    assert "requestId" in data and message in data["message"]
    assert headers["X-Correlation-ID"] == "cid-9"


def test_405_lists_allowed_methods(server):
    _, headers, _ = call(server, "PUT", "/api/v3/echo")
    assert headers["Allow"] == "GET, POST"


def test_add_route_refuses_duplicates_and_bad_methods(server):
    with pytest.raises(ValueError):
        server.add_route("GET", "/api/v3/ping", echo)
    with pytest.raises(ValueError):
        server.add_route("FETCH", "/x", echo)


def test_error_response_shape():
    resp = error_response(404, "gone", "cid")
    assert json.loads(resp.encoded()) == {"apiVersion": "v3", "requestId": "", "statusCode": 404,
                                          "message": "gone"}
    assert resp.headers == {"X-Correlation-ID": "cid"}


def assert_alive(srv):
    assert call(srv, "GET", "/api/v3/ping")[0] == 200


@pytest.mark.parametrize("data, status", [
    (b"\x00\xff garbage \r\n\r\n", b"400"),
    (b"GET\r\n\r\n", b"400"),
    (b"BREW /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n", b"501"),
    (b"GET /api/v3/ping HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", b"431"),
    (b"GET /api/v3/ping HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(150))
     + b"\r\n", b"431"),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"414"),
    (b"POST /api/v3/echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n", b"400"),
    (b"POST /api/v3/echo HTTP/1.1\r\nContent-Length: ten\r\n\r\n", b"400"),
    (b"POST /api/v3/echo HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"a\":", b"400"),
    (b"POST /api/v3/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
     b"411"),
    (b"POST /api/v3/echo HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nxx", b"413"),
])
def test_malformed_http_gets_an_answer_and_server_survives(server, data, status):
    reply = raw(server, data)
    assert reply.split(b" ", 2)[1] == status, reply[:200]
    if b"\r\n\r\n{" in reply:
        assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["statusCode"] == int(status)
    assert_alive(server)


def test_truncated_body_times_out_without_harm(server):
    start = time.monotonic()
    reply = raw(server, b"POST /api/v3/echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"a\"",
                shutdown_write=False)
    assert reply == b"" and time.monotonic() - start < 4.5  # read_timeout=1s closed it
    assert_alive(server)


def test_slowloris_partial_headers_are_cut_off_and_others_still_served(server):
    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
    try:
        for sock in slow:
            sock.sendall(b"GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n")  # never finished
        assert_alive(server)
        for sock in slow:
            sock.settimeout(5)
            assert sock.recv(100) == b""  # closed by the server's 1 s read timeout
    finally:
        for sock in slow:
            sock.close()
    assert_alive(server)


def test_connection_cap_answers_503_instead_of_queuing_forever():
    server = RestServer("127.0.0.1", 0, max_request_size=10, read_timeout=10, max_connections=3)
    install_common_routes(server, service_key="k", version="1", config=dict, metrics=Metrics(),
                          model_health=dict)
    server.start()
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
    try:
        deadline = time.monotonic() + 5
        while server._slots._value and time.monotonic() < deadline:  # all three accepted
            time.sleep(0.05)
        reply = raw(server, b"GET /api/v3/ping HTTP/1.1\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 503")
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            assert_alive(server)
            break
        except (AssertionError, OSError):
            time.sleep(0.1)
    assert_alive(server)
    server.stop()


def test_keep_alive_serves_several_requests_on_one_connection(server):
    reply = raw(server, b"GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n"
                        b"GET /api/v3/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert reply.count(b"HTTP/1.1 200") == 2


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda method, path, headers, body: method + b" " + path + b" HTTP/1.1\r\n"
              + headers + b"\r\n" + body,
              st.sampled_from([b"GET", b"POST", b"PUT", b"get", b"", b"\x00"]),
              st.binary(max_size=300),
              st.binary(max_size=500),
              st.binary(max_size=500))))
def test_fuzzed_requests_never_take_the_server_down(server, data):
    reply = raw(server, data)
    # every answer is a proper status line; silence only when no request line arrived (no line
    # end, or a blank first line, which http.server ignores before closing)
    first_line = data.split(b"\n", 1)[0].strip() if b"\n" in data else None
    assert re.match(rb"HTTP/1\.1 \d{3} ", reply) or (reply == b"" and not first_line), reply
    assert_alive(server)
