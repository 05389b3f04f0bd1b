"""Unit tests of govpress.parsers.html and govpress.parsers.generic on small hand-written pages, one metadata channel at a time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpress.parsers import generic
from govpress.parsers import parse as registry_parse
from govpress.parsers.html import (
    absolute,
    block_paragraphs,
    find_main_content,
    looks_blocked,
    make_soup,
    page_metadata,
    parse_html,
    remove_boilerplate,
    same_document_elsewhere,
    select_one,
    strip_site_suffix,
    text_of,
)
from govpress.parsers.release import BlockedPage, ParseContext, ParseError

URL = "https://gov.example/news/2024/10/visit-12345"
CTX = ParseContext(source_id="test", timezone="Europe/Moscow", languages=("en",))

PROSE = (
    "<p>The Minister of Foreign Affairs held talks with his counterpart on Tuesday in the capital. "
    "The sides discussed trade, energy and transport links between the two countries.</p>"
    "<p>They agreed to hold the next round of consultations in the spring. A joint statement was signed "
    "at the end of the meeting, setting out the plans for the coming year.</p>"
    "<p>The minister also met representatives of the business community, who presented several joint projects.</p>"
)


def page(head: str = "", body: str = "", *, lang: str = "en") -> bytes:
    return f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def article(title: str = "Minister holds talks with counterpart", extra: str = "") -> str:
    return f"<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav><article><h1>{title}</h1>{extra}{PROSE}</article>"


def soup_of(html: str):
    """The one lxml tree every helper reads."""
    return parse_html(html.encode())


# ----------------------------------------------------------------------------- metadata channels


def test_jsonld_graph_headline_dates_and_article_body() -> None:
    jsonld = """{"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Gov Example"},
        {"@type": ["NewsArticle"], "headline": "Talks on trade and energy",
         "datePublished": "2024-10-02T11:54:00+03:00", "dateModified": "2024-10-03T09:00:00+03:00",
         "inLanguage": "en", "keywords": ["trade", "energy"],
         "articleBody": "First paragraph of the body, which is long enough to count as prose for the test.\\n\\nSecond paragraph of the body. It says more about the talks and their results."}]}"""
    body = page(f"<script type='application/ld+json'>{jsonld}</script><title>Talks on trade and energy | Gov Example</title>",
                "<h1>Talks on trade and energy</h1><p>Short teaser only.</p>")
    release = generic.parse(body, URL, CTX)
    assert release.title == "Talks on trade and energy"
    assert release.published_at == datetime(2024, 10, 2, 11, 54, tzinfo=timezone(timedelta(hours=3)))
    assert release.published_precision == "second"
    assert release.updated_at == datetime(2024, 10, 3, 9, 0, tzinfo=timezone(timedelta(hours=3)))
    assert release.body_text.split("\n\n") == [
        "First paragraph of the body, which is long enough to count as prose for the test.",
        "Second paragraph of the body. It says more about the talks and their results.",
    ]
    assert release.tags == ["trade", "energy"]


def test_jsonld_list_and_broken_json_are_tolerated() -> None:
    soup = soup_of(
        "<html><head><script type='application/ld+json'>{not json</script>"
        "<script type='application/ld+json'>[{\"@type\": \"Article\", \"headline\": \"From a list\", "
        "\"datePublished\": \"2024-01-05\",}]</script></head><body></body></html>"
    )
    meta = page_metadata(soup, URL)
    assert meta.jsonld_headline == "From a list"
    assert ("jsonld", "2024-01-05") in meta.published


def test_opengraph_title_suffix_and_published_time() -> None:
    head = ("<meta property='og:title' content='Minister holds talks with counterpart | Ministry of Examples'>"
            "<meta property='og:site_name' content='Ministry of Examples'>"
            "<meta property='article:published_time' content='2024-10-02T08:54:00Z'>"
            "<meta property='article:modified_time' content='2024-10-02T10:00:00Z'>"
            "<meta property='article:tag' content='diplomacy'>")
    release = generic.parse(page(head, article()), URL, CTX)
    assert release.title == "Minister holds talks with counterpart"
    assert release.published_at == datetime(2024, 10, 2, 8, 54, tzinfo=timezone.utc)
    assert release.updated_at == datetime(2024, 10, 2, 10, 0, tzinfo=timezone.utc)
    assert release.tags == ["diplomacy"]


def test_time_itemprop_naive_value_is_read_in_the_source_zone() -> None:
    extra = "<time datetime='2024-03-01T10:00:00'>1 March</time><p><time itemprop='datePublished' datetime='2024-10-02T11:54'>2 October</time></p>"
    release = generic.parse(page("", article(extra=extra)), URL, CTX)
    # itemprop=datePublished beats the first <time> of the article
    assert release.published_at.isoformat() == "2024-10-02T11:54:00+03:00"
    assert release.published_precision == "minute"


def test_plain_time_in_article_is_used_when_nothing_better() -> None:
    extra = "<time datetime='2024-10-02'>2 October 2024</time>"
    release = generic.parse(page("", article(extra=extra)), URL, CTX)
    assert release.published_at.isoformat() == "2024-10-02T00:00:00+03:00"
    assert release.published_precision == "day"


def test_hentry_microformats() -> None:
    body = (
        "<div class='h-entry'><h1 class='p-name'>Meeting with the Prime Minister</h1>"
        "<time class='dt-published' datetime='2018-03-15T18:00:00+03:00'>15 March 2018</time>"
        "<div class='p-summary'>The President met the Prime Minister to discuss the budget.</div>"
        f"<div class='e-content'>{PROSE}</div>"
        "<div class='related'><p>Another news item that has a long enough sentence to look like prose. Really.</p></div></div>"
    )
    release = generic.parse(page("<title>Site</title>", body), URL, CTX)
    assert release.title == "Meeting with the Prime Minister"
    assert release.published_at == datetime(2018, 3, 15, 18, 0, tzinfo=timezone(timedelta(hours=3)))
    assert release.lead == "The President met the Prime Minister to discuss the budget."
    assert release.body_text.startswith("The Minister of Foreign Affairs held talks")
    assert "Another news item" not in release.body_text


def test_listing_with_many_hentries_has_no_entry_metadata() -> None:
    entries = "".join(f"<div class='hentry'><h3 class='entry-title'>Item {i}</h3><time datetime='2018-03-1{i}'>x</time></div>" for i in range(3))
    meta = page_metadata(soup_of(f"<html><body>{entries}</body></html>"), URL)
    assert meta.hentry_name is None
    assert meta.published == []


@pytest.mark.parametrize("name", ["date", "DC.date", "dcterms.issued", "DC.date.issued"])
def test_meta_name_dates(name: str) -> None:
    head = f"<meta name='{name}' content='2024-10-02'>"
    release = generic.parse(page(head, article()), URL, CTX)
    assert release.published_at.date().isoformat() == "2024-10-02"
    assert release.published_precision == "day"


def test_dates_in_the_body_text_are_never_the_publication_date() -> None:
    extra = "<p>The agreement of 12 March 2019 was recalled. On 5 June 2023 the sides met in Baku.</p>"
    release = generic.parse(page("<title>Talks</title>", article(extra=extra)), URL, CTX)
    assert release.published_at is None
    assert release.published_precision is None


def test_dateline_element_gives_day_precision() -> None:
    extra = "<div class='news-date'>2 октября 2024</div>"
    release = generic.parse(page("", article(extra=extra)), URL, ParseContext(timezone="Europe/Minsk"))
    assert release.published_at.isoformat() == "2024-10-02T00:00:00+03:00"
    assert release.published_precision == "day"


def test_canonical_is_made_absolute_and_falls_back_to_the_url() -> None:
    release = generic.parse(page("<link rel='canonical' href='/news/visit-12345'>", article()), URL, CTX)
    assert release.canonical_url == "https://gov.example/news/visit-12345"
    release = generic.parse(page("", article()), URL, CTX)
    assert release.canonical_url == URL


def test_base_href_is_honoured_for_relative_links() -> None:
    head = "<base href='https://www.gov.example/'><link rel='canonical' href='DE/page_node.html'>"
    meta = page_metadata(soup_of(f"<html><head>{head}</head><body></body></html>"), "https://gov.example/x/y")
    assert meta.canonical == "https://www.gov.example/DE/page_node.html"


def test_hreflang_translations_exclude_own_language_and_x_default() -> None:
    head = ("<link rel='alternate' hreflang='en' href='/en/news/12345'>"
            "<link rel='alternate' hreflang='ru' href='/ru/news/12345'>"
            "<link rel='alternate' hreflang='az-AZ' href='https://gov.example/az/news/12345'>"
            "<link rel='alternate' hreflang='x-default' href='/news/12345'>")
    release = generic.parse(page(head, article()), URL, CTX)
    assert release.language == "en"
    assert release.translations == {
        "ru": "https://gov.example/ru/news/12345",
        "az": "https://gov.example/az/news/12345",
    }


def test_language_switcher_links_count_only_when_they_point_to_this_page() -> None:
    own = "https://gov.example/news/en/press-room/20190712IPR56948/slug"
    switch = ("<ul class='langs'><li><a hreflang='de' href='/news/de/press-room/20190712IPR56948/slug'>DE</a></li>"
              "<li><a hreflang='fr' href='/news/fr/press-room/20190712IPR56948/slug'>FR</a></li></ul>")
    meta = page_metadata(soup_of(f"<html><body>{switch}</body></html>"), own)
    assert meta.hreflang == {
        "de": "https://gov.example/news/de/press-room/20190712IPR56948/slug",
        "fr": "https://gov.example/news/fr/press-room/20190712IPR56948/slug",
    }
    homes = "<a hreflang='en' href='/EN/Home/home_node.html'>EN</a><a hreflang='fr' href='/FR/Home/home_node.html'>FR</a>"
    meta = page_metadata(soup_of(f"<html><body>{homes}</body></html>"), "https://gov.example/DE/Topic/Page_node.html")
    assert meta.hreflang == {}


def test_a_page_without_a_language_switcher_does_not_build_its_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """The switcher's same-document test (a URL split, its segments and ids) is built only for a page with
    ``<a hreflang>`` links; a page without them gets the same canonical and no language versions."""
    from govpress.parsers.html import links

    built: list[str] = []
    real = links._same_document_test
    monkeypatch.setattr(links, "_same_document_test", lambda own: built.append(own) or real(own))
    head = "<link rel='canonical' href='/news/12345'><link rel='stylesheet' href='/main.css'>"
    meta = page_metadata(soup_of(f"<html><head>{head}</head><body><p>Text</p></body></html>"), "https://gov.example/news/12345?x=1")
    assert (meta.canonical, meta.hreflang, built) == ("https://gov.example/news/12345", {}, [])
    switch = "<a hreflang='de' href='/de/news/12345'>DE</a><a hreflang='fr' href='/fr/news/12345'>FR</a>"
    meta = page_metadata(soup_of(f"<html><head>{head}</head><body>{switch}</body></html>"), "https://gov.example/news/12345")
    assert built == ["https://gov.example/news/12345"]
    assert meta.hreflang == {"de": "https://gov.example/de/news/12345", "fr": "https://gov.example/fr/news/12345"}


def test_same_document_elsewhere() -> None:
    assert same_document_elsewhere("https://a.example/en/news/57063", "https://a.example/ru/news/57063")
    assert same_document_elsewhere("https://a.example/en/a/b", "https://a.example/de/a/b")
    assert not same_document_elsewhere("https://a.example/en/a/b", "https://a.example/de/c")


def test_html_lang_and_og_locale_declare_the_language() -> None:
    soup = soup_of("<html lang='de-AT'><head><meta property='og:locale' content='en_GB'></head><body></body></html>")
    meta = page_metadata(soup, URL)
    assert meta.html_lang == "de-AT"
    assert meta.og_locale == "en_GB"
    assert meta.language == "de"
    assert page_metadata(soup_of("<html><head><meta property='og:locale' content='ru_RU'></head></html>"), URL).language == "ru"


def test_language_is_detected_from_the_text_not_only_declared() -> None:
    russian = ("<article><h1>Министр провёл переговоры</h1><p>Министр иностранных дел провёл переговоры с коллегой "
               "во вторник в столице. Стороны обсудили торговлю, энергетику и транспорт.</p><p>Они договорились "
               "провести следующий раунд консультаций весной. По итогам встречи подписано совместное заявление.</p></article>")
    release = generic.parse(page("", russian, lang="en"), URL, ParseContext(languages=("ru", "en")))
    assert release.language == "ru"


# ----------------------------------------------------------------------------- title, subtitle, lead


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Venezuela: sanctions  | News | European Parliament", "Venezuela: sanctions"),
        ("BMJV  |  Transparenz bei Preisanpassungen", "Transparenz bei Preisanpassungen"),
        ("Kneissl beim Treffen in Luxemburg – BMEIA, Außenministerium Österreich", "Kneissl beim Treffen in Luxemburg"),
        ("Talks with the EU-UK delegation - GOV.UK", "Talks with the EU-UK delegation"),
        ("EU-UK relations: parliament adopts measures", "EU-UK relations: parliament adopts measures"),
        ("\n\n\nCar-recharging stations every 60 km | News", "Car-recharging stations every 60 km"),
    ],
)
def test_strip_site_suffix(raw: str, expected: str) -> None:
    assert strip_site_suffix(raw) == expected


def test_site_name_segment_is_dropped_even_when_longer() -> None:
    assert strip_site_suffix("Visit | Ministry of Foreign Affairs of the Republic", "Ministry of Foreign Affairs of the Republic") == "Visit"


def test_h1_resembling_og_title_wins_and_kicker_labels_are_dropped() -> None:
    head = "<meta property='og:title' content='EP paves way for disaster funds'><title>EP paves way for disaster funds | News</title>"
    h1 = "<span class='category'><span class='aural'>Topic </span>Funds</span>Parliament paves way for disaster funds"
    release = generic.parse(page(head, article(title=h1)), URL, CTX)
    assert release.title == "Parliament paves way for disaster funds"
    assert "Parliament paves way" not in release.body_text


def test_unrelated_h1_loses_to_metadata_title() -> None:
    body = "<h1 class='logo'>Ministry of Examples</h1>" + article(title="") .replace("<h1></h1>", "")
    release = generic.parse(page("<title>Minister holds talks | Ministry of Examples</title>", body), URL, CTX)
    assert release.title == "Minister holds talks"


def test_subtitle_from_h2_after_h1_and_from_class() -> None:
    extra_free = "<h1>Minister holds talks</h1><h2>Trade and energy were on the agenda</h2>"
    release = generic.parse(page("", f"<article>{extra_free}{PROSE}</article>"), URL, CTX)
    assert release.subtitle == "Trade and energy were on the agenda"
    assert "Trade and energy were on the agenda" not in release.body_text

    classed = "<article><h1>Minister holds talks</h1><div class='subheadline'><p>Talks covered trade.</p></div>" + PROSE + "</article>"
    release = generic.parse(page("", classed), URL, CTX)
    assert release.subtitle == "Talks covered trade."
    assert not release.body_text.startswith("Talks covered trade.")


def test_lead_is_the_description_unless_it_is_the_first_paragraph_cut_short() -> None:
    own = "<meta name='description' content='Ministers agreed on a joint statement.'>"
    release = generic.parse(page(own, article()), URL, CTX)
    assert release.lead == "Ministers agreed on a joint statement."
    truncated = "<meta name='description' content='The Minister of Foreign Affairs held talks with his counterpart on…'>"
    assert generic.parse(page(truncated, article()), URL, CTX).lead is None
    whole = ("<meta property='og:description' content='The Minister of Foreign Affairs held talks with his counterpart on Tuesday "
             "in the capital. The sides discussed trade, energy and transport links between the two countries.'>")
    assert generic.parse(page(whole, article()), URL, CTX).lead is None


# ----------------------------------------------------------------------------- paragraphs


def test_block_paragraphs_structure() -> None:
    html = (
        "<div id='c'><h2>Heading</h2><p>One <strong>bold</strong>: text.</p>"
        "<ul><li>First item.</li><li>Second item.</li></ul>"
        "<blockquote>A quotation.</blockquote>"
        "<div>Line one.<br><br>Line two after a blank line.</div>"
        "<p>Sentence ends.<br>New line starts a paragraph.</p>"
        "<p>Wrapped line without end<br>continues here.</p>"
        "<p>Same text.</p><p>Same text.</p>"
        "<p>soft\u00adhyphen and\u00a0nbsp</p>"
        "<script>var x = 1;</script><style>p {}</style><!-- a comment -->"
        "<figure><img src='x.jpg'><figcaption>Photo: Press service</figcaption></figure>"
        "<div class='share-buttons'>Share on Facebook</div>"
        "<div class='related-news'><p>Related article text.</p></div>"
        "<div class='newsletter-subscribe'>Subscribe to our newsletter</div>"
        "<nav>Menu</nav><aside>Sidebar</aside></div>"
    )
    paragraphs = block_paragraphs(select_one(soup_of(html), "#c"))
    assert paragraphs == [
        "Heading",
        "One bold: text.",
        "First item.",
        "Second item.",
        "A quotation.",
        "Line one.",
        "Line two after a blank line.",
        "Sentence ends.",
        "New line starts a paragraph.",
        "Wrapped line without end\ncontinues here.",
        "Same text.",
        "softhyphen and nbsp",
    ]


def test_whitespace_between_blocks_makes_no_paragraph() -> None:
    """Runs of any whitespace (the markup's line breaks, NBSP, ideographic space) between or inside blocks are no
    paragraph and add nothing to the text beside them; a <br> among them is no text either."""
    html = ("<div id='w'><p>One.</p>\n \u00a0\u2003\t<p>Two.</p><div> \n <br> \u3000 </div>"
            "<p>Three<br> \n </p>\u2028<section>\n\n</section><p>\u00a0Four\u00a0 <b> </b>five.</p></div>")
    assert block_paragraphs(select_one(soup_of(html), "#w")) == ["One.", "Two.", "Three", "Four five."]


def test_repeated_headline_dropped_whatever_its_case_fold_length() -> None:
    """The headline repeated in the body is dropped when the case folds are equal, also when the fold lengthens
    the text ("ß" -> "ss"); a paragraph longer than every repeated text is kept without its fold being compared,
    which holds because no character's case fold is shorter than the character."""
    assert all(len(chr(code).casefold()) >= 1 for code in range(0x110000))
    kept = generic._clean_paragraphs(["STRASSE", "Straße", "Strasse und mehr", "Text."], title="Straße", subtitle=None,
                                     h1=["STRASSE"])
    assert kept == ["Strasse und mehr", "Text."]


def test_speaker_turns_start_their_own_paragraph_with_the_label() -> None:
    html = ("<div id='t'><p><b>В.Путин:</b> Добрый день, уважаемые коллеги!</p>"
            "<p>Начнём с главного<br><b>Д.Медведев:</b> Спасибо, Владимир Владимирович<br>и продолжим</p></div>")
    paragraphs = block_paragraphs(select_one(soup_of(html), "#t"))
    assert paragraphs == [
        "В.Путин: Добрый день, уважаемые коллеги!",
        "Начнём с главного",
        "Д.Медведев: Спасибо, Владимир Владимирович\nи продолжим",
    ]


def test_remove_boilerplate_and_absolute() -> None:
    soup = soup_of("<div id='x'><p>Keep.</p><div class='ad'>Ad</div><p class='tags'>t</p></div>")
    assert remove_boilerplate(soup, [".ad", "p.tags", "::bad selector("]) == 2
    assert text_of(select_one(soup, "#x")) == "Keep."
    assert absolute("https://a.example/x/y", "../z") == "https://a.example/z"
    assert absolute("https://a.example/x/", "  //cdn.example/a ") == "https://cdn.example/a"
    assert absolute("https://a.example/", "javascript:void(0)") is None
    assert absolute("https://a.example/", "mailto:a@b.c") is None
    assert absolute("https://a.example/", "#top") is None


def _absolute_by_urljoin(url: str, href: str | None) -> str | None:
    """absolute() as defined: urljoin for every link that is not empty, a fragment or another scheme."""
    from urllib.parse import urljoin, urlsplit

    href = (href or "").strip()
    if not href or href.startswith("#") or urlsplit(href).scheme.lower() not in ("", "http", "https"):
        return None
    try:
        return urljoin(url, href)
    except ValueError:
        return None


_BASES = ["https://www.example.eu/news/en/press-room/x", "http://a.example", "https://u:p@h.example:8080/a/b?q=1#f",
          "HTTPS://Host.Example/x", "file:///tmp/x", "https://a.example/x/", "//a.example/x", "", "https://[::1/x",
          # bases urlsplit refuses, or reads although they are not plain: brackets, a non-ASCII host
          "https://[::1]/x", "https://[v1.x]/x", "https://[1.2.3.4]/x", "https://ex\u2100ample.example/x", "https://пример.example/x",
          "http://127.0.0.1:8000/news/1/"]


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(_BASES),
       st.lists(st.sampled_from(list("/ab.?#;=%&:@+-_~ \tЯA") + ["..", "./", "//"]), max_size=10).map("".join))
def test_absolute_equals_urljoin(base: str, href: str) -> None:
    # Its shortcuts for plain root paths ("/news/...") and plain absolute http(s) URLs (canonical and
    # hreflang links) must give what urljoin gives, dot segments, parameters, empty queries and fragments included.
    for link in (href, "/" + href, "https://a.example/" + href, "http://a.example" + href, "https://h.example:8080/" + href,
                 "HTTP://a.example/" + href, "https://[::1]/" + href):
        assert absolute(base, link) == _absolute_by_urljoin(base, link)


def test_main_content_takes_a_lead_column_but_not_contact_cards() -> None:
    body = (
        "<div class='grid'>"
        "<div class='col'><ul><li>Highlight one</li><li>Highlight two</li></ul></div>"
        "<div class='col'><div class='chapo'><p>The lead paragraph stands in its own column and says what happened in "
        "one long sentence without a full stop</p></div></div>"
        f"<div class='col'><div class='text'>{PROSE}</div></div>"
        "<div class='col'><div class='press-box'><h3>Press office</h3><p>Jane Doe</p><p>+1 555 0100</p></div></div>"
        "</div>"
    )
    root, excluded = find_main_content(soup_of(f"<html><body>{body}</body></html>"))
    paragraphs = block_paragraphs(root, exclude=excluded)
    assert paragraphs[0].startswith("The lead paragraph stands")
    assert "Highlight one" not in paragraphs
    assert "Jane Doe" not in paragraphs
    assert paragraphs[-1].startswith("The minister also met")


def test_windows_1251_page_is_decoded() -> None:
    html = ("<html><head><meta charset='windows-1251'><title>Переговоры министров</title></head><body><article>"
            "<h1>Переговоры министров</h1><p>Министр иностранных дел провёл переговоры с коллегой во вторник. "
            "Стороны обсудили торговлю и энергетику.</p></article></body></html>")
    release = generic.parse(html.encode("cp1251"), URL, ParseContext(languages=("ru",)))
    assert release.title == "Переговоры министров"
    assert release.body_text.startswith("Министр иностранных дел")


# ----------------------------------------------------------------------------- blocked pages


AWS_WAF = (b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title></title>"
           b"<script>window.awsWafCookieDomainList = [];window.gokuProps = {\"key\":\"AQID\"};</script>"
           b"<script src='https://x.token.awswaf.com/x/challenge.js'></script></head><body>"
           b"<div id='challenge-container'></div><noscript>JavaScript is disabled</noscript></body></html>")
CLOUDFLARE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
              b"<div id='cf-chl-widget'>Checking if the site connection is secure</div>"
              b"<script>window._cf_chl_opt={cvId: '3'};</script></body></html>")
CF_BLOCK = b"<html><head><title>Attention Required! | Cloudflare</title></head><body><h1>Sorry, you have been blocked</h1></body></html>"
REQUEST_ACCESS = (b"<html><head><title>Request Access</title></head><body><h1>Request Access</h1>"
                  b"<p>Your request has been blocked. Contact the administrator with the reference below.</p></body></html>")
ACCESS_DENIED = (b"<HTML><HEAD><TITLE>Access Denied</TITLE></HEAD><BODY><H1>Access Denied</H1>"
                 b"You don't have permission to access \"http://www.gov.example/\" on this server.<P>Reference #18.1</BODY></HTML>")
CAPTCHA = (b"<html><head><title>\xd0\x9e\xd0\xb9!</title></head><body><form><div class='g-recaptcha' data-sitekey='x'></div>"
           b"<p>Please confirm</p></form></body></html>")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (AWS_WAF, "AWS WAF"),
        (CLOUDFLARE, "Cloudflare"),
        (CF_BLOCK, "Cloudflare"),
        (REQUEST_ACCESS, "Request Access"),
        (ACCESS_DENIED, "Access Denied"),
        (CAPTCHA, "captcha"),
    ],
)
def test_challenge_and_access_pages_are_blocked(body: bytes, fragment: str) -> None:
    reason = looks_blocked(make_soup(body))
    assert reason is not None and fragment.lower() in reason.lower()
    assert looks_blocked(body.decode("utf-8")) is not None  # the fetch layer passes raw text
    with pytest.raises(BlockedPage):
        generic.parse(body, URL, CTX)


def test_the_fetchers_no_block_is_taken_for_the_same_bytes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # A page the fetcher found no block in (ParseContext.no_block_found) is not judged again when the parser's
    # text is those bytes read as the rules read them; another charset's page, or no such verdict, is.
    from dataclasses import replace

    asked: list[str] = []

    def counting(text: str) -> None:
        asked.append(text)
        return None

    monkeypatch.setattr(generic, "looks_blocked", counting)
    utf8 = page("<title>Talks</title>", article())
    html = replace(CTX, content_type="text/html; charset=utf-8")
    generic.parse(utf8, URL, replace(html, no_block_found=True))
    assert asked == []
    generic.parse(utf8, URL, html)
    assert len(asked) == 1
    cyrillic = page("<title>Встреча</title>", article()).decode("utf-8").replace("holds talks", "Переговоры")
    generic.parse(cyrillic.encode("cp1251"), URL, replace(CTX, content_type="text/html; charset=windows-1251", no_block_found=True))
    assert len(asked) == 2 and "Переговоры" in asked[-1]
    # the site parsers' one tree, the same way
    from govpress.parsers.sites import site

    monkeypatch.setattr(site, "looks_blocked", counting)
    site.unblocked_tree(utf8, replace(html, no_block_found=True))
    assert len(asked) == 2
    site.unblocked_tree(utf8, html)
    assert len(asked) == 3


def test_waf_header_alone_blocks_whatever_the_body() -> None:
    assert "AWS WAF" in looks_blocked("", status=202, headers={"X-Amzn-Waf-Action": "challenge"})
    assert "Cloudflare" in looks_blocked("<html></html>", status=403, headers={"cf-mitigated": "challenge"})


def test_error_status_without_content_and_tiny_pages_are_blocked() -> None:
    assert looks_blocked("<html><body>Forbidden</body></html>", status=403) == "HTTP 403 without content"
    assert looks_blocked("<html><body><div>Loading…</div></body></html>") == "tiny HTML page (47 bytes) without article text"


def test_real_articles_are_not_blocked() -> None:
    # A short but real article, and a long one with a captcha in its comment form and Cloudflare's scripts.
    assert looks_blocked(make_soup(page("<title>Talks</title>", article()))) is None
    long_page = page(
        "<title>Talks</title><script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script>",
        article() + PROSE * 6 + "<form class='comments'><div class='g-recaptcha'></div></form>",
    )
    assert looks_blocked(make_soup(long_page)) is None
    assert looks_blocked(long_page.decode()) is None
    assert looks_blocked(make_soup(page("<title>Access Denied: a new law on data access</title>", article() + PROSE * 6))) is None


# ----------------------------------------------------------------------------- feed entries


RSS_ENTRY = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Ministry news</title><link>https://gov.example/</link><language>en</language>
<item><title>Minister holds talks with counterpart</title>
<link>/news/2024/10/visit-12345</link>
<pubDate>Wed, 02 Oct 2024 11:54:00 +0300</pubDate>
<category>diplomacy</category>
<description>Ministers agreed on a joint statement.</description>
<content:encoded><![CDATA[{prose}<script>alert(1)</script>]]></content:encoded>
</item>
<item><title>Second item is ignored</title><link>https://gov.example/2</link></item>
</channel></rss>""".replace("{prose}", PROSE)

ATOM_ENTRY = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Events</title>
<entry><title type="html">Meeting &lt;i&gt;with&lt;/i&gt; the Prime Minister</title>
<link rel="alternate" href="http://en.kremlin.example/events/president/news/57063"/>
<id>http://en.kremlin.example/events/president/news/57063</id>
<published>2018-01-06T15:30:00+04:00</published><updated>2018-01-06T16:00:00+04:00</updated>
<content type="html">{prose}</content></entry></feed>""".replace("{prose}", PROSE.replace("<", "&lt;").replace(">", "&gt;"))


def test_rss_single_entry_document() -> None:
    release = generic.parse(RSS_ENTRY.encode(), "https://gov.example/feed", CTX)
    assert release.title == "Minister holds talks with counterpart"
    assert release.url == release.canonical_url == "https://gov.example/news/2024/10/visit-12345"
    assert release.published_at == datetime(2024, 10, 2, 11, 54, tzinfo=timezone(timedelta(hours=3)))
    assert release.body_text.startswith("The Minister of Foreign Affairs held talks")
    assert release.body_text.endswith("who presented several joint projects.")
    assert "alert" not in release.body_text
    assert release.lead == "Ministers agreed on a joint statement."
    assert release.tags == ["diplomacy"]
    assert release.language == "en"


def test_atom_single_entry_document() -> None:
    release = generic.parse(ATOM_ENTRY.encode(), "http://en.kremlin.example/events/all/feed", ParseContext(timezone="Europe/Moscow"))
    assert release.title == "Meeting with the Prime Minister"
    assert release.url == "http://en.kremlin.example/events/president/news/57063"
    assert release.published_at.isoformat() == "2018-01-06T15:30:00+04:00"
    assert release.updated_at.isoformat() == "2018-01-06T16:00:00+04:00"
    assert len(release.body_text.split("\n\n")) == 3


def test_feed_without_entries_is_a_parse_error() -> None:
    empty = b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title></channel></rss>"
    with pytest.raises(ParseError, match="no entry"):
        generic.parse(empty, URL, CTX)


def test_feed_sniffing() -> None:
    assert generic.is_feed_document(b"\xef\xbb\xbf  <?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>")
    assert generic.is_feed_document(b"<rss version='2.0'>")
    assert not generic.is_feed_document(b"<!doctype html><html><body><p>About our <rss> feed</p></body></html>")


def _former_is_feed_document(body: bytes) -> bool:
    """The sniffing as it was: the feed root searched through the whole first 4 KB."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    feed = generic._FEED_ROOT.search(head)
    if feed is None:
        return False
    html = generic._HTML_ROOT.search(head)
    return html is None or feed.start() < html.start()


_SNIFF_PIECES = [b"<rss>", b"<RSS ", b"<feed/", b"<rdf:RDF\n", b"<rdf:rdf>", b"<feedx>", b"<rs", b"s>", b"<html>",
                 b"<HTML ", b"<!doctype html>", b"<!DOCTYPE\tHTML>", b"<head>", b"<body ", b"<bod", b"y>", b"<", b" ",
                 b"x" * 7, b"\xef\xbb\xbf", b"\n", b"<?xml version='1.0'?>", b"<p>", b"\xd0\xbf"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_SNIFF_PIECES), max_size=24), st.integers(0, 4100))
def test_feed_sniffing_answers_as_the_whole_head_search_did(pieces: list[bytes], pad: int) -> None:
    """The feed root looked for only up to the HTML root: the same answer as the search of the whole 4 KB, for
    roots side by side, overlapping, cut at the 4 KB edge, in any case and after a BOM and blanks."""
    body = b"".join(pieces)
    for candidate in (body, b" " * pad + body, b"x" * pad + body, body + b"x" * pad + b"<rss>"):
        assert generic.is_feed_document(candidate) == _former_is_feed_document(candidate)


def test_the_feed_root_is_not_looked_for_past_the_html_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """An HTML page (its root first) is not searched case-blind through its whole first 4 KB for a feed root."""
    asked: list[tuple] = []
    pattern = generic._FEED_ROOT

    class Recording:
        def search(self, *args):
            asked.append(args)
            return pattern.search(*args)

    monkeypatch.setattr(generic, "_FEED_ROOT", Recording())
    page = b"<!doctype html><html><head><title>x</title></head><body>" + b"<p>text</p>" * 400 + b"</body></html>"
    assert not generic.is_feed_document(page)
    assert asked and all(len(args) == 3 and args[2] <= len(b"<!doctype html>") for args in asked)


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"\x00\x01\x02\x03\xff\xfe" * 500,
        bytes(range(256)) * 40,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"<html><head><title>Only a title</title></head><body></body></html>",
        b"<html><body><p>No title anywhere, but a body. It has two sentences.</p></body></html>",
        b"<div>" * 10_000 + b"deep" + b"</div>" * 10_000,  # ten times the recursion limit
        b"<<<>>><!--<![CDATA[<?xml <rss <feed",
        "<html><head><title>Тест</title></head><body><h1>Тест</h1><p>Обрыв посреди".encode("cp1251"),
    ],
    ids=["empty", "blank", "garbage", "all-bytes", "pdf", "png", "title-only", "no-title", "deep-nesting",
         "broken-markup", "truncated-1251"],
)
def test_bad_input_raises_only_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        generic.parse(body, URL, CTX)
    with pytest.raises(ParseError):
        registry_parse(body, URL, CTX, parser="generic")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_page_opening_with_its_bom_is_no_binary(encoding: str) -> None:
    """Windows tools save pages in UTF-16: a NUL in every other byte, which the binary check took for a binary file."""
    text = page("<title>Minister holds talks | Ministry</title>", article()).decode()
    body = b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be" else text.encode(encoding)
    release = generic.parse(body, URL, CTX)
    assert release.title == "Minister holds talks with counterpart" and "They agreed" in release.body_text


def test_truncated_article_still_parses_what_is_there() -> None:
    full = page("<title>Minister holds talks | Ministry</title>", article())
    cut = full[: full.index(b"They agreed") + 40]
    release = generic.parse(cut, URL, CTX)
    assert release.title == "Minister holds talks with counterpart"
    assert release.body_text.startswith("The Minister of Foreign Affairs held talks")


def test_unknown_time_zone_is_a_parse_error_not_a_crash() -> None:
    with pytest.raises(ParseError):
        generic.parse(page("<meta name='date' content='2024-10-02'>", article()), URL, ParseContext(timezone="Mars/Olympus"))


def test_deeply_nested_article_parses() -> None:
    prose = PROSE.encode()
    body = b"<html><head><title>Deep page | Site</title></head><body>" + b"<div>" * 10_000 + b"<h1>Deep page</h1>" + prose + b"</div>" * 10_000 + b"</body></html>"
    release = generic.parse(body, URL, CTX)
    assert release.title == "Deep page"
    assert release.body_text.startswith("The Minister of Foreign Affairs held talks")


def test_a_megabyte_title_is_capped_at_a_word_boundary():
    from govpress.parsers import parse
    from govpress.parsers.release import FIELD_CAPS

    words = " ".join(f"word{i}" for i in range(200_000))  # ~1.3 MB
    page = (f"<html lang='en'><head><title>{words}</title></head><body><article><h1>{words}</h1>"
            + "".join(f"<p>On day {i} the minister met delegation {i} and discussed cooperation in trade, "
                      f"transport and education, signing agreement number {i} before the press.</p>" for i in range(6))
            + "</article></body></html>").encode()
    release = parse(page, "https://gov.example/news/1", parser="generic")
    assert len(release.title) <= FIELD_CAPS["title"] and release.title.endswith("…")
    assert release.title.startswith("word0 word1") and " word" not in release.title[-3:]


# ----------------------------------------------------------------------------- closing small print, doubtful bodies


def test_closing_small_print_and_tag_lines_are_not_body_text() -> None:
    extra = ("<p>A further meeting is planned for the autumn, when the working groups report back to the ministers.</p>"
             "<p>Copyright © 2024 Ministry of Examples. Reproduction only with permission.</p>"
             "<p>Data provided by the statistics office.</p>")
    body = page("<title>Minister holds talks | Ministry</title>", article(extra=""))
    with_print = body.replace(b"</article>", extra.encode() + b"<p>Tags: trade, energy, transport</p></article>")
    release = generic.parse(with_print, URL, CTX)
    assert release.body_text.endswith("when the working groups report back to the ministers.")
    assert "Copyright" not in release.body_text and "Tags:" not in release.body_text
    # A text that opens with a copyright sign keeps it: small print is only looked for in the closing part.
    opening = generic.parse(page("<title>Minister holds talks | Ministry</title>",
                                 article(extra="<p>© Photo agency: the minister at the airport, arriving for the talks.</p>")), URL, CTX)
    assert "Photo agency" in opening.body_text


def test_a_short_release_is_trusted_without_a_second_opinion() -> None:
    short = ("<nav><a href='/'>Home</a></nav><article><h1>Minister holds talks</h1><p>The minister held talks with his "
             "counterpart on Tuesday. The sides discussed trade and energy.</p></article><footer>© 2024 Ministry</footer>")
    before = generic.counters["trafilatura_consulted"]
    release = generic.parse(page("<title>Minister holds talks | Ministry</title>", short), URL, CTX)
    assert release.body_text.startswith("The minister held talks")
    assert generic.counters["trafilatura_consulted"] == before


def parsed_or_refused(head: str, body: str):
    """The generic parser's release of the page, or None when it refused it (fine for a doubtful page: it is
    retried and its body kept for a reparse)."""
    try:
        return generic.parse(page(head, body), URL, CTX)
    except ParseError:
        return None


def test_a_short_pick_with_the_article_hidden_in_boilerplate_gets_a_second_opinion() -> None:
    # Closing tags lost: the article's paragraphs sit inside a share bar, so the density pick is a
    # short notice; the page's prose outside the pick makes it doubtful.
    hidden = ("<h1>Minister holds talks with counterpart</h1><div class='share-bar'><a href='#'>Share</a>"
              f"{PROSE}</div><div class='note'><p>Opening hours of the ministry's library change next week. "
              "See the notice board for details.</p></div>")
    before = generic.counters["trafilatura_consulted"]
    release = parsed_or_refused("<title>Minister holds talks | Ministry</title>", hidden)
    assert generic.counters["trafilatura_consulted"] == before + 1
    assert release is None or "The sides discussed trade" in release.body_text


LEAD = ("<div class='article__lead'><p><strong>On Tuesday the Minister of Finance received the delegation of the "
        "neighbouring country for talks on the budget and on the customs union.</strong></p></div>")
SHORT_TEXT = ("<p>The talks began one on one and went on with the delegations.</p>"
              "<p>The sides noted that the road map for the next two years is being carried out on time.</p>"
              "<p>They agreed to hold the next round of consultations in the spring, in the capital of the guests.</p>"
              "<p>A joint statement was signed at the end of the meeting, setting out the plans for the coming year.</p>")
BANNER = "<div class='cookie-banner'>This site uses cookies to work better. Read more about them on the page on privacy.</div>"
FOOTER = ("<footer><p>The ministry's press office answers questions from journalists on working days, by telephone "
          "and by mail.</p></footer>")


def test_a_short_release_under_a_lead_block_is_trusted_without_a_second_opinion() -> None:
    """The lead block is the release's lead, kept apart from its body: its prose is not article text the short pick
    missed, so it is taken off the page's before the pick's share is measured (without that the pick holds 51% of the
    page's prose here, under the 60% that trusts it alone; with it, 64%)."""
    short = f"{BANNER}<nav><a href='/'>Home</a></nav><article><h1>Minister receives delegation</h1>{LEAD}{SHORT_TEXT}</article>{FOOTER}"
    before = generic.counters["trafilatura_consulted"]
    release = generic.parse(page("<title>Minister receives delegation | Ministry</title>", short), URL, CTX)
    assert generic.counters["trafilatura_consulted"] == before
    assert release.lead and release.lead.startswith("On Tuesday the Minister of Finance received")
    assert release.body_text.startswith("The talks began one on one") and release.body_text.endswith("for the coming year.")
    # The same page without its lead block's class: the lead is body text, the body long enough to be trusted alone.
    plain = short.replace("class='article__lead'", "class='intro-photo'")
    assert generic.parse(page("<title>Minister receives delegation | Ministry</title>", plain), URL, CTX).lead is None


def test_a_lead_block_does_not_vouch_for_a_pick_with_the_article_hidden_in_boilerplate() -> None:
    """The lead's prose taken off the page's is no excuse for a banner pick: the hidden article still weighs."""
    hidden = (f"<main><h1>Minister holds talks with counterpart</h1>{LEAD}<div class='share-bar'><a href='#'>Share</a>"
              f"{PROSE}</div><div class='note'><p>Opening hours of the ministry's library change next week. "
              "See the notice board for details.</p></div></main>")
    before = generic.counters["trafilatura_consulted"]
    release = parsed_or_refused("<title>Minister holds talks | Ministry</title>", hidden)
    assert generic.counters["trafilatura_consulted"] == before + 1  # what it answers is trafilatura's
    assert release is None or release.lead.startswith("On Tuesday the Minister of Finance received")


def test_a_lead_block_that_swallowed_the_article_vouches_for_nothing() -> None:
    """Closing tags lost (tests/reliability's malformed pages): the lead block holds the whole article and the pick is
    the cookie banner. A lead weighing as much as the pick is not taken off the page's prose: the page is doubted and
    refused, as before, instead of storing the banner."""
    from govpress.demo.localsite.faults import malform_html

    layout = ("<div class='cookie-banner'>This site uses cookies to work better. Read more on the privacy page. "
              "<button type='button'>Accept</button></div><header class='site-header'><a class='logo' href='/'>Ministry</a>"
              "<nav class='main-menu'><ul><li><a href='/a'>About</a></li><li><a href='/news'>News</a></li></ul></nav></header>"
              "<main class='page'><article class='article'><h1 class='article__title'>Minister receives delegation</h1>"
              "<div class='article__meta'><time datetime='2024-10-01T10:00:00+03:00'>1 October 2024</time></div>"
              f"{LEAD}<div class='article__text'>{SHORT_TEXT}</div></article></main>{FOOTER}")
    broken = malform_html(page("<title>Minister receives delegation | Ministry</title>", layout))
    before = generic.counters["trafilatura_consulted"]
    try:
        release = generic.parse(broken, URL, CTX)
    except ParseError:
        release = None
    assert generic.counters["trafilatura_consulted"] == before + 1
    assert release is None or "cookies" not in release.body_text
    # Intact, the same page is a short release under its lead, trusted as it is.
    intact = generic.parse(page("<title>Minister receives delegation | Ministry</title>", layout), URL, CTX)
    assert generic.counters["trafilatura_consulted"] == before + 1
    assert intact.body_text.startswith("The talks began one on one") and intact.lead.startswith("On Tuesday")


def test_rows_of_links_inside_the_content_block_are_not_text() -> None:
    teasers = ("<div class='grid'><div class='item'><a href='/a'><strong>Another story about roads</strong></a></div>"
               "<div class='item'><a href='/b'><strong>A story about bridges</strong></a></div></div>"
               "<p>Tags: <a href='/t/1'>trade</a>, <a href='/t/2'>energy</a></p>"
               "<p><a href='/feed'>Comments feed</a> | Comments closed | <a href='/tb'>Trackback</a></p>")
    release = generic.parse(page("<title>Minister holds talks | Ministry</title>", article(extra="").replace(
        "</article>", f"{teasers}</article>")), URL, CTX)
    assert release.body_text.endswith("who presented several joint projects.")
    # A sentence that carries a link stays.
    linked = "<p>The full statement is <a href='/statement'>published on the ministry's website</a>.</p>"
    kept = generic.parse(page("<title>Minister holds talks | Ministry</title>", article(extra="").replace(
        "</article>", f"{linked}</article>")), URL, CTX)
    assert kept.body_text.endswith("published on the ministry's website.")


def test_h1_agreeing_with_the_headline_segment_of_a_site_first_title() -> None:
    body = article(title="Programa de apoyo a la vivienda en municipios pequeños")
    release = generic.parse(page("<title>Secretaría de Energía | Programa de apoyo a la vivienda en municipios pequeños</title>", body), URL, CTX)
    assert release.title == "Programa de apoyo a la vivienda en municipios pequeños"


@pytest.mark.parametrize("label", ["Health Department", "Communiqué de presse"])
def test_a_lone_short_title_naming_the_site_or_page_kind_gives_way_to_the_h1(label: str) -> None:
    release = generic.parse(page(f"<title>{label}</title>", article(title="County extends clinic hours for spring")), URL, CTX)
    assert release.title == "County extends clinic hours for spring"


def test_release_header_and_end_mark_are_not_body() -> None:
    header = "<p><strong>FOR IMMEDIATE RELEASE</strong><br>Thursday, March 28, 2024<br>Contact: Press Office, (202) 555-0100</p>"
    body = ("<main>" + header + "<h1>Minister holds talks with counterpart</h1>" + PROSE + "<p>###</p></main>")
    release = generic.parse(page("<title>Minister holds talks with counterpart</title>", body), URL, CTX)
    assert "IMMEDIATE" not in release.body_text and "Contact" not in release.body_text
    assert not release.body_text.endswith("###")
    assert release.published_at.date().isoformat() == "2024-03-28"


def test_a_release_marker_sharing_a_paragraph_with_the_text_keeps_the_text() -> None:
    opening = "<p>FOR IMMEDIATE RELEASE. WASHINGTON – The minister held talks with his counterpart today.</p>"
    body = "<main><h1>Minister holds talks with counterpart</h1>" + opening + PROSE + "</main>"
    release = generic.parse(page("<title>Minister holds talks with counterpart</title>", body), URL, CTX)
    assert "held talks with his counterpart today" in release.body_text


_CONSTRUCTED = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "extraction" / "constructed").glob("*.html"))


def _records(pages: list[Path]) -> list[dict]:
    out = []
    for page in pages:
        try:
            out.append(generic.parse(page.read_bytes(), "https://gov.example/" + page.name, CTX).as_json())
        except ParseError as exc:
            out.append({"error": str(exc)})
    return out


@pytest.mark.parametrize("held", [0, 25])
def test_holding_the_element_proxies_changes_no_record(monkeypatch: pytest.MonkeyPatch, held: int) -> None:
    """The parse holds every element's lxml proxy (up to a bound) so that its walks reuse them: the
    records are those of a parse holding none, and of one whose bound the page's elements pass."""
    assert _CONSTRUCTED, "the constructed extraction pages are missing"
    expected = _records(_CONSTRUCTED)
    monkeypatch.setattr(generic, "_HELD_PROXIES", held)
    assert _records(_CONSTRUCTED) == expected


@pytest.mark.parametrize("permissive", [False, True])
def test_the_kept_trafilatura_options_are_those_extract_builds(permissive: bool) -> None:
    """The second opinion passes trafilatura one ``Extractor`` per mode, made once: it holds what ``extract``
    builds from the keyword arguments it replaced (all but ``date_params``' day, which only trafilatura's
    metadata extraction reads, and that is off), and every constructed page extracts to the same text."""
    import trafilatura
    from trafilatura.settings import Extractor

    kept = generic._trafilatura_options(permissive)
    assert generic._trafilatura_options(permissive) is kept
    fresh = Extractor(output_format="txt", fast=True, precision=not permissive, comments=False)
    assert not kept.with_metadata
    assert {slot: getattr(kept, slot) for slot in Extractor.__slots__ if slot != "date_params"} == {
        slot: getattr(fresh, slot) for slot in Extractor.__slots__ if slot != "date_params"}
    assert _CONSTRUCTED, "the constructed extraction pages are missing"
    for path in _CONSTRUCTED:
        text = path.read_bytes().decode("utf-8", "replace")
        assert trafilatura.extract(text, options=kept) == trafilatura.extract(
            text, favor_precision=not permissive, output_format="txt", include_comments=False, fast=True), path.name


def test_a_doubtful_page_is_parsed_once_for_both_trafilatura_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second opinion's two calls (precision, then the default mode) read one parse of the page: trafilatura
    parses a string it is given at every call, so the page is handed to it as its own tree, parsed once."""
    import trafilatura.core
    import trafilatura.utils

    parsed: list[str] = []
    calls: list[object] = []
    load_html = trafilatura.utils.load_html

    def counting(source, *args):
        if isinstance(source, str):
            parsed.append(source)
        return load_html(source, *args)

    monkeypatch.setattr(trafilatura.utils, "load_html", counting)
    monkeypatch.setattr(trafilatura.core, "load_html", counting)
    extract = trafilatura.extract
    monkeypatch.setattr(trafilatura, "extract", lambda source, **kw: calls.append(source) or extract(source, **kw))
    hidden = ("<h1>Minister holds talks with counterpart</h1><div class='share-bar'><a href='#'>Share</a>"
              f"{PROSE}</div><div class='note'><p>Opening hours of the ministry's library change next week. "
              "See the notice board for details.</p></div>")
    with pytest.raises(ParseError, match="could not separate"):  # both calls made: the default mode's decided
        generic.parse(page("<title>Minister holds talks | Ministry</title>", hidden), URL, CTX)
    assert len(calls) == 2 and len(parsed) == 1


@pytest.mark.parametrize("permissive", [False, True])
def test_trafilatura_extracts_the_same_from_its_tree_as_from_the_page(permissive: bool) -> None:
    """What :func:`generic._trafilatura_tree` rests on: ``extract`` on the tree ``load_html`` makes of a page gives
    what it gives on the page's text (it reads a copy of a tree it is given), and leaves the tree as it was, so
    the second call reads what the first did. Every extraction fixture, both modes."""
    import trafilatura
    from lxml import etree

    pages = sorted((Path(__file__).resolve().parents[2] / "fixtures").rglob("*.html"))
    assert len(pages) > 100, "the extraction fixtures are missing"
    options = generic._trafilatura_options(permissive)
    for path in [*pages, None]:
        text = path.read_bytes().decode("utf-8", "replace") if path else "no markup at all"
        tree = generic._trafilatura_tree(text)
        before = etree.tostring(tree) if tree is not None else None
        expected = trafilatura.extract(text, options=options)
        assert trafilatura.extract(tree, options=options) == expected if tree is not None else expected is None
        assert (etree.tostring(tree) if tree is not None else None) == before
        expected_paragraphs = [p for p in (generic.normalize(line).strip().removeprefix("- ")
                                           for line in (expected or "").split("\n")) if p]
        assert generic._trafilatura_paragraphs(tree, permissive=permissive) == expected_paragraphs, path


def _urlsplit_host_name(url: str | None) -> str | None:
    """generic._host_name as it was: every URL through urlsplit."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host if "." in host else None


_URL_PIECES = ["http", "https", "HTTP", "ftp", "://", ":", "//", "/", "?", "#", "@", "[", "]", "[::1]", "www.", "WWW.",
               "Gov.Example", "127.0.0.1", "example.org", "8000", "x", "-", ".", " ", "\t", "\n", "\r", "\x00", "\x1f",
               "é", "ı", "\u3002", "user:pw@", ":80x", ":", "%41", "\\", "а.рф"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=9))
def test_the_plain_host_reading_answers_what_urlsplit_answers(pieces: list[str]) -> None:
    url = "".join(pieces)
    assert generic._host_name(url) == _urlsplit_host_name(url)


def test_the_host_name_of_plain_and_odd_urls() -> None:
    urls = [None, "", "http://127.0.0.1:8000/minfin/news/140/", "https://WWW.Carta.Info/x", "https://www.carta.info",
            "http://a.example?q", "http://a.example#f", "http://a.example:", "http://a.example:80x/", "http://u@a.example/",
            " http://a.example/", "http://a.exa\tmple/", "http://a.example/p\tq", "http://[::1]/", "http://[::1/",
            "HTTPS://A.EXAMPLE/", "https://localhost/", "//a.example/x", "http://é.example/", "https://a.example\\b/c"]
    for url in urls:
        assert generic._host_name(url) == _urlsplit_host_name(url), url
    # The plain ones do not reach urlsplit (a parse's cold call of it cost ~20 us)
    from unittest import mock

    with mock.patch.object(generic, "urlsplit", side_effect=AssertionError("urlsplit called")):
        assert generic._host_name("http://127.0.0.1:8000/minfin/news/140/") == "127.0.0.1"
        assert generic._host_name("https://WWW.Carta.Info/x") == "carta.info"


def test_jsonld_scripts_read_with_one_decoder_as_loads_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """jsonld_objects decodes with one decoder made at import (json.loads with a keyword made one, and its scanner,
    at every call) and reads what json.loads(raw, strict=False) reads: control characters in strings, a BOM refused,
    trailing commas repaired once."""
    import json

    from govpress.parsers.html import jsonld

    made: list[object] = []
    real = json.JSONDecoder
    monkeypatch.setattr(json, "JSONDecoder", lambda *a, **k: made.append(k) or real(*a, **k))
    scripts = ['{"@type": "NewsArticle", "headline": "Line\nbreak\tand tab"}', '\ufeff{"@type": "Article"}',
               '[{"@type": "Article", "name": "x",}, ]', '{"@graph": [{"@type": "WebPage"}, {"@type": "Article"}]}',
               "<!-- {\"a\": 1} -->", "not json", '{"a": NaN, "b": 1e400}', ""]
    objects = jsonld.jsonld_objects(scripts)
    assert made == []
    monkeypatch.setattr(json, "JSONDecoder", real)
    expected = []
    for raw in scripts:
        raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
        for attempt in (raw, jsonld._TRAILING_COMMA.sub(r"\1", raw)):
            try:
                expected.append(json.loads(attempt, strict=False))
                break
            except ValueError:
                continue
    assert json.dumps(objects) == json.dumps([o for d in expected for o in jsonld.jsonld_objects([json.dumps(d)])])
    assert [o.get("@type") for o in objects] == ["NewsArticle", "Article", None, "WebPage", "Article", None, None]  # no BOM one


def test_a_bodys_substance_is_told_from_its_paragraphs_as_from_their_join() -> None:
    """``_substantial_paragraphs`` (the length without the join) answers what ``_substantial`` of the joined
    paragraphs answers, at and around the 60 and 200 character bounds, with and without two sentences."""
    import random

    rng = random.Random(25)
    words = ["Minister", "met", "the", "delegation.", "It", "rained", "all", "day!", "x", "Yes?", "", " ", "Dr.", "Smith"]
    for _ in range(5000):
        paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randrange(0, 40 if rng.random() < 0.3 else 8)))
                      for _ in range(rng.randrange(1, 6))]
        assert generic._substantial_paragraphs(paragraphs) == generic._substantial(" ".join(paragraphs)), paragraphs
    for length in (58, 59, 60, 61, 198, 199, 200, 201):
        for count in (1, 2, 3):
            paragraphs = [f"A sentence here. And one more{'.' * (i % 2)}" for i in range(count)]
            paragraphs[-1] += "y" * max(0, length - len(" ".join(paragraphs)))
            assert generic._substantial_paragraphs(paragraphs) == generic._substantial(" ".join(paragraphs))


def test_text_of_a_childless_element_is_its_own_text_without_a_walk(monkeypatch) -> None:
    """``text_of`` reads an element without children from its ``text`` (no ``iterwalk``): the walk's answer, with any
    separator; a script's own text too (only scripts inside an element are left out)."""
    from lxml import etree

    from govpress.parsers.html import tree

    root = tree.parse_html_text("<html><body><span> 12 March\n 2026 </span><time></time><p>\u00a0x\u00a0 y</p>"
                                "<script>var x = 1;</script><b> </b></body></html>")
    childless = [e for e in root.iter(etree.Element) if not len(e)]
    walked = [(tree.text_of(e), tree.text_of(e, "")) for e in childless]

    def no_walk(*args, **kwargs):
        raise AssertionError("a childless element is read without a walk")

    monkeypatch.setattr(tree.etree, "iterwalk", no_walk)
    assert [(tree.text_of(e), tree.text_of(e, "")) for e in childless] == walked
    assert walked[0] == ("12 March 2026", "12 March 2026") and ("var x = 1;", "var x = 1;") in walked
