"""The analyst's views mean what their comments say, on small constructed corpora (counts, zero days, staleness)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from analysis_factories import add_sources, fetch, load, outcome, release, rows, run

from govpress.store import Store
from govpress.store.rows import FETCH_PURPOSES

UTC = timezone.utc
MOSCOW = ZoneInfo("Europe/Moscow")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def counted(store: Store) -> Store:
    """gov_ru (Moscow): releases around day, week and month boundaries, one exact copy, one undated release."""
    add_sources(store, ("gov_ru", "Europe/Moscow", "*/30 * * * *"))
    load(store, "gov_ru",
         release("b", published_at=at("2024-03-01T10:00")),                  # Fri 1 March in Moscow
         release("a", "The same text.", published_at=at("2024-03-01T22:30")),  # Sat 2 March 01:30 in Moscow
         release("c", published_at=at("2024-03-03T22:30")),                  # Mon 4 March 01:30 in Moscow
         release("e", published_at=None))
    # d repeats a's text three days later: stored, linked as a copy, not a new story.
    load(store, "gov_ru", release("d", "The same text.", title="Title of a", published_at=at("2024-03-04T10:00")))
    load(store, "gov_ru", release("g", published_at=at("2024-03-31T23:30")))  # 1 April 02:30 in Moscow
    return store


def today_in(zone: ZoneInfo) -> set[date]:
    """Today in the zone; the day after too when the test runs across midnight."""
    now = datetime.now(zone)
    return {now.date(), (now + timedelta(minutes=5)).date()}


def test_daily_counts_count_every_release_and_each_story_once_with_zero_days(counted: Store) -> None:
    days = rows(counted, "SELECT day, releases, unique_releases FROM daily_counts WHERE source_id = 'gov_ru' ORDER BY day")
    assert days[:5] == [
        (date(2024, 3, 1), 1, 1),
        (date(2024, 3, 2), 1, 1),
        (date(2024, 3, 3), 0, 0),  # nothing published that day in Moscow (c was 22:30 UTC: the 4th there)
        (date(2024, 3, 4), 2, 1),  # c, and d: a copy of a
        (date(2024, 3, 5), 0, 0),
    ]
    assert days[-1][0] in today_in(MOSCOW)  # zero-filled up to today, not just to the last release
    assert [d for d, _, _ in days] == [date(2024, 3, 1) + timedelta(days=i) for i in range(len(days))]
    assert sum(r for _, r, _ in days) == 5  # the undated release is not counted
    assert sum(u for _, _, u in days) == 4


def test_weekly_counts_use_monday_weeks_in_the_source_zone(counted: Store) -> None:
    weeks = rows(counted, "SELECT week, releases, unique_releases FROM weekly_counts WHERE source_id = 'gov_ru' ORDER BY week")
    assert weeks[:3] == [(date(2024, 2, 26), 2, 2), (date(2024, 3, 4), 2, 1), (date(2024, 3, 11), 0, 0)]
    assert all(w.weekday() == 0 for w, _, _ in weeks)
    assert [w for w, _, _ in weeks] == [date(2024, 2, 26) + timedelta(weeks=i) for i in range(len(weeks))]
    this_monday = {d - timedelta(days=d.weekday()) for d in today_in(MOSCOW)}
    assert weeks[-1][0] in this_monday


def test_monthly_counts_put_a_late_evening_utc_release_in_the_next_local_month(counted: Store) -> None:
    months = rows(counted, "SELECT month, releases, unique_releases FROM monthly_counts WHERE source_id = 'gov_ru' ORDER BY month")
    assert months[:3] == [(date(2024, 3, 1), 4, 3), (date(2024, 4, 1), 1, 1), (date(2024, 5, 1), 0, 0)]
    assert sum(r for _, r, _ in months) == 5


def test_counts_agree_across_day_week_and_month(counted: Store) -> None:
    totals = rows(counted, """SELECT (SELECT sum(releases) FROM daily_counts), (SELECT sum(releases) FROM weekly_counts),
                                     (SELECT sum(releases) FROM monthly_counts), (SELECT sum(unique_releases) FROM daily_counts),
                                     (SELECT count(*) FROM unique_releases WHERE published_at IS NOT NULL)""")
    assert totals == [(5, 5, 5, 4, 4)]


@pytest.fixture
def health(store: Store) -> dict[str, dict]:
    """Six sources whose runs, fetches and releases tell six different stories."""
    now = datetime.now(UTC)
    add_sources(store,
                ("steady", "Europe/Moscow", "*/30 * * * *"),
                ("walled", "Europe/London", "0 * * * *"),
                ("late", "UTC", "0 6 * * *"),
                ("quiet", "UTC", "0 * * * *"),
                ("crashed", "UTC", "0 * * * *"),
                ("fresh", "UTC", "0 * * * *"),
                ("never", "UTC", "0 * * * *"))
    run(store, "r1", now - timedelta(days=10), outcome("steady", new=5), outcome("walled"))
    run(store, "r2", now - timedelta(days=2), outcome("steady", "failed", "HTTP 503 on the feed"))
    run(store, "r3", now - timedelta(hours=1), outcome("steady", new=1), outcome("walled", "blocked", "blocked: challenge page"),
        outcome("quiet"))
    run(store, "r4", now - timedelta(days=5), outcome("late"))
    run(store, "r5", now - timedelta(hours=10), sources=["crashed"], finished=False)  # died: never finished
    run(store, "r6", now - timedelta(minutes=1), sources=["fresh"], finished=False)   # still going
    run(store, "r7", now - timedelta(hours=3), outcome("quiet", "failed", "reparse is not a fetch"), flow="reparse")
    load(store, "steady", *(release(f"s{i}", source_id="steady", published_at=now - timedelta(days=i, hours=2))
                            for i in range(1, 11)),
         fetches=[fetch("f1", source_id="steady", started_at=now - timedelta(days=1)),
                  fetch("f2", source_id="steady", started_at=now - timedelta(days=2), outcome="http_error")])
    load(store, "walled", release("w1", source_id="walled", language="en", published_at=now - timedelta(days=3 * 365)),
         fetches=[fetch("f3", source_id="walled", started_at=now - timedelta(hours=1), outcome="blocked")])
    load(store, "late", release("l1", source_id="late", published_at=now - timedelta(days=2)),
         release("l2", source_id="late", published_at=now - timedelta(days=3)))
    load(store, "quiet", *(release(f"q{i}", source_id="quiet", published_at=now - timedelta(days=400 + i))
                           for i in range(5)))
    columns = ("source_id", "poll_interval", "last_run_id", "last_status", "last_message", "last_success_at",
               "last_failure_at", "last_failure_reason", "runs_7d", "failed_runs_7d", "failure_rate_7d", "runs_30d",
               "failure_rate_30d", "fetches_7d", "fetch_error_rate_7d", "blocked_7d", "releases", "staleness",
               "typical_gap", "overdue", "stale", "health")
    return {r[0]: dict(zip(columns, r)) for r in rows(store, f"SELECT {', '.join(columns)} FROM source_health")}


def test_source_health_reads_each_source_own_status_not_the_run_status(health: dict[str, dict]) -> None:
    # r3 was 'partial' as a whole (walled was blocked), yet steady itself ended ok in it.
    assert (health["steady"]["last_run_id"], health["steady"]["last_status"]) == ("r3", "ok")
    assert (health["walled"]["last_run_id"], health["walled"]["last_status"]) == ("r3", "blocked")
    assert health["walled"]["last_message"] == "blocked: challenge page"
    assert health["crashed"]["last_status"] == "abandoned"  # started 10 hours ago, never finished
    assert health["fresh"]["last_status"] == "running"
    assert health["never"]["last_run_id"] is None and health["never"]["health"] == "never run"


def test_source_health_failure_rates_and_last_failure(health: dict[str, dict]) -> None:
    steady = health["steady"]
    assert (steady["runs_7d"], steady["failed_runs_7d"], steady["failure_rate_7d"]) == (2, 1, 0.5)
    assert (steady["runs_30d"], steady["failure_rate_30d"]) == (3, 0.3333)
    assert steady["last_failure_reason"] == "HTTP 503 on the feed"
    assert steady["last_success_at"] > steady["last_failure_at"]
    assert (steady["fetches_7d"], steady["fetch_error_rate_7d"]) == (2, 0.5)
    assert health["walled"]["blocked_7d"] == 1
    # a reparse says nothing about fetching: quiet's failed reparse is not a failed run
    assert (health["quiet"]["last_run_id"], health["quiet"]["failed_runs_7d"]) == ("r3", 0)


def test_staleness_is_judged_against_cadence_and_publishing_rhythm(health: dict[str, dict]) -> None:
    steady, quiet, late = health["steady"], health["quiet"], health["late"]
    assert steady["poll_interval"] == timedelta(minutes=30) and late["poll_interval"] == timedelta(days=1)
    assert steady["typical_gap"] == timedelta(days=1)
    assert timedelta(days=1) < steady["staleness"] < timedelta(days=1, hours=3)
    assert (steady["stale"], steady["overdue"], steady["health"]) == (False, False, "ok")
    # quiet answers every hour but its newest release is 400 days old, against a daily rhythm
    assert timedelta(days=399) < quiet["staleness"] < timedelta(days=401)
    assert (quiet["stale"], quiet["overdue"], quiet["health"]) == (True, False, "stale")
    # late publishes fine but its daily run last succeeded 5 days ago: 3 intervals have passed
    assert (late["overdue"], late["stale"], late["health"]) == (True, False, "overdue")
    assert health["walled"]["stale"] is True and health["walled"]["health"] == "blocked"  # the block is named first


@pytest.mark.parametrize("cron, expected", [
    ("*/15 * * * *", timedelta(minutes=15)),
    ("0 * * * *", timedelta(hours=1)),
    ("0,30 * * * *", timedelta(minutes=30)),
    ("5 */6 * * *", timedelta(hours=6)),
    ("30 6 * * *", timedelta(days=1)),
    ("0 8,20 * * *", timedelta(hours=12)),
    ("0 9 * * 1-5", timedelta(days=1)),
    ("0 9 * * 1", timedelta(days=7)),
    ("0 9 1 * *", timedelta(days=30)),  # INTERVAL 1 MONTH reaches Python as 30 days
    ("0 9 * 1 *", None),
    ("@hourly", None),
])
def test_cadence_interval_reads_the_usual_cron_shapes(store: Store, cron: str, expected) -> None:
    (value,) = rows(store, "SELECT cadence_interval(?)", [cron])[0]
    assert value == expected


def test_data_dictionary_lists_only_govpress_objects_each_commented(store: Store) -> None:
    entries = rows(store, "SELECT object_name, object_kind, object_comment, column_name, column_comment FROM data_dictionary")
    names = {name for name, *_ in entries}
    assert {"releases", "weekly_counts", "monthly_counts", "source_health", "search_az", "data_dictionary"} <= names
    assert not [n for n in names if n.startswith(("duckdb_", "pragma_", "sqlite_"))]
    assert [(n, c) for n, _, oc, c, cc in entries if not (oc or "").strip() or not (cc or "").strip()] == []
    assert {kind for _, kind, *_ in entries} == {"table", "view"}


def test_fetch_purpose_comment_lists_exactly_what_the_code_writes(store: Store) -> None:
    import re
    from typing import get_args

    import govpress.discover as discover
    from govpress.plan import Reason

    source = open(discover.__file__, encoding="utf-8").read()
    discovery = set(re.findall(r'purpose="(\w+)"', source)) | set(re.findall(r'fetch\(url, "(\w+)"\)', source))
    assert discovery == {"feed", "listing", "sitemap"}
    assert set(FETCH_PURPOSES) == set(get_args(Reason)) | discovery | {"robots"}
    (comment,) = rows(store, "SELECT comment FROM duckdb_columns() WHERE table_name = 'fetches' AND column_name = 'purpose'")[0]
    assert re.findall(r"(?:\. |; )(\w+): ", comment) == list(FETCH_PURPOSES)
    assert "release," not in comment and "api" not in comment


def test_comments_no_longer_name_values_that_never_occur(store: Store) -> None:
    comments = dict(((t, c), comment) for t, c, comment in rows(
        store, "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"))
    # syndication is produced since migration 13 (govpress/events.py, tests/unit/store/test_events.py).
    assert "syndication" in comments[("release_links", "kind")] and "same_event_links" in comments[("release_links", "kind")]
    assert "near" in comments[("releases", "cluster_id")] and "exact copies only" not in comments[("releases", "cluster_id")]
    assert "removal_check" in comments[("frontier", "purpose")]


def test_sql_users_find_the_macros_explained(store: Store) -> None:
    comments = dict(rows(store, """SELECT function_name, comment FROM duckdb_functions()
                                   WHERE function_name IN ('search_releases', 'search_snippet', 'search_terms',
                                                           'search_family', 'search_norm', 'cadence_interval')"""))
    assert set(comments) == {"search_releases", "search_snippet", "search_terms", "search_family", "search_norm",
                             "cadence_interval"}
    assert all(comment and len(comment) > 40 for comment in comments.values()), comments
    assert "search_releases(" in comments["search_releases"] and "snippet" in comments["search_releases"]
    stopwords = dict(rows(store, "SELECT family, count(*) FROM search_stopwords GROUP BY family"))
    assert set(stopwords) == {"ru", "en", "de", "az"}
    assert rows(store, "SELECT count(*) FROM search_stopwords WHERE word IN ('greetings', 'thanks', 'welcome')") == [(0,)]
