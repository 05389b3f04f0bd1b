"""One text convention for every parser (govpress/parsers/release.py): what title, subtitle, lead and body_text hold.

Every parser runs over its pages: the constructed pages of each site (govpress/demo/sites), the real
saved pages in ../shared/pages (read in place), the seed document and pages of the generated demo site;
the generic extractor also runs over every site's pages (it is every site parser's fallback). On each
release: the lead is not repeated at the top of the body, no chrome line is in the body, the title is not
the body's first paragraph, the subtitle is not inside it, paragraphs are separated by one blank line.
Then the same pages with chrome injected inside their article containers (chrome gone, real sentences
that merely contain chrome words kept), the chrome rule line by line in eight languages, lead blocks,
the convention step itself, and a reparse that brings an old text to the convention as a new version.

The checks fold texts themselves (casefold, ё -> е, words only) rather than through the helpers under test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from lxml import etree, html as lxml_html

from govpress.dedupe.keys import release_row
from govpress.demo.localsite.generator import generate_site
from govpress.parsers import ParseContext, ParseError, Release, parse
from govpress.parsers.listings.feed import read_feed
from govpress.parsers.release import apply_text_convention
from govpress.parsers.text import chrome_kind
from govpress.run import archive_for, registry_at, reparse_pages, reparse_sources
from govpress.store import FetchRow, LoadBatch, Store
from testpaths import CONSTRUCTED_SITES, shared_file

SITES = CONSTRUCTED_SITES
T0 = datetime(2024, 10, 8, 12, 0, tzinfo=timezone.utc)

# --------------------------------------------------------------------------- the checks


def words(text: str | None) -> list[str]:
    return re.findall(r"\w+", (text or "").casefold().replace("ё", "е"))


def contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


# Chrome that the pages of this corpus carry inside or around their article containers, as the
# pages write it; none of it may open a body line. Written out here, not taken from the rule.
CHROME_SEEN = (
    "Подписывайтесь на нас в мессенджерах", "Подписывайтесь на наш", "Follow us on messengers", "Поделиться",
    "Share this page", "Share:", "Читайте также", "Related content", "Фото:", "Photo:", "Видео БЕЛТА",
    "Версия для печати", "Теги:", "Tags:", "Падпісвайцеся", "Падзяліцца", "Folgen Sie uns", "Teilen:",
    "Lesen Sie auch", "Druckversion", "Bizi messencer", "Paylaş", "Həmçinin oxuyun", "Çap versiyası",
)


def convention_violations(release: Release) -> list[str]:
    """What in ``release`` breaks the text convention (empty when it follows it)."""
    found: list[str] = []
    body = release.body_text
    if not body or body != body.strip():
        found.append("body empty or not stripped")
    if "\n\n\n" in body or re.search(r"\n[ \t]+\n", body):
        found.append("paragraphs not separated by exactly one blank line")
    paragraphs = body.split("\n\n")
    for paragraph in paragraphs:
        for line in paragraph.split("\n"):
            if not line or line != line.strip():
                found.append(f"blank or unstripped line in {paragraph[:60]!r}")
            if any(line.casefold().startswith(c.casefold()) for c in CHROME_SEEN) or chrome_kind(line):
                found.append(f"chrome line in the body: {line!r}")
    first = words(paragraphs[0])
    if first == words(release.title):
        found.append("the title is the body's first paragraph")
    if release.subtitle and contains(first, words(release.subtitle)):
        found.append("the subtitle is inside the body's first paragraph")
    if release.lead:
        lead = words(release.lead)
        opening = words(body)[: len(lead)]
        if opening == lead or first == lead or contains(first, lead):
            found.append("the lead is repeated at the top of the body")
        if lead == words(release.title):
            found.append("the lead repeats the title")
    return found


# --------------------------------------------------------------------------- the corpus: every parser, its pages

SITE_ARTICLES = {
    "kremlin": [("kremlin/ru/events/president/transcripts/75238.html", "http://kremlin.ru/events/president/transcripts/75238", "ru"),
                ("kremlin/en/events/president/transcripts/75238.html", "http://en.kremlin.ru/events/president/transcripts/75238", "en")],
    "government_ru": [("government_ru/news/53102.html", "http://government.ru/news/53102/", "ru"),
                      ("government_ru/en/news/53103.html", "http://government.ru/en/news/53103/", "en")],
    "president_by": [(f"president_by/{lang}/events/vstreca-s-prem-er-ministrom-azerbajdzana-ali-asadovym-1727956684.html",
                      f"https://president.gov.by/{lang}/events/vstreca-s-prem-er-ministrom-azerbajdzana-ali-asadovym-1727956684",
                      lang) for lang in ("ru", "be", "en")],
    "belta": [(str(p.relative_to(SITES)), f"https://{host}.belta.by/politics/view/{p.stem}/", lang)
              for lang, host in (("ru", "www"), ("en", "eng"), ("de", "deu"))
              for p in sorted((SITES / "belta" / lang).rglob("*.html"))],
    "president_az": [(f"president_az/{lang}/articles/view/67123.html", f"https://president.az/{lang}/articles/view/67123", lang)
                     for lang in ("az", "ru", "en")],
}
# The content container of each site's article, where the chrome-injection test puts its lines.
CONTAINERS = {
    "kremlin": "div.read__internal_content", "government_ru": "div.reader_article_body",
    "president_by": "section.page-details__content", "belta": "div.js-mediator-article",
    "president_az": ".news_paragraph-block",
}
EUROPARL = ["20190712IPR56948", "20201217IPR94207", "20221014IPR43206", "20241212IPR25960", "20250204IPR26689"]
GOVUK = ["best-practice-news-story.json", "best-practice-press-release.json", "news_article_press_release.json",
         "world_news_story_news_article.json", "news_article_news_story_translated_arabic.json"]
OTHER_GOV = ["bmjv.de_press_konsum.html", "eza.gv.at_press_release_2018-07.html"]


def ctx(language: str | None = None, zone: str = "UTC", content_type: str | None = None) -> ParseContext:
    return ParseContext(timezone=zone, languages=(language,) if language else (), fetched_at=T0, content_type=content_type)


def check(release: Release, what: str) -> None:
    assert convention_violations(release) == [], what


@pytest.mark.parametrize("parser", sorted(SITE_ARTICLES))
def test_site_parsers_on_their_constructed_pages(parser):
    for relative, url, language in SITE_ARTICLES[parser]:
        release = parse((SITES / relative).read_bytes(), url, ctx(language), parser)
        check(release, relative)
        # The generic extractor is every site's fallback: the same pages through it follow the convention too.
        check(parse((SITES / relative).read_bytes(), url, ctx(language), "generic"), f"generic on {relative}")


def feed_entries(path: Path, base: str) -> list[tuple[str, bytes]]:
    listing = read_feed(path.read_bytes(), base, full_text=True)
    return [(item.url, item.entry) for item in listing.items if item.entry]


def test_kremlin_on_the_constructed_full_text_feed():
    entries = feed_entries(SITES / "kremlin/ru/events/all/feed.xml", "http://127.0.0.1:8765/fixtures/sites/kremlin/ru/events/all/feed.xml")
    assert len(entries) >= 2
    for url, document in entries:
        release = parse(document, url, ctx("ru"), "kremlin")
        check(release, url)
        assert release.lead  # the feed's c-summary: the lead, apart from the body


def test_kremlin_on_the_real_feed():
    entries = feed_entries(shared_file("pages/kremlin/en_events_all_feed.xml"), "http://en.kremlin.ru/events/all/feed")
    assert len(entries) == 20
    with_lead = 0
    for url, document in entries:
        release = parse(document, url, ctx("en"), "kremlin")
        check(release, url)
        with_lead += bool(release.lead)
    assert with_lead >= 15  # most entries open with a summary, which is the lead and not body text


@pytest.mark.parametrize("reference", EUROPARL)
def test_europarl_and_generic_on_the_real_press_releases(reference):
    body = shared_file(f"pages/europarl/press-release_{reference}.html").read_bytes()
    url = f"https://www.europarl.europa.eu/news/en/press-room/{reference}/x"
    release = parse(body, url, ctx("en", "Europe/Brussels"), "europarl")
    check(release, reference)
    assert release.lead and release.lead not in release.body_text  # the standfirst, apart from the body
    check(parse(body, url, ctx("en", "Europe/Brussels"), "generic"), f"generic on {reference}")


@pytest.mark.parametrize("name", GOVUK)
def test_govuk_on_the_real_content_api_documents(name):
    body = shared_file(f"pages/govuk/{name}").read_bytes()
    release = parse(body, "https://www.gov.uk/api/content/government/news/x", ctx(None, "Europe/London"), "govuk")
    check(release, name)
    assert release.lead  # the document's description


@pytest.mark.parametrize("name", OTHER_GOV)
def test_generic_on_the_real_other_government_pages(name):
    body = shared_file(f"pages/other_gov/{name}").read_bytes()
    check(parse(body, f"https://example.gov/{name}", ctx("de", "Europe/Berlin"), "generic"), name)


def test_document_on_the_seed():
    release = parse(shared_file("seed/000_3a8856661ff0840b.txt").read_bytes(), "file:///seed/000_3a8856661ff0840b.txt", ctx("ru", "Asia/Baku", "text/plain"), "document")
    check(release, "seed")
    assert release.lead.startswith("2 октября премьер-министр Азербайджанской Республики Али Асадов")  # the bold lead
    assert release.body_text.startswith("Главы правительств сначала провели встречу в узком формате")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    return out, generate_site(out, per_source=8)


def generated_page(out: Path, path: str) -> bytes:
    target = out / path.lstrip("/")
    return (target / "index.html" if target.is_dir() else target).read_bytes()


def test_generic_on_the_generated_site_reads_leads_and_drops_the_messenger_line(generated):
    out, manifest = generated
    for name, publisher in manifest.publishers.items():
        for info in publisher.releases:
            if not (info.path.endswith("/") or info.path.endswith(".html")):
                continue  # the cabinet's plain-text documents are the document parser's, not HTML
            release = parse(generated_page(out, info.path), f"http://127.0.0.1:8765{info.path}", ctx(info.language), "generic")
            check(release, info.path)
            paragraphs = release.body_text.split("\n\n")
            if name in ("minfin", "mfa-en"):
                # The ministry pages set the lead apart (div.article__lead, p.p-summary): read, and not in the body.
                assert words(release.lead) == words(info.lead), info.path
                assert words(paragraphs[0]) == words(info.body_text.split("\n\n")[0]), info.path
            else:
                # The agency pages open with the dateline and the lead; their messenger invitation is chrome.
                assert words(paragraphs[0]) == words(info.body_text.split("\n\n")[0]), info.path
                assert "мессенджер" not in release.body_text and "messengers" not in release.body_text, info.path


# --------------------------------------------------------------------------- chrome inside the article container

CHROME = {
    "ru": ["Подписывайтесь на нас в мессенджерах!", "Поделиться: ВКонтакте Telegram", "Читайте также: Лукашенко встретился с Асадовым",
           "Фото: пресс-служба Президента", "Версия для печати", "Теги: Азербайджан, Беларусь", "Смотрите также"],
    "en": ["Follow us on messengers!", "Share: Facebook X", "See also: Lukashenko meets with Asadov", "Photo: Press Service",
           "Print version", "Tags: Azerbaijan, Belarus", "Related news"],
    "be": ["Падпісвайцеся на нас у мэсэнджарах!", "Падзяліцца: Telegram", "Чытайце таксама: Лукашэнка сустрэўся з Асадавым",
           "Фота: прэс-служба", "Версія для друку", "Тэгі: Азербайджан"],
    "de": ["Folgen Sie uns in den Messengern!", "Teilen: Facebook X", "Lesen Sie auch: Golowtschenko trifft Assadow",
           "Foto: Pressedienst", "Druckversion", "Schlagwörter: Aserbaidschan"],
    "az": ["Bizi messencerlərdə izləyin!", "Paylaş: Facebook X", "Həmçinin oxuyun: İlham Əliyev Qəbələdə",
           "Foto: Prezidentin mətbuat xidməti", "Çap versiyası", "Teqlər: Belarus"],
}
# Real sentences that merely contain chrome words: they stay.
REAL = {
    "ru": ["Фото и видео с церемонии опубликованы на сайте правительства.",
           "Стороны договорились поделиться опытом цифровизации таможни.",
           "Печать новых паспортов начнётся в мае, сообщили в министерстве."],
    "en": ["Photo and video materials from the ceremony are published on the government website.",
           "The sides agreed to share information on customs procedures.",
           "See also the annex to the agreement, which lists the joint projects."],
    "be": ["Фота і відэа з цырымоніі апублікаваны на сайце ўрада.",
           "Бакі дамовіліся падзяліцца вопытам лічбавізацыі мытні."],
    "de": ["Fotos und Videos der Zeremonie sind auf der Website der Regierung veröffentlicht.",
           "Beide Seiten wollen Informationen über Zollverfahren teilen."],
    "az": ["Foto və video materiallar hökumətin saytında dərc olunub.",
           "Tərəflər gömrük prosedurları barədə məlumat paylaşmağa razılaşıblar."],
}


def inject(page: bytes, selector: str, lines: list[str], real: list[str]) -> bytes:
    """``page`` with chrome ``lines`` and ``real`` sentences as paragraphs at the start, middle and end of its container."""
    root = lxml_html.fromstring(page)
    [container] = root.cssselect(selector)[:1]

    def paragraph(text: str) -> etree._Element:
        element = etree.Element("p")
        element.text = text
        return element

    third = max(1, len(lines) // 3)
    container.insert(0, paragraph(lines[0]))
    middle = len(container) // 2
    for offset, text in enumerate([*lines[1:third + 1], *real]):
        container.insert(middle + offset, paragraph(text))
    for text in lines[third + 1:]:
        container.append(paragraph(text))
    return lxml_html.tostring(root.getroottree(), encoding="utf-8")


@pytest.mark.parametrize("parser", sorted(SITE_ARTICLES))
def test_chrome_inside_the_container_never_reaches_the_body(parser):
    for relative, url, language in SITE_ARTICLES[parser]:
        page = inject((SITES / relative).read_bytes(), CONTAINERS[parser], CHROME[language], REAL[language])
        for name in (parser, "generic"):
            release = parse(page, url, ctx(language), name)
            check(release, f"{name} on {relative}")
            lines = release.body_text.split("\n")
            for chrome in CHROME[language]:
                assert not any(chrome.casefold() in line.casefold() for line in lines), (name, relative, chrome)
            for sentence in REAL[language]:
                assert sentence in release.body_text, (name, relative, sentence)


def test_chrome_inside_a_govuk_body_and_the_seed():
    document = json.loads(shared_file("pages/govuk/best-practice-press-release.json").read_text(encoding="utf-8"))
    document["details"]["body"] = (
        "<p>Share this page</p>" + document["details"]["body"]
        + "<p>Photo: Home Office</p><p>See also: Drug driving limits approved</p><p>" + REAL["en"][1] + "</p>"
    )
    release = parse(json.dumps(document).encode(), "https://www.gov.uk/api/content/government/news/x", ctx("en"), "govuk")
    check(release, "govuk with chrome")
    for chrome in ("Share this page", "Photo: Home Office", "See also"):
        assert chrome not in release.body_text
    assert REAL["en"][1] in release.body_text

    seed = shared_file("seed/000_3a8856661ff0840b.txt").read_text(encoding="utf-8")
    head, tail = seed.split("\n\n\n\n", 1)
    seed = f"{head}\n\nПоделиться: ВКонтакте Telegram\n\n{REAL['ru'][0]}\n\n{tail}\n\nЧитайте также: Визит в Минск\n\nФото: пресс-служба\n"
    release = parse(seed.encode(), "file:///seed/x.txt", ctx("ru", "Asia/Baku", "text/plain"), "document")
    check(release, "seed with chrome")
    assert REAL["ru"][0] in release.body_text
    assert "Поделиться" not in release.body_text and "Читайте также" not in release.body_text


# --------------------------------------------------------------------------- the chrome rule, line by line

CHROME_LINES = [
    # ru, be, uk
    "Подписывайтесь на нас в мессенджерах!", "Подписывайтесь на наш Telegram-канал и сообщество ВКонтакте!",
    "Поделиться:", "Поделиться: ВКонтакте Одноклассники Telegram", "Читайте также: Лукашенко встретился с Асадовым",
    "Смотрите также", "Материалы по теме", "Фото: пресс-служба Президента", "Фото из архива", "Фото БЕЛТА", "Видео БЕЛТА",
    "Версия для печати", "Теги: Азербайджан, Головченко", "© БЕЛТА, 1996-2024. При использовании материалов гиперссылка обязательна.",
    "Падпісвайцеся на наш Telegram-канал!", "Падзяліцца", "Чытайце таксама: Сустрэча з Асадавым", "Фота: прэс-служба",
    "Підписуйтесь на нас у Telegram", "Поділитися: Facebook", "Читайте також: Зустріч у Мінську", "Фото: пресслужба", "Версія для друку",
    # az
    "Bizi sosial şəbəkələrdə izləyin!", "Paylaş: Facebook X", "Həmçinin oxuyun: Prezident Qəbələdə", "Foto: AZƏRTAC", "Çap et", "Teqlər: Belarus",
    # en
    "Follow us on messengers!", "Follow us on Telegram", "Share this page", "Share: Facebook X LinkedIn", "See also",
    "See also: EU-UK relations", "Related content", "Photo: Press Service of the President", "Photo by Jane Doe", "Print version",
    "Tags: EU, budget",
    # de
    "Folgen Sie uns auf Telegram!", "Diesen Artikel teilen", "Lesen Sie auch: Kneissl in Luxemburg", "Siehe auch", "Foto: dpa",
    "Druckversion", "Schlagwörter: Außenpolitik",
    # fr
    "Suivez-nous sur les réseaux sociaux", "Partager : Facebook X", "Voir aussi : la déclaration commune", "Lire aussi",
    "Crédit photo : AFP", "Imprimer", "Mots-clés : diplomatie",
    # es
    "Síguenos en Twitter", "Compartir en Facebook", "Ver también: comunicado conjunto", "Foto: EFE", "Imprimir",
    "Etiquetas: diplomacia",
]
REAL_LINES = [
    "Фото и видео с церемонии опубликованы на сайте правительства.", "Стороны договорились поделиться опытом цифровизации.",
    "Печать новых паспортов начнётся в мае.", "По теме совещания выступил министр финансов.", "Темы встречи: торговля и энергетика.",
    "Подписание соглашения состоялось в Минске.", "Читайте также интервью министра, опубликованное вчера.",
    "Фотовыставка открылась в Национальной библиотеке.", "Бакі дамовіліся падзяліцца вопытам.",
    "Bizi maraqlandıran məsələlər müzakirə olundu.", "Tərəflər məlumat paylaşmağa razılaşıblar.",
    "See also Annex II for the figures.", "Related measures were adopted by the Council.", "Follow-up meetings with us are planned for May.",
    "Share prices rose by 3 per cent.", "The sides agreed to share information on tax matters.", "Photo exhibition opens in Minsk",
    "Print media were also represented.", "Tags and labels on products will change.", "Subscribers to the service will pay less.",
    "Fotos der Zeremonie wurden veröffentlicht.", "Die Seiten wollen Erfahrungen teilen.",
    "Les photos de la cérémonie sont publiées sur le site.", "Les deux parties vont partager leurs données.",
    "Las fotos de la ceremonia se publicaron en el sitio.", "Ambas partes acordaron compartir información.",
    "***",
]


@pytest.mark.parametrize("line", CHROME_LINES)
def test_chrome_lines_in_eight_languages(line):
    assert chrome_kind(line) is not None


@pytest.mark.parametrize("line", REAL_LINES)
def test_real_sentences_with_chrome_words_are_text(line):
    assert chrome_kind(line) is None


# --------------------------------------------------------------------------- lead blocks

ARTICLE = """<!doctype html><html lang="en"><head><title>{title} | Ministry</title></head><body>
<nav><a href="/">Home</a></nav>
<article><h1>{title}</h1>{between}
<div class="text"><p>{p1}</p><p>{p2}</p><p>{p3}</p></div></article>
<aside class="related"><ul><li><a href="/x"><span class="news-item__lead">Another release with its own teaser text here</span></a></li></ul></aside>
</body></html>"""
TITLE = "Minister holds talks with the delegation"
LEAD = "The Minister of Foreign Affairs held talks with a delegation from the partner country."
P = ("The talks first took place in a restricted format and then continued with both delegations present in the hall.",
     "The sides discussed trade and energy cooperation and agreed on a road map for the next two years of joint work.",
     "The delegation will also visit the national library and meet representatives of the business community.")


def article(between: str) -> bytes:
    return ARTICLE.format(title=TITLE, between=between, p1=P[0], p2=P[1], p3=P[2]).encode()


@pytest.mark.parametrize("block", [
    '<div class="article__lead"><p><strong>{lead}</strong></p></div>',
    '<p class="lead">{lead}</p>',
    '<div class="news-intro">{lead}</div>',
    '<div class="news_anons">{lead}</div>',
    '<div class="standfirst"><p>{lead}</p></div>',
    '<div class="read__lead entry-summary">{lead}</div>',
    '<div class="articleSummary">{lead}</div>',
])
def test_generic_reads_lead_blocks(block):
    release = parse(article(block.format(lead=LEAD)), "https://example.gov/news/1", ctx("en"), "generic")
    assert release.lead == LEAD
    assert release.subtitle is None
    assert release.body_text.split("\n\n")[0] == P[0]
    check(release, block)


@pytest.mark.parametrize("block", [
    '<div class="lead-image"><img src="a.jpg" alt=""><p>{lead}</p></div>',
    '<div class="leadership">{lead}</div>',
    '<div class="summary-table-item">{lead}</div>',
])
def test_generic_leaves_lead_like_blocks_that_are_not_leads(block):
    release = parse(article(block.format(lead=LEAD)), "https://example.gov/news/1", ctx("en"), "generic")
    assert release.lead != LEAD


@pytest.mark.parametrize("block", [
    '<div class="article__lead"><p><strong>{lead}</strong></p></div>', '<p class="lead">{lead} <br> {lead}</p>',
    '<div class="news-intro">{lead}<p>{lead}</p></div>', '<div class="lead-image"><p>{lead}</p></div>',
    '<div class="summary">x</div><div class="summary">{lead}</div>', '',
])
def test_find_lead_gives_the_lead_block_and_its_text(block):
    """find_lead's pair is find_lead_block's block and lead_text of it (the text the generic parser keeps)."""
    from govpress.parsers.html.leads import find_lead, find_lead_block, lead_text

    root = etree.fromstring(article(block.format(lead=LEAD)), etree.HTMLParser())
    headline = root.find(".//h1")
    found = find_lead(root, headline)
    assert (found[0] if found else None) is find_lead_block(root, headline)
    assert found is None or found[1] == lead_text(found[0])
    assert (found is None) is (block in ('', '<div class="lead-image"><p>{lead}</p></div>'))


def test_a_lead_block_after_the_body_started_is_not_the_lead():
    page = ARTICLE.format(title=TITLE, between="", p1=P[0], p2=P[1], p3=P[2]).replace(
        f"<p>{P[2]}</p>", f'<p>{P[2]}</p><div class="summary">{LEAD}</div>').encode()
    assert parse(page, "https://example.gov/news/1", ctx("en"), "generic").lead != LEAD


@pytest.mark.parametrize("parser", ["president_by", "president_az", "belta"])
def test_site_parsers_read_a_lead_block_when_the_site_has_one(parser):
    relative, url, language = SITE_ARTICLES[parser][-1]
    root = lxml_html.fromstring((SITES / relative).read_bytes())
    [container] = root.cssselect(CONTAINERS[parser])[:1]
    lead = etree.Element("div", {"class": "article__lead"})
    lead.text = LEAD
    container.insert(0, lead)  # inside the content, first: the body must not keep it
    release = parse(lxml_html.tostring(root.getroottree(), encoding="utf-8"), url, ctx(language), parser)
    assert release.lead == LEAD
    assert LEAD not in release.body_text
    check(release, parser)


# --------------------------------------------------------------------------- the step itself


def release_of(body: str, *, title: str = TITLE, subtitle: str | None = None, lead: str | None = None) -> Release:
    return Release(url="https://example.gov/x", title=title, body_text=body, parser="test", parser_version="0",
                   subtitle=subtitle, lead=lead)


def test_a_lead_repeated_whole_leaves_the_body():
    release = apply_text_convention(release_of(f"{LEAD}\n\n{P[0]}\n\n{P[1]}", lead=LEAD))
    assert (release.lead, release.body_text) == (LEAD, f"{P[0]}\n\n{P[1]}")


def test_a_lead_over_two_paragraphs_typography_aside():
    lead = "«Первое предложение» — о встрече. Второе предложение ёмкое."
    body = "\"Первое предложение\" - о встрече.\n\nВторое предложение емкое.\n\nДальше текст."
    release = apply_text_convention(release_of(body, title="Заголовок", lead=lead))
    assert (release.lead, release.body_text) == (lead, "Дальше текст.")


def test_a_lead_cut_short_or_after_a_dateline_is_no_lead():
    cut = LEAD[:40] + "…"
    assert apply_text_convention(release_of(f"{LEAD}\n\n{P[0]}", lead=cut)).lead is None
    dateline = f"MINSK, 2 October (BelTA) - {LEAD}"
    release = apply_text_convention(release_of(f"{dateline}\n\n{P[0]}", lead=LEAD))
    assert release.lead is None and release.body_text == f"{dateline}\n\n{P[0]}"


def test_a_lead_that_is_all_the_text_is_the_body():
    release = apply_text_convention(release_of(LEAD, lead=LEAD))
    assert (release.lead, release.body_text) == (None, LEAD)


def test_a_lead_elsewhere_in_the_body_is_not_a_repeat_at_its_top():
    release = apply_text_convention(release_of(f"{P[0]}\n\n{LEAD}", lead=LEAD))
    assert (release.lead, release.body_text) == (LEAD, f"{P[0]}\n\n{LEAD}")


def test_title_and_subtitle_repeated_at_the_top_leave_the_body():
    subtitle = "Trade and energy were on the agenda"
    release = apply_text_convention(release_of(f"{TITLE}\n\n{subtitle}\n\n{P[0]}", subtitle=subtitle))
    assert (release.subtitle, release.body_text) == (subtitle, P[0])
    inside = apply_text_convention(release_of(f"{P[0]} {subtitle} today.\n\n{P[1]}", subtitle=subtitle))
    assert inside.subtitle is None and inside.body_text.startswith(P[0])


def test_paragraphs_are_separated_by_one_blank_line_and_chrome_lines_go():
    body = f"  {P[0]}  \n \n\n{P[1]}\nПоделиться: VK\n\n\nФото: пресс-служба\n\n- one\n- two\n"
    release = apply_text_convention(release_of(body))
    assert release.body_text == f"{P[0]}\n\n{P[1]}\n\n- one\n- two"


def test_nothing_but_chrome_is_a_parse_error():
    with pytest.raises(ParseError, match="no body text"):
        apply_text_convention(release_of("Поделиться: VK\n\nФото: пресс-служба\n\nTags: EU"))


def test_the_step_is_idempotent_on_every_constructed_page():
    for parser, articles in SITE_ARTICLES.items():
        for relative, url, language in articles:
            release = parse((SITES / relative).read_bytes(), url, ctx(language), parser)
            again = apply_text_convention(dataclasses.replace(release))
            assert (again.subtitle, again.lead, again.body_text) == (release.subtitle, release.lead, release.body_text)


# --------------------------------------------------------------------------- reparse: old texts become new versions


KREMLIN_URL = "http://kremlin.ru/events/president/transcripts/75238"


def stored_under_the_old_convention(db: Path) -> tuple[Release, object]:
    """A database holding the constructed kremlin page as kremlin 1.0 stored it (the lead again at the top of
    the body), its body archived beside the database as an ingest leaves it; the current parse and the source."""
    store = Store(db)
    store.migrate()
    page = (SITES / "kremlin/ru/events/president/transcripts/75238.html").read_bytes()
    key = archive_for(db).put(page)
    source = registry_at(None)[0].select(["kremlin_ru"])[0]
    current = parse(page, KREMLIN_URL, ctx("ru", "Europe/Moscow"), "kremlin")
    old = dataclasses.replace(current, body_text=f"{current.lead}\n\n{current.body_text}", parser_version="1.0")
    fetch = FetchRow(fetch_id="f1", run_id="r1", source_id=source.id, url=KREMLIN_URL, final_url=KREMLIN_URL,
                     purpose="new", status=200, outcome="ok", started_at=T0, elapsed_ms=10.0, bytes=len(page),
                     content_type="text/html; charset=utf-8", charset="utf-8", etag=None, last_modified=None,
                     attempts=1, error=None, archive_key=key)
    store.load_batch(LoadBatch(run_id="r1", source_id=source.id, fetches=[fetch],
                               releases=[release_row(old, source, url=KREMLIN_URL, archive_key=key, seen_at=T0)]))
    return current, source


def versions_of(db: Path) -> tuple[tuple, list[tuple]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        latest = con.execute("SELECT version, lead, body_text, parser_version FROM releases").fetchone()
        versions = con.execute("""SELECT v.version, v.body_text, coalesce(r.flow, v.run_id) FROM release_versions v
                                  LEFT JOIN runs r USING (run_id) ORDER BY v.version""").fetchall()
    finally:
        con.close()
    return latest, versions


def assert_brought_to_the_convention(db: Path, current: Release, second_version_by: str) -> None:
    (version, lead, body_text, parser_version), versions = versions_of(db)
    assert version == 2 and parser_version == current.parser_version != "1.0"
    assert lead == current.lead and body_text == current.body_text and not body_text.startswith(lead)
    assert [(v, by) for v, _, by in versions] == [(1, "r1"), (2, second_version_by)]
    assert versions[0][1].startswith(lead)  # the old text is kept, never overwritten


def test_reparse_brings_a_release_stored_under_the_old_convention_to_the_new_one_as_a_version(tmp_path):
    db = tmp_path / "g.duckdb"
    current, source = stored_under_the_old_convention(db)
    store, archive = Store(db), archive_for(db)
    [first] = reparse_pages(store, archive, [source], None, "r2")
    assert (first.updated, first.unchanged, first.new, first.failed) == (1, 0, 0, 0)
    [again] = reparse_pages(store, archive, [source], None, "r3")
    assert (again.updated, again.unchanged) == (0, 1)  # the new text is stable: a second reparse changes nothing
    assert_brought_to_the_convention(db, current, "r2")


@pytest.mark.slow
def test_the_reparse_run_versions_it_and_says_so_in_runs(tmp_path):
    """The same through `govpress reparse`'s run (govpress.run.reparse_sources over the project's registry):
    the new version's run_id leads to a runs row whose flow is 'reparse', as the README says."""
    db = tmp_path / "g.duckdb"
    current, source = stored_under_the_old_convention(db)
    first = asyncio.run(reparse_sources(db=db, source_ids=[source.id]))
    assert first.status == "completed", first.message
    assert (first.outcomes[0].updated, first.outcomes[0].failed) == (1, 0)
    second = asyncio.run(reparse_sources(db=db, source_ids=[source.id]))
    assert (second.outcomes[0].updated, second.outcomes[0].unchanged) == (0, 1)
    assert_brought_to_the_convention(db, current, "reparse")


def test_a_summary_with_no_text_after_it_is_the_body():
    """A feed entry that is only its c-summary: the summary is the text, so the body, and there is no lead."""
    document = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">
<title>kremlin</title><id>x</id><updated>2024-10-08T15:40:00+03:00</updated><entry>
<title>Telephone conversation</title><id>http://kremlin.ru/events/president/news/75241</id>
<link href="http://kremlin.ru/events/president/news/75241"/><published>2024-10-08T15:40:00+03:00</published>
<content type="html">&lt;div class="c-summary"&gt;&lt;p&gt;Vladimir Putin had a telephone conversation with the President of Belarus.&lt;/p&gt;&lt;/div&gt;</content>
</entry></feed>"""
    release = parse(document, "http://kremlin.ru/events/president/news/75241", ctx("en", "Europe/Moscow"), "kremlin")
    assert (release.lead, release.body_text) == (None, "Vladimir Putin had a telephone conversation with the President of Belarus.")


def _former_body_paragraphs(body_text: str) -> list[str]:
    """The convention's paragraphs as they were read before perf-body25: every line asked is_chrome."""
    from govpress.parsers.text import is_chrome

    out = []
    for block in re.split(r"\n[ \t]*(?:\n[ \t]*)+", body_text.strip()):
        lines = [line.strip() for line in block.split("\n")]
        kept = "\n".join(line for line in lines if line and not is_chrome(line))
        if kept:
            out.append(kept)
    return out


def test_the_convention_asks_chrome_kind_only_of_lines_short_enough_and_keeps_the_same_lines(monkeypatch):
    """The body's lines are asked chrome_kind directly, and only when they are short enough to be chrome
    (LONGEST_CHROME_LINE, the length chrome_kind refuses at once); one-line paragraphs are not split and joined.
    The paragraphs are those every line's is_chrome gave, on made bodies of chrome, text, blank and long lines."""
    import random

    from govpress.parsers import release as module
    from govpress.parsers.text import LONGEST_CHROME_LINE

    asked: list[str] = []
    real = module.chrome_kind
    monkeypatch.setattr(module, "chrome_kind", lambda line: asked.append(line) or real(line))
    long_line = "Поделиться: " + "слово " * 150
    assert len(long_line.strip()) > LONGEST_CHROME_LINE
    body = f"Текст первого абзаца.\n\n{long_line}\n\nПоделиться\nВторой абзац.\n \t\nФото: БЕЛТА"
    assert module._body_paragraphs(body) == _former_body_paragraphs(body) == [
        "Текст первого абзаца.", long_line.strip(), "Второй абзац."]
    assert long_line.strip() not in asked and "Поделиться" in asked

    rng = random.Random(25)
    pieces = ["Поделиться", "Share on Facebook", "Фото: БЕЛТА", "Читайте также: Новость", "© 2024 Ministry", "Tags: a, b",
              "The minister met the delegation.", "Related measures were adopted.", "", " ", "\t", "***", "— • —",
              "Share" + " x" * 300, "Text " * 130, "Text " * 119 + "Photo", "Фото\u00a0 БЕЛТА", "  Print  "]
    for _ in range(3000):
        lines = [rng.choice(pieces) for _ in range(rng.randrange(1, 12))]
        body = "".join(line + rng.choice(["\n", "\n\n", "\n \n", "\n\t\n\n"]) for line in lines)
        assert module._body_paragraphs(body) == _former_body_paragraphs(body), body
