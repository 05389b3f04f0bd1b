"""Rules added after scoring where the article text starts on real news pages (bench/external_openings.py) and after
reading the Chinese news and government pages of the sweep (bench/external_sweep.py) where it ends.

Captions, photo credits, "more headlines" lists, bylines and markup written as text were found before the
opening words of articles; disclaimers and editors' credit lines after their last. Every page here is a small
hand-written document; each test shows the rule firing and, beside it, the case where it must not.
"""

from __future__ import annotations

import json

from govpress.parsers import generic
from govpress.parsers.html.blocks import _boiler_token, is_boilerplate, markup_decoded
from govpress.parsers.html.tree import parse_html_text
from govpress.parsers.release import ParseContext

OPENING = ("<p>The council has approved a plan to plant twelve thousand street trees over the next five years, "
           "starting with the districts that have the least shade.</p>")
REST = ("<p>Residents will be able to request a tree through the council's website, and volunteers will help to "
        "water young trees during the summer.</p><p>The first two thousand trees will be planted this autumn, the "
        "council said, and the rest over the following four years.</p>")
URL = "https://city.example/news/trees"


def page(body: str, head: str = "", title: str = "Street trees plan approved") -> bytes:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def parse(body: str, head: str = ""):
    return generic.parse(page(body, head), URL, ParseContext())


# ----------------------------------------------------------------------------- captions and credits

def test_blocks_named_as_captions_or_credits_are_not_text() -> None:
    for chrome in ("<p class='wp-caption-text'>Volunteers at the tree nursery on Monday</p>",
                   "<div class='image-credit'>Jane Doe / City Council</div>",
                   "<div class='legende'>Le maire à la pépinière (Photo AFP)</div>",
                   "<span class='photoCaption'>Volunteers at the tree nursery on Monday</span>"):
        release = parse(chrome + OPENING + REST)
        assert release.body_text.startswith("The council has approved"), chrome
        assert "during the summer" in release.body_text


def test_a_heading_the_site_classes_as_a_caption_is_still_judged_a_heading() -> None:
    # kremlin.ru writes its section headings as <h2 class="title title_main title_caption">.
    heading, note = (parse_html_text(f"<html><body><{tag} class='title title_caption'>Council news</{tag}></body></html>")
                     .find(f".//{tag}") for tag in ("h2", "p"))
    assert not is_boilerplate(heading)
    assert is_boilerplate(note)
    assert _boiler_token("caption") and _boiler_token("wp-caption-text") and not _boiler_token("captioned-video-list")


def test_a_block_repeating_an_images_alt_text_is_its_caption() -> None:
    figure = ("<div class='foto'><img src='/nursery.jpg' alt='Volunteers at the tree nursery on Monday'>"
              "<p>Volunteers at the tree nursery on Monday (Photo: City Council)</p></div>")
    release = parse(figure + OPENING + REST)
    assert release.body_text.startswith("The council has approved")


def test_a_whole_paragraph_copied_into_an_alt_text_is_no_caption() -> None:
    # A CMS that copies a paragraph into the image's alt: longer than any caption, so the paragraph stays.
    long = ("<p>Residents will be able to request a tree through the council's website, and volunteers will help to "
            "water young trees during the summer; the council will publish a map of the streets planted each year, "
            "and the first two thousand trees will be planted this autumn in the districts with the least shade.</p>")
    alt = long[3:-4]
    release = parse(f"<div class='text'><p><img src='/trees.jpg' alt=\"{alt}\"></p>" + OPENING + long + REST + "</div>")
    assert alt in release.body_text


def test_a_paragraph_that_only_shares_words_with_an_alt_text_stays() -> None:
    # The image is described by the opening's own words, but the paragraph says more than its alt text.
    figure = "<div><img src='/plan.jpg' alt='The council has approved a plan'>" + OPENING + "</div>"
    release = parse(figure + REST)
    assert release.body_text.startswith("The council has approved a plan to plant")


# ----------------------------------------------------------------------------- lists of links

def test_a_long_list_of_headline_links_is_not_text() -> None:
    headlines = "".join(f"<li><a href='/news/{n}'>Council budget talks, week {n}: what the parties want</a>"
                        f"<span class='count'>{n}</span></li>" for n in range(12))
    release = parse(f"<div><ul>{headlines}</ul></div>" + OPENING + REST)
    assert release.body_text.startswith("The council has approved")


def test_a_list_whose_items_say_more_than_their_links_stays() -> None:
    items = "".join(f"<li>District {n} gets {n * 100} trees, see <a href='/map/{n}'>the map</a> for the streets"
                    " that come first</li>" for n in range(1, 8))
    release = parse(OPENING + f"<ul>{items}</ul>" + REST)
    assert "District 7 gets 700 trees" in release.body_text


# ----------------------------------------------------------------------------- bylines and credits at the opening

def test_a_byline_or_a_credit_standing_alone_at_the_opening_is_dropped() -> None:
    for line in ("By Jane Doe and John Roe", "Par LILIAN ALEMAGNA, LAURE BRETTON", "Текст: Анна Петрова",
                 "Illustration by Mike Nudelman", "Фото: пресс-служба"):
        release = parse(f"<p>{line}</p>" + OPENING + REST)
        assert release.body_text.startswith("The council has approved"), line


def test_a_byline_in_capitals_under_a_standfirst_is_dropped() -> None:
    standfirst = ("<p>After a busy week, the council approved the street trees plan at its autumn meeting, the first of "
                  "its kind in the region and the largest in its history.</p>")
    release = parse(standfirst + "<p>Par LILIAN ALEMAGNA, LAURE BRETTON</p>" + OPENING + REST)
    assert "ALEMAGNA" not in release.body_text and "The council has approved" in release.body_text


def test_lines_that_only_begin_like_a_byline_stay() -> None:
    for line in ("By 2030, every street in the city will have at least one tree.",  # a sentence
                 "by the numbers"):  # no name after it
        release = parse(f"<p>{line}</p>" + OPENING + REST)
        assert release.body_text.startswith(line), line
    # Past the opening a "Von ..." line is the text's own subheading.
    release = parse(OPENING + "<p>Von Null auf Hundert</p>" + REST)
    assert "Von Null auf Hundert" in release.body_text


# ----------------------------------------------------------------------------- markup written as text

def test_markup_and_double_escaped_entities_in_metadata_are_read_as_text() -> None:
    assert markup_decoded("Boomer &amp; Craig") == "Boomer & Craig"
    assert markup_decoded("For more, see <a href='/x'>how to save</a>.") == "For more, see how to save."
    assert markup_decoded("AT&T and 3 < 4") == "AT&T and 3 < 4"
    head = ("<meta name='description' content='Boomer &amp;amp; Craig welcome the plan. More on "
            "&lt;a href=&quot;/trees&quot;&gt;street trees&lt;/a&gt; here.'>")
    release = parse(OPENING + REST, head)
    assert release.lead == "Boomer & Craig welcome the plan. More on street trees here."


def test_json_ld_text_with_the_cms_entities_is_read_as_text() -> None:
    body = ("The council&#8217;s plan will plant twelve thousand street trees over the next five years &amp; more, "
            "starting with the districts that have the least shade.\nResidents can ask for a tree on the council&#8217;s "
            "website, and volunteers will water young trees in the summer.")
    head = ("<script type='application/ld+json'>" + json.dumps({"@type": "NewsArticle", "headline": "Street trees plan "
            "approved", "articleBody": body}) + "</script>")
    release = parse("<p>Short teaser only.</p>", head)
    assert "council’s plan" in release.body_text and "years & more" in release.body_text


def test_a_description_the_body_repeats_after_a_rubric_is_no_second_lead() -> None:
    head = "<meta name='description' content='The council has approved a plan to plant twelve thousand street trees.'>"
    release = parse("<p>Analysis</p>" + OPENING + REST, head)
    assert release.lead is None
    deeper = parse("<p>Analysis</p>" + REST + REST + OPENING, head)  # said only far down: the summary is kept
    assert deeper.lead == "The council has approved a plan to plant twelve thousand street trees."


def test_a_page_tools_box_is_chrome() -> None:
    tools = "<div id='story_tools'><h4>Story Tools</h4><ul><li><a href='/print'>Print</a></li></ul></div>"
    release = parse(tools + OPENING + REST)
    assert release.body_text.startswith("The council has approved")


# ----------------------------------------------------------------------------- how Chinese pages open and close

ZH_TEXT = ("<p>9月26日，交通运输部举行新闻发布会。目前京津冀交通一体化建设各项工作取得积极成效，下一步将着力打造三地综合立体交通"
           "网络，实现区域内快速铁路覆盖所有地级及以上城市。</p><p>发布会上，有关负责人介绍了港口、机场和公路建设的进展，并回答了记者"
           "提问。相邻城市间将基本实现“1.5小时交通圈”，三地将继续加强规划衔接。</p>")


def zh_parse(body: str):
    document = ("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>交通运输部：打造京津冀综合立体交通网络</title>"
                "</head><body><article><h1>交通运输部：打造京津冀综合立体交通网络</h1>" + body + "</article></body></html>").encode()
    return generic.parse(document, "https://news.example.cn/2019-09-26/1.html", ParseContext())


def test_the_credit_lines_and_disclaimers_chinese_pages_close_with_are_not_text() -> None:
    for closing in ("<p>（责任编辑：吴金明）</p>", "<p>本文来源：新京报 责任编辑：杜硕_NB12556</p>", "<p>【编辑：姚昊】</p>",
                    "<p>(本文来自澎湃新闻，更多原创资讯请下载“澎湃新闻”APP)</p>",
                    "<p>【免责声明】本文仅代表作者本人观点，与本网无关。请读者仅作参考，并请自行承担全部责任。</p>",
                    "<p>本文为本网原创文章，未经允许不得转载。</p><p>编辑|王明 校对|李华</p>"):
        release = zh_parse(ZH_TEXT + closing)
        assert release.body_text.endswith("三地将继续加强规划衔接。"), closing


def test_closing_paragraphs_that_only_begin_like_a_credit_stay() -> None:
    for closing in ("<p>编辑部认为，这项改革对区域发展意义重大，各地应当抓紧落实。</p>",
                    "<p>来源于群众的意见和建议，将在下一步规划中得到充分吸收。</p>"):
        release = zh_parse(ZH_TEXT + closing)
        assert release.body_text.endswith(closing[3:-4]), closing


def test_an_original_headline_note_opening_a_chinese_text_is_not_text() -> None:
    for note in ("（原标题：京津冀将形成1.5小时交通圈）", "本文原标题：《京津冀将形成1.5小时交通圈》"):
        release = zh_parse(f"<p>{note}</p>" + ZH_TEXT)
        assert release.body_text.startswith("9月26日，交通运输部"), note


def test_the_pages_date_and_source_line_is_furniture_whatever_else_it_holds() -> None:
    from govpress.parsers.datefinder import DateCandidate, FoundDate, read_stamp

    # The element classed as the date is read with a space its paragraph does not have ("字号： A-" / "字号：A-").
    stamp = read_stamp("2019-09-07 09:25:09", "UTC", None)
    found = FoundDate(stamp, (DateCandidate(stamp, "classed", 5.5, "2019-09-07 09:25:09 字号： A- A A+ 来源：观察者网"),))
    paragraphs = ["王文中国人民大学重阳金融研究院执行院长", "2019-09-07 09:25:09 字号：A- A A+ 来源：观察者网", "“中美贸易战正在变成一场持久战。”"]
    assert generic._drop_date_lines(paragraphs, found) == [paragraphs[0], paragraphs[2]]


def test_the_editors_credit_ends_a_chinese_text_and_what_follows_is_the_pages() -> None:
    related = "".join(f"<p>习近平会见外国领导人 第{n}条</p><p>2019-09-0{n} 20:53 中国外交</p>" for n in range(1, 4))
    release = zh_parse(ZH_TEXT + "<p>本文仅代表作者个人观点。</p><p>责任编辑: 小婷</p><p>相关推荐</p>" + related)
    assert release.body_text.endswith("三地将继续加强规划衔接。")
    # A header line above the text may name the editor: the text after it is kept.
    release = zh_parse("<p>2019-09-26 来源：新华网 责任编辑：张三</p>" + ZH_TEXT)
    assert release.body_text.endswith("三地将继续加强规划衔接。") and "交通运输部举行新闻发布会" in release.body_text


def test_a_description_that_is_the_headline_with_keywords_or_with_the_opening_is_no_lead() -> None:
    title = "Street trees plan approved"
    for description in (f"{title} trees, council, districts",  # the headline and the page's keywords
                        f"{title} ---The council has approved a plan to plant twelve thousand street trees",
                        "Original headline: Twelve thousand trees The council has approved a plan to plant twelve "
                        "thousand street trees over the next five years."):
        release = parse(OPENING + REST, f"<meta name='description' content='{description}'>")
        assert release.lead is None, description
        assert release.body_text.startswith("The council has approved")
    summary = "Twelve thousand new street trees in five years, shadeless districts first."
    assert parse(OPENING + REST, f"<meta name='description' content='{summary}'>").lead == summary


def test_an_author_box_before_the_text_is_chrome() -> None:
    box = ("<div class='author-dropdown'><div class='description'><p>Jane Doe currently works for the City Gazette as a "
           "writer. She studied at the state university and moved to the city after graduation.</p></div></div>")
    release = parse(box + OPENING + REST)
    assert release.body_text.startswith("The council has approved")
