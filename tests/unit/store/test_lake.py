"""The store on DuckLake (SQLite catalogue here; PostgreSQL in tests/e2e/test_lake_workers.py) equals the DuckDB file.

The same batches loaded into a DuckDB file and into a lake give the same tables (checksums and
row by row), the same views, comments and search results; batches loaded by two lake sessions
at once give what loading them one after the other gives.
"""

from __future__ import annotations

import itertools
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from govpress.store import FetchRow, LoadBatch, Store
from govpress.store.lake import COMMITS_TABLE, LakeStore
from govpress.storage import DuckLake, parse_store
from govpress.store.rows import CacheRow, FailureRow, RemovalRow
from neardup_corpus import ORIGINAL, PARAGRAPHS
from store_factories import T0, at, fetch, release, source

pytestmark = pytest.mark.slow  # a lake migration takes ~10 s on this machine


def lake_location(folder: Path) -> DuckLake:
    return parse_store(f"ducklake:sqlite:{folder / 'catalog.sqlite'}?data_path={folder / 'data'}")


def syndicated(body: str) -> str:
    """The text with one word changed in its last paragraph: a near duplicate (similarity above 0.8)."""
    return body.replace("официальном сайте", "сайте ведомства")


def batches() -> list[LoadBatch]:
    """A small history: new releases, an exact copy, a near copy, translations, an edit, a removal, fetch bookkeeping."""
    en = release("kr-en-1", "The President met the Prime Minister of Azerbaijan to discuss trade and transport.",
                 title="Meeting with the Prime Minister", source_id="kremlin_en", language="en",
                 translation_key="kremlin:1")
    ru = release("kr-ru-1", "Президент встретился с премьер-министром Азербайджана Асадовым. Обсуждались торговля и транспорт.",
                 title="Встреча с премьер-министром Асадовым", source_id="kremlin_ru", translation_key="kremlin:1",
                 published_at=at(1))
    original = release("minfin-1", ORIGINAL, title="Встреча с ЕБРР", source_id="minfin_ru", published_at=at(0))
    copy = release("agency-1", syndicated(ORIGINAL), title="Министр встретился с ЕБРР", source_id="agency_ru",
                   published_at=at(3), seen_at=at(3))
    twin = release("agency-2", ORIGINAL, title="Встреча с ЕБРР", source_id="agency_ru", published_at=at(5))
    edited = release("minfin-2", "\n\n".join(PARAGRAPHS[:8]), title="Бюджет", source_id="minfin_ru", published_at=at(6))
    edited_v2 = release("minfin-2", "\n\n".join(PARAGRAPHS[:9]), title="Бюджет", source_id="minfin_ru",
                        published_at=at(6), seen_at=at(30))
    return [
        LoadBatch(run_id="run-1", source_id="kremlin_en", releases=[en],
                  fetches=[fetch("f1", en.url, source_id="kremlin_en")],
                  cache=[CacheRow(url=en.url, etag='"e1"', last_modified=None, archive_key="ak", checked_at=T0)],
                  frontier_add=[("https://gov.example/kremlin_en/later", "new")]),
        LoadBatch(run_id="run-1", source_id="kremlin_ru", releases=[ru],
                  failures=[FailureRow(source_id="kremlin_ru", url="https://gov.example/broken", archive_key="ak-b",
                                       parser="generic", error="no body", failed_at=T0)]),
        LoadBatch(run_id="run-1", source_id="minfin_ru", releases=[original, edited]),
        LoadBatch(run_id="run-1", source_id="agency_ru", releases=[copy, twin],
                  fetches=[fetch("f2", copy.url, source_id="agency_ru"), fetch("f2", copy.url, source_id="agency_ru")]),
        LoadBatch(run_id="run-2", source_id="minfin_ru", releases=[edited_v2],
                  removals=[RemovalRow(release_id="minfin-1", url=original.url, status=404, detected_at=at(40))],
                  cache=[CacheRow(url=en.url, etag='"e2"', last_modified=None, archive_key="ak2", checked_at=at(40))],
                  frontier_done=["https://gov.example/kremlin_en/later"]),
        LoadBatch(run_id="run-2", source_id="kremlin_en", frontier_add=[("https://gov.example/kremlin_en/x", "new")],
                  frontier_retry=["https://gov.example/kremlin_en/x"]),
    ]


def load_all(store: Store, loads: list[LoadBatch]) -> list:
    store.migrate()
    sources = [source(s) for s in ("kremlin_en", "kremlin_ru", "minfin_ru", "agency_ru")]
    store.upsert_sources(sources, "run-1")
    store.start_run("run-1", "ingest", {"sources": None}, [s.id for s in sources], T0)
    counts = [store.load_batch(b) for b in loads]
    counts.append(store.load_batch(loads[0]))  # loading a batch again changes nothing
    store.finish_run("run-1", "completed", {"new": 5}, None, [{"source_id": "kremlin_en", "status": "ok"}], at(1))
    store.rebuild_search_index()
    return counts


TABLES = {
    "releases": "release_id", "release_versions": "release_id, version", "release_links": "release_id, other_id, kind",
    "fetches": "fetch_id", "parse_failures": "url", "removals": "release_id", "http_cache": "url",
    "frontier": "source_id, url", "release_signatures": "release_id", "release_bands": "band, bucket, release_id",
    "search_ru": "release_id", "search_en": "release_id", "search_names": "release_id",
}
NOT_COMPARED = ("added_at", "updated_at", "applied_at", "computed_at", "first_seen_at")
"""Columns set from the clock at load time (now()): they differ between any two loads."""


def dump(store: Store) -> dict[str, list[tuple]]:
    out = {}
    with store.reader(fts=False) as con:
        con.execute("SET TimeZone = 'UTC'")
        for table, key in TABLES.items():
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [table]).fetchall()
                if c not in NOT_COMPARED]
            out[table] = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}").fetchall()
    return out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Store, list, list]:
    folder = tmp_path_factory.mktemp("parity")
    duck, lake = Store(folder / "govpress.duckdb"), Store(lake_location(folder / "lake"))
    assert isinstance(lake, LakeStore)
    loads = batches()
    return duck, lake, load_all(duck, loads), load_all(lake, loads)


def test_the_same_loads_give_the_same_counts_and_checksums(both) -> None:
    duck, lake, duck_counts, lake_counts = both
    assert lake_counts == duck_counts
    assert lake.checksum() == duck.checksum()
    assert duck_counts[3].duplicate == 1 and duck_counts[4].updated == 1 and duck_counts[4].removed == 1


def test_the_cached_validators_and_a_batchs_reads_are_the_same(both) -> None:
    # The reads that take their keys from an Arrow table in one statement (arrow.execute_with) read it while it is
    # registered on a lake session: its cached validators came back empty before (the view went before the rows).
    duck, lake, _, _ = both
    urls = ["https://gov.example/kremlin_en/1", "https://gov.example/none"]
    with duck.reader(fts=False) as con:
        urls[0] = con.execute("SELECT min(url) FROM http_cache").fetchone()[0]
    found = duck.cached_validators(urls)
    assert list(found) == [urls[0]] and lake.cached_validators(urls) == found
    assert lake.discovery_validators("kremlin_en", urls) == duck.discovery_validators("kremlin_en", urls) == found


def test_every_table_holds_the_same_rows(both) -> None:
    duck, lake, _, _ = both
    duck_rows, lake_rows = dump(duck), dump(lake)
    for table in TABLES:
        assert lake_rows[table] == duck_rows[table], table
    assert any(kind == "near_duplicate" for _, _, kind, *_ in duck_rows["release_links"])
    assert any(kind == "translation" for _, _, kind, *_ in duck_rows["release_links"])


def test_views_and_table_comments_are_the_same(both) -> None:
    duck, lake, _, _ = both
    # source_health is left out: it counts back from now(), which moves between the two reads.
    views = ["unique_releases", "release_translations", "event_candidates", "source_runs", "daily_counts",
             "monthly_counts", "release_local_times"]
    queries = {v: f"SELECT * FROM {v} ORDER BY ALL" for v in views}
    queries["comments"] = ("SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = "
                           "current_database() AND schema_name = 'main' AND table_name IN (SELECT table_name FROM "
                           "duckdb_tables() WHERE database_name = current_database()) ORDER BY ALL")
    queries["dictionary"] = "SELECT object_name, object_kind, object_comment FROM data_dictionary ORDER BY ALL"
    results = {}
    for store in (duck, lake):
        with store.reader() as con:
            con.execute("SET TimeZone = 'UTC'")
            results[store] = {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    lake_only = {(COMMITS_TABLE, "table")}
    for name in queries:
        lake_rows = [row for row in results[lake][name] if (row[0], row[1]) not in lake_only
                     and row[0] != COMMITS_TABLE]
        assert lake_rows == results[duck][name], name
    assert results[duck]["unique_releases"] and results[duck]["comments"]


@pytest.mark.parametrize("query", ["визит премьер-министра", "Asadov", "trade", "ЕБРР кредитной линии"])
def test_search_finds_the_same_releases_with_the_same_scores(both, query: str) -> None:
    duck, lake, _, _ = both
    hits = {}
    for store in (duck, lake):
        with store.reader() as con:
            hits[store] = con.execute("SELECT release_id, round(score, 9), snippet FROM search_releases(?)",
                                      [query]).fetchall()
    assert hits[lake] == hits[duck]
    assert query == "визит премьер-министра" or hits[duck]


@pytest.mark.heavy  # two lake sessions racing, then six serial loads to compare: half a minute
def test_two_writers_at_once_give_what_one_after_the_other_gives(tmp_path: Path, migrated_template: Path) -> None:
    """Two lake sessions load batches side by side (a near copy in one, its original in the other):
    the lake commits them one at a time, the loser retries on the winner's rows, and the tables
    equal the DuckDB file's after the same batches loaded in order."""
    loads = batches()[:4]
    location = lake_location(tmp_path / "lake")
    Store(location).migrate()
    writers = [Store(location), Store(location)]
    halves = [[loads[0], loads[3]], [loads[1], loads[2]]]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def load(store: Store, mine: list[LoadBatch]) -> None:
        try:
            start.wait()
            for b in mine:
                store.load_batch(b)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(w, h)) for w, h in zip(writers, halves, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Serializable: the lake equals the DuckDB file after the same batches loaded one after another
    # in SOME order that keeps each writer's own order (which one the commits took is not known).
    orders = {tuple(order) for order in itertools.permutations(range(len(loads)))
              if order.index(0) < order.index(3) and order.index(1) < order.index(2)}
    serial = {}
    for order in sorted(orders):
        duck = Store(tmp_path / f"serial-{''.join(map(str, order))}.duckdb")
        shutil.copyfile(migrated_template, duck.path)  # six orders: one migration, copied
        for n in order:
            duck.load_batch(loads[n])
        serial[order] = duck.checksum()
    assert Store(location).checksum() in serial.values()
    with Store(location).reader(fts=False) as con:
        assert con.execute(f"SELECT commits FROM {COMMITS_TABLE}").fetchone()[0] >= len(loads)
        near = con.execute("SELECT release_id, other_id FROM release_links WHERE kind = 'near_duplicate'").fetchall()
    assert ("agency-1", "minfin-1") in near  # the copy found its original, loaded by the other writer


def test_time_travel_reads_the_tables_as_an_earlier_snapshot_had_them(both) -> None:
    _, lake, _, _ = both
    with lake.reader(fts=False) as con:
        snapshots = [s for (s,) in con.execute("SELECT snapshot_id FROM lake.snapshots() ORDER BY snapshot_id DESC").fetchall()]
        counts = []
        for snapshot in snapshots:
            try:
                counts.append(con.execute(f"SELECT count(*) FROM releases AT (VERSION => {snapshot})").fetchone()[0])
            except Exception:  # before migration 1 there is no releases table
                break
    assert counts[0] == 6 and counts == sorted(counts, reverse=True) and counts[-1] == 0


def test_the_sandboxed_reader_reads_the_lake_and_writes_no_file(both, tmp_path: Path) -> None:
    """What ``govpress sql --store ducklake:...`` runs on: the lake's tables are read, ``COPY ... TO`` is refused."""
    import duckdb

    _, lake, _, _ = both
    with lake.sandboxed_reader() as con:
        assert con.execute("SELECT count(*) FROM releases").fetchone()[0] == 6
        with pytest.raises(duckdb.Error):
            con.execute(f"COPY releases TO '{tmp_path / 'out.csv'}'")
    assert not (tmp_path / "out.csv").exists()


def test_the_table_probe_answers_like_the_catalogue_and_forgets_after_a_drop(both) -> None:
    """The writer session remembers tables it found (lake.HAS_TABLE); a statement that may drop one clears that."""
    from govpress.store.lake import HAS_TABLE

    _, lake, _, _ = both
    with lake.writer() as con:
        assert con.execute(HAS_TABLE, ["releases"]).fetchone()[0] == 1
        assert con.execute(HAS_TABLE, ["releases"]).fetchone()[0] == 1  # from memory now
        assert con.execute(HAS_TABLE, ["no_such_table"]).fetchone()[0] == 0  # never remembered
        con.execute("CREATE TABLE probe_scratch (x INTEGER)")
        assert con.execute(HAS_TABLE, ["probe_scratch"]).fetchone()[0] == 1
        con.execute("DROP TABLE probe_scratch")
        assert con.execute(HAS_TABLE, ["probe_scratch"]).fetchone()[0] == 0
