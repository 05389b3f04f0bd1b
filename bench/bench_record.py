"""A simulated week of the record: how long an edit or a withdrawal goes unnoticed, per channel kind, and
what the noticing costs in requests.

Usage: ``uv run python bench/bench_record.py [--per-source 60] [--days 7] [--seed 2024] [--budget 20]``.

A fake clock runs over the generated site (govpress/demo/localsite/generator.py): releases appear at
their publication times (``as_of``), and at random moments of the week some are edited or withdrawn
(retitle, body edit, typography-only edit, silent edit that no channel admits, 404, 410, redirect to the
section front page; documents on disk are edited or deleted). Each demo source runs on its own cadence
(demo registry: the feed every 15 minutes, the sitemap, listing and JSON index hourly, the files daily),
through the plain pipeline (no Prefect) with ``RunContext.now`` set to the simulated time, against the
local site server on 127.0.0.1. Printed, from the same run:

* per channel kind and change: how many happened, how many were noticed, the worst and median delay
  from the change to the run that recorded it (a version, or an event), beside the policy's bound;
* per source: runs, requests per run (median, max), requests of quiet runs (nothing new, changed or
  due), and the most requests any release got in one run (the policy allows one).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from cronsim import CronSim

from govpress.archive import Archive
from govpress.demo.localsite import LocalSiteServer, SiteManifest, generate_site
from govpress.demo.localsite.generator import can_retype
from govpress.demo.run import render_registry
from govpress.fetch.client import Fetcher
from govpress.pipeline import RunContext, SourceOutcome, run_source
from govpress.plan import RunParams
from govpress.recheck import OLDER, SCHEDULE
from govpress.registry import Registry, Source
from govpress.store import Store
from govpress.urls import release_id

START = datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)
PUBLISHER_SOURCE = {"minfin": "demo_minfin", "mfa-en": "demo_mfa_en", "agency-ru": "demo_agency_ru",
                    "agency-en": "demo_agency_en", "docs": "demo_documents"}
WEB_CHANGES = ("retitle", "retitle", "body", "body", "typography", "typography", "silent", "silent", "silent",
               "gone404", "gone410", "redirect")
DOC_CHANGES = ("retitle", "body", "typography", "silent", "gone404")
RECORDED_AS = {"retitle": ("retitled",), "body": ("edited",), "silent": ("edited", "retitled"),
               "typography": ("trivial_edit",), "gone404": ("withdrawn",), "gone410": ("withdrawn",),
               "redirect": ("redirected",)}


@dataclass
class Change:
    release: str
    publisher: str
    kind: str
    at: datetime
    noticed: datetime | None = None


def plan_changes(manifest: SiteManifest, days: int, rng: random.Random, runs: dict[str, list[datetime]]) -> list[Change]:
    """Changes at random moments of the week, each on a release its source had already stored then (a run
    of the source came between its publication and the change), half of them on one published within
    the previous day, so the hourly tier is exercised."""
    changes: list[Change] = []
    taken: set[str] = set()
    end = START + timedelta(days=days)

    def stored_before(published: datetime, at: datetime, publisher: str) -> bool:
        return any(published <= tick < at for tick in runs[PUBLISHER_SOURCE[publisher]])

    for publisher, info in manifest.publishers.items():
        for kind in DOC_CHANGES if publisher == "docs" else WEB_CHANGES:
            for _ in range(50):
                at = START + timedelta(seconds=rng.randrange(int((end - START).total_seconds() * 0.9)))
                visible = [r for r in info.releases if r.id not in taken and stored_before(r.published, at, publisher)
                           and (kind != "typography" or can_retype(r))]
                young = [r for r in visible if at - r.published < timedelta(days=1)]
                pool = young if young and rng.random() < 0.5 else visible
                if pool:
                    target = rng.choice(pool)
                    taken.add(target.id)
                    changes.append(Change(target.id, publisher, kind, at))
                    break
    return sorted(changes, key=lambda c: c.at)


def schedule(sources: list[Source], days: int) -> list[tuple[datetime, list[Source]]]:
    """Every tick of the week at which some source is due by its cadence (in its own time zone)."""
    due: dict[datetime, list[Source]] = defaultdict(list)
    end = START + timedelta(days=days)
    for source in sources:
        for moment in CronSim(source.cadence, START.astimezone(ZoneInfo(source.timezone)) - timedelta(seconds=1)):
            moment = moment.astimezone(timezone.utc)
            if moment >= end:
                break
            due[moment].append(source)
    return sorted(due.items())


def stored_id(manifest: SiteManifest, site: Path, change: Change) -> str:
    info = manifest.release(change.release)
    if change.publisher == "docs":
        return release_id("demo_documents", (site / info.path.lstrip("/")).resolve().as_uri())
    return release_id(PUBLISHER_SOURCE[change.publisher], "http://127.0.0.1" + info.path)


def human(delta: timedelta | None) -> str:
    if delta is None:
        return "-"
    minutes = delta.total_seconds() / 60
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h" if minutes < 48 * 60 else f"{minutes / 1440:.1f} d"


def policy_bound(kind: str, channel: str, cadence: timedelta) -> str:
    """The worst case the policy promises for a change of this kind on this channel (README)."""
    run = human(cadence)
    if channel in ("files", "sitemap") and kind != "silent":
        return f"next run ({run})"
    if channel == "files":
        return f"next run ({run})"
    interval = f"recheck interval ({human(SCHEDULE[0][1])}..{human(OLDER)}) + {run}"
    if kind == "silent":
        return interval
    return f"next run ({run}) on the first listing page, else {interval}"


async def run_tick(store: Store, archive: Archive, sources: list[Source], now: datetime, run_id: str) -> list[SourceOutcome]:
    async with Fetcher(archive=archive, user_agent="govpress-bench", retries=1, backoff_base=0.01) as fetcher:
        ctx = RunContext(run_id=run_id, store=store, archive=archive, fetcher=fetcher, params=RunParams(), now=now,
                         base_dir=store.path.parent)
        return list(await asyncio.gather(*(run_source(ctx, s) for s in sources)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-source", type=int, default=60, help="releases per edition over the 30 days before the week and the week")
    parser.add_argument("--days", type=int, default=7, help="simulated days")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--budget", type=int, default=None, help="recheck_budget for every source (default: the registry's)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    started = time.perf_counter()
    span = (START.replace(tzinfo=None) - timedelta(days=30), START.replace(tzinfo=None) + timedelta(days=args.days))

    with tempfile.TemporaryDirectory(prefix="govpress-bench-record-") as tmp:
        root = Path(tmp)
        site = root / "site"
        full = generate_site(site, per_source=args.per_source, dates=span)
        store = Store(root / "govpress.duckdb")
        store.migrate()
        archive = Archive(root / "archive")
        requests: dict[str, list[int]] = defaultdict(list)
        quiet: dict[str, list[int]] = defaultdict(list)
        per_release_max = 0
        regenerations = 0
        with LocalSiteServer(site) as server:
            registry = Registry.model_validate(tomllib.loads(
                render_registry(server.base_url, pages=None, seed=None, site=site)))
            sources = [s for s in registry.source if s.id in PUBLISHER_SOURCE.values()]
            if args.budget is not None:
                sources = [s.model_copy(update={"recheck_budget": args.budget}) for s in sources]
            cadence = {s.id: _cadence(s) for s in sources}
            state: tuple | None = None
            release_paths = {r.path for r in full.releases()}
            ticks = schedule(sources, args.days)
            runs = {s.id: [tick for tick, due in ticks if s in due] for s in sources}
            changes = plan_changes(full, args.days, random.Random(args.seed), runs)
            for tick, due in ticks:
                applied = {c.release: c.kind for c in changes if c.at <= tick}
                visible = sum(1 for r in full.releases() if r.published <= tick)
                if (visible, len(applied)) != state:  # the site changed since the last tick: write it as of now
                    generate_site(site, per_source=args.per_source, dates=span, as_of=tick, changes=applied,
                                  changed_at={c.release: c.at for c in changes if c.at <= tick})
                    state, regenerations = (visible, len(applied)), regenerations + 1
                server.reset_log()
                outcomes = asyncio.run(run_tick(store, archive, due, tick, f"sim-{tick:%Y%m%dT%H%M}"))
                hits = Counter(r.path for r in server.requests if r.path != "/robots.txt")
                per_release_max = max([per_release_max, *(n for p, n in hits.items() if p in release_paths)])
                for outcome in outcomes:
                    spent = sum(n for p, n in hits.items() if _owner(p) == outcome.source_id)
                    if outcome.source_id == "demo_documents":
                        spent = outcome.fetched  # files are read from disk, not requested
                    requests[outcome.source_id].append(spent)
                    if not (outcome.new or outcome.updated or outcome.removed or outcome.fetched or outcome.unchanged):
                        quiet[outcome.source_id].append(spent)

        with store.reader(fts=False) as con:
            for change in changes:
                rid = stored_id(full, site, change)
                row = con.execute(
                    "SELECT min(detected_at) FROM release_events WHERE release_id = ? AND detected_at >= ? AND list_contains(?, kind)",
                    [rid, change.at, list(RECORDED_AS[change.kind])]).fetchone()
                change.noticed = row[0]

    seconds = time.perf_counter() - started
    kinds_of = {s.id: s.kind for s in sources}
    print(f"Simulated {args.days} days from {START:%Y-%m-%d} over {len(ticks)} ticks ({sum(len(v) for v in requests.values())} "
          f"source runs, {regenerations} site generations) in {seconds:.0f} s; per_source={args.per_source}, "
          f"budget={args.budget or 'registry'}\n")
    print("Edit-detection delay (change -> the run that recorded it)")
    print(f"{'channel':<8} {'source':<16} {'change':<11} {'n':>3} {'noticed':>8} {'worst':>9} {'median':>9}  policy bound")
    for source in sources:
        for kind in dict.fromkeys(DOC_CHANGES if source.id == "demo_documents" else WEB_CHANGES):
            mine = [c for c in changes if PUBLISHER_SOURCE[c.publisher] == source.id and c.kind == kind]
            if not mine:
                continue
            delays = [c.noticed - c.at for c in mine if c.noticed is not None]
            worst = max(delays, default=None)
            median = timedelta(seconds=statistics.median(d.total_seconds() for d in delays)) if delays else None
            print(f"{kinds_of[source.id]:<8} {source.id:<16} {kind:<11} {len(mine):>3} {len(delays):>8} {human(worst):>9} "
                  f"{human(median):>9}  {policy_bound(kind, kinds_of[source.id], cadence[source.id])}")
    print("\nRequests per source run (robots.txt, once per tick, not counted)")
    print(f"{'source':<16} {'runs':>5} {'median':>7} {'max':>5} {'quiet runs':>11} {'quiet median':>13} {'quiet max':>10}")
    for source in sources:
        spent, calm = requests[source.id], quiet[source.id]
        print(f"{source.id:<16} {len(spent):>5} {statistics.median(spent):>7.0f} {max(spent):>5} {len(calm):>11} "
              f"{(statistics.median(calm) if calm else 0):>13.0f} {max(calm, default=0):>10}")
    print(f"\nMost requests one release page got in one run: {per_release_max} (the policy allows 1)")
    missed = [c for c in changes if c.noticed is None]
    end = START + timedelta(days=args.days)
    for change in missed:
        source = PUBLISHER_SOURCE[change.publisher]
        next_run = next((t for t in runs[source] if t > change.at), None)
        print(f"not noticed by the end: {change.release} {change.kind} at {change.at:%m-%d %H:%M} "
              f"({human(end - change.at)} before the end; the source's next run: "
              f"{'after the end' if next_run is None else f'{next_run:%m-%d %H:%M}'})")


def _cadence(source: Source) -> timedelta:
    first, second = [m for _, m in zip(range(2), CronSim(source.cadence, START))]
    return second - first


def _owner(path: str) -> str | None:
    for prefix, source in (("/minfin/", "demo_minfin"), ("/mfa-en/", "demo_mfa_en"), ("/agency/ru/", "demo_agency_ru"),
                           ("/agency/en/", "demo_agency_en")):
        if path.startswith(prefix):
            return source
    return None


if __name__ == "__main__":
    main()
