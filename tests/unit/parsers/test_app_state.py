"""Pages a script draws (parsers/html/state.py): a single-page application sends an empty ``<div id="app">`` and the
article as data. The generic parser reads it from Next.js's ``__NEXT_DATA__``, another JSON script, or an object
assigned in a script (JSON or a JavaScript literal), only when the markup gives no article. Pages written here in
the shapes these frameworks emit."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from govpress.parsers import ParseContext, ParseError, parse

TEXT = ["Премьер-министр Азербайджанской Республики прибыл в Минск с официальным визитом, который продлится два дня.",
        "Переговоры сначала прошли в узком формате, а затем продолжились в расширенном составе делегаций.",
        "Стороны обсудили торговлю, промышленную кооперацию, логистику и совместные проекты в сельском хозяйстве."]
TITLE = "Премьер-министр Азербайджана прибыл в Минск с официальным визитом"
URL = "https://gov.example/news/premier-visit"


def shell(scripts: str, title: str = "Правительство Республики", app: str = '<div id="app"></div>') -> bytes:
    return (f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body>{app}{scripts}<script src="/js/app.js"></script></body></html>').encode()


def next_data(news: dict) -> str:
    data = {"props": {"pageProps": {"news": news, "menu": [{"title": "Главная", "url": "/"}],
                                    "latest": [{"title": "Совещание по вопросам экономики", "id": 2}]}},
            "page": "/news/[slug]", "query": {"slug": "premier-visit"}, "buildId": "b1"}
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data, ensure_ascii=False)}</script>'


def test_a_next_js_page_is_read_from_its_data():
    news = {"id": 4521, "title": TITLE, "description": "Переговоры прошли в узком и расширенном составе.",
            "content": "".join(f"<p>{p}</p>" for p in TEXT), "publishedAt": "2024-10-02T14:30:00+03:00"}
    release = parse(shell(next_data(news), app='<div id="__next"><div class="loader">Загрузка...</div></div>'), URL,
                    ParseContext(languages=["ru"]))
    assert release.title == TITLE
    assert release.body_text == "\n\n".join(TEXT)
    assert release.lead == "Переговоры прошли в узком и расширенном составе."
    assert release.published_at.isoformat() == "2024-10-02T14:30:00+03:00"


def test_an_initial_state_assigned_in_a_script_is_read():
    state = {"news": {"item": {"header": TITLE, "body": "\n\n".join(TEXT), "date": "02.10.2024 11:00"}}, "ui": {"lang": "ru"}}
    page = shell(f"<script>window.__INITIAL_STATE__ = {json.dumps(state, ensure_ascii=False)};</script>")
    release = parse(page, URL, ParseContext(languages=["ru"], timezone="Europe/Minsk"))
    assert (release.title, release.body_text) == (TITLE, "\n\n".join(TEXT))
    assert release.published_at == datetime(2024, 10, 2, 8, 0, tzinfo=timezone.utc)


def test_a_javascript_object_literal_and_a_wordpress_style_record_with_an_epoch_date():
    body = "".join(f"<p>{p}</p>" for p in TEXT).replace("'", "\\'")
    literal = (f"var pageData = {{post: {{title: {{rendered: '{TITLE}'}}, content: {{rendered: '{body}'}}, "
               f"date: 1727868600000, }}, }};")  # unquoted keys, single quotes, trailing commas, milliseconds
    release = parse(shell(f"<script>{literal}</script>"), URL, ParseContext(languages=["ru"]))
    assert (release.title, release.body_text) == (TITLE, "\n\n".join(TEXT))
    assert release.published_at == datetime(2024, 10, 2, 11, 30, tzinfo=timezone.utc)


def test_a_page_whose_markup_holds_the_article_is_read_from_its_markup():
    # The same data beside a server-rendered article: the markup is what readers see, and it wins.
    markup = f"<article><h1>{TITLE}</h1>" + "".join(f"<p>{p} Это предложение есть только в разметке.</p>" for p in TEXT) + "</article>"
    news = {"title": "Другой заголовок из данных приложения", "content": "".join(f"<p>{p}</p>" for p in TEXT)}
    release = parse(shell(next_data(news), app=markup), URL, ParseContext(languages=["ru"]))
    assert release.title == TITLE and "только в разметке" in release.body_text


@pytest.mark.parametrize("scripts", [
    '<script type="application/json">{"menu": [{"title": "Главная", "url": "/"}], "lang": "ru"}</script>',
    '<script>window.__CONFIG__ = {"api": "/api", "title": "Правительство"};</script>',
    # an article's headline with a teaser only: no text to store
    '<script>window.__STATE__ = {"news": {"title": "' + TITLE + '", "text": "Короткий анонс."}};</script>',
    # JSON-LD is the metadata reader's, not an application's state
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "' + TITLE + '"}</script>',
])
def test_a_shell_without_an_article_in_its_data_stays_a_parse_error(scripts):
    with pytest.raises(ParseError):
        parse(shell(scripts), URL, ParseContext(languages=["ru"]))


def _contentful(paragraphs: list[str]) -> dict:
    return {"nodeType": "document", "data": {}, "content": [
        {"nodeType": "paragraph", "data": {}, "content": [{"nodeType": "text", "value": p, "marks": []}]} for p in paragraphs]}


@pytest.mark.parametrize("body", [
    # Strapi's blocks: paragraphs of text spans and links
    [{"type": "paragraph", "children": [{"type": "text", "text": TEXT[0]}]},
     {"type": "paragraph", "children": [{"type": "text", "text": TEXT[1][:20]},
                                        {"type": "link", "url": "/x", "children": [{"type": "text", "text": TEXT[1][20:]}]}]},
     {"type": "paragraph", "children": [{"type": "text", "text": TEXT[2]}]}],
    # Contentful's rich text
    _contentful(TEXT),
    # Editor.js (inline markup in its text) and Draft.js
    {"time": 1, "version": "2.28", "blocks": [{"id": str(i), "type": "paragraph", "data": {"text": p.replace("Минск", "<b>Минск</b>")}}
                                             for i, p in enumerate(TEXT)]},
    {"entityMap": {}, "blocks": [{"key": str(i), "text": p, "type": "unstyled"} for i, p in enumerate(TEXT)]},
    # Sanity's Portable Text
    [{"_type": "block", "children": [{"_type": "span", "text": p[:30]}, {"_type": "span", "text": p[30:], "marks": ["strong"]}]}
     for p in TEXT],
], ids=["strapi", "contentful", "editorjs", "draftjs", "portable-text"])
def test_an_article_whose_text_is_a_rich_text_document_is_read_a_paragraph_a_block(body):
    news = {"title": TITLE, "body": body, "publishedAt": "2024-10-02T14:30:00+03:00"}
    release = parse(shell(next_data(news)), URL, ParseContext(languages=["ru"]))
    assert release.title == TITLE and release.body_text == "\n\n".join(TEXT)
