"""Datasets in the command-set format (profiles/, devices.yaml, state.json, cases.jsonl) and the
comparison rules the format defines. Used by bench/command_eval.py and the tests."""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .catalog import Catalog


@dataclass
class Dataset:
    root: str
    catalog: Catalog
    state: dict[str, dict[str, str]]
    cases: list[dict[str, Any]]

    @classmethod
    def load(cls, root: str) -> "Dataset":
        catalog = Catalog.from_files(os.path.join(root, "profiles"),
                                     os.path.join(root, "devices.yaml"))
        with open(os.path.join(root, "state.json"), encoding="utf-8") as fh:
            state = json.load(fh)
        with open(os.path.join(root, "cases.jsonl"), encoding="utf-8") as fh:
            cases = [json.loads(line) for line in fh if line.strip()]
        return cls(root, catalog, state, cases)


def _value_equal(a: str, b: str) -> bool:
    if a.lower() in ("true", "false") or b.lower() in ("true", "false"):
        return a.lower() == b.lower()
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a.lower() == b.lower()
    return abs(x - y) <= 0.01 or abs(x - y) <= 0.005 * max(abs(x), abs(y))


def _action_equal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if (a["device"], a["command"], a["method"]) != (b["device"], b["command"], b["method"]):
        return False
    va, vb = a.get("values") or {}, b.get("values") or {}
    return set(va) == set(vb) and all(_value_equal(str(va[k]), str(vb[k])) for k in va)


def actions_match(predicted: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    """Multiset comparison with the format's value rules (order ignored)."""
    if len(predicted) != len(expected):
        return False
    remaining = list(expected)
    for action in predicted:
        for i, candidate in enumerate(remaining):
            if _action_equal(action, candidate):
                del remaining[i]
                break
        else:
            return False
    return not remaining


def schema_valid(action: dict[str, Any], catalog: Catalog) -> bool:
    """Names a catalog device and a command its profile offers for that method, typed values."""
    entry = catalog.entries.get(action.get("device", ""))
    if entry is None or action.get("method") not in ("set", "get"):
        return False
    if action["method"] == "get":
        readable = {r.read_command for r in entry.resources.values() if r.read_command}
        return action.get("command") in readable and not action.get("values")
    values = action.get("values") or {}
    return bool(values) and all(
        k in entry.resources and entry.resources[k].set_command == action.get("command")
        for k in values)


def summary_counts(cases: list[dict[str, Any]]) -> Counter:
    return Counter((c["kind"], c["lang"]) for c in cases)
