"""The outcome of a response or of an error (govpress.fetch.classify): pure, so tables of cases."""

from __future__ import annotations

import httpx
import pytest

from govpress.fetch.classify import Verdict, classify_response, error_outcome, host_health, is_challenge
from govpress.fetch.decode import BodyError, BodyTooLarge
from govpress.fetch.netguard import Refused

HTML = {"content-type": "text/html; charset=utf-8"}
PAGE = (b"<html><head><title>Talks</title></head><body><article><h1>Talks</h1>"
        b"<p>The ministers met. They agreed on trade.</p></article></body></html>")
CHALLENGE = b"<html><head><title>Just a moment...</title></head><body></body></html>"
FEED = {"content-type": "application/rss+xml"}


@pytest.mark.parametrize(
    ("status", "headers", "body", "detect", "expected"),
    [
        (200, HTML, PAGE, True, Verdict("ok", None, True)),
        (203, HTML, PAGE, True, Verdict("ok", None, True)),
        (200, FEED, b"<rss><channel/></rss>", True, Verdict("ok", None, True)),
        (304, HTML, b"", True, Verdict("not_modified")),
        (404, HTML, b"<html><title>Not found</title></html>", True, Verdict("gone", "HTTP 404")),
        (410, {}, b"", True, Verdict("gone", "HTTP 410")),
        (200, HTML, CHALLENGE, True, Verdict("blocked", "Cloudflare challenge (Just a moment...)", True)),
        (200, {**HTML, "x-amzn-waf-action": "challenge"}, b"", True,
         Verdict("blocked", "AWS WAF challenge [x-amzn-waf-action header]", True)),
        (503, HTML, CHALLENGE, True, Verdict("blocked", "Cloudflare challenge (Just a moment...) (HTTP 503)", True)),
        (403, HTML, b"<html><body>Forbidden</body></html>", True, Verdict("blocked", "HTTP 403 without content", True)),
        (451, {}, b"", True, Verdict("blocked", "HTTP 451 (unavailable for legal reasons)", True)),
        (500, HTML, b"<html><body><h1>Internal error</h1></body></html>", True, Verdict("http_error", "HTTP 500")),
        (503, {}, b"", True, Verdict("http_error", "HTTP 503")),
        (300, HTML, PAGE, True, Verdict("http_error", "HTTP 300")),
        # robots.txt: its status alone counts, never a block
        (200, HTML, CHALLENGE, False, Verdict("ok", None, True)),
        (403, {}, b"", False, Verdict("http_error", "HTTP 403")),
        (404, {}, b"", False, Verdict("gone", "HTTP 404")),
    ],
)
def test_responses(status: int, headers: dict, body: bytes, detect: bool, expected: Verdict) -> None:
    assert classify_response(status, headers, body, detect_blocks=detect) == expected


def test_challenges_among_retryable_responses() -> None:
    assert is_challenge(503, HTML, CHALLENGE)
    assert is_challenge(429, {"cf-mitigated": "challenge"}, b"")
    assert not is_challenge(503, HTML, b"<html><body><h1>Service Unavailable</h1><p>Back soon.</p></body></html>")


@pytest.mark.parametrize(
    ("exc", "outcome", "text"),
    [
        (Refused("address 127.0.0.1 is loopback"), "refused", "address 127.0.0.1 is loopback"),
        (TimeoutError(), "timeout", "timeout: TimeoutError"),
        (httpx.ReadTimeout("read"), "timeout", "timeout: ReadTimeout read"),
        (BodyError("network_error", "compressed body ended early (truncated)"), "network_error", "truncated"),
        (BodyTooLarge("body exceeds max_bytes 10"), "too_large", "max_bytes"),
        (httpx.ConnectError("connection refused"), "network_error", "ConnectError: connection refused"),
        (httpx.RemoteProtocolError("peer closed"), "network_error", "RemoteProtocolError"),
        (httpx.InvalidURL("bad host"), "refused", "invalid URL: bad host"),
    ],
)
def test_errors(exc: BaseException, outcome: str, text: str) -> None:
    got = error_outcome(exc)
    assert got is not None and got[0] == outcome and text in got[1]


def h11_failure(text: str) -> httpx.RemoteProtocolError:
    """An httpx error raised, as httpcore raises it, from h11's verdict on the bytes received."""
    import h11

    try:
        try:
            raise h11.RemoteProtocolError(text, 400)
        except h11.RemoteProtocolError as inner:
            raise httpx.RemoteProtocolError(text) from inner
    except httpx.RemoteProtocolError as outer:
        return outer


@pytest.mark.parametrize(
    ("text", "outcome", "shown"),
    [
        ("Receive buffer too long", "http_error", "response head over 100 KiB"),
        ("illegal status line: bytearray(b'HTTP/1.1 2x0 OK')", "http_error", "illegal status line"),
        ("illegal header line: bytearray(b'X Pad')", "http_error", "illegal header line"),
        ("peer closed connection without sending complete message body (received 2 bytes, expected 100)",
         "network_error", "peer closed"),
    ],
)
def test_malformed_responses_are_permanent_and_early_closes_transient(text: str, outcome: str, shown: str) -> None:
    got = error_outcome(h11_failure(text))
    assert got is not None and got[0] == outcome and shown in got[1]


def test_an_error_that_is_a_bug_is_not_classified() -> None:
    assert error_outcome(KeyError("x")) is None
    assert error_outcome(ValueError("x")) is None


@pytest.mark.parametrize(
    ("outcome", "status", "health"),
    [
        ("ok", 200, "success"),
        ("not_modified", 304, "success"),
        ("gone", 404, "success"),
        ("http_error", 400, "success"),  # the host answered: it is up
        ("http_error", 503, "failure"),
        ("http_error", 429, "failure"),
        ("http_error", 501, None),
        ("timeout", None, "failure"),
        ("network_error", None, "failure"),
        ("blocked", 200, "failure"),
        ("refused", None, None),
        ("robots", None, None),
        ("too_large", 200, None),
        ("circuit_open", None, None),
    ],
)
def test_what_a_result_says_about_its_host(outcome: str, status: int | None, health: str | None) -> None:
    assert host_health(outcome, status) == health
