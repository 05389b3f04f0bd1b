"""Data step of migration 9: the paragraph diff of every stored version after the first."""

from __future__ import annotations

import duckdb

from govpress.dedupe.versions import Text, diff_texts


def data_step(con: duckdb.DuckDBPyConnection) -> None:
    """Fill release_versions.diff and the paragraph counts from each version's predecessor."""
    rows = con.execute(
        """SELECT release_id, version, title, subtitle, lead, body_text FROM release_versions
           WHERE release_id IN (SELECT release_id FROM release_versions WHERE version > 1)
           ORDER BY release_id, version"""
    ).fetchall()
    updates = []
    previous: tuple | None = None
    for release_id, version, *text in rows:
        if previous is not None and previous[0] == release_id:
            diff = diff_texts(Text(*previous[2:]), Text(*text))
            updates.append((diff.as_json(), diff.added, diff.removed, diff.changed, release_id, version))
        previous = (release_id, version, *text)
    if updates:
        con.executemany(
            """UPDATE release_versions SET diff = ?, paragraphs_added = ?, paragraphs_removed = ?, paragraphs_changed = ?
               WHERE release_id = ? AND version = ?""",
            updates,
        )
