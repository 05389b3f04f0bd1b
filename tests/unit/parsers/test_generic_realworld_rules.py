"""Rules added after scoring trafilatura's real-world assertions (bench/external_realworld.py): each in isolation.

Every page here is a small hand-written document; each test shows the rule firing and, beside it,
the case where it must not (so that a rule that always fires, or never, fails here).
"""

from __future__ import annotations

from govpress.parsers import generic
from govpress.parsers.release import ParseContext

URL = "https://city.example/news/street-trees"
PARAGRAPHS = [
    "The council has approved a plan to plant twelve thousand street trees over the next five years, starting "
    "with the districts that have the least shade and the hottest summers.",
    "Residents will be able to request a tree through the council's website, and volunteers will help to water "
    "young trees during the first two summers after planting.",
    "The plan will cost four million over five years, half of it paid by a national grant for greener cities, "
    "and the first trees go into the ground in November.",
]
PROSE = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def parse(html: str):
    doc = f"<!doctype html><html lang='en'><head><title>Street trees plan approved</title></head><body>{html}</body></html>"
    return generic.parse(doc.encode(), URL, ParseContext())


def card(n: int, heading: str = "h3") -> str:
    return (f"<article class='post-card'><a href='/news/other-{n}'><{heading}>Other story number {n} about the "
            f"city</{heading}></a><p>The teaser of story {n}: a paragraph long enough to read as prose, about a "
            f"new bus lane, a library that opens on Sundays and the budget debate of the autumn session.</p></article>")


def test_a_related_block_of_article_cards_is_not_taken_for_a_block_that_swallowed_the_article() -> None:
    cards = "".join(card(n) for n in range(3))
    page = (f"<main><section class='main-post'><article><h1>Street trees plan approved</h1>{PROSE}</article></section>"
            f"<section class='related-posts'><h2>Related posts</h2>{cards}</section></main>")
    body = parse(page).body_text
    assert PARAGRAPHS[2] in body
    assert "Related posts" not in body and "Other story number" not in body


def test_a_block_that_holds_the_longest_article_is_still_kept_whatever_its_class() -> None:
    # Broken markup made a related block swallow the article: the article is its longest <article>, so it stays.
    page = (f"<main><div class='related-posts'><article><h2>Street trees plan approved</h2>{PROSE}</article>"
            f"{card(1)}</div></main>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and PARAGRAPHS[2] in body


def test_headings_inside_links_do_not_mark_a_related_block_as_the_article() -> None:
    cards = "".join(card(n, heading="h1") for n in range(3))
    page = (f"<div class='post'><h1>Street trees plan approved</h1>{PROSE}"
            f"<div id='blog_related_posts'><h4>Do not miss these posts</h4>{cards}</div></div>")
    body = parse(page).body_text
    assert PARAGRAPHS[2] in body
    assert "Do not miss these posts" not in body and "Other story number" not in body


def test_a_page_whose_only_headline_is_a_link_still_keeps_its_block() -> None:
    # Every <h1> inside a link: they all count, so a block holding the headline is not dropped for its class.
    page = f"<div class='sidebar-layout'><a href='/news/street-trees'><h1>Street trees plan approved</h1></a>{PROSE}</div>"
    release = parse(page)
    assert PARAGRAPHS[0] in release.body_text


def test_jetpack_style_compound_related_class_words_are_chrome() -> None:
    page = (f"<article><h1>Street trees plan approved</h1>{PROSE}<div id='jp-relatedposts' class='jp-relatedposts'>"
            "<h3 class='jp-relatedposts-headline'><em>Similar posts</em></h3></div></article>")
    body = parse(page).body_text
    assert PARAGRAPHS[2] in body and "Similar posts" not in body


def test_an_h1_holding_only_a_picture_does_not_mark_an_author_box_as_the_article() -> None:
    box = ("<div class='authorbox'><h3>Our editor</h3><h1><img src='/editor.png' alt=''></h1>"
           "<p>Contact the editor of this page at editor[at]city.example for corrections and questions.</p></div>")
    body = parse(f"<div class='post'><h1>Street trees plan approved</h1>{PROSE}{box}</div>").body_text
    assert PARAGRAPHS[2] in body and "editor[at]city.example" not in body


def test_call_to_action_and_previous_next_story_blocks_are_chrome() -> None:
    cta = ("<div class='cta-global'><h2>Missed the council meeting?</h2><p>Read everything the council decided this "
           "autumn, from the budget to the new bus lanes and the library hours, in one place.</p></div>")
    prevnext = ("<div id='storyPrev' class='prevnext-story'><a href='/news/other'><p>Previous story: the bus lane "
                "on the river road opens in spring after two years of works and a long debate.</p></a></div>")
    body = parse(f"<main><article><h1>Street trees plan approved</h1>{PROSE}</article>{cta}{prevnext}</main>").body_text
    assert PARAGRAPHS[2] in body
    assert "Missed the council meeting" not in body and "Previous story" not in body
    # The same words inside other class words are not chrome: "octant" is no "cta", "nextprevious" no "prevnext".
    kept = parse(f"<article class='octant nextprevious'><h1>Street trees plan approved</h1>{PROSE}</article>").body_text
    assert PARAGRAPHS[0] in kept


def test_a_section_headings_anchor_id_is_not_taken_for_navigation() -> None:
    # A table of contents' anchors: ids made of the heading's own words, after a word like "nav".
    text = (f"<p>{PARAGRAPHS[0]}</p><h3 id='nav_planting_starts__0'>Planting starts in November</h3><p>{PARAGRAPHS[1]}</p>"
            f"<h3 id='nav_main'>Site menu</h3><p>{PARAGRAPHS[2]}</p>")
    body = parse(f"<article><h1>Street trees plan approved</h1>{text}</article>").body_text
    assert "Planting starts in November" in body
    assert "Site menu" not in body  # an id naming navigation, not spelling its heading, still counts


def test_a_heading_classed_subheading_inside_the_text_is_no_subtitle() -> None:
    text = (f"<p>{PARAGRAPHS[0]}</p><h3 class='subheading'>Planting starts in November</h3><p>{PARAGRAPHS[1]}</p>"
            f"<p>{PARAGRAPHS[2]}</p>")
    release = parse(f"<article><h1>Street trees plan approved</h1>{text}</article>")
    assert release.subtitle is None and "Planting starts in November" in release.body_text
    # Before the text begins, the same heading is the piece's subtitle.
    ahead = parse(f"<article><h1>Street trees plan approved</h1><h3 class='subheading'>Planting starts in "
                  f"November</h3>{PROSE}</article>")
    assert ahead.subtitle == "Planting starts in November"


def test_a_paragraph_that_is_only_an_address_to_write_to_stays_in_the_text() -> None:
    text = (f"{PROSE}<p>Questions from the press:</p><p><a href='mailto:press@city.example'>press@city.example</a></p>"
            "<p><a href='tel:+3212345678'>+32 12 34 56 78</a></p><p><a href='/news'>All news</a> | <a href='/events'>Events</a></p>")
    body = parse(f"<article><h1>Street trees plan approved</h1>{text}</article>").body_text
    assert "press@city.example" in body and "+32 12 34 56 78" in body
    assert "All news" not in body  # a row of links to other pages still goes


def test_a_short_list_of_linked_headlines_is_chrome_even_when_a_headline_asks_a_question() -> None:
    titles = ["Bus lanes: faster or slower?", "Libraries open on Sundays", "What the budget pays for", "Order the magazine"]
    headlines = "".join(f"<li class='box__item'> <a href='/news/{n}' title='{t}'> {t} </a> </li>" for n, t in enumerate(titles))
    documents = "".join(f"<li><a href='/docs/{n}.pdf'>{t}</a> (PDF, 2 pages), signed by the mayor on 3 May.</li>"
                        for n, t in enumerate(["The decision", "The map of streets", "The planting calendar"]))
    box = (f"<div class='box'><p>This story comes from our monthly magazine, on sale now. Highlights of the issue: </p>"
           f"<ul class='box__list'>{headlines}</ul></div>")
    body = parse(f"<article><h1>Street trees plan approved</h1>{box}{PROSE}<ul>{documents}</ul></article>").body_text
    assert "Bus lanes" not in body and "Libraries open" not in body
    assert "The map of streets (PDF, 2 pages)" in body  # items that say more than their link are the text's


def test_a_table_layouts_text_cell_with_an_empty_slot_is_still_the_text() -> None:
    # An old table CMS: the text is written between <br>s in a cell that also holds an empty video slot.
    text = "<br><br>".join(PARAGRAPHS)
    page = ("<table><tr><td class='menu'><a href='/'>Home</a><br><a href='/blog'>Blog</a></td>"
            f"<td class='message'><div id='video_slot' style='display:none'></div>{text}</td></tr>"
            "<tr><td colspan='2'>Comments: 0 | Free homepage builder | Copyright 2016</td></tr></table>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and PARAGRAPHS[2] in body
    assert "Copyright 2016" not in body and "|" not in body


def test_a_form_with_no_field_is_a_wrapper_round_the_text_not_a_form() -> None:
    # A CMS (VSB, common on Chinese university and government sites) wraps the text in a field-less <form>.
    page = ("<table><tr><td class='menu'><a href='/'>Home</a><br><a href='/news'>News</a></td>"
            f"<td><form name='_newscontent_fromname'><div id='vsb_content'>{PROSE}</div>"
            "<input type='hidden' name='id' value='42'></form></td></tr>"
            "<tr><td colspan='2'>Visits: 2168 | Copyright 2018 the council's discipline office</td></tr></table>"
            "<form action='/search'><p>Search the site for news, decisions and council meetings of the year.</p>"
            "<input type='text' name='q'><button>Search</button></form>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and PARAGRAPHS[2] in body
    assert "Search the site" not in body  # a form with a field to fill in is still chrome
    assert "Copyright 2018" not in body and "|" not in body


def test_a_layout_cell_of_two_links_is_a_menu_but_a_table_cell_with_one_link_is_data() -> None:
    table = ("<table class='data'><tr><th>Document</th><th>Signed</th></tr>"
             "<tr><td><a href='/docs/decision.pdf'>Decision on street trees</a></td><td>3 May</td></tr></table>")
    page = ("<table><tr><td><table><tr><td class='top'><a href='/fav'>Add to favourites</a> | <a href='/home'>Set as "
            f"home page</a> | About us</td></tr></table>{PROSE}{table}</td></tr></table>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and "Decision on street trees" in body
    assert "Add to favourites" not in body


def test_a_script_inside_a_paragraph_weighs_nothing_as_prose() -> None:
    # A pager written by a script inside a <p> (Shanxi's government site): its code has dots and semicolons.
    code = ("// Write the pager. Skip the current page. function page(n){ if(n == null || n <= 1){ return; } "
            "document.write('<a href=\"p' + n + '.html\">' + n + '</a>'); } ") * 12
    links = "".join(f"<li><a href='/p{n}.html'>Page number {n} of the archive of news</a></li>" for n in range(10))
    page = (f"<div class='list-wrap'><div class='page-box'><p class='hide'><script>{code}</script></p></div>"
            f"<ul class='pages'>{links}</ul></div><div class='article-body'><div class='editor'>{PROSE}</div></div>")
    used = generic.counters["trafilatura_used"]
    release = parse(f"<h1>Street trees plan approved</h1>{page}")
    assert PARAGRAPHS[0] in release.body_text and PARAGRAPHS[2] in release.body_text
    assert generic.counters["trafilatura_used"] == used  # found by the density count, not by the second opinion


ZH = ["新京报快讯（记者裴剑飞）今日有网友爆料，有六十万个账号和四百一十万条联系人数据在暗网低价出售。",
      "今晚，中国铁路总公司通过官方微博发布辟谣消息称：网传信息不实，铁路网站未发生用户信息泄漏。",
      "铁路部门提醒广大旅客，请通过官方网站和客户端购票，避免非正常渠道购票带来的个人信息泄露风险。"]


def test_short_chinese_paragraphs_ending_with_a_full_stop_are_prose() -> None:
    side = "".join(f"<li>股市快评：今日两市指数高开低走，板块红盘居多，个股表现分化 {n}</li>" for n in range(6))
    page = (f"<div class='side'><ul>{side}</ul></div>"
            f"<div class='article' id='artibody'>{''.join(f'<p>{p}</p>' for p in ZH)}</div>")
    doc = (f"<!doctype html><html lang='zh'><head><title>账号外泄？铁路总公司辟谣</title></head><body>"
           f"<h1>账号外泄？铁路总公司辟谣</h1>{page}</body></html>")
    used = generic.counters["trafilatura_used"]
    body = generic.parse(doc.encode(), "https://news.example.cn/a.html", ParseContext()).body_text
    assert ZH[0] in body and ZH[2] in body
    assert "股市快评" not in body
    assert generic.counters["trafilatura_used"] == used  # found by the density count, not by the second opinion


def test_a_short_paragraph_of_prose_between_the_texts_blocks_stays() -> None:
    bullets = "".join(f"<li>{p}</li>" for p in PARAGRAPHS)
    text = (f"<p>{PARAGRAPHS[0]} {PARAGRAPHS[1]}</p><p>Some of the other numbers in the plan include:</p><ul>{bullets}</ul>"
            "<p>The lesson, as always: plant early.</p>")
    page = f"<div id='content'><h1>Street trees plan approved</h1><div class='ad'>Advertisement</div>{text}</div>"
    body = parse(page).body_text
    assert "The lesson, as always: plant early." in body


def test_a_comments_closed_notice_classed_nocomments_is_chrome() -> None:
    page = f"<article><h1>Street trees plan approved</h1>{PROSE}<p class='nocomments'>Comments are closed.</p></article>"
    assert "Comments are closed" not in parse(page).body_text


def test_a_drupal_field_whose_label_is_hidden_is_not_hidden_itself() -> None:
    # Drupal writes "field--label-hidden" (its label is hidden) and "field--type-text-with-summary" (a body field's
    # type) on the field that holds the text: neither makes it chrome, nor a summary to keep apart as the lead.
    field = (f"<div class='field field--name-body field--type-text-with-summary field--label-hidden field--item'>"
             f"{PROSE}</div>")
    page = (f"<div class='region'><h1>Street trees plan approved</h1>{field}</div>"
            "<div class='sidebar'><p>Other news: the bus lane opens, the library is open on Sundays.</p></div>")
    used = generic.counters["trafilatura_used"]
    release = parse(page)
    assert release.lead is None
    assert PARAGRAPHS[0] in release.body_text and PARAGRAPHS[2] in release.body_text
    assert generic.counters["trafilatura_used"] == used  # found by the density count, not by the second opinion
    # A block that is itself hidden still is: "visually-hidden", "hidden" alone.
    hidden = parse(f"<article><h1>Street trees plan approved</h1>{PROSE}<p class='visually-hidden'>Skip to the menu, "
                   "the search and the site's other pages.</p></article>")
    assert "Skip to the menu" not in hidden.body_text


def test_chinese_sentences_split_at_full_width_marks() -> None:
    from govpress.parsers.text import sentences

    assert sentences("今日有网友爆料。今晚，公司发布消息称：“网传信息不实。”铁路部门提醒旅客！是吗？是的") == [
        "今日有网友爆料。", "今晚，公司发布消息称：“网传信息不实。”", "铁路部门提醒旅客！", "是吗？", "是的"]
    assert sentences("Mr. Smith met Dr. Jones. He left.") == ["Mr. Smith met Dr. Jones.", "He left."]


def test_a_block_named_as_the_articles_text_is_the_text_whatever_layout_word_it_also_carries() -> None:
    # The Verge: "l-sidebar-fixed l-article-body-segment"; Threatpost: "c-fixed-sidebar-layout--140--left@lg".
    used = generic.counters["trafilatura_used"]
    verge = parse(f"<h1>Street trees plan approved</h1><div class='l-sidebar-fixed l-article-body-segment'>{PROSE}</div>"
                  "<div class='sidebar'><p>Most read: the bus lane, the library, the budget debate of the autumn.</p></div>")
    layout = parse(f"<h1>Street trees plan approved</h1><div class='o-row c-fixed-sidebar-layout--140--left@lg'>"
                   f"<div class='o-col'>{PROSE}</div></div>")
    for release in (verge, layout):
        assert PARAGRAPHS[0] in release.body_text and PARAGRAPHS[2] in release.body_text
    assert "Most read" not in verge.body_text
    assert generic.counters["trafilatura_used"] == used  # found by the density count, not by the second opinion
    # A sidebar is still chrome, and so is a share bar named after the text ("news-detail-share", Bitrix).
    bar = parse(f"<div class='news-detail'><h1>Street trees plan approved</h1>{PROSE}"
                "<div class='news-detail-share'>Share this news</div></div>")
    assert "Share this news" not in bar.body_text


def test_a_share_zone_round_the_whole_text_is_the_text_but_a_share_bar_is_not() -> None:
    # France Culture wraps its text in "share-zone" (share a quote), ifeng in "js_img_share_area".
    used = generic.counters["trafilatura_used"]
    more = ("<p>The first streets to be planted are those around schools and hospitals, where the council measured the "
            "highest temperatures last summer.</p><p>Each tree will be chosen for its street: small trees under power "
            "lines, wide ones in parks and squares, and native species wherever the soil allows them.</p>")
    page = (f"<main><h1>Street trees plan approved</h1><div class='share-zone'>{PROSE}{more}</div>"
            "<div class='share-bar'><a href='/s/f'>Share on Facebook</a> <a href='/s/t'>Share on X</a> "
            "<p>Share this page with your friends and neighbours today.</p></div></main>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and PARAGRAPHS[2] in body
    assert "Share this page" not in body
    assert generic.counters["trafilatura_used"] == used


def test_the_markups_indentation_before_a_headlines_colon_is_no_space() -> None:
    heading = ("<h2 class='headline'>\n\t\t<span class='emphasis'>Street trees</span>\n\t\t<span class='o-VisuallyHidden'>: "
               "</span>\n\t\t<span class='text'>plan approved for five years</span>\n\t</h2>")
    assert parse(f"<article>{heading}{PROSE}</article>").title == "Street trees: plan approved for five years"
    # A space typed before the colon (French typography) is the writer's and stays.
    french = parse(f"<article><h1>Arbres de rue : le plan est adopté</h1>{PROSE}</article>")
    assert french.title == "Arbres de rue : le plan est adopté"


def test_a_section_whose_modifier_says_it_carries_ads_is_the_text() -> None:
    # chip.de: "TestReport__Section--Ads" is a section of the report with ads placed between its paragraphs.
    used = generic.counters["trafilatura_used"]
    page = (f"<article><h1>Street trees plan approved</h1><section class='Report__Section Report__Section--Ads'>{PROSE}"
            "<div class='ad'>Advertisement: garden centre sale</div></section></article>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and "garden centre" not in body
    assert generic.counters["trafilatura_used"] == used
    # A chrome block keeps its verdict whatever its modifier says.
    assert "Most read" not in parse(f"<article><h1>Street trees plan approved</h1>{PROSE}<div class='sidebar--ads'>"
                                    "<p>Most read this week: the bus lane, the library, the budget.</p></div></article>").body_text


def test_a_teaser_cards_excerpt_marked_as_article_body_does_not_stand_for_the_text() -> None:
    # Stack Overflow's blog marks a related post's excerpt itemprop="articleBody"; the article itself carries none.
    more = "".join(f"<p>{p} The council will report on the plan every year.</p>" for p in PARAGRAPHS)
    card = ("<div class='card'><h3><a href='/other'>Bus lanes</a></h3><div itemprop='articleBody'>The bus lane on the "
            "river road opens in spring. Buses will run every ten minutes.</div></div>")
    used = generic.counters["trafilatura_used"]
    body = parse(f"<article><h1>Street trees plan approved</h1>{PROSE}{more}</article><aside>{card}</aside>").body_text
    assert PARAGRAPHS[0] in body and "bus lane" not in body
    assert generic.counters["trafilatura_used"] == used
    # A short article whose own block is marked articleBody keeps that block.
    own = parse(f"<h1>Street trees plan approved</h1><div itemprop='articleBody'>{PROSE}</div>"
                "<div class='teasers'><p>Other news: the bus lane opens in spring after two years of works.</p></div>")
    assert PARAGRAPHS[2] in own.body_text and "Other news" not in own.body_text


def test_a_closing_category_line_is_chrome_in_the_singular_too() -> None:
    for line in ("Category: Blog Popular", "Рубрика: Новости", "Kategorie: Umwelt, Stadt"):
        body = parse(f"<article><h1>Street trees plan approved</h1>{PROSE}<p>{line}</p></article>").body_text
        assert PARAGRAPHS[2] in body and line not in body, line
    # A sentence that starts with the word is text.
    kept = parse(f"<article><h1>Street trees plan approved</h1>{PROSE}<p>Category: the council ranks the plan "
                 "first among its projects. It will be reviewed in a year.</p></article>").body_text
    assert "ranks the plan first" in kept


def test_the_headline_again_with_a_word_before_it_does_not_open_the_text() -> None:
    body = parse(f"<article><h1>Street trees plan approved</h1><div><p>VIDEO: Street trees plan approved</p>{PROSE}</div>"
                 "</article>").body_text
    assert body.startswith(PARAGRAPHS[0])
    # An opening sentence that says more than the headline is the text's.
    said = parse(f"<article><h1>Street trees plan approved</h1><p>Street trees plan approved by the council on Monday "
                 f"evening after a long debate.</p>{PROSE}</article>").body_text
    assert said.startswith("Street trees plan approved by the council")


def test_a_block_named_sidebar_that_holds_paragraphs_of_prose_is_the_texts_column() -> None:
    # WordPress themes: "sidebar_content" is the column beside "sidebar_wrapper", the sidebar itself.
    more = "".join(f"<p>{p} The council will report on the plan every year.</p>" for p in PARAGRAPHS)
    used = generic.counters["trafilatura_used"]
    page = (f"<div class='sidebar_content'><h2>Street trees plan approved</h2>{more}</div>"
            "<div class='sidebar_wrapper'><ul><li><a href='/a'>Latest news</a></li><li><a href='/b'>Archive</a></li></ul>"
            "<p>Follow the council on its channels for news about the city.</p></div>")
    body = parse(page).body_text
    assert PARAGRAPHS[0] in body and "Follow the council" not in body
    assert generic.counters["trafilatura_used"] == used
    # A sidebar with a short note is still chrome.
    note = parse(f"<article><h1>Street trees plan approved</h1>{PROSE}</article><div class='sidebar'><p>About us: the "
                 "council's press office publishes its news here every weekday, in three languages.</p></div>")
    assert "About us" not in note.body_text


def test_angle_quotes_separate_a_titles_site_name() -> None:
    from govpress.parsers.html.titles import strip_site_name

    assert strip_site_name("Street trees plan approved ‹ City Council", ["City Council"]) == "Street trees plan approved"
    assert strip_site_name("City Council › Street trees plan approved", ["City Council"]) == "Street trees plan approved"



def test_the_short_names_chinese_cmss_give_the_text_block_name_it_as_the_text() -> None:
    # stcn.com's "txt_con", mingridapan's "page_art_content": a short pick named so is the brief itself, not a banner
    # picked on a page whose markup hid the article, so it is stored rather than refused.
    from govpress.parsers.html.tree import parse_html_text

    root = parse_html_text("<div class='txt_con'>a</div><div class='page_art_content'>b</div><div class='start-content'>c"
                           "</div><div class='chart_container'>d</div><div class='news-block'>e</div>")
    named = {div.text: generic._names_article_text(div) for div in root.iter("div")}
    assert named == {"a": True, "b": True, "c": False, "d": False, "e": False}
