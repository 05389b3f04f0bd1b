"""The search index build in a fresh process of its own: the end of a big run, without the run's memory under it.

After a backfill's loads the run's process holds about 450 MB that it cannot give back (the
pipeline's objects and the allocators' fragments: docs/scale.md, "Memory of a backfill"), and an
index build there rose by 650 MB more at its commit: the run's peak (1,096 MB at 96,301 releases).
Replayed in a fresh process the same build peaks at about 500 MB, 127 MB of it the process itself.
So a run whose loads left DuckDB holding much (``Store.release_memory`` closed its connection)
builds the index here, in a child started as ``python -m govpress.store.build_apart DB``, which
imports only the store, opens the file as the run's writer does and checkpoints before it exits,
so the run reopening the file replays no WAL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from govpress.errors import DatabaseError


class IndexBuildFailed(DatabaseError, RuntimeError):
    """The child process building the search index exited with an error (its last lines of stderr attached)."""


def build_in_child(path: Path, *, lock_timeout: float) -> int:
    """Run the index build of ``path`` in a child process and wait for it; returns the releases indexed.

    The caller must hold no connection to ``path`` (the child takes the file's write lock).
    """
    env = {**os.environ, "GOVPRESS_LOCK_TIMEOUT": str(lock_timeout)}
    done = subprocess.run([sys.executable, "-m", "govpress.store.build_apart", str(path)],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise IndexBuildFailed(f"the search index build of {path} failed in its own process "
                               f"(exit {done.returncode}): {tail}")
    return int(done.stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    # Imported here: the parent needs none of it to start a child.
    from govpress.store.connection import Store

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m govpress.store.build_apart DB", file=sys.stderr)
        return 2
    store = Store(Path(args[0]))
    # Opened as a run's writer opens it (a session: connection.WRITER_ROW_GROUP). Built through a plain
    # connection, the same index left the 96,301-release file at 1.8 GB instead of 1.06 GB.
    with store.session():
        count = store.rebuild_search_index()
        # A session's connection does not checkpoint as it closes: the run reopening the file would
        # replay the whole index from the WAL, in its own memory.
        with store.writer() as con, store.publish_limit(con):
            con.execute("CHECKPOINT")
    print(count)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
