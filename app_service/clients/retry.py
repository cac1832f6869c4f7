"""The one retry policy every EdgeX client uses.

Retry only what a retry can fix: connection errors, timeouts and 5xx answers, never 4xx (the request
itself is wrong). Stop once the ``Service.RequestTimeout`` budget is spent. Waits are jittered
exponential so several clients recovering together do not hammer a service in step. A read timeout
means the server may have acted, so it is retried only for idempotent calls.
"""
from __future__ import annotations

import logging
from typing import Callable

import requests
import tenacity
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

log = logging.getLogger(__name__)


class ServerError(Exception):
    """A 5xx answer, raised inside the retry loop so the policy can see it."""

    def __init__(self, response: requests.Response):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def never_sent(exc: BaseException) -> bool:
    """True when the request cannot have reached the server (refused, or connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


def is_transient(exc: BaseException, idempotent: bool = True) -> bool:
    """Whether ``exc`` is worth another attempt under this policy."""
    if isinstance(exc, ServerError):
        # 503 means "not done, come back"; other 5xx may have half-acted.
        return idempotent or exc.response.status_code == 503
    if never_sent(exc):
        return True
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return idempotent
    return False


def make_retrying(timeout_s: float, *, idempotent: bool = True,
                  wait: tenacity.wait.wait_base | None = None) -> tenacity.Retrying:
    """A ``tenacity.Retrying`` for one call: transient errors only, within ``timeout_s`` in total.

    The last exception is re-raised (``reraise=True``) so callers see the real cause.
    """
    retry_on: Callable[[BaseException], bool] = lambda exc: is_transient(exc, idempotent)  # noqa: E731
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(retry_on),
        stop=tenacity.stop_after_delay(timeout_s),
        wait=wait or (tenacity.wait_exponential(multiplier=0.05, max=1.0) + tenacity.wait_random(0, 0.1)),
        before_sleep=tenacity.before_sleep_log(log, logging.WARNING),
        reraise=True,
    )
