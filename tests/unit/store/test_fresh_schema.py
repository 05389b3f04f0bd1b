"""A fresh file's schema from one generated script (govpress/store/fresh_schema.py) equals the migrations' end state."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from store_factories import batch, release

from govpress.store import LATEST_VERSION, Store, fresh_schema, load_fts, migrations, search_releases

CATALOG = {
    "schemas": "SELECT schema_name, comment FROM duckdb_schemas() WHERE NOT internal ORDER BY ALL",
    "tables": "SELECT schema_name, table_name, sql, comment, has_primary_key, column_count, check_constraint_count, "
              "index_count FROM duckdb_tables() ORDER BY ALL",
    "columns": "SELECT schema_name, table_name, column_name, column_index, data_type, column_default, is_nullable, "
               "comment FROM duckdb_columns() ORDER BY ALL",
    "views": "SELECT schema_name, view_name, sql, comment, column_count FROM duckdb_views() WHERE NOT internal ORDER BY ALL",
    "macros": "SELECT schema_name, function_name, function_type, parameters::VARCHAR, parameter_types::VARCHAR, "
              "macro_definition, comment FROM duckdb_functions() WHERE NOT internal AND function_type LIKE '%macro' "
              "ORDER BY ALL",
    # constraint_index numbers the catalogue's constraints in creation order: not part of what a table is
    "constraints": "SELECT schema_name, table_name, constraint_type, constraint_text, expression, "
                   "constraint_column_names::VARCHAR FROM duckdb_constraints() ORDER BY ALL",
    "indexes": "SELECT * FROM duckdb_indexes() ORDER BY ALL",
}


def rows_of_every_table(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    found = {}
    for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL").fetchall():
        columns = "version, description" if table == "schema_version" else "*"  # applied_at: when it ran
        found[f"{schema}.{table}"] = con.execute(f'SELECT {columns} FROM "{schema}"."{table}" ORDER BY rowid').fetchall()
    return found


def test_a_file_from_the_script_equals_one_taken_through_every_migration() -> None:
    migrated = duckdb.connect()
    load_fts(migrated)
    migrations.migrate(migrated)
    scripted = duckdb.connect()
    load_fts(scripted)
    assert fresh_schema.apply(scripted) == LATEST_VERSION
    for name, sql in CATALOG.items():
        assert scripted.execute(sql).fetchall() == migrated.execute(sql).fetchall(), name
    assert rows_of_every_table(scripted) == rows_of_every_table(migrated)


def test_the_script_is_what_the_migrations_generate_today() -> None:
    # After a new migration: uv run python -m govpress.store.fresh_schema
    assert fresh_schema.script_text() == fresh_schema.generate(), "run: uv run python -m govpress.store.fresh_schema"


def test_a_new_file_gets_the_script_and_an_old_one_the_migrations(tmp_path: Path) -> None:
    fresh = Store(tmp_path / "fresh.duckdb")
    assert fresh.migrate() == LATEST_VERSION
    with fresh.reader() as con:
        assert con.execute("SELECT list(version ORDER BY version) FROM schema_version").fetchone()[0] == \
            list(range(1, LATEST_VERSION + 1))
        assert con.execute("SELECT count(DISTINCT applied_at) FROM schema_version").fetchone() == (1,)  # one transaction
    fresh.load_batch(batch(release("r1", "Визит премьер-министра в Минск.", title="Визит")))
    fresh.rebuild_search_index()
    with fresh.reader() as con:
        assert [hit.release_id for hit in search_releases(con, "визиты")] == ["r1"]

    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    load_fts(con)
    migrations.migrate(con, target=LATEST_VERSION - 1)
    con.close()
    assert Store(old).migrate() == LATEST_VERSION
    with Store(old).reader() as con:
        assert con.execute("SELECT count(DISTINCT applied_at) FROM schema_version").fetchone()[0] > 1


def test_a_script_behind_the_migrations_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = fresh_schema.script_text()
    monkeypatch.setattr(fresh_schema, "script_text", lambda: text.replace(
        f"-- schema version {LATEST_VERSION}:", f"-- schema version {LATEST_VERSION - 1}:", 1))
    monkeypatch.setattr(fresh_schema, "TEMPLATE", "no-such-template.gz")  # (the template is the script's file)
    store = Store(tmp_path / "g.duckdb")
    assert store.migrate() == LATEST_VERSION
    with store.reader() as con:  # migrated one version at a time
        assert con.execute("SELECT count(DISTINCT applied_at) FROM schema_version").fetchone()[0] > 1


def test_a_fresh_file_left_in_its_wal_opens_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A session closes without a checkpoint: the script's whole schema (the fts indexes' objects among it)
    # stays in the WAL, and a new database instance replays it. (The script, not the template: no template.)
    monkeypatch.setattr(fresh_schema, "TEMPLATE", "no-such-template.gz")
    store = Store(tmp_path / "g.duckdb")
    with store.session():
        store.migrate()
    assert (tmp_path / "g.duckdb.wal").exists()
    reopened = duckdb.connect(str(store.path))
    try:
        load_fts(reopened)
        assert reopened.execute("SELECT max(version) FROM schema_version").fetchone() == (LATEST_VERSION,)
        assert reopened.execute("SELECT count(*) FROM fts_main_search_names.docs").fetchone() == (0,)
        assert reopened.execute("SELECT count(*) FROM search_releases('визит')").fetchone() == (0,)
    finally:
        reopened.close()


def test_the_scripts_full_text_indexes_are_create_fts_index_s_own(tmp_path: Path) -> None:
    # The script writes the fts objects out (create_fts_index took 6-7 ms per index): the catalogue queries
    # above do not show a macro's parameter defaults, DuckDB's export does; and the indexes work.
    migrated = duckdb.connect()
    load_fts(migrated)
    migrations.migrate(migrated)
    scripted = duckdb.connect()
    load_fts(scripted)
    fresh_schema.apply(scripted)
    assert "create_fts_index" not in fresh_schema.script_text()

    def fts_statements(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
        con.execute(f"EXPORT DATABASE '{tmp_path / name}'")
        text = (tmp_path / name / "schema.sql").read_text(encoding="utf-8")
        return sorted(s for s in migrations.split_statements(text) if "fts_main_" in s.split("(", 1)[0])

    made = fts_statements(migrated, "migrated")
    assert len(made) == 6 * 9 and fts_statements(scripted, "scripted") == made  # schema, 6 tables, 2 macros each
    for con in (migrated, scripted):
        # match_bm25's defaults (fields, k, b, conjunctive) at work: no document, no score
        assert con.execute("SELECT fts_main_search_ru.match_bm25('r1', 'визит')").fetchone() == (None,)
        assert con.execute("SELECT fts_main_search_en.tokenize('Prime Minister')").fetchone() == (["prime", "minister"],)


def test_the_template_is_there_for_this_schema_and_this_duckdb() -> None:
    # After a new migration or a DuckDB upgrade: uv run python -m govpress.store.fresh_schema
    assert fresh_schema.template_bytes() is not None, f"run: uv run python -m govpress.store.fresh_schema ({fresh_schema.TEMPLATE})"


def test_a_seeded_file_equals_a_scripted_one(tmp_path: Path) -> None:
    # The scripted file as it is once checkpointed and opened again (what every file becomes at its first
    # snapshot): DuckDB keeps a view's SQL as the text given until then, and as it re-serialises it after.
    scripted = duckdb.connect(str(tmp_path / "scripted.duckdb"))
    load_fts(scripted)
    assert fresh_schema.apply(scripted) == LATEST_VERSION
    scripted.execute("CHECKPOINT")
    scripted.close()
    assert fresh_schema.seed(tmp_path / "seeded.duckdb")
    seeded = duckdb.connect(str(tmp_path / "seeded.duckdb"))
    scripted = duckdb.connect(str(tmp_path / "scripted.duckdb"))
    for con in (seeded, scripted):
        load_fts(con)
    for name, sql in CATALOG.items():
        assert seeded.execute(sql).fetchall() == scripted.execute(sql).fetchall(), name
    assert rows_of_every_table(seeded) == rows_of_every_table(scripted)
    for con, name in ((seeded, "seeded"), (scripted, "scripted")):  # the macros' parameter defaults too
        con.execute(f"EXPORT DATABASE '{tmp_path / name}'")
    assert (tmp_path / "seeded" / "schema.sql").read_text(encoding="utf-8") == \
        (tmp_path / "scripted" / "schema.sql").read_text(encoding="utf-8")


def test_a_new_file_is_seeded_from_the_template_not_the_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_script(*args: object, **kwargs: object) -> None:
        raise AssertionError("the script ran")

    monkeypatch.setattr(fresh_schema, "apply", no_script)
    monkeypatch.setattr(migrations, "migrate", no_script)
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    store = Store(tmp_path / "new" / "g.duckdb")
    assert store.migrate() == LATEST_VERSION
    assert store.migrate() == LATEST_VERSION  # and again: current, nothing to do
    assert [p.name for p in (tmp_path / "new").iterdir() if not p.name.startswith("g.duckdb")] == []  # no temporary left
    with store.reader() as con:
        assert con.execute("SELECT list(version ORDER BY version), count(DISTINCT applied_at), min(applied_at) >= ? "
                           "FROM schema_version", [before]).fetchone() == (list(range(1, LATEST_VERSION + 1)), 1, True)
    store.load_batch(batch(release("r1", "Визит премьер-министра в Минск.", title="Визит")))
    store.rebuild_search_index()
    with store.reader() as con:
        assert [hit.release_id for hit in search_releases(con, "визиты")] == ["r1"]


def test_seeding_leaves_a_file_or_a_wal_alone(tmp_path: Path) -> None:
    there = tmp_path / "there.duckdb"
    there.write_bytes(b"not ours")
    assert not fresh_schema.seed(there) and there.read_bytes() == b"not ours"
    orphan = tmp_path / "orphan.duckdb"
    (tmp_path / "orphan.duckdb.wal").write_bytes(b"")
    assert not fresh_schema.seed(orphan) and not orphan.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orphan.duckdb.wal", "there.duckdb"]


def test_without_a_template_for_this_duckdb_a_new_file_gets_the_script(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fresh_schema, "TEMPLATE", "fresh_schema.v1.duckdb-0.0.0.gz")
    ran = []
    apply = fresh_schema.apply
    monkeypatch.setattr(fresh_schema, "apply", lambda con: ran.append(1) or apply(con))
    assert not fresh_schema.seed(tmp_path / "g.duckdb")
    assert Store(tmp_path / "g.duckdb").migrate() == LATEST_VERSION and ran == [1]


def test_the_template_is_inflated_once_per_machine_and_a_damaged_copy_is_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fresh_schema.template_file: the inflated template kept in the cache folder is read instead of inflating the
    packed one again (10-11 ms a new file), and only when it is whole."""
    import gzip

    packed = fresh_schema.template_bytes()
    expected = gzip.decompress(packed)
    cache = tmp_path / "cache"
    assert fresh_schema.template_file(packed, cache) == expected  # the first new file: inflated, the copy written
    copy = fresh_schema.inflated_copy(cache)
    assert copy.read_bytes() == expected

    inflated: list[bytes] = []
    real = gzip.decompress
    monkeypatch.setattr(gzip, "decompress", lambda data: inflated.append(data) or real(data))
    assert fresh_schema.template_file(packed, cache) == expected
    assert inflated == []  # read from the copy

    for damaged in (expected[:-1], expected[:100] + bytes([expected[100] ^ 1]) + expected[101:]):
        copy.write_bytes(damaged)
        assert fresh_schema.template_file(packed, cache) == expected  # not the damaged copy: inflated again
        assert copy.read_bytes() == expected  # and the copy written whole again
    assert len(inflated) == 2


def test_a_new_file_is_seeded_from_the_machines_inflated_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store.migrate's seed reads the inflated copy (GOVPRESS_CACHE_DIR); the file equals one seeded by inflating."""
    import gzip

    monkeypatch.setenv("GOVPRESS_CACHE_DIR", str(tmp_path / "cache"))
    assert fresh_schema.seed(tmp_path / "first.duckdb")
    assert fresh_schema.inflated_copy().is_file()
    monkeypatch.setattr(gzip, "decompress", lambda data: pytest.fail("inflated again"))
    assert fresh_schema.seed(tmp_path / "second.duckdb")
    assert (tmp_path / "second.duckdb").read_bytes() == (tmp_path / "first.duckdb").read_bytes()
    Store(tmp_path / "second.duckdb").migrate()
    with duckdb.connect(str(tmp_path / "second.duckdb"), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == LATEST_VERSION
