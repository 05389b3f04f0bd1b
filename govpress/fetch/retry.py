"""Retries, decided purely: which attempts are retried, how long to wait, when to give up on a host.

- Retried: timeouts and connection errors, and HTTP 429, 500, 502, 503, 504, except a challenge
  page served with one of those statuses (Cloudflare does): waiting will not make it go away.
- The wait: the server's ``Retry-After`` (on 429 and 503, seconds or an HTTP-date) when it gives
  one, which also pauses every request to that host; else :func:`backoff_delay`.
- A ``Retry-After`` longer than ``max_retry_after`` gives up on the host for the run (the fetcher
  opens its circuit) instead of holding a worker that long.

:func:`backoff_delay` is the project's one backoff formula (the store's lock retries use it too):
exponential, capped, with jitter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Literal

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
RETRIED_FAILURES = frozenset({"timeout", "network_error"})
FULL_JITTER = (0.0, 1.0)
"""Uniform over the whole ceiling: retries from many clients spread out best (the fetcher's choice)."""


def backoff_delay(
    attempt: int,
    base: float = 0.5,
    cap: float = 30.0,
    rng: random.Random | None = None,
    jitter: tuple[float, float] = FULL_JITTER,
) -> float:
    """Seconds to wait before retry ``attempt`` (1, 2, ...): ``min(cap, base * 2**(attempt-1))`` times a
    factor drawn uniformly from ``jitter``, never over ``cap``.

    The default (full jitter) draws from [0, ceiling]; ``jitter=(0.75, 1.25)`` keeps each wait within
    25% of the doubling schedule, so waits still grow one after another.
    """
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    low, high = jitter
    return min(cap, ceiling * (rng or random).uniform(low, high))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def is_retried(*, failure: str | None = None, status: int | None = None, challenge: bool = False) -> bool:
    """Is an attempt that ended in ``failure`` (an outcome, when no response came) or ``status`` worth another try?"""
    if failure is not None:
        return failure in RETRIED_FAILURES
    return status in RETRY_STATUSES and not challenge


@dataclass(frozen=True)
class RetryPolicy:
    """How many retries after the first attempt, and the limits of the waits between them."""

    retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = 120.0


Action = Literal["done", "retry", "exhausted", "give_up_host"]


@dataclass(frozen=True)
class Decision:
    """What to do after an attempt.

    ``done``: keep this attempt's result; ``retry``: sleep ``delay`` seconds, then try again;
    ``exhausted``: no retries left; ``give_up_host``: the server asked for a wait over the cap
    (``reason`` says so). ``pause_host`` is the server's Retry-After, for which every request to
    the host waits.
    """

    action: Action
    delay: float | None = None
    pause_host: float | None = None
    reason: str | None = None


def decide(
    policy: RetryPolicy,
    attempt: int,
    *,
    failure: str | None = None,
    status: int | None = None,
    challenge: bool = False,
    retry_after: str | None = None,
    now: datetime,
    rng: random.Random | None = None,
) -> Decision:
    """The decision after attempt number ``attempt`` (1-based) ended in ``failure`` or ``status``.

    ``retry_after`` is the response's header; ``rng`` draws the backoff (only when one is needed,
    so a seeded run draws the same numbers in the same order).
    """
    if not is_retried(failure=failure, status=status, challenge=challenge):
        return Decision("done")
    wait = parse_retry_after(retry_after, now) if failure is None and status in RETRY_AFTER_STATUSES else None
    if wait is not None and wait > policy.max_retry_after:
        return Decision(
            "give_up_host",
            reason=f"HTTP {status} with Retry-After {wait:.0f} s (over the {policy.max_retry_after:.0f} s cap)",
        )
    if attempt > policy.retries:
        return Decision("exhausted", pause_host=wait)
    delay = wait if wait is not None else backoff_delay(attempt, policy.backoff_base, policy.backoff_cap, rng)
    return Decision("retry", delay=delay, pause_host=wait)
