"""Snapshot files: written atomically (temp file + fsync + rename), so a crash mid-write leaves
the previous snapshot intact; read back as JSON or a clear error."""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any


def write_json_atomic(path: str, document: Any) -> int:
    """Write ``document`` as compact JSON to ``path`` atomically; returns its size in bytes."""
    data = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".anomaly-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return len(data)


def read_json(path: str) -> Any:
    """The JSON document at ``path``, or None when there is no file (a cold start).
    Raises OSError or ValueError for a file that cannot be read or parsed."""
    if not path or not os.path.exists(path):
        return None
    with open(path, "rb") as fh:
        return json.loads(fh.read())


def text_snapshot_path(snapshot_path: str) -> str:
    """Where the String streams' state lives beside the numeric snapshot:
    ``data/anomaly-state.json`` -> ``data/anomaly-state.text.json``."""
    stem, ext = os.path.splitext(snapshot_path)
    return f"{stem}.text{ext or '.json'}"
