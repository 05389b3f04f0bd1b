"""The generated site: deterministic, big enough, consistent with its manifest, and edits/removals touch only their pages."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from protego import Protego

from govpress.demo.localsite import ORIGIN, SiteManifest, generate_site, load_manifest
from govpress.demo.localsite.generator import MANIFEST_NAME


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def page_file(root: Path, url_path: str) -> Path:
    """The file behind a URL path: a folder's index.html, or the file itself (documents)."""
    return root / url_path.lstrip("/") / "index.html" if url_path.endswith("/") else root / url_path.lstrip("/")


def test_same_seed_gives_byte_identical_tree(tmp_path: Path, site_root: Path) -> None:
    generate_site(tmp_path / "again")
    generate_site(tmp_path / "other", seed=7, per_source=20)
    first = tree_digest(site_root)
    assert tree_digest(tmp_path / "again") == first
    assert tree_digest(tmp_path / "other") != first


def test_site_has_enough_release_pages_in_two_languages(site_root: Path, manifest: SiteManifest) -> None:
    releases = manifest.releases()
    assert len(releases) >= 340
    assert {r.language for r in releases} == {"ru", "en"}
    assert len({r.id for r in releases}) == len(releases)
    assert len({r.path for r in releases}) == len(releases)
    for release in releases:
        assert page_file(site_root, release.path).is_file(), release.path
        assert 4 <= len(release.body_text.split("\n\n")) <= 13  # agency adds a dateline paragraph
    assert load_manifest(site_root) == manifest


def test_dates_span_the_range_and_run_newest_first(manifest: SiteManifest) -> None:
    for publisher in manifest.publishers.values():
        dates = [r.published for r in publisher.releases]
        assert dates == sorted(dates, reverse=True), publisher.name
        assert dates[-1].year == 2024 and dates[0].year == 2026 and dates[0].month <= 10
        assert all(d.utcoffset() == d.astimezone(ZoneInfo(publisher.timezone)).utcoffset() for d in dates)


def test_minfin_article_markup_agrees_with_manifest(site_root: Path, manifest: SiteManifest) -> None:
    release = manifest.publishers["minfin"].releases[10]
    soup = BeautifulSoup(page_file(site_root, release.path).read_bytes(), "lxml")
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == release.title == soup.h1.get_text()
    assert ld["datePublished"] == release.published_at
    assert soup.find("meta", property="og:title")["content"] == release.title
    assert soup.select_one("time.article__date")["datetime"] == release.published_at
    assert ld["url"] == f"{ORIGIN}{release.path}"
    assert soup.select_one("div.article__lead").get_text(strip=True) == release.lead
    # Boilerplate that a content extractor must leave out.
    assert soup.select("aside.related li") and soup.select_one("div.share") and soup.select_one("footer")


def test_mfa_dates_are_london_text_and_agency_dates_minsk_naive(site_root: Path, manifest: SiteManifest) -> None:
    mfa = manifest.publishers["mfa-en"].releases[3]
    soup = BeautifulSoup(page_file(site_root, mfa.path).read_bytes(), "lxml")
    text = soup.select_one(".h-entry .dt-published").get_text()
    assert datetime.strptime(text, "%d %B %Y, %H:%M").replace(tzinfo=ZoneInfo("Europe/London")) == mfa.published
    assert soup.select_one(".h-entry .p-name").get_text() == mfa.title
    assert not soup.find("time")  # the date exists only as text

    agency = manifest.publishers["agency-ru"].releases[3]
    soup = BeautifulSoup(page_file(site_root, agency.path).read_bytes(), "lxml")
    naive = datetime.strptime(soup.select_one("div.date_full").get_text(), "%d.%m.%Y %H:%M")
    assert naive.replace(tzinfo=ZoneInfo("Europe/Minsk")) == agency.published


def test_agency_editions_share_numeric_ids_as_translations(site_root: Path, manifest: SiteManifest) -> None:
    en = {r.translation_key: r for r in manifest.publishers["agency-en"].releases}
    ru = {r.translation_key: r for r in manifest.publishers["agency-ru"].releases}
    assert en and set(en) <= set(ru) and len(en) < len(ru)  # not every item is translated
    key = sorted(en)[0]
    ru_release, en_release = ru[key], en[key]
    assert ru_release.path.rstrip("/").rsplit("/", 1)[1] == en_release.path.rstrip("/").rsplit("/", 1)[1]
    assert ru_release.translations == en_release.translations == {"ru": ru_release.path, "en": en_release.path}
    soup = BeautifulSoup(page_file(site_root, ru_release.path).read_bytes(), "lxml")
    hreflangs = {link["hreflang"]: link["href"] for link in soup.find_all("link", hreflang=True)}
    assert hreflangs == {"ru": ORIGIN + ru_release.path, "en": ORIGIN + en_release.path}


def test_syndicated_agency_copies_point_at_their_minfin_original(manifest: SiteManifest) -> None:
    copies = [r for r in manifest.publishers["agency-ru"].releases if r.copy_of]
    assert copies
    for copy in copies:
        original = manifest.release(copy.copy_of)
        assert original.published < copy.published
        # The copy is the original's text behind an agency dateline paragraph.
        assert copy.body_text.endswith(original.body_text) or copy.scars or original.scars
        assert original.lead in copy.body_text.split("\n\n")[0]
    assert len({c.copy_of for c in copies}) == len(copies)


def _rejoin(paragraphs: list[str]) -> list[str]:
    """Undo the generator's scars: a trailing hyphen glues the next piece; a missing full stop continues it."""
    out: list[str] = []
    glue = None
    for piece in paragraphs:
        if glue == "-":
            out[-1] = out[-1][:-1] + piece
        elif glue == " ":
            out[-1] = out[-1] + " " + piece
        else:
            out.append(piece)
        last = out[-1][-1]
        glue = "-" if last == "-" else (" " if last.isalpha() else None)
    return out


def test_scarred_russian_pages_repair_to_the_manifest_text(site_root: Path, manifest: SiteManifest) -> None:
    scarred = [r for r in manifest.releases() if r.scars]
    assert len(scarred) >= 20
    assert all(r.language == "ru" for r in scarred)
    hyphen_splits = 0
    for release in scarred:
        soup = BeautifulSoup(page_file(site_root, release.path).read_bytes(), "lxml")
        container = soup.select_one("div.article__text") or soup.select_one("div.js-mediator-article")
        pieces = [p.get_text() for p in container.find_all("p")]
        clean = release.body_text.split("\n\n")
        if release.publisher == "minfin":
            assert len(pieces) == len(clean) + release.scars
        hyphen_splits += sum(p.endswith("-") for p in pieces)
        assert _rejoin(pieces) == clean, release.id
    assert hyphen_splits > 0


def test_discovery_files_list_every_release(site_root: Path, manifest: SiteManifest) -> None:
    minfin = manifest.publishers["minfin"]
    atom = (site_root / "minfin/feed.atom").read_text("utf-8")
    assert atom.count("<entry>") == 50 and 'rel="next"' in atom
    sitemap_text = "".join(p.read_text("utf-8") for p in (site_root / "mfa-en").glob("sitemap-*.xml"))
    for release in manifest.publishers["mfa-en"].releases:
        assert f"<loc>{ORIGIN}{release.path}</loc><lastmod>{release.updated_at}</lastmod>" in sitemap_text
    assert minfin.listing_selectors and minfin.feed == "/minfin/feed.atom"


def test_robots_disallow_private_and_set_a_crawl_delay(site_root: Path, manifest: SiteManifest) -> None:
    robots = Protego.parse((site_root / "robots.txt").read_text("utf-8"))
    assert page_file(site_root, manifest.private_path).is_file()
    assert not robots.can_fetch(f"http://127.0.0.1:8000{manifest.private_path}", "govpress/0.1")
    assert not robots.can_fetch(f"http://127.0.0.1:8000{manifest.private_path}", "SomeBot")
    assert robots.can_fetch("http://127.0.0.1:8000/minfin/news/", "govpress/0.1")
    assert robots.crawl_delay("govpress/0.1") == 0


EDITED = ("minfin-0010", "mfa-en-0100", "agency-ru-0005")
REMOVED = ("minfin-0011", "agency-en-0007", "mfa-en-0170")


def test_edits_and_removals_change_only_their_pages(tmp_path: Path, site_root: Path, manifest: SiteManifest) -> None:
    changed = generate_site(tmp_path / "v2", edited=EDITED, removed=REMOVED)
    before, after = tree_digest(site_root), tree_digest(tmp_path / "v2")
    release_files = {str(page_file(Path(), r.path)): r.id for r in manifest.releases()}

    differing = {f for f in before if f in after and before[f] != after[f]}
    gone = set(before) - set(after)
    assert set(after) <= set(before)
    assert {release_files[f] for f in gone} == set(REMOVED)
    assert {release_files[f] for f in differing if f in release_files} == set(EDITED)
    # Everything else that changed is a discovery page or the manifest.
    others = {f for f in differing if f not in release_files}
    assert MANIFEST_NAME in others
    assert all(f.endswith((".atom", ".xml", ".json")) or "/news/" in f or f in ("index.html", "mfa-en/index.html", MANIFEST_NAME)
               for f in others), others

    for rid in EDITED:
        old, new = manifest.release(rid), changed.release(rid)
        assert new.edited and new.updated > old.updated == old.published
        assert new.body_text != old.body_text and new.title == old.title
        assert changed.last_modified[new.path] == new.updated_at
    for rid in REMOVED:
        assert rid not in {r.id for r in changed.releases()}
        assert changed.removed[rid] == manifest.release(rid).path
    feeds = "".join(p.read_text("utf-8") for p in (tmp_path / "v2").rglob("*.atom"))
    feeds += "".join(p.read_text("utf-8") for p in (tmp_path / "v2").rglob("*.xml"))
    for rid in REMOVED:
        assert manifest.release(rid).path + "<" not in feeds and f"{rid}<" not in feeds


def test_regenerating_in_place_deletes_removed_pages(tmp_path: Path) -> None:
    root = tmp_path / "site"
    first = generate_site(root, per_source=12)
    victim = first.publishers["minfin"].releases[0]
    generate_site(root, per_source=12, removed=[victim.id])
    assert not page_file(root, victim.path).exists()
    generate_site(root, per_source=12)
    generate_site(tmp_path / "fresh", per_source=12)
    assert page_file(root, victim.path).exists()
    assert tree_digest(root) == tree_digest(tmp_path / "fresh")


def test_unknown_or_conflicting_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown"):
        generate_site(tmp_path / "x", per_source=5, edited=["minfin-9999"])
    with pytest.raises(ValueError, match="both"):
        generate_site(tmp_path / "y", per_source=5, edited=["minfin-0001"], removed=["minfin-0001"])


def test_command_line_generates_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from govpress.demo.localsite.__main__ import main

    assert main(["generate", str(tmp_path / "cli"), "--per-source", "6", "--removed", "minfin-0002"]) == 0
    written = load_manifest(tmp_path / "cli")
    assert written.per_source == 6 and list(written.removed) == ["minfin-0002"]
    assert "releases" in capsys.readouterr().out


# --- changes on every channel: retitle, body, typography, silent, 404, 410, redirect, restore -------


def newest(manifest: SiteManifest, publisher: str, index: int = 0) -> str:
    return manifest.publishers[publisher].releases[index].id


def test_every_change_kind_touches_only_its_release_and_the_channels_that_show_it(tmp_path: Path) -> None:
    from govpress.demo.localsite.generator import CHANGE_KINDS, can_retype
    from govpress.parsers.text import fold_for_hash

    base = generate_site(tmp_path / "v1", per_source=30)
    retypable = next(r.id for r in base.publishers["minfin"].releases[3:] if can_retype(r))
    changes = {newest(base, "minfin"): "retitle", newest(base, "mfa-en"): "body", retypable: "typography",
               newest(base, "agency-en"): "silent", newest(base, "agency-ru"): "gone404",
               newest(base, "mfa-en", 1): "gone410", newest(base, "minfin", 1): "redirect",
               newest(base, "agency-ru", 1): "soft404"}
    assert set(changes.values()) == set(CHANGE_KINDS)
    after = generate_site(tmp_path / "v2", per_source=30, changes=changes)
    before_tree, after_tree = tree_digest(tmp_path / "v1"), tree_digest(tmp_path / "v2")
    release_files = {str(page_file(Path(), r.path)): r.id for r in base.releases()}
    differing = {release_files[f] for f in before_tree if f in after_tree and before_tree[f] != after_tree[f]
                 and f in release_files}
    deleted = {release_files[f] for f in set(before_tree) - set(after_tree)}
    assert differing == {rid for rid, kind in changes.items() if kind in ("retitle", "body", "typography", "silent", "soft404")}
    assert deleted == {rid for rid, kind in changes.items() if kind.startswith("gone") or kind == "redirect"}

    retitled = after.release(newest(base, "minfin"))
    assert retitled.title != base.release(retitled.id).title and retitled.updated > retitled.published
    feed = (tmp_path / "v2" / "minfin" / "feed.atom").read_text("utf-8")
    assert retitled.title in feed and f"<updated>{retitled.updated_at}</updated>" in feed
    retyped, original = after.release(retypable), base.release(retypable)
    assert retyped.body_text != original.body_text or retyped.title != original.title
    assert fold_for_hash(retyped.body_text) == fold_for_hash(original.body_text)  # only typography moved
    silent, was = after.release(newest(base, "agency-en")), base.release(newest(base, "agency-en"))
    assert silent.body_text != was.body_text and silent.updated_at == was.updated_at == was.published_at
    index = (tmp_path / "v2" / "agency" / "en" / "api" / "news-1.json").read_text("utf-8")
    assert index == (tmp_path / "v1" / "agency" / "en" / "api" / "news-1.json").read_text("utf-8")  # nothing admits it
    assert after.gone == [base.release(newest(base, "mfa-en", 1)).path]
    assert after.redirects == {base.release(newest(base, "minfin", 1)).path: "/minfin/news/"}
    assert set(after.removed) == deleted | {newest(base, "agency-ru", 1)}
    soft = page_file(tmp_path / "v2", base.release(newest(base, "agency-ru", 1)).path).read_text("utf-8")
    assert "Страница не найдена" in soft and base.release(newest(base, "agency-ru", 1)).title not in soft


def test_an_admitted_edit_is_marked_in_the_agency_listing_and_json_index(tmp_path: Path) -> None:
    base = generate_site(tmp_path / "v1", per_source=20)
    rid = newest(base, "agency-en")
    after = generate_site(tmp_path / "v2", per_source=20, changes={rid: "body", newest(base, "agency-ru"): "body"})
    listing = (tmp_path / "v2" / "agency" / "ru" / "news" / "index.html").read_text("utf-8")
    assert 'class="updated">обновлено' in listing
    items = json.loads((tmp_path / "v2" / "agency" / "en" / "api" / "news-1.json").read_text("utf-8"))["items"]
    assert items[0]["updated"] == after.release(rid).updated_at != items[0]["published"]


def test_the_json_index_pages_end_with_an_empty_page(tmp_path: Path) -> None:
    manifest = generate_site(tmp_path / "s", per_source=20)
    pages = sorted((tmp_path / "s" / "agency" / "en" / "api").glob("news-*.json"))
    loaded = [json.loads(p.read_text("utf-8")) for p in pages]
    assert [len(page["items"]) for page in sorted(loaded, key=lambda p: p["page"])][-1] == 0
    listed = [item["url"] for page in loaded for item in page["items"]]
    assert sorted(listed) == sorted(r.path for r in manifest.publishers["agency-en"].releases)


def test_documents_change_and_are_deleted_on_disk_only(tmp_path: Path) -> None:
    base = generate_site(tmp_path / "v1", per_source=16)
    docs = base.publishers["docs"]
    assert docs.files == "docs/*.md" and len(docs.releases) == 3
    first, second = docs.releases[0].id, docs.releases[1].id
    after = generate_site(tmp_path / "v2", per_source=16, changes={first: "retitle", second: "gone404"})
    text = page_file(tmp_path / "v2", after.release(first).path).read_text("utf-8")
    assert after.release(first).title in text and "updated:" in text
    assert not page_file(tmp_path / "v2", base.release(second).path).exists()
    with pytest.raises(ValueError, match="deleted"):
        generate_site(tmp_path / "v3", per_source=16, changes={first: "redirect"})


def test_leaving_a_change_out_restores_the_page_byte_for_byte(tmp_path: Path) -> None:
    root = tmp_path / "site"
    base = generate_site(root, per_source=12)
    generate_site(root, per_source=12, changes={newest(base, "minfin"): "gone410", newest(base, "mfa-en"): "redirect"})
    generate_site(root, per_source=12)
    generate_site(tmp_path / "fresh", per_source=12)
    assert tree_digest(root) == tree_digest(tmp_path / "fresh")


def test_as_of_leaves_out_later_releases_and_dates_move_the_span(tmp_path: Path) -> None:
    from datetime import timezone

    span = (datetime(2026, 11, 1), datetime(2026, 11, 8))
    whole = generate_site(tmp_path / "a", per_source=20, dates=span)
    assert all(datetime(2026, 10, 31, tzinfo=timezone.utc) < r.published < datetime(2026, 11, 9, tzinfo=timezone.utc)
               for r in whole.releases())
    cut = datetime(2026, 11, 4, 12, tzinfo=timezone.utc)
    early = generate_site(tmp_path / "b", per_source=20, dates=span, as_of=cut)
    assert {r.id for r in early.releases()} == {r.id for r in whole.releases() if r.published <= cut}
    assert early.as_of == cut.isoformat(timespec="seconds")


def test_a_typography_change_needs_something_to_retype(tmp_path: Path) -> None:
    from govpress.demo.localsite.generator import can_retype

    manifest = generate_site(tmp_path / "s", per_source=40)
    flat = [r.id for r in manifest.releases() if not can_retype(r)]
    assert flat  # some English releases have no dash or hyphen at all
    with pytest.raises(ValueError, match="retype"):
        generate_site(tmp_path / "t", per_source=40, changes={flat[0]: "typography"})
    with pytest.raises(ValueError, match="unknown change"):
        generate_site(tmp_path / "u", per_source=40, changes={manifest.releases()[0].id: "vanish"})
