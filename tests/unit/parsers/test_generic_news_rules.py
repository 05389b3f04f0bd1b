"""Rules added after scoring real news pages in seven languages (bench/external_news.py): each in isolation.

Every page here is a small hand-written document; each test shows the rule firing and, beside it,
the case where it must not (so that a rule that always fires, or never, fails here).
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from govpress.extract import extract_jobs, extract_one, read_manifest
from govpress.parsers import generic
from govpress.parsers.release import ParseContext

PROSE = (
    "<p>The council has approved a plan to plant twelve thousand street trees over the next five years, starting "
    "with the districts that have the least shade.</p><p>Residents will be able to request a tree through the "
    "council's website, and volunteers will help to water young trees during the summer.</p>"
)
OLD_MTIME = datetime(2020, 2, 2, tzinfo=timezone.utc)  # what a package build stamps on every file it ships


def page(head: str = "", body: str = "", title: str = "Street trees plan approved") -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body><article><h1>{title}</h1>{body or PROSE}</article></body></html>").encode()


def day(release) -> str | None:
    return release.published_at.date().isoformat() if release.published_at else None


# ----------------------------------------------------------------------------- a guessed fetch time

STAMPED = "<meta property='article:published_time' content='2023-11-02T19:53:52Z'>"


def test_a_stated_date_after_a_guessed_fetch_time_is_kept() -> None:
    guessed = ParseContext(fetched_at=OLD_MTIME, fetched_at_guessed=True)
    assert day(generic.parse(page(STAMPED), "https://city.example/news/trees", guessed)) == "2023-11-02"


def test_a_stated_date_after_a_real_fetch_time_is_still_refused() -> None:
    fetched = ParseContext(fetched_at=OLD_MTIME)  # a fetcher's clock: the page cannot be newer than its fetch
    assert day(generic.parse(page(STAMPED), "https://city.example/news/trees", fetched)) is None


def test_a_guessed_fetch_time_moved_up_also_anchors_dates_without_a_year() -> None:
    # The page's own stamp says it existed on 2 November 2023; its visible "3 November" is then that year's.
    head = "<meta property='article:modified_time' content='2023-11-04T08:00:00Z'>"
    body = "<p class='date'>3 November</p>" + PROSE
    guessed = ParseContext(fetched_at=OLD_MTIME, fetched_at_guessed=True)
    assert day(generic.parse(page(head, body), "https://city.example/news/trees", guessed)) == "2023-11-03"


def test_extract_reads_a_file_with_an_old_modification_time_by_its_stated_date(tmp_path: Path) -> None:
    saved = tmp_path / "trees.html"
    saved.write_bytes(page(STAMPED))
    os.utime(saved, (OLD_MTIME.timestamp(), OLD_MTIME.timestamp()))
    record = extract_one(saved, "https://city.example/news/trees")
    assert record["published_at"].startswith("2023-11-02")
    # A manifest's fetched_at is a statement, not a guess: the same page read as fetched in 2020 has no date.
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"file": "trees.html", "url": "https://city.example/news/trees",
                                    "fetched_at": OLD_MTIME.isoformat()}) + "\n")
    (stated,) = extract_jobs(read_manifest(manifest), workers=1)
    assert stated["published_at"] is None


def test_a_visible_date_after_an_archives_stamp_is_kept_and_one_after_the_reading_is_not(tmp_path: Path) -> None:
    # No machine-readable stamp to move the guess up: only the line under the headline dates the page.
    saved = tmp_path / "trees.html"
    saved.write_bytes(page("", "<p class='pub-time'>2023-11-02 20:30</p>" + PROSE))
    os.utime(saved, (OLD_MTIME.timestamp(), OLD_MTIME.timestamp()))
    assert extract_one(saved, "https://city.example/news/trees")["published_at"].startswith("2023-11-02T20:30")
    # The parser is told when the file was read: a day after that is an announced event, never the publication.
    guessed = ParseContext(fetched_at=OLD_MTIME, fetched_at_guessed=True,
                           fetched_before=datetime(2023, 10, 1, tzinfo=timezone.utc))
    assert day(generic.parse(saved.read_bytes(), "https://city.example/news/trees", guessed)) is None


def test_a_stamp_with_a_time_beats_a_today_clock_above_the_headline() -> None:
    from govpress.parsers.datefinder import find_publication_date

    # A portal's header prints the day it was rendered ("2021年10月7日 星期四") just above the headline; the
    # article's own line below it carries the time of publication. Both lines are as near the headline.
    def found(above: str, below: str):
        lines = [above, "Street trees plan approved", below, "The council has approved a plan to plant twelve "
                 "thousand street trees over the next five years, starting with the districts that have the least shade."]
        return find_publication_date(meta_published=[], heading_dates=[], region_lines=lines,
                                     title="Street trees plan approved", first_paragraphs=[], url="https://city.example/a",
                                     tz="UTC", reference=datetime(2021, 10, 7, 12, tzinfo=timezone.utc)).value

    assert found("2021年10月7日 星期四", "2020-11-23 10:22:14 出处：City news").date().isoformat() == "2020-11-23"
    # Neither line with a time of day: the first one still wins, as before.
    assert found("2021年10月7日 星期四", "2020年11月23日 出处：City news").date().isoformat() == "2021-10-07"


def test_a_guessed_fetch_time_after_the_page_gives_way_to_its_own_stamp_for_the_year() -> None:
    # A copy made years later: "Jun 13, 4:03 PM" read against the copy's day would be this year's 13 June; the page's
    # own (modification) stamp says 2016.
    body = "<div class='hentry'><div class='timestamp updated' title='2016-06-13T1603Z'>Jun 13, 4:03 PM EDT</div>" + PROSE + "</div>"
    copied = ParseContext(fetched_at=datetime(2026, 12, 7, tzinfo=timezone.utc), fetched_at_guessed=True,
                          fetched_before=datetime(2026, 12, 7, tzinfo=timezone.utc))
    assert day(generic.parse(page("", body), "https://news.example/a", copied)) == "2016-06-13"
    # A fetcher's own clock is no guess: the same page fetched on 2026-12-07 is read against it.
    fetched = ParseContext(fetched_at=datetime(2026, 12, 7, tzinfo=timezone.utc))
    assert day(generic.parse(page("", body), "https://news.example/a", fetched)) == "2026-06-13"


def test_stamps_in_java_and_asctime_form_and_mixed_iso_forms_have_their_year() -> None:
    from govpress.parsers.datefinder import read_stamp
    from govpress.parsers.dates import parse_iso

    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    stamp = read_stamp("Tue Jan 28 15:28:56 CET 2020", "UTC", now)
    assert stamp.value.isoformat() == "2020-01-28T15:28:56+01:00"
    assert read_stamp("Tue Jan 28 15:28:56 2020", "UTC", now).value.year == 2020
    assert read_stamp("Tue Jan 28 15:28:56 CET", "UTC", now).has_year is False  # no year given: none made up
    assert parse_iso("2016-06-13T1603Z", tz="UTC").value.isoformat() == "2016-06-13T16:03:00+00:00"
    assert parse_iso("2016-0613T1603Z", tz="UTC") is None  # one separator without the other: no ISO form
    head = "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"datePublished\": \"Tue Jan 28 15:28:56 CET 2020\"}</script>"
    assert day(generic.parse(page(head), "https://news.example/a", ParseContext(fetched_at=now))) == "2020-01-28"


def test_a_date_in_a_teaser_cards_link_is_that_pages_and_a_permalinks_date_is_this_pages() -> None:
    from govpress.parsers.html.metadata import page_metadata
    from govpress.parsers.html.tree import parse_html_text

    teaser = ("<div class='teasers'><a href='https://social.example/news'><h2>Our news on social media "
              "<span class='date'>11.07.2017</span></h2></a></div>")
    permalink = "<p><a href='/2020/01/19/trees' rel='bookmark'><span class='date'>19.01.2020</span></a></p>"
    meta = page_metadata(parse_html_text(page("", permalink + PROSE + teaser).decode()), "https://news.example/a")
    assert ("dateline", "19.01.2020") in meta.published
    assert ("dateline", "11.07.2017") not in meta.published


# ----------------------------------------------------------------------------- a short article the page names

TALKS = (
    "<p>The Minister of Foreign Affairs held talks with his counterpart on Tuesday in the capital. "
    "The sides discussed trade, energy and transport links between the two countries.</p>"
    "<p>They agreed to hold the next round of consultations in the spring. A joint statement was signed "
    "at the end of the meeting, setting out the plans for the coming year.</p>"
    "<p>The minister also met representatives of the business community, who presented several joint projects.</p>"
)
TEASER = "<p>Opening hours of the ministry's library change next week. See the notice board for details.</p>"


def doubtful(block_class: str) -> bytes:
    """A short block the density count picks, and more prose the permissive second opinion finds elsewhere."""
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Minister holds talks | Ministry</title>"
            "</head><body><h1>Minister holds talks with counterpart</h1><div class='share-bar'><a href='#'>Share</a>"
            f"{TALKS}</div><div class='{block_class}'>{TEASER}</div></body></html>").encode()


def test_a_short_block_the_page_names_as_the_articles_text_is_kept() -> None:
    # A paywalled or brief piece: its own block is what there is, not a banner hiding the article.
    for named in ("article_text", "cmn-article_text a-cf", "article-body", "entry-content", "story__body"):
        release = generic.parse(doubtful(named), "https://gov.example/news/1", ParseContext())
        assert release.body_text.startswith("Opening hours of the ministry's library"), named


def test_a_short_unnamed_block_beside_more_prose_is_still_refused() -> None:
    import pytest

    from govpress.parsers.release import ParseError

    for unnamed in ("note", "article-list", "news-block", "postbox"):
        with pytest.raises(ParseError, match="could not separate"):
            generic.parse(doubtful(unnamed), "https://gov.example/news/1", ParseContext())


# ----------------------------------------------------------------------------- headlines

META = "<meta property='og:title' content='Street trees plan approved (photo)'>"


def test_a_headline_broken_by_br_from_its_byline_is_the_line_the_metadata_agrees_with() -> None:
    document = page(META, title="Street trees plan approved | City").replace(
        b"<h1>Street trees plan approved | City</h1>",
        b"<h1><span>Street trees plan approved</span><br/><span>By the city editor Jane Roe</span></h1>")
    assert generic.parse(document, "https://city.example/news/trees", ParseContext()).title == "Street trees plan approved"


def test_an_unbroken_headline_stays_whole() -> None:
    document = page(META, title="Street trees plan approved | City").replace(
        b"<h1>Street trees plan approved | City</h1>", b"<h1>Street trees plan approved by the council</h1>")
    assert generic.parse(document, "https://city.example/news/trees",
                         ParseContext()).title == "Street trees plan approved by the council"


def test_a_hidden_copy_of_the_headline_names_no_site() -> None:
    # A share block hidden with display:none repeats the <h1>: it is no headline, and no site name either
    # (which would strip the headline itself from every metadata title).
    headline = "外国专家：中美合作共赢符合国际社会利益"
    document = (f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>{headline} - 中国日报网</title>"
                f"<meta property='og:title' content='{headline}'></head><body>"
                f"<div style='display:none;'><h1>{headline}</h1><h2>摘要</h2></div>"
                f"<div class='container'><h1 class='dabiaoti'>{headline}</h1><div id='Content'>"
                "<p>在美国旧金山举行的中美元首会晤吸引了全世界的目光。多名外国专家告诉记者，中美合作共赢符合国际社会利益，美方应当采取更多行动。"
                "专家们表示，两国在贸易、气候和公共卫生方面的合作对世界经济的稳定至关重要。</p>"
                "<p>他们认为，双方应当继续保持沟通，扩大人文交流，为两国关系的健康发展创造条件。"
                "与会学者还指出，稳定的中美关系有利于亚太地区乃至全球的和平与繁荣。</p></div></div></body></html>").encode()
    assert generic.parse(document, "https://china.example.cn/a/1.html", ParseContext()).title == headline


# ----------------------------------------------------------------------------- a masthead's date box

def masthead(after_headline: str) -> bytes:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Street trees plan approved</title></head>"
            "<body><div id='text-bar'><div id='ticker-left'>Welcome to the City News</div>"
            "<div id='date-box'>Mon, 25 Dec 2023</div></div>"
            f"<div class='article'><h1>Street trees plan approved</h1>{after_headline}{PROSE}</div></body></html>").encode()


def test_the_date_beside_the_headline_wins_over_a_masthead_date_box() -> None:
    fetched = ParseContext(fetched_at=datetime(2023, 12, 25, 12, tzinfo=timezone.utc))
    release = generic.parse(masthead("<div>Jane Roe<br>City Desk<br>Thu, 14 May 2020 17:55 UTC</div>"),
                            "https://city.example/news/trees", fetched)
    assert day(release) == "2020-05-14"


def test_a_date_box_alone_still_dates_the_page() -> None:
    fetched = ParseContext(fetched_at=datetime(2023, 12, 25, 12, tzinfo=timezone.utc))
    assert day(generic.parse(masthead(""), "https://city.example/news/trees", fetched)) == "2023-12-25"


def test_an_analytics_publish_time_tag_dates_the_page() -> None:
    # cXense's recommendation tag, which news CMSs fill with the publication time; and the snake_case names.
    for tag in ("<meta name='cXenseParse:recs:publishtime' content='2018-06-18T10:01:00.000Z'>",
                "<meta name='publish_date' content='2018-06-18'>", "<meta name='pub_date' content='2018-06-18'>"):
        fetched = ParseContext(fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
        assert day(generic.parse(page(tag), "https://city.example/news/trees", fetched)) == "2018-06-18", tag
    assert day(generic.parse(page(), "https://city.example/news/trees",
                             ParseContext(fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc)))) is None


# ----------------------------------------------------------------------------- a paragraph cut on an article

def test_a_paragraph_cut_after_an_article_or_preposition_is_joined_to_the_next() -> None:
    from govpress.parsers.text import repair_paragraphs

    cut = ["Kate Henshaw, who in 2008 won the", "Africa Movie Academy Award for Best Actress, shared new photos."]
    joined = ["Kate Henshaw, who in 2008 won the Africa Movie Academy Award for Best Actress, shared new photos."]
    assert repair_paragraphs(cut, "en") == joined
    assert repair_paragraphs(cut, None) == joined  # a page of no stated language
    assert repair_paragraphs(["Премьер-министр прибыл в", "Минск с официальным визитом."], "ru") == [
        "Премьер-министр прибыл в Минск с официальным визитом."]


def test_a_paragraph_ending_on_a_word_sentences_end_with_stays_apart() -> None:
    from govpress.parsers.text import repair_paragraphs

    for last in ("What we do", "Kate Henshaw", "Plan A", "The visit in 2024"):
        assert repair_paragraphs([last, "Africa Movie Academy Award for Best Actress."], "en") == [
            last, "Africa Movie Academy Award for Best Actress."]
    # A word that ends no sentence in one language may in another: the page's language decides.
    assert repair_paragraphs(["Was wir tun, ist die", "Arbeit am Text."], "de") == ["Was wir tun, ist die Arbeit am Text."]
    assert repair_paragraphs(["Ghosts never die", "Arbeit am Text."], "en") == ["Ghosts never die", "Arbeit am Text."]


def test_a_headline_in_two_lines_the_metadata_agrees_with_as_a_whole_stays_whole() -> None:
    document = page("<meta property='og:title' content='Street trees plan approved.'>",
                    title="Street trees plan approved.").replace(
        b"<h1>Street trees plan approved.</h1>",
        b"<h1>Street trees plan approved.<br>The council votes for twelve thousand trees.</h1>")
    assert generic.parse(document, "https://city.example/news/trees", ParseContext()).title == (
        "Street trees plan approved. The council votes for twelve thousand trees.")


# ----------------------------------------------------------------------------- languages named by their script

def test_a_script_of_one_language_names_it_whatever_latin_words_the_text_quotes() -> None:
    from govpress.parsers.language import detect_language

    # Before, these scripts were not counted: the few Latin words ("DNA", "BBC") decided, and the page came out Maltese.
    assert detect_language("ผล DNA ยืนยัน ศพลอยแม่น้ำโขงเป็นคนสนิท อ.สุรชัย ผลตรวจ DNA ยืนยันแล้ว ว่าศพที่ลอยมาติดริมแม่น้ำโขง") == "th"
    assert detect_language("BBC နိုင်ငံတော်အကြည်ညိုပျက်စေမှုပုဒ်မနဲ့ တရားစွဲခံထားရတဲ့ အလဲဗင်းသတင်းသမား သုံးဦး အာမခံရ") == "my"
    assert detect_language("ប្រធានាធិបតី បានជួបប្រជុំជាមួយ រដ្ឋមន្ត្រី ក្រសួងការបរទេស នៅទីក្រុងភ្នំពេញ ថ្ងៃនេះ") == "km"
    assert detect_language("பிரதமர் இன்று புது தில்லியில் ஒரு கூட்டத்திற்கு தலைமை தாங்கினார் மற்றும் திட்டங்களை ஆய்வு செய்தார்") == "ta"
    # A script several languages share is still ranked by the model among them.
    assert detect_language("प्रधानमंत्री ने आज नई दिल्ली में एक बैठक की अध्यक्षता की और विकास योजनाओं की समीक्षा की") == "hi"
    assert detect_language("The minister held talks with his counterpart on Tuesday in the capital city.") == "en"


# ----------------------------------------------------------------------------- the typo-report widget

def test_the_typo_report_widget_after_the_text_is_not_the_article() -> None:
    widget = ("<div class='article__report'><strong>Нашли ошибку?</strong>"
              "<p>Выделите текст и нажмите Ctrl+Enter, чтобы отправить фрагмент редактору.</p></div>")
    release = generic.parse(page("", PROSE + widget), "https://city.example/news/trees", ParseContext())
    assert "Ctrl" not in release.body_text and "Нашли ошибку" not in release.body_text
    assert release.body_text.endswith("during the summer.")


# ----------------------------------------------------------------------------- a headline in the article's <header>

def headed(header_class: str, empty_h1: bool = True) -> bytes:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<title>The Captain's Quest 2017 – Contest on a floating miniramp - Skate News</title></head><body>"
            + ("<div class='slider'><h1> </h1></div>" if empty_h1 else "")
            + f"<section><header class='{header_class}'><h1>The Captain's Quest 2017 – Contest on a floating miniramp</h1>"
            f"</header><div class='text'>{PROSE}</div></section></body></html>").encode()


def test_a_headline_in_a_header_the_page_names_as_the_articles_is_the_headline() -> None:
    for header_class in ("c-article-head__inner", "entry-header", "post-title-wrap"):
        release = generic.parse(headed(header_class), "https://skate.example/news/1", ParseContext())
        assert release.title == "The Captain's Quest 2017 – Contest on a floating miniramp", header_class


def test_an_empty_h1_is_no_other_heading_that_makes_a_page_header_chrome() -> None:
    # With no other headline on the page, even a plain page-level <header> holds the headline.
    release = generic.parse(headed("site-header"), "https://skate.example/news/1", ParseContext())
    assert release.title == "The Captain's Quest 2017 – Contest on a floating miniramp"


# ----------------------------------------------------------------------------- a one-word <title>; hidden headings

def test_a_one_word_title_does_not_pick_a_menu_heading_that_holds_the_word() -> None:
    document = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>MEDEF</title></head><body>"
                f"<h1 class='Post-title'>Alternative dispute resolution for antitrust damages</h1><div>{PROSE}</div>"
                "<aside><h1 class='Title-txt'>Medef Contactez-nous</h1><h1 class='Title-txt'>Medef Newsletter</h1></aside>"
                "</body></html>").encode()
    assert generic.parse(document, "https://www.medef.example/en/x", ParseContext()).title == (
        "Alternative dispute resolution for antitrust damages")


def test_a_one_phrase_title_in_an_unspaced_script_agrees_with_its_heading_not_with_the_site_name_inside_it() -> None:
    # "Headline-新华网": the site's name <h1> sits inside the title too, but one short word inside a title is weak
    # evidence, a whole phrase inside it strong; and a title of such a script is a phrase even without a space.
    headline = "短缺药品保供稳价全力保障临床用药需求"
    document = (f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>{headline}-新华网</title></head>"
                f"<body><div class='nav'><h1>新华网</h1></div><h1>{headline}</h1><div id='detail'>"
                "<p>记者17日从国家卫生健康委获悉，近阶段，相关部门持续依托短缺药品供应保障工作会商联动机制，深入优化短缺药品实时监测预警与分级应对体系。</p>"
                "<p>全力保障人民群众临床用药需求，相关部门将继续加强监测，及时回应社会关切，确保药品供应稳定。</p></div></body></html>").encode()
    assert generic.parse(document, "https://news.example.cn/2023-11/17/c_1.htm", ParseContext()).title == headline


def test_a_heading_classed_invisible_in_german_is_no_headline() -> None:
    document = ("<!doctype html><html lang='de'><head><meta charset='utf-8'><title>Landesportal</title></head><body>"
                "<h1 class='unsichtbar'>Metanavigation - Service-Menue</h1><h1 class='unsichtbar'>Haupt-Menue</h1>"
                "<h1>Neue Radwege für die Landeshauptstadt</h1><div><p>Die Stadt baut in diesem Jahr zwölf Kilometer "
                "neue Radwege, vor allem entlang der großen Ausfallstraßen, wie das Verkehrsamt mitteilte.</p>"
                "<p>Die Arbeiten beginnen im Frühjahr und sollen bis zum Herbst abgeschlossen sein.</p></div></body></html>").encode()
    assert generic.parse(document, "https://land.example/radwege", ParseContext()).title == "Neue Radwege für die Landeshauptstadt"


# ----------------------------------------------------------------------------- an endless-scroll page

def piece(heading: str, subject: str) -> str:
    sentences = "".join(f"<p>The {subject} report, part {n}, sets out what the ministry plans for the coming year "
                        f"and how the {subject} budget will be spent in each of the regions.</p>" for n in range(1, 6))
    return f"<article class='list__item'><div class='box'><h2>{heading}</h2></div><div class='content'>{sentences}</div></article>"


def test_an_endless_scroll_page_gives_the_article_that_shows_its_headline() -> None:
    document = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                "<meta property='og:title' content='Water plan for the regions'><title>Water plan for the regions</title>"
                "</head><body><main><div class='list'>"
                + piece("Water plan for the regions", "water") + piece("Roads to be repaired", "roads")
                + piece("Schools get new labs", "schools") + "</div></main></body></html>").encode()
    release = generic.parse(document, "https://gov.example/news/water", ParseContext())
    assert "water report, part 5" in release.body_text
    assert "roads" not in release.body_text and "schools" not in release.body_text


def test_one_article_among_teasers_keeps_the_whole_pick() -> None:
    teasers = "".join(f"<article class='teaser'><h3>Other news {n}</h3><p>A short teaser.</p></article>" for n in range(3))
    document = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Water plan for the regions</title>"
                "</head><body><main>" + piece("Water plan for the regions", "water") + teasers + "</main></body></html>").encode()
    release = generic.parse(document, "https://gov.example/news/water", ParseContext())
    assert "water report, part 1" in release.body_text and "water report, part 5" in release.body_text


# ----------------------------------------------------------------------------- camelCase class names

def test_a_camel_case_class_naming_related_content_is_chrome() -> None:
    related = ("<div class='col3 relatedContent'><div class='news'><h2><a href='/a/1'>Berlin conference: a first step"
               "</a></h2><p>The government has invited the parties of the war in the country and their supporters.</p>"
               "</div><div class='news'><h2><a href='/a/2'>Colonial legacy in the Pacific</a></h2><p>The region has voted"
               " overwhelmingly for independence in a referendum held last month.</p></div></div>")
    release = generic.parse(page("", PROSE + related), "https://city.example/news/trees", ParseContext())
    assert "referendum" not in release.body_text and "during the summer" in release.body_text


def test_camel_case_words_that_only_begin_like_chrome_are_not() -> None:
    from govpress.parsers.html.blocks import _boiler_token

    for chrome in ("relatedContent", "mainNav", "shareBar", "socialLinks", "commentList", "footerLinks", "readMore"):
        assert _boiler_token(chrome), chrome
    for content in ("shareholders", "adaptiveLayout", "printArticle", "articleBody", "navigatorNotes", "commentary"):
        assert not _boiler_token(content), content


def test_a_guessed_fetch_time_reads_no_relative_day() -> None:
    body = "<p class='date'>Yesterday, 18:05</p>" + PROSE
    guessed = ParseContext(fetched_at=datetime(2026, 12, 7, 12, tzinfo=timezone.utc), fetched_at_guessed=True)
    assert day(generic.parse(page("", body), "https://city.example/news/trees", guessed)) is None
    fetched = ParseContext(fetched_at=datetime(2026, 12, 7, 12, tzinfo=timezone.utc))  # a fetcher's own clock
    assert day(generic.parse(page("", body), "https://city.example/news/trees", fetched)) == "2026-12-06"


# ----------------------------------------------------------------------------- "last updated" in more languages

def test_a_last_updated_line_in_more_languages_is_no_publication_date() -> None:
    fetched = ParseContext(fetched_at=datetime(2013, 9, 1, tzinfo=timezone.utc))
    url = "https://news.example/2013/08/03/rebels-seize-depots/"
    for line in ("28/08/2013، آخر تحديث 14:00", "Atualizado em 28/08/2013 14:00", "Aggiornato il 28/08/2013",
                 "Son güncelleme: 28.08.2013", "Bijgewerkt op 28-08-2013"):
        release = generic.parse(page("", f"<p>{line}</p>" + PROSE), url, fetched)
        assert day(release) == "2013-08-03", line  # the URL's day, not the edit's
    release = generic.parse(page("", "<p>28/08/2013 14:00</p>" + PROSE), url, fetched)
    assert day(release) == "2013-08-28"  # an unlabelled line beside the headline outweighs the URL


# ----------------------------------------------------------------------------- site names on titles without spaces

def test_the_site_name_glued_on_a_title_in_an_unspaced_script_is_stripped() -> None:
    from govpress.parsers.html.titles import strip_site_suffix

    assert strip_site_suffix("国务院常务会议研究部署_中国政府网", None) == "国务院常务会议研究部署"
    assert strip_site_suffix("短缺药品保供稳价 全力保障临床用药需求-新华网", None) == "短缺药品保供稳价 全力保障临床用药需求"
    assert strip_site_suffix("米朝首脳直通電話のニュース｜日本経済新聞", None) == "米朝首脳直通電話のニュース"
    assert strip_site_suffix("米朝首脳直通電話　習氏に挑むトランプ戦術の成否　：日本経済新聞", None) == (
        "米朝首脳直通電話 習氏に挑むトランプ戦術の成否")
    # A colon inside the headline (topic: what happened) and a hyphen between Latin words stay.
    assert strip_site_suffix("外国专家：中美合作共赢符合国际社会利益", None) == "外国专家：中美合作共赢符合国际社会利益"
    assert strip_site_suffix("COVID-19：防控措施调整", None) == "COVID-19：防控措施调整"


def test_a_title_without_a_headline_element_loses_the_glued_site_name() -> None:
    document = ("<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>国务院常务会议研究部署稳就业_中国政府网</title>"
                "</head><body><div id='UCAP-CONTENT'><p>国务院总理主持召开国务院常务会议，研究部署进一步稳就业的措施，"
                "会议指出，就业是最大的民生，要加大对重点群体的帮扶力度。</p><p>会议要求各地区各部门压实责任，"
                "确保各项政策落地见效，让企业和劳动者有实实在在的获得感。</p></div></body></html>").encode()
    assert generic.parse(document, "https://www.gov.example.cn/zhengce/1.htm", ParseContext()).title == "国务院常务会议研究部署稳就业"


def test_uzbek_in_cyrillic_is_uzbek_not_tajik() -> None:
    from govpress.parsers.language import detect_language

    assert detect_language("Вазирлар Маҳкамасининг қарори билан янги давлат дастури тасдиқланди. Унга кўра, вилоятларда "
                           "мактаблар қурилади.") == "uz"
    assert detect_language("Президенти Ҷумҳурии Тоҷикистон имрӯз дар шаҳри Душанбе бо сармоягузорони хориҷӣ мулоқот намуда, "
                           "лоиҳаҳои навро баррасӣ кард.") == "tg"


def test_json_ld_in_iso_basic_format_dates_the_page() -> None:
    from govpress.parsers.dates import parse_iso

    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Street trees plan approved", '
            '"datePublished": "20180619T055000+0900"}</script>')
    fetched = ParseContext(fetched_at=datetime(2018, 6, 20, 12, tzinfo=timezone.utc))
    release = generic.parse(page(head, "<p class='date'>2018年6月20日（水）</p>" + PROSE), "https://city.example/n/1", fetched)
    assert release.published_at.isoformat() == "2018-06-19T05:50:00+09:00"  # the stamp, not the masthead's today
    assert parse_iso("20180619", tz="UTC") is None  # eight digits alone may be any number



# ----------------------------------------------------------------------------- no <h1>, a <title> naming the section

def test_without_an_h1_a_title_naming_only_section_and_site_gives_way_to_the_first_content_heading() -> None:
    def parsed(title: str, heading: str, og: str = ""):
        document = (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{og}</head><body>"
                    "<div class='nav'><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></div>"
                    f"<div class='news'><h5>{heading}</h5><div class='info'>2019-05-18</div>{PROSE}</div></body></html>")
        return generic.parse(document.encode(), "https://society.example/content.aspx?id=1006", ParseContext())

    heading = "2019年中国人文地理学术年会在重庆•西南大学成功举行！"
    assert parsed("新闻动态--中国地理学会官网", heading).title == heading
    assert parsed("News | Geo Society", "Annual conference on human geography held in Chongqing").title == \
        "Annual conference on human geography held in Chongqing"
    # A <title> that is the headline (as long as the heading, or agreeing with it) keeps its place.
    kept = parsed("Twelve thousand street trees for the city | City", "A short note about the city's budget plan")
    assert kept.title == "Twelve thousand street trees for the city"
    # An og:title backs the <title>: nothing is overruled.
    backed = parsed("News | Geo Society", "Annual conference on human geography held in Chongqing",
                    "<meta property='og:title' content='News'>")
    assert backed.title != "Annual conference on human geography held in Chongqing"
