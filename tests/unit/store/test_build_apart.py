"""The search index built in a child process (the end of a big run): the same index, the run's connection let go."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from store_factories import at, batch, release

from govpress.store import Store, search_releases
from govpress.store.build_apart import IndexBuildFailed


def loaded(store: Store) -> Store:
    store.load_batch(batch(
        release("ru_visit", "Состоялся визит главы правительства в Баку.", title="Визит премьер-министра",
                published_at=at(1)),
        release("en_visit", "The Prime Minister visited Baku and met the President.", title="Prime Minister visits Baku",
                source_id="gov_en", language="en", published_at=at(2)),
        release("az_sefer", "Baş nazir Bakıya səfər etdi.", title="Səfər", source_id="gov_az", language="az"),
    ))
    return store


def hits(store: Store, query: str) -> list[tuple[str, float]]:
    with store.reader() as con:
        return [(hit.release_id, round(hit.score, 9)) for hit in search_releases(con, query)]


def test_a_child_builds_the_same_index_as_the_run_would(store: Store, tmp_path: Path) -> None:
    loaded(store)
    here = Store(shutil.copyfile(store.path, tmp_path / "here.duckdb"))
    here.rebuild_search_index()
    with store.session(idle_close=60):
        store.frontier("s")  # the run's connection is open
        assert store.connections_opened == 1
        assert store.rebuild_search_index_apart() == 3
        store.frontier("s")  # and reopens after the child let the file go
        assert store.connections_opened == 2
    for query in ("визиты", "visiting Baku", "Bakı", "Баку"):
        assert hits(store, query) == hits(here, query) != []


def test_a_failed_child_build_says_why(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.duckdb"
    path.write_bytes(b"this is not a DuckDB file" * 100)
    with pytest.raises(IndexBuildFailed, match="not-a-database.duckdb"):
        Store(path, lock_timeout=1).rebuild_search_index_apart()


def test_the_child_leaves_no_wal_for_the_run_to_replay(store: Store) -> None:
    loaded(store)
    with store.session(idle_close=60):
        store.frontier("s")
        store.rebuild_search_index_apart()
        assert not Path(f"{store.path}.wal").exists()


def test_the_child_says_nothing_on_stderr_when_it_succeeds(store: Store) -> None:
    # runpy warned on every build while the store imported build_apart at the top (the module was
    # in sys.modules before ``python -m`` ran it); a warning there reads like a failure in a run's log.
    loaded(store)
    done = subprocess.run([sys.executable, "-m", "govpress.store.build_apart", str(store.path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.split() == ["3"]
