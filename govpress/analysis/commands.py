"""The analyst's commands: ``govpress report``, ``govpress search`` and ``govpress export``.

Registered on the main Typer app by :func:`register` (govpress/cli.py) so that the CLI module
stays a list of commands; heavy imports (matplotlib, the store) happen when a command runs.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from govpress.settings import DEFAULT_DB
from govpress.storage import store_exists, store_option

DbOption = Annotated[Path, typer.Option(
    "--store", "--db", envvar="GOVPRESS_DB", parser=store_option,
    help="A DuckDB file (the default) or a ducklake:... store (docs/scale.md).")]
SourceOption = Annotated[Optional[list[str]], typer.Option("--source", help="Source id (repeatable); default: all.")]
SinceOption = Annotated[Optional[str], typer.Option(help="First day, YYYY-MM-DD.")]
UntilOption = Annotated[Optional[str], typer.Option(help="Last day, YYYY-MM-DD.")]


def _date(value: Optional[str], name: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _existing(db: Path) -> Path:
    if not store_exists(db):
        raise typer.BadParameter(f"{db} does not exist yet: run `govpress demo` or `govpress ingest` first", param_hint="--db")
    return db


def _console() -> Console:
    return Console() if sys.stdout.isatty() else Console(width=200)


def highlighted(snippet: str) -> Text:
    """A search snippet with its ⟦matches⟧ in bold (rich markup in the text itself is not interpreted)."""
    from govpress.store.search import MARK_CLOSE, MARK_OPEN

    text = Text()
    rest = snippet
    while MARK_OPEN in rest:
        before, _, after = rest.partition(MARK_OPEN)
        match, _, rest = after.partition(MARK_CLOSE)
        text.append(before)
        text.append(match, style="bold black on yellow")
    text.append(rest)
    return text


def report(
    db: DbOption = DEFAULT_DB,
    out: Annotated[Optional[Path], typer.Option("--out", help="HTML file to write (default: report.html beside the database).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
) -> None:
    """Write the analyst's report: one self-contained HTML file with plots (no network needed to open it).

    The window defaults to the 52 weeks up to today; --since/--until choose another (days in each source's zone).
    """
    from govpress.analysis.report import build_report

    try:
        path = build_report(_existing(db), out, since=_date(since, "--since"), until=_date(until, "--until"), sources=source)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    _console().print(f"Report written: {path} ({path.stat().st_size // 1024} KB). Open it in any browser: file://{path.resolve()}")


def search(
    query: Annotated[str, typer.Argument(help="Words to find (any of ru, be, uk, az, en, de; names in any script).")],
    db: DbOption = DEFAULT_DB,
    source: Annotated[Optional[str], typer.Option("--source", help="Only this source id.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Only this language (ISO 639-1, e.g. ru).")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Hits to show at most.")] = 20,
    fmt: Annotated[str, typer.Option("--format", help="table or json (one object per line).")] = "table",
) -> None:
    """Full-text search: ranked releases with a highlighted snippet, date, source and URL."""
    from govpress.store import Store, search_releases

    if fmt not in ("table", "json"):
        raise typer.BadParameter("table or json", param_hint="--format")
    with Store(_existing(db)).reader() as con:
        hits = search_releases(con, query, limit, source=source, language=lang, since=_date(since, "--since"),
                               until=_date(until, "--until"))
    if fmt == "json":
        for h in hits:
            sys.stdout.write(json.dumps({"release_id": h.release_id, "score": round(h.score, 4), "source_id": h.source_id,
                                        "language": h.language, "published_at": h.published_at.isoformat() if h.published_at else None,
                                        "title": h.title, "url": h.url, "snippet": h.snippet}, ensure_ascii=False) + "\n")
        return
    console = _console()
    if not hits:
        console.print(f"No release matches {query!r}" + (" with these filters." if source or lang or since or until else "."))
        raise typer.Exit(1)
    table = Table(show_lines=True, title=f"{len(hits)} hits for {query!r}")
    for column in ("#", "score", "date", "source", "release"):
        table.add_column(column, overflow="fold")
    for n, h in enumerate(hits, start=1):
        body = Text(h.title, style="bold")
        body.append("\n")
        body.append_text(highlighted(h.snippet))
        body.append(f"\n{h.url}", style="dim")
        table.add_row(str(n), f"{h.score:.2f}", h.published_at.date().isoformat() if h.published_at else "—",
                      f"{h.source_id} ({h.language or '?'})", body)
    console.print(table)


def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (created).")],
    fmt: Annotated[str, typer.Option("--format", help="parquet (partitioned by source and month), csv, or warc.")] = "parquet",
    db: DbOption = DEFAULT_DB,
    since: SinceOption = None,
    source: SourceOption = None,
    archive: Annotated[Optional[Path], typer.Option("--archive", help="Raw archive folder for warc (default: archive/ beside the database).")] = None,
) -> None:
    """Export the main tables and views (Parquet or CSV), or the archived pages with their fetch metadata (WARC)."""
    from govpress.analysis.export import export_tables, export_warc

    if fmt not in ("parquet", "csv", "warc"):
        raise typer.BadParameter("parquet, csv or warc", param_hint="--format")
    day = _date(since, "--since")
    if fmt == "warc":
        result = export_warc(_existing(db), out, archive, since=day, sources=source)
    else:
        result = export_tables(_existing(db), out, fmt, since=day, sources=source)
    console = _console()
    table = Table(title=f"{fmt} export in {result.out}")
    table.add_column("table or view")
    table.add_column("rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, str(rows))
    console.print(table)
    console.print(f"{result.files} files written.")
    for line in result.skipped:
        console.print(f"[yellow]skipped[/yellow] {line}")


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(search)
    app.command()(export)
