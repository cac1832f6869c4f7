"""A small HTTP server per stand-in service: routing, recording, down/up and fault injection."""
from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from .wire import base_response, new_id

log = logging.getLogger(__name__)


@dataclass
class Call:
    """One HTTP request a stand-in service received, and what it answered."""
    service: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int = 0
    response: bytes = b""
    at: float = field(default_factory=time.time)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Reply:
    status: int
    body: Any = None          # dict/list -> JSON; bytes/str sent as they are; None -> empty
    content_type: str = "application/json"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, ensure_ascii=False).encode()


def error(status: int, message: str) -> Reply:
    """An EdgeX error answer: BaseResponse JSON with the message and status."""
    return Reply(status, base_response(status, message))


Handler = Callable[[Call, dict[str, str]], Reply]


class Router:
    """Routes like ``/api/v3/device/name/{name}/{command}`` to handlers; first match wins."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern, Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}$"), handler))

    def dispatch(self, call: Call) -> Reply:
        allowed = False
        for method, regex, handler in self._routes:
            match = regex.match(call.path)
            if match:
                if method != call.method:
                    allowed = True
                    continue
                return handler(call, {k: unquote(v) for k, v in match.groupdict().items()})
        return error(405 if allowed else 404, f"no route for {call.method} {call.path}")


class ServiceServer:
    """One stand-in service on a loopback port.

    ``set_down(True)`` closes the listening socket, so clients get "connection refused" as from a
    stopped container; ``set_down(False)`` listens again on the same port. ``fail_next(status, n)``
    answers the next n requests with an EdgeX error, ``answer_next(reply, n)`` with anything;
    ``delay`` slows every answer.
    """

    def __init__(self, name: str, router: Router, record: Callable[[Call], None],
                 host: str = "127.0.0.1", port: int = 0):
        self.name, self.router, self.host = name, router, host
        self._record = record
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._faults: list[Reply] = []
        self._connections: set = set()
        self._lock = threading.Lock()
        self.delay = 0.0
        self.port = port
        self.down = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        server = ThreadingHTTPServer((self.host, self.port), self._handler_class())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"standin-{self.name}", daemon=True)
        self._thread.start()
        self.down = False

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            self._thread.join(5)
        # Keep-alive connections outlive the listener; a stopped service must not answer on them.
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def set_down(self, down: bool) -> None:
        if down and not self.down:
            self.stop()
            self.down = True
        elif not down and self.down:
            self.start()

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        self.answer_next(error(status, f"{self.name} injected failure"), count)

    def answer_next(self, reply: Reply, count: int = 1) -> None:
        """Answer the next ``count`` requests with ``reply`` instead of serving them."""
        with self._lock:
            self._faults.extend([reply] * count)

    def _take_fault(self) -> Reply | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None

    def _handle(self, call: Call) -> Reply:
        if self.delay:
            time.sleep(self.delay)
        fault = self._take_fault()
        if fault is not None:
            return fault
        try:
            return self.router.dispatch(call)
        except Exception as err:  # a stand-in bug must show as a 500, not kill the server thread
            log.exception("stand-in %s failed on %s %s", self.name, call.method, call.path)
            return error(500, f"stand-in error: {err}")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with service._lock:
                    service._connections.add(self.connection)

            def finish(self) -> None:
                with service._lock:
                    service._connections.discard(self.connection)
                super().finish()

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                call = Call(service.name, self.command, parts.path,
                            {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                            {k.lower(): v for k, v in self.headers.items()}, body)
                reply = service._handle(call)
                data = reply.encoded()
                call.status, call.response = reply.status, data
                service._record(call)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Correlation-ID", self.headers.get("X-Correlation-ID") or new_id())
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _serve

            def log_message(self, fmt: str, *args: Any) -> None:  # quiet: the recording is the log
                log.debug("%s " + fmt, service.name, *args)

        return _Handler
