"""core-command client: REST (``/api/v3/device/name/{device}/{command}``) or, with
``Clients.core-command.UseMessageBus = true``, the message-bus command path (INTERFACES.md §1.6)."""
from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

import tenacity

from ..edgex.dtos import Event
from ..edgex.envelope import decode_payload
from ..errors import AppServiceError, CommandError
from .http import RestClient, path_name
from .retry import make_retrying

log = logging.getLogger(__name__)

_STATUS_IN_TEXT = re.compile(r"status code:\s*(\d{3})")


def _flag(value: bool) -> str:
    return "true" if value else "false"  # 3.x/4.x spelling (2.x used yes/no)


class CoreCommandClient:
    """Read and actuate devices through core-command.

    ``get`` returns the Event (None with ``return_event=False``); ``put`` sends absolute values.
    Errors are ``CommandError(message, status)``: 404 unknown device/command, 405 wrong access,
    423 locked, 400 bad value, 503 device service unavailable, 0 unreachable/no answer.
    """

    def __init__(self, base_url: str, timeout_s: float = 5.0, *, bus: Any = None,
                 use_message_bus: bool = False, wait: tenacity.wait.wait_base | None = None,
                 session: Any = None):
        self.rest = RestClient(base_url, timeout_s, session=session, wait=wait)
        self.rest.service = "core-command"
        self.timeout_s = timeout_s
        if use_message_bus and bus is None:
            raise ValueError("the message-bus command path needs a MessageBus")
        self._bus = bus if use_message_bus else None
        self._wait = wait

    @property
    def uses_message_bus(self) -> bool:
        return self._bus is not None

    def get(self, device: str, command: str, *, push_event: bool = False, return_event: bool = True,
            correlation_id: str = "") -> Event | None:
        query = {"ds-pushevent": _flag(push_event), "ds-returnevent": _flag(return_event)}
        if self._bus is not None:
            body = self._bus_call(device, command, "get", None, query, True, correlation_id)
        else:
            response = self.rest.request("GET", self._path(device, command), params=query,
                                         correlation_id=correlation_id)
            body = self.rest.json_of(response)
        if not return_event or body is None:
            return None
        try:
            return Event.from_dict(body["event"])
        except (AppServiceError, KeyError, TypeError, AttributeError) as err:
            raise CommandError(f"core-command sent no valid event for {device}/{command}: {err}",
                               502) from err

    def put(self, device: str, command: str, values: dict[str, str], *, idempotent: bool = True,
            correlation_id: str = "") -> None:
        """Set ``values`` (resource name -> EdgeX string). ``idempotent=False`` retries only when
        the request surely did not arrive (refused connection, 503), never after a timeout."""
        body = {str(k): str(v) for k, v in values.items()}
        if self._bus is not None:
            self._bus_call(device, command, "set", body, {}, idempotent, correlation_id)
            return
        self.rest.request("PUT", self._path(device, command), json=body, idempotent=idempotent,
                          correlation_id=correlation_id)

    def list_commands(self, device: str | None = None) -> list[dict]:
        """``DeviceCoreCommand`` dicts (deviceName, profileName, coreCommands[…]) for one or all devices."""
        if self._bus is not None:
            target = device or "all"
            body = self._bus_request(self._bus.full_topic(f"core/commandquery/request/{target}"), None,
                                     {"offset": "0", "limit": "-1"} if device is None else {},
                                     True, "")
            return [body["deviceCoreCommand"]] if device else list(body.get("deviceCoreCommands") or [])
        if device is not None:
            return [self.rest.get_json(f"/api/v3/device/name/{path_name(device)}")["deviceCoreCommand"]]
        found: list[dict] = []
        while True:
            page = self.rest.get_json("/api/v3/device/all",
                                      params={"offset": len(found), "limit": 100})
            batch = page.get("deviceCoreCommands") or []
            found.extend(batch)
            if not batch or len(found) >= int(page.get("totalCount", 0)):
                return found

    @staticmethod
    def _path(device: str, command: str) -> str:
        return f"/api/v3/device/name/{path_name(device)}/{path_name(command)}"

    # --- message bus -----------------------------------------------------------------------
    def _bus_call(self, device: str, command: str, method: str, payload: Any, query: dict,
                  idempotent: bool, correlation_id: str) -> Any:
        topic = self._bus.full_topic(f"core/command/request/{device}/{command}/{method}")
        return self._bus_request(topic, payload, query, idempotent, correlation_id)

    def _bus_request(self, topic: str, payload: Any, query: dict, idempotent: bool,
                     correlation_id: str) -> Any:
        from ..bus import BusError, RequestTimeout

        deadline = time.monotonic() + self.timeout_s

        def attempt() -> Any:
            remaining = max(0.05, deadline - time.monotonic())
            return self._bus.request(topic, payload, response_service="core-command", timeout=remaining,
                                     request_id=str(uuid.uuid4()), query_params=query or None,
                                     correlation_id=correlation_id or None)

        # A bus timeout may follow an executed request, like an HTTP read timeout; a bus that is not
        # connected never sent it.
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda e: isinstance(e, BusError) and (
                idempotent or not isinstance(e, RequestTimeout))),
            stop=tenacity.stop_after_delay(self.timeout_s), reraise=True,
            wait=self._wait or make_retrying(self.timeout_s).wait)
        try:
            envelope = retrying(attempt)
        except BusError as err:
            raise CommandError(f"core-command did not answer on the message bus ({topic}): {err}", 0) from err
        if envelope.error_code:
            message = envelope.error_message
            match = _STATUS_IN_TEXT.search(message)
            raise CommandError(f"core-command refused {topic}: {message}",
                               int(match.group(1)) if match else 500)
        try:
            return decode_payload(envelope)
        except AppServiceError as err:
            raise CommandError(f"core-command sent an undecodable answer on {topic}: {err}", 502) from err
