"""Rate-limited warnings, for what can happen thousands of times a second (drops, bad input)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any


class RateLimitedLog:
    """At most one line per ``interval`` seconds, with the count of what was suppressed."""

    def __init__(self, logger: logging.Logger, interval: float = 5.0):
        self.logger = logger
        self.interval = interval
        self._last = -interval
        self._suppressed = 0
        self._lock = threading.Lock()

    def warning(self, message: str, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval:
                self._suppressed += 1
                return
            suppressed, self._suppressed, self._last = self._suppressed, 0, now
        if suppressed:
            message += f" ({suppressed} similar suppressed)"
        self.logger.warning(message, *args, **kwargs)
