"""Where the store lives: the ``--store`` setting parsed, in one place, into a typed location.

Two kinds, chosen by the text's prefix:

- ``duckdb:PATH`` or a bare ``PATH`` (the default, ``data/govpress.duckdb``): one DuckDB file with
  one writer at a time. ``--db PATH`` is the same setting under its old name.
- ``ducklake:postgres://USER@HOST:PORT/DBNAME?data_path=DIR`` (or DuckLake's own libpq form,
  ``ducklake:postgres:dbname=... host=...?data_path=DIR``): a DuckLake catalogue in PostgreSQL with
  the data as Parquet files under ``DIR`` (a folder every worker sees, or an ``s3://`` prefix):
  many writers on many machines, readers that never block them.
- ``ducklake:sqlite:PATH?data_path=DIR``: the same with the catalogue in one SQLite file, for the
  processes of one machine taking turns to write (docs/scale.md, "A SQLite catalogue"); several
  busy workers need PostgreSQL.

Options after ``?``: ``data_path`` (required for DuckLake) and ``archive`` (where the raw bodies
go; default: ``archive`` beside the data folder, as the DuckDB file keeps its ``archive`` beside
itself). Never put a password in the text (it would show in flow parameters and logs): libpq
reads ``PGPASSWORD`` or ``~/.pgpass``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_STORE_TEXT = "data/govpress.duckdb"


class StoreSettingError(ValueError):
    """The ``--store`` text names no store this code can open; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class DuckDBFile:
    """One DuckDB file (the embedded default)."""

    path: Path

    @property
    def kind(self) -> str:
        return "duckdb"

    @property
    def archive_dir(self) -> Path:
        return self.path.resolve().parent / "archive"

    def spec(self) -> str:
        """The setting's text (what ``parse_store`` reads back to this location)."""
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True, slots=True)
class DuckLake:
    """A DuckLake catalogue (PostgreSQL or SQLite) with its data folder."""

    catalog: str
    """``postgres`` or ``sqlite``."""
    connection: str
    """libpq connection string (``dbname=... host=...``) or the SQLite file's absolute path."""
    data_path: str
    """Folder (absolute) or ``s3://`` prefix of the Parquet files, ending in ``/``."""
    archive: Path | None = None
    """Where raw bodies are archived; None: ``archive`` beside the data folder."""

    @property
    def kind(self) -> str:
        return "ducklake"

    @property
    def archive_dir(self) -> Path:
        if self.archive is not None:
            return self.archive
        if "://" in self.data_path:
            raise StoreSettingError(
                f"data_path {self.data_path} is not a local folder: say where raw bodies go with ?archive=DIR")
        return Path(self.data_path.rstrip("/")).parent / "archive"

    def attach_target(self) -> str:
        """What ``ATTACH`` is given: ``ducklake:postgres:<libpq>`` or ``ducklake:sqlite:<file>``."""
        return f"ducklake:{self.catalog}:{self.connection}"

    def spec(self) -> str:
        archive = f"&archive={self.archive}" if self.archive is not None else ""
        return f"{self.attach_target()}?data_path={self.data_path}{archive}"

    def __str__(self) -> str:
        """For logs and reports: the spec without a password, if someone put one in."""
        return " ".join("password=***" if part.startswith("password=") else part for part in self.spec().split(" "))


StoreLocation = DuckDBFile | DuckLake


def _local_folder(text: str) -> str:
    if "://" in text:
        return text.rstrip("/") + "/"
    return str(Path(text).expanduser().resolve()) + "/"


def _postgres_connection(rest: str) -> str:
    """libpq key=value text from ``//user@host:port/db`` or from libpq text as it is."""
    if not rest.startswith("//"):
        if "=" not in rest:
            raise StoreSettingError(f"ducklake:postgres:{rest}: expected postgres://USER@HOST:PORT/DBNAME "
                                    "or libpq text such as dbname=govpress host=127.0.0.1")
        return rest
    url = urlsplit("postgres:" + rest)
    dbname = unquote(url.path.lstrip("/"))
    if not dbname:
        raise StoreSettingError(f"ducklake:postgres:{rest}: name the database (postgres://HOST:PORT/DBNAME)")
    parts = [f"dbname={dbname}"]
    if url.hostname:
        parts.append(f"host={url.hostname}")
    if url.port:
        parts.append(f"port={url.port}")
    if url.username:
        parts.append(f"user={unquote(url.username)}")
    if url.password:
        parts.append(f"password={unquote(url.password)}")
    return " ".join(parts)


def parse_store(text: str | os.PathLike | StoreLocation) -> StoreLocation:
    """The location a ``--store`` (or ``--db``) text names; raises StoreSettingError with the expected forms."""
    if isinstance(text, (DuckDBFile, DuckLake)):
        return text
    if isinstance(text, os.PathLike):
        return DuckDBFile(Path(text))
    text = str(text).strip()
    if not text:
        raise StoreSettingError("empty store setting: give duckdb:PATH or ducklake:postgres://...?data_path=DIR")
    if text.startswith("duckdb:"):
        path = text[len("duckdb:"):]
        if not path:
            raise StoreSettingError("duckdb: needs a file path, e.g. duckdb:data/govpress.duckdb")
        return DuckDBFile(Path(path))
    if not text.startswith("ducklake:"):
        return DuckDBFile(Path(text))
    body, _, query = text[len("ducklake:"):].partition("?")
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - {"data_path", "archive"})
    if unknown:
        raise StoreSettingError(f"{text}: unknown option(s) {', '.join(unknown)} (known: data_path, archive)")
    if not options.get("data_path"):
        raise StoreSettingError(f"{text}: DuckLake needs ?data_path=DIR (the folder or s3:// prefix of its Parquet files)")
    catalog, _, rest = body.partition(":")
    if catalog in ("postgres", "postgresql"):
        connection = _postgres_connection(rest)
        catalog = "postgres"
    elif catalog == "sqlite":
        if not rest:
            raise StoreSettingError(f"{text}: ducklake:sqlite: needs the catalogue file, e.g. ducklake:sqlite:data/lake.sqlite")
        connection = str(Path(rest).expanduser().resolve())
    else:
        raise StoreSettingError(f"{text}: the DuckLake catalogue must be postgres (postgres://HOST/DB) or sqlite:PATH")
    archive = Path(options["archive"]).expanduser().resolve() if options.get("archive") else None
    return DuckLake(catalog=catalog, connection=connection, data_path=_local_folder(options["data_path"]),
                    archive=archive)


def default_store() -> StoreLocation:
    """``$GOVPRESS_STORE``, else ``$GOVPRESS_DB``, else ``data/govpress.duckdb``."""
    return parse_store(os.environ.get("GOVPRESS_STORE") or os.environ.get("GOVPRESS_DB") or DEFAULT_STORE_TEXT)


def store_option(text: str | os.PathLike | StoreLocation) -> Path | DuckLake:
    """What the commands and flows pass around: a ``Path`` for the DuckDB file (as always), a DuckLake otherwise."""
    location = parse_store(text)
    return location.path if isinstance(location, DuckDBFile) else location


def store_exists(db: Path | StoreLocation) -> bool:
    """Whether there is something to read: the DuckDB file exists; a lake is asked when it is attached."""
    location = parse_store(db)
    return location.path.exists() if isinstance(location, DuckDBFile) else True


def data_folder(db: Path | StoreLocation) -> Path:
    """The folder the store keeps its data in: the DuckDB file's folder or the lake's data folder."""
    location = parse_store(db)
    if isinstance(location, DuckDBFile):
        return location.path.resolve().parent
    return location.archive_dir.parent
