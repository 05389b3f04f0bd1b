"""`govpress sources check`: one discovery page and one release, and which fields parsed (against the local server)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govpress.check import check_source
from govpress.cli import app
from govpress.demo.run import FIXTURE_SITES, render_registry, start_server
from govpress.demo.localsite.generator import generate_site
from govpress.registry import load_registry


@pytest.fixture(scope="module")
def demo_registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    generate_site(root / "site", per_source=10)
    with start_server(root / "site", pages=None, seed=None) as server:
        path = root / "sources.toml"
        path.write_text(render_registry(server.base_url, pages=None, seed=None), encoding="utf-8")
        yield path


@pytest.mark.parametrize("source_id", ["demo_minfin", "demo_mfa_en", "demo_agency_ru", "demo_belta_ru", "demo_president_by_be"])
def test_check_reports_the_parsed_fields(demo_registry: Path, source_id: str):
    if source_id.startswith(("belta", "president")) and not FIXTURE_SITES.is_dir():
        pytest.skip("constructed fixtures missing")
    registry = load_registry(demo_registry)
    report = asyncio.run(check_source(registry.get(source_id), registry, base_dir=demo_registry.parent))
    assert report["ok"], report
    assert report["discovery"][0]["outcome"] == "ok" and report["items"] > 0
    fields = report["release"]["fields"]
    assert fields["title"] == "ok" and fields["body_text"] == "ok" and fields["published_at"] == "ok"
    assert report["release"]["language"] == registry.get(source_id).language


def test_check_from_the_cli_and_a_dead_source(demo_registry: Path, tmp_path: Path, port_factory):
    result = CliRunner().invoke(app, ["sources", "check", "demo_mfa_en", "--sources-file", str(demo_registry)])
    assert result.exit_code == 0 and '"ok": true' in result.stdout
    dead = tmp_path / "dead.toml"
    closed = f"http://127.0.0.1:{port_factory()}"  # nothing listens there
    dead.write_text(re.sub(r"http://127\.0\.0\.1:\d+", closed, demo_registry.read_text(encoding="utf-8")), encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "check", "demo_mfa_en", "--sources-file", str(dead)])
    assert result.exit_code == 1 and '"ok": false' in result.stdout
