"""Soft-404 detection over whole corpora: no real or constructed release is a not-found page, every invented template is.

A false positive records the withdrawal of a live release, so the detector is run over every HTML
page we hold: the saved real pages (../shared/pages), the extraction evaluation sets
(tests/fixtures/extraction*), the constructed site pages (govpress/demo/sites), the event fixtures
and a freshly generated demo site. The invented templates and near-miss releases are in
tests/fixtures/notfound_templates.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.notfound_templates import CONTENT, TEMPLATES
from govpress.demo.localsite import generate_site
from govpress.parsers.html.tree import decode_page, parse_html_text
from govpress.parsers.notfound import not_found_reason
from testpaths import CONSTRUCTED_SITES, NO_SHARED, PAGES, ROOT

FIXTURES = ROOT / "tests" / "fixtures"


def _reasons(paths: list[Path]) -> dict[str, str]:
    """The pages among ``paths`` taken for not-found pages, with the reason (both call forms: tree given or not)."""
    found = {}
    for path in paths:
        text = decode_page(path.read_bytes(), None)
        for reason in (not_found_reason(text, parse_html_text(text)), not_found_reason(text)):
            if reason:
                found[str(path)] = reason
    return found


def test_no_saved_real_page_is_a_not_found_page() -> None:
    pages = sorted(PAGES.rglob("*.html"))
    if not pages:
        pytest.skip(NO_SHARED)
    assert _reasons(pages) == {}


def test_no_fixture_or_constructed_page_is_a_not_found_page() -> None:
    pages = sorted(FIXTURES.glob("extraction*/**/*.html")) + sorted(FIXTURES.glob("events/*.html"))
    pages += sorted(CONSTRUCTED_SITES.rglob("*.html"))
    assert len(pages) > 150  # the sets are there: an empty glob must not pass
    assert _reasons(pages) == {}


def test_no_generated_page_is_a_not_found_page_but_its_soft404s_are(tmp_path: Path) -> None:
    """The demo site: every page is content, except the ones a ``soft404`` change turned into the template."""
    base = generate_site(tmp_path / "base", per_source=12)
    firsts = [p.releases[0] for name, p in base.publishers.items() if name != "docs"]  # documents: no template
    generate_site(tmp_path / "site", per_source=12, changes={r.id: "soft404" for r in firsts})
    soft = {r.path for r in firsts}
    pages = sorted((tmp_path / "site").rglob("*.html"))
    templates = [tmp_path / "site" / path.lstrip("/") / "index.html" for path in soft]
    assert len(pages) > 40 and len(templates) == len(firsts) > 2 and all(t.is_file() for t in templates)
    assert sorted(_reasons(pages)) == sorted(map(str, templates))


@pytest.mark.parametrize("name, page", TEMPLATES, ids=[name for name, _ in TEMPLATES])
def test_every_invented_template_is_detected(name: str, page: str) -> None:
    for reason in (not_found_reason(page, parse_html_text(page)), not_found_reason(page)):
        assert reason and reason.startswith("a not-found page answered with HTTP 200"), name


@pytest.mark.parametrize("name, page", CONTENT, ids=[name for name, _ in CONTENT])
def test_near_miss_releases_are_content(name: str, page: str) -> None:
    assert not_found_reason(page, parse_html_text(page)) is None
    assert not_found_reason(page) is None
