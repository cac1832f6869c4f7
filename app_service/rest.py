"""The service's REST API: a small routed HTTP server speaking EdgeX's conventions.

Routes are exact paths; handlers take a ``Request`` and return a ``Response``. Every reply carries
``X-Correlation-ID`` (echoed, or generated when the caller sent none) and every error is an EdgeX
``BaseResponse``. The stdlib server is enough here: the API serves a handful of small JSON calls,
and a socket timeout plus a connection cap keep malformed or slow clients from taking it down.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

from .errors import CommandError, PayloadError

log = logging.getLogger(__name__)

API_VERSION = "v3"
CORRELATION_HEADER = "X-Correlation-ID"
MAX_CONNECTIONS = 64
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


@dataclass
class Request:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes
    query: dict[str, str]
    correlation_id: str

    def json(self) -> Any:
        """The body parsed as JSON; ``PayloadError`` (-> 400) when it is not."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            raise PayloadError(f"request body is not valid JSON: {err}") from None

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class Response:
    """``body`` may be bytes, str, or anything JSON-serialisable (dict/list)."""

    status: int
    body: Any = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, default=str).encode("utf-8")


Handler = Callable[[Request], Response]


def base_response(status: int, message: str = "", request_id: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": API_VERSION, "requestId": request_id,
                            "statusCode": status}
    if message:
        body["message"] = message
    return body


def error_response(status: int, message: str, correlation_id: str = "") -> Response:
    """An EdgeX BaseResponse error; the correlation id goes in the header."""
    headers = {CORRELATION_HEADER: correlation_id} if correlation_id else {}
    return Response(status, base_response(status, message), headers=headers)


class RestServer:
    """``add_route`` before or after ``start``; ``port`` is the bound port (useful with port 0)."""

    def __init__(self, host: str, port: int, max_request_size: int, *,
                 read_timeout: float = 10.0, max_connections: int = MAX_CONNECTIONS):
        self.host = host
        self.port = port
        self.max_request_size = max_request_size
        self.read_timeout = read_timeout
        self._routes: dict[str, dict[str, Handler]] = {}
        self._slots = threading.BoundedSemaphore(max_connections)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        method = method.upper()
        if method not in _METHODS:
            raise ValueError(f"unsupported HTTP method {method}")
        routes = self._routes.setdefault(path, {})
        if method in routes:
            raise ValueError(f"route {method} {path} is already registered")
        routes[method] = handler

    def start(self) -> None:
        self._httpd = _Server((self.host, self.port), _make_handler_class(self), self._slots)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.2}, name="rest-server", daemon=True)
        self._thread.start()
        log.info("REST API listening on %s:%d", self.host, self.port)

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def dispatch(self, request: Request) -> Response:
        routes = self._routes.get(request.path)
        if routes is None:
            return error_response(404, f"no route {request.path}", request.correlation_id)
        handler = routes.get(request.method)
        if handler is None:
            response = error_response(405, f"{request.method} not allowed on {request.path}",
                                      request.correlation_id)
            response.headers["Allow"] = ", ".join(sorted(routes))
            return response
        try:
            return handler(request)
        except PayloadError as err:
            return error_response(400, str(err), request.correlation_id)
        except CommandError as err:
            status = err.status if 400 <= err.status < 600 else 502
            return error_response(status, str(err), request.correlation_id)
        except Exception as err:
            log.exception("%s %s failed", request.method, request.path,
                          extra={"correlation_id": request.correlation_id})
            return error_response(500, f"internal error: {type(err).__name__}",
                                  request.correlation_id)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler_class, slots: threading.BoundedSemaphore):
        self._slots = slots
        super().__init__(address, handler_class)

    def process_request(self, request, client_address):
        # A cap on live connections keeps a flood of slow clients from exhausting threads.
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Connection: close\r\n\r\n")
                request.settimeout(0.05)
                request.recv(65536)  # unread input would turn our close into a reset
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address):
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


def _make_handler_class(server: RestServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes; with Nagle on, the body waits for the
        # client's delayed ACK (~40 ms per keep-alive request).
        disable_nagle_algorithm = True
        default_request_version = "HTTP/1.1"  # answer garbage with a real status line
        server_version = "edgex-llm-agent"
        timeout = server.read_timeout

        def _handle(self) -> None:
            correlation_id = self.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
            try:
                body = self._read_body(correlation_id)
            except _Rejected as rejected:
                self._send(rejected.response)
                return
            url = urlsplit(self.path)
            request = Request(self.command, url.path, self.headers, body,
                              dict(parse_qsl(url.query, keep_blank_values=True)), correlation_id)
            response = server.dispatch(request)
            response.headers.setdefault(CORRELATION_HEADER, correlation_id)
            self._send(response)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        def _read_body(self, correlation_id: str) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
                self.close_connection = True
                raise _Rejected(error_response(411, "send the body with a Content-Length",
                                               correlation_id))
            raw_length = self.headers.get("Content-Length")
            if raw_length is None:
                return b""
            try:
                length = int(raw_length)
                if length < 0:
                    raise ValueError
            except ValueError:
                self.close_connection = True
                raise _Rejected(error_response(400, f"bad Content-Length {raw_length!r}",
                                               correlation_id)) from None
            if length > server.max_request_size:
                self.close_connection = True  # the unread body must not be parsed as a request
                raise _Rejected(error_response(
                    413, f"request body of {length} bytes exceeds MaxRequestSize "
                         f"({server.max_request_size} bytes)", correlation_id))
            body = self.rfile.read(length)
            if len(body) < length:
                self.close_connection = True
                raise _Rejected(error_response(400, "request body is shorter than its "
                                                    "Content-Length", correlation_id))
            return body

        def _send(self, response: Response) -> None:
            payload = response.encoded()
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def send_error(self, code: int, message: str | None = None,
                       explain: str | None = None) -> None:
            # Protocol errors found by http.server (bad request line, huge headers, unknown
            # method) also answer with a BaseResponse.
            self.close_connection = True
            try:
                self._send(error_response(code, message or self.responses.get(code, ("",))[0]))
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return _Handler


class _Rejected(Exception):
    def __init__(self, response: Response):
        self.response = response


def go_unix_date(epoch: float | None = None) -> str:
    """Go's time.UnixDate in UTC: ``Sun Nov 29 11:10:25 UTC 2026`` (day padded with a space)."""
    t = time.gmtime(time.time() if epoch is None else epoch)
    return time.strftime("%a %b ", t) + f"{t.tm_mday:>2}" + time.strftime(" %H:%M:%S UTC %Y", t)


def install_common_routes(server: RestServer, *, service_key: str, version: str,
                          config: Callable[[], Mapping[str, Any]], metrics: Any,
                          model_health: Callable[[], Mapping[str, Any]]) -> None:
    """GET ping, version, config (already redacted by the caller), metrics and health; POST
    secret (405)."""

    def reply(request: Request, body: dict[str, Any]) -> Response:
        return Response(200, {"apiVersion": API_VERSION, **body, "serviceName": service_key})

    server.add_route("GET", "/api/v3/ping",
                     lambda r: reply(r, {"timestamp": go_unix_date()}))
    server.add_route("GET", "/api/v3/version", lambda r: reply(
        r, {"version": version, "sdk_version": f"v{version}"}))
    server.add_route("GET", "/api/v3/config", lambda r: reply(r, {"config": dict(config())}))
    server.add_route("GET", "/api/v3/metrics",
                     lambda r: reply(r, {"metrics": metrics.snapshot()}))
    server.add_route("GET", "/api/v3/health", lambda r: reply(
        r, {"timestamp": go_unix_date(), "model": dict(model_health())}))
    # EdgeX answers 405 here in insecure mode without a configuration provider, which is what
    # this service always is: secrets come from Writable.InsecureSecrets.
    server.add_route("POST", "/api/v3/secret", lambda r: error_response(
        405, "storing secrets is not allowed: secrets come from Writable.InsecureSecrets",
        r.correlation_id))
