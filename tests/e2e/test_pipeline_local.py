"""The pipeline stages wired together WITHOUT Prefect, against the real local site server.

A tiny hand-made site (written into a temp folder by the test) gives exact control: a good
page, a page the parser rejects, a challenge page, a dead host.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from govpress.archive import Archive
from govpress.fetch.client import Fetcher
from govpress.demo.localsite.faults import FaultPlan, FaultRule
from govpress.demo.localsite.server import LocalSiteServer
from govpress.pipeline import RunContext, RunParams, run_source
from govpress.registry import Source
from govpress.store import Store
from factories import free_port, make_source

GOOD = """<!doctype html><html lang="en"><head><title>Minister visits Minsk</title>
<meta property="article:published_time" content="2024-10-02T11:54:00+03:00"></head>
<body><nav>Home | News</nav><article><h1>Minister visits Minsk</h1>
<p>The minister arrived in Minsk on an official visit on Wednesday morning.</p>
<p>Talks covered trade, transport and education, and two agreements were signed.</p>
<p>The visit ends on Thursday with a wreath-laying ceremony.</p></article></body></html>"""

# A full-size page (not a tiny challenge page) whose article is missing: navigation only.
# The generic parser must refuse it (no body) with a ParseError.
NAV = "".join(f'<li><a href="/section/{i}/">Section number {i}</a></li>' for i in range(120))
EMPTY = f"""<!doctype html><html lang="en"><head><title>Untitled</title></head>
<body><nav><ul>{NAV}</ul></nav><h1>Untitled</h1><footer>© Tiny office</footer></body></html>"""


def write_site(root: Path, pages: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    urls = "".join(f"<url><loc>http://localsite.invalid{path}</loc></url>" for path in pages)
    (root / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', encoding="utf-8")
    for path, html in pages.items():
        target = root / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


def source(base: str, id: str = "tiny", **extra) -> Source:
    return make_source(id=id, name="Tiny", country="GB", institution="Tiny office", languages=["en"], kind="sitemap",
                       start_urls=[f"{base}/sitemap.xml"], timezone="Europe/London", rate_limit=50, concurrency=2,
                       allow_addresses=["127.0.0.1"], **extra)


async def run(db: Path, sources: list[Source], params: RunParams | None = None, store: Store | None = None):
    store = store or Store(db)
    store.migrate()
    archive = Archive(db.parent / "archive")
    async with Fetcher(archive=archive, user_agent="govpress-test", retries=1, backoff_base=0.01) as fetcher:
        ctx = RunContext(run_id="test-run", store=store, archive=archive, fetcher=fetcher, params=params or RunParams(),
                         now=datetime.now(timezone.utc))
        return await asyncio.gather(*(run_source(ctx, s) for s in sources))


def test_a_page_that_does_not_parse_is_recorded_and_the_run_goes_on(tmp_path: Path):
    write_site(tmp_path / "site", {"/news/good/": GOOD, "/news/empty/": EMPTY})
    with LocalSiteServer(tmp_path / "site") as server:
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)]))
    assert outcome.status == "ok" and outcome.new == 1 and outcome.failed == 1
    con = duckdb.connect(str(tmp_path / "g.duckdb"), read_only=True)
    failure = con.execute("SELECT url, parser, error, archive_key FROM parse_failures").fetchone()
    title = con.execute("SELECT title FROM releases").fetchone()[0]
    con.close()
    assert failure[0].endswith("/news/empty/") and failure[1] == "generic" and failure[2]
    assert Archive(tmp_path / "archive").has(failure[3])  # the page that failed is kept for a reparse
    assert title == "Minister visits Minsk"


def test_a_challenge_page_marks_the_source_blocked_not_empty(tmp_path: Path):
    write_site(tmp_path / "site", {"/news/good/": GOOD})
    with LocalSiteServer(tmp_path / "site", faults=FaultPlan.of(FaultRule(fault="challenge", path="/sitemap.xml"))) as server:
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)]))
    assert outcome.status == "blocked" and outcome.new == 0
    assert "challenge" in outcome.message.lower() or "waf" in outcome.message.lower()
    con = duckdb.connect(str(tmp_path / "g.duckdb"), read_only=True)
    evidence = con.execute("SELECT outcome, archive_key FROM fetches WHERE url LIKE '%sitemap.xml'").fetchone()
    con.close()
    assert evidence[0] == "blocked" and evidence[1]  # the challenge body is kept as evidence


def page(n: int) -> str:
    return GOOD.replace("Minister visits Minsk", f"Minister visits Minsk, day {n}").replace("Wednesday", f"day {n}")


def test_a_challenge_on_one_page_is_recorded_on_that_page_not_on_the_source(tmp_path: Path):
    write_site(tmp_path / "site", {f"/news/{n}/": page(n) for n in range(6)})
    rule = FaultRule(fault="challenge", path="/news/3/")
    with LocalSiteServer(tmp_path / "site", faults=FaultPlan.of(rule)) as server:
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)]))
    assert outcome.status == "ok" and outcome.new == 5 and outcome.blocked_pages == 1
    assert "/news/3/" in outcome.message and "1 of 6 pages" in outcome.message
    con = duckdb.connect(str(tmp_path / "g.duckdb"), read_only=True)
    [(blocked_url,)] = con.execute("SELECT url FROM fetches WHERE outcome = 'blocked'").fetchall()
    [(frontier_url,)] = con.execute("SELECT url FROM frontier").fetchall()
    con.close()
    assert blocked_url.endswith("/news/3/") and frontier_url == blocked_url  # retried by the next run


def test_a_source_whose_pages_are_mostly_challenges_is_blocked_and_names_them(tmp_path: Path):
    write_site(tmp_path / "site", {f"/news/{n}/": page(n) for n in range(3)})
    with LocalSiteServer(tmp_path / "site", faults=FaultPlan.of(FaultRule(fault="challenge", path="/news/*"))) as server:
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)]))
    assert outcome.status == "blocked" and outcome.blocked_pages == 3
    assert "3 of 3 pages" in outcome.message and "/news/0/" in outcome.message


def test_a_dead_source_fails_with_its_reason_while_the_other_loads(tmp_path: Path):
    dead_port = free_port()  # nobody listens there: "no network" for that source
    write_site(tmp_path / "site", {"/news/good/": GOOD})
    with LocalSiteServer(tmp_path / "site") as server:
        good, dead = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url),
                                                              source(f"http://127.0.0.1:{dead_port}", id="dead")]))
    assert good.status == "ok" and good.new == 1
    assert dead.status == "failed" and dead.message and str(dead_port) in dead.message


def test_file_links_in_a_feed_read_nothing_from_the_local_disk(tmp_path: Path):
    secret = tmp_path / "secret.html"
    secret.write_text(GOOD.replace("Minister visits Minsk", "Secret local file"), encoding="utf-8")
    links = [secret.as_uri(), f"file:{secret}", f"file://x{secret}", "file:///etc/passwd"]
    site = tmp_path / "site"
    write_site(site, {"/news/good/": GOOD})
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
    (site / "feed.xml").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}'
                                   '<item><title>ok</title><link>http://localsite.invalid/news/good/</link></item>'
                                   '</channel></rss>', encoding="utf-8")
    with LocalSiteServer(site) as server:
        feed = source(server.base_url).model_copy(update={"kind": "feed", "start_urls": [f"{server.base_url}/feed.xml"]})
        [outcome] = asyncio.run(run(tmp_path / "f.duckdb", [feed]))
    con = duckdb.connect(str(tmp_path / "f.duckdb"), read_only=True)
    titles = [t for (t,) in con.execute("SELECT title FROM releases").fetchall()]
    fetched = [u for (u,) in con.execute("SELECT url FROM fetches").fetchall()]
    con.close()
    assert titles == ["Minister visits Minsk"]
    assert not [u for u in fetched if u.lower().startswith("file:")]
    assert outcome.new == 1


def test_a_corrupt_archive_is_repaired_by_the_next_run_instead_of_failing_it(tmp_path: Path):
    write_site(tmp_path / "site", {"/news/good/": GOOD})
    archive_root = tmp_path / "archive"
    with LocalSiteServer(tmp_path / "site") as server:
        [first] = asyncio.run(run(tmp_path / "c.duckdb", [source(server.base_url)]))
        assert first.status == "ok" and first.new == 1
        stored = sorted(archive_root.rglob("*.gz"))
        assert stored
        for path in stored:  # the sitemap (answered 304 next time) and the page
            path.write_bytes(path.read_bytes()[:10])
        [second] = asyncio.run(run(tmp_path / "c.duckdb", [source(server.base_url)]))
        assert second.status == "ok", second.message
        [third] = asyncio.run(run(tmp_path / "c.duckdb", [source(server.base_url)], RunParams(refetch=True)))
    assert third.status == "ok", third.message
    archive = Archive(archive_root)
    for path in stored:
        assert archive.get("sha256:" + path.name.removesuffix(".gz"))  # rewritten whole by the fetches


def _titled(n: int) -> str:
    return f"""<!doctype html><html lang="en"><head><title>TINY OFFICE OF EXAMPLES - Minister opens new road number {n}</title></head>
<body><nav>Home | News</nav><div class="text"><p>The minister opened road number {n} on Wednesday morning, a week early.</p>
<p>The road links two towns and cuts the journey by half an hour. Work started two years ago.</p></div></body></html>"""


def test_ingest_learns_the_site_name_its_pages_share(tmp_path: Path):
    # No <h1>, no og:site_name: only what the batch's <title>s share tells the site's name from the headline.
    write_site(tmp_path / "site", {f"/news/road-{n}/": _titled(n) for n in range(3)})
    with LocalSiteServer(tmp_path / "site") as server:
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)]))
    assert outcome.new == 3
    con = duckdb.connect(str(tmp_path / "g.duckdb"), read_only=True)
    titles = sorted(r[0] for r in con.execute("SELECT title FROM releases").fetchall())
    con.close()
    assert titles == [f"Minister opens new road number {n}" for n in range(3)]
    # A reparse of the archive learns the same names from the same pages: nothing changes.
    from govpress.run import reparse_pages

    store = Store(tmp_path / "g.duckdb")
    before = store.checksum()
    [again] = reparse_pages(store, Archive(tmp_path / "archive"), [source("http://127.0.0.1:1")], None, "r2")
    assert (again.unchanged, again.updated, again.new, again.failed) == (3, 0, 0, 0)
    assert store.checksum() == before


def test_a_feed_refused_at_discovery_says_so_on_its_fetches_row(tmp_path: Path):
    site = tmp_path / "site"
    write_site(site, {"/news/good/": GOOD})
    (site / "feed.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<rss version="2.0"><channel><title>&b;</title><item><title>ok</title>'
        '<link>http://localsite.invalid/news/good/</link></item></channel></rss>', encoding="utf-8")
    with LocalSiteServer(site) as server:
        feed = source(server.base_url).model_copy(update={"kind": "feed", "start_urls": [f"{server.base_url}/feed.xml"]})
        [outcome] = asyncio.run(run(tmp_path / "f.duckdb", [feed]))
    con = duckdb.connect(str(tmp_path / "f.duckdb"), read_only=True)
    [(status, result, error)] = con.execute("SELECT status, outcome, error FROM fetches WHERE url LIKE '%feed.xml'").fetchall()
    con.close()
    assert outcome.status == "failed" and "DTD with entities" in outcome.message
    assert (status, result) == (200, "refused") and "DTD with entities" in error  # the row, not only the message


class CountingStore(Store):
    """A DuckDB file that takes three pages a batch and notes how many releases each load carried."""

    batch_pages = 3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loaded: list[int] = []

    def load_batch(self, batch):
        self.loaded.append(len(batch.releases))
        return super().load_batch(batch)


def test_the_store_decides_how_many_pages_a_batch_takes(tmp_path: Path):
    """A lake takes bigger batches than the file (it pays per commit): the pipeline asks its store."""
    from govpress.store.lake import LakeStore

    assert LakeStore.batch_pages > Store.batch_pages
    write_site(tmp_path / "site", {f"/news/{n}/": page(n) for n in range(7)})
    store = CountingStore(tmp_path / "g.duckdb")
    with LocalSiteServer(tmp_path / "site") as server:
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)], store=store))
    assert outcome.status == "ok" and outcome.new == 7
    assert store.loaded == [3, 3, 1]  # 7 pages in batches of three (the plan goes with the first)


class LookupCountingStore(Store):
    """A DuckDB file that notes each read of held releases (by id, or a source's whole archive)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lookups = 0

    def known_releases_by_id(self, source_id, release_ids):
        self.lookups += 1
        return super().known_releases_by_id(source_id, release_ids)

    def known_releases(self, source_id):
        self.lookups += 1
        return super().known_releases(source_id)


def test_a_first_run_looks_up_no_held_releases_and_the_next_one_does(tmp_path: Path):
    """Nothing is held before a source's first run (a backfill): its walk asks the store nothing, page by page."""
    write_site(tmp_path / "site", {f"/news/{n}/": page(n) for n in range(4)})
    with LocalSiteServer(tmp_path / "site") as server:
        first = LookupCountingStore(tmp_path / "g.duckdb")
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)], store=first))
        assert outcome.status == "ok" and outcome.new == 4 and first.lookups == 0
        again = LookupCountingStore(tmp_path / "g.duckdb")
        [outcome] = asyncio.run(run(tmp_path / "g.duckdb", [source(server.base_url)], store=again))
    assert outcome.status == "ok" and outcome.new == 0 and again.lookups > 0  # now the plan needs what is held


def test_frozen_validators_hide_a_new_release_for_a_day_at_most(tmp_path: Path):
    """A sitemap whose server answers every conditional request with 304 (its Last-Modified and ETag never change): the
    stored copy stands in for it within a day of the last full answer, and then the sitemap is read whole again."""
    site = tmp_path / "site"
    other = GOOD.replace("Minister visits Minsk", "Minister opens the forum")
    write_site(site, {"/news/a/": GOOD})
    frozen = FaultPlan.of(FaultRule(fault="frozen_validators", path="/sitemap.xml"))
    db = tmp_path / "db" / "govpress.duckdb"
    db.parent.mkdir()
    t1 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)

    async def run_at(now: datetime, run_id: str, src: Source) -> None:
        store = Store(db)
        store.migrate()
        archive = Archive(db.parent / "archive")
        async with Fetcher(archive=archive, user_agent="govpress-test", retries=1, backoff_base=0.01) as fetcher:
            ctx = RunContext(run_id=run_id, store=store, archive=archive, fetcher=fetcher, params=RunParams(), now=now)
            [outcome] = await asyncio.gather(run_source(ctx, src))
            assert outcome.status == "ok", outcome.message

    def titles() -> list[str]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            return sorted(t for (t,) in con.execute("SELECT title FROM releases").fetchall())
        finally:
            con.close()

    with LocalSiteServer(site, faults=frozen) as server:
        src = source(server.base_url)
        asyncio.run(run_at(t1, "run-1", src))
        write_site(site, {"/news/a/": GOOD, "/news/b/": other})  # a new release, behind the frozen sitemap
        asyncio.run(run_at(t1 + timedelta(hours=1), "run-2", src))
        assert titles() == ["Minister visits Minsk"]  # within the day the 304 is trusted
        statuses = [r.status for r in server.requests if r.path == "/sitemap.xml"]
        asyncio.run(run_at(t1 + timedelta(days=2), "run-3", src))
        assert titles() == ["Minister opens the forum", "Minister visits Minsk"]
    assert statuses == [200, 304]
