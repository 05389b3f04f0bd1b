"""The migration folder (govpress/store/migrations/): one numbered form, discovered in order, applied script by script."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from store_factories import Recorder, batch, release

from govpress.store import LATEST_VERSION, load, load_fts, migrations
from govpress.store.migrations import Migration, MigrationFolderError, discover, split_statements


def folder(parent: Path, name: str, **files: str) -> Path:
    """A migration folder ``parent/name`` holding ``files`` (file name -> text)."""
    path = parent / name
    path.mkdir()
    for file_name, text in files.items():
        (path / file_name).write_text(text, encoding="utf-8")
    return path


def test_the_package_folder_is_one_numbered_sequence_with_descriptions() -> None:
    found = discover()
    assert [m.version for m in found] == list(range(1, LATEST_VERSION + 1))
    assert LATEST_VERSION >= 5
    assert all(m.description and not m.description.startswith("-") for m in found)
    assert found[0].description == "tables, views and comments"


def test_every_data_step_module_imports_and_has_data_step() -> None:
    steps = {m.version: m.data_step() for m in discover() if m.data_module}
    assert 3 in steps  # near-duplicate signatures are computed in Python
    assert all(callable(step) for step in steps.values())


def test_a_version_taken_twice_is_refused(tmp_path: Path) -> None:
    path = folder(tmp_path, "m", **{"0001_a.sql": "-- a\n", "0002_b.sql": "-- b\n", "0002_c.sql": "-- c\n"})
    with pytest.raises(MigrationFolderError, match="version 2 is taken twice"):
        discover(path)


def test_a_gap_is_refused(tmp_path: Path) -> None:
    path = folder(tmp_path, "m", **{"0001_a.sql": "-- a\n", "0003_c.sql": "-- c\n"})
    with pytest.raises(MigrationFolderError, match=r"without gaps, found \[1, 3\]"):
        discover(path)


def test_a_data_step_without_its_script_is_refused(tmp_path: Path) -> None:
    path = folder(tmp_path, "m", **{"0001_a.sql": "-- a\n", "0001_other.py": "def data_step(con): pass\n"})
    with pytest.raises(MigrationFolderError, match="0001_other.py has no 0001_other.sql"):
        discover(path)


def test_a_misnamed_file_and_a_missing_description_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MigrationFolderError, match="named NNNN_what_it_does.sql"):
        discover(folder(tmp_path, "x", **{"6_new.sql": "-- new\n"}))
    with pytest.raises(MigrationFolderError, match="first line must be"):
        discover(folder(tmp_path, "y",
                        **{"0001_a.sql": "CREATE TABLE t (x INTEGER);\n"}))


def test_a_discovered_folder_migrates_a_file(tmp_path: Path) -> None:
    path = folder(tmp_path, "m", **{
        "0001_start.sql": "-- the start\nCREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMPTZ, "
                          "description VARCHAR);\nCREATE TABLE t (x INTEGER);",
        "0002_more.sql": "-- one more column\nALTER TABLE t ADD COLUMN y VARCHAR DEFAULT 'a;b';",
    })
    con = duckdb.connect()
    assert migrations.migrate(con, migrations=discover(path)) == 2
    assert con.execute("SELECT description FROM schema_version ORDER BY version").fetchall() == [
        ("the start",), ("one more column",)]
    with pytest.raises(migrations.SchemaTooNew):
        migrations.migrate(con, migrations=discover(path)[:1])


def test_statements_are_cut_at_semicolons_outside_strings_and_comments() -> None:
    sql = ("-- a comment; with a semicolon\nCREATE TABLE t (x VARCHAR);\n"
           "COMMENT ON TABLE t IS 'it''s; визит';  -- trailing; comment\n"
           "/* block; */ SELECT 1\n")
    assert split_statements(sql) == [
        "-- a comment; with a semicolon\nCREATE TABLE t (x VARCHAR);",
        "COMMENT ON TABLE t IS 'it''s; визит';",
        "-- trailing; comment\n/* block; */ SELECT 1",
    ]
    assert split_statements("-- only a comment\n") == []


def test_a_pragma_after_the_statement_creating_its_table_runs(tmp_path: Path) -> None:
    # DuckDB expands PRAGMAs when it parses a whole script: one string would fail on the missing table.
    step = Migration(1, "x", "CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMPTZ, description VARCHAR);\n"
                             "CREATE TABLE docs (id VARCHAR, body VARCHAR);\n"
                             "PRAGMA create_fts_index('docs', 'id', 'body');")
    con = duckdb.connect()
    load_fts(con)
    assert migrations.migrate(con, migrations=[step]) == 1
    assert con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_main_docs'").fetchone() == (1,)


def test_a_script_goes_to_duckdb_in_one_call_but_each_pragma_alone(tmp_path: Path) -> None:
    # One call per statement cost ~0.1 ms of DuckDB's Python layer each: a fresh file's some 600
    # statements. The PRAGMA still runs alone, after the table it indexes exists.
    step = Migration(1, "x", "-- x\nCREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMPTZ, description VARCHAR);\n"
                             "CREATE TABLE docs (id VARCHAR, body VARCHAR);\n"
                             "COMMENT ON TABLE docs IS 'a; b';\n"
                             "PRAGMA create_fts_index('docs', 'id', 'body');\n"
                             "COMMENT ON COLUMN docs.id IS 'the id' -- trailing; comment\n")
    con = duckdb.connect()
    load_fts(con)
    recorder = Recorder(con)
    assert migrations.migrate(recorder, migrations=[step]) == 1
    scripts = [sql for sql in recorder.sent if "schema_version (version, applied_at" not in sql and "duckdb_tables()" not in sql
               and "max(version)" not in sql]
    assert len(scripts) == 3 and scripts[1].startswith("PRAGMA create_fts_index")
    assert con.execute("SELECT comment FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'docs'").fetchone() == ("a; b",)
    assert con.execute("SELECT comment FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'docs' AND column_name = 'id'").fetchone() \
        == ("the id",)


def _schema(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("""
        SELECT 'column', table_name || '.' || column_name, data_type || ' ' || coalesce(comment, '') FROM duckdb_columns()
        WHERE schema_name = 'main' AND NOT internal
        UNION ALL SELECT 'view', view_name, sql FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal
        UNION ALL SELECT 'macro', function_name, macro_definition FROM duckdb_functions()
        WHERE schema_name = 'main' AND NOT internal AND function_type LIKE '%macro%'
        ORDER BY ALL""").fetchall()


def test_one_version_at_a_time_with_data_ends_as_a_fresh_file(tmp_path: Path) -> None:
    fresh = duckdb.connect(str(tmp_path / "fresh.duckdb"))
    load_fts(fresh)
    migrations.migrate(fresh)
    stepped = duckdb.connect(str(tmp_path / "stepped.duckdb"))
    load_fts(stepped)
    migrations.migrate(stepped, target=1)
    load.load_batch(stepped, batch(release("r1", "Визит в Минск. " * 20, title="Визит"),
                                   release("e1", "A visit to Minsk. " * 20, title="Visit", language="en")))
    for version in range(2, LATEST_VERSION + 1):
        assert migrations.migrate(stepped, target=version) == version
    assert _schema(stepped) == _schema(fresh)
    assert stepped.execute("SELECT release_id FROM search_releases('визиты')").fetchall() == [("r1",)]
    assert stepped.execute("SELECT count(*) FROM release_signatures").fetchone() == (2,)


def test_migration_14_keeps_every_version_and_stores_the_current_text_once(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "v13.duckdb"))
    load_fts(con)
    migrations.migrate(con, target=13)
    load.load_batch(con, batch(release("r1", "First text.", title="First"), release("r2", "Only text.", title="Only")))
    load.load_batch(con, batch(release("r1", "Edited text.", title="Edited", lead="A lead."), run_id="run-2"))
    # A current text that differs from its version row (edited by hand): the row keeps its own text.
    con.execute("UPDATE releases SET body_text = 'Changed by hand.' WHERE release_id = 'r2'")
    every = "SELECT * FROM release_versions ORDER BY release_id, version"
    before = con.execute(every).fetchall()
    assert [r[6] for r in before] == ["First text.", "Edited text.", "Only text."]

    assert migrations.migrate(con) == LATEST_VERSION
    assert con.execute(every).fetchall() == before
    assert con.execute("""SELECT release_id, version, title, body_text FROM release_versions_stored
                          ORDER BY release_id, version""").fetchall() == [
        ("r1", 1, "First", "First text."), ("r1", 2, None, None), ("r2", 1, "Only", "Only text.")]
    # Loads go on from the migrated file: the superseded text moves into its row.
    load.load_batch(con, batch(release("r1", "Third text.", title="Third"), run_id="run-3"))
    assert con.execute("SELECT version, lead, body_text FROM release_versions WHERE release_id = 'r1' ORDER BY version"
                       ).fetchall() == [(1, None, "First text."), (2, "A lead.", "Edited text."), (3, None, "Third text.")]
