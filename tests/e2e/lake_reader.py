"""The analyst beside the lake workers (tests/e2e/test_lake_workers.py): attach read-only, query until told to stop.

Run as ``python lake_reader.py STORE OUT STOP``: until the file STOP exists, each round opens one
read transaction on the lake and writes one JSON line to OUT with the snapshot it read, the
counts it saw and how many rows broke a batch's all-or-nothing: a release without the version
row its ``version`` names, a version without its release, a link to a release not there. A
batch writes all of these in one transaction, so a reader that ever sees one of them saw half a
batch.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from govpress.store.lake import LAKE, open_lake
from govpress.storage import parse_store

HALF_BATCH_SIGNS = {
    "release_without_version": "SELECT count(*) FROM releases r WHERE NOT EXISTS (SELECT 1 FROM release_versions v "
                               "WHERE v.release_id = r.release_id AND v.version = r.version)",
    "version_without_release": "SELECT count(*) FROM release_versions v WHERE NOT EXISTS "
                               "(SELECT 1 FROM releases r WHERE r.release_id = v.release_id)",
    "link_to_nothing": "SELECT count(*) FROM release_links l WHERE NOT EXISTS (SELECT 1 FROM releases r "
                       "WHERE r.release_id = l.other_id) OR NOT EXISTS (SELECT 1 FROM releases r "
                       "WHERE r.release_id = l.release_id)",
}


def observe(con: duckdb.DuckDBPyConnection) -> dict:
    """One consistent look: everything below is read from the same snapshot (one transaction)."""
    con.execute("BEGIN")
    try:
        snapshot = con.execute(f"SELECT id FROM {LAKE}.current_snapshot()").fetchone()[0]
        tables = {name for (name,) in con.execute("SHOW TABLES").fetchall()}
        if "release_links" not in tables:
            return {"snapshot": snapshot, "releases": None}
        seen = {"snapshot": snapshot,
                "releases": con.execute("SELECT count(*) FROM releases").fetchone()[0],
                "versions": con.execute("SELECT count(*) FROM release_versions").fetchone()[0]}
        seen.update({name: con.execute(sql).fetchone()[0] for name, sql in HALF_BATCH_SIGNS.items()})
        return seen
    finally:
        con.execute("ROLLBACK")


def main(store: str, out: Path, stop: Path) -> int:
    location = parse_store(store)
    with out.open("a", encoding="utf-8") as lines:
        while not stop.exists():
            try:
                con = open_lake(location, read_only=True, fts=False)
            except duckdb.Error as error:  # the catalogue not created yet by the first worker
                lines.write(json.dumps({"error": str(error)[:200]}) + "\n")
                time.sleep(0.2)
                continue
            try:
                while not stop.exists():
                    lines.write(json.dumps(observe(con)) + "\n")
                    lines.flush()
                    time.sleep(0.05)
            finally:
                con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
