"""Loads of edits and late copies must not crash DuckDB at commit (bench/probe_edit_crash.py, docs/scale.md).

DuckDB 1.5.5 aborts the process (SIGABRT at COMMIT, "Failed to append to PRIMARY_...: duplicate
key") or leaves a WAL it cannot replay when a transaction's optimistic writes meet keys it deleted.
Two of our settings led there: 4,096-row groups for the run's writer, and a same-event re-linking
that deleted and re-inserted every link it touched. The probe runs in a child process, since the
failure kills the process rather than raising; it brings the search index up to date after each phase
and leaves without a checkpoint, and the file must then open again (its WAL replayed): a whole rebuild's
``create_fts_index(overwrite=1)`` left a WAL DuckDB could not replay (govpress/store/search.py,
``_drop_index``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from govpress.store.connection import WRITER_ROW_GROUP

PROBE = Path(__file__).resolve().parents[3] / "bench" / "probe_edit_crash.py"


@pytest.mark.heavy  # 2,000 releases, then their edits and late copies, in batches of 200: 15-30 s
def test_edits_and_late_copies_load_with_the_writers_row_groups() -> None:
    done = subprocess.run([sys.executable, str(PROBE), "--releases", "2000", "--batch", "200",
                           "--row-group", str(WRITER_ROW_GROUP)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ": ok (fresh, edited, older, again, late); reopened: 2167 releases, 3167 versions, 2167 indexed" in done.stdout, \
        done.stdout
