"""The per-message Context handed to every pipeline function, and the function type."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..edgex import _json
from ..errors import PayloadError

PipelineFn = Callable[["Context", Any], "tuple[bool, Any]"]
"""``fn(ctx, data) -> (continue, result)``: ``(True, x)`` passes ``x`` on, ``(False, None)`` stops
quietly (filtered), and a failure *raises* (the runner logs it once and counts it)."""

DEFAULT_PIPELINE_ID = "default-pipeline"
_PLACEHOLDER = re.compile(r"{([^{}]+)}")
_log = logging.getLogger("app_service.pipeline")


@dataclass(slots=True)
class Context:
    """Facts about one message plus what the functions leave for the trigger.

    ``values`` holds the placeholder values (lower-case keys): ``devicename``, ``profilename``,
    ``sourcename``, ``receivedtopic``, ``pipelineid`` and anything added with ``add_value``.
    """

    correlation_id: str
    pipeline_id: str = DEFAULT_PIPELINE_ID
    received_topic: str = ""
    content_type: str = "application/json"
    values: dict[str, str] = field(default_factory=dict)
    response_data: bytes | None = None
    response_content_type: str = ""
    retry_data: bytes | None = None

    @property
    def logger(self) -> logging.LoggerAdapter:
        return logging.LoggerAdapter(_log, {"correlation_id": self.correlation_id,
                                            "pipeline_id": self.pipeline_id})

    def set_response_data(self, data: Any, content_type: str = "") -> None:
        """What the trigger publishes (bus) or returns (HTTP) once the pipeline ends."""
        self.response_data = to_bytes(data)
        if content_type:
            self.response_content_type = content_type

    def set_retry_data(self, data: Any) -> None:
        """What store-and-forward keeps and feeds back to the failing function on retry."""
        self.retry_data = None if data is None else to_bytes(data)

    def add_value(self, key: str, value: str) -> None:
        self.values[key.lower()] = str(value)

    def get_value(self, key: str, default: str | None = None) -> str | None:
        return self.values.get(key.lower(), default)

    def apply_values(self, template: str) -> str:
        """Replace ``{placeholders}``; an unknown one is an error, as in AFS ``ApplyValues``."""
        if "{" not in template:
            return template

        def substitute(match: re.Match) -> str:
            key = match.group(1).lower()
            if key not in self.values:
                raise PayloadError(f"placeholder {{{match.group(1)}}} has no value in this context")
            return self.values[key]

        return _PLACEHOLDER.sub(substitute, template)

    def copy_for(self, pipeline_id: str) -> "Context":
        values = dict(self.values)
        values["pipelineid"] = pipeline_id
        return Context(self.correlation_id, pipeline_id, self.received_topic, self.content_type,
                       values)


def to_bytes(data: Any) -> bytes:
    """Bytes as-is, text UTF-8, an object with ``to_dict`` or plain data as JSON."""
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode()
    to_dict = getattr(data, "to_dict", None)
    if callable(to_dict):
        data = to_dict()
    return _json.dumps(data)
