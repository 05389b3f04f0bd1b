"""Streaming discovery (govpress/pipeline.py): a source's pages are fetched while its walk goes on, the walk
waits when the batches are busy, removal checks wait for the whole walk, and an interrupted stream resumes.

A fake fetcher serves a hand-made Atom feed (or sitemap) from memory and logs every request in order;
it can hold requests back (an :class:`asyncio.Event`) to make the interleaving deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from govpress import pipeline
from govpress.archive import Archive
from govpress.fetch.client import FetchResult
from govpress.pipeline import PIPELINE_DEPTH, RunContext, RunParams, discover_source, process_batch, run_source
from govpress.registry import Source
from govpress.store import Store
from factories import make_source

BASE = "http://127.0.0.1:9"
NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def release_page(n: int) -> bytes:
    words = " ".join(f"w{n}x{i}" for i in range(40))
    return (f"<!doctype html><html lang='en'><head><title>Release number {n}</title>"
            f"<meta property='article:published_time' content='{(NOW - timedelta(hours=n)).isoformat()}'></head>"
            f"<body><article><h1>Release number {n}</h1><p>The ministry announced item {n} today. {words}.</p>"
            f"<p>Further details of item {n} were given at a briefing in the afternoon, {words}.</p>"
            f"</article></body></html>").encode()


def feed_page(page: int, pages: int, per_page: int) -> bytes:
    nxt = f'<link rel="next" href="{BASE}/feed/{page + 1}"/>' if page < pages else ""
    entries = "".join(
        f"<entry><title>Release number {n}</title><link href='{BASE}/news/{n}'/><id>{BASE}/news/{n}</id>"
        f"<updated>{(NOW - timedelta(hours=n)).isoformat()}</updated></entry>"
        for n in range((page - 1) * per_page + 1, page * per_page + 1))
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>{nxt}{entries}</feed>'.encode()


def sitemap(urls: list[str]) -> bytes:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'.encode()


def sitemap_index(children: list[str]) -> bytes:
    locs = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in children)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'.encode()


class FakeFetcher:
    """Pages from a dict; every request logged as (purpose, path) in order; ``hold(url)`` may await first."""

    def __init__(self, archive: Archive, pages: dict[str, bytes], hold: Callable | None = None) -> None:
        self.archive, self.pages, self.hold = archive, pages, hold
        self.log: list[tuple[str, str]] = []
        self.in_flight = self.peak = 0

    async def fetch(self, url: str, source: Source, *, purpose: str, etag=None, last_modified=None) -> FetchResult:
        self.log.append((purpose, url.removeprefix(BASE)))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight) if purpose in ("new", "removal_check") else self.peak
        try:
            if self.hold is not None:
                await self.hold(purpose, url)
            await asyncio.sleep(0)
            body = self.pages.get(url)
        finally:
            self.in_flight -= 1
        kind = "application/atom+xml" if "/feed/" in url else "application/xml" if "sitemap" in url else "text/html"
        return FetchResult(
            url=url, final_url=url, purpose=purpose, outcome="ok" if body is not None else "gone",
            status=200 if body is not None else 404, body=body, content_type=kind, charset="utf-8", etag=None,
            last_modified=None, started_at=datetime.now(timezone.utc), elapsed_ms=1.0, attempts=1, error=None,
            archive_key=self.archive.put(body) if body is not None else None)


def feed_site(pages: int, per_page: int) -> dict[str, bytes]:
    site = {f"{BASE}/feed/{p}": feed_page(p, pages, per_page) for p in range(1, pages + 1)}
    site.update({f"{BASE}/news/{n}": release_page(n) for n in range(1, pages * per_page + 1)})
    return site


def feed_source(**extra) -> Source:
    return make_source(id="stream", languages=["en"], timezone="UTC", kind="feed", start_urls=[f"{BASE}/feed/1"],
                       max_pages=100, max_items=10_000, **extra)


def context(tmp_path: Path, fetcher_for: Callable[[Archive], FakeFetcher], name: str = "s") -> RunContext:
    store = Store(tmp_path / f"{name}.duckdb")
    store.migrate()
    archive = Archive(tmp_path / f"{name}-archive")
    return RunContext(run_id=f"run-{name}", store=store, archive=archive, fetcher=fetcher_for(archive),
                      params=RunParams(), now=NOW)


def releases(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT url, title, body_text, published_at FROM releases ORDER BY url").fetchall()
    finally:
        con.close()


def test_the_first_pages_release_is_fetched_before_the_last_discovery_page(tmp_path: Path):
    """Planned whole, no release was fetched before the walk's last page; streamed, page 1's come first."""
    first_release = asyncio.Event()

    async def hold(purpose: str, url: str) -> None:
        if purpose == "new":
            first_release.set()
        elif url.endswith("/feed/4"):  # the last page waits (a while at most) for a release fetch
            try:
                await asyncio.wait_for(first_release.wait(), timeout=3)
            except TimeoutError:
                pass

    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(4, 5), hold))
    outcome = asyncio.run(run_source(ctx, feed_source()))
    log = ctx.fetcher.log
    assert outcome.status == "ok" and outcome.new == 20, outcome
    first_new = next(i for i, (purpose, _) in enumerate(log) if purpose == "new")
    assert first_new < log.index(("feed", "/feed/4"))


def test_the_walk_waits_while_the_batches_are_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Release fetches held back: the walk stops after a bounded number of pages, not at the feed's end."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 5)
    monkeypatch.setattr(pipeline, "PART_ITEMS", 10, raising=False)  # (planned whole, main has none)
    gate = asyncio.Event()

    async def hold(purpose: str, url: str) -> None:
        if purpose == "new":
            await gate.wait()

    async def go() -> tuple[int, int]:
        ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(30, 10), hold))
        run = asyncio.ensure_future(run_source(ctx, feed_source()))
        last, still = -1, 0
        deadline = asyncio.get_running_loop().time() + 120
        # Until the walk has stopped asking for pages (or read them all, or a deadline: a run that hangs fails).
        while (still < 20 or last < 1) and last < 30 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
            pages = sum(1 for purpose, _ in ctx.fetcher.log if purpose == "feed")
            still, last = (still + 1 if pages == last else 0), pages
        run.cancel()  # the test is about what was read meanwhile; what was planned stays in the frontier
        await asyncio.gather(run, return_exceptions=True)
        return last, ctx.fetcher.peak

    pages, peak = asyncio.run(go())
    assert peak <= PIPELINE_DEPTH * 5  # release fetches in flight: the source's batches
    # In flight 2 batches of 5, a batch being filled (< 5 + a part of 10), the queue's 2 parts of 10, and
    # the part the walk holds while it waits: at most 7 pages of 10, whatever the feed's length (30 here).
    assert 1 <= pages <= 7, pages


def test_removal_checks_wait_for_a_complete_walk(tmp_path: Path):
    """A sitemap index's children are streamed; a held release missing from them is checked only after the
    last child was read, and not at all when a child failed (the listing is not known whole)."""
    children = [f"{BASE}/sitemap-{i}.xml" for i in (1, 2, 3)]
    site = {f"{BASE}/sitemap.xml": sitemap_index(children)}
    site.update({f"{BASE}/news/{n}": release_page(n) for n in range(1, 10)})
    for i, child in enumerate(children):
        site[child] = sitemap([f"{BASE}/news/{n}" for n in range(3 * i + 1, 3 * i + 4)])
    source = make_source(id="maps", languages=["en"], timezone="UTC", kind="sitemap",
                         start_urls=[f"{BASE}/sitemap.xml"], max_pages=20)
    pages = dict(site)
    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, pages))
    assert asyncio.run(run_source(ctx, source)).new == 9
    # Release 2 leaves the listing (its page stays up): the next run checks it, after the walk.
    pages[children[0]] = sitemap([f"{BASE}/news/1", f"{BASE}/news/3"])
    later = RunContext(run_id="run-2", store=ctx.store, archive=ctx.archive,
                       fetcher=FakeFetcher(ctx.archive, pages), params=RunParams(), now=NOW + timedelta(hours=1))
    asyncio.run(run_source(later, source))
    log = later.fetcher.log
    assert ("removal_check", "/news/2") in log
    assert log.index(("removal_check", "/news/2")) > log.index(("sitemap", "/sitemap-3.xml"))
    # A child that fails: the listing is partial, so nothing it lacks is checked.
    del pages[children[2]]
    again = RunContext(run_id="run-3", store=ctx.store, archive=ctx.archive,
                       fetcher=FakeFetcher(ctx.archive, pages), params=RunParams(), now=NOW + timedelta(hours=2))
    asyncio.run(run_source(again, source))
    assert not [entry for entry in again.fetcher.log if entry[0] == "removal_check"]


def test_a_retried_discovery_resumes_its_walk(tmp_path: Path):
    """The discovery task's retry goes on from the page that failed; every item is handed over exactly once."""
    failed: list[str] = []

    async def hold(purpose: str, url: str) -> None:
        if url.endswith("/feed/3") and not failed:
            failed.append(url)
            raise RuntimeError("the store went away for a moment")

    async def go(ctx: RunContext) -> list[str]:
        parts: asyncio.Queue = asyncio.Queue()
        with pytest.raises(RuntimeError):
            await discover_source(ctx, feed_source(), parts)
        found, reasons = await discover_source(ctx, feed_source(), parts)
        assert found.discovered == 20 and reasons == {"new": 20}
        urls = []
        while not parts.empty():
            urls += [w.url for w in parts.get_nowait()]
        return urls

    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(4, 5), hold))
    urls = asyncio.run(go(ctx))
    assert sorted(urls) == sorted(f"{BASE}/news/{n}" for n in range(1, 21))
    feeds = [path for purpose, path in ctx.fetcher.log if purpose == "feed"]
    assert feeds == ["/feed/1", "/feed/2", "/feed/3", "/feed/3", "/feed/4"]


def test_an_interrupted_stream_leaves_its_plan_and_a_rerun_ends_in_the_same_tables(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A batch fails mid-stream: what was planned stays in the frontier, and the next run ends where one clean
    run does."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 3)
    site = feed_site(3, 4)

    async def failing(ctx: RunContext, source: Source, items, number: int):
        if number == 2:
            raise RuntimeError("the worker died")
        return await process_batch(ctx, source, items, number)

    broken = context(tmp_path, lambda archive: FakeFetcher(archive, site), name="broken")
    first = asyncio.run(run_source(broken, feed_source(), batch_fn=failing))
    assert first.status == "failed"
    left = broken.store.frontier("stream")
    assert left  # the failed batch's pages (at least) wait for the next run
    rerun = RunContext(run_id="rerun", store=broken.store, archive=broken.archive,
                       fetcher=FakeFetcher(broken.archive, site), params=RunParams(), now=NOW)
    assert asyncio.run(run_source(rerun, feed_source())).status == "ok"
    assert broken.store.frontier("stream") == []
    resumed = {url for url, _ in left}
    fetched = [path for purpose, path in rerun.fetcher.log if purpose != "feed"]
    assert {BASE + p for p in fetched[: len(resumed)]} == resumed  # the frontier's work came first

    clean = context(tmp_path, lambda archive: FakeFetcher(archive, site), name="clean")
    assert asyncio.run(run_source(clean, feed_source())).status == "ok"
    assert releases(tmp_path / "broken.duckdb") == releases(tmp_path / "clean.duckdb")
    assert len(releases(tmp_path / "clean.duckdb")) == 12


def test_one_huge_document_is_planned_by_parts_that_wait_for_the_batches(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    """A sitemap of 60 links in one document, parts of 5, release fetches held back: the plan stops
    growing after a bounded number of parts instead of taking in the whole document."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 5)
    monkeypatch.setattr(pipeline, "PART_ITEMS", 5, raising=False)
    persisted: list[int] = []
    real = getattr(pipeline, "persist_part", None)

    async def counting(ctx, stream, work, items, frontier_done=()):
        persisted.append(len(work))
        return await real(ctx, stream, work, items, frontier_done)

    monkeypatch.setattr(pipeline, "persist_part", counting, raising=False)
    gate = asyncio.Event()

    async def hold(purpose: str, url: str) -> None:
        if purpose == "new":
            await gate.wait()

    site = {f"{BASE}/sitemap.xml": sitemap([f"{BASE}/news/{n}" for n in range(1, 61)])}
    source = make_source(id="maps", languages=["en"], timezone="UTC", kind="sitemap",
                         start_urls=[f"{BASE}/sitemap.xml"], max_pages=5)

    async def go() -> int:
        ctx = context(tmp_path, lambda archive: FakeFetcher(archive, site, hold))
        run = asyncio.ensure_future(run_source(ctx, source))
        last, still = -1, 0
        deadline = asyncio.get_running_loop().time() + 120
        while (still < 20 or last < 1) and last < 60 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
            planned = sum(persisted)
            still, last = (still + 1 if planned == last else 0), planned
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
        return last

    planned = asyncio.run(go())
    # 2 batches of 5 in flight, a batch being filled, the queue's 2 parts and the part waiting to be put.
    assert 1 <= planned <= 30, planned


def test_a_part_whose_persisting_failed_is_planned_again_once_on_the_retry(tmp_path: Path):
    """The store fails while persisting page 2's part: the retry re-reads page 2 only, and every link is
    planned, persisted and handed over exactly once."""
    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(4, 5)))
    real, calls = ctx.store.load_batch, []

    def flaky(batch):
        calls.append(batch)
        if len(calls) == 2:  # page 2's part (no resumed work here, so page 1's part is the first load)
            raise RuntimeError("the disk was full for a moment")
        return real(batch)

    ctx.store.load_batch = flaky

    async def go() -> list[str]:
        parts: asyncio.Queue = asyncio.Queue()
        with pytest.raises(RuntimeError):
            await discover_source(ctx, feed_source(), parts)
        await discover_source(ctx, feed_source(), parts)
        urls = []
        while not parts.empty():
            urls += [w.url for w in parts.get_nowait()]
        return urls

    urls = asyncio.run(go())
    assert sorted(urls) == sorted(f"{BASE}/news/{n}" for n in range(1, 21))
    assert sorted(url for url, _ in ctx.store.frontier("stream")) == sorted(urls)
    feeds = [path for purpose, path in ctx.fetcher.log if purpose == "feed"]
    assert feeds == ["/feed/1", "/feed/2", "/feed/2", "/feed/3", "/feed/4"]


def counting_loads(ctx: RunContext) -> list:
    """Every LoadBatch the store is given, in order (the loads still happen)."""
    real, loads = ctx.store.load_batch, []

    def counting(batch):
        loads.append(batch)
        return real(batch)

    ctx.store.load_batch = counting
    return loads


def test_a_part_with_work_is_written_by_its_first_batchs_load_not_a_load_of_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each load that writes a part's plan (its frontier rows) carries releases of that part too: no plan-only
    loads when the part has pages to fetch; the frontier ends empty and every release is stored."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 3)
    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(3, 4)))
    loads = counting_loads(ctx)
    outcome = asyncio.run(run_source(ctx, feed_source()))
    assert outcome.status == "ok" and outcome.new == 12, outcome
    assert all(load.releases for load in loads if load.frontier_add), [
        (len(load.releases), len(load.frontier_add)) for load in loads]
    assert sum(len(load.frontier_add) for load in loads) == 12
    assert sum(len(load.releases) for load in loads) == 12
    assert ctx.store.frontier("stream") == []
    assert len(releases(tmp_path / "s.duckdb")) == 12


def small_first_batch() -> Callable:
    """Holds page 1's release fetches (the source's first batch) until a fetch of page 2's (the next batch) began."""
    second = asyncio.Event()

    async def hold(purpose: str, url: str) -> None:
        n = int(url.rsplit("/", 1)[1]) if "/news/" in url else 0
        if n > 4:
            second.set()
        elif n:
            await asyncio.wait_for(second.wait(), timeout=10)
    return hold


def assert_one_load_of_all_eight(ctx: RunContext, tmp_path: Path) -> None:
    """The source's run of feed_site(2, 4): ok, 8 new releases written by one load, nothing left in the frontier."""
    loads = counting_loads(ctx)
    outcome = asyncio.run(run_source(ctx, feed_source()))
    assert outcome.status == "ok" and outcome.new == 8, outcome
    assert [len(load.releases) for load in loads] == [8]
    assert ctx.store.frontier("stream") == []
    assert len(releases(tmp_path / "s.duckdb")) == 8


def test_a_small_first_batch_leaves_its_rows_to_the_next_batchs_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Page 1's 4 releases are ready for their turn once page 2's batch was launched; the two fit in one batch
    (10), so one load writes all 8, with their plans, and the outcome counts every one."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 10)
    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(2, 4), small_first_batch()))
    assert_one_load_of_all_eight(ctx, tmp_path)


def test_rows_left_to_a_batch_that_then_fails_are_written_by_the_source_and_its_plan_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The first batch leaves its rows to the second, which fails before its load: the source is failed, the
    first batch's releases are stored all the same and the second's pages wait in the frontier; a rerun ends
    in the tables of a clean run."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 10)
    site = feed_site(2, 4)

    async def failing(ctx: RunContext, source: Source, items, number: int):
        if number == 2:
            real = ctx.store.load_batch

            def broken(batch):  # the second batch's load fails (and with it the first's rows it carries)
                ctx.store.load_batch = real
                raise RuntimeError("the disk was full for a moment")
            ctx.store.load_batch = broken
        return await process_batch(ctx, source, items, number)

    broken = context(tmp_path, lambda archive: FakeFetcher(archive, site, small_first_batch()), name="broken")
    first = asyncio.run(run_source(broken, feed_source(), batch_fn=failing))
    assert first.status == "failed"
    stored = {url for url, *_ in releases(tmp_path / "broken.duckdb")}
    assert stored == {f"{BASE}/news/{n}" for n in range(1, 5)}  # the first batch's, written at the source's end
    assert {url for url, _ in broken.store.frontier("stream")} == {f"{BASE}/news/{n}" for n in range(5, 9)}
    rerun = RunContext(run_id="rerun", store=broken.store, archive=broken.archive,
                       fetcher=FakeFetcher(broken.archive, site), params=RunParams(), now=NOW)
    assert asyncio.run(run_source(rerun, feed_source())).status == "ok"
    assert broken.store.frontier("stream") == []
    clean = context(tmp_path, lambda archive: FakeFetcher(archive, site), name="clean")
    assert asyncio.run(run_source(clean, feed_source())).status == "ok"
    assert releases(tmp_path / "broken.duckdb") == releases(tmp_path / "clean.duckdb")


def test_a_walk_s_last_part_with_nothing_to_fetch_goes_with_the_batch_in_flight(tmp_path: Path):
    """The walk's last page (no new entries) is read while the one batch fetches: its part (that page's fetch row)
    is written by the batch's load, not by a plan-only load before it, and both discovery pages' fetches are stored."""
    site = feed_site(1, 4)
    site[f"{BASE}/feed/1"] = feed_page(1, 2, 4)  # page 1 links to page 2, which lists nothing new
    site[f"{BASE}/feed/2"] = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title></feed>'
    walked = asyncio.Event()

    async def hold(purpose: str, url: str) -> None:
        if url.endswith("/feed/2"):
            walked.set()
        elif purpose == "new":  # the batch's fetches wait until the walk read its last page
            await asyncio.wait_for(walked.wait(), timeout=10)

    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, site, hold))
    loads = counting_loads(ctx)
    outcome = asyncio.run(run_source(ctx, feed_source()))
    assert outcome.status == "ok" and outcome.new == 4, outcome
    assert [(len(load.releases), sorted(f.url.removeprefix(BASE) for f in load.fetches if "/feed/" in f.url))
            for load in loads] == [(4, ["/feed/1", "/feed/2"])]
    assert ctx.store.frontier("stream") == []
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    try:
        fetched = con.execute("SELECT url FROM fetches WHERE url LIKE '%/feed/%' ORDER BY url").fetchall()
    finally:
        con.close()
    assert fetched == [(f"{BASE}/feed/1",), (f"{BASE}/feed/2",)]


def held_walk(until: Callable[[], bool]) -> Callable:
    """Holds the walk's second feed page until ``until()`` holds (10 s at most)."""

    async def hold(purpose: str, url: str) -> None:
        if url.endswith("/feed/2"):
            for _ in range(2000):
                if until():
                    return
                await asyncio.sleep(0.005)
    return hold


def test_a_first_batch_at_its_turn_before_the_next_is_launched_waits_and_hands_its_rows_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Page 1's batch reaches its turn while the walk still reads page 2: it waits, idle, for page 2's batch
    (launched at once) and leaves it its rows: one load of all 8 releases, where it was a load of 4 and one of 4."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 10)
    box: list[RunContext] = []

    def first_at_its_turn() -> bool:
        turns = box[0].load_turns.get("stream")
        return turns is not None and (bool(getattr(turns, "waiting", ())) or turns.done >= 1)

    ctx = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(2, 4), held_walk(first_at_its_turn)))
    box.append(ctx)
    assert_one_load_of_all_eight(ctx, tmp_path)


def test_a_batch_waits_for_its_successor_a_while_at_most_then_loads_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The walk's next page takes longer than HAND_ON_WAIT: page 1's batch loads its 4 releases alone."""
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 10)
    monkeypatch.setattr(pipeline, "HAND_ON_WAIT", 0.05)
    box: list[RunContext] = []
    ctx = context(tmp_path, lambda archive: FakeFetcher(
        archive, feed_site(2, 4), held_walk(lambda: box[0].turns("stream").done >= 1)))
    box.append(ctx)
    loads = counting_loads(ctx)
    outcome = asyncio.run(run_source(ctx, feed_source()))
    assert outcome.status == "ok" and outcome.new == 8, outcome
    assert [len(load.releases) for load in loads] == [4, 4]
    assert len(releases(tmp_path / "s.duckdb")) == 8


def test_a_first_runs_held_release_reads_stay_on_the_loop_and_a_rerun_s_go_to_threads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A source holding no release reads no store for the links it meets: no thread hop (~60 us of the loop's
    CPU each, bench/results.md perf-pipe27); once it holds some, each read is a query and goes to a thread, so
    that one waiting on another source's load holds up no fetch."""
    hops: list[str] = []
    to_thread = asyncio.to_thread

    async def counted(func, /, *args, **kwargs):
        hops.append(getattr(func, "__name__", repr(func)))
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    reads = ("prefetch", "fetch_keys")
    first = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(3, 4)))
    outcome = asyncio.run(run_source(first, feed_source()))
    assert outcome.status == "ok" and outcome.new == 12, outcome
    assert [h for h in hops if h in reads] == [] and "load_batch" in hops
    hops.clear()
    again = context(tmp_path, lambda archive: FakeFetcher(archive, feed_site(3, 4)))
    outcome = asyncio.run(run_source(again, feed_source()))
    assert outcome.status == "ok" and outcome.new == 0, outcome
    assert "prefetch" in hops and "fetch_keys" in hops


def test_a_fetch_id_is_spelled_as_uuid4_hex_spells_a_random_uuid(monkeypatch: pytest.MonkeyPatch):
    import os
    import uuid

    ids = {pipeline.new_fetch_id() for _ in range(2_000)}
    assert len(ids) == 2_000
    for fetch_id in ids:
        parsed = uuid.UUID(hex=fetch_id)
        assert (parsed.version, parsed.variant, parsed.hex) == (4, uuid.RFC_4122, fetch_id)
    for raw in (bytes(16), b"\xff" * 16, bytes(range(16)), os.urandom(16)):
        monkeypatch.setattr(pipeline.os, "urandom", lambda n, raw=raw: raw)
        monkeypatch.setattr(uuid.os, "urandom", lambda n, raw=raw: raw)
        assert pipeline.new_fetch_id() == uuid.uuid4().hex
