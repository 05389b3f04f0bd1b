"""Soft 404s: a page answered with HTTP 200 that says the page does not exist.

Many government CMSs (Bitrix, Joomla, Drupal themes, home-grown portals) answer a removed or
unknown address with status 200 and their "page not found" template, wrapped in the whole site's
navigation. Parsed as a release, that template would become a new version of a withdrawn release
titled "Страница не найдена". The parsers raise :class:`~govpress.parsers.release.NotFoundPage`
instead; the pipeline records a withdrawal for a release it holds and a parse failure otherwise.

The rule: the page's ``<title>`` or its first ``<h1>`` is, in full (one of its segments split on
``|``, dashes or colons, the others being the site's name), a not-found phrase of one of the
languages below, optionally with "404" or "error 404" around it. A real headline is never just
"Page not found", while "404 new schools opened" or "Not found guilty: ..." are not whole
phrases. A page with a long article in its paragraphs (:data:`ARTICLE_CHARS`) is content
whatever its title says: a hidden 404 template in every page of a single-page app must not
withdraw the page that carries it.
"""

from __future__ import annotations

import html
import re

ARTICLE_CHARS = 2500
"""Characters of paragraph text (``<p>``) from which a page is an article, whatever its title says."""
SCAN_BYTES = 400_000
"""How much of the markup is searched: titles and headings come early; a page is bounded by the fetcher."""

_PHRASES = (
    # en
    "page not found", "not found", "file not found", "document not found", "page cannot be found",
    "the page cannot be found", "the page you requested could not be found", "the requested page could not be found",
    "the page you are looking for does not exist", "this page does not exist", "page does not exist",
    "sorry, page not found", "oops! page not found", "nothing found",
    # ru
    "страница не найдена", "страница не существует", "такой страницы не существует", "документ не найден",
    "запрашиваемая страница не найдена", "запрашиваемая страница не существует", "ничего не найдено",
    "материал не найден", "новость не найдена", "страница удалена",
    # be
    "старонка не знойдзена", "старонка не існуе", "старонку не знойдзена",
    # uk
    "сторінку не знайдено", "сторінка не знайдена", "сторінка не існує",
    # kk
    "бет табылмады", "парақ табылмады",
    # az
    "səhifə tapılmadı", "səhifə mövcud deyil", "sehife tapilmadi",
    # de, fr, es, pl, it, pt, tr, cs
    "seite nicht gefunden", "die seite wurde nicht gefunden", "page introuvable", "page non trouvée",
    "página no encontrada", "pagina no encontrada", "nie znaleziono strony", "strona nie została znaleziona",
    "pagina non trovata", "página não encontrada", "sayfa bulunamadı", "stránka nenalezena",
)
_ERROR = r"(?:http\s*)?(?:error|ошибка|памылка|помилка|қате|xəta|fehler|erreur|błąd|errore|erro|hata|chyba)"
_PHRASE = "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True))
# A segment that is the phrase or a 404, each optionally with the other and an "error" word around
# ("404 - Page not found", "Page not found (404)", "Ошибка: страница не найдена", "Error 404"); a
# bare "Error" is not one (a 5xx template, or a headline about an error).
_NOT_FOUND = re.compile(
    rf"^[\s\W]*(?:{_ERROR}[\s\W]*)?(?:(?:404[\s\W]*)?(?:{_PHRASE})|404)[\s\W]*(?:404)?[\s\W]*$", re.I)
_SEGMENTS = re.compile(r"\s+[|–—:\-·•/]\s+|\s*[|–—·•]\s*")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1", re.I | re.S)
_P = re.compile(r"<p\b[^>]*>(.*?)</p", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")


def _text(markup: str) -> str:
    return _WS.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


def _not_found_phrase(text: str) -> str | None:
    """The segment of ``text`` that is wholly a not-found phrase (or a bare 404), else None."""
    if not text or len(text) > 300:
        return None
    for segment in [text, *_SEGMENTS.split(text)]:
        segment = segment.strip()
        if segment and re.search(r"\w", segment) and _NOT_FOUND.match(segment):
            return segment
    return None


def not_found_reason(text: str) -> str | None:
    """Why this HTML page is a "page not found" template, or None when it may be content (``text``: decoded markup)."""
    head = text[:SCAN_BYTES]
    title = _TITLE.search(head)
    h1 = _H1.search(head)
    evidence = None
    for where, match in (("<title>", title), ("<h1>", h1)):
        if match and (phrase := _not_found_phrase(_text(match.group(1)))):
            evidence = f"{where} {phrase!r}"
            break
    if evidence is None:
        return None
    prose = sum(len(_text(p)) for p in _P.findall(head))
    if prose >= ARTICLE_CHARS:
        return None
    return f"a not-found page answered with HTTP 200 ({evidence})"
