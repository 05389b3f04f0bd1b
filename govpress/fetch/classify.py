"""What a fetch came to, decided purely: status, headers and body (or the error raised) in, an outcome out.

The outcomes are the vocabulary of ``fetches.outcome``:

========== ===========================================================================
ok          2xx with the page asked for (the body is kept)
not_modified 304 to a conditional GET
gone        404 or 410: the page is not there (a removal check's answer)
blocked     a challenge, anti-bot or access page, whatever the status (body kept as evidence;
            the detector is :mod:`govpress.parsers.blocked`)
http_error  any other status, a redirect that cannot be followed, retries exhausted, a malformed
            response (a head over 100 KiB, an illegal status or header line: not retried)
network_error, timeout   the exchange failed (also a corrupt or truncated compressed body)
too_large   over the size cap, or a compression bomb
refused     the address guard said no (or the URL is invalid)
robots      robots.txt disallows the URL
circuit_open the host failed too often this run
========== ===========================================================================

robots.txt is fetched with ``detect_blocks=False``: its rules come from its status alone (RFC 9309).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import h11
import httpx

from govpress.fetch.decode import BodyError
from govpress.fetch.netguard import Refused
from govpress.fetch.retry import RETRY_STATUSES
from govpress.parsers.blocked import blocked_reason

Outcome = Literal[
    "ok", "not_modified", "http_error", "gone", "network_error", "timeout", "blocked", "refused",
    "robots", "too_large", "circuit_open",
]

# Outcomes that count against a host's circuit breaker, and those that prove it healthy.
_FAILURES = frozenset({"network_error", "timeout", "blocked"})
_SUCCESSES = frozenset({"ok", "not_modified", "gone"})


@dataclass(frozen=True)
class Verdict:
    """The outcome of a response, why (``error``), and whether its body is kept (content or evidence)."""

    outcome: Outcome
    error: str | None = None
    keep_body: bool = False


def classify_response(status: int, headers: Mapping[str, str], body: bytes, *, detect_blocks: bool = True) -> Verdict:
    """The verdict on a final (non-redirect) response."""
    if status == 304:
        return Verdict("not_modified")
    if 200 <= status < 300:
        reason = blocked_reason(body, status=status, headers=headers) if detect_blocks else None
        return Verdict("blocked", reason, True) if reason else Verdict("ok", None, True)
    if status in (404, 410):
        return Verdict("gone", f"HTTP {status}")
    if status >= 400 and detect_blocks and (reason := blocked_reason(body, status=status, headers=headers)):
        return Verdict("blocked", reason, True)
    return Verdict("http_error", f"HTTP {status}")


def is_challenge(status: int, headers: Mapping[str, str], body: bytes) -> bool:
    """Is this (retryable-looking) response a challenge page? Retrying will not make it go away."""
    return blocked_reason(body, status=status, headers=headers) is not None


def error_outcome(exc: BaseException) -> tuple[Outcome, str] | None:
    """The outcome of an exchange that raised ``exc`` instead of answering; None for an error that is a bug."""
    if isinstance(exc, Refused):  # the connect-time check saw an address the first check did not
        return "refused", exc.reason
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return "timeout", f"timeout: {type(exc).__name__} {exc}".strip()
    if isinstance(exc, BodyError):
        return exc.outcome, str(exc)  # type: ignore[return-value]
    if (malformed := malformed_response(exc)) is not None:
        return "http_error", f"malformed HTTP response (not retried: the server sends the same bytes again): {malformed}"
    if isinstance(exc, (httpx.TransportError, httpx.HTTPError, httpx.StreamError)):
        return "network_error", f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.InvalidURL):
        return "refused", f"invalid URL: {exc}"
    return None


RESPONSE_HEAD_CAP = 100 * 1024
"""httpcore's h11 reads at most this much of a response's status line and headers; a longer head
is a protocol error ("Receive buffer too long"), caught before it is buffered whole."""


def malformed_response(exc: BaseException) -> str | None:
    """What was malformed when the server's bytes broke HTTP itself, or None for a transient failure.

    h11 parsed the bytes and refused them (a head over :data:`RESPONSE_HEAD_CAP`, an illegal status
    or header line): the same request gets the same bytes, so retrying only repeats it. A peer that
    closed early ("peer closed connection without sending complete message body", httpcore's
    "Server disconnected") is a network failure and stays retryable.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, h11.RemoteProtocolError):
            text = str(current)
            if text.startswith("peer closed connection"):
                return None
            if text == "Receive buffer too long":
                return f"response head over {RESPONSE_HEAD_CAP // 1024} KiB (status line and headers)"
            return text
        current = current.__cause__ or current.__context__
    return None


def host_health(outcome: Outcome, status: int | None) -> Literal["failure", "success"] | None:
    """What a result says about its host, for the circuit breaker (None: nothing either way)."""
    if outcome in _FAILURES or (outcome == "http_error" and (status or 0) in RETRY_STATUSES):
        return "failure"
    if outcome in _SUCCESSES or (outcome == "http_error" and status and status < 500):
        return "success"
    return None
