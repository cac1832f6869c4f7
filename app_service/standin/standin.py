"""``StandIn``: the embedded EdgeX stack used by the demo and by the tests.

It plays core-command, core-metadata, core-data, support-notifications and the registry on loopback
ports, and device services whose virtual devices publish events on the message bus, all in the wire
formats of ../shared/edgex/INTERFACES.md (EdgeX 4.x by default, 3.x with ``edgex_major=3``).
"""
from __future__ import annotations

import heapq
import json
import logging
import os
import threading
import time
from collections import deque
from typing import Any

import cbor2
import paho.mqtt.client as mqtt
import yaml

from ..device_profiles.model import go_duration_seconds
from . import wire
from .core_command import CoreCommand
from .devices import VirtualDevices
from .http import Call, Reply, Router, ServiceServer
from .services import RECORD_LIMIT, CoreData, CoreMetadata, Registry, SupportNotifications

log = logging.getLogger(__name__)

SERVICES = ("core-command", "core-metadata", "core-data", "support-notifications", "registry")


def load_profile_dicts(profiles_dir: str) -> dict[str, dict]:
    profiles = {}
    for entry in sorted(os.listdir(profiles_dir)):
        if entry.endswith((".yaml", ".yml")):
            with open(os.path.join(profiles_dir, entry), encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
            if isinstance(data, dict) and "deviceList" not in data and data.get("name"):
                data.setdefault("apiVersion", "v3")
                profiles[data["name"]] = data
    return profiles


def load_device_dicts(devices_file: str) -> dict[str, dict]:
    with open(devices_file, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    devices = {}
    for device in data.get("deviceList") or []:
        device = {"adminState": "UNLOCKED", "operatingState": "UP", **device}
        devices[device["name"]] = device
    return devices


class StandIn:
    """The embedded EdgeX services. ``start()`` returns self; use as a context manager in tests."""

    def __init__(self, profiles_dir: str, devices_file: str | None = None, *, state: dict | None = None,
                 broker: tuple[str, int] | None = None, base_topic: str = "edgex", edgex_major: int = 4,
                 publish_events: bool = True, event_interval_scale: float = 1.0,
                 float_format: str | None = None, fault_rate: float = 0.004, seed: int | None = None,
                 base64_payload: bool = False, optimize_events: bool = False,
                 record_limit: int = RECORD_LIMIT,
                 host: str = "127.0.0.1", ports: dict[str, int] | None = None):
        if edgex_major not in (3, 4):
            raise ValueError(f"edgex_major must be 3 or 4, not {edgex_major!r}")
        devices_file = devices_file or os.path.join(profiles_dir, "devices.yaml")
        if state is None and os.path.exists(os.path.join(profiles_dir, "state.json")):
            with open(os.path.join(profiles_dir, "state.json"), encoding="utf-8") as fh:
                state = json.load(fh)
        self.base_topic, self.edgex_major, self.broker = base_topic, edgex_major, broker
        self.base64_payload, self.optimize_events = base64_payload, optimize_events
        self.publish_events = publish_events and broker is not None
        self.event_interval_scale = event_interval_scale
        profiles, devices = load_profile_dicts(profiles_dir), load_device_dicts(devices_file)
        self.devices = VirtualDevices(profiles, devices, state, seed=seed, fault_rate=fault_rate,
                                      float_style=float_format or ("shortest" if edgex_major >= 4 else "e"))
        self._requests: deque[Call] = deque(maxlen=record_limit)
        self._published: deque[tuple[str, bytes]] = deque(maxlen=record_limit)
        self._lock = threading.Lock()
        self.command = CoreCommand(self.devices, lambda: self.urls["core-command"], self._push_event)
        self.metadata = CoreMetadata(profiles, devices, self._publish_system_event)
        self.data, self.registry = CoreData(record_limit), Registry()
        self.notification_service = SupportNotifications(record_limit)
        self._servers: dict[str, ServiceServer] = {}
        for name, component in zip(SERVICES, (self.command, self.metadata, self.data,
                                               self.notification_service, self.registry)):
            router = Router()
            self._common_routes(router, name)
            component.routes(router)
            self._servers[name] = ServiceServer(name, router, self._record, host, (ports or {}).get(name, 0))
        self._client: mqtt.Client | None = None
        self._stop = threading.Event()
        self._scheduler: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "StandIn":
        try:
            for name, server in self._servers.items():
                try:
                    server.start()
                except OSError as err:
                    raise OSError(f"stand-in {name} cannot listen on {server.host}:{server.port}: {err}") from err
            if self.broker is not None:
                self._connect_bus()
        except BaseException:
            self.stop()  # leave nothing half-started behind
            raise
        if self.publish_events:
            self._scheduler = threading.Thread(target=self._auto_events, name="standin-autoevents",
                                               daemon=True)
            self._scheduler.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._scheduler is not None:
            self._scheduler.join(5)
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
        for server in self._servers.values():
            server.stop()

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- the Python API tests and the demo use ---------------------------------------------
    @property
    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self._servers.items()}

    @property
    def state(self) -> dict[str, dict[str, str]]:
        return self.devices.state

    # Recordings are snapshots (lists): safe to iterate while the stand-in keeps recording.
    @property
    def requests(self) -> list[Call]:
        """Every HTTP request the services answered (the latest ``record_limit``)."""
        with self._lock:
            return list(self._requests)

    @property
    def published(self) -> list[tuple[str, bytes]]:
        """Every (topic, message) the stand-in put on the bus (the latest ``record_limit``)."""
        with self._lock:
            return list(self._published)

    @property
    def notifications(self) -> list[dict]:
        return self.notification_service.snapshot()

    @property
    def events(self) -> list[dict]:
        """Events core-data received (REST POSTs and everything seen on ``{b}/events/device/#``)."""
        return self.data.snapshot()

    def set_down(self, service: str, down: bool = True) -> None:
        """Stop (connection refused, no bus answers) or restart one service on the same port."""
        self._servers[service].set_down(down)

    def fail_next(self, service: str, status: int = 503, count: int = 1) -> None:
        self._servers[service].fail_next(status, count)

    def answer_next(self, service: str, status: int, body: bytes | str | dict | list | None,
                    content_type: str = "application/json", count: int = 1) -> None:
        """Answer the next requests to ``service`` with exactly this (e.g. a garbled proxy page)."""
        self._servers[service].answer_next(Reply(status, body, content_type), count)

    def set_delay(self, service: str, seconds: float) -> None:
        self._servers[service].delay = seconds

    def set_device_service_down(self, service_name: str, down: bool = True) -> None:
        """Make core-command answer 503 for the devices of one device service."""
        (self.command.service_down.add if down else self.command.service_down.discard)(service_name)

    def set_admin_state(self, device: str, state: str) -> None:
        """LOCKED / UNLOCKED, as an operator would in core-metadata (publishes a system event)."""
        self.metadata.add_device({**self.devices.device(device), "adminState": state})

    def add_device(self, device: dict) -> None:
        """Add or update a device in core-metadata (publishes the system event)."""
        self.metadata.add_device({"adminState": "UNLOCKED", "operatingState": "UP", **device})

    def calls(self, service: str | None = None, method: str | None = None,
              path_prefix: str = "") -> list[Call]:
        with self._lock:
            return [c for c in self._requests if (service is None or c.service == service)
                    and (method is None or c.method == method) and c.path.startswith(path_prefix)]

    def publish_event(self, device: str, source: str) -> dict:
        """Read ``source`` now (advancing the simulated signals) and publish it like a device service."""
        event = self.devices.read(device, source, simulate=True)
        self._push_event(event)
        return event

    # --- internals -----------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._lock:
            self._requests.append(call)

    def _common_routes(self, router: Router, name: str) -> None:
        def ping(call: Call, _: dict) -> Reply:
            return Reply(200, {"apiVersion": "v3", "timestamp": time.strftime("%a %b %e %H:%M:%S UTC %Y",
                                                                              time.gmtime()),
                               "serviceName": name})

        def version(call: Call, _: dict) -> Reply:
            return Reply(200, {"apiVersion": "v3", "version": "4.0.2" if self.edgex_major >= 4 else "3.1.1",
                               "serviceName": name})
        router.add("GET", "/api/v3/ping", ping)
        router.add("GET", "/api/v3/version", version)

    def _publish(self, topic: str, payload: bytes) -> None:
        with self._lock:
            self._published.append((topic, payload))
        if self._client is not None:
            self._client.publish(topic, payload)

    def _push_event(self, event: dict) -> None:
        device = self.devices.device(event["deviceName"])
        topic = "/".join((self.base_topic, "events/device", device["serviceName"], event["profileName"],
                          event["deviceName"], event["sourceName"]))
        if self.optimize_events:
            event = wire.optimized(event)
        self._publish(topic, wire.envelope(wire.add_event_request(event), edgex_major=self.edgex_major,
                                           base64_payload=self.base64_payload))

    def _publish_system_event(self, kind: str, action: str, owner: str, profile: str, details: dict) -> None:
        topic = "/".join((self.base_topic, "system-events/core-metadata", kind, action, owner, profile))
        payload = {"apiVersion": "v3", "type": kind, "action": action, "source": "core-metadata",
                   "owner": owner, "tags": None, "details": details, "timestamp": wire.now_ns()}
        self._publish(topic, wire.envelope(payload, edgex_major=self.edgex_major,
                                           base64_payload=self.base64_payload))

    def _connect_bus(self) -> None:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"standin-{wire.new_id()[:8]}")
        subscribed = threading.Event()
        topics = [f"{self.base_topic}/core/command/request/#", f"{self.base_topic}/core/commandquery/request/#",
                  f"{self.base_topic}/events/device/#"]

        def on_connect(c: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
            if not reason.is_failure:
                c.subscribe([(t, 0) for t in topics])

        client.on_connect = on_connect
        client.on_subscribe = lambda *args: subscribed.set()
        client.on_message = self._on_message
        client.reconnect_delay_set(0.1, 2)
        client.connect(self.broker[0], self.broker[1], keepalive=10)
        client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError(f"stand-in could not subscribe on broker {self.broker}")
        self._client = client

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            levels = message.topic[len(self.base_topic) + 1:].split("/")
            if levels[:2] == ["events", "device"]:
                self._on_bus_event(message.payload)
            elif levels[0] == "core" and not self._servers["core-command"].down:
                self._on_command_request(levels[1:], message.payload)
        except Exception:  # paho's network thread must survive any bad message
            log.exception("stand-in could not handle a message on %s", message.topic)

    def _on_bus_event(self, raw: bytes) -> None:
        env = wire.read_envelope(raw)
        payload = env["payload"]
        if isinstance(payload, bytes) and env["contentType"].startswith("application/cbor"):
            payload = cbor2.loads(payload)
        if isinstance(payload, dict):
            self.data.record(payload.get("event", payload))

    def _on_command_request(self, levels: list[str], raw: bytes) -> None:
        env = wire.read_envelope(raw)
        if not env["requestID"]:
            log.warning("stand-in core-command: request without requestID ignored")
            return
        body, error_code, content_type = self.command.on_bus_request(levels, env)
        topic = f"{self.base_topic}/response/core-command/{env['requestID']}"
        # core-command forwards the device service's answer, which keeps that service's topic.
        forwarded = ""
        if levels[0] == "command" and not error_code and len(levels) == 5:
            service = self.devices.devices.get(levels[2], {}).get("serviceName", "")
            forwarded = f"{self.base_topic}/response/{service}/{env['requestID']}"
        self._publish(topic, wire.envelope(body, edgex_major=self.edgex_major,
                                           correlation_id=env["correlationID"], request_id=env["requestID"],
                                           error_code=error_code, content_type=content_type,
                                           received_topic=forwarded, base64_payload=self.base64_payload))

    def _auto_events(self) -> None:
        schedule: list[tuple[float, int, str, str, float]] = []
        now = time.monotonic()
        for name, device in sorted(self.devices.devices.items()):
            for auto in device.get("autoEvents") or []:
                seconds = (go_duration_seconds(str(auto.get("interval", ""))) or 0) * self.event_interval_scale
                if seconds > 0:
                    heapq.heappush(schedule, (now + seconds, len(schedule), name, auto["sourceName"], seconds))
        while schedule and not self._stop.is_set():
            due, order, device, source, seconds = heapq.heappop(schedule)
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            try:
                self.publish_event(device, source)
            except Exception as err:  # a locked or broken device skips this tick, like a real DS
                log.debug("auto event %s/%s skipped: %s", device, source, err)
            heapq.heappush(schedule, (max(due + seconds, time.monotonic()), order, device, source, seconds))
