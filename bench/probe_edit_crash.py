"""Does loading edits and late copies crash DuckDB at commit? A probe of an open bug, offline.

    uv run python bench/probe_edit_crash.py [--releases 2000 8000] [--batch 200] [--row-group 4096 16384]

For each (releases, row group) pair, a child process loads a synthetic archive into a fresh store
through ``Store.load_batch`` in batches of ``--batch``, as runs do: fresh releases (a seventh of
them copies of earlier ones by another publisher, names shared so that same-event links form),
then half of them edited, a sixth reloaded at their older text, a tenth of the edits again, then
"late" releases of other publishers carrying the first text of edited ones. The row group of
the run's writer (``govpress.store.connection.WRITER_ROW_GROUP``) is set in the child.

Found on 2026-12-04 (DuckDB 1.5.5): the child aborts in a COMMIT with ``INTERNAL Error: Failed to
append to PRIMARY_releases_0`` (or ``PRIMARY_same_event_links_11``) ``... duplicate key``, raised
while DuckDB reverts a failed commit; the process dies (SIGABRT), so the load's own error
handling never runs. Measured: 2,000 releases crash with 4,096-row groups and not with 16,384;
8,000 crash with both. Printed per pair: ``ok`` and the phases loaded, or ``CRASH`` with the phase
it was loading and DuckDB's message.

After each phase the search index is brought up to date in the same session, as a run ends, and after
the last one the child leaves without a checkpoint (``os._exit``, as a killed run leaves), so this
process then opens the file afresh and DuckDB replays its WAL: the counts it reads, or ``REOPEN
FAILED``. Found the same evening: a whole rebuild (``create_fts_index`` with ``overwrite=1``, which
drops the old index with CASCADE) left a WAL that DuckDB 1.5.5 could not replay ("Cannot drop entry
fts_main_search_ru because there are entries that depend on it"); the next session's open failed.
The index is now dropped object by object first (govpress/store/search.py, ``_drop_index``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = {"ru": ["Лукашенко", "Минск", "Москва", "Головченко", "Асадов", "Брест", "Гродно", "Витебск", "Гомель", "Баку"],
         "en": ["Lukashenko", "Minsk", "Moscow", "Golovchenko", "Asadov", "Brest", "Grodno", "Vitebsk", "Gomel", "Baku"]}


def child(n: int, batch: int, row_group: int, folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    import govpress.store.connection as connection
    from bench.bench_load import SEEN, sign, synthetic_releases
    from govpress.store import LoadBatch, Store

    connection.WRITER_ROW_GROUP = row_group
    rng = random.Random(7)
    rows = synthetic_releases(n)
    for i, r in enumerate(rows):
        names = NAMES["ru" if r.language == "ru" else "en"]
        picked = rng.sample(names, 3)
        r.title = f"{r.title} {picked[0]} {picked[1]}"
        r.body_text += f"\n\n{picked[0]} {picked[1]} {picked[2]}."
        if i % 7 == 3 and i > 10:  # a copy by another publisher of an earlier release, a paragraph changed
            src = rows[rng.randrange(i)]
            paragraphs = src.body_text.split("\n\n")
            paragraphs[0] += " +"
            r.body_text, r.title, r.language = "\n\n".join(paragraphs), src.title, src.language
            r.source_id = "copy_" + src.source_id
        r.content_hash = hashlib.sha256(r.body_text.encode()).hexdigest()[:32]
    sign(rows)
    edited = []
    for i, r in enumerate(rows[::2]):
        e = replace(r, body_text=r.body_text + f"\n\nEdited {i}.", seen_at=SEEN + timedelta(hours=2))
        e.content_hash = hashlib.sha256(e.body_text.encode()).hexdigest()[:32]
        edited.append(e)
    sign(edited)
    older = [replace(r, seen_at=SEEN + timedelta(hours=3)) for r in rows[::6]]
    again = [replace(r, seen_at=SEEN + timedelta(hours=4)) for r in edited[::10]]
    late = [replace(r, release_id=r.release_id + "-late", url=r.url + "late/", canonical_url=(r.canonical_url or r.url) + "late/",
                    source_id="late_" + r.source_id, seen_at=SEEN + timedelta(hours=5)) for r in rows[: n // 3 : 4]]
    sign(late)
    store = Store(Path(folder) / "probe.duckdb")
    store.migrate()
    phases = (("fresh", rows), ("edited", edited), ("older", older), ("again", again), ("late", late))
    for number, (phase, releases) in enumerate(phases):
        print(f"phase {phase}", flush=True)
        with store.session():
            for start in range(0, len(releases), batch):
                store.load_batch(LoadBatch(run_id=f"run-{phase}", source_id="probe", releases=releases[start:start + batch]))
            # As a run ends: the search index brought up to date in the same session (its deletes and
            # re-inserts of the touched releases' index rows are one more transaction of that kind).
            store.rebuild_search_index()
            if number == len(phases) - 1:
                # Gone without a checkpoint, as a killed run goes: the next open replays the WAL.
                print("phase done", flush=True)
                os._exit(0)


def reopen(folder: str) -> str:
    """The child's file opened afresh in this process (its WAL replayed): its counts, or DuckDB's error."""
    import duckdb

    try:
        con = duckdb.connect(str(Path(folder) / "probe.duckdb"))
        try:
            releases, versions, indexed = con.execute(
                "SELECT (SELECT count(*) FROM releases), (SELECT count(*) FROM release_versions), "
                "(SELECT count(*) FROM search_indexed)").fetchone()
            return f"reopened: {releases} releases, {versions} versions, {indexed} indexed"
        finally:
            con.close()
    except duckdb.Error as exc:
        return f"REOPEN FAILED: {str(exc).splitlines()[0][:200]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, nargs="+", default=[2000, 8000])
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--row-group", type=int, nargs="+", default=[4096, 16384])
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        n, batch, row_group, folder = args.child
        child(int(n), int(batch), int(row_group), folder)
        return
    for n in args.releases:
        for row_group in args.row_group:
            with tempfile.TemporaryDirectory(prefix="govpress-probe-") as folder:
                done = subprocess.run([sys.executable, __file__, "--child", str(n), str(args.batch), str(row_group), folder],
                                      capture_output=True, text=True, cwd=ROOT)
                phases = re.findall(r"^phase (\w+)$", done.stdout, re.M)
                if done.returncode == 0 and phases[-1:] == ["done"]:
                    print(f"{n:>7} releases, batches of {args.batch}, row group {row_group:>6}: ok ({', '.join(phases[:-1])}); "
                          f"{reopen(folder)}")
                    continue
            message = re.search(r'"exception_message":"(.{0,160})', done.stderr)
            tail = message.group(1) if message else done.stderr.strip().splitlines()[-1:] or ["(no output)"]
            print(f"{n:>7} releases, batches of {args.batch}, row group {row_group:>6}: CRASH (rc {done.returncode}) "
                  f"loading {phases[-1] if phases else '?'}: {json.dumps(tail)[:200]}")


if __name__ == "__main__":
    main()
