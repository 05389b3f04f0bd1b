"""Rules added after scoring real news pages in seven languages (bench/external_news.py): each in isolation.

Every page here is a small hand-written document; each test shows the rule firing and, beside it,
the case where it must not (so that a rule that always fires, or never, fails here).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from govpress.extract import extract_jobs, extract_one, read_manifest
from govpress.parsers import generic
from govpress.parsers.release import ParseContext

PROSE = (
    "<p>The council has approved a plan to plant twelve thousand street trees over the next five years, starting "
    "with the districts that have the least shade.</p><p>Residents will be able to request a tree through the "
    "council's website, and volunteers will help to water young trees during the summer.</p>"
)
OLD_MTIME = datetime(2020, 2, 2, tzinfo=timezone.utc)  # what a package build stamps on every file it ships


def page(head: str = "", body: str = "", title: str = "Street trees plan approved") -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body><article><h1>{title}</h1>{body or PROSE}</article></body></html>").encode()


def day(release) -> str | None:
    return release.published_at.date().isoformat() if release.published_at else None


# ----------------------------------------------------------------------------- a guessed fetch time

STAMPED = "<meta property='article:published_time' content='2023-11-02T19:53:52Z'>"


def test_a_stated_date_after_a_guessed_fetch_time_is_kept() -> None:
    guessed = ParseContext(fetched_at=OLD_MTIME, fetched_at_guessed=True)
    assert day(generic.parse(page(STAMPED), "https://city.example/news/trees", guessed)) == "2023-11-02"


def test_a_stated_date_after_a_real_fetch_time_is_still_refused() -> None:
    fetched = ParseContext(fetched_at=OLD_MTIME)  # a fetcher's clock: the page cannot be newer than its fetch
    assert day(generic.parse(page(STAMPED), "https://city.example/news/trees", fetched)) is None


def test_a_guessed_fetch_time_moved_up_also_anchors_dates_without_a_year() -> None:
    # The page's own stamp says it existed on 2 November 2023; its visible "3 November" is then that year's.
    head = "<meta property='article:modified_time' content='2023-11-04T08:00:00Z'>"
    body = "<p class='date'>3 November</p>" + PROSE
    guessed = ParseContext(fetched_at=OLD_MTIME, fetched_at_guessed=True)
    assert day(generic.parse(page(head, body), "https://city.example/news/trees", guessed)) == "2023-11-03"


def test_extract_reads_a_file_with_an_old_modification_time_by_its_stated_date(tmp_path: Path) -> None:
    saved = tmp_path / "trees.html"
    saved.write_bytes(page(STAMPED))
    os.utime(saved, (OLD_MTIME.timestamp(), OLD_MTIME.timestamp()))
    record = extract_one(saved, "https://city.example/news/trees")
    assert record["published_at"].startswith("2023-11-02")
    # A manifest's fetched_at is a statement, not a guess: the same page read as fetched in 2020 has no date.
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": "trees.html", "url": "https://city.example/news/trees",
                                    "fetched_at": OLD_MTIME.isoformat()}) + "\n")
    (stated,) = extract_jobs(read_manifest(manifest), workers=1)
    assert stated["published_at"] is None
