"""Base of the REST clients: one session, per-attempt timeouts inside the call's budget, EdgeX
error bodies turned into ``CommandError(message, status)``."""
from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import requests
import tenacity

from ..errors import CommandError
from .retry import ServerError, make_retrying

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.05  # a little over a TCP retransmit window, as requests' docs advise


def path_name(name: str) -> str:
    """A device/command/profile name as one URL path segment."""
    return quote(name, safe="")


def error_text(response: requests.Response) -> str:
    """The ``message`` of an EdgeX BaseResponse, else the body text."""
    try:
        body = response.json()
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])
    except ValueError:
        pass
    return response.text.strip()[:500] or response.reason or f"HTTP {response.status_code}"


class RestClient:
    """Calls one EdgeX service at ``base_url`` with the shared retry policy."""

    service = "edgex service"

    def __init__(self, base_url: str, timeout_s: float = 5.0, *,
                 session: requests.Session | None = None,
                 wait: tenacity.wait.wait_base | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session = session or requests.Session()
        self._wait = wait

    def close(self) -> None:
        self._session.close()

    def request(self, method: str, path: str, *, idempotent: bool = True, correlation_id: str = "",
                **kwargs: Any) -> requests.Response:
        """One logical call (retried per policy). Returns a 2xx response or raises CommandError."""
        url = self.base_url + path
        headers = dict(kwargs.pop("headers", None) or {})
        if correlation_id:
            headers["X-Correlation-ID"] = correlation_id
        deadline = time.monotonic() + self.timeout_s

        def attempt() -> requests.Response:
            remaining = max(0.05, deadline - time.monotonic())
            response = self._session.request(method, url, headers=headers,
                                             timeout=(min(CONNECT_TIMEOUT_S, remaining), remaining),
                                             **kwargs)
            if response.status_code >= 500:
                raise ServerError(response)
            return response

        try:
            response = make_retrying(self.timeout_s, idempotent=idempotent, wait=self._wait)(attempt)
        except ServerError as err:
            response = err.response
        except requests.RequestException as err:
            raise CommandError(f"{self.service} at {self.base_url} could not be reached "
                               f"({method} {path}): {err}", 0) from err
        if response.status_code >= 400:
            raise CommandError(f"{self.service} answered {response.status_code} to {method} {path}: "
                               f"{error_text(response)}", response.status_code)
        return response

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.json_of(self.request("GET", path, **kwargs))

    def json_of(self, response: requests.Response) -> Any:
        """The JSON body of a 2xx answer (None when empty); a garbled body is a CommandError."""
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as err:
            raise CommandError(f"{self.service} sent a non-JSON answer to {response.request.method} "
                               f"{response.request.path_url}", 502) from err
