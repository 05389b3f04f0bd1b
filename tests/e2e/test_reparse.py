"""`reparse`: the parsers re-run over the raw archive with no network; changed results become new versions."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import duckdb
import pytest

from govpress.archive import Archive
from govpress.parse_workers import ParsePool
from govpress.run import reparse_pages
from govpress.demo.localsite.generator import generate_site
from govpress.demo.localsite.server import LocalSiteServer
from govpress.pipeline import RunContext, RunParams, run_source
from govpress.fetch.client import Fetcher
from govpress.registry import Registry, Source
from govpress.store import Store


def mfa_source(base: str) -> Source:
    return Source(id="demo_mfa_en", name="MFA", country="GB", institution="MFA", languages=["en"], kind="sitemap",
                  start_urls=[f"{base}/mfa-en/sitemap.xml"], timezone="Europe/London", rate_limit=100, concurrency=8,
                  allow_addresses=["127.0.0.1"])


@pytest.fixture
def ingested(tmp_path: Path):
    site = tmp_path / "site"
    generate_site(site, per_source=12)
    db = tmp_path / "g.duckdb"
    store = Store(db)
    store.migrate()
    archive = Archive(tmp_path / "archive")
    with LocalSiteServer(site) as server:
        src = mfa_source(server.base_url)

        async def go():
            async with Fetcher(archive=archive, user_agent="govpress-test") as fetcher:
                ctx = RunContext(run_id="r1", store=store, archive=archive, fetcher=fetcher, params=RunParams())
                return await run_source(ctx, src)

        outcome = asyncio.run(go())
    assert outcome.new == 12
    return store, archive, Registry(source=[src])


def test_reparse_with_the_same_parser_changes_nothing_and_needs_no_network(ingested):
    store, archive, registry = ingested  # the site server is already stopped
    before = store.checksum()
    [outcome] = reparse_pages(store, archive, registry.source, None, "r2")
    assert (outcome.unchanged, outcome.updated, outcome.new, outcome.failed) == (12, 0, 0, 0)
    assert store.checksum() == before


def test_reparse_with_another_parser_versions_what_changed(ingested):
    store, archive, registry = ingested
    [outcome] = reparse_pages(store, archive, registry.select(["demo_mfa_en"]), "document", "r2")
    # The document parser reads the HTML as plain text: different text, so every release gets a version 2.
    assert outcome.updated + outcome.failed == 12 and outcome.updated > 0
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        versions = con.execute("SELECT count(*) FROM release_versions WHERE version = 1").fetchone()[0]
    finally:
        con.close()
    assert versions == 12  # the first texts are kept, never overwritten


def test_reparse_in_workers_batch_after_batch_ends_in_the_same_tables(ingested, tmp_path: Path):
    """The workers parse the next batch while the last one loads: same tables, same counts as parsing in-process."""
    store, archive, registry = ingested
    twin = Store(tmp_path / "twin.duckdb")
    shutil.copy(store.path, twin.path)
    [inline] = reparse_pages(twin, archive, registry.source, "document", "r2", batch_size=5)
    with ParsePool(workers=2, min_pages=1) as parsers:
        parsers.start()  # ready before the first batch: every batch is sent ahead of the load before it
        [pooled] = reparse_pages(store, archive, registry.source, "document", "r2", parsers, batch_size=5)
    assert (pooled.discovered, pooled.fetched, pooled.updated, pooled.unchanged, pooled.failed) == (
        inline.discovered, inline.fetched, inline.updated, inline.unchanged, inline.failed)
    assert pooled.updated > 0 and pooled.fetched == 12
    assert store.checksum() == twin.checksum()
