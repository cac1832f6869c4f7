"""The EdgeX message bus over MQTT (paho-mqtt 2.x), as go-mod-messaging's MQTT client behaves.

Connection options come from ``[MessageBus]`` and its string map ``Optional`` (INTERFACES.md §1.1).
Subscriptions are (re)made in ``on_connect``, so they come back after every reconnect; paho's
network thread retries with exponential backoff. Every callback is guarded: an exception is
logged and never kills the network thread. Handlers run on the network thread, so they must be
quick (the trigger only enqueues).
"""
from __future__ import annotations

import logging
import os
import ssl
import tempfile
import threading
import time
import uuid
from typing import Any, Callable, Iterable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .bus_settings import BusSettings
from .edgex.envelope import JSON, Envelope, decode_envelope, encode_envelope
from .edgex.topics import join_topic
from .errors import AppServiceError
from .metrics import Metrics
from .ratelimit import RateLimitedLog

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], None]


class BusError(AppServiceError):
    """The bus is not connected or refused an operation."""


class RequestTimeout(BusError, TimeoutError):
    """No response arrived on the response topic in time."""


__all__ = ["MessageBus", "BusSettings", "BusError", "RequestTimeout", "wait_for"]


def _guarded(fn: Callable) -> Callable:
    """An exception in a paho callback would end the network thread: log it instead."""
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("message bus callback %s failed", fn.__name__)
    wrapper.__name__ = fn.__name__
    return wrapper


class MessageBus:
    def __init__(self, settings: BusSettings, metrics: Metrics | None = None):
        self.settings = settings
        self.metrics = metrics or Metrics()
        self.client_id = settings.client_id or f"app-{uuid.uuid4().hex[:12]}"
        self._subs: list[tuple[str, Handler, int]] = []
        self._routes: dict[str, tuple[Handler, ...]] = {}
        self._lock = threading.RLock()
        self._connected = threading.Event()
        self._stopping = False
        self._peer_major = 0
        self._pending: dict[str, list] = {}
        self._response_ready: dict[str, threading.Event] = {}
        self._suback: dict[int, list[threading.Event]] = {}
        self._publish_errors = self.metrics.counter("MessageBusPublishErrors")
        self._reconnects = self.metrics.counter("MessageBusReconnects")
        self._publish_log = RateLimitedLog(log)
        self._tls_dir: tempfile.TemporaryDirectory | None = None
        self._client = self._make_client()

    # -- lifecycle ---------------------------------------------------------------------------
    def _make_client(self) -> mqtt.Client:
        s = self.settings
        transport = "websockets" if s.protocol in ("ws", "wss") else "tcp"
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             clean_session=s.clean_session, transport=transport,
                             protocol=mqtt.MQTTv311, reconnect_on_failure=s.auto_reconnect)
        client.enable_logger(logging.getLogger("paho.mqtt"))
        client.reconnect_delay_set(s.reconnect_min_s, s.reconnect_max_s)
        client.connect_timeout = s.connect_timeout_s
        client.max_queued_messages_set(s.max_queued_publishes)
        client.max_inflight_messages_set(100)
        if s.username:
            client.username_pw_set(s.username, s.password or None)
        if s.uses_tls:
            self._configure_tls(client)
        client.on_connect = _guarded(self._on_connect)
        client.on_disconnect = _guarded(self._on_disconnect)
        client.on_message = _guarded(self._on_message)
        client.on_subscribe = _guarded(self._on_subscribe)
        return client

    def _configure_tls(self, client: mqtt.Client) -> None:
        s = self.settings
        ca, cert, key = s.ca_file or None, s.cert_file or None, s.key_file or None
        if s.ca_pem or s.cert_pem or s.key_pem:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="bus-tls-")
            ca = self._pem_file("ca.pem", s.ca_pem) or ca
            cert = self._pem_file("cert.pem", s.cert_pem) or cert
            key = self._pem_file("key.pem", s.key_pem) or key
        client.tls_set(ca_certs=ca, certfile=cert, keyfile=key,
                       cert_reqs=ssl.CERT_NONE if s.skip_cert_verify else ssl.CERT_REQUIRED)
        client.tls_insecure_set(s.skip_cert_verify)

    def _pem_file(self, name: str, text: str) -> str | None:
        if not text or self._tls_dir is None:
            return None
        path = os.path.join(self._tls_dir.name, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as fh:
            fh.write(text)
        return path

    def start(self) -> None:
        """Connect in the background (never blocks on an absent broker)."""
        self._stopping = False
        self._client.enable_logger(logging.getLogger("paho.mqtt"))
        self._client.connect_async(self.settings.host, self.settings.port,
                                   keepalive=self.settings.keep_alive)
        self._client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def stop(self) -> None:
        self._stopping = True
        # paho's loop logs a spurious "Client is not connected" error after a clean disconnect
        self._client.disable_logger()
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()
            self._connected.clear()
            if self._tls_dir is not None:
                self._tls_dir.cleanup()

    # -- topics and publishing -----------------------------------------------------------------
    def full_topic(self, relative: str) -> str:
        return join_topic(self.settings.base_topic_prefix, relative)

    def publish(self, topic: str, payload: bytes, qos: int | None = None,
                retain: bool | None = None) -> mqtt.MQTTMessageInfo:
        """Publish raw bytes to a full topic. QoS 0 while disconnected is lost (counted in
        ``MessageBusPublishErrors``); QoS 1/2 is queued by paho and sent after reconnecting."""
        level = self.settings.qos if qos is None else qos
        info = self._client.publish(topic, payload, level,
                                    self.settings.retained if retain is None else retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS and not (info.rc == mqtt.MQTT_ERR_NO_CONN and level):
            self._publish_errors.inc()
            self._publish_log.warning("publish to %s not sent: %s", topic,
                                      mqtt.error_string(info.rc))
        return info

    @property
    def publish_major(self) -> int:
        """EdgeX major to encode for: configured, else the peer's seen on the bus, else 3
        (base64 payloads, which every 3.x and 4.x receiver decodes)."""
        if self.settings.edgex_major in ("3", "4"):
            return int(self.settings.edgex_major)
        return self._peer_major or 3

    def note_peer_major(self, major: int) -> None:
        self._peer_major = major

    def encode(self, payload: Any, *, correlation_id: str, content_type: str = JSON,
               request_id: str = "", error_code: int = 0,
               query_params: dict[str, str] | None = None) -> bytes:
        return encode_envelope(payload, edgex_major=self.publish_major, content_type=content_type,
                               correlation_id=correlation_id, request_id=request_id,
                               error_code=error_code, base64_payload=self.settings.base64_payload,
                               cbor_envelope=self.settings.cbor_envelope,
                               query_params=query_params)

    def publish_envelope(self, topic: str, payload: Any, *, correlation_id: str,
                         content_type: str = JSON, request_id: str = "", error_code: int = 0,
                         query_params: dict[str, str] | None = None) -> mqtt.MQTTMessageInfo:
        raw = self.encode(payload, correlation_id=correlation_id, content_type=content_type,
                          request_id=request_id, error_code=error_code, query_params=query_params)
        return self.publish(topic, raw)

    # -- subscribing -----------------------------------------------------------------------------
    def subscribe(self, topics: Iterable[str] | str, handler: Handler,
                  qos: int | None = None) -> None:
        """``handler(topic, raw)`` runs on the network thread for every matching message."""
        topics = [topics] if isinstance(topics, str) else list(topics)
        level = self.settings.qos if qos is None else qos
        with self._lock:  # the same lock as on_connect: no subscription can slip between them
            for topic in topics:
                self._subs.append((topic, handler, level))
            self._routes.clear()
            connected = self.connected
        if connected:
            for topic in topics:
                self._client.subscribe(topic, level)

    def unsubscribe(self, handler: Handler) -> None:
        with self._lock:
            gone = [t for t, h, _ in self._subs if h == handler]
            self._subs = [s for s in self._subs if s[1] != handler]
            self._routes.clear()
            still = {t for t, _, _ in self._subs}
        for topic in set(gone) - still:
            self._client.unsubscribe(topic)

    # -- request / response (EdgeX request topics, replies on {b}/response/{service}/{id}) -------
    def request(self, topic: str, payload: Any = None, *, response_service: str,
                timeout: float = 5.0, request_id: str | None = None,
                correlation_id: str | None = None, query_params: dict[str, str] | None = None,
                content_type: str = JSON) -> Envelope:
        """Publish a request envelope to ``topic`` (full) and wait for its response envelope.

        The caller checks ``error_code`` of the returned envelope. Raises ``RequestTimeout``.
        """
        request_id = request_id or str(uuid.uuid4())
        prefix = self.full_topic(f"response/{response_service}")
        self._ensure_response_subscription(prefix, timeout)
        slot: list = [threading.Event(), None]
        with self._lock:
            self._pending[request_id] = slot
        try:
            self.publish_envelope(topic, payload, correlation_id=correlation_id or
                                  str(uuid.uuid4()), content_type=content_type,
                                  request_id=request_id, query_params=query_params)
            if not slot[0].wait(timeout):
                raise RequestTimeout(f"no response to {topic} on {prefix}/{request_id} "
                                     f"within {timeout:g}s")
            return slot[1]
        finally:
            with self._lock:
                self._pending.pop(request_id, None)

    def _ensure_response_subscription(self, prefix: str, timeout: float) -> None:
        """Subscribe ``{prefix}/#`` once; every caller waits until the broker acknowledged it,
        so no request is published before its response can arrive."""
        if not self.wait_connected(timeout):
            raise BusError(f"message bus {self.settings.host}:{self.settings.port} "
                           "is not connected")
        with self._lock:
            ready = self._response_ready.get(prefix)
            first = ready is None
            if first:
                ready = self._response_ready[prefix] = threading.Event()
                self._subs.append((prefix + "/#", self._on_response, self.settings.qos))
                self._routes.clear()
                _, mid = self._client.subscribe(prefix + "/#", self.settings.qos)
                self._suback[mid] = [ready]
        if not ready.wait(timeout):
            raise RequestTimeout(f"the broker did not acknowledge the subscription to {prefix}/#")

    def _on_response(self, topic: str, raw: bytes) -> None:
        request_id = topic.rsplit("/", 1)[-1]
        with self._lock:
            slot = self._pending.get(request_id)
        if slot is None:
            return
        try:
            slot[1] = decode_envelope(raw, topic)
        except AppServiceError as exc:
            slot[1] = Envelope(request_id=request_id, error_code=1, payload=str(exc),
                               received_topic=topic, content_type="text/plain")
        slot[0].set()

    # -- paho callbacks ------------------------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("message bus %s:%s refused the connection: %s", self.settings.host,
                      self.settings.port, reason_code)
            return
        with self._lock:
            topics = {}
            for topic, _, level in self._subs:
                topics[topic] = max(level, topics.get(topic, 0))
            self._connected.set()
        if topics:
            _, mid = client.subscribe(list(topics.items()))
            with self._lock:  # a response subscription cut off before its SUBACK completes here
                self._suback[mid] = list(self._response_ready.values())
        log.info("connected to message bus %s:%s as %s (%d subscriptions)", self.settings.host,
                 self.settings.port, self.client_id, len(topics))

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self._connected.clear()
        if self._stopping:
            return
        if not self.settings.auto_reconnect:
            log.error("message bus %s:%s disconnected (%s); MessageBus.Optional.AutoReconnect "
                      "is false: staying disconnected", self.settings.host, self.settings.port,
                      reason_code)
            return
        self._reconnects.inc()
        log.warning("message bus %s:%s disconnected (%s); reconnecting with backoff",
                    self.settings.host, self.settings.port, reason_code)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        with self._lock:
            waiting = self._suback.pop(mid, ())
        if any(rc.is_failure for rc in reason_codes):
            log.error("message bus refused a subscription: %s", reason_codes)
        for ready in waiting:
            ready.set()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        handlers = self._routes.get(topic)
        if handlers is None:
            handlers = self._route(topic)
        payload = message.payload
        for handler in handlers:
            try:
                handler(topic, payload)
            except Exception:
                log.exception("message handler for %s failed", topic)

    def _route(self, topic: str) -> tuple[Handler, ...]:
        with self._lock:
            found: list[Handler] = []
            for pattern, handler, _ in self._subs:
                if handler not in found and mqtt.topic_matches_sub(pattern, topic):
                    found.append(handler)
            if len(self._routes) > 10000:
                self._routes.clear()
            self._routes[topic] = tuple(found)
            return self._routes[topic]


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    """Poll ``condition`` until true or ``timeout`` (tests and shutdown drains use it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
