"""A faithful record, end to end: the generated site edits and withdraws releases on every channel kind
(feed, sitemap, HTML listing, JSON index, files) and the pipeline (no Prefect, a chosen clock) records
each as a version with its diff or as an event, on a site that moves to a new port between runs.
"""

from __future__ import annotations

import asyncio
import json
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from govpress.archive import Archive
from govpress.demo.localsite import LocalSiteServer, SiteManifest, generate_site
from govpress.demo.localsite.generator import can_retype
from govpress.demo.run import render_registry
from govpress.fetch.client import Fetcher
from govpress.pipeline import RunContext, SourceOutcome, run_source
from govpress.plan import RunParams
from govpress.demo.reliability import DEMO_TEMPLATE
from govpress.registry import Registry
from govpress.store import Store
from govpress.urls import release_id

# Every channel's edits and withdrawals over several runs of the generated site: half a minute, run with -m heavy.
pytestmark = pytest.mark.heavy

PER_SOURCE = 40
T1 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
SOURCE_OF = {"minfin": "demo_minfin", "mfa-en": "demo_mfa_en", "agency-ru": "demo_agency_ru",
             "agency-en": "demo_agency_en", "docs": "demo_documents"}

GENERATED_IDS = frozenset(s["id"] for s in tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))["source"])
"""The generated site's sources (the demo registry also holds the constructed and real pages' sources)."""


@dataclass
class Record:
    """One database and one generated site, served on a new port for every run."""

    root: Path
    per_source: int = PER_SOURCE
    dates: tuple[datetime, datetime] | None = None
    requests: dict[str, int] = field(default_factory=dict)

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def store(self) -> Store:
        return Store(self.root / "govpress.duckdb")

    def generate(self, **changes) -> SiteManifest:
        return generate_site(self.site, per_source=self.per_source, dates=self.dates, **changes)

    def run(self, now: datetime, run_id: str, port: int = 0) -> dict[str, SourceOutcome]:
        with LocalSiteServer(self.site, port=port) as server:
            registry = Registry.model_validate(tomllib.loads(
                render_registry(server.base_url, pages=None, seed=None, site=self.site)))
            outcomes = asyncio.run(self._run(registry, now, run_id))
            self.requests = {"base_url": server.base_url, "total": len(server.requests)}  # type: ignore[dict-item]
        return {o.source_id: o for o in outcomes}

    async def _run(self, registry: Registry, now: datetime, run_id: str) -> list[SourceOutcome]:
        store = self.store
        store.migrate()
        archive = Archive(self.root / "archive")
        async with Fetcher(archive=archive, user_agent="govpress-test", retries=1, backoff_base=0.01) as fetcher:
            ctx = RunContext(run_id=run_id, store=store, archive=archive, fetcher=fetcher, params=RunParams(), now=now,
                             base_dir=self.root)
            return list(await asyncio.gather(*(run_source(ctx, s) for s in registry.source if s.id in GENERATED_IDS)))

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with self.store.reader(fts=False) as con:
            return con.execute(sql, params or []).fetchall()


def every_change(manifest: SiteManifest) -> dict[str, str]:
    """On each channel kind, among the newest releases (inside what a feed, listing or index shows first):
    a retitle, a body edit, a typography-only edit and the withdrawals the channel can have."""
    changes: dict[str, str] = {}
    for publisher, info in manifest.publishers.items():
        newest = info.releases[:10]
        changes[newest[0].id], changes[newest[1].id] = "retitle", "body"
        changes[next(r.id for r in newest[2:] if can_retype(r))] = "typography"
        rest = [r.id for r in newest if r.id not in changes]
        for kind, release in zip(("gone404", "gone410", "redirect", "soft404") if publisher != "docs" else ("gone404",), rest):
            changes[release] = kind
    return changes


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> Record:
    return Record(tmp_path_factory.mktemp("record"))


def ids_by_kind(manifest: SiteManifest, changes: dict[str, str], site: Path, *kinds: str) -> set[str]:
    return {release_id_of(manifest, site, r) for r, kind in changes.items() if kind in kinds}


def release_id_of(manifest: SiteManifest, site: Path, release: str) -> str:
    """The stored release_id of a generated release (documents are files on disk, read by file URL)."""
    info = manifest.release(release)
    if info.publisher == "docs":
        return release_id("demo_documents", (site / info.path.lstrip("/")).resolve().as_uri())
    return release_id(SOURCE_OF[info.publisher], "http://127.0.0.1" + info.path)  # ids do not depend on the origin


def test_every_edit_and_withdrawal_on_every_channel_is_recorded_across_port_moves(record: Record) -> None:
    base = record.generate()
    first = record.run(T1, "run-1")
    assert all(o.status == "ok" and o.new + o.duplicate == o.discovered for o in first.values()), first
    before = {r[0]: r[1:] for r in record.rows("SELECT release_id, content_hash, version, status, title FROM releases")}
    old_base = record.requests["base_url"]

    changes = every_change(base)
    changed = record.generate(changes=changes, changed_at=dict.fromkeys(changes, T1 + timedelta(minutes=20)))
    second = record.run(T1 + timedelta(hours=1), "run-2")  # a new server: another port
    assert record.requests["base_url"] != old_base
    assert all(o.status == "ok" and o.unchecked == 0 and o.failed == 0 for o in second.values()), second
    by = {kind: ids_by_kind(base, changes, record.site, kind) for kind in set(changes.values())}

    after = {r[0]: r[1:] for r in record.rows("SELECT release_id, content_hash, version, status, title FROM releases")}
    assert set(after) == set(before)  # every row is kept
    touched = set().union(*by.values())
    extra = {k for k in before if after[k] != before[k]} - touched
    assert not extra, [(before[k], after[k]) for k in extra][:3]  # nothing else changes
    assert {k for k in before if after[k][:3] != before[k][:3]} == touched - by["typography"]

    # Every real edit is a version with its paragraph diff; the typography-only edit is not.
    versions = {r[0]: r[1:] for r in record.rows(
        "SELECT release_id, version, diff, paragraphs_added + paragraphs_removed + paragraphs_changed FROM release_versions "
        "WHERE version > 1")}
    assert set(versions) == by["retitle"] | by["body"]
    assert all(v[0] == 2 and v[1] is not None for v in versions.values())
    assert all(versions[k][2] >= 1 and json.loads(versions[k][1]) for k in by["body"])
    assert all(after[k][1] == 1 for k in by["typography"])

    events = record.rows("SELECT release_id, kind, http_status, final_url, title_before, title_after FROM release_events "
                         "WHERE run_id = 'run-2'")
    kinds = {(e[0], e[1]) for e in events}
    assert kinds == ({(k, "retitled") for k in by["retitle"]} | {(k, "edited") for k in by["body"]}
                     | {(k, "trivial_edit") for k in by["typography"]}
                     | {(k, "withdrawn") for k in by["gone404"] | by["gone410"] | by["soft404"]}
                     | {(k, "redirected") for k in by["redirect"]})
    status = {e[0]: e[2] for e in events if e[1] == "withdrawn"}
    assert {status[k] for k in by["gone410"]} == {410}
    assert {status[k] for k in by["gone404"]} == {404, None}  # None: the deleted document (no HTTP)
    assert {status[k] for k in by["soft404"]} == {200}  # the site's "page not found" template, answered with 200
    evidence = dict(record.rows("SELECT release_id, evidence FROM release_events WHERE run_id = 'run-2' AND kind = 'withdrawn'"))
    assert all("not-found page" in evidence[k] for k in by["soft404"]), [evidence[k] for k in by["soft404"]]
    assert all(e[3].endswith(("/minfin/news/", "/mfa-en/", "/agency/ru/news/", "/agency/en/news/"))
               for e in events if e[1] == "redirected")
    titles = {e[0]: (e[4], e[5]) for e in events if e[1] == "retitled"}
    assert {titles[rid_] for rid_ in by["retitle"]} == {
        (base.release(r).title, changed.release(r).title) for r, kind in changes.items() if kind == "retitle"}
    statuses = {k: after[k][2] for k in touched}
    assert {statuses[k] for k in by["gone404"] | by["gone410"] | by["soft404"]} == {"withdrawn"}
    assert {statuses[k] for k in by["redirect"]} == {"redirected"}
    trivial = record.rows("SELECT release_id, version FROM release_history WHERE trivial")
    assert {r[0] for r in trivial} == by["typography"] and {r[1] for r in trivial} == {1}
    # No request went to the origin the site had before: stored URLs were rebased.
    assert record.rows("SELECT count(*) FROM fetches WHERE run_id = 'run-2' AND url LIKE ?", [old_base + "%"]) == [(0,)]

    # Third run, third port: the withdrawn pages come back (the edits stay): each is restored.
    record.generate(changes={r: k for r, k in changes.items() if k in ("retitle", "body", "typography")},
                    changed_at=dict.fromkeys(changes, T1 + timedelta(minutes=20)))
    third = record.run(T1 + timedelta(hours=2), "run-3")
    assert all(o.status == "ok" and o.unchecked == 0 for o in third.values()), third
    gone = by["gone404"] | by["gone410"] | by["redirect"] | by["soft404"]
    assert {r[0] for r in record.rows("SELECT release_id FROM release_events WHERE run_id = 'run-3' AND kind = 'restored'")} == gone
    assert {r[0] for r in record.rows("SELECT release_id FROM release_events WHERE run_id = 'run-3' AND kind <> 'restored'")} == set()
    assert record.rows("SELECT DISTINCT status FROM releases") == [("live",)]
    assert record.rows("SELECT count(*) FROM releases WHERE removed_at IS NOT NULL") == [(0,)]


def test_a_quiet_run_costs_about_one_request_per_source(record: Record, port_factory) -> None:
    port = port_factory()
    record.run(T1 + timedelta(hours=3), "run-moved", port)  # another origin: its pages are read whole once
    outcomes = record.run(T1 + timedelta(hours=4), "run-quiet", port)
    fetches = dict(record.rows("SELECT source_id, count(*) FROM fetches WHERE run_id = 'run-quiet' "
                               "AND url LIKE 'http%' GROUP BY ALL"))
    sitemaps = len(list((record.site / "mfa-en").glob("sitemap*.xml")))  # the index and one per year
    assert all(o.new == o.updated == o.removed == 0 for o in outcomes.values())
    assert all(o.fetched == 0 for o in outcomes.values() if o.source_id != "demo_documents")  # files are read, not fetched
    assert fetches == {"demo_minfin": 1, "demo_agency_ru": 1, "demo_agency_en": 1, "demo_mfa_en": sitemaps}
    assert record.rows("SELECT DISTINCT outcome FROM fetches WHERE run_id = 'run-quiet' AND url LIKE 'http%'") == [
        ("not_modified",)]


def test_a_silent_edit_is_found_by_the_hourly_recheck_of_a_young_release(tmp_path: Path) -> None:
    day = datetime(2026, 11, 10)
    young = Record(tmp_path, per_source=6, dates=(day, day))  # every release published that day
    now = datetime(2026, 11, 10, 20, 30, tzinfo=timezone.utc)  # after the last (21:00 local at the latest)
    base = young.generate(as_of=now)
    young.run(now, "run-1")
    targets = {p.releases[0].id: "silent" for name, p in base.publishers.items() if name != "docs"}
    young.generate(as_of=now, changes=targets)

    soon = young.run(now + timedelta(minutes=30), "run-2")  # not due yet: nothing says the pages changed
    assert sum(o.updated for o in soon.values()) == 0
    due = young.run(now + timedelta(hours=1), "run-3")  # hourly in their first day
    silent = {release_id_of(base, young.site, r) for r in targets}
    assert {r[0] for r in young.rows("SELECT release_id FROM release_versions WHERE version = 2")} == silent
    assert {r[0] for r in young.rows("SELECT release_id FROM release_events WHERE kind = 'edited'")} == silent
    # One request per release per recheck: discovery, then each stored web release once (304 or 200).
    per_source = dict(young.rows("SELECT source_id, count(*) FILTER (WHERE purpose = 'recheck') FROM fetches "
                                 "WHERE run_id = 'run-3' GROUP BY ALL"))
    stored = dict(young.rows("SELECT source_id, count(*) FROM releases GROUP BY ALL"))
    assert {s: per_source.get(s, 0) for s in stored if s != "demo_documents"} == {
        s: n for s, n in stored.items() if s != "demo_documents"}
    assert sum(o.updated for o in due.values()) == len(silent)
