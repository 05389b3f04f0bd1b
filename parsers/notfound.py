"""Soft 404s: a page answered with HTTP 200 that says the page does not exist.

Many government CMSs (Bitrix, Joomla, Drupal themes, WordPress, home-grown portals) answer a
removed or unknown address with status 200 and their "page not found" template, wrapped in the
whole site's navigation. Parsed as a release, that template would become a new version of a
withdrawn release titled "Страница не найдена". The parsers raise
:class:`~govpress.parsers.release.NotFoundPage` instead; the pipeline records a withdrawal for a
release it holds and a parse failure otherwise. A false positive records a withdrawal of a live
release, so every rule below asks for the page to have (almost) no article of its own.

The rules, the first that holds:

1. **Title or headline.** The page's ``<title>`` or its first ``<h1>`` is, in full (one of its
   segments split on ``|``, dashes or colons, the others being the site's name), a not-found
   phrase of one of the languages below, optionally with "404" or "error 404" around it. A real
   headline is never just "Page not found", while "404 new schools opened" or "Not found guilty:
   ..." are not whole phrases. Guard: the page's paragraphs (``<p>``) hold fewer than
   :data:`ARTICLE_CHARS` characters.
2. **CMS markers of the whole page**: WordPress ``<body class="error404">`` and the
   ``page-404``/``error-404``/``not-found`` classes or ids other themes put on ``<html>`` or
   ``<body>``, ``<meta name="prerender-status-code" content="404">``, a canonical link or
   ``og:url`` whose path is ``/404`` (``/404.html``, ``/404/``, ``/error404``...). Guard: the
   page's article text (below) is shorter than :data:`ARTICLE_CHARS` — a long article under a
   stray marker is content.
3. **Words in the main area**: a heading (``<h2>``..``<h6>``), a short paragraph or a block
   (≤ :data:`BLOCK_CHARS`) outside navigation, footers, asides and hidden elements is in full a
   not-found phrase, or holds a whole not-found *sentence* ("К сожалению, запрашиваемая вами
   страница не найдена.", "The page you requested has been moved or deleted", "Извините, такой
   страницы нет"): only the words such messages use may stand around the page word and its verb
   ("запрашиваемая вами", "you requested", "которую вы ищете", "on this site"), so "Страница
   ведомства в соцсети удалена" in a short release is not one; or a block whose class or id says
   404/not-found/error-page holds a standalone "404" (``div.page-404 > "404"``; a bare 404 elsewhere
   is a figure). This is how templates whose ``<title>`` is only the site's name are told. Guard, stricter: the page's article text is at most :data:`MAIN_CHARS` — the not-found
   words must be the main text of the page. "Nothing found" (a search widget's answer) counts only
   in the title or ``<h1>``.

The article text is the text outside navigation, ``<aside>``, ``<footer>``, forms, hidden and
boilerplate-classed blocks (:func:`~govpress.parsers.html.is_boilerplate`), not counting link
text: a 404 template's lists of popular sections are links, a release's paragraphs are not.

Cost: rule 1 is a few regexes over the markup. Rules 2 and 3 read the lxml tree the parsers build
anyway (passed in; built here only for a caller without one): the head's few elements, then one
walk of the main area that stops as soon as its article text passes the rule's bound, so a long
release costs a few hundred elements; only a short page has its message-sized blocks read, each
first checked for a not-found verb stem in lowercased text (``re.I`` over many alternatives is ten
times slower). ``bench/bench_notfound.py`` measures it and counts detections over every page we hold.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from govpress.parsers.html.blocks import class_tokens, held_verdicts, is_boilerplate
from govpress.parsers.html.tree import Element, child_named, parse_html_text
from govpress.parsers.regex_cache import compiled

ARTICLE_CHARS = 2500
"""Characters of article text from which a page is an article, whatever its title or markers say."""
MAIN_CHARS = 1000
"""Characters of article text (link text excluded) above which not-found words below the ``<h1>`` are
not the page's main text: a real release that mentions a missing page is longer than this."""
BLOCK_CHARS = 300
"""Longest block whose text is read as a not-found message (a container of the whole page is longer)."""
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
_SEARCH_ANSWERS = ("nothing found", "ничего не найдено")
"""Whole phrases a search widget prints too: evidence in the title or ``<h1>`` only."""
_ERROR = r"(?:http\s*)?(?:error|ошибка|памылка|помилка|қате|xəta|fehler|erreur|błąd|errore|erro|hata|chyba)"


def _whole_phrase(phrases: tuple[str, ...], *, bare_404: bool = True) -> re.Pattern[str]:
    # A segment that is the phrase or a 404, each optionally with the other and an "error" word around
    # ("404 - Page not found", "Page not found (404)", "Ошибка: страница не найдена", "Error 404"); a
    # bare "Error" is not one (a 5xx template, or a headline about an error).
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    bare = "|404" if bare_404 else ""
    return compiled(
        rf"^[\s\W]*(?:{_ERROR}[\s\W]*)?(?:(?:404[\s\W]*)?(?:{alternatives}){bare})[\s\W]*(?:404)?[\s\W]*$", re.I)


_NOT_FOUND = _whole_phrase(_PHRASES)
# Below the <h1> a bare "404" is a figure in a table or a sentence, unless a 404 class says otherwise.
_NOT_FOUND_BLOCK = _whole_phrase(tuple(p for p in _PHRASES if p not in _SEARCH_ANSWERS), bare_404=False)

# --- not-found sentences: [sorry,] [a determiner or "the ... you requested" words] PAGE [a relative
# clause or a participle] PREDICATE [or PREDICATE] [a short tail], or [sorry,] we could not find [the]
# PAGE. Whole sentences only, and only the words a not-found message uses before and after the page
# word: "Страница ведомства в соцсети удалена" in a release is not one.
_SORRY = (r"(?:(?:sorry|we(?:'re| are) sorry|oops|whoops|unfortunately|к сожалению|извините|простите|увы|упс|ой|"
          r"на жаль|вибачте|прабачце|нажаль|өкінішке орай|кешіріңіз|təəssüf ki|təəssüf|üzr istəyirik|bağışlayın|"
          r"leider|entschuldigung|es tut uns leid|désolé|desole|nous sommes désolés|malheureusement|lo sentimos|"
          r"lamentablemente|disculpe|przepraszamy|niestety|ci dispiace|spiacenti|desculpe|üzgünüz|"
          r"error 404|404 error|404|ошибка 404|памылка 404|помилка 404|fehler 404|erreur 404)[\s,!.:;—–-]*)*")
_BEFORE = (r"(?:the|this|that|a|such|requested|web|"
           r"запрашиваемая|запрашиваемой|запрошенная|искомая|указанная|нужная|эта|этой|эту|данная|данной|такой|такая|"
           r"такую|вами|вы|"
           r"запытаная|запытанай|гэтая|гэтай|такой|такая|вамі|вы|запитувана|запитуваної|запитана|ця|цієї|такої|така|"
           r"вами|шукана|сіз|іздеген|сұралған|сұратылған|ізделген|бұл|мұндай|axtardığınız|axtardiginiz|siz|bu|"
           r"tələb|olunan|belə|sorğulanan|aradığınız|istenen|die|diese|von|ihnen|angeforderte|gesuchte|aufgerufene|"
           r"gewünschte|la|cette|esta|a|esta|questa|ta|tato|de|der|el)")
_PAGE = (r"(?:web ?page|page|document|file|url|address|article|content|resource|news item|"
         r"страниц[аыуе]|документ[аы]?|материал[аы]?|новост[иь]|новость|запис[иь]|публикаци[яи]|стат[ьи]я|статьи|"
         r"раздел[аы]?|старонк[аіу]|дакумент[аы]?|матэрыял[аы]?|навін[аы]|сторінк[аиу]|сторінки|матеріал[уи]?|"
         r"новин[аи]|бет|парақ(?:ша)?|құжат|жаңалық|səhifə|sehife|sənəd|xəbər|seite|dokument|inhalt|artikel|"
         r"contenu|página|pagina|documento|contenido|artículo|strona|strony|stronę|sayfa|stránka)")
# Between the page word and the verb: nothing, a participle ("demandée", "you requested"), or a relative
# clause that opens with a relative pronoun or "you" ("которую вы ищете", "que vous recherchez").
_AFTER = (r"(?:\s+(?:you|that|which|вы|вами|которую|которой|которая|яку|якої|якую|якой|que|qu'|die|welche|sie|"
          r"której|którą|kterou|che|você)\b[^.!?]{0,50}?"
          r"|\s+(?:requested|you requested|you are looking for|demandée|recherchée|solicitada|buscada|richiesta|"
          r"angeforderte|angefragte|gesuchte|по (?:этому|данному|указанному|вашему) (?:адресу|запросу)|"
          r"за (?:цим|вказаною|вашим) (?:адресою|запитом)|по гэтым адрасе|pod tym adresem|à cette adresse|"
          r"en esta dirección|unter dieser adresse|at this address|you tried to (?:reach|access|open|visit))"
          r"|\s*,[^.!?,]{0,50},)?\s*")
_PREDICATE = (
    r"(?:"
    # en
    r"(?:was |is |could |can )?not (?:be )?found|could ?n[o']t be found|(?:cannot|can not|can't) be found|"
    r"does ?n[o']t exist|do(?:es)? not exist|no longer exists?|(?:is|was) (?:no longer|not) (?:available|here)|"
    r"(?:(?:has|have|had|may have|might have|was|is)(?: been)? )?(?:moved|removed|deleted|renamed|archived|withdrawn)|"
    r"is (?:missing|gone|unavailable)|"
    # ru
    r"не найден[аоы]?|не может быть найден[аоы]?|не существует|не обнаружен[аоы]?|(?:был[аои]? )?удален[аоы]?|"
    r"(?:был[аои]? )?перемещен[аоы]?|отсутству(?:ет|ют)|недоступн[аоы]|больше не доступн\w*|нет|"
    # be, uk
    r"не знойдзен\w*|не існуе|(?:была )?выдален\w*|перамешчан\w*|няма|не знайден\w*|не існує|(?:була )?видален\w*|"
    r"переміщен\w*|немає|недоступн\w*|"
    # kk, az, tr
    r"табылмады|жоқ|жойылған|жойылды|tapılmadı|tapilmadi|tapılmır|mövcud deyil|movcud deyil|silinib|silinmişdir|"
    r"köçürülüb|yoxdur|bulunamadı|mevcut değil|kaldırıldı|silindi|"
    # de
    r"(?:wurde |ist )?nicht gefunden(?: werden)?|existiert nicht(?: mehr)?|gibt es nicht(?: mehr)?|"
    r"(?:wurde|ist) (?:gelöscht|entfernt|verschoben)(?: worden)?|(?:ist )?nicht (?:mehr )?verfügbar|"
    # fr
    r"(?:est )?introuvable|n'existe (?:pas|plus)|n'a pas été trouvée?|(?:a été|est) (?:supprimée?|déplacée?|retirée?)|"
    r"n'est plus disponible|"
    # es, it, pt
    r"no existe|no se (?:encuentra|ha encontrado|encontró)(?: disponible)?|no (?:ha sido |fue )?encontrad[ao]|"
    r"(?:ha sido|fue) (?:eliminad[ao]|movid[ao]|borrad[ao]|trasladad[ao])|(?:ya )?no está disponible|"
    r"non esiste|non (?:è stata )?trovata|(?:è stata) (?:rimossa|spostata)|não existe|não (?:foi )?encontrada|"
    r"(?:foi) (?:removida|excluída)|"
    # pl, cs
    r"nie istnieje|nie (?:została )?znalezion[ao]|została (?:usunięta|przeniesiona)|neexistuje|nenalezena"
    r")")
_FIND_FIRST = (r"(?:we (?:could ?n[o']t|cannot|can not|can't|could not|were unable to) find|unable to find|"
               r"не удалось найти|не можем найти|мы не нашли|не вдалося знайти|не атрымалася знайсці|"
               r"impossible de trouver|nous ne trouvons pas|no (?:hemos podido|pudimos) encontrar|"
               r"no se (?:ha )?(?:podido )?encontra(?:do|r)|nie znaleziono|nie można znaleźć)")
# After the verb: nothing but "on this site", "(404)" and the like ("...was not found to contain errors" is
# a release's sentence).
_TAIL = (r"(?!\w)(?:\s*,?\s*(?:on (?:this|our) (?:site|server|website)|here|anymore|any more|at this address|"
         r"на (?:этом |нашем )?(?:сайте|сервере|портале)|по (?:этому|данному|указанному) адресу|на сайті|на сайце|"
         r"auf (?:dieser|unserer) (?:seite|website|webseite)|unter dieser adresse|sur (?:ce|notre) (?:site|serveur)|"
         r"en (?:este|nuestro) (?:sitio|servidor|portal)|disponible|verfügbar|[\s(]*404\)?))?\s*")
_CONNECT = r"(?:\s+(?:və ya|и|или|або|ці|or|and|oder|und|ou|et|o|y|ya|veya|və|немесе|lub|albo)\s+)"
_SENTENCE = compiled(
    rf"^{_SORRY}(?:(?:{_BEFORE}\s+){{0,4}}{_PAGE}{_AFTER}{_PREDICATE}(?:{_CONNECT}{_PREDICATE})*"
    rf"|{_FIND_FIRST}\s+(?:{_BEFORE}\s+){{0,3}}{_PAGE}){_TAIL}$",
    re.I)
_SENTENCE_SPLIT = compiled(r"(?<=[.!?…])\s+|\s*[\n\u2028]\s*")
_DIGIT_RUN = compiled(r"\d{2,}")  # a release's sentence has figures; a not-found one at most "404"

# --- markers
# A class or id naming a 404 template: "error404", "page-404", "page-404__code", "not-found", "404-page".
# Not "postid-404", "page-id-404", "post-404", "term-404": WordPress and Drupal print object ids so.
_MARKER_TOKEN = compiled(
    r"^(?:(?:page|error|err|http|e|is|status|template|tpl|layout|site|body)[-_]?)?"
    r"(?:404|not[-_]?found|page[-_]?not[-_]?found)"
    r"(?:[-_](?:page|error|template|wrap|wrapper|container|content|block|section|main|body|title|text|code|message|"
    r"img|image|inner|box))*(?:__[\w-]+)?$", re.I)
_ERROR_PAGE_TOKEN = compiled(r"^error[-_]?page(?:$|[-_].*)", re.I)
# Utility classes that hide a block with CSS (a hidden 404 template in every page of a single-page app).
_HIDDEN_TOKENS = frozenset({"d-none", "hide", "hidden", "is-hidden", "u-hidden", "invisible", "display-none",
                            "visually-hidden", "sr-only", "ng-hide", "x-cloak", "v-cloak", "uk-hidden"})
_BARE_404 = compiled(r"(?<![\w.,])404(?![\w.,])")
# The whole path is the 404 page ("/404.html", "/en/404/", "/errors/not-found"), not "/news/404": release no. 404.
_404_PATH = compiled(r"^(?:/[a-z]{2}(?:[-_][a-z]{2})?)?(?:/errors?|/system|/pages?)?/"
                       r"(?:404|error[-_]?404|404[-_]?error|not[-_]?found|page[-_]?not[-_]?found)(?:\.\w{2,5})?/?$", re.I)

# A cheap first look, at a short page's main text and then at each of its blocks, before the phrase and
# sentence rules: one of their verbs' stems ("404" is looked for apart), in the lowercased text. Plain
# substrings, each found by ``in``: as one regex alternation (no re.I) nearly every letter opens some stem,
# so the engine entered the alternation at almost every position of the text (~95 ns a character).
_BLOCK_CUES = (
    "found", "find", "exist", "esiste", "longer", "moved", "deleted", "withdrawn", "archived", "renamed",
    "missing", "gone", "unavailable", "not available", "not here",
    "найд", "найти", "существ", "удал", "перемещ", "а нет", "ы нет", "и нет", "а больше нет", "ы больше нет",
    "и больше нет", "отсутств", "доступн", "знойдз", "існу", "выдал", "перамешч", "няма",
    "знайд", "видал", "переміщ", "немає", "табыл", "жой", "жоқ", "tapıl", "tapil", "mövcud", "movcud", "silin",
    "köçür", "yoxdur", "bulunam", "mevcut", "kaldır",
    "gefunden", "verschoben", "gelöscht", "entfernt", "verfügbar", "gibt es nicht", "introuvable", "trouv",
    "supprim", "déplac", "retir", "disponible", "encontr", "eliminad", "borrad", "trasladad", "movid", "znalez",
    "istnie", "usunię", "przeniesion", "trovat", "rimoss", "spostat", "excluída", "nenalezen",
)
"""Every stem once; one that holds another ("removed" holds "moved", "existiert" "exist", "removida" "movid") is
left out: what matters is whether any is there (tests/unit/parsers/test_notfound.py: the former pattern's forms)."""


def _has_block_cue(lowered: str) -> bool:
    """Whether a lowercased text holds one of the not-found verbs' stems (``_BLOCK_CUES``)."""
    for cue in _BLOCK_CUES:  # a loop, not any() over a generator: 76 stems, all asked of a text that has none
        if cue in lowered:
            return True
    return False


_TITLE = compiled(r"<title[^>]*>(.*?)</title", re.I | re.S)
_H1 = compiled(r"<h1\b[^>]*>(.*?)</h1", re.I | re.S)
_P = compiled(r"<p\b[^>]*>(.*?)</p", re.I | re.S)
_TAG = compiled(r"<[^>]*>")
_WS = compiled(r"\s+")
_WORD_CHAR = compiled(r"\w")
_SEGMENTS = compiled(r"\s+[|–—:\-·•/]\s+|\s*[|–—·•]\s*")
_SEGMENT_CHAR = compiled(r"[|–—:\-·•/]")
"""A character every separator of :data:`_SEGMENTS` holds: a title without one is one segment (one scan in C)."""
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})  # h1 too: the first may be the logo
_BLOCKS = frozenset({"p", "div", "section", "article", "main", "span", "strong", "b", "em", "td", "li", "dd", "header",
                     "center", "font", "big", "small", "body", "blockquote"}) | _HEADINGS


def _text(markup: str) -> str:
    """The markup's text, whitespace collapsed: ``_WS.sub(" ", ...).strip()`` as a split and a join (``\\s`` and
    ``str.split`` take the same characters), the tags' search only where a tag can be."""
    return " ".join(html.unescape(_TAG.sub(" ", markup) if "<" in markup else markup).split())


_PHRASE_SEGMENTS: dict[str, bool] = {}
"""Segment -> whether it is wholly a not-found phrase: a source's pages repeat their site's name as a segment of every
``<title>``, and the ``<h1>`` is the title's headline segment again."""


def _phrase_segment(segment: str) -> bool:
    """``segment`` (stripped, at most :data:`BLOCK_CHARS` long) is wholly a not-found phrase or a bare 404."""
    verdict = _PHRASE_SEGMENTS.get(segment)
    if verdict is None:
        verdict = bool(segment) and _WORD_CHAR.search(segment) is not None and _NOT_FOUND.match(segment) is not None
        if len(_PHRASE_SEGMENTS) >= 4096:
            _PHRASE_SEGMENTS.clear()
        _PHRASE_SEGMENTS[segment] = verdict
    return verdict


def _not_found_phrase(text: str) -> str | None:
    """The segment of ``text`` that is wholly a not-found phrase (or a bare 404), else None: the whole text first, then
    each segment between separators (a text without a separator character is its only segment, asked once)."""
    if not text or len(text) > BLOCK_CHARS:
        return None
    whole = text.strip()
    if _phrase_segment(whole):
        return whole
    if _SEGMENT_CHAR.search(text):
        for segment in _SEGMENTS.split(text):
            segment = segment.strip()
            if _phrase_segment(segment):
                return segment
    return None


def not_found_sentence(text: str) -> str | None:
    """The sentence of ``text`` that is wholly a not-found sentence, else None (``text``: a block's plain text)."""
    if not text or len(text) > BLOCK_CHARS:
        return None
    for sentence in _SENTENCE_SPLIT.split(text.replace("’", "'")):
        if sentence.rstrip(" \t\"'«»“”)]").endswith("?"):
            continue  # "Страница не найдена? Напишите нам": a question in a release, not the message
        sentence = sentence.strip(" \t\"'«»“”()[]—–-.!?…")
        if sentence and len(sentence) <= 160 and not _DIGIT_RUN.search(sentence.replace("404", "")) \
                and _SENTENCE.match(sentence):
            return sentence
    return None


def _block_evidence(text: str) -> str | None:
    """The block's text is in full a not-found phrase (no segments: "Not found: what the audit showed" is a
    release's subheading), or holds a whole not-found sentence."""
    if len(text) <= BLOCK_CHARS and re.search(r"\w", text) and _NOT_FOUND_BLOCK.match(text):
        return text
    return not_found_sentence(text)


def _without_links(element: Element) -> str:
    """The element's text without its links' ("Страница не найдена <a>Вернуться на главную</a>")."""
    parts: list[str] = []

    def visit(node: Element) -> None:
        if node.tag == "a":
            return
        parts.append(node.text or "")
        for child in node:
            visit(child)
            parts.append(child.tail or "")  # the text after a link is the block's own

    visit(element)
    return _WS.sub(" ", " ".join(parts)).strip()


_PAGE_MARKER_VERDICTS: dict[str, bool] = {}
"""Class/id word of ``<html>`` or ``<body>`` -> whether it names a 404 template (a site repeats its body classes)."""


def _page_marker_token(token: str) -> bool:
    verdict = _PAGE_MARKER_VERDICTS.get(token)
    if verdict is None:
        verdict = _MARKER_TOKEN.match(token) is not None
        if len(_PAGE_MARKER_VERDICTS) > 50_000:
            _PAGE_MARKER_VERDICTS.clear()
        _PAGE_MARKER_VERDICTS[token] = verdict
    return verdict


def _page_markers(root: Element) -> str | None:
    """Rule 2: a marker that the whole page is the CMS's 404 template."""
    body = child_named(root, "body")
    for element in (root, body):
        if element is not None:
            for token in class_tokens(element):
                if _page_marker_token(token):
                    return f"<{element.tag}> class/id {token!r}"
    head = child_named(root, "head")
    for element in (head.iter("meta", "link") if head is not None else ()):
        name = (element.get("name") or element.get("property") or element.get("rel") or "").lower()
        if name == "prerender-status-code" and (element.get("content") or "").strip() == "404":
            return '<meta name="prerender-status-code" content="404">'
        if name not in ("canonical", "og:url"):
            continue  # most of a head's tags: their address or content is not read
        value = element.get("href") if element.tag == "link" else element.get("content")
        if value and ("404" in value or "found" in value.lower()) and _404_PATH.search(urlsplit(value.strip()).path or ""):
            return f"{name} {value.strip()!r}"
    return None


_MARKER_VERDICTS: dict[str, bool] = {}
"""Class/id word -> whether it says 404/not-found/error-page (pages repeat the same few hundred words)."""


def _marker_token(token: str) -> bool:
    verdict = _MARKER_VERDICTS.get(token)
    if verdict is None:
        verdict = bool(_MARKER_TOKEN.match(token) or _ERROR_PAGE_TOKEN.match(token))
        if len(_MARKER_VERDICTS) > 50_000:
            _MARKER_VERDICTS.clear()
        _MARKER_VERDICTS[token] = verdict
    return verdict


_HIDDEN_CLASSES: dict[str, bool] = {}
"""Class attribute -> whether one of its words hides the block (a page repeats the same class attributes)."""


def _hidden(element: Element) -> bool:
    classes = element.get("class")
    if not classes:
        return False
    verdict = _HIDDEN_CLASSES.get(classes)
    if verdict is None:
        verdict = not _HIDDEN_TOKENS.isdisjoint(classes.lower().split())
        if len(_HIDDEN_CLASSES) >= 50_000:
            _HIDDEN_CLASSES.clear()
        _HIDDEN_CLASSES[classes] = verdict
    return verdict


def _main_area(root: Element, limit: int) -> tuple[list[Element], str] | None:
    """The elements of the main area (outside boilerplate) and all their text, lowercased; None as
    soon as its article text (link text left out) exceeds ``limit``: a long page stops the walk early."""
    body = child_named(root, "body")
    if body is None:
        body = root
    verdicts = held_verdicts()  # the parse's verdicts so far (empty outside one): read without a call
    kept = []
    pieces = []
    chars = 0
    stack = [(body, False)]
    while stack:
        element, in_link = stack.pop()
        kept.append(element)
        text = element.text  # read once: lxml builds a new string at every read
        if text:
            pieces.append(text)
            if not in_link:
                chars += len(text.strip())
        in_link = in_link or element.tag == "a"
        for child in element:
            tail = child.tail
            if tail:
                pieces.append(tail)
                if not in_link:
                    chars += len(tail.strip())
            if isinstance(child.tag, str):
                known = verdicts.get(child)
                if known is None:
                    known = is_boilerplate(child)
                if not known and not _hidden(child):
                    stack.append((child, in_link))
        if chars > limit:
            return None
    return kept, " ".join(pieces).lower()


def _block_in(elements: list[Element]) -> str | None:
    """Rule 3's evidence: the first block of the main area that says the page is not found."""
    for element in elements:
        tag = element.tag
        if tag not in _BLOCKS:
            continue
        wording = tag in _HEADINGS or tag == "p" or len(element) <= 3  # a message, not a container of blocks
        marked = not wording and len(element) < 40 and any(_marker_token(t) for t in class_tokens(element))
        if not (wording or marked):
            continue
        raw = " ".join(element.itertext())
        if len(raw) > 4 * BLOCK_CHARS or not (_has_block_cue(raw.lower()) or "404" in raw):
            continue  # most blocks: no verb of a not-found sentence, no 404
        text = _WS.sub(" ", raw).strip()
        if not text or len(text) > BLOCK_CHARS:
            continue
        if wording and (found := _block_evidence(text) or (element.find(".//a") is not None
                                                           and _block_evidence(_without_links(element)))):
            return f"<{tag}> {found!r}"
        if _BARE_404.search(text) and (marked or any(_marker_token(t) for t in class_tokens(element))):
            return f"<{tag}> {text!r}"  # div.page-404 > "404", div.error-page > h3 "Ошибка 404"
    return None


def not_found_reason(text: str, root: Element | None = None) -> str | None:
    """Why this HTML page is a "page not found" template, or None when it may be content.

    ``text``: the decoded markup; ``root``: its lxml tree when the caller has built it (else it is
    built here when rules 2 and 3 need it)."""
    head = text[:SCAN_BYTES]
    title = _TITLE.search(head)
    h1 = _H1.search(head)
    for where, match in (("<title>", title), ("<h1>", h1)):
        if match and (phrase := _not_found_phrase(_text(match.group(1)))):
            prose = sum(len(_text(p)) for p in _P.findall(head))
            if prose >= ARTICLE_CHARS:
                return None
            return f"a not-found page answered with HTTP 200 ({where} {phrase!r})"
    if root is None:
        root = parse_html_text(head)
    marker = _page_markers(root)
    main = _main_area(root, ARTICLE_CHARS - 1 if marker else MAIN_CHARS)
    if main is None:
        return None  # an article: whatever the markers or a block say, the page is content
    if marker:
        return f"a not-found page answered with HTTP 200 ({marker})"
    elements, words = main
    if "404" not in words and not _has_block_cue(words):
        return None  # no block can hold a not-found message: one regex instead of one per block
    if evidence := _block_in(elements):
        return f"a not-found page answered with HTTP 200 ({evidence})"
    return None
