"""DuckDB extensions loaded by path from their wheels (``INSTALL`` and autoloading need the internet).

Each ``duckdb-extension-<name>==1.5.5`` wheel ships the signed extension for this DuckDB version;
``LOAD '<path>'`` works offline. fts (search) is loaded by :mod:`govpress.store.connection`;
DuckLake needs ``ducklake`` and the catalogue's scanner (``postgres_scanner`` or ``sqlite_scanner``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DUCKDB_VERSION = "v1.5.5"

PACKAGES = {
    "fts": "duckdb_extension_fts",
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
}


def extension_path(name: str) -> Path:
    """Where the wheel of extension ``name`` keeps it for this DuckDB version; FileNotFoundError names the wheel."""
    package = PACKAGES[name]
    wheel = package.replace("_", "-")
    try:
        path = Path(str(files(package) / "extensions" / DUCKDB_VERSION / f"{name}.duckdb_extension"))
    except ModuleNotFoundError:
        raise FileNotFoundError(f"the {name} extension is not installed: install {wheel}=={DUCKDB_VERSION[1:]}") from None
    if not path.is_file():
        raise FileNotFoundError(f"{name} extension not found at {path}; install {wheel}=={DUCKDB_VERSION[1:]}")
    return path


def load_extension(con, name: str) -> None:
    """LOAD the extension by path (offline-safe); idempotent."""
    con.execute(f"LOAD '{extension_path(name)}'")
