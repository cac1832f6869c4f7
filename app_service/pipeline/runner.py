"""Run one pipeline: the functions in order, the first failure logged once and reported."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..errors import AppServiceError
from .context import Context, PipelineFn

log = logging.getLogger(__name__)


@dataclass
class Pipeline:
    """A configured pipeline. ``version`` hashes the function names and parameters, so that
    store-and-forward only resumes a stored item in the pipeline that stored it (AFS does the same
    with its pipeline hash)."""

    id: str
    topics: tuple[str, ...]
    functions: list[PipelineFn]
    names: list[str] = field(default_factory=list)
    version: str = ""

    def __post_init__(self) -> None:
        if not self.names:
            self.names = [getattr(f, "__qualname__", repr(f)) for f in self.functions]
        if not self.version:
            self.version = pipeline_version(self.names)


def pipeline_version(descriptions: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(descriptions).encode()).hexdigest()[:16]


@dataclass(slots=True)
class PipelineResult:
    """``completed``: every function ran and passed data on. ``error`` is set when one failed,
    ``position`` is the index of the function that stopped the pipeline."""

    completed: bool
    data: Any = None
    error: BaseException | None = None
    position: int = 0


def run_pipeline(ctx: Context, functions: Sequence[PipelineFn], data: Any,
                 start: int = 0, names: Sequence[str] = ()) -> PipelineResult:
    for position in range(start, len(functions)):
        fn = functions[position]
        try:
            keep_going, data = fn(ctx, data)
        except Exception as exc:  # one place catches, logs and reports every function failure
            _log_failure(ctx, position, names, fn, exc)
            return PipelineResult(False, None, exc, position)
        if not keep_going:
            if isinstance(data, BaseException):  # tolerate the Go idiom (False, error)
                _log_failure(ctx, position, names, fn, data)
                return PipelineResult(False, None, data, position)
            return PipelineResult(False, data, None, position)
    return PipelineResult(True, data, None, len(functions))


def _log_failure(ctx: Context, position: int, names: Sequence[str], fn: PipelineFn,
                 exc: BaseException) -> None:
    name = names[position] if position < len(names) else getattr(fn, "__qualname__", repr(fn))
    log.error("pipeline %s function #%d %s failed: %s (correlation id %s)", ctx.pipeline_id,
              position, name, exc, ctx.correlation_id,
              extra={"correlation_id": ctx.correlation_id, "pipeline_id": ctx.pipeline_id},
              exc_info=not isinstance(exc, AppServiceError))
