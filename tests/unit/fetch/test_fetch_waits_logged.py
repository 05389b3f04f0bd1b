"""Waits are logged on ``govpress.fetch`` (the flows show govpress.* records in the run's log): Retry-After, retries, a circuit opening."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from tests.unit.fetch.conftest import FakeClock
from tests.unit.fetch.test_fetch import BASE, Site, fetch, html, sequence


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "govpress.fetch"]


def test_a_retry_after_wait_is_logged(clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = Site({"/a": sequence(httpx.Response(429, headers={"retry-after": "7"}), html())})
    with caplog.at_level(logging.INFO, logger="govpress.fetch"):
        [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.ok
    logged = messages(caplog)
    assert "news.example.gov asked us to wait (Retry-After): every request to it waits 7.0 s" in logged
    assert f"{BASE}/a: HTTP 429, retrying in 7.0 s (attempt 1)" in logged


def test_a_circuit_opening_is_logged_once(clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = Site({f"/p{i}": httpx.Response(500) for i in range(6)})
    with caplog.at_level(logging.INFO, logger="govpress.fetch"):
        results = fetch(site, clock, tmp_path, *[f"{BASE}/p{i}" for i in range(6)], retries=0, breaker_threshold=3)
    assert [r.outcome for r in results].count("circuit_open") == 3
    opened = [m for m in messages(caplog) if m.startswith("circuit open for news.example.gov")]
    assert opened == ["circuit open for news.example.gov (3 consecutive failures on news.example.gov): its requests fail fast"]


def test_a_long_retry_after_opening_the_circuit_is_logged(clock: FakeClock, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    site = Site({"/a": httpx.Response(429, headers={"retry-after": "3600"})})
    with caplog.at_level(logging.INFO, logger="govpress.fetch"):
        fetch(site, clock, tmp_path, f"{BASE}/a")
    assert any(m.startswith("circuit open for news.example.gov: HTTP 429 with Retry-After 3600")
               for m in messages(caplog)), messages(caplog)
