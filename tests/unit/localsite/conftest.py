"""Fixtures for the local site tests: one generated site per session, one running server per module."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from govpress.demo.localsite import LocalSiteServer, SiteManifest, generate_site
from testpaths import PAGES, SEED


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteManifest]:
    root = tmp_path_factory.mktemp("localsite") / "site"
    return root, generate_site(root)


@pytest.fixture(scope="session")
def site_root(site: tuple[Path, SiteManifest]) -> Path:
    return site[0]


@pytest.fixture(scope="session")
def manifest(site: tuple[Path, SiteManifest]) -> SiteManifest:
    return site[1]


@pytest.fixture(scope="module")
def server(site_root: Path) -> Iterator[LocalSiteServer]:
    mounts = {prefix: folder for prefix, folder in (("/shared/", PAGES), ("/seed/", SEED.parent)) if folder.is_dir()}
    with LocalSiteServer(site_root, mounts=mounts) as running:
        yield running


@pytest.fixture
def srv(server: LocalSiteServer) -> Iterator[LocalSiteServer]:
    """The module's server with no faults, an empty log and nothing gone, restored after the test."""
    server.clear_faults()
    quiet = threading.Event()
    for _ in range(250):  # let handlers stalled by an earlier test notice their client is gone
        if server.in_flight == 0:
            break
        quiet.wait(0.02)
    server.reset_log()
    server.gone.clear()
    yield server
    server.clear_faults()
    server.gone.clear()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c
