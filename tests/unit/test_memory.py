"""govpress.memory.give_back: what a big run's process freed goes back to the system before its last steps."""

from __future__ import annotations

import sys

import pytest

from govpress.memory import give_back, resident_mb


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim and /proc are Linux's")
def test_freed_memory_goes_back_to_the_system() -> None:
    # Many small objects (glibc's heap, not mmap'd blocks), freed: the allocator keeps the pages.
    held = [bytearray(512) for _ in range(400_000)]
    filled = resident_mb()
    del held
    assert give_back()  # glibc was asked
    assert resident_mb() < filled - 100  # ~200 MB had been filled; most of it is returned


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RUSAGE_CHILDREN's fault counts are Linux's")
def test_giving_back_starts_no_process() -> None:
    # ctypes.util.find_library("c") ran `ldconfig -p` in a forked child at every call, a copy of a big process.
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
    give_back()
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt == before  # no child ran and was reaped
