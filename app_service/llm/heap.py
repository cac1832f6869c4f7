"""Keep glibc from holding CTranslate2's freed working memory (a no-op off glibc).

CTranslate2 allocates its per-call buffers (K/V caches grown a step at a time, logits) with plain
malloc. glibc raises its mmap threshold to the size of every large block freed (up to 32 MB), so
after the first call those buffers come from the heap, and the freed space stays in the process
and fragments: measured with the service's triage workload (int8), the peak RSS was 422 MB with
glibc's defaults and 337 MB with a fixed 1 MiB threshold plus ``malloc_trim`` after every job
(bench/service_memory.py, docs/llm.md "Memory").
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3          # mallopt parameter numbers in glibc's malloc.h
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1 << 20


def _libc():
    if not hasattr(_libc, "handle"):
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            _libc.handle = libc if libc is not None and hasattr(libc, "malloc_trim") else None
        except OSError:
            _libc.handle = None
    return _libc.handle


def limit_heap_retention() -> None:
    """Blocks of 1 MiB and more are mapped and unmapped, not kept, and all threads share one
    arena; MALLOC_MMAP_THRESHOLD_ / MALLOC_ARENA_MAX in the environment (glibc's own) win."""
    libc = _libc()
    if libc is None:
        return
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ and not libc.mallopt(
            M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES):
        log.debug("mallopt(M_MMAP_THRESHOLD) refused")
    # One arena for all threads: the inference thread otherwise fills an arena of its own beside
    # the main one (float32 service peak 704 -> 695 MB). It binds only threads that have not
    # allocated yet, hence the call at import (__init__.py).
    if "MALLOC_ARENA_MAX" not in os.environ and not libc.mallopt(M_ARENA_MAX, 1):
        log.debug("mallopt(M_ARENA_MAX) refused")


def release_free_memory() -> None:
    """Give the heap's free pages back to the system (a few ms after a model call)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
