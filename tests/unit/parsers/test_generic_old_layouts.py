"""Old government sites: table layouts, ``<font>`` and ``<br>``, no ``<h1>`` or any heading, a ``<title>`` that names
the ministry. The headline is a bold or large line, the date a line of its own above or below it, the paragraphs
``<br><br>`` apart, a "back to the news" link closing the text. Pages written here in the shapes such sites take
(Turkmen, Azerbaijani, Russian and English ministries): the generic parser reads each as a reader would.
"""

from __future__ import annotations

from datetime import date

import pytest

from govpress.parsers import ParseContext, parse
from govpress.parsers.html.blocks import block_paragraphs
from govpress.parsers.text import chrome_kind
from lxml import html as lxml_html

TABLE_LAYOUT_RU = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>Министерство иностранных дел Туркменистана</title></head>
<body bgcolor="#ffffff">
<table width="100%" border="0" cellpadding="0" cellspacing="0">
<tr><td colspan="2"><img src="/img/logo.gif" alt="МИД"><font size="4"><b>Министерство иностранных дел Туркменистана</b></font></td></tr>
<tr><td width="200" valign="top" bgcolor="#eeeeee">
<a href="/">Главная</a><br><a href="/news">Новости</a><br><a href="/about">О министерстве</a><br><a href="/contacts">Контакты</a><br>
<a href="/docs">Документы</a><br><a href="/visa">Визовые вопросы</a><br><a href="/embassies">Посольства</a><br>
</td>
<td valign="top">
<font face="Arial" size="2" color="#666666">02.10.2024</font><br>
<font face="Arial" size="3"><b>Состоялись переговоры министров иностранных дел Туркменистана и Азербайджана</b></font><br><br>
<font face="Arial" size="2">2 октября 2024 года в Ашхабаде состоялись переговоры Министра иностранных дел Туркменистана с Министром иностранных дел Азербайджанской Республики, прибывшим в страну с рабочим визитом.<br><br>
В ходе встречи стороны обсудили широкий круг вопросов двустороннего сотрудничества, включая торгово-экономические связи, энергетику и транспорт.<br><br>
Особое внимание было уделено реализации договорённостей, достигнутых на высшем уровне, а также подготовке к предстоящим визитам.<br><br>
По итогам переговоров был подписан план консультаций между министерствами иностранных дел двух стран на 2025-2026 годы.</font>
<br><br><a href="/news">« Назад к новостям</a>
</td></tr>
<tr><td colspan="2" align="center"><font size="1">© 2024 МИД Туркменистана. Все права защищены.</font></td></tr>
</table></body></html>"""

DIV_LAYOUT_EN = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"><html><head><title>Ministry of Foreign Affairs of the Republic of Examplestan</title>
<link rel="stylesheet" href="/css/main.css"></head><body>
<div id="header"><a href="/"><img src="/img/emblem.png" alt=""></a><a href="/">Ministry of Foreign Affairs of the Republic of Examplestan</a></div>
<div id="menu"><a href="/">Home</a> | <a href="/news/">News</a> | <a href="/ministry/">The Ministry</a> | <a href="/consular/">Consular services</a></div>
<div id="content">
<p class="newstitle">Foreign Minister meets the Ambassador of Japan</p>
<span class="date">October 2, 2024</span>
<p>On October 2, 2024, the Minister of Foreign Affairs received the newly appointed Ambassador of Japan, who presented copies of his credentials.</p>
<p>The Minister congratulated the Ambassador on his appointment and wished him success in his diplomatic mission, noting the steady development of relations.</p>
<p>The sides discussed the agenda of bilateral cooperation, including trade, investment, education and culture, and the schedule of upcoming political consultations.</p>
<p><a href="/news/">Back to news</a></p>
</div>
<div id="footer">Copyright 2024 Ministry of Foreign Affairs. All rights reserved.</div>
</body></html>"""

NESTED_TABLES_AZ = """<html><head><meta charset="utf-8"><title>Xarici İşlər Nazirliyi</title></head><body>
<table width="980" align="center"><tr><td><table width="100%"><tr><td class="logo"><b>AZƏRBAYCAN RESPUBLİKASI XARİCİ İŞLƏR NAZİRLİYİ</b></td></tr></table></td></tr>
<tr><td><table width="100%"><tr>
<td width="180" valign="top" class="left"><a href="/az">Ana səhifə</a><br><a href="/az/news">Xəbərlər</a><br><a href="/az/contact">Əlaqə</a></td>
<td valign="top" class="main">
<span class="zag">Azərbaycan və Belarus xarici işlər nazirləri arasında görüş keçirilib</span><br>
<span class="tarix">02 oktyabr 2024</span><br><br>
2 oktyabr 2024-cü il tarixində Minsk şəhərində Azərbaycan Respublikasının xarici işlər naziri Belarus Respublikasının xarici işlər naziri ilə görüşüb.<br><br>
Görüşdə ikitərəfli əməkdaşlığın geniş spektri, o cümlədən ticarət-iqtisadi, humanitar və nəqliyyat sahələrində əlaqələrin inkişafı müzakirə edilib.<br><br>
Tərəflər yüksək səviyyədə əldə olunmuş razılaşmaların icrasının vəziyyətini nəzərdən keçiriblər və gələcək addımları müəyyənləşdiriblər.<br><br>
<a href="/az/news">Geri</a>
</td></tr></table></td></tr>
<tr><td align="center"><font size="1">© 2024 Xarici İşlər Nazirliyi</font></td></tr></table>
</body></html>"""

SECTION_TITLE_RU = """<html><head><meta charset="utf-8"><title>Новости</title></head><body>
<div class="top"><img src="/logo.gif"> Министерство экономики</div>
<div class="text">
<b>Министр экономики провёл совещание по вопросам развития малого бизнеса в регионах</b><br>
15.03.2024<br><br>
Сегодня в министерстве прошло совещание, посвящённое мерам поддержки малого и среднего бизнеса в регионах страны.<br>
Участники обсудили доступ предпринимателей к кредитам, налоговые льготы и упрощение отчётности.<br><br>
По итогам совещания даны поручения подготовить предложения к концу месяца.
</div></body></html>"""

HEADLINE_IS_TITLE_RU = """<html><head><meta charset="utf-8"><title>Президент подписал указ о поддержке сельского хозяйства</title></head><body>
<div class="top">Официальный сайт</div>
<div class="text">
<b>Президент подписал указ о поддержке сельского хозяйства</b><br>
<b>Указ предусматривает льготные кредиты для фермерских хозяйств и субсидии на технику.</b><br><br>
Документ вступает в силу со дня официального опубликования и действует до конца 2026 года, сообщили в администрации.<br>
Ранее правительство подготовило проект программы развития агропромышленного комплекса на пять лет.
</div></body></html>"""


CASES = [
    # page, headline, date, the body's first words, its last words
    (TABLE_LAYOUT_RU, "Состоялись переговоры министров иностранных дел Туркменистана и Азербайджана", date(2024, 10, 2),
     "2 октября 2024 года в Ашхабаде", "на 2025-2026 годы."),
    (DIV_LAYOUT_EN, "Foreign Minister meets the Ambassador of Japan", date(2024, 10, 2),
     "On October 2, 2024, the Minister", "upcoming political consultations."),
    (NESTED_TABLES_AZ, "Azərbaycan və Belarus xarici işlər nazirləri arasında görüş keçirilib", date(2024, 10, 2),
     "2 oktyabr 2024-cü il tarixində", "gələcək addımları müəyyənləşdiriblər."),
    (SECTION_TITLE_RU, "Министр экономики провёл совещание по вопросам развития малого бизнеса в регионах", date(2024, 3, 15),
     "Сегодня в министерстве прошло совещание", "подготовить предложения к концу месяца."),
    (HEADLINE_IS_TITLE_RU, "Президент подписал указ о поддержке сельского хозяйства", None,
     "Указ предусматривает льготные кредиты", "агропромышленного комплекса на пять лет."),
]


@pytest.mark.parametrize("page,headline,day,opening,closing", CASES, ids=[
    "table-layout-ru", "div-layout-en", "nested-tables-az", "section-title-ru", "headline-is-title-ru"])
def test_an_old_layout_reads_as_a_reader_sees_it(page, headline, day, opening, closing):
    release = parse(page.encode(), "https://mfa.gov.example/news/4521", ParseContext())
    assert release.title == headline
    assert (release.published_at.date() if release.published_at else None) == day
    assert release.body_text.startswith(opening) and release.body_text.endswith(closing)
    assert headline not in release.body_text  # the headline is the title, not the body's first line
    for chrome in ("Назад", "Back to news", "Geri", "©", "Copyright"):
        assert chrome not in release.body_text


def test_a_title_that_heads_the_text_stays_the_headline():
    # The <title>'s words shown as the bold line the text follows: they are the headline, whatever other bold line.
    page = HEADLINE_IS_TITLE_RU.replace("<b>Указ предусматривает", "<b>Указ, подписанный сегодня, предусматривает")
    release = parse(page.encode(), "https://gov.example/news/1", ParseContext())
    assert release.title == "Президент подписал указ о поддержке сельского хозяйства"


@pytest.mark.parametrize("markup,lines", [
    ("<td>Главная<br>Новости<br>02.10.2024<br><b>Переговоры министров</b></td>",
     ["Главная\nНовости", "02.10.2024", "Переговоры министров"]),
    ("<td><b>Переговоры министров</b><br>2 октября 2024, 14:30<br>Текст новости.</td>",
     ["Переговоры министров", "2 октября 2024, 14:30", "Текст новости."]),
    ("<td>Первая строка абзаца<br>продолжается здесь 2 октября 2024 года.</td>",
     ["Первая строка абзаца\nпродолжается здесь 2 октября 2024 года."]),
])
def test_a_date_alone_on_a_line_is_a_line_of_its_own(markup, lines):
    assert block_paragraphs(lxml_html.fromstring(f"<table><tr>{markup}</tr></table>").find(".//td")) == lines


@pytest.mark.parametrize("line,kind", [
    ("« Назад к новостям", "back"), ("Назад", "back"), ("Вернуться к списку новостей", "back"), ("← Back", "back"),
    ("Back to news", "back"), ("Zurück zur Übersicht", "back"), ("Retour à la liste", "back"), ("Geri", "back"),
    ("Back to school campaign starts in May", None), ("Назад в будущее: выставка открылась в Минске", None),
    ("Return of the delegation is planned for Friday.", None),
])
def test_the_link_back_to_the_list(line, kind):
    assert chrome_kind(line) == kind
