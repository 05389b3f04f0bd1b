"""The run report: what one run did, as the markdown artifact an operator reads in the Prefect UI.

Pure rendering (:func:`headline`, :func:`render_report`) apart from one read of the database
(:func:`report_data`). The headline counts sources by status and pages by what happened to them,
separately; the report names the sources that need attention, links the pages that failed in
this run, shows releases per day over the run's own date range as a picture (an SVG chart
embedded as a data URI: govpress/charts.py), and lists the gaps in each source's coverage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from govpress.charts import bins_for, data_uri, releases_chart
from govpress.pipeline import SourceOutcome
from govpress.store import Store

DAYS = 30
"""Days charted for a run without a date range (ending today)."""
MAX_FAILURES = 20
STATUSES = ("ok", "failed", "blocked", "unfinished")
PAGE_COUNTS = (("new", "new"), ("updated", "updated"), ("unchanged", "unchanged"), ("duplicate", "duplicates"),
               ("removed", "removed"), ("failed", "failed"))


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def source_tally(outcomes: list[SourceOutcome]) -> str:
    """``1 ok, 1 failed``: ok and failed always, blocked and unfinished when there are any."""
    counts = Counter(o.status for o in outcomes)
    return ", ".join(f"{counts[s]} {s}" for s in STATUSES if s in ("ok", "failed") or counts[s])


def headline(label: str, outcomes: list[SourceOutcome]) -> str:
    """One line for a run: its sources by status, then its pages by what happened to them."""
    pages = ", ".join(f"{sum(getattr(o, key) for o in outcomes)} {name}" for key, name in PAGE_COUNTS)
    return f"{label}: {plural(len(outcomes), 'source')} ({source_tally(outcomes)}); pages: {pages}"


def chart_range(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The days a run's chart covers: its own date range; an open end is today, or 30 days before the last day."""
    last = until or max(today, since or today)
    first = since or last - timedelta(days=DAYS - 1)
    return first, last


@dataclass(frozen=True, slots=True)
class Failure:
    source_id: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Days between two complete ranges of a source's coverage: releases there may be missing."""

    source_id: str
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True, slots=True)
class ReportData:
    first_day: date
    last_day: date
    daily: dict[str, dict[date, int]]
    """Source -> publication day (source's own zone) -> releases, within first_day..last_day."""
    failures: list[Failure] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


def report_data(store: Store, run_id: str, source_ids: list[str], first: date, last: date) -> ReportData:
    """Releases per day of the sources over ``first``..``last``, this run's failed pages, the sources' coverage gaps."""
    with store.writer() as con:  # the writer's own configuration: this runs inside the writing flow
        counts = con.execute(
            "SELECT source_id, day, releases FROM daily_counts WHERE day BETWEEN ? AND ? AND list_contains(?, source_id)",
            [first, last, source_ids],
        ).fetchall()
        failed = con.execute(
            """SELECT source_id, url, error FROM parse_failures WHERE run_id = $run
               UNION ALL
               SELECT source_id, url, outcome || coalesce(': ' || error, '') FROM fetches
               WHERE run_id = $run AND outcome NOT IN ('ok', 'not_modified', 'gone')
               ORDER BY source_id, url LIMIT $limit""",
            {"run": run_id, "limit": MAX_FAILURES},
        ).fetchall()
        gaps = con.execute(
            "SELECT source_id, first_day, last_day FROM coverage WHERE kind = 'gap' AND list_contains(?, source_id) "
            "ORDER BY source_id, first_day DESC",
            [source_ids],
        ).fetchall()
    daily: dict[str, dict[date, int]] = {s: {} for s in source_ids}
    for source_id, day, n in counts:
        daily[source_id][day] = n
    return ReportData(first_day=first, last_day=last, daily=daily, failures=[Failure(*row) for row in failed],
                      gaps=[Gap(*row) for row in gaps])


def render_report(run_id: str, line: str, outcomes: list[SourceOutcome], data: ReportData | None) -> str:
    lines = [f"# {line}", "", f"Run `{run_id}`.", ""]
    bad = [o for o in outcomes if o.status != "ok"]
    if bad:
        lines += ["## Sources that need attention", ""]
        lines += [f"- **{o.source_id}** ({o.status}): {o.message}" for o in bad]
        lines.append("")
    if data and data.failures:
        lines += [f"## Pages that failed in this run (first {MAX_FAILURES})", ""]
        lines += [f"- {f.source_id}: [{f.url}]({f.url}) — {f.reason[:160]}" for f in data.failures]
        lines.append("")
    if data is not None:
        title = f"Releases per {bins_for(data.first_day, data.last_day).unit}, {data.first_day} .. {data.last_day}"
        svg = releases_chart(data.daily, data.first_day, data.last_day)
        lines += [f"## {title}", "", f"![{title}]({data_uri(svg)})", "",
                  "| source | releases in the range |", "|---|---|"]
        lines += [f"| {source} | {sum(days.values())} |" for source, days in sorted(data.daily.items())]
        lines.append("")
        lines += ["## Coverage gaps", ""]
        if data.gaps:
            lines += ["Days between two complete ranges of a source: scheduled runs fill them, a few discovery "
                      "pages per run (`gap_pages`); a backfill fills one at once.", ""]
            lines += [f"- **{g.source_id}**: {g.first_day} .. {g.last_day} ({plural(g.days, 'day')})" for g in data.gaps]
        else:
            lines.append("None: every source's complete ranges join up (`SELECT * FROM coverage`).")
    return "\n".join(lines).rstrip() + "\n"
