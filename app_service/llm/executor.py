"""Micro-batching executor: a bounded queue and one inference thread in front of a LanguageModel.

Callers (pipeline workers, REST handlers) submit and wait with a deadline; nothing runs on the
caller's network thread. ``generate`` requests that share their static (system) prompt and
generation settings are collected for up to ``max_batch_delay`` into one CTranslate2 batch of at
most ``max_batch_size``; other requests run one at a time in arrival order. A full queue and an
expired deadline are ModelErrors naming the cause.
"""
from __future__ import annotations

import collections
import concurrent.futures
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from ..errors import ModelError
from .heap import release_free_memory

log = logging.getLogger(__name__)
_STOP = object()
_END_OF_STREAM = object()


@dataclass
class _Job:
    run: Callable[[], Any] | None      # a single request
    batch_key: Any = None              # generate requests with equal keys share a batch
    prompt: Any = None
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)
    deadline: float = 0.0


class BatchingExecutor:
    def __init__(self, model, *, max_batch_size: int = 8, max_batch_delay: float = 0.005,
                 queue_size: int = 64, request_timeout: float = 10.0, metrics=None):
        self.model = model
        self.max_batch_size = max_batch_size
        self.max_batch_delay = max_batch_delay
        self.request_timeout = request_timeout
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._held: collections.deque = collections.deque()
        self._metrics = metrics
        self._thread = threading.Thread(target=self._loop, name="llm-inference", daemon=True)
        self._thread.start()

    # ---- public API (same shapes as LanguageModel) ---------------------------------------
    def generate(self, prompt: Any, *, max_tokens: int = 64, stop: Sequence[str] = (),
                 timeout: float | None = None) -> str:
        built = self.model.prompt(prompt)
        key = (built.static, max_tokens, tuple(stop))
        return self._call(_Job(None, key, built), timeout)

    def score(self, prompt: Any, continuations: Sequence[str], *,
              timeout: float | None = None) -> list[float]:
        return self._call(_Job(lambda: self.model.score(prompt, continuations)), timeout)

    def choose(self, prompt: Any, options: Sequence[str], *, calibrate: bool = True,
               timeout: float | None = None):
        return self._call(_Job(lambda: self.model.choose(prompt, options, calibrate=calibrate)),
                          timeout)

    def extract(self, prompt: Any, spec, *, timeout: float | None = None):
        return self._call(_Job(lambda: self.model.extract(prompt, spec)), timeout)

    def stream(self, prompt: Any, *, max_tokens: int = 64, stop: Sequence[str] = (),
               timeout: float | None = None) -> Iterator[str]:
        """Pieces of text as decoded; ``timeout`` bounds the wait for each piece."""
        pieces: queue.Queue = queue.Queue()

        def produce():
            try:
                for piece in self.model.stream(prompt, max_tokens=max_tokens, stop=stop):
                    pieces.put(piece)
            finally:
                pieces.put(_END_OF_STREAM)

        job = _Job(produce)
        self._submit(job, timeout)
        limit = self.request_timeout if timeout is None else timeout
        while True:
            try:
                piece = pieces.get(timeout=limit)
            except queue.Empty:
                job.future.cancel()
                raise ModelError(f"LLM stream produced nothing for {limit:g} s") from None
            if piece is _END_OF_STREAM:
                job.future.result()  # re-raise a failure of the stream itself
                return
            yield piece

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize() + len(self._held)

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=30)

    # ---- plumbing ------------------------------------------------------------------------
    def _submit(self, job: _Job, timeout: float | None) -> None:
        if not self._thread.is_alive():
            raise ModelError("the LLM executor is closed")
        job.deadline = time.monotonic() + (self.request_timeout if timeout is None else timeout)
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            self._count("LLMRequestsRejected")
            raise ModelError(f"LLM queue is full ({self._queue.maxsize} requests waiting)") from None
        self._gauge()

    def _call(self, job: _Job, timeout: float | None) -> Any:
        self._submit(job, timeout)
        try:
            return job.future.result(timeout=max(0.0, job.deadline - time.monotonic()))
        except concurrent.futures.TimeoutError:
            job.future.cancel()
            self._count("LLMRequestsTimedOut")
            raise ModelError(f"LLM request timed out after "
                             f"{self.request_timeout if timeout is None else timeout:g} s") from None

    def _next(self, wait: float | None):
        if self._held:
            return self._held.popleft()
        try:
            return self._queue.get(timeout=wait)
        except queue.Empty:
            return None

    def _loop(self) -> None:
        while True:
            job = self._next(None)
            if job is _STOP:
                return
            if job is None:
                continue
            if job.batch_key is None:
                self._run_single(job)
            else:
                self._run_batch(self._collect(job))
            self._gauge()

    def _collect(self, first: _Job) -> list[_Job]:
        batch = [first]
        skipped = []
        until = time.monotonic() + self.max_batch_delay
        while len(batch) < self.max_batch_size:
            remaining = until - time.monotonic()
            if remaining <= 0 and not self._held and self._queue.empty():
                break
            job = self._next(max(0.0, remaining))
            if job is None:
                break
            if job is _STOP:
                skipped.append(job)
                break
            (batch if job.batch_key == first.batch_key else skipped).append(job)
        self._held.extendleft(reversed(skipped))
        return batch

    def _live(self, job: _Job) -> bool:
        if time.monotonic() > job.deadline:
            if job.future.set_running_or_notify_cancel():
                job.future.set_exception(ModelError("LLM request timed out in the queue"))
            return False
        return job.future.set_running_or_notify_cancel()

    def _run_single(self, job: _Job) -> None:
        if not self._live(job):
            return
        started = time.perf_counter()
        try:
            job.future.set_result(job.run())
        except Exception as err:  # handed to the caller, who logs it with its correlation id
            job.future.set_exception(err)
        release_free_memory()
        self._time(started)

    def _run_batch(self, jobs: list[_Job]) -> None:
        jobs = [job for job in jobs if self._live(job)]
        if not jobs:
            return
        _, max_tokens, stop = jobs[0].batch_key
        started = time.perf_counter()
        try:
            texts = self.model.generate_batch([j.prompt for j in jobs], max_tokens=max_tokens,
                                              stop=stop)
        except Exception as err:
            for job in jobs:
                job.future.set_exception(err)
        else:
            for job, text in zip(jobs, texts):
                job.future.set_result(text)
        release_free_memory()
        self._time(started, len(jobs))

    def _count(self, name: str) -> None:
        if self._metrics is not None:
            self._metrics.counter(name).inc()

    def _gauge(self) -> None:
        if self._metrics is not None:
            self._metrics.gauge("LLMQueueDepth").set(self.queue_depth)

    def _time(self, started: float, batch: int = 1) -> None:
        if self._metrics is not None:
            self._metrics.timer("LLMInferenceTime").record_seconds(time.perf_counter() - started)
            self._metrics.histogram("LLMBatchSize").update(batch)
