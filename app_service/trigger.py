"""Triggers: the message-bus trigger (bounded queue + worker threads) and the HTTP trigger entry.

The bus's network callback only enqueues ``(topic, raw)``; ``Workers`` threads decode and run the
pipelines. Each worker has its own queue and a topic always goes to the same one, so the events of
one device source are processed in arrival order (streaming detectors rely on it) while different
devices run in parallel. When a queue is full the message is dropped and counted
(``MessagesDropped``), so memory stays bounded under sustained overload (``QueueSize`` in all).
Metrics follow AFS: ``MessagesReceived`` (every message the bus delivered),
``InvalidMessagesReceived`` (each one that failed to decode), and the per-pipeline metrics of
``PipelineRuntime``.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from zlib import crc32
from dataclasses import dataclass, field
from typing import Any, Mapping

from .edgex import _json
from .edgex.dtos import Event, event_from_body
from .edgex.envelope import CBOR, JSON, decode_body, decode_envelope, decode_event
from .errors import AppServiceError, PayloadError
from .metrics import Metrics
from .pipeline.context import Context
from .pipeline.runtime import Outcome, PipelineRuntime
from .ratelimit import RateLimitedLog
from .settings import get_choice, get_int, get_list, get_section, get_str

log = logging.getLogger(__name__)
_STOP = object()


@dataclass(frozen=True)
class TriggerSettings:
    type: str = "edgex-messagebus"
    subscribe_topics: tuple[str, ...] = ("events/#",)
    publish_topic: str = ""
    queue_size: int = 10000
    workers: int = 2
    target_type: str = "event"

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> "TriggerSettings":
        """``[Trigger]`` (+ ``Writable.Pipeline.TargetType``). Topics are relative to
        ``MessageBus.BaseTopicPrefix``."""
        s = "Trigger"
        trig = get_section(cfg, s)
        pipeline = get_section(get_section(cfg, "Writable"), "Pipeline", "Writable")
        return cls(
            type=get_choice(trig, "Type", ("edgex-messagebus", "http"), s,
                            default="edgex-messagebus"),
            subscribe_topics=tuple(get_list(trig, "SubscribeTopics", s, default="events/#")),
            publish_topic=get_str(trig, "PublishTopic", s, default=""),
            queue_size=get_int(trig, "QueueSize", s, default=10000, minimum=1),
            workers=get_int(trig, "Workers", s, default=2, minimum=1, maximum=64),
            target_type=get_choice(pipeline, "TargetType", ("event", "raw"), "Writable.Pipeline",
                                   default="event"),
        )


def decode_message(topic: str, raw: bytes, target_type: str = "event"
                   ) -> tuple[Context, Any, Any]:
    """Bytes from the bus → (base context, data for the pipelines, envelope)."""
    env = decode_envelope(raw, topic)
    cid = env.correlation_id or str(uuid.uuid4())
    ctx = Context(correlation_id=cid, received_topic=topic, content_type=env.content_type)
    ctx.values["receivedtopic"] = topic
    if target_type == "raw":
        payload = env.payload
        if env.error_code:
            raise PayloadError(f"envelope carries error {env.error_code}: {env.error_message}")
        data = payload if isinstance(payload, bytes) or payload is None else _json.dumps(payload)
        return ctx, data, env
    event = decode_event(env)
    _event_values(ctx, event)
    return ctx, event, env


def _event_values(ctx: Context, event: Event) -> None:
    ctx.values["devicename"] = event.device_name
    ctx.values["profilename"] = event.profile_name
    ctx.values["sourcename"] = event.source_name


class MessageBusTrigger:
    def __init__(self, bus: Any, runtime: PipelineRuntime, settings: TriggerSettings,
                 metrics: Metrics | None = None):
        self.bus = bus
        self.runtime = runtime
        self.settings = settings
        self.metrics = metrics or runtime.metrics
        per_worker = max(1, -(-settings.queue_size // settings.workers))
        self._queues: list[queue.Queue] = [queue.Queue(per_worker)
                                           for _ in range(settings.workers)]
        self._received = self.metrics.counter("MessagesReceived")
        self._invalid = self.metrics.counter("InvalidMessagesReceived")
        self._dropped = self.metrics.counter("MessagesDropped")
        self._drop_log = RateLimitedLog(log)
        self._invalid_log = RateLimitedLog(log)
        self._workers: list[threading.Thread] = []
        self._accepting = False
        self.publish_topic = bus.full_topic(settings.publish_topic) if settings.publish_topic \
            else ""

    @property
    def topics(self) -> list[str]:
        return [self.bus.full_topic(t) for t in self.settings.subscribe_topics]

    def start(self) -> None:
        self._accepting = True
        for index, inbox in enumerate(self._queues):
            worker = threading.Thread(target=self._work, args=(inbox,),
                                      name=f"pipeline-worker-{index}", daemon=True)
            worker.start()
            self._workers.append(worker)
        self.bus.subscribe(self.topics, self.enqueue)

    def stop(self, drain_timeout: float = 5.0) -> None:
        """Stop intake, let the workers drain what is queued, then end them."""
        self._accepting = False
        try:
            self.bus.unsubscribe(self.enqueue)
        except Exception:  # the bus may already be gone at shutdown
            log.debug("unsubscribe at stop failed", exc_info=True)
        deadline = time.monotonic() + drain_timeout
        while not self.idle and time.monotonic() < deadline:
            time.sleep(0.01)
        for inbox in self._queues:
            try:  # a full queue after the drain timeout: the workers are daemons, let them be
                inbox.put(_STOP, timeout=max(0.01, deadline - time.monotonic()))
            except queue.Full:
                log.warning("a pipeline worker is still busy after %.1fs; %d messages not "
                            "processed", drain_timeout, inbox.qsize())
        for worker in self._workers:
            worker.join(timeout=max(0.1, deadline - time.monotonic()))
        self._workers.clear()

    @property
    def idle(self) -> bool:
        return all(inbox.unfinished_tasks == 0 for inbox in self._queues)

    @property
    def queued(self) -> int:
        return sum(inbox.qsize() for inbox in self._queues)

    # network thread: count and enqueue, nothing else
    def enqueue(self, topic: str, raw: bytes) -> None:
        self._received.inc()
        if not self._accepting:
            self._dropped.inc()
            return
        queues = self._queues
        try:
            index = crc32(topic.encode()) % len(queues) if len(queues) > 1 else 0
            queues[index].put_nowait((topic, raw))
        except queue.Full:
            self._dropped.inc()
            self._drop_log.warning("pipeline queue full (%d): dropping messages; %d dropped so far",
                                   self.settings.queue_size, self._dropped.value)

    def _work(self, inbox: queue.Queue) -> None:
        while True:
            item = inbox.get()
            try:
                if item is _STOP:
                    return
                self.handle(*item)
            except Exception:  # a worker must survive anything a message does
                log.exception("pipeline worker failed on a message")
            finally:
                inbox.task_done()

    def handle(self, topic: str, raw: bytes) -> list[Outcome] | None:
        """Decode one message and run its pipelines (what a worker does; callable directly)."""
        try:
            ctx, data, env = decode_message(topic, raw, self.settings.target_type)
        except Exception as exc:  # every malformed input is counted, none crashes a worker
            self._invalid.inc()
            self._invalid_log.warning("invalid message on %s dropped: %s", topic, exc,
                                      exc_info=not isinstance(exc, PayloadError))
            return None
        if env.payload_was_object:
            self.bus.note_peer_major(4)
        return self.runtime.execute(ctx, data, self._respond)

    def _respond(self, ctx: Context) -> None:
        if not self.publish_topic:
            return
        try:
            topic = ctx.apply_values(self.publish_topic)
        except PayloadError as exc:
            log.error("response of pipeline %s not published: %s", ctx.pipeline_id, exc,
                      extra={"correlation_id": ctx.correlation_id})
            return
        data = ctx.response_data or b""
        content_type = ctx.response_content_type or (JSON if data[:1] in (b"{", b"[") else CBOR)
        self.bus.publish_envelope(topic, data, correlation_id=ctx.correlation_id,
                                  content_type=content_type)


@dataclass
class HttpTriggerResponse:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


def handle_http_trigger(runtime: PipelineRuntime, body: bytes, content_type: str,
                        correlation_id: str = "", target_type: str = "event"
                        ) -> HttpTriggerResponse:
    """``POST /api/v3/trigger``: AddEventRequest or Event, JSON or CBOR by Content-Type.

    400 on a decode error, 422 when a pipeline function fails, 500 with no pipeline, else 200
    with the response data (empty when none was set), as AFS's HTTP trigger answers.
    """
    metrics = runtime.metrics
    metrics.counter("MessagesReceived").inc()
    cid = correlation_id or str(uuid.uuid4())
    headers = {"X-Correlation-ID": cid}
    kind = (content_type or JSON).split(";", 1)[0].strip().lower() or JSON
    ctx = Context(correlation_id=cid, content_type=kind)
    ctx.values["receivedtopic"] = ""
    try:
        if target_type == "raw":
            data: Any = bytes(body)
        else:
            data = event_from_body(decode_body(bytes(body), kind))
            _event_values(ctx, data)
    except AppServiceError as exc:
        metrics.counter("InvalidMessagesReceived").inc()
        log.warning("trigger request rejected: %s", exc, extra={"correlation_id": cid})
        return HttpTriggerResponse(400, str(exc).encode(), headers=headers)
    if not runtime.pipelines_for(""):
        return HttpTriggerResponse(500, b"no pipeline is configured", headers=headers)
    outcomes = runtime.execute(ctx, data)
    failed = next((o for o in outcomes if o.result.error is not None), None)
    if failed is not None:
        return HttpTriggerResponse(422, str(failed.result.error).encode(), headers=headers)
    answered = next((o for o in outcomes if o.context.response_data is not None), None)
    if answered is None:
        return HttpTriggerResponse(200, b"", JSON, headers)
    out = answered.context
    return HttpTriggerResponse(200, out.response_data, out.response_content_type or JSON, headers)
