"""Store-and-forward on an embedded SQLite file (stdlib sqlite3, WAL).

A failed export or actuation is ``add``-ed under a *kind*; the handler ``register``-ed for that
kind is retried every ``RetryInterval`` until it returns (then the item is deleted) or
``MaxRetryCount`` attempts failed (0 = retry forever). Items survive a restart.

Delivery guarantee: an item is deleted in the same thread right after its handler returns, so it
is delivered once while the process lives. If the process dies *between* a successful delivery
and the delete, the item is delivered again after restart (at-least-once at that edge). Handlers
get the item id as ``payload["_store_id"]`` (and ``"_correlation_id"``) to deduplicate such a
repeat; ``add(..., item_id=...)`` with the same id stores an item only once.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .metrics import Metrics
from .settings import get_bool, get_duration, get_int, get_section

log = logging.getLogger(__name__)

Deliver = Callable[[dict], None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stored_items (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    retry_count INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT ''
)"""


@dataclass(frozen=True)
class StoreSettings:
    enabled: bool = False
    retry_interval_s: float = 300.0
    max_retry_count: int = 10

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> "StoreSettings":
        """Read ``Writable.StoreAndForward`` (EdgeX: RetryInterval at least 1s)."""
        where = "Writable.StoreAndForward"
        section = get_section(get_section(cfg, "Writable"), "StoreAndForward", "Writable")
        interval = get_duration(section, "RetryInterval", where, default="5m")
        if interval < 1.0:
            from .errors import ConfigError
            raise ConfigError(f"{where}.RetryInterval", section.get("RetryInterval"),
                              "a duration of at least 1s")
        return cls(enabled=get_bool(section, "Enabled", where, default=False),
                   retry_interval_s=interval,
                   max_retry_count=get_int(section, "MaxRetryCount", where, default=10,
                                           minimum=0))


class StoreAndForward:
    def __init__(self, path: str, settings: StoreSettings, metrics: Metrics | None = None):
        self.path = path
        self.settings = settings
        self._metrics = metrics or Metrics()
        self._queue_size = self._metrics.counter("StoreForwardQueueSize")
        self._handlers: dict[str, Deliver] = {}
        self._lock = threading.Lock()  # one connection, used by the pipeline threads and the loop
        self._retry_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._sync_gauge()

    # -- public API --------------------------------------------------------------------------
    def register(self, kind: str, deliver: Deliver) -> None:
        """``deliver(payload)`` sends one stored item; raising means "retry later"."""
        self._handlers[kind] = deliver

    def add(self, kind: str, payload: Mapping[str, Any], correlation_id: str = "",
            item_id: str | None = None) -> str:
        """Persist an item (payload must be JSON-able); returns its id."""
        item_id = item_id or str(uuid.uuid4())
        text = json.dumps(dict(payload))
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO stored_items (id, kind, payload, correlation_id, created)"
                " VALUES (?, ?, ?, ?, ?)", (item_id, kind, text, correlation_id, time.time()))
            if cursor.rowcount:
                self._queue_size.inc()
        log.info("stored %s item %s for retry", kind, item_id,
                 extra={"correlation_id": correlation_id})
        return item_id

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM stored_items").fetchone()[0]

    def items(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, kind, payload, correlation_id, retry_count, last_error"
                " FROM stored_items ORDER BY created, rowid").fetchall()
        return [{"id": r[0], "kind": r[1], "payload": json.loads(r[2]), "correlation_id": r[3],
                 "retry_count": r[4], "last_error": r[5]} for r in rows]

    def start(self) -> None:
        """Start the background retry loop (only when Enabled)."""
        if not self.settings.enabled or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="store-forward", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def close(self) -> None:
        self.stop()
        with self._lock:
            self._db.close()

    def retry_now(self) -> int:
        """One retry pass over every stored item; returns how many were delivered."""
        with self._retry_lock:
            delivered = 0
            for item in self.items():
                if self._stop.is_set() and self._thread is not None:
                    break
                delivered += self._retry_item(item)
            return delivered

    # -- internals ---------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.wait(self.settings.retry_interval_s):
            try:
                self.retry_now()
            except Exception:  # the loop must outlive any bad item or handler
                log.exception("store-and-forward retry pass failed")

    def _retry_item(self, item: dict[str, Any]) -> int:
        handler = self._handlers.get(item["kind"])
        cid = item["correlation_id"]
        if handler is None:
            log.warning("no handler registered for stored %s item %s; kept", item["kind"],
                        item["id"], extra={"correlation_id": cid})
            return 0
        payload = dict(item["payload"], _store_id=item["id"], _correlation_id=cid)
        try:
            handler(payload)
        except Exception as exc:
            return self._failed(item, exc)
        with self._lock:
            if self._db.execute("DELETE FROM stored_items WHERE id = ?", (item["id"],)).rowcount:
                self._queue_size.dec()
        log.info("stored %s item %s delivered after %d retries", item["kind"], item["id"],
                 item["retry_count"] + 1, extra={"correlation_id": cid})
        return 1

    def _failed(self, item: dict[str, Any], exc: Exception) -> int:
        retries = item["retry_count"] + 1
        limit = self.settings.max_retry_count
        cid = item["correlation_id"]
        with self._lock:
            if limit and retries >= limit:
                if self._db.execute("DELETE FROM stored_items WHERE id = ?",
                                    (item["id"],)).rowcount:
                    self._queue_size.dec()
                self._metrics.counter("StoreForwardItemsDiscarded").inc()
                log.error("stored %s item %s discarded after %d failed retries (MaxRetryCount):"
                          " %s", item["kind"], item["id"], retries, exc,
                          extra={"correlation_id": cid})
            else:
                self._db.execute("UPDATE stored_items SET retry_count = ?, last_error = ?"
                                 " WHERE id = ?", (retries, str(exc)[:500], item["id"]))
                log.warning("retry %d of stored %s item %s failed: %s", retries, item["kind"],
                            item["id"], exc, extra={"correlation_id": cid})
        return 0

    def _sync_gauge(self) -> None:
        current = self.count()
        self._queue_size.inc(current - self._queue_size.value)
