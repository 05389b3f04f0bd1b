"""Schema versions: a forward-only list of migrations, each applied once, in order, in its own transaction.

``schema_version`` holds one row per applied migration. Migration 1 is the initial schema
(``schema.sql``), its views (``views.sql``) and the analyst-facing comments (``comments.sql``);
later migrations are appended to :data:`MIGRATIONS` and never edit an earlier one. Opening a
file written by a newer govpress (a version this code does not know) is refused with a clear
error instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.resources import files

import duckdb

from govpress.store import nearlinks, search


class SchemaTooNew(RuntimeError):
    """The database was written by a newer govpress than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def read_sql(name: str) -> str:
    """The text of one of the package's SQL files."""
    return (files("govpress.store") / name).read_text(encoding="utf-8")


def run_sql_script(con: duckdb.DuckDBPyConnection, script: str) -> None:
    """Execute a multi-statement script (DuckDB's execute runs every statement of a string)."""
    con.execute(script)


def _initial_schema(con: duckdb.DuckDBPyConnection) -> None:
    run_sql_script(con, read_sql("schema.sql"))
    run_sql_script(con, read_sql("views.sql"))
    run_sql_script(con, read_sql("comments.sql"))


FRONTIER_ATTEMPTS = """
ALTER TABLE frontier ADD COLUMN attempts INTEGER DEFAULT 0;
UPDATE frontier SET attempts = 0 WHERE attempts IS NULL;
COMMENT ON COLUMN frontier.attempts IS 'Runs that tried this page and left it here (failed again); at 8 it is dropped (its fetches and parse_failures stay).';
"""


MIGRATIONS: list[Migration] = [
    Migration(1, "tables, views and comments (schema.sql, views.sql, comments.sql)", _initial_schema),
    Migration(2, "full-text search: per-language search tables, fts indexes, search_releases()", search.install_search),
    Migration(3, "near duplicates: release_signatures, release_bands; near_duplicate links and clusters for stored releases",
              nearlinks.install_near_duplicates),
    Migration(4, "one event, many publishers: name keys (release_names) and event_candidates",
              lambda con: run_sql_script(con, read_sql("events.sql"))),
    Migration(5, "frontier.attempts: failing pages are retried a bounded number of runs",
              lambda con: run_sql_script(con, FRONTIER_ATTEMPTS)),
]
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration, 0 for an empty file."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None) -> int:
    """Apply every migration above the file's version up to ``target`` (default: the latest); returns the version.

    Needs the fts extension loaded on ``con`` (migration 2 builds indexes).
    """
    target = LATEST_VERSION if target is None else target
    version = current_version(con)
    if version > LATEST_VERSION:
        raise SchemaTooNew(
            f"this database has schema version {version} but this govpress only knows up to version "
            f"{LATEST_VERSION}: it was written by a newer govpress. Upgrade govpress; do not load into it with this one."
        )
    for migration in MIGRATIONS:
        if migration.version <= version or migration.version > target:
            continue
        con.begin()
        try:
            migration.apply(con)
            con.execute(
                "INSERT INTO schema_version (version, applied_at, description) VALUES (?, ?, ?)",
                [migration.version, datetime.now(timezone.utc), migration.description],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        version = migration.version
    return version
