"""Schema versions: the numbered migration files of this folder, applied once each, in order, each in one transaction.

``schema_version`` holds one row per applied migration; its highest ``version`` is the file's
schema version. Opening a file written by a newer govpress (a version this code does not know)
is refused with :class:`SchemaTooNew` instead of guessing.

Every migration has one form:

- ``NNNN_what_it_does.sql`` (NNNN: four digits, the version): a script of SQL statements whose
  first line is ``-- <description>`` (recorded in ``schema_version.description``);
- optionally ``NNNN_what_it_does.py`` beside it (same stem), a module with
  ``def data_step(con: duckdb.DuckDBPyConnection) -> None``: the part SQL cannot do (building
  full-text indexes, hashing stored texts), run after the script in the same transaction.

To add one: take the next free number, write the ``.sql`` file (and the ``.py`` only when data
must be computed in Python), write the fresh-file script and its template file again (``uv run python -m
govpress.store.fresh_schema``: a new file gets the migrations' end state from them in one go,
govpress/store/fresh_schema.py), run ``uv run pytest tests/unit/store``. Never edit, renumber or
delete a migration once it is on ``main``: databases out there have applied it. Two engineers
who pick the same number find out from the test of this folder (a version is taken twice).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.resources import files
from importlib.resources.abc import Traversable

import duckdb

from govpress.errors import DatabaseError
from govpress.store.transactions import rollback_quietly

FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.(?P<ext>sql|py)$")
DataStep = Callable[[duckdb.DuckDBPyConnection], None]


class SchemaTooNew(DatabaseError, RuntimeError):
    """The database was written by a newer govpress than this one."""


class MigrationFolderError(RuntimeError):
    """The migration files do not form one numbered sequence (a gap, a number taken twice, a stray file)."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    sql: str
    data_module: str | None = None
    """Dotted name of the same-stem module whose ``data_step(con)`` runs after the SQL, if any."""
    data_step_fn: DataStep | None = None
    """A data step given directly (tests build migrations in memory)."""

    def data_step(self) -> DataStep | None:
        """The data step, imported only when the migration is applied (a current file never imports it)."""
        if self.data_step_fn is not None:
            return self.data_step_fn
        if self.data_module is None:
            return None
        return importlib.import_module(self.data_module).data_step

    def apply(self, con: duckdb.DuckDBPyConnection) -> None:
        """Run the script, then the data step, on ``con`` (inside the caller's transaction)."""
        if "pragma" not in self.sql.lower() and duckdb.tokenize(self.sql):
            con.execute(self.sql)  # nothing DuckDB expands at parse time: the script as it is, in one call
        else:
            for statements in statement_runs(split_statements(self.sql)):
                con.execute(statements)
        step = self.data_step()
        if step is not None:
            step(con)


def split_statements(sql: str) -> list[str]:
    """The script's statements, cut at the semicolons DuckDB's own tokenizer finds (not in strings or comments).

    One at a time, because DuckDB expands a PRAGMA such as ``create_fts_index`` when it parses
    the whole string, before the statements above it (which create its table) have run.
    """
    raw = sql.encode("utf-8")  # the tokenizer's positions are byte offsets
    cuts = [position for position, kind in duckdb.tokenize(sql)
            if kind == duckdb.token_type.operator and raw[position:position + 1] == b";"]
    pieces, start = [], 0
    for cut in [*cuts, len(raw)]:
        piece = raw[start:cut + 1].decode("utf-8").strip()
        if piece and duckdb.tokenize(piece.rstrip(";")):  # not only comments or blank
            pieces.append(piece)
        start = cut + 1
    return pieces


def statement_runs(statements: list[str]) -> list[str]:
    """The statements joined into as few strings as DuckDB can run in one call each, in order.

    A PRAGMA (or anything naming one) goes alone: DuckDB expands it when it parses the string, before
    the statements above it have run (:func:`split_statements`). The rest go together: one call per
    statement cost about 0.1 ms of DuckDB's Python layer each, and a fresh file's migrations are some
    600 statements (500 of them comments).
    """
    runs: list[str] = []
    together: list[str] = []
    for statement in statements:
        if "pragma" in statement.lower():
            if together:
                runs.append("\n".join(together))
                together = []
            runs.append(statement)
        else:
            together.append(statement)  # each ends with its semicolon but a script's last (nothing follows it)
    if together:
        runs.append("\n".join(together))
    return runs


def describe(sql: str, file_name: str) -> str:
    """The description on the script's first line (``-- description``)."""
    first = sql.lstrip("\ufeff").split("\n", 1)[0]
    if not first.startswith("-- ") or not first[3:].strip():
        raise MigrationFolderError(f"{file_name}: the first line must be '-- <what this migration does>'")
    return first[3:].strip()


def discover(folder: Traversable | None = None, package: str = __name__) -> list[Migration]:
    """Every migration in ``folder`` (default: this package), in version order, checked to form 1, 2, 3, ..."""
    folder = folder if folder is not None else files(package)
    scripts: dict[int, tuple[str, str]] = {}
    modules: dict[int, str] = {}
    for entry in folder.iterdir():
        name = entry.name
        if not entry.is_file() or name == "__init__.py" or name.startswith("."):
            continue
        match = FILE_NAME.match(name)
        if match is None:
            if name.endswith((".sql", ".py")):
                raise MigrationFolderError(f"{name}: migration files are named NNNN_what_it_does.sql (or .py)")
            continue
        version, stem = int(match["version"]), name.rsplit(".", 1)[0]
        if match["ext"] == "sql":
            if version in scripts:
                raise MigrationFolderError(f"version {version} is taken twice: {scripts[version][0]}.sql and {name}")
            scripts[version] = (stem, entry.read_text(encoding="utf-8"))
        else:
            if version in modules:
                raise MigrationFolderError(f"version {version} has two data steps: {modules[version]} and {stem}")
            modules[version] = stem
    for version, stem in modules.items():
        if version not in scripts or scripts[version][0] != stem:
            raise MigrationFolderError(f"{stem}.py has no {stem}.sql beside it (a data step belongs to a script)")
    expected = list(range(1, len(scripts) + 1))
    if sorted(scripts) != expected:
        raise MigrationFolderError(f"migration versions must run 1..{len(scripts)} without gaps, found {sorted(scripts)}")
    return [
        Migration(version=version, description=describe(sql, f"{stem}.sql"), sql=sql,
                  data_module=f"{package}.{stem}" if version in modules else None)
        for version, (stem, sql) in sorted(scripts.items())
    ]


MIGRATIONS: list[Migration] = discover()
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration, 0 for an empty file."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, target: int | None = None,
            migrations: Sequence[Migration] | None = None) -> int:
    """Apply every migration above the file's version up to ``target`` (default: the latest); returns the version.

    Needs the fts extension loaded on ``con`` (migration 2 builds indexes). ``migrations``
    defaults to this folder's.
    """
    migrations = MIGRATIONS if migrations is None else list(migrations)
    latest = migrations[-1].version
    target = latest if target is None else target
    version = current_version(con)
    if version > latest:
        raise SchemaTooNew(
            f"this database has schema version {version} but this govpress only knows up to version "
            f"{latest}: it was written by a newer govpress. Upgrade govpress; do not load into it with this one."
        )
    for migration in migrations:
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
            rollback_quietly(con)
            raise
        version = migration.version
    return version
