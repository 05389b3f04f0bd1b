"""Soft 404s: a "page not found" template answered with 200 is told apart from a release, in every language we read."""

from __future__ import annotations

import re

import pytest

from govpress.parsers import NotFoundPage, ParseContext, parse
from govpress.parsers.notfound import ARTICLE_CHARS, not_found_reason

CHROME = ("<nav><a href='/'>Главная</a> <a href='/news/'>Новости</a> <a href='/about/'>О министерстве</a></nav>"
          "<footer><p>© 2024 Министерство. Все права защищены.</p></footer>")


def page(title: str, h1: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{CHROME}<main><h1>{h1}</h1>{body}</main></body></html>"


@pytest.mark.parametrize("title, h1", [
    ("Страница не найдена", ""),
    ("404 - Страница не найдена | Министерство финансов", ""),
    ("Министерство иностранных дел", "Ошибка 404. Страница не найдена"),
    ("Ошибка: страница не найдена", ""),
    ("Старонка не знойдзена — Міністэрства", ""),
    ("Сторінку не знайдено", ""),
    ("Бет табылмады", ""),
    ("Səhifə tapılmadı | Nazirlik", ""),
    ("Page not found - GOV.EXAMPLE", ""),
    ("Not Found", "Not Found"),
    ("Error 404", ""),
    ("Seite nicht gefunden - Bundesministerium", ""),
    ("Page introuvable", ""),
    ("Página no encontrada", ""),
    ("Nie znaleziono strony", ""),
    ("Ministry of Finance", "404"),
])
def test_not_found_templates_are_recognised(title: str, h1: str) -> None:
    reason = not_found_reason(page(title, h1, "<p>Проверьте адрес или перейдите на главную.</p>"))
    assert reason and reason.startswith("a not-found page answered with HTTP 200"), (title, h1)


@pytest.mark.parametrize("title, h1", [
    ("404 new schools opened in the regions", ""),
    ("Not found guilty: the court rules on the appeal", ""),
    ("Error", ""),  # a bare error page (a 5xx template) is not a missing page
    ("Ошибка", ""),
    ("Министерство финансов", "Бюджет на 2025 год принят"),
    ("Поиск ничего не нашёл? Новый портал открытых данных", ""),
])
def test_headlines_that_only_mention_errors_are_content(title: str, h1: str) -> None:
    assert not_found_reason(page(title, h1, "<p>Текст новости.</p>")) is None


def test_a_long_article_under_a_not_found_template_title_is_content() -> None:
    """A single-page app may carry a hidden 404 heading in every page: a long article is still an article."""
    prose = "".join(f"<p>Paragraph {i} of the minister's statement on the budget and the regions, in full.</p>"
                    for i in range(ARTICLE_CHARS // 60))
    assert not_found_reason(page("Page not found", "Page not found", prose)) is None


@pytest.mark.parametrize("parser, url", [("generic", "https://gov.example/news/1"),
                                         ("kremlin", "http://kremlin.ru/events/president/news/75000")])
def test_the_parsers_raise_not_found_page(parser: str, url: str) -> None:
    body = page("Страница не найдена — Министерство", "Страница не найдена",
                "<p>Запрашиваемая страница не существует или была удалена.</p>").encode()
    ctx = ParseContext(source_id="x", timezone="Europe/Moscow", languages=("ru",))
    with pytest.raises(NotFoundPage, match="Страница не найдена"):
        parse(body, url, parser=parser, ctx=ctx)


# The not-found verbs' stems as one regex alternation, as they were before ``_BLOCK_CUES`` (matched on lowercased text).
_FORMER_BLOCK_CUE = re.compile(
    r"found|find|exist|esiste|longer|moved|removed|deleted|withdrawn|archived|renamed|missing|gone|unavailable|"
    r"not (?:available|here)|найд|найти|существ|удал|перемещ|[аыи] (?:больше )?нет|отсутств|доступн|знойдз|існу|выдал|перамешч|няма|"
    r"знайд|видал|переміщ|немає|табыл|жой|жоқ|tapıl|tapil|mövcud|movcud|silin|köçür|yoxdur|bulunam|mevcut|kaldır|"
    r"gefunden|existiert|gelöscht|entfernt|verschoben|verfügbar|gibt es nicht|introuvable|trouv|supprim|déplac|retir|"
    r"disponible|encontr|eliminad|borrad|trasladad|movid|znalez|istnie|usunię|przeniesion|trovat|rimoss|spostat|"
    r"removida|excluída|nenalezen"
)


def test_block_cues_find_what_the_former_alternation_found() -> None:
    """``_has_block_cue`` (substrings) answers as the regex alternation did: every form of it, each with a letter
    cut out or changed, and random texts of the stems' letters (fails if a stem is dropped)."""
    import random

    from govpress.parsers.notfound import _BLOCK_CUES, _has_block_cue

    forms = [f"{v} {w}нет" for v in "аыи" for w in ("", "больше ")] + ["not available", "not here"]
    forms += [f for f in _FORMER_BLOCK_CUE.pattern.split("|") if not set(f) & set("()[]")]
    assert all(_FORMER_BLOCK_CUE.fullmatch(f) for f in forms) and len(forms) == 79
    letters = sorted({c for cue in forms for c in cue} | set("xy.İ"))
    rng = random.Random(16)
    texts = list(forms)
    for form in forms:
        for i in range(len(form)):
            texts += [form[:i] + form[i + 1:], form[:i] + rng.choice(letters) + form[i + 1:]]
    def noise() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randrange(6)))

    texts += [noise() + rng.choice(texts) + noise() + rng.choice(texts)[rng.randrange(9):] for _ in range(20_000)]
    for text in texts:
        assert _has_block_cue(text) == (_FORMER_BLOCK_CUE.search(text) is not None), text
    assert len(set(_BLOCK_CUES)) == len(_BLOCK_CUES) and sum(map(_has_block_cue, texts)) > 2_000


_FORMER_WS = re.compile(r"\s+")
_FORMER_TAG = re.compile(r"<[^>]*>")


def _former_text(markup: str) -> str:
    import html

    return _FORMER_WS.sub(" ", html.unescape(_FORMER_TAG.sub(" ", markup))).strip()


def _former_phrase(text: str) -> str | None:
    from govpress.parsers import notfound

    if not text or len(text) > notfound.BLOCK_CHARS:
        return None
    has_separator = notfound._SEGMENT_CHAR.search(text)
    for segment in [text, *(notfound._SEGMENTS.split(text) if has_separator else (text,))]:
        segment = segment.strip()
        if segment and re.search(r"\w", segment) and notfound._NOT_FOUND.match(segment):
            return segment
    return None


def _made_titles(count: int, seed: int) -> list[str]:
    import random
    import sys

    from govpress.parsers import notfound

    rng = random.Random(seed)
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    words = [*notfound._PHRASES, "404", "Error 404", "Ошибка", "Министерство финансов", "News Agency", "Not found guilty",
             "404 new schools", "<b>Page</b> not found", "&nbsp;404&nbsp;", "&amp;", "<br/>", "ſorry", "İ", "PAGE NOT FOUND",
             "Nothing Found", "x", "", "_", "..."]
    separators = [" | ", " — ", " – ", " - ", ": ", " : ", "|", "—", "·", " • ", " / ", "/", "-", " :: ", "  ", " "]
    titles = []
    for _ in range(count):
        parts = [rng.choice(words) for _ in range(rng.randrange(1, 4))]
        title = ""
        for part in parts:
            title += rng.choice(separators) + part if title else part
        if rng.random() < 0.5:
            title = "".join(rng.choice(spaces) if c == " " and rng.random() < 0.3 else c for c in title)
        if rng.random() < 0.3:
            title = rng.choice(spaces) + title + rng.choice(spaces)
        titles.append(title)
    return titles


def test_the_title_phrase_check_answers_as_the_former_check_did() -> None:
    """``_text`` (a split and a join) and ``_not_found_phrase`` (each segment asked once, remembered) answer as the
    former ``_WS.sub``/``strip`` and the segment loop did: made titles of phrases, site names, separators, tags,
    entities and every whitespace character, asked twice (the second time from the memo)."""
    from govpress.parsers import notfound

    titles = _made_titles(6_000, 25)
    found = 0
    for _ in range(2):
        for title in titles:
            assert notfound._text(title) == _former_text(title), title
            text = _former_text(title)
            assert notfound._not_found_phrase(text) == _former_phrase(text), text
            assert notfound._not_found_phrase(title) == _former_phrase(title), title
            found += _former_phrase(text) is not None
    assert found > 1_000


class _Counting:
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern, self.asked = pattern, []

    def match(self, text: str):
        self.asked.append(text)
        return self.pattern.match(text)


def test_a_title_segment_is_matched_once_and_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text without a separator is one segment, matched once (it was matched twice: as the text and as its only
    segment); a site's name, a segment of every ``<title>`` of the source, is matched once for all of them."""
    from govpress.parsers import notfound

    getattr(notfound, "_PHRASE_SEGMENTS", {}).clear()
    counting = _Counting(notfound._NOT_FOUND)
    monkeypatch.setattr(notfound, "_NOT_FOUND", counting)
    assert notfound._not_found_phrase("Minister opens a school") is None
    assert counting.asked == ["Minister opens a school"]
    counting.asked.clear()
    for title in ("First headline | Ministry of Examples", "Second headline | Ministry of Examples",
                  "Second headline | Ministry of Examples"):
        assert notfound._not_found_phrase(title) is None
    assert counting.asked == ["First headline | Ministry of Examples", "First headline", "Ministry of Examples",
                              "Second headline | Ministry of Examples", "Second headline"]
    assert notfound._not_found_phrase("Page not found | Ministry of Examples") == "Page not found"


def test_the_main_area_walk_reads_held_verdicts_and_hidden_classes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Within ``verdicts_held``, once every element is judged the not-found walk asks ``is_boilerplate`` about none
    of them and finds the same main area; a class attribute's hidden verdict is read once per attribute."""
    from govpress.parsers import notfound
    from govpress.parsers.html.blocks import is_boilerplate, verdicts_held
    from govpress.parsers.html.tree import parse_html_text

    html = page("Ministry", "Headline", "<div class='hidden'>x</div><div class='text'><p>One</p><p>Two</p>"
                "<p class='text'><a href='/'>link</a> tail</p></div>" * 3)
    root = parse_html_text(html)
    expected = notfound._main_area(root, 10_000)
    with verdicts_held():
        for element in root.iter():
            is_boilerplate(element)
        asked = []
        monkeypatch.setattr(notfound, "is_boilerplate", lambda element: asked.append(element) or is_boilerplate(element))
        assert notfound._main_area(root, 10_000) == expected
        assert asked == []
    classes = []
    getattr(notfound, "_HIDDEN_CLASSES", {}).clear()
    for attribute in ("hidden", "text", "text", "d-none x", "Hidden", "a  b"):
        element = parse_html_text(f"<p class='{attribute}'>x</p>").find(".//p")
        classes.append(notfound._hidden(element))
    assert classes == [True, False, False, True, True, False]
    assert set(getattr(notfound, "_HIDDEN_CLASSES", {})) == {"hidden", "text", "d-none x", "Hidden", "a  b"}
