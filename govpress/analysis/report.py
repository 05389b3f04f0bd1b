"""``govpress report``: one self-contained HTML file with the analyst's overview of the database.

Sections: releases per source per week (unique vs copies), publishing hours by weekday in each
source's zone, edits and withdrawals over time, syndication (who copies whom, median lag to the
first publisher), translation coverage per source group, source health, the largest
near-duplicate clusters, and the distinctive terms of each source over the last 30 days. Each
section says plainly when it has no data in the window.

The file needs no network to open: styles are inline, charts are inline SVG (see
:mod:`govpress.analysis.plots`), there is no script, font or image to fetch. Links to the
releases' own pages are ordinary links, followed only when clicked. It is written atomically
(a temp file renamed over the old one), so a server or a reader never sees half a report.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from govpress.analysis import plots, sections
from govpress.analysis.sections import Window
from govpress.analysis.terms import SourceTerms
from govpress.store import Store
from govpress.storage import data_folder, store_exists

REPORT_NAME = "report.html"
DEFAULT_WEEKS = 52


@dataclass(slots=True)
class ReportContent:
    """Everything the report shows, read in one go."""

    db: str
    generated_at: datetime
    window: Window
    totals: sections.Totals
    weekly: list[sections.WeeklySeries]
    hours: list[sections.HourGrid]
    changes: sections.ChangesOverTime
    syndication: list[sections.SyndicationPair]
    coverage: list[sections.Coverage]
    health: list[sections.HealthRow]
    clusters: list[sections.Cluster]
    terms_since: date
    terms: list[SourceTerms]


def default_window(since: date | None, until: date | None, sources: list[str] | None, today: date | None = None) -> Window:
    """The window of a report: until today and the 52 weeks before it unless told otherwise."""
    until = until or today or datetime.now(timezone.utc).date()
    since = since or until - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)
    if since > until:
        raise ValueError(f"since {since} is after until {until}")
    return Window(since=since, until=until, sources=tuple(sources or ()))


def read_content(store: Store, window: Window) -> ReportContent:
    with store.reader(fts=False) as con:
        terms_since, terms = sections.terms_this_month(con, window)
        return ReportContent(
            db=str(store.location), generated_at=datetime.now(timezone.utc), window=window,
            totals=sections.totals(con, window), weekly=sections.weekly(con, window),
            hours=sections.publishing_hours(con, window), changes=sections.changes(con, window),
            syndication=sections.syndication(con, window), coverage=sections.translation_coverage(con, window),
            health=sections.health(con, window), clusters=sections.largest_clusters(con, window),
            terms_since=terms_since, terms=terms,
        )


def build_report(db: Path | str, out: Path | str | None = None, *, since: date | None = None,
                 until: date | None = None, sources: list[str] | None = None) -> Path:
    """Read the database, render the report and write it (default: report.html beside the database)."""
    store = Store(db)
    if not store_exists(store.location):
        raise FileNotFoundError(f"no database at {store.path}; run `govpress demo` or `govpress ingest` first")
    content = read_content(store, default_window(since, until, sources))
    target = Path(out) if out else data_folder(store.location) / REPORT_NAME
    write_atomically(target, render(content))
    return target


def write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


# -- rendering (pure) --------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; color: #1d2630; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.4rem; border-bottom: 1px solid #d5dbe1; padding-bottom: 0.2rem; }
.meta, .note { color: #56636f; font-size: 0.92rem; } .empty { color: #8a5a00; background: #fff7e6;
       padding: 0.6rem 0.8rem; border-left: 3px solid #f0a04b; }
figure.plot { margin: 0.6rem 0; overflow-x: auto; } figure.plot svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.6rem 0; }
th, td { border-bottom: 1px solid #e3e7eb; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.health-ok { color: #1e7b34; } .health-bad { color: #b03a2e; font-weight: 600; } .health-warn { color: #8a5a00; }
nav a { margin-right: 0.8rem; font-size: 0.9rem; }
"""

SECTIONS = (("weekly", "Releases per week"), ("hours", "Publishing hours"), ("changes", "Edits and withdrawals"),
            ("syndication", "Syndication"), ("coverage", "Translation coverage"), ("health", "Source health"),
            ("clusters", "Near-duplicate clusters"), ("terms", "Top terms"))


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def when(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def span(value: timedelta | None) -> str:
    if value is None:
        return "—"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def empty(text: str) -> str:
    return f'<p class="empty">{esc(text)}</p>'


def figure(name: str, svg: str) -> str:
    return f'<figure class="plot" data-plot="{name}">{svg}</figure>'


def table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(c: ReportContent) -> str:
    w = c.window
    period = f"{w.since} .. {w.until}"
    scope = ", ".join(w.sources) if w.sources else "all sources"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>govpress report {esc(period)}</title><style>{STYLE}</style></head><body>",
        "<h1>govpress report</h1>",
        f'<p class="meta">Database <code>{esc(c.db)}</code>; {esc(scope)}; publications {esc(period)} '
        f"(days in each source's own time zone). Generated {esc(when(c.generated_at))}.</p>",
        f'<p class="meta">In the window: {c.totals.releases} dated releases, {c.totals.unique} of them unique stories, '
        f"from {c.totals.sources} sources. Newest release stored: {esc(when(c.totals.newest))}.</p>",
        "<nav>" + "".join(f'<a href="#{key}">{esc(title)}</a>' for key, title in SECTIONS) + "</nav>",
    ]
    parts += [_weekly(c, period), _hours(c, period), _changes(c, period), _syndication(c, period), _coverage(c, period),
              _health(c), _clusters(c, period), _terms(c)]
    parts.append("</body></html>")
    return "\n".join(parts)


def _section(key: str, body: str, note: str = "") -> str:
    title = dict(SECTIONS)[key]
    return f'<section id="{key}"><h2>{esc(title)}</h2>' + (f'<p class="note">{note}</p>' if note else "") + body + "</section>"


def _weekly(c: ReportContent, period: str) -> str:
    note = ("Bars per ISO week (Monday first) in each source's zone: <b>unique</b> releases (the first publisher of a "
            "story) and <b>copies</b> (exact or near copies of an earlier release). From the weekly_counts view.")
    if not c.weekly:
        return _section("weekly", empty(f"No dated releases published in {period}."), note)
    return _section("weekly", figure("weekly", plots.weekly(c.weekly)), note)


def _hours(c: ReportContent, period: str) -> str:
    untimed = sum(g.untimed for g in c.hours)
    grids = [g for g in c.hours if g.timed]
    note = ("Releases by weekday and hour of publication on the source's own clock. Releases whose page gives only a "
            f"day are left out ({untimed} in this window).")
    if not grids:
        return _section("hours", empty(f"No release with a known time of day was published in {period}."), note)
    return _section("hours", figure("hours", plots.hours(grids)), note)


def _changes(c: ReportContent, period: str) -> str:
    note = ("Per week: <b>edits</b>, new versions of releases already stored (every text is kept in release_versions), "
            "and <b>withdrawals</b>, releases found gone (404/410, or missing from a complete listing; see removals).")
    if c.changes.empty:
        return _section("changes", empty(f"No edit or withdrawal was detected in {period}."), note)
    total = f"<p>{sum(c.changes.edits)} edits and {sum(c.changes.withdrawals)} withdrawals.</p>"
    return _section("changes", total + figure("changes", plots.changes(c.changes)), note)


def _syndication(c: ReportContent, period: str) -> str:
    note = ("Releases whose text is an exact or near copy (estimated Jaccard similarity ≥ 0.8) of an earlier release "
            "of another source, counted by who copied whom. Lag: median time from the first publisher's publication "
            "to the copy's, over the pairs where both are dated.")
    if not c.syndication:
        return _section("syndication", empty(f"No copy across sources was published in {period}."), note)
    rows = [[esc(p.copier), esc(p.publisher), str(p.copies),
             "—" if p.median_lag_hours is None else f"{p.median_lag_hours:.1f} h ({p.dated} dated)"]
            for p in c.syndication]
    body = figure("syndication", plots.syndication(c.syndication))
    body += table(["copied by", "first publisher", "copies", "median lag to first publisher"], rows, {2})
    return _section("syndication", body, note)


def _coverage(c: ReportContent, period: str) -> str:
    note = ("Per source group (language editions of one site): of the group's stories in the window, the share "
            "available in each language (language versions of one story share a translation key).")
    if not c.coverage:
        return _section("coverage", empty(f"No release of a source group (sources.source_group) in {period}."), note)
    rows = [[esc(g.group), str(g.stories)] + [", ".join(f"{lang} {n / g.stories:.0%} ({n})"
                                                         for lang, n in sorted(g.by_language.items()))]
            for g in c.coverage]
    body = figure("coverage", plots.coverage(c.coverage)) + table(["group", "stories", "by language"], rows, {1})
    return _section("coverage", body, note)


def _health_class(health: str) -> str:
    if health == "ok":
        return "health-ok"
    return "health-bad" if health in ("failed", "blocked", "abandoned", "overdue", "never run") else "health-warn"


def _health(c: ReportContent) -> str:
    note = ("From the source_health view, now (not limited to the window). <b>overdue</b>: no successful run for 3 of "
            "its scheduled intervals; <b>stale</b>: nothing published for 4 of its usual gaps (at least a week); "
            "<b>unfinished</b>: pages left for the next run (the host was failing).")
    if not c.health:
        return _section("health", empty("No source is registered in this database."), note)
    rows = [[f'<span class="{_health_class(h.health)}">{esc(h.health)}</span>', esc(h.source_id), esc(h.last_status),
             esc(when(h.last_success_at)), rate(h.failure_rate_7d), rate(h.failure_rate_30d), rate(h.fetch_error_rate_7d),
             str(h.blocked_7d), f"{h.unfinished_runs_7d} / {h.frontier_pages}", esc(span(h.staleness)),
             esc(span(h.typical_gap)), esc((h.last_failure_reason or "")[:160])]
            for h in c.health]
    headers = ["health", "source", "last status", "last success", "failed runs 7d", "30d", "fetch errors 7d",
               "blocked 7d", "unfinished runs 7d / pages waiting", "since last publication", "usual gap",
               "last failure"]
    return _section("health", table(headers, rows, {4, 5, 6, 7}), note)


def _clusters(c: ReportContent, period: str) -> str:
    note = "Groups of near-identical releases (syndicated or lightly edited copies), largest first; title of the first publisher."
    if not c.clusters:
        return _section("clusters", empty(f"No near-duplicate cluster with releases in {period}."), note)
    rows = [[esc(k.title), str(k.size), esc(", ".join(k.sources)), esc(when(k.first_published)),
             esc(span(k.last_published - k.first_published if k.first_published and k.last_published else None))]
            for k in c.clusters]
    return _section("clusters", table(["story", "releases", "sources", "first published", "spread"], rows, {1}), note)


def _terms(c: ReportContent) -> str:
    period = f"{c.terms_since} .. {c.window.until}"
    note = (f"The 30 days {esc(period)}: each source's most distinctive words (frequent in its releases, rare in the "
            "other sources'), with how often it used them. Closed-class words are left out.")
    if not c.terms:
        return _section("terms", empty(f"No release was published in the 30 days {period}."), note)
    rows = [[esc(t.source_id), str(t.releases), esc(", ".join(f"{w} ({n})" for w, n in t.terms))] for t in c.terms]
    return _section("terms", table(["source", "releases", "top terms"], rows, {1}), note)
