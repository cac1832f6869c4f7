"""Registration with the EdgeX registry: core-keeper (4.x) or Consul (2.x/3.x).

Registration runs in a background thread that retries with backoff until the registry answers,
so an unreachable registry never delays start-up or the pipeline. The health check points the
registry at our ``/api/v3/ping``. Shutdown deregisters (keeper: status HALT; Consul: deregister
the service and its check). Wire formats: INTERFACES.md §7. Plain urllib keeps this module free of
the HTTP client stack the core-service clients use.
"""
from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

log = logging.getLogger(__name__)

PING_PATH = "/api/v3/ping"


class RegistryError(Exception):
    pass


@dataclass(frozen=True)
class Registration:
    service_id: str
    host: str
    port: int
    interval: str = "10s"
    check_path: str = PING_PATH


def _http(method: str, url: str, body: Any = None, timeout: float = 5.0) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (OSError, ValueError) as err:
        raise RegistryError(f"{method} {url}: {err}") from None


def _expect(status: int, body: bytes, ok: tuple[int, ...], what: str) -> None:
    if status not in ok:
        raise RegistryError(f"{what} answered {status}: {body[:200]!r}")


class KeeperRegistry:
    """EdgeX 4.x core-keeper, ``/api/v3/registry`` with a nested ``HealthCheck`` object."""

    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _body(self, reg: Registration, **extra: Any) -> dict[str, Any]:
        return {"apiVersion": "v3", "registration": {
            "serviceId": reg.service_id, "host": reg.host, "port": reg.port,
            "HealthCheck": {"interval": reg.interval, "path": reg.check_path, "type": "http"},
            **extra}}

    def register(self, reg: Registration) -> None:
        status, body = _http("GET", f"{self.base_url}/api/v3/registry/serviceId/"
                                    f"{quote(reg.service_id, safe='')}", timeout=self.timeout)
        if status == 200:
            status, body = _http("PUT", f"{self.base_url}/api/v3/registry", self._body(reg),
                                 self.timeout)
            _expect(status, body, (200, 204), "core-keeper PUT /api/v3/registry")
        elif status == 404:
            status, body = _http("POST", f"{self.base_url}/api/v3/registry", self._body(reg),
                                 self.timeout)
            _expect(status, body, (200, 201), "core-keeper POST /api/v3/registry")
        else:
            raise RegistryError(f"core-keeper GET serviceId answered {status}")

    def deregister(self, reg: Registration) -> None:
        status, body = _http("PUT", f"{self.base_url}/api/v3/registry",
                             self._body(reg, status="HALT"), self.timeout)
        _expect(status, body, (200, 204), "core-keeper PUT /api/v3/registry (HALT)")


class ConsulRegistry:
    """Consul agent API (EdgeX 2.x/3.x): a service plus an HTTP check on ping."""

    def __init__(self, base_url: str, timeout: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def register(self, reg: Registration) -> None:
        status, body = _http("PUT", f"{self.base_url}/v1/agent/service/register", {
            "ID": reg.service_id, "Name": reg.service_id, "Address": reg.host, "Port": reg.port},
            self.timeout)
        _expect(status, body, (200,), "consul service register")
        status, body = _http("PUT", f"{self.base_url}/v1/agent/check/register", {
            "ID": reg.service_id, "Name": f"Health Check: {reg.service_id}",
            "Notes": "Check the health of the API", "ServiceID": reg.service_id,
            "HTTP": f"http://{reg.host}:{reg.port}{reg.check_path}", "Interval": reg.interval},
            self.timeout)
        _expect(status, body, (200,), "consul check register")

    def deregister(self, reg: Registration) -> None:
        sid = quote(reg.service_id, safe="")
        for kind in ("check", "service"):
            status, body = _http("PUT", f"{self.base_url}/v1/agent/{kind}/deregister/{sid}",
                                 timeout=self.timeout)
            _expect(status, body, (200, 404), f"consul {kind} deregister")


def make_registry(kind: str, host: str, port: int, timeout: float = 5.0):
    cls = {"keeper": KeeperRegistry, "consul": ConsulRegistry}[kind]
    return cls(f"http://{host}:{port}", timeout)


class Registrar:
    """Registers in the background (retrying with backoff) and deregisters on ``stop``."""

    def __init__(self, registry: Any, registration: Registration, *,
                 first_delay: float = 1.0, max_delay: float = 30.0):
        self.registry = registry
        self.registration = registration
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.registered = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._register_until_done, name="registry",
                                        daemon=True)
        self._thread.start()

    def _register_until_done(self) -> None:
        delay = self.first_delay
        attempt = 0
        while not self._stop.is_set():
            attempt += 1
            try:
                self.registry.register(self.registration)
            except Exception as err:
                log.warning("registry not reachable (attempt %d, next in %.0fs): %s",
                            attempt, delay, err)
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, self.max_delay)
                continue
            self.registered.set()
            log.info("registered %s with the registry (%s:%d, health check %s every %s)",
                     self.registration.service_id, self.registration.host,
                     self.registration.port, self.registration.check_path,
                     self.registration.interval)
            return

    def stop(self) -> None:
        """Stop retrying; deregister when we had registered. Never raises."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if not self.registered.is_set():
            return
        try:
            self.registry.deregister(self.registration)
            self.registered.clear()
            log.info("deregistered %s", self.registration.service_id)
        except Exception as err:
            log.error("deregistering %s failed: %s", self.registration.service_id, err)
