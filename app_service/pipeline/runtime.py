"""The pipelines of one service: which run for a topic, with metrics, responses and
store-and-forward. Shared by the message-bus trigger and the HTTP trigger."""
from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from ..edgex.topics import topic_matches
from ..metrics import Metrics
from .context import Context
from .runner import Pipeline, PipelineResult, run_pipeline

log = logging.getLogger(__name__)

RETRY_KIND = "pipeline"
Responder = Callable[[Context], None]


@dataclass(slots=True)
class Outcome:
    pipeline: Pipeline
    context: Context
    result: PipelineResult


class _PipelineMetrics:
    __slots__ = ("processed", "time", "errors")

    def __init__(self, metrics: Metrics, pipeline_id: str):
        tags = {"pipeline": pipeline_id}
        self.processed = metrics.counter(f"PipelineMessagesProcessed-{pipeline_id}", tags)
        self.time = metrics.timer(f"PipelineMessageProcessingTime-{pipeline_id}", tags)
        self.errors = metrics.counter(f"PipelineProcessingErrors-{pipeline_id}", tags)


class PipelineRuntime:
    """Runs every pipeline whose topics match a message (default pipeline: ``#``)."""

    def __init__(self, pipelines: Sequence[Pipeline], metrics: Metrics | None = None, *,
                 store: Any = None, store_enabled: bool = False):
        self.metrics = metrics or Metrics()
        self.pipelines = list(pipelines)
        self.store = store if store_enabled else None
        self._by_id = {p.id: p for p in self.pipelines}
        self._stats = {p.id: _PipelineMetrics(self.metrics, p.id) for p in self.pipelines}
        self._matches: dict[str, tuple[Pipeline, ...]] = {}
        if self.store is not None:
            self.store.register(RETRY_KIND, self._retry)

    def pipelines_for(self, topic: str) -> tuple[Pipeline, ...]:
        found = self._matches.get(topic)
        if found is None:
            found = tuple(p for p in self.pipelines if topic_matches(topic, p.topics))
            if len(self._matches) > 10000:
                self._matches.clear()
            self._matches[topic] = found
        return found

    def execute(self, base: Context, data: Any, respond: Responder | None = None
                ) -> list[Outcome]:
        """Run the matching pipelines on ``data``; ``respond(ctx)`` after each that set
        response data."""
        outcomes = []
        for pipeline in self.pipelines_for(base.received_topic):
            ctx = base.copy_for(pipeline.id)
            outcomes.append(self.run(pipeline, ctx, data, respond=respond))
        return outcomes

    def run(self, pipeline: Pipeline, ctx: Context, data: Any, start: int = 0,
            respond: Responder | None = None) -> Outcome:
        stats = self._stats[pipeline.id]
        began = time.perf_counter()
        result = run_pipeline(ctx, pipeline.functions, data, start, pipeline.names)
        stats.time.record_seconds(time.perf_counter() - began)
        stats.processed.inc()
        if result.error is not None:
            stats.errors.inc()
            if ctx.retry_data is not None and self.store is not None and start == 0:
                self._store(pipeline, ctx, result.position)
        elif respond is not None and ctx.response_data is not None:
            respond(ctx)
        return Outcome(pipeline, ctx, result)

    def _store(self, pipeline: Pipeline, ctx: Context, position: int) -> None:
        self.store.add(RETRY_KIND, {
            "pipeline_id": pipeline.id, "position": position, "version": pipeline.version,
            "data": base64.b64encode(ctx.retry_data).decode(), "values": ctx.values,
            "received_topic": ctx.received_topic, "content_type": ctx.content_type,
        }, ctx.correlation_id)

    def _retry(self, item: dict) -> None:
        """Store-and-forward handler: resume the pipeline at the failing function."""
        pipeline = self._by_id.get(item.get("pipeline_id", ""))
        if pipeline is None or pipeline.version != item.get("version"):
            log.error("stored item %s belongs to pipeline %s which changed or is gone; dropped",
                      item.get("_store_id"), item.get("pipeline_id"))
            return
        ctx = Context(correlation_id=item.get("_correlation_id") or str(item.get("_store_id")),
                      pipeline_id=pipeline.id, received_topic=item.get("received_topic", ""),
                      content_type=item.get("content_type", "application/json"),
                      values=dict(item.get("values", {})))
        data = base64.b64decode(item["data"])
        outcome = self.run(pipeline, ctx, data, start=int(item.get("position", 0)))
        if outcome.result.error is not None:
            raise outcome.result.error
