"""Giving freed memory back to the system at the end of a big run, before its last steps take more.

A backfill's process ends its loads holding far more than it uses: freed pages, fetch results and
Arrow buffers sit in the C allocator's free lists (glibc keeps them for reuse), so the search index
build and the snapshot that come next add their own peak on top (docs/scale.md, "Memory of a
backfill"). :func:`give_back` runs Python's collector and asks glibc to return its free memory
(``malloc_trim``); where there is no glibc (macOS, musl) only the collector runs.
"""

from __future__ import annotations

import ctypes
import gc
import logging

log = logging.getLogger("govpress.memory")


def _malloc_trim():
    # The process's own symbols (dlopen(NULL)) hold the C library it runs on: ctypes.util.find_library("c")
    # forked the whole process to run `ldconfig -p` at every call.
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # no malloc_trim (macOS, musl), or no dlopen(NULL) (Windows)
        return None


def resident_mb() -> float | None:
    """This process's resident memory in MB (Linux), None where /proc does not tell."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * 4096 / 2**20
    except (OSError, ValueError, IndexError):
        return None


def give_back() -> bool:
    """Collect garbage and return the C allocator's free memory to the system; True if glibc could be asked."""
    before = resident_mb()
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    after = resident_mb()
    if before is not None and after is not None:
        log.info("gave back %.0f MB (resident %.0f -> %.0f MB)", before - after, before, after)
    return trim is not None
