"""What each section of the report shows, read out of DuckDB into plain dataclasses (no drawing here).

Every reader takes an open connection and a :class:`Window` (days, inclusive, and an optional
list of sources) and returns rows that may be empty: the report says so plainly rather than
drawing an empty chart. Days and hours are those of each source's own time zone
(``release_local_times``); publishing hours only use releases whose time of day is known
(precision minute or second: a day-precision date says 00:00 for "some time that day").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb

from govpress.analysis.terms import SourceTerms, top_terms

TOP_CLUSTERS = 10


@dataclass(frozen=True, slots=True)
class Window:
    since: date
    until: date
    sources: tuple[str, ...] = ()
    """Empty: every source."""

    def params(self) -> dict:
        return {"since": self.since, "until": self.until, "sources": list(self.sources) or None}


SOURCE_FILTER = "($sources IS NULL OR list_contains($sources, {col}))"


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> duckdb.DuckDBPyConnection:
    """Execute with the named parameters the SQL uses (DuckDB refuses unused ones)."""
    used = set(re.findall(r"\$(\w+)", sql))
    return con.execute(sql, {k: v for k, v in params.items() if k in used})


@dataclass(slots=True)
class WeeklySeries:
    source_id: str
    weeks: list[date]
    unique: list[int]
    copies: list[int]

    @property
    def total(self) -> int:
        return sum(self.unique) + sum(self.copies)


def weekly(con: duckdb.DuckDBPyConnection, window: Window) -> list[WeeklySeries]:
    """Releases per source per week in the window (weekly_counts: zero weeks included), unique vs copies."""
    rows = query(con,
        f"""SELECT source_id, week, unique_releases, releases - unique_releases FROM weekly_counts
            WHERE week BETWEEN date_trunc('week', $since::DATE) AND $until AND {SOURCE_FILTER.format(col='source_id')}
            ORDER BY source_id, week""", window.params()).fetchall()
    series: dict[str, WeeklySeries] = {}
    for source_id, week, unique, copies in rows:
        s = series.setdefault(source_id, WeeklySeries(source_id, [], [], []))
        s.weeks.append(week)
        s.unique.append(unique)
        s.copies.append(copies)
    return [s for s in series.values() if s.total > 0]


@dataclass(slots=True)
class HourGrid:
    source_id: str
    timezone: str
    counts: list[list[int]]
    """counts[weekday][hour], Monday = 0, in the source's zone."""
    timed: int
    untimed: int
    """Releases in the window whose time of day is unknown (not in the grid)."""


def publishing_hours(con: duckdb.DuckDBPyConnection, window: Window) -> list[HourGrid]:
    rows = query(con,
        f"""SELECT source_id, any_value(timezone), isodow(local_time) - 1, hour(local_time),
                   count(*) FILTER (WHERE published_precision IN ('minute', 'second')),
                   count(*) FILTER (WHERE published_precision NOT IN ('minute', 'second') OR published_precision IS NULL)
            FROM release_local_times
            WHERE local_time::DATE BETWEEN $since AND $until AND {SOURCE_FILTER.format(col='source_id')}
            GROUP BY source_id, isodow(local_time), hour(local_time) ORDER BY source_id""", window.params()).fetchall()
    grids: dict[str, HourGrid] = {}
    for source_id, zone, weekday, hour, timed, untimed in rows:
        grid = grids.setdefault(source_id, HourGrid(source_id, zone, [[0] * 24 for _ in range(7)], 0, 0))
        grid.counts[weekday][hour] += timed
        grid.timed += timed
        grid.untimed += untimed
    return list(grids.values())


@dataclass(slots=True)
class ChangesOverTime:
    weeks: list[date] = field(default_factory=list)
    edits: list[int] = field(default_factory=list)
    """New versions of already stored releases first seen that week."""
    withdrawals: list[int] = field(default_factory=list)
    """Releases found gone (404/410 or dropped from a complete listing) that week."""

    @property
    def empty(self) -> bool:
        return not any(self.edits) and not any(self.withdrawals)


def changes(con: duckdb.DuckDBPyConnection, window: Window) -> ChangesOverTime:
    rows = query(con,
        f"""WITH events AS (
                SELECT date_trunc('week', v.seen_at)::DATE AS week, 'edit' AS kind FROM release_versions v
                JOIN releases r USING (release_id)
                WHERE v.version > 1 AND {SOURCE_FILTER.format(col='r.source_id')}
                UNION ALL
                SELECT date_trunc('week', m.detected_at)::DATE, 'withdrawal' FROM removals m
                JOIN releases r USING (release_id) WHERE {SOURCE_FILTER.format(col='r.source_id')}
            )
            SELECT week, count(*) FILTER (WHERE kind = 'edit'), count(*) FILTER (WHERE kind = 'withdrawal')
            FROM events WHERE week BETWEEN date_trunc('week', $since::DATE) AND $until GROUP BY week ORDER BY week""",
        window.params()).fetchall()
    out = ChangesOverTime()
    if not rows:
        return out
    counts = {week: (edits, gone) for week, edits, gone in rows}
    week = rows[0][0]
    while week <= rows[-1][0]:  # zero weeks between the first and the last event
        edits, gone = counts.get(week, (0, 0))
        out.weeks.append(week)
        out.edits.append(edits)
        out.withdrawals.append(gone)
        week += timedelta(days=7)
    return out


@dataclass(frozen=True, slots=True)
class SyndicationPair:
    copier: str
    publisher: str
    copies: int
    dated: int
    median_lag_hours: float | None
    """Median of copy.published_at - first publisher's published_at over the dated pairs."""


def syndication(con: duckdb.DuckDBPyConnection, window: Window) -> list[SyndicationPair]:
    """Who copies whom and how fast: the ``syndication`` links, each from a copy to the first publisher's release.

    Not the exact/near links: an exact link points at whichever copy was loaded first, not at the
    earliest publisher, and both kinds also join one publisher's own copies (govpress/events.py).
    """
    rows = query(con,
        f"""SELECT c.source_id, o.source_id, count(*),
                   count(*) FILTER (WHERE c.published_at IS NOT NULL AND o.published_at IS NOT NULL),
                   median(epoch(c.published_at) - epoch(o.published_at)) / 3600.0
            FROM release_links l
            JOIN releases c ON c.release_id = l.release_id
            JOIN releases o ON o.release_id = l.other_id
            WHERE l.kind = 'syndication'
              AND coalesce(c.published_at, c.first_seen_at)::DATE BETWEEN $since AND $until
              AND ({SOURCE_FILTER.format(col='c.source_id')} OR {SOURCE_FILTER.format(col='o.source_id')})
            GROUP BY ALL ORDER BY 3 DESC, 1, 2""", window.params()).fetchall()
    return [SyndicationPair(c, o, n, dated, None if lag is None else round(lag, 1)) for c, o, n, dated, lag in rows]


@dataclass(frozen=True, slots=True)
class Coverage:
    group: str
    stories: int
    """Distinct releases of the group in the window, their language versions counted once."""
    by_language: dict[str, int]
    """Language -> stories available in it."""


def translation_coverage(con: duckdb.DuckDBPyConnection, window: Window) -> list[Coverage]:
    """Per source group (language editions of one site): the share of stories published in each language."""
    rows = query(con,
        f"""WITH grouped AS (
                SELECT s.source_group, coalesce(r.translation_key, r.release_id) AS story, r.language
                FROM releases r JOIN sources s USING (source_id)
                WHERE s.source_group IS NOT NULL AND r.language IS NOT NULL
                  AND coalesce(r.published_at, r.first_seen_at)::DATE BETWEEN $since AND $until
                  AND {SOURCE_FILTER.format(col='r.source_id')}
            )
            SELECT source_group, language, count(DISTINCT story),
                   (SELECT count(DISTINCT story) FROM grouped g WHERE g.source_group = grouped.source_group)
            FROM grouped GROUP BY ALL ORDER BY 1, 2""", window.params()).fetchall()
    out: dict[str, Coverage] = {}
    for group, language, stories, total in rows:
        out.setdefault(group, Coverage(group, total, {})).by_language[language] = stories
    return list(out.values())


@dataclass(frozen=True, slots=True)
class HealthRow:
    source_id: str
    health: str
    last_status: str | None
    last_success_at: datetime | None
    failure_rate_7d: float | None
    failure_rate_30d: float | None
    fetch_error_rate_7d: float | None
    blocked_7d: int
    unfinished_runs_7d: int
    frontier_pages: int
    latest_published_at: datetime | None
    staleness: timedelta | None
    typical_gap: timedelta | None
    last_failure_reason: str | None


def health(con: duckdb.DuckDBPyConnection, window: Window) -> list[HealthRow]:
    rows = query(con,
        f"""SELECT source_id, health, last_status, last_success_at, failure_rate_7d, failure_rate_30d, fetch_error_rate_7d,
                   blocked_7d, unfinished_runs_7d, frontier_pages, latest_published_at, staleness, typical_gap,
                   last_failure_reason
            FROM source_health WHERE {SOURCE_FILTER.format(col='source_id')}
            ORDER BY health = 'ok', health, source_id""", window.params()).fetchall()
    return [HealthRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Cluster:
    cluster_id: str
    title: str
    size: int
    sources: list[str]
    first_published: datetime | None
    last_published: datetime | None


def largest_clusters(con: duckdb.DuckDBPyConnection, window: Window, limit: int = TOP_CLUSTERS) -> list[Cluster]:
    """The biggest groups of near-identical releases (clusters with at least one near_duplicate link)."""
    rows = query(con,
        f"""WITH near AS (
                SELECT DISTINCT r.cluster_id FROM release_links l JOIN releases r USING (release_id)
                WHERE l.kind = 'near_duplicate'
            ),
            members AS (
                SELECT r.* FROM releases r JOIN near USING (cluster_id)
                WHERE coalesce(r.published_at, r.first_seen_at)::DATE BETWEEN $since AND $until
                  AND {SOURCE_FILTER.format(col='r.source_id')}
            )
            SELECT m.cluster_id, any_value(u.title), count(*), list(DISTINCT m.source_id ORDER BY m.source_id),
                   min(m.published_at), max(m.published_at)
            FROM members m LEFT JOIN unique_releases u ON u.cluster_id = m.cluster_id
            GROUP BY m.cluster_id HAVING count(*) > 1 ORDER BY 3 DESC, 5, 1 LIMIT $limit""",
        {**window.params(), "limit": limit}).fetchall()
    return [Cluster(*row) for row in rows]


def terms_this_month(con: duckdb.DuckDBPyConnection, window: Window) -> tuple[date, list[SourceTerms]]:
    """The 30 days ending with the window's last day, and each source's distinctive terms in them."""
    first = window.until - timedelta(days=29)
    rows = query(con,
        f"""SELECT source_id, language, concat_ws(' ', title, lead, body_text) FROM releases
            WHERE coalesce(published_at, first_seen_at)::DATE BETWEEN $first AND $until
              AND {SOURCE_FILTER.format(col='source_id')}""",
        {"first": first, "until": window.until, "sources": list(window.sources) or None}).fetchall()
    texts: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    for source_id, language, text in rows:
        texts[source_id].append((language, text))
    return first, top_terms(texts)


@dataclass(slots=True)
class Totals:
    releases: int
    unique: int
    sources: int
    newest: datetime | None


def totals(con: duckdb.DuckDBPyConnection, window: Window) -> Totals:
    releases, unique, sources = query(con,
        f"""SELECT count(*), count(*) FILTER (WHERE is_unique), count(DISTINCT source_id) FROM release_local_times
            WHERE local_time::DATE BETWEEN $since AND $until AND {SOURCE_FILTER.format(col='source_id')}""",
        window.params()).fetchone()
    newest = query(con, f"SELECT max(published_at) FROM releases WHERE {SOURCE_FILTER.format(col='source_id')}",
                         {"sources": list(window.sources) or None}).fetchone()[0]
    return Totals(releases, unique, sources, newest)
