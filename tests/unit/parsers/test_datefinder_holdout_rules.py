"""Rules added after scoring the third, held-out-style set (tests/fixtures/extraction_holdout): each in isolation.

Every page is a small hand-written document; each test shows the rule firing and, beside it, the
case where it must not (so that a rule that always fires, or never, fails here).
"""

from __future__ import annotations

from datetime import datetime, timezone

from govpress.eval import _day
from govpress.parsers import generic
from govpress.parsers.datefinder import labelled_dates
from govpress.parsers.dates import find_dates
from govpress.parsers.release import ParseContext

PROSE = (
    "<p>The council has approved a plan to plant twelve thousand street trees over the next five years, starting "
    "with the districts that have the least shade.</p><p>Residents will be able to request a tree through the "
    "council's website, and volunteers will help to water young trees during the summer.</p>"
)
FETCHED = datetime(2024, 10, 10, 9, 0, tzinfo=timezone.utc)


def ctx(zone: str = "Europe/Berlin", lang: str = "en") -> ParseContext:
    return ParseContext(source_id="test", timezone=zone, languages=(lang,), fetched_at=FETCHED)


def parse(body: str, *, head: str = "", title: str = "Street trees plan approved", lang: str = "en",
          zone: str = "Europe/Berlin", url: str = "https://city.example/news/trees"):
    document = (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
                f"<body>{body}</body></html>").encode()
    return generic.parse(document, url, ctx(zone, lang))


def day(release) -> str | None:
    return release.published_at.date().isoformat() if release.published_at else None


# ----------------------------------------------------------------------------- a label belongs to its own date


def test_each_date_on_a_line_takes_the_label_of_its_own_segment() -> None:
    line = "Дата обновления: 10 октября 2024, 11:40 Дата публикации: 3 октября 2024, 16:20"
    labels = [(label, d.value.date().isoformat()) for label, d in labelled_dates(line, find_dates(line, tz="Asia/Almaty"))]
    assert labels == [("other", "2024-10-10"), ("published", "2024-10-03")]


def test_updated_printed_before_published_on_one_line_gives_the_published_day() -> None:
    body = ("<main><h1>Street trees plan approved</h1><div class='meta'><span>Updated: 8 October 2024</span><br>"
            f"<span>Published: 3 October 2024</span></div>{PROSE}</main>")
    assert day(parse(body)) == "2024-10-03"
    # In an element classed date (read as one string), the same: the edit's date is not taken.
    classed = (f"<main><h1>Street trees plan approved</h1><p class='dates'>Mis à jour le 25/06/2024 · Publié le 12/06/2024</p>"
               f"{PROSE}</main>")
    assert day(parse(classed, lang="fr", zone="Europe/Paris")) == "2024-06-12"
    # Only an edit's date on the line: no publication day from it.
    only_updated = f"<main><h1>Street trees plan approved</h1><p>Updated: 8 October 2024</p>{PROSE}</main>"
    assert day(parse(only_updated)) is None


# ----------------------------------------------------------------------------- datelines with "le"/"den"/"a"


def test_dateline_with_the_article_letters_put_before_a_date() -> None:
    for opening, lang, expected in (("Paris, le 2 octobre 2024. ", "fr", "2024-10-02"),
                                    ("Berlin, den 2. Oktober 2024 – ", "de", "2024-10-02"),
                                    ("Madrid, a 2 de octubre de 2024.– ", "es", "2024-10-02")):
        body = f"<main><h1>Street trees plan approved</h1><p>{opening}{PROSE[3:]}</main>"
        assert day(parse(body, lang=lang)) == expected, opening
    # A date inside the first sentence is an event, not a dateline.
    body = f"<main><h1>Street trees plan approved</h1><p>The council met on 2 October 2024 and agreed. {PROSE[3:]}</main>"
    assert day(parse(body)) is None


# ----------------------------------------------------------------------------- breadcrumb


def test_the_last_breadcrumb_crumb_dates_the_page_the_others_do_not() -> None:
    crumbs = "<nav class='breadcrumb'><a href='/'>Home</a> › <a href='/news/'>News</a> › <span>8 October 2024</span></nav>"
    assert day(parse(f"{crumbs}<main><h1>Street trees plan approved</h1>{PROSE}</main>")) == "2024-10-08"
    # A date-named section in the middle of the trail is an archive, not this page.
    middle = ("<div id='breadcrumbs'><a href='/'>Home</a> / <a href='/archive/'>8 October 2024</a> / "
              "<span>Street trees plan approved</span></div>")
    assert day(parse(f"{middle}<main><h1>Street trees plan approved</h1>{PROSE}</main>")) is None


# ----------------------------------------------------------------------------- meta stamped on the fetch day


def test_a_meta_date_on_the_fetch_day_gives_way_to_a_visible_date() -> None:
    visible = f"<main><h1>Street trees plan approved</h1><p class='datum'>26.09.2024</p>{PROSE}</main>"
    stamped = "<meta name='date' content='2024-10-10'>"
    assert day(parse(visible, head=stamped, lang="de")) == "2024-09-26"
    # On another day than the fetch day, the meta date is trusted over the visible line.
    assert day(parse(visible, head="<meta name='date' content='2024-09-25'>", lang="de")) == "2024-09-25"
    # A page fetched on its publication day keeps its meta date against another day classed "date" in a sidebar.
    sidebar = (f"<main><h1>Street trees plan approved</h1>{PROSE}</main><div class='news'><span class='date'>09.10.2024</span>"
               " <a href='/news/other'>Leaf collection starts next week in all districts</a></div>")
    assert day(parse(sidebar, head=stamped, lang="de")) == "2024-10-10"
    # On the fetch day with no visible date, it stands.
    assert day(parse(f"<main><h1>Street trees plan approved</h1>{PROSE}</main>", head=stamped, lang="de")) == "2024-10-10"


# ----------------------------------------------------------------------------- teasers refused by the fallback


def test_htmldate_fallback_is_refused_a_day_shown_only_beside_links_to_other_pages() -> None:
    sidebar = ("<div class='sidebar'><p><span class='news-date-time'>07.10.2024</span> <a href='/press/news/1/'>Vaccination "
               "campaign continues</a></p></div>")
    assert day(parse(f"<div class='workarea'><h1>Street trees plan approved</h1>{PROSE}</div>{sidebar}", lang="ru",
                     zone="Europe/Moscow")) is None
    # The same date with no link beside it (the page's own date line) is kept.
    own = "<div class='sidebar'><p><span class='news-date-time'>07.10.2024</span> Press office</p></div>"
    assert day(parse(f"<div class='workarea'><h1>Street trees plan approved</h1>{PROSE}</div>{own}", lang="ru",
                     zone="Europe/Moscow")) == "2024-10-07"


# ----------------------------------------------------------------------------- titles


def test_a_title_naming_the_site_of_the_logo_link_gives_way_to_the_h1() -> None:
    body = ("<div id='top'><a href='/'>Gmina Przykładowo</a></div><div id='tresc'><h1>Gmina zbuduje nowe przedszkole</h1>"
            f"{PROSE}</div>")
    release = parse(body, title="Gmina Przykładowo - Biuletyn Informacji Publicznej", lang="pl", zone="Europe/Warsaw")
    assert release.title == "Gmina zbuduje nowe przedszkole"
    # A link to ANOTHER site's home page names that site, not this one.
    assert generic._same_site("/", "https://city.example/news/trees")
    assert generic._same_site("https://www.city.example/", "https://city.example/news/trees")
    assert not generic._same_site("https://partner.example/", "https://city.example/news/trees")


# ----------------------------------------------------------------------------- the evaluation's day


def test_eval_reads_the_day_of_a_stamp_in_the_source_zone() -> None:
    assert _day("2024-10-02T22:30:00+00:00", "Australia/Sydney") == "2024-10-03"
    assert _day("2024-10-02T22:30:00+00:00", "Europe/London") == "2024-10-02"
    assert _day("2024-10-02", "Australia/Sydney") == "2024-10-02"  # a bare day, as written
    assert _day("2024-10-02T22:30:00", "Australia/Sydney") == "2024-10-02"  # naive: as written
    assert _day(None, "UTC") is None


# ----------------------------------------------------------------------------- the lone bare date line


def test_the_pages_only_bare_date_line_is_the_last_resort() -> None:
    article = f"<div class='text'><h1>Street trees plan approved</h1>{PROSE}</div>"
    box = "<div class='box'><p>Press office</p><p>27.09.2024</p></div>"
    assert day(parse(f"<div class='wrap'>{article}<div class='col'>{box}</div></div>", lang="de")) == "2024-09-27"
    counted = generic.counters["lone_date_line_used"]
    parse(f"<div class='wrap'>{article}<div class='col'>{box}</div></div>", lang="de")
    assert generic.counters["lone_date_line_used"] == counted + 1
    # Two different days on bare lines: the lone line cannot tell which is the page's, and the
    # answer is left to htmldate's free-text scan, asked after it.
    two = "<div class='box'><p>27.09.2024</p><p>30.09.2024</p></div>"
    lone, free = generic.counters["lone_date_line_used"], generic.counters["free_text_date_used"]
    assert day(parse(f"<div class='wrap'>{article}<div class='col'>{two}</div></div>", lang="de")) in ("2024-09-27", "2024-09-30")
    assert generic.counters["lone_date_line_used"] == lone and generic.counters["free_text_date_used"] == free + 1
    # A day after the fetch is an event; a line in a footer or an aside is not read.
    future = "<div class='box'><p>27.10.2024</p></div>"
    assert day(parse(f"<div class='wrap'>{article}<div class='col'>{future}</div></div>", lang="de")) is None
    assert day(parse(f"<div class='wrap'>{article}<aside><p>27.09.2024</p></aside></div>", lang="de")) is None


# ----------------------------------------------------------------------------- htmldate's free-text scan, guarded


def test_htmldate_free_text_scan_is_asked_last_and_must_show_the_day_on_a_line_no_rule_rejects() -> None:
    article = f"<div class='text'><h1>Street trees plan approved</h1>{PROSE}</div>"
    source = "<div class='info'><p>Source: press service of the city council, 12 September 2024</p></div>"
    assert day(parse(f"<div class='wrap'>{article}{source}</div>", zone="Europe/London")) == "2024-09-12"
    issued = "<div class='info'><p>Issued by the Office of Communications on September 12, 2024 at 10 a.m.</p></div>"
    assert day(parse(f"<div class='wrap'>{article}{issued}</div>", zone="America/New_York")) == "2024-09-12"
    # The same day on a line the finder rejects (a "last modified" line, a copyright line) is no publication day.
    modified = "<div class='info'><p>This page was last modified on 12 September 2024 by the web team</p></div>"
    assert day(parse(f"<div class='wrap'>{article}{modified}</div>", zone="Europe/London")) is None
    copyright_line = "<div class='info'><p>© City council, 12 September 2024, all rights reserved</p></div>"
    assert day(parse(f"<div class='wrap'>{article}{copyright_line}</div>", zone="Europe/London")) is None
