"""Soft 404s: a "page not found" template answered with 200 is told apart from a release, in every language we read."""

from __future__ import annotations

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
