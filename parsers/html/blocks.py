"""Article text out of an element: which blocks are boilerplate, and the text paragraphs of the rest.

- :func:`is_boilerplate`: a navigation, share, related, subscribe, hidden or contact block
  (by tag, ARIA role, class or id words, inline style);
- :func:`block_paragraphs`: an element's text as normalised paragraphs (block tags and ``<br>``
  runs delimit them, speaker labels start their own, boilerplate and excluded subtrees dropped);
- :func:`element_text`, :func:`heading_text`: one element as one clean line;
- :func:`remove_boilerplate`: drop a site's noise selectors from an element.

All of it walks the one ``lxml`` tree iteratively (``etree.iterwalk``): deeply nested pages must
not hit Python's recursion limit.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar
from unicodedata import is_normalized

from lxml import etree

from govpress.parsers.html.tree import Element, drop_tree, select
from govpress.parsers.memo import ShortTextMemo
from govpress.parsers.text import normalize, note_settled

T = TypeVar("T")

__all__ = [
    "BLOCK_TAGS",
    "SKIP_TAGS",
    "block_paragraphs",
    "clean_title",
    "element_text",
    "heading_text",
    "is_boilerplate",
    "markup_decoded",
    "remove_boilerplate",
]

# Tags whose content is never article text.
SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button",
        "select", "option", "input", "textarea", "label", "iframe", "svg", "canvas", "object",
        "embed", "video", "audio", "figure", "figcaption", "picture", "img", "map", "head",
        "title", "meta", "link", "menu", "dialog",
    }
)
# Block-level tags: each starts and ends a paragraph.
BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "section", "article", "main", "header", "table", "thead", "tbody",
        "tfoot", "tr", "address", "hr", "center", "details", "summary", "body", "html", "caption",
        "fieldset", "hgroup",
    }
)
_CELL_TAGS = frozenset({"td", "th"})

# Class/id words of blocks that are not the article: matched as whole words inside tokens
# (``ep_share``, ``social-links``, ``read__tags``) but not inside other words (``shareholders``).
_BOILER_WORDS = (
    "share", "sharing", "social", "socials", "socialsharing", "related", "subscribe", "subscription",
    "newsletter", "breadcrumb", "breadcrumbs", "comment", "comments", "cookie", "cookies", "banner",
    "advert", "advertisement", "ads", "ad", "promo", "sidebar", "widget", "nav", "navbar",
    "navigation", "menu", "submenu", "pagination", "pager", "print", "toolbar", "tools", "hidden", "aural",
    "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "skip", "skiplink", "invisible",
    "unsichtbar", "ausgeblendet", "offscreen", "element-invisible",
    "contact", "contacts", "tags", "tag-list", "taglist", "footer", "masthead", "popup", "modal",
    "recommended", "more-news", "read-more", "readmore", "see-also", "seealso", "socialnetwork",
    "socialnetwok", "teaser-list", "rss", "lang-switch", "language-selector", "langswitch",
    "author-bio", "authorbio", "author-box", "authorbox", "about-author", "author-dropdown", "author-info",
    "author-card", "cta", "prevnext", "nocomments", "consent", "gdpr", "slider", "carousel",
    "relatedposts", "relatedarticles", "relatednews", "relatedstories", "relatedlinks",
)
# A word starts a token, follows "-" or "_", or starts a camelCase part ("relatedContent", "mainNav", "shareBar"); it
# ends the token, meets "-" or "_", or a camelCase part follows it. (?-i:...) keeps the case test of the camelCase
# boundary under re.I: "shareholders" and "adaptiveLayout" hold no boilerplate word.
# ("printArticle" may be the article's own printable wrapper: "print" counts between separators only.)
def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_BOILER_RE = re.compile(
    r"(?:^|[-_])(?:" + _alternation(_BOILER_WORDS) + r")(?:$|[-_])"
    r"|(?:^|[-_]|(?<=[a-z0-9])(?=(?-i:[A-Z])))(?:" + _alternation(set(_BOILER_WORDS) - {"print"})
    + r")(?:$|[-_]|(?=(?-i:[A-Z0-9])))",
    re.I,
)
# Class/id words of photo captions and credits ("wp-caption-text", "image-credit", French "legende", German
# "bildunterschrift"): not the article's text, but some sites name their headings "title_caption", so a heading
# is not judged by them.
_CAPTION_WORDS = ("caption", "captions", "credit", "credits", "legend", "legende", "bildunterschrift", "bildtext")
_CAPTION_RE = re.compile(
    r"(?:^|[-_]|(?<=[a-z0-9])(?=(?-i:[A-Z])))(?:" + _alternation(_CAPTION_WORDS) + r")(?:$|[-_]|(?=(?-i:[A-Z0-9])))",
    re.I,
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Bootstrap-style responsive helpers (hidden-xs, hidden-lg) hide a block on SOME screens only; Drupal's
# "field--label-hidden" (and "title-hidden", "labels-visually-hidden") hides the block's label, not the block.
_RESPONSIVE_HIDDEN = re.compile(
    r"^hidden-(?:xs|sm|md|lg|xl|print)$|(?:^|[-_])(?:label|labels|title|heading|caption|legend)[-_]+(?:visually[-_]+)?hidden$",
    re.I)
_BOILER_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Containers that broken markup (closing tags lost) can stretch over the rest of the page.
_SWALLOWING_TAGS = frozenset({"nav", "aside", "footer", "form", "menu", "dialog", "li", "span"})


_HOLDERS: list[tuple[Element, frozenset[Element]]] = []
"""(document root, every ancestor of an <h1> or <article>) for the last documents seen: one walk
per document instead of one subtree search per boilerplate-looking block."""


def _swallows_article(element: Element) -> bool:
    """The block holds the headline or the article: unclosed tags made it swallow the page."""
    root = element.getroottree().getroot()
    for known, holders in _HOLDERS:
        if known is root:
            return element in holders
    holders = frozenset(a for found in _main_marks(root) for a in found.iterancestors())
    _HOLDERS.insert(0, (root, holders))
    del _HOLDERS[2:]
    return element in holders


def wrapper_form(form: Element) -> bool:
    """A ``<form>`` with no field to fill in or press (hidden inputs aside): a CMS's wrapper round the text
    (VSB's "_newscontent_fromname"), not a search box or a login."""
    for field in form.iter("input", "textarea", "select", "button"):
        if field.tag != "input" or (field.get("type") or "text").strip().lower() != "hidden":
            return False
    return True


def _main_marks(root: Element) -> list[Element]:
    """The elements that mark the page's own article: its ``<h1>`` and its longest ``<article>``.

    A related-posts block of teaser cards holds ``<article>`` elements and headings too, each card's inside a
    link, and an author box a picture wrapped in an ``<h1>``: counting those would make the block look like one
    that swallowed the article, and keep it. So an ``<h1>`` inside a link or without text counts only when every
    ``<h1>`` is so, and of several ``<article>`` elements only the one whose text outweighs the others counts."""
    headings: list[Element] = []
    articles: list[Element] = []
    for found in root.iter("h1", "article"):  # one walk of the tree for both
        (headings if found.tag == "h1" else articles).append(found)
    plain = [h for h in headings if next(h.iterancestors("a"), None) is None and any(t.strip() for t in h.itertext())]
    if len(articles) > 1:
        # The longest counts when it stands out (twice the next one's text), as an article among teasers does;
        # among cards of a size, none does.
        sizes = sorted(((sum(map(len, a.itertext())), n) for n, a in enumerate(articles)), reverse=True)
        articles = [articles[sizes[0][1]]] if sizes[0][0] >= 2 * sizes[1][0] else []
    return (plain or headings) + articles


def class_tokens(element: Element) -> list[str]:
    """The element's class words and its id."""
    tokens = (element.get("class") or "").split()
    ident = element.get("id")
    if ident:
        tokens.append(ident)
    return tokens


_NOT_BOILER, _BOILER, _CAPTION, _SHARE, _SIDEBAR = 0, 1, 2, 3, 4
"""A class word's or attribute's verdict: no boilerplate, boilerplate, a caption's (boilerplate but on a heading), a
share block's (boilerplate while it is short), or a sidebar's (boilerplate unless it holds paragraphs of prose)."""
# A class word that names a block as a piece's text ("article-body", "entry-content", "post_text", "news-detail"):
# such a block is the text even when another of its words says "sidebar" (The Verge's "l-sidebar-fixed
# l-article-body-segment": a segment laid out beside a sidebar).
_TEXT_NAME = re.compile(
    r"(?:article|story|entry|post|news|press|release)[-_]{0,2}(?:text|body|content|detail)(?![a-z])", re.I)
# A layout with a sidebar ("c-fixed-sidebar-layout--140--left@lg", "has-sidebar", "layout--with-sidebar") holds the
# text beside the sidebar; the sidebar itself is another block.
_SIDEBAR_LAYOUT = re.compile(r"sidebar.*layout|layout.*sidebar|(?:has|with|no)[-_]+sidebar", re.I)
# A BEM modifier saying a block carries advertising between its paragraphs ("TestReport__Section--Ads", chip.de):
# the block is the text, the ads are elements of their own. The block name before it must hold no chrome word.
_WITH_ADS = re.compile(r"^[a-z0-9]+(?:__[a-z0-9]+)*--(?:ads?|adverts?|advertising)$", re.I)
# Share words: a share bar is a few links; a "share-zone" or "js_img_share_area" round the whole text (where a reader
# may share a quote or a picture) is the text.
_SHARE_RE = re.compile(r"(?:^|[-_]|(?<=[a-z0-9])(?=(?-i:[A-Z])))(?:share|sharing)(?:$|[-_]|(?=(?-i:[A-Z0-9])))", re.I)
_SHARE_MAX_CHARS = 600
"""Text beyond which a block named for sharing holds more than share buttons."""
# "sidebar" alone: WordPress themes name the column beside the sidebar "sidebar_content" or put "sidebar" on the
# page's wrapper ("mainwrap single-default sidebar"). A sidebar holds widgets and short notes; a block holding three
# paragraphs of prose (150+ characters each) is the text's column.
_SIDEBAR_RE = re.compile(r"(?:^|[-_])sidebar(?:$|[-_])", re.I)
_SIDEBAR_PROSE = (3, 150)

_TOKEN_VERDICTS: dict[str, int] = {}
"""Class/id word -> its verdict: pages repeat the same few hundred words thousands of times, so the
regexes run once per distinct word (bounded: cleared when it grows large)."""


def _boiler_token(token: str) -> int:
    verdict = _TOKEN_VERDICTS.get(token)
    if verdict is None:
        if _RESPONSIVE_HIDDEN.search(token) or _SIDEBAR_LAYOUT.search(token) or (
                _WITH_ADS.search(token) and _BOILER_RE.search(token.rsplit("--", 1)[0]) is None):
            verdict = _NOT_BOILER
        elif _BOILER_RE.search(token) is not None:  # "news-detail-share" is a share bar, not the text
            only_share = _SHARE_RE.search(token) and _BOILER_RE.search(_SHARE_RE.sub("-", token)) is None
            only_sidebar = _SIDEBAR_RE.search(token) and _BOILER_RE.search(_SIDEBAR_RE.sub("-", token)) is None
            verdict = _SHARE if only_share else _SIDEBAR if only_sidebar else _BOILER
        else:
            verdict = _CAPTION if _CAPTION_RE.search(token) is not None else _NOT_BOILER
        if len(_TOKEN_VERDICTS) > 50_000:
            _TOKEN_VERDICTS.clear()
        _TOKEN_VERDICTS[token] = verdict
    return verdict


_CLASS_VERDICTS: dict[str, int] = {}
"""Whole class attribute -> the strongest verdict of its words: a page repeats the same class attributes
on hundreds of elements, so one lookup replaces a split and a lookup per word."""


def _boiler_classes(classes: str) -> int:
    verdict = _CLASS_VERDICTS.get(classes)
    if verdict is None:
        tokens = classes.split()
        found_words = {_boiler_token(token) for token in tokens}
        # The strongest word decides: boilerplate, then a share block's, a caption's; none when a word names the
        # block as the article's text.
        for verdict in (_BOILER, _SIDEBAR, _SHARE, _CAPTION, _NOT_BOILER):
            if verdict in found_words or verdict == _NOT_BOILER:
                break
        if verdict and _names_text(tokens):
            verdict = _NOT_BOILER
        if len(_CLASS_VERDICTS) > 50_000:
            _CLASS_VERDICTS.clear()
        _CLASS_VERDICTS[classes] = verdict
    return verdict


def _names_text(tokens: list[str]) -> bool:
    """One of the class words names the block as a piece's text, with no boilerplate word in that same word."""
    return any(_TEXT_NAME.search(t) is not None and not _boiler_token(t) for t in tokens)


def _names_boilerplate(verdict: int, tag: str, element: Element) -> bool:
    if verdict == _SHARE:
        return _text_at_most(element, _SHARE_MAX_CHARS)
    if verdict == _SIDEBAR:
        return not _holds_prose_paragraphs(element)
    return verdict == _BOILER or (verdict == _CAPTION and tag not in _HEADING_TAGS)


def _holds_prose_paragraphs(element: Element) -> bool:
    """At least three ``<p>`` of 150+ characters inside ``element`` (looked for until found)."""
    wanted, chars = _SIDEBAR_PROSE
    for paragraph in element.iter("p"):
        if not _text_at_most(paragraph, chars - 1):
            wanted -= 1
            if not wanted:
                return True
    return False


def _text_at_most(element: Element, limit: int) -> bool:
    """The element's text is at most ``limit`` characters (read no further than that)."""
    total = 0
    for text in element.itertext():
        total += len(text.strip())
        if total > limit:
            return False
    return True


class _HeldVerdicts(threading.local):
    verdicts: dict[Element, bool] | None = None
    paragraphs: dict[Element, tuple[str, ...]] | None = None
    headings: dict[Element, str] | None = None


_held = _HeldVerdicts()
"""This thread's :func:`verdicts_held` memo (None outside one)."""


class _VerdictsHeld:
    """:func:`verdicts_held`'s block: a plain context manager, not ``contextlib``'s generator-based one (its
    generator, ``next`` and the ``StopIteration`` at the exit cost ~6 us a parse there, its code cold by then)."""

    __slots__ = ("_previous",)

    def __enter__(self) -> None:
        self._previous = _held.verdicts, _held.paragraphs, _held.headings
        _held.verdicts, _held.paragraphs, _held.headings = {}, {}, {}

    def __exit__(self, *_exc: object) -> None:
        _held.verdicts, _held.paragraphs, _held.headings = self._previous  # an exception goes on as it was


def verdicts_held() -> _VerdictsHeld:
    """Within it, :func:`is_boilerplate` judges each element once and repeats that verdict.

    For a parse that reads a tree it does not change: the generic parser's walks (the not-found check's main
    area, the density count, the body's and the date region's paragraphs, the headline's ancestors) ask about
    the same elements again and again (82 asks of 29 elements on a generated page). The memo holds the
    elements, so lxml keeps their identity; it ends with the block (nested blocks keep their own).

    Within it :func:`block_paragraphs` also keeps the paragraphs of each block element it walked from (see there):
    the date region's walk takes the body's paragraphs as they were found instead of walking the body again; and
    :func:`heading_text` the text of each heading (the ``<h1>`` is read for the metadata and for the headline)."""
    return _VerdictsHeld()


def _held_answer(held: dict[Element, T] | None, element: Element, answer: Callable[[Element], T]) -> T:
    """``answer(element)``, asked once per element within :func:`verdicts_held` (``held``; None outside it)."""
    if held is None:
        return answer(element)
    known = held.get(element)
    if known is None:
        known = held[element] = answer(element)
    return known


def is_boilerplate(element: Element) -> bool:
    """A navigation, share, related, subscribe, hidden, contact or caption block (by tag, role, class or id)."""
    # _held_answer written out: asked ~75 times a generated page (the walks of the not-found check, the density
    # count, the body and the date region), most of them for an element already judged.
    held = _held.verdicts
    if held is None:
        return _judge(element)
    known = held.get(element)
    if known is None:
        known = held[element] = _judge(element)
    return known


def held_verdicts() -> dict[Element, bool]:
    """The verdicts :func:`is_boilerplate` holds within :func:`verdicts_held` (empty outside one), for a walk that
    asks about many elements to read the known ones without a call (each call reads this thread's memo too):
    ``verdicts.get(node)``, and ``is_boilerplate(node)`` only when that is None. Read it, never change it."""
    held = _held.verdicts
    return held if held is not None else {}


def _judge(element: Element) -> bool:
    """:func:`is_boilerplate`'s verdict, from the element itself."""
    tag = element.tag
    if not isinstance(tag, str):
        return True  # comments and processing instructions
    if tag in SKIP_TAGS and not (tag == "form" and wrapper_form(element)):
        return not (tag in _SWALLOWING_TAGS and _swallows_article(element))
    # The attribute names once, then only the values that are there: this runs on nearly every
    # element of a page, and each attribute read builds a string.
    names = element.keys()
    if not names:
        return False
    get = element.get
    if len(names) == 1 and names[0] == "class":  # most elements: a class and nothing else that counts here
        classes = get("class")
        verdict = _CLASS_VERDICTS.get(classes)
        if verdict is None:
            verdict = _boiler_classes(classes)
        return bool(verdict) and _names_boilerplate(verdict, tag, element) and not _swallows_article(element)
    if "hidden" in names or ("aria-hidden" in names and get("aria-hidden").lower() == "true"):
        return True
    if "role" in names and get("role").lower() in _BOILER_ROLES:
        return True
    classes = get("class") if "class" in names else None
    class_verdict = _boiler_classes(classes) if classes else _NOT_BOILER
    if (class_verdict and _names_boilerplate(class_verdict, tag, element)) or (
        "id" in names and (ident := get("id")) and _names_boilerplate(_boiler_token(ident), tag, element)
        and not (classes and _names_text(classes.split()))
        and not (tag in _HEADING_TAGS and _spells_heading(ident, element))
    ):
        # Broken markup (closing tags lost) can make a cookie banner or a menu swallow the
        # rest of the page: a block holding the headline or the article is not boilerplate.
        return not _swallows_article(element)
    return "style" in names and _HIDDEN_STYLE.search(get("style")) is not None


_ID_WORDS = re.compile(r"[^\W\d_]+")


def _spells_heading(ident: str, heading: Element) -> bool:
    """The heading's id is an anchor made of its own words ("nav_schredder_statt__0" on "Schredder statt
    Ofen", for a table of contents), not a name of navigation: two of its words are the heading's."""
    words = {w.casefold() for w in _ID_WORDS.findall(" ".join(heading.itertext()))}
    return sum(w.casefold() in words for w in _ID_WORDS.findall(ident)) >= 2


def _attached(node: Element, root: Element) -> bool:
    """Whether ``node`` is still inside ``root`` (an ancestor may have been dropped)."""
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def remove_boilerplate(element: Element, selectors: Iterable[str]) -> int:
    """Drop every descendant matching one of the CSS ``selectors`` (text after it kept); how many were removed."""
    removed = 0
    for selector in selectors:
        for node in select(element, selector):
            if node is element or not _attached(node, element):
                continue  # the element itself, or already gone with an ancestor
            drop_tree(node)
            removed += 1
    return removed


TITLE_SCAN_CHARS = 20_000
"""Characters of a title-like text (a title, a heading, a site name) read at most. The stored fields are
capped far below (parsers/release.py FIELD_CAPS, cut there at a word boundary); a hostile page's megabyte
``<h1>`` would otherwise cost seconds in every step that compares, splits and dates titles."""


def _squashed_normal(squashed: str) -> str | None:
    """``squashed`` (a :func:`squash` result) when :func:`normalize` gives it back unchanged, else None.

    Told without normalize's searches for most texts (a page's paragraphs and titles: ~70 a page):
    ``str.split`` took every whitespace character, so no tab, newline or double space is left and the ends
    are stripped. An ASCII text is then NFC and holds none of normalize's other characters (the invisible
    ones, the ``<br>`` marker: not ASCII). Any other text holds none of them either when ``str.isprintable``
    accepts it (each is a control, format, private-use or separator character), and then only NFC is asked.
    """
    if squashed.isascii() or (squashed.isprintable() and is_normalized("NFC", squashed)):
        return squashed
    return None


def _squash_and_normal(text: str) -> tuple[str, bool]:
    """``squash(text)``, and whether :func:`_squashed_normal` accepts it (normalize would give it back unchanged).

    One look at the characters where :func:`squash` takes its shortcut: a printable text without a double space
    is squashed by stripping its ends, and what remains is printable too, so only ASCII or NFC is left to ask
    (the printable check is not made twice over a paragraph)."""
    if text.isprintable() and "  " not in text:
        squashed = text.strip(" ")
        return squashed, squashed.isascii() or is_normalized("NFC", squashed)
    squashed = " ".join(text.split())  # squash's other way (its shortcut was just refused)
    return squashed, _squashed_normal(squashed) is not None


_ESCAPED_ENTITY = re.compile(r"&(?:[a-z][a-z0-9]{1,31}|#[0-9]{1,7}|#x[0-9a-f]{1,6});", re.I)
_INLINE_MARKUP = re.compile(r"</?(?:a|abbr|b|cite|em|font|i|mark|q|s|small|span|strong|sub|sup|u)\b[^<>]{0,500}>", re.I)
_BLOCK_MARKUP = re.compile(r"</?(?:br|div|h[1-6]|li|ol|p|ul)\b[^<>]{0,500}>", re.I)


def markup_decoded(text: str) -> str:
    """A text that carries markup as text, as a reader sees it: entities unescaped, tags dropped.

    Meta values and JSON-LD strings are written by CMSs that escape twice ("&amp;amp;" arrives as "&amp;",
    WordPress writes "&#8217;" into JSON) or paste the lead's HTML into the description ("For more, see
    <a href=...>how to stop spending</a>"). A text without "&" or "<" comes back as it is."""
    if "&" in text and _ESCAPED_ENTITY.search(text):
        text = html.unescape(text)
    if "<" in text:
        text = _BLOCK_MARKUP.sub(" ", _INLINE_MARKUP.sub("", text))
    return text


def _clean_title(text: str) -> str:
    text = text[:TITLE_SCAN_CHARS]
    if "&" in text or "<" in text:
        text = markup_decoded(text)
    squashed, same = _squash_and_normal(text)
    return squashed if same else normalize(squashed)


_clean_titles = ShortTextMemo(_clean_title)
"""Short text -> its :func:`clean_title`: a page cleans the same titles, headings and site names again and again
(10 a page, 7 of them asked before: the metadata's titles, then the headline's choice among them)."""
_CLEAN_TITLES = _clean_titles.answers


def clean_title(text: str | None) -> str:
    """Whitespace collapsed and normalised (the first :data:`TITLE_SCAN_CHARS` characters); empty string for none."""
    return _clean_titles(text) if text else ""


def element_text(element: Element | None) -> str:
    """The visible text of one element as a single normalised line (inline elements joined without gaps)."""
    if element is None:
        return ""
    paragraphs = block_paragraphs(element, skip_boilerplate=False)
    return normalize(" ".join(paragraphs)) if paragraphs else ""


_LINE_BREAK = "\ue000"  # private-use marker for a <br>, survives whitespace squashing
_SENTENCE_END = re.compile(r"[.!?…:;][\"'»”’)\]]*\s*$")
_SPEAKER_LABEL = re.compile(r"^\s*[^\s].{0,60}:\s*$", re.S)


_DATE_LINE_CHARS = 48
"""A line longer than this is no bare date line (a date, a weekday, a time, a separator or two)."""
_DIGIT = re.compile(r"\d")


def _is_date_line(line: str) -> bool:
    """A line that is a date and nothing else ("02.10.2024", "2 октября 2024, 14:30"): old sites print it above the
    headline with one ``<br>``, and it is a line of its own, not the headline's first words."""
    text = line.rpartition(_LINE_BREAK)[2].strip()  # the line the <br> ends
    if not text or len(text) > _DATE_LINE_CHARS or _DIGIT.search(text) is None:
        return False
    from govpress.parsers.dates import find_dates  # the dates module is the parse's; this module is also the run's

    found = find_dates(text)
    return len(found) == 1 and not text[: found[0][0]].strip(_DATE_EDGE) and not text[found[0][1]:].strip(_DATE_EDGE)


_DATE_EDGE = " \t\u00a0|/·•,.:;()[]-–—г"


def _plain_text(element: Element) -> str:
    return "".join(element.itertext())


def block_paragraphs(element: Element, *, exclude: Iterable[Element] = (), skip_boilerplate: bool = True) -> list[str]:
    """Text paragraphs of a content element, in order, each :func:`govpress.parsers.text.normalize`-d.

    Paragraph boundaries: block tags (``p``, ``li``, headings, ``blockquote``, ``div`` ...),
    two ``<br>`` in a row, and one ``<br>`` after a sentence end. A ``<b>Speaker:</b>`` label
    after a ``<br>`` starts its own paragraph and stays at its start. Scripts, navigation,
    figures and captions, share/related/subscribe blocks (``skip_boilerplate``) and the
    ``exclude``-d subtrees are dropped; adjacent identical paragraphs are kept once.
    """
    excluded = set(exclude)
    # Within verdicts_held (a tree that is read, never changed), the paragraphs of a walk from a block element are
    # kept: a later walk (the date region holding the body) that reaches that element takes them instead of walking
    # its subtree again. The same paragraphs, since a block element starts and ends with its paragraphs flushed, so
    # what its subtree gives depends only on the subtree, when neither walk excludes anything inside it; the only
    # link with what came before is the drop of a paragraph equal to the one before it, repeated below.
    held = _held.paragraphs if skip_boilerplate else None
    holding: set[Element] = set()  # the elements that hold an excluded one: their subtrees are walked each time
    if held is not None:
        for node in excluded:
            for ancestor in node.iterancestors():
                if ancestor in holding:
                    break
                holding.add(ancestor)
        known = held.get(element)
        if known is not None and element not in holding:
            return list(known)
    out: list[str] = []
    buf: list[str] = []
    pending_br = 0

    def flush() -> None:
        nonlocal pending_br
        pending_br = 0
        if not buf:
            return
        joined = "".join(buf)
        if joined.isspace():  # the markup's line breaks between blocks (~30 a page): no paragraph, nothing to squash
            buf.clear()
            return
        # A single <br> inside a paragraph stays a line break (repair_paragraphs rejoins wrapped lines).
        squashed, same = _squash_and_normal(joined)
        if same:
            text = squashed
            if squashed:
                note_settled(squashed)  # the repair and the chrome test take it as it is
        else:
            text = normalize(squashed.replace(_LINE_BREAK, "\n")).strip()
        buf.clear()
        if text and (not out or out[-1] != text):
            out.append(text)

    def resolve_br(next_is_speaker: bool = False, following: str = "") -> None:
        """A pending <br> run becomes a paragraph break or a space, decided by what precedes and follows (the next
        text, ``following``: a date alone on the next line is a line of its own)."""
        nonlocal pending_br
        if not pending_br:
            return
        if (pending_br >= 2 or next_is_speaker or _SENTENCE_END.search(line := "".join(buf)) or _is_date_line(line)
                or _is_date_line(following)):
            flush()
        else:
            buf.append(_LINE_BREAK)
        pending_br = 0

    skipped = False  # the last "start" skipped its subtree: its "end" only contributes its tail
    # The verdicts held for this parse, read here without a call: the earlier walks judged most of these nodes.
    verdicts = held_verdicts()
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event == "start":
            tag = node.tag
            if node is not element and (
                node in excluded or (tag in SKIP_TAGS and not (tag == "form" and wrapper_form(node)))
                or (skip_boilerplate and (is_boilerplate(node) if (known := verdicts.get(node)) is None else known))
            ):
                walker.skip_subtree()
                skipped = True
                continue
            if tag == "br":
                pending_br += 1
                continue
            if tag in ("b", "strong") and pending_br:
                resolve_br(next_is_speaker=bool(_SPEAKER_LABEL.match(_plain_text(node))))
            if tag in BLOCK_TAGS:
                if buf:  # flush() only with text to flush (a block right after another finds the buffer empty)
                    flush()
                else:
                    pending_br = 0
                if held is not None and (known := held.get(node)) is not None and node not in holding:
                    for text in known:
                        if not out or out[-1] != text:
                            out.append(text)
                    walker.skip_subtree()
                    skipped = True
                    continue
            elif tag in _CELL_TAGS:
                buf.append(" ")
            text = node.text  # read once: lxml builds a new string at every read
            if text:
                # A text with a letter in it settles a pending <br> run (resolve_br); whitespace does not. Written out
                # here and below rather than as a function: ~40 texts a page, most with no <br> pending.
                if pending_br and not text.isspace():
                    resolve_br(following=text)
                buf.append(text)
        elif event == "end":
            if skipped:
                skipped = False
            elif node.tag in BLOCK_TAGS:
                if buf:
                    flush()
                else:
                    pending_br = 0
            if node is not element and (tail := node.tail):
                if pending_br and not tail.isspace():
                    resolve_br(following=tail)
                buf.append(tail)
        elif tail := node.tail:  # a comment or processing instruction: only its tail is text
            if pending_br and not tail.isspace():
                resolve_br()
            buf.append(tail)
    flush()
    if held is not None and element.tag in BLOCK_TAGS and element not in holding:
        held[element] = tuple(out)
    return out


# Parts of a heading that label it rather than name it (Government Site Builder "Thema", kickers).
_HEADING_LABEL = re.compile(
    r"(?:^|[-_])(?:category|kicker|topline|dachzeile|overline|eyebrow|rubric|label|aural|sr-only|visually-hidden|hidden)(?:$|[-_])",
    re.I,
)


def heading_text(heading: Element) -> str:
    """A heading's text without its kicker/category label and screen-reader-only parts (read once per heading
    within :func:`verdicts_held`)."""
    return _held_answer(_held.headings, heading, _heading_text)


# The markup's indentation (a line break or a tab) before a colon or a full stop that a child element writes
# (FAZ: "<span>Abrechnung</span>\n\t<span>: </span>"): no space a writer typed, so none in the headline.
_INDENT_BEFORE_MARK = re.compile(r"[ \t]*[\n\t]\s*(?=[:;,.!?])")


def _heading_text(heading: Element) -> str:
    if not len(heading) and isinstance(heading.tag, str):
        # A heading without children is its own text alone (the walk and its fallback both read only that).
        return clean_title(heading.text or "")
    parts: list[str] = []
    walker = etree.iterwalk(heading, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event == "start":
            if node is not heading and (
                node.tag in ("script", "style") or any(_HEADING_LABEL.search(c) for c in (node.get("class") or "").split())
            ):
                walker.skip_subtree()
                continue
            if node.tag == "br":
                parts.append(" ")  # "Headline<br>Second line" is two lines, never one glued word
            if node.text:
                parts.append(node.text)
        elif event == "end":
            if node is not heading and node.tail:
                parts.append(node.tail)
        elif node.tail:
            parts.append(node.tail)
    text = clean_title(_INDENT_BEFORE_MARK.sub("", "".join(parts)))
    return text or clean_title(" ".join(heading.itertext()))
