"""core-command as the stand-in plays it: REST (port 59882 in a real stack) and the bus path."""
from __future__ import annotations

import json
import logging
from typing import Callable

from . import wire
from .devices import DeviceError, VirtualDevices
from .http import Call, Reply, Router, error

log = logging.getLogger(__name__)

_BOOL_PARAMS = ("ds-pushevent", "ds-returnevent")


def _flag(query: dict, name: str, default: bool) -> bool:
    value = query.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        # EdgeX 3.x/4.x accept only true/false (2.x used yes/no).
        raise DeviceError(400, f"invalid query parameter, {value} has to be true or false")
    return value == "true"


class CoreCommand:
    """Executes commands against the virtual devices.

    ``publish_event(event)`` puts an Event on the bus (used for ``ds-pushevent=true``);
    ``service_down`` holds device-service names that answer 503.
    """

    def __init__(self, devices: VirtualDevices, url: Callable[[], str],
                 publish_event: Callable[[dict], None]):
        self.devices = devices
        self._url = url
        self._publish_event = publish_event
        self.service_down: set[str] = set()

    # --- the operations, shared by REST and bus -----------------------------------------------
    def get(self, device: str, command: str, query: dict) -> dict | None:
        push, ret = _flag(query, "ds-pushevent", False), _flag(query, "ds-returnevent", True)
        self._check_service(device)
        event = self.devices.read(device, command)
        if push:
            self._publish_event(event)
        return event if ret else None

    def set(self, device: str, command: str, values: object) -> None:
        if not isinstance(values, dict):
            raise DeviceError(400, "the settings body must be a JSON object of resource values")
        self._check_service(device)
        self.devices.write(device, command, values)

    def device_commands(self, name: str) -> dict:
        device = self.devices.device(name)
        profile = self.devices.profile_of(device)
        commands, shadowed = [], set()
        for cmd in profile.get("deviceCommands") or []:
            shadowed.add(cmd["name"])
            if cmd.get("isHidden"):
                continue
            params = []
            for op in cmd.get("resourceOperations") or []:
                resource = self.devices.resource(profile, op["deviceResource"]) or {}
                params.append({"resourceName": op["deviceResource"],
                               "valueType": resource.get("properties", {}).get("valueType", "")})
            commands.append(self._core_command(name, cmd["name"], cmd.get("readWrite", ""), params))
        for resource in profile.get("deviceResources") or []:
            if resource.get("isHidden") or resource["name"] in shadowed:
                continue
            props = resource.get("properties") or {}
            commands.append(self._core_command(name, resource["name"], props.get("readWrite", ""),
                                               [{"resourceName": resource["name"],
                                                 "valueType": props.get("valueType", "")}]))
        return {"deviceName": name, "profileName": profile["name"], "coreCommands": commands}

    def _core_command(self, device: str, name: str, access: str, params: list) -> dict:
        body: dict = {"name": name}
        if "R" in access:
            body["get"] = True
        if "W" in access:
            body["set"] = True
        body.update({"path": f"/api/v3/device/name/{device}/{name}", "url": self._url(),
                     "parameters": params})
        return body

    def _check_service(self, device: str) -> None:
        service = self.devices.device(device).get("serviceName", "")
        if service in self.service_down:
            raise DeviceError(503, f"device service {service} is unavailable")

    # --- REST ---------------------------------------------------------------------------------
    def routes(self, router: Router) -> None:
        router.add("GET", "/api/v3/device/all", self._rest_all)
        router.add("GET", "/api/v3/device/name/{name}", self._rest_device)
        router.add("GET", "/api/v3/device/name/{name}/{command}", self._rest_get)
        router.add("PUT", "/api/v3/device/name/{name}/{command}", self._rest_put)

    def _rest_all(self, call: Call, _: dict) -> Reply:
        names = sorted(self.devices.devices)
        offset, limit = int(call.query.get("offset", 0)), int(call.query.get("limit", 20))
        page = names[offset:] if limit < 0 else names[offset:offset + limit]
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "totalCount": len(names),
                           "deviceCoreCommands": [self.device_commands(n) for n in page]})

    def _rest_device(self, call: Call, params: dict) -> Reply:
        try:
            return Reply(200, {"apiVersion": "v3", "statusCode": 200,
                               "deviceCoreCommand": self.device_commands(params["name"])})
        except DeviceError as err:
            return error(err.status, str(err))

    def _rest_get(self, call: Call, params: dict) -> Reply:
        try:
            event = self.get(params["name"], params["command"], call.query)
        except DeviceError as err:
            return error(err.status, f"request failed, status code: {err.status}, err: {err}")
        if event is None:
            return Reply(200, None)
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "event": event})

    def _rest_put(self, call: Call, params: dict) -> Reply:
        try:
            values = json.loads(call.body or b"null")
        except ValueError:
            # core-command parses the body with KindServerError (EG internal/pkg/utils/http.go).
            return error(500, "failed to parse the request body as JSON")
        try:
            self.set(params["name"], params["command"], values)
        except DeviceError as err:
            return error(err.status, f"request failed, status code: {err.status}, err: {err}")
        return Reply(200, wire.base_response(200))

    # --- message bus (INTERFACES.md §1.6) -----------------------------------------------------
    def on_bus_request(self, topic_levels: list[str], env: dict) -> tuple[object, int, str]:
        """Answer a bus request; returns (payload, errorCode, contentType) for the response."""
        request_id = env["requestID"]
        try:
            if topic_levels[0] == "commandquery":
                target = topic_levels[2] if len(topic_levels) > 2 else "all"
                if target == "all":
                    names = sorted(self.devices.devices)
                    return ({"apiVersion": "v3", "requestId": request_id, "statusCode": 200,
                             "totalCount": len(names),
                             "deviceCoreCommands": [self.device_commands(n) for n in names]},
                            0, "application/json")
                return ({"apiVersion": "v3", "requestId": request_id, "statusCode": 200,
                         "deviceCoreCommand": self.device_commands(target)}, 0, "application/json")
            _, _, device, command, method = topic_levels
            if method == "get":
                event = self.get(device, command, env["queryParams"])
                if event is None:
                    return None, 0, "application/json"
                return ({"apiVersion": "v3", "requestId": request_id, "statusCode": 200,
                         "event": event}, 0, "application/json")
            if method == "set":
                self.set(device, command, env["payload"])
                return None, 0, "application/json"
            raise DeviceError(400, f"unknown command method {method!r}")
        except DeviceError as err:
            return (f"request failed, status code: {err.status}, err: {err}", 1, "text/plain")
