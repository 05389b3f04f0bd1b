"""Retry decisions (govpress.fetch.retry): pure, so a table of cases; the backoff formula; Retry-After."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from govpress.fetch.retry import Decision, RetryPolicy, backoff_delay, decide, is_retried, parse_retry_after

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
POLICY = RetryPolicy(retries=2, backoff_base=0.5, backoff_cap=30.0, max_retry_after=120.0)


@pytest.mark.parametrize("value, expected", [("120", 120.0), (" 0 ", 0.0), ("", None), (None, None), ("soon", None), ("-5", None)])
def test_parse_retry_after_seconds(value, expected) -> None:
    assert parse_retry_after(value, datetime(2025, 1, 1, tzinfo=timezone.utc)) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2015, 10, 21, 7, 27, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0.0  # in the past: retry now
    assert parse_retry_after((now + timedelta(hours=2)).strftime("%a, %d %b %Y %H:%M:%S GMT"), now) == 7200.0


def test_backoff_is_full_jitter_under_an_exponential_capped_ceiling() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (10, 30.0), (30, 30.0)]:
        samples = [backoff_delay(attempt, 0.5, 30.0, rng) for _ in range(200)]
        assert all(0.0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8 and min(samples) < ceiling * 0.2  # spread over the whole range
    assert backoff_delay(3, rng=random.Random(1)) == backoff_delay(3, rng=random.Random(1))


def test_the_one_formula_with_narrow_jitter_keeps_growing_until_the_cap() -> None:
    rng = random.Random(3)
    for _ in range(200):
        waits = [backoff_delay(n, 0.1, 5.0, rng, jitter=(0.75, 1.25)) for n in range(1, 10)]
        assert all(a < b for a, b in zip(waits[:5], waits[1:6]))  # 0.1 .. 3.2 s: each wait beyond the last
        assert all(0.075 * 2 ** (n - 1) <= w <= 0.125 * 2 ** (n - 1) for n, w in enumerate(waits[:6], start=1))
        assert all(w <= 5.0 for w in waits) and waits[-1] >= 3.75  # capped, and still jittered below the cap


def test_full_jitter_is_the_default_and_draws_one_number() -> None:
    assert backoff_delay(4, 0.5, 30.0, random.Random(9)) == 4.0 * random.Random(9).random()


@pytest.mark.parametrize(
    ("failure", "status", "challenge", "retried"),
    [
        ("timeout", None, False, True),
        ("network_error", None, False, True),
        ("refused", None, False, False),
        ("too_large", None, False, False),
        ("robots", None, False, False),
        (None, 429, False, True),
        (None, 500, False, True),
        (None, 502, False, True),
        (None, 503, False, True),
        (None, 504, False, True),
        (None, 503, True, False),  # a challenge page served as 503 does not go away
        (None, 501, False, False),
        (None, 404, False, False),
        (None, 200, False, False),
    ],
)
def test_which_attempts_are_retried(failure, status, challenge, retried) -> None:
    assert is_retried(failure=failure, status=status, challenge=challenge) is retried


@pytest.mark.parametrize(
    ("attempt", "kwargs", "expected"),
    [
        (1, {"status": 200}, Decision("done")),
        (1, {"status": 404}, Decision("done")),
        (1, {"failure": "refused"}, Decision("done")),
        (1, {"status": 503, "challenge": True}, Decision("done")),
        # the server's wait is taken as given, and pauses the host
        (1, {"status": 429, "retry_after": "7"}, Decision("retry", delay=7.0, pause_host=7.0)),
        (1, {"status": 503, "retry_after": "Sat, 01 Mar 2025 12:01:00 GMT"}, Decision("retry", delay=60.0, pause_host=60.0)),
        # Retry-After only on 429 and 503
        (1, {"status": 500, "retry_after": "7"}, "backoff"),
        # too long a wait: give up on the host
        (1, {"status": 429, "retry_after": "600"},
         Decision("give_up_host", reason="HTTP 429 with Retry-After 600 s (over the 120 s cap)")),
        (3, {"status": 429, "retry_after": "600"},
         Decision("give_up_host", reason="HTTP 429 with Retry-After 600 s (over the 120 s cap)")),
        # the last attempt: no sleep, but the host still waits as asked
        (3, {"status": 503, "retry_after": "7"}, Decision("exhausted", pause_host=7.0)),
        (3, {"status": 502}, Decision("exhausted")),
        (3, {"failure": "timeout"}, Decision("exhausted")),
        (2, {"failure": "timeout"}, "backoff"),
        (1, {"status": 429, "retry_after": "soon"}, "backoff"),
    ],
)
def test_decisions(attempt: int, kwargs: dict, expected: Decision | str) -> None:
    got = decide(POLICY, attempt, now=NOW, rng=random.Random(5), **kwargs)
    if expected == "backoff":
        assert got == Decision("retry", delay=backoff_delay(attempt, 0.5, 30.0, random.Random(5)))
        assert 0.0 <= got.delay <= 0.5 * 2 ** (attempt - 1)
    else:
        assert got == expected


def test_no_random_number_is_drawn_unless_a_backoff_is_needed() -> None:
    rng = random.Random(11)
    decide(POLICY, 3, failure="timeout", now=NOW, rng=rng)  # exhausted
    decide(POLICY, 1, status=429, retry_after="3", now=NOW, rng=rng)  # the server's wait
    assert rng.random() == random.Random(11).random()
