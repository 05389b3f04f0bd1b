"""The run report: what one run did, as the markdown artifact an operator reads in the Prefect UI.

Pure rendering (``render_report``) apart from one read of the database (``report_data``): the
headline, the sources that need attention, links to the pages that failed in this run, and a
small chart of the last 30 days of publications per source.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from govpress.pipeline import SourceOutcome
from govpress.store import Store

DAYS = 30
_BARS = "▁▂▃▄▅▆▇█"
MAX_FAILURES = 20


def sparkline(counts: list[int]) -> str:
    """One bar per value, scaled to the largest; zero is a space so quiet days show as gaps."""
    top = max(counts, default=0)
    if top == 0:
        return " " * len(counts)
    return "".join(" " if c == 0 else _BARS[min(len(_BARS) - 1, (c * len(_BARS) - 1) // top)] for c in counts)


@dataclass(frozen=True, slots=True)
class Failure:
    source_id: str
    url: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReportData:
    daily: dict[str, list[int]]
    """Source -> releases per publication day (source's own zone), oldest first, ``DAYS`` values."""
    failures: list[Failure]
    last_day: date


def report_data(store: Store, run_id: str, source_ids: list[str], today: date) -> ReportData:
    """The last 30 days per source (from the ``daily_counts`` view) and this run's failed pages."""
    first = today - timedelta(days=DAYS - 1)
    with store.writer() as con:  # the writer's own configuration: this runs inside the writing flow
        counts = con.execute(
            "SELECT source_id, day, releases FROM daily_counts WHERE day BETWEEN ? AND ? AND list_contains(?, source_id)",
            [first, today, source_ids],
        ).fetchall()
        failed = con.execute(
            """SELECT source_id, url, error FROM parse_failures WHERE run_id = $run
               UNION ALL
               SELECT source_id, url, outcome || coalesce(': ' || error, '') FROM fetches
               WHERE run_id = $run AND outcome NOT IN ('ok', 'not_modified', 'gone')
               ORDER BY source_id, url LIMIT $limit""",
            {"run": run_id, "limit": MAX_FAILURES},
        ).fetchall()
    daily = {s: [0] * DAYS for s in source_ids}
    for source_id, day, n in counts:
        daily[source_id][(day - first).days] = n
    return ReportData(daily=daily, failures=[Failure(*row) for row in failed], last_day=today)


def render_report(run_id: str, headline: str, outcomes: list[SourceOutcome], data: ReportData | None) -> str:
    lines = [f"# {headline}", "", f"Run `{run_id}`.", ""]
    bad = [o for o in outcomes if o.status != "ok"]
    if bad:
        lines += ["## Sources that need attention", ""]
        lines += [f"- **{o.source_id}** ({o.status}): {o.message}" for o in bad]
        lines.append("")
    if data and data.failures:
        lines += [f"## Pages that failed in this run (first {MAX_FAILURES})", ""]
        lines += [f"- {f.source_id}: [{f.url}]({f.url}) — {f.reason[:160]}" for f in data.failures]
        lines.append("")
    if data and data.daily:
        start = data.last_day - timedelta(days=DAYS - 1)
        lines += [f"## Releases per day, {start} .. {data.last_day}", "", "| source | last 30 days | total |", "|---|---|---|"]
        lines += [f"| {source} | `{sparkline(days)}` | {sum(days)} |" for source, days in sorted(data.daily.items())]
    return "\n".join(lines)
