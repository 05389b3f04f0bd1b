"""Do two code trees leave the same record? A fresh run and its quiet rerun per tree, tables and archive compared.

A speed change must not change what govpress keeps. This runs, for each tree, ``python -m
bench.govpress_run plain`` over the generated bench site (653 release pages, served once for all
runs) into a fresh database, then the same again over that database (a quiet rerun), and compares
after each: every table and view of the database (the search index's own tables included) as a
sorted multiset of rows (the search index's tables by their documents and terms, not DuckDB's
numbering of them), and the archive's files byte for byte.

Times and run ids differ between any two runs. Rather than a hand-kept list of such columns, the
reference tree runs twice: a column whose values differ between those two runs is volatile and
left out of every comparison (printed, so a reader sees what was not compared); everything else
must be equal. Exit code 0 when the trees agree, 1 when they do not (the first differing rows are
printed).

    git -C /work/main archive main | tar -x -C /tmp/before
    uv run python bench/same_results.py --tree before=/tmp/before --tree now=.

Not part of the test suite (two minutes of runs); helpers and the integrator run it before merging
a speed change.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench import site
from bench.bytecode import compile_tree

STEPS = ("fresh", "quiet")
SHOWN_DIFFERENCES = 5
_INDEX_CONTENT = {
    # DuckDB's full-text index numbers documents and terms in the order rows reached it, which follows
    # the run's thread timing: its tables are compared by what they say, not by those numbers.
    "docs": 'SELECT name, len FROM "{schema}".docs',
    "dict": 'SELECT term, df FROM "{schema}".dict',
    "terms": """SELECT d.name, t.fieldid, k.term FROM "{schema}".terms t
                JOIN "{schema}".docs d USING (docid) JOIN "{schema}".dict k USING (termid)""",
}


@dataclass(frozen=True)
class Snapshot:
    """What one run left: each relation's columns and rows (as text), and the archive's files' digests."""

    relations: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]]
    archive: dict[str, str]


def run(tree: Path, registry: Path, db: Path) -> None:
    """One ``bench.govpress_run plain`` whose ``govpress`` and ``bench`` come from ``tree``."""
    done = subprocess.run([sys.executable, "-m", "bench.govpress_run", "plain", "--registry", str(registry),
                           "--db", str(db)], env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: the run failed ({done.returncode}):\n{done.stderr[-3000:]}")


def snapshot(db: Path) -> Snapshot:
    """Every relation of ``db`` as text rows, and the digests of the archive beside it."""
    relations = {}
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute("""SELECT table_schema, table_name FROM information_schema.tables
                               WHERE table_catalog = current_database() ORDER BY ALL""").fetchall()
        for schema, table in names:
            query = _INDEX_CONTENT.get(table, "") if schema.startswith("fts_main_") else ""
            query = query.format(schema=schema) or f'SELECT * FROM "{schema}"."{table}"'
            relation = con.sql(query)
            casts = ", ".join(f'CAST("{column}" AS VARCHAR)' for column in relation.columns)
            relations[f"{schema}.{table}"] = (tuple(relation.columns), relation.select(casts).fetchall())
    folder = db.parent / "archive"
    archive = {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
               for path in sorted(folder.rglob("*")) if path.is_file()}
    return Snapshot(relations, archive)


def volatile_columns(first: Snapshot, second: Snapshot) -> dict[str, set[int]]:
    """Per relation, the positions of the columns whose values differ between two runs of the same code."""
    volatile = {}
    for name, (columns, rows) in first.relations.items():
        other = second.relations.get(name)
        if other is None or other[0] != columns:
            raise SystemExit(f"the reference tree's two runs disagree on the shape of {name}")
        volatile[name] = {index for index in range(len(columns))
                          if sorted(row[index] or "" for row in rows) != sorted(row[index] or "" for row in other[1])}
    return volatile


def kept(rows: list[tuple[str, ...]], dropped: set[int]) -> list[tuple[str, ...]]:
    return sorted(tuple("" if value is None else value for index, value in enumerate(row) if index not in dropped)
                  for row in rows)


def differences(reference: Snapshot, other: Snapshot, volatile: dict[str, set[int]]) -> list[str]:
    """What ``other`` left that ``reference`` did not (or the other way round), outside the volatile columns."""
    found = []
    for name in sorted(set(reference.relations) | set(other.relations)):
        if name not in reference.relations or name not in other.relations:
            found.append(f"{name}: only in {'the other tree' if name in other.relations else 'the reference'}")
            continue
        columns, rows = reference.relations[name]
        if other.relations[name][0] != columns:
            found.append(f"{name}: columns {columns} against {other.relations[name][0]}")
            continue
        mine, theirs = kept(rows, volatile[name]), kept(other.relations[name][1], volatile[name])
        if mine != theirs:
            extra = [row for row in theirs if row not in set(mine)][:SHOWN_DIFFERENCES]
            missing = [row for row in mine if row not in set(theirs)][:SHOWN_DIFFERENCES]
            found.append(f"{name}: {len(mine)} rows against {len(theirs)}; missing {missing}; extra {extra}")
    if reference.archive != other.archive:
        changed = sorted(set(reference.archive.items()) ^ set(other.archive.items()))[:SHOWN_DIFFERENCES]
        found.append(f"archive: {len(reference.archive)} files against {len(other.archive)}; differing {changed}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a copy of govpress (repeatable; the first is the reference, run twice)")
    args = parser.parse_args()
    trees = {name: Path(path).resolve() for name, path in (t.split("=", 1) for t in args.tree)}
    if len(trees) < 2:
        raise SystemExit("give at least two trees: --tree before=DIR --tree now=DIR")
    for tree in trees.values():
        compile_tree(tree)  # as the bench runs them: bytecode written once, not per process
    reference_name = next(iter(trees))
    runs = [(reference_name, 1)] + [(name, 0) for name in trees if name != reference_name] + [(reference_name, 2)]
    with tempfile.TemporaryDirectory(prefix="govpress-same-") as tmp:
        root = Path(tmp)
        pages = site.generated_site(root / "site")
        with site.served(root / "site") as base_url:
            registry = root / "sources.toml"
            registry.write_text(site.registry_text(base_url), encoding="utf-8")
            taken: dict[tuple[str, int], dict[str, Snapshot]] = {}
            for name, number in runs:
                db = root / f"{name}-{number}" / "govpress.duckdb"
                db.parent.mkdir()
                taken[(name, number)] = {}
                for step in STEPS:
                    run(trees[name], registry, db)
                    taken[(name, number)][step] = snapshot(db)
                print(f"{name}: fresh and quiet runs done ({pages} pages served)", flush=True)
    failed = False
    for step in STEPS:
        first, second = taken[(reference_name, 1)][step], taken[(reference_name, 2)][step]
        volatile = volatile_columns(first, second)
        if first.archive != second.archive:
            raise SystemExit(f"{step}: the reference tree's two runs left different archives; they cannot be compared")
        left_out = {name: [first.relations[name][0][i] for i in sorted(cols)] for name, cols in volatile.items() if cols}
        print(f"{step}: {len(first.relations)} relations, {len(first.archive)} archive files; "
              f"volatile columns left out: {left_out}")
        for name in trees:
            if name == reference_name:
                continue
            found = differences(first, taken[(name, 0)][step], volatile)
            failed = failed or bool(found)
            print(f"  {name} against {reference_name}: " + ("the same" if not found else "DIFFERENT"))
            for line in found:
                print(f"    {line}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
