"""core-metadata, core-data, support-notifications and the registries, as the stand-in plays them."""
from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from collections import deque
from typing import Any, Callable

import cbor2
import yaml

from . import wire
from .http import Call, Reply, Router, error

NOTIFICATION_SEVERITIES = ("MINOR", "NORMAL", "CRITICAL")
RECORD_LIMIT = 10_000  # the demo runs for days: recordings keep the latest entries only


def _page(items: list, query: dict) -> list:
    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 20))
    return items[offset:] if limit < 0 else items[offset:offset + limit]


def _stamp(record: dict) -> dict:
    now_ms = int(time.time() * 1000)
    record.setdefault("id", wire.new_id())
    record.setdefault("created", now_ms)
    record["modified"] = now_ms
    return record


class CoreMetadata:
    """Devices and profiles; publishes system events on changes via ``publish_system_event``."""

    def __init__(self, profiles: dict[str, dict], devices: dict[str, dict],
                 publish_system_event: Callable[[str, str, str, str, dict], None]):
        self.profiles, self.devices = profiles, devices
        for record in list(profiles.values()) + list(devices.values()):
            _stamp(record)
        self._publish = publish_system_event
        self._lock = threading.Lock()

    def routes(self, router: Router) -> None:
        router.add("GET", "/api/v3/device/all", self._all_devices)
        router.add("GET", "/api/v3/device/name/{name}", self._device)
        router.add("POST", "/api/v3/device", self._add_devices)
        router.add("PATCH", "/api/v3/device", self._update_devices)
        router.add("GET", "/api/v3/deviceprofile/all", self._all_profiles)
        router.add("GET", "/api/v3/deviceprofile/name/{name}", self._profile)
        router.add("POST", "/api/v3/deviceprofile/uploadfile", self._upload)
        router.add("PUT", "/api/v3/deviceprofile/uploadfile", self._upload)

    def add_device(self, device: dict) -> None:
        with self._lock:
            action = "update" if device["name"] in self.devices else "add"
            self.devices[device["name"]] = _stamp(dict(device))
        self._publish("device", action, device["serviceName"], device.get("profileName", ""),
                      self.devices[device["name"]])

    def _all_devices(self, call: Call, _: dict) -> Reply:
        labels = [x for x in call.query.get("labels", "").split(",") if x]
        devices = [d for _, d in sorted(self.devices.items())
                   if all(label in (d.get("labels") or []) for label in labels)]
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "totalCount": len(devices),
                           "devices": _page(devices, call.query)})

    def _device(self, call: Call, params: dict) -> Reply:
        device = self.devices.get(params["name"])
        if device is None:
            return error(404, f"device {params['name']} does not exist")
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "device": device})

    def _add_devices(self, call: Call, _: dict) -> Reply:
        return self._device_requests(call, adding=True)

    def _update_devices(self, call: Call, _: dict) -> Reply:
        return self._device_requests(call, adding=False)

    def _device_requests(self, call: Call, adding: bool) -> Reply:
        try:
            requests = json.loads(call.body)
            assert isinstance(requests, list) and all(isinstance(r.get("device"), dict) for r in requests)
        except (ValueError, AssertionError, AttributeError):
            return error(400, "the body must be a JSON array of device requests")
        results = []
        for request in requests:
            device = request["device"]
            known = device.get("name") in self.devices
            if not device.get("name") or (adding and not device.get("serviceName")):
                results.append(wire.base_response(400, "name and serviceName are required",
                                                  request.get("requestId", "")))
            elif adding == known:
                status = 409 if adding else 404
                results.append(wire.base_response(status, f"device {device['name']} "
                                                  f"{'already exists' if adding else 'not found'}",
                                                  request.get("requestId", "")))
            else:
                merged = device if adding else {**self.devices[device["name"]], **device}
                self.add_device(merged)
                result = wire.base_response(201 if adding else 200, "", request.get("requestId", ""))
                if adding:
                    result["id"] = self.devices[device["name"]]["id"]
                results.append(result)
        return Reply(207, results)

    def _all_profiles(self, call: Call, _: dict) -> Reply:
        profiles = [p for _, p in sorted(self.profiles.items())]
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "totalCount": len(profiles),
                           "profiles": _page(profiles, call.query)})

    def _profile(self, call: Call, params: dict) -> Reply:
        profile = self.profiles.get(params["name"])
        if profile is None:
            return error(404, f"device profile {params['name']} does not exist")
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "profile": profile})

    def _upload(self, call: Call, _: dict) -> Reply:
        text = _multipart_file(call)
        if text is None:
            return error(400, "missing form file field 'file'")
        try:
            profile = yaml.safe_load(text)
            assert isinstance(profile, dict) and isinstance(profile.get("name"), str) and profile["name"]
        except (yaml.YAMLError, AssertionError):
            return error(400, "*dtos.DeviceProfile yaml decoding failed")
        name = profile["name"]
        with self._lock:
            exists = name in self.profiles
            if call.method == "POST" and exists:
                return error(409, f"device profile name {name} exists")
            if call.method == "PUT" and not exists:
                return error(404, f"device profile {name} does not exist")
            if exists:
                profile["id"] = self.profiles[name]["id"]
                profile["created"] = self.profiles[name]["created"]
            self.profiles[name] = _stamp(profile)
        self._publish("deviceprofile", "update" if exists else "add", "core-metadata", name, profile)
        if exists:
            return Reply(200, wire.base_response(200))
        return Reply(201, {**wire.base_response(201), "id": profile["id"]})


def _multipart_file(call: Call) -> bytes | None:
    content_type = call.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + call.body)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True)
    return None


class CoreData:
    """Accepts events (REST, and from the bus like real core-data) and keeps the latest ones."""

    def __init__(self, keep: int = RECORD_LIMIT) -> None:
        self.events: deque[dict] = deque(maxlen=keep)
        self.count = 0
        self._lock = threading.Lock()

    def routes(self, router: Router) -> None:
        router.add("POST", "/api/v3/event/{service}/{profile}/{device}/{source}", self._add)
        router.add("GET", "/api/v3/event/count", self._count)
        router.add("GET", "/api/v3/event/all", self._all)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.events)

    def record(self, event: dict) -> None:
        with self._lock:
            self.events.append(event)
            self.count += 1

    def _add(self, call: Call, params: dict) -> Reply:
        try:
            if call.headers.get("content-type", "").startswith("application/cbor"):
                request = cbor2.loads(call.body)
            else:
                request = json.loads(call.body)
            event = request["event"]
            assert event["deviceName"] == params["device"] and event.get("readings")
        except (ValueError, KeyError, TypeError, AssertionError, cbor2.CBORDecodeError):
            return error(400, "the body must be an AddEventRequest matching the route")
        event.setdefault("id", wire.new_id())
        self.record(event)
        return Reply(201, {**wire.base_response(201, "", request.get("requestId", "")),
                           "id": event["id"]})

    def _count(self, call: Call, _: dict) -> Reply:
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "count": self.count})

    def _all(self, call: Call, _: dict) -> Reply:
        events = list(reversed(self.snapshot()))
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "totalCount": len(events),
                           "events": _page(events, call.query)})


class SupportNotifications:
    """POST /api/v3/notification (array of AddNotificationRequest) -> 207; keeps what it accepted."""

    def __init__(self, keep: int = RECORD_LIMIT) -> None:
        self.notifications: deque[dict] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def routes(self, router: Router) -> None:
        router.add("POST", "/api/v3/notification", self._add)
        router.add("GET", "/api/v3/notification/category/{category}", self._by_category)

    def _add(self, call: Call, _: dict) -> Reply:
        try:
            requests = json.loads(call.body)
            assert isinstance(requests, list) and requests
            for request in requests:
                _validate_notification(request["notification"])
        except (ValueError, KeyError, TypeError, AssertionError) as err:
            return error(400, f"invalid AddNotificationRequest: {err}")
        results = []
        for request in requests:
            notification = _stamp({**request["notification"], "status": "NEW"})
            with self._lock:
                self.notifications.append(notification)
            results.append({**wire.base_response(201, "", request.get("requestId", "")),
                            "id": notification["id"]})
        return Reply(207, results)

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.notifications)

    def _by_category(self, call: Call, params: dict) -> Reply:
        found = [n for n in self.snapshot() if n.get("category") == params["category"]]
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "totalCount": len(found),
                           "notifications": _page(found, call.query)})


def _validate_notification(notification: Any) -> None:
    # CC dtos/notification.go: content, sender, severity required; category or labels required.
    if not isinstance(notification, dict):
        raise ValueError("notification must be an object")
    for key in ("content", "sender"):
        if not isinstance(notification.get(key), str) or not notification[key]:
            raise ValueError(f"notification.{key} is required")
    if notification.get("severity") not in NOTIFICATION_SEVERITIES:
        raise ValueError(f"notification.severity must be one of {', '.join(NOTIFICATION_SEVERITIES)}")
    if not notification.get("category") and not notification.get("labels"):
        raise ValueError("notification.category or notification.labels is required")


class Registry:
    """core-keeper (4.x, /api/v3/registry) and Consul agent (3.x) endpoints on one port."""

    def __init__(self) -> None:
        self.registrations: dict[str, dict] = {}
        self.checks: dict[str, dict] = {}

    def routes(self, router: Router) -> None:
        router.add("GET", "/api/v3/registry/all", self._keeper_all)
        router.add("GET", "/api/v3/registry/serviceId/{key}", self._keeper_get)
        router.add("POST", "/api/v3/registry", self._keeper_add)
        router.add("PUT", "/api/v3/registry", self._keeper_update)
        router.add("PUT", "/v1/agent/service/register", self._consul_register)
        router.add("PUT", "/v1/agent/check/register", self._consul_check)
        router.add("PUT", "/v1/agent/service/deregister/{key}", self._consul_deregister)
        router.add("PUT", "/v1/agent/check/deregister/{key}", self._consul_check_deregister)
        router.add("GET", "/v1/agent/services", self._consul_services)

    def _keeper_all(self, call: Call, _: dict) -> Reply:
        show_halted = call.query.get("deregistered") == "true"
        found = [r for r in self.registrations.values() if show_halted or r.get("status") != "HALT"]
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "totalCount": len(found),
                           "registrations": found})

    def _keeper_get(self, call: Call, params: dict) -> Reply:
        found = self.registrations.get(params["key"])
        if found is None:
            return error(404, f"service {params['key']} not registered")
        return Reply(200, {"apiVersion": "v3", "statusCode": 200, "registration": found})

    def _keeper_registration(self, call: Call) -> dict | None:
        try:
            registration = json.loads(call.body)["registration"]
            assert registration["serviceId"] and registration["host"] and registration["port"]
            return registration
        except (ValueError, KeyError, TypeError, AssertionError):
            return None

    def _keeper_add(self, call: Call, _: dict) -> Reply:
        registration = self._keeper_registration(call)
        if registration is None:
            return error(400, "registration needs serviceId, host and port")
        if registration["serviceId"] in self.registrations:
            return error(409, f"service {registration['serviceId']} already registered")
        self.registrations[registration["serviceId"]] = _stamp({"status": "UP", **registration})
        return Reply(201, wire.base_response(201))

    def _keeper_update(self, call: Call, _: dict) -> Reply:
        registration = self._keeper_registration(call)
        if registration is None:
            return error(400, "registration needs serviceId, host and port")
        if registration["serviceId"] not in self.registrations:
            return error(404, f"service {registration['serviceId']} not registered")
        self.registrations[registration["serviceId"]].update(registration)
        return Reply(200, wire.base_response(200))

    def _consul_register(self, call: Call, _: dict) -> Reply:
        body = json.loads(call.body)
        self.registrations[body.get("ID") or body["Name"]] = body
        return Reply(200, None)

    def _consul_check(self, call: Call, _: dict) -> Reply:
        body = json.loads(call.body)
        self.checks[body["ID"]] = body
        return Reply(200, None)

    def _consul_deregister(self, call: Call, params: dict) -> Reply:
        self.registrations.pop(params["key"], None)
        return Reply(200, None)

    def _consul_check_deregister(self, call: Call, params: dict) -> Reply:
        self.checks.pop(params["key"], None)
        return Reply(200, None)

    def _consul_services(self, call: Call, _: dict) -> Reply:
        return Reply(200, {k: {"ID": k, "Service": v.get("Name", k), "Address": v.get("Address"),
                               "Port": v.get("Port")} for k, v in self.registrations.items()})
