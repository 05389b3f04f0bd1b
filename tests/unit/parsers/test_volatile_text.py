"""What a site rewrites at every visit is not the release's text: view and comment counters, the article's age
("3 часа назад"), and the latest headlines a CMS appends inside the article's own block. Kept, each recheck of an
unchanged release would hash differently and be stored as a new version (a false edit).

The rule line by line (govpress/parsers/text.py ``chrome_kind``: kinds "counter" and "age"), a number alone at the
body's edges (govpress/parsers/release.py), the trailing list of headlines in a block named as the article's text
(govpress/parsers/html/density.py ``trailing_link_lists``), and the property itself: two answers of one page that
differ only in these parse to one content hash. The pages are written here; the real pages' bodies are checked
unchanged by the text convention's tests and the benchmarks' external sets.
"""

from __future__ import annotations

import pytest

from govpress.dedupe.keys import content_hash
from govpress.parsers import ParseContext, parse
from govpress.parsers.release import Release, apply_text_convention
from govpress.parsers.text import chrome_kind, is_bare_count

COUNTERS = [
    "Просмотров: 1234", "Просмотров 1 234", "1234 просмотра", "Прочитано 123 раза", "Просмотры: 1,2 тыс.",
    "Праглядаў: 845", "Переглядів: 77", "Baxış sayı: 1520", "Baxılıb: 300", "Қаралды: 12", "Ko‘rildi: 540",
    "Views: 1,234", "1.2K views", "Viewed 15 times", "Hits: 99", "👁 1234", "👁️ 1 234", "Comments (5)", "0 comments",
    "Комментарии (3)", "Aufrufe: 88", "Vues : 120", "Visitas: 45", "Visualizações: 33", "Wyświetleń: 10",
    "Görüntülenme: 500", "阅读 1234", "浏览次数：88", "조회수 15", "1234 مشاهدة", "تعداد بازدید: 12", "Lượt xem: 9",
    "Dibaca 100 kali", "Просмотров: 1234 · 3 часа назад", "5 hours ago | 1,204 views",
]
AGES = [
    "3 часа назад", "Опубликовано 5 минут назад", "2 дня назад", "3 гадзіны таму", "5 хвилин тому", "2 saat əvvəl",
    "3 hours ago", "Updated 2 days ago", "a day ago", "5h ago", "vor 2 Stunden", "il y a 3 heures", "hace 2 días",
    "há 3 dias", "2 giorni fa", "3 godziny temu", "5 dakika önce", "3小时前", "2時間前", "3시간 전", "منذ 3 ساعات",
    # today and yesterday: read as the date against the fetch time where they head the article, and never its text
    "Сегодня, 14:30", "Вчера в 09:15", "Yesterday, 2:30 PM", "Heute", "Dünən, 12:30", "今天 14:30",
]
TEXT = [
    "Просмотр фильма состоится 5 октября в 18:00.", "The ministry views 2024 as a turning point for the reform.",
    "Два года назад стороны подписали соглашение о сотрудничестве.", "3 часа назад министр подписал указ о назначении.",
    "Visitas oficiales a 3 países están previstas para mayo.", "Comments on the draft are open until 15 October 2024.",
    "Hits to the budget were smaller than expected in 2024.", "Reads: the full statement is attached below.",
    "Число просмотров сайта выросло на 15%.", "Отчёт за 2024 год опубликован.", "Статья 5", "№ 1234",
    "Сегодня министр подписал указ.", "Today the ministry published its report.", "Hier", "Gestern und heute",
]


@pytest.mark.parametrize("line", COUNTERS)
def test_view_and_comment_counters_are_chrome(line):
    assert chrome_kind(line) == "counter"


@pytest.mark.parametrize("line", AGES)
def test_the_articles_age_is_chrome(line):
    assert chrome_kind(line) == "age"


@pytest.mark.parametrize("line", TEXT)
def test_sentences_with_counter_words_and_numbers_are_text(line):
    assert chrome_kind(line) is None


@pytest.mark.parametrize("line,bare", [
    ("1234", True), ("1 234", True), ("12,345", True), ("1.2K", True), ("👁 1234", True),
    ("02.10.2024", False), ("+375 17 200-00-00", False), ("17 222 22 22", False), ("1234 рубля", False), ("", False),
])
def test_a_number_alone(line, bare):
    assert is_bare_count(line) is bare


def _release(body: str) -> Release:
    return Release(url="https://gov.example/news/1", title="Визит в Минск", body_text=body, parser="generic",
                   parser_version="1")


def test_a_number_alone_at_either_end_of_the_body_goes_but_not_inside_it():
    first = "Премьер-министр прибыл в Минск с официальным визитом, который продлится два дня."
    second = "Стороны обсудили торговлю и промышленную кооперацию."
    release = apply_text_convention(_release(f"1234\n\n{first}\n\n2024\n\n{second}\n\n1 240"))
    assert release.body_text == f"{first}\n\n2024\n\n{second}"
    # A body that is a number and nothing else stays what it is: nothing is left to call the text.
    assert apply_text_convention(_release("2024")).body_text == "2024"


PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{title} — Министерство</title></head><body>
<header><nav><a href="/">Главная</a> <a href="/news/">Новости</a></nav></header>
<main><article><h1>{title}</h1>
<div class="article__meta"><time datetime="2024-10-02T14:30:00+03:00">2 октября 2024, 14:30</time>
<span class="views">{age} · Просмотров: {views}</span></div>
<div class="article-text" itemprop="articleBody">
<p>Премьер-министр Азербайджана прибыл в Минск с официальным визитом, который продлится два дня, сообщили в правительстве.</p>
<p>Переговоры сначала прошли в узком формате, а затем продолжились в расширенном составе делегаций обеих стран.</p>
<p>Стороны обсудили торговлю, промышленную кооперацию, логистику и совместные проекты в сельском хозяйстве.</p>
{attachments}
<div class="stat"><i class="icon-eye"></i> {hits}</div>
<p><strong>Читайте также:</strong></p>
<ul>{latest}</ul>
</div></article></main>
<footer>© 2024 Министерство</footer></body></html>"""
TITLE = "Премьер-министр Азербайджана прибыл в Минск"


def page(visit: int, attachments: str = "") -> bytes:
    latest = "".join(f'<li><a href="/news/{visit + i}/">Новость номер {visit + i}: совещание в министерстве финансов</a></li>'
                     for i in range(4))
    return PAGE.format(title=TITLE, age=f"{visit + 1} часа назад", views=1000 + 37 * visit, hits=2000 + visit,
                       latest=latest, attachments=attachments).encode()


def test_two_answers_that_differ_only_in_counters_ages_and_latest_headlines_are_one_version():
    url = "https://gov.example/news/2024/10/02/visit/"
    first, second = (parse(page(visit), url, ParseContext(languages=["ru"])) for visit in (1, 2))
    assert content_hash(first) == content_hash(second)
    text = "\n".join(filter(None, (first.subtitle, first.lead, first.body_text)))
    for volatile in ("Просмотров", "назад", "1037", "2001", "Новость номер", "Читайте также"):
        assert volatile not in text
    assert first.body_text.count("\n\n") == 2  # the three paragraphs of the release, nothing else


def test_a_list_of_the_releases_files_stays_in_its_text():
    files = ('<p>Документы:</p><ul><li><a href="/files/agreement.pdf">Соглашение о сотрудничестве</a></li>'
             '<li><a href="/files/roadmap.docx">Дорожная карта на 2025-2026 годы</a></li>'
             '<li><a href="/files/protocol.pdf">Протокол заседания межправкомиссии</a></li></ul>')
    release = parse(page(1, files), "https://gov.example/news/1/", ParseContext(languages=["ru"]))
    assert "Дорожная карта на 2025-2026 годы" in release.body_text


def test_a_list_of_links_the_text_goes_on_after_stays_in_it():
    body = """<!doctype html><html lang="en"><head><title>Minister opens the forum</title></head><body>
<article><h1>Minister opens the forum</h1><div itemprop="articleBody">
<p>The Minister opened the regional investment forum, which brought together more than 300 participants this year.</p>
<p>The forum's sessions are devoted to the following programmes:</p>
<ul><li><a href="/programmes/green">Green energy programme for regions</a></li>
<li><a href="/programmes/roads">Regional roads renewal programme</a></li>
<li><a href="/programmes/digital">Digital public services programme</a></li></ul>
<p>Applications for the programmes are open until the end of the year, the Ministry said in a statement today.</p>
</div></article></body></html>"""
    release = parse(body.encode(), "https://gov.example/news/2/", ParseContext(languages=["en"]))
    assert "Regional roads renewal programme" in release.body_text
    assert release.body_text.endswith("the Ministry said in a statement today.")


def test_a_list_under_a_see_also_label_goes_wherever_it_stands():
    body = """<!doctype html><html lang="de"><head><title>Ministerin eröffnet das Forum</title></head><body>
<article><h1>Ministerin eröffnet das Forum</h1><div class="article-text">
<p>Die Ministerin hat heute das regionale Investitionsforum eröffnet, an dem mehr als 300 Gäste teilnehmen.</p>
<p><strong>Lesen Sie auch:</strong></p>
<ul><li><a href="/news/1">Neue Förderprogramme für Regionen vorgestellt</a></li>
<li><a href="/news/2">Ministerin trifft Delegation aus Kasachstan</a></li>
<li><a href="/news/3">Haushalt 2025: Die wichtigsten Zahlen im Überblick</a></li></ul>
<p>Anträge für die Programme können bis zum Jahresende gestellt werden, teilte das Ministerium heute mit.</p>
</div></article></body></html>"""
    release = parse(body.encode(), "https://gov.example/news/3/", ParseContext(languages=["de"]))
    assert "Kasachstan" not in release.body_text and "Lesen Sie auch" not in release.body_text
    assert release.body_text.endswith("teilte das Ministerium heute mit.")
