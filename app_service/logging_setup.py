"""EdgeX logfmt logging: ``level=INFO ts=... app=<key> source=file.py:12 msg="..."``.

Configured once by the CLI. Modules log with ``logging.getLogger(__name__)`` and pass
``extra={"correlation_id": cid}`` where a correlation id is known; it is written as
``correlation-id=...`` as the Go services do.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from .errors import ConfigError

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

_LEVELS = {"TRACE": TRACE, "DEBUG": logging.DEBUG, "INFO": logging.INFO,
           "WARN": logging.WARNING, "ERROR": logging.ERROR}
_EDGEX_NAMES = {TRACE: "TRACE", logging.DEBUG: "DEBUG", logging.INFO: "INFO",
                logging.WARNING: "WARN", logging.ERROR: "ERROR", logging.CRITICAL: "ERROR"}


def level_number(name: str) -> int:
    try:
        return _LEVELS[name.upper()]
    except (KeyError, AttributeError):
        raise ConfigError("Writable.LogLevel", name, "one of " + ", ".join(_LEVELS)) from None


def _quote(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _value(text: str) -> str:
    """logfmt value: bare when it is a plain token, quoted otherwise."""
    if text and all(c.isprintable() and c not in ' "=\\' for c in text):
        return text
    return _quote(text)


def rfc3339_nanos(created_ns: int) -> str:
    seconds, nanos = divmod(created_ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{nanos:09d}Z"


class LogfmtFormatter(logging.Formatter):
    def __init__(self, service_key: str):
        super().__init__()
        self.service_key = service_key

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            message += "\n" + record.exc_text
        created_ns = getattr(record, "created_ns", None) or int(record.created * 1e9)
        parts = [
            f"level={_EDGEX_NAMES.get(record.levelno, record.levelname)}",
            f"ts={rfc3339_nanos(created_ns)}",
            f"app={_value(self.service_key)}",
            f"source={_value(f'{record.filename}:{record.lineno}')}",
        ]
        correlation_id = getattr(record, "correlation_id", None)
        if correlation_id:
            parts.append(f"correlation-id={_value(str(correlation_id))}")
        parts.append(f"msg={_quote(message)}")
        return " ".join(parts)


class _LogfmtHandler(logging.StreamHandler):
    """Marker class so configure_logging replaces its own handler and leaves others alone."""


def configure_logging(service_key: str, level: str = "INFO",
                      stream: TextIO | None = None) -> logging.Handler:
    """Install the logfmt handler on the root logger (idempotent) and set the level."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _LogfmtHandler)]:
        root.removeHandler(handler)
    handler = _LogfmtHandler(stream or sys.stderr)
    handler.setFormatter(LogfmtFormatter(service_key))
    root.addHandler(handler)
    set_level(level)
    return handler


def set_level(level: str) -> None:
    """Apply Writable.LogLevel (TRACE..ERROR) to the root logger."""
    logging.getLogger().setLevel(level_number(level))
