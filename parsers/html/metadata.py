"""What a page says about itself: titles, description, raw date strings, language, canonical,
``hreflang``, keywords, site name and the element it marks as the article body.

:func:`page_metadata` indexes the one lxml tree in a single pass (:class:`PageIndex`) and then
reads each channel with its own function: :func:`read_title_tags`, :func:`read_jsonld_channel`,
:func:`read_meta_dates`, :func:`read_time_and_hentry`, :func:`read_links`, :func:`read_keywords`.
Dates stay raw strings with their channel: the date finder reads them in the source's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from govpress.parsers.html.blocks import clean_title, element_text, heading_text, held_verdicts, is_boilerplate
from govpress.parsers.html.jsonld import read_jsonld
from govpress.parsers.html.links import absolute, canonical_and_hreflang, primary_language
from govpress.parsers.html.titles import site_name_keys, strip_site_keys, strip_site_suffix
from govpress.parsers.html.tree import Element, squash, text_of

__all__ = ["PageIndex", "PageMeta", "page_metadata"]


@dataclass(slots=True)
class PageMeta:
    """What a page says about itself, as raw strings (dates are parsed by the caller with the source's zone)."""

    url: str
    html_title: str | None = None
    """``<title>`` as written (whitespace collapsed)."""
    og_title: str | None = None
    twitter_title: str | None = None
    jsonld_headline: str | None = None
    hentry_name: str | None = None
    h1: list[str] = field(default_factory=list)
    description: str | None = None
    """``meta name=description``, else og:description, else JSON-LD description, else h-entry p-summary."""
    og_description: str | None = None
    published: list[tuple[str, str]] = field(default_factory=list)
    """(channel, raw string) candidates: jsonld, meta, itemprop, hentry, time (first ``<time>`` of the article), dateline."""
    modified: list[tuple[str, str]] = field(default_factory=list)
    canonical: str | None = None
    html_lang: str | None = None
    og_locale: str | None = None
    jsonld_language: str | None = None
    hreflang: dict[str, str] = field(default_factory=dict)
    """Language tag (lower case, as written) -> absolute URL; includes the page's own language and x-default."""
    keywords: list[str] = field(default_factory=list)
    site_name: str | None = None
    site_names: list[str] = field(default_factory=list)
    """Every name the page gives its site: og:site_name, application-name, JSON-LD publisher."""
    jsonld_body: str | None = None
    jsonld_types: list[str] = field(default_factory=list)
    hentry_summary: str | None = None
    content_element: Element | None = None
    """The element the page marks as the article body: h-entry ``e-content`` or ``itemprop=articleBody``."""

    def title_candidates(self, learnt_site_names: tuple[str, ...] | list[str] = ()) -> list[str]:
        """Titles from metadata, most trusted first, site names stripped, duplicates dropped."""
        keys = site_name_keys([*self.site_names, *learnt_site_names])  # keyed once for the five titles
        seen: list[str] = []
        asked: list[str] = []
        for raw in (self.jsonld_headline, self.og_title, self.twitter_title, self.hentry_name, self.html_title):
            if raw and raw not in asked:  # the same title again (og:title = JSON-LD headline) gives the same candidate
                asked.append(raw)
                cleaned = strip_site_suffix(strip_site_keys(raw, keys), self.site_name)
                if cleaned and cleaned not in seen:
                    seen.append(cleaned)
        return seen

    @property
    def language(self) -> str | None:
        """The declared language (ISO 639-1 primary subtag): ``<html lang>``, JSON-LD inLanguage, og:locale."""
        for raw in (self.html_lang, self.jsonld_language, self.og_locale):
            code = primary_language(raw)
            if code:
                return code
        return None


_DATELINE_CLASS = re.compile(r"date|datum|time|publish|posted|dateline|дата", re.I)
# Dates of something other than the publication: an edit, an expiry, an event, a deadline.
_NOT_PUBLISHED_CLASS = re.compile(r"update|modif|changed|expire|event|deadline|geändert|aktualis", re.I)


# The site's home page, in any of its languages: "/", "/ru/", "/index.php", "https://host/az".
_HOME_HREF = re.compile(
    r"^(?:(?:https?://[^/]+)?/(?:[a-z]{2}(?:-[a-z]{2})?/?)?(?:index\.\w+)?|https?://[^/]+|(?:\./)?index\.\w+)$", re.I)


_HOME_VERDICTS: dict[str, bool] = {}
"""href -> :func:`_home_link`'s answer: pages repeat their menus' links (16 asked a page; 362 distinct hrefs in 164 generated pages)."""


def _home_link(href: str | None) -> bool:
    """An href to the site's home page (see :data:`_HOME_HREF`)."""
    if not href or len(href) >= 48:
        return False
    verdict = _HOME_VERDICTS.get(href)
    if verdict is None:
        verdict = _HOME_HREF.match(href.strip()) is not None
        if len(_HOME_VERDICTS) >= 10_000:
            _HOME_VERDICTS.clear()
        _HOME_VERDICTS[href] = verdict
    return verdict


_DATELINE_TAGS = frozenset({"span", "div", "p", "small", "em", "strong", "li", "dd", "time"})


_NO_CLASS = (False, False, False, False, False)
_CLASS_KINDS: dict[str, tuple[bool, bool, bool, bool, bool]] = {}


def _class_kind(value: str) -> tuple[bool, bool, bool, bool, bool]:
    """(subtitle, h-entry, date-like, other-date-like, breadcrumb) of a class or id attribute, judged once per
    distinct value: a page repeats the same few hundred values on thousands of elements."""
    kind = _CLASS_KINDS.get(value)
    if kind is None:
        words = value.lower().split()
        kind = (not SUBTITLE_CLASSES.isdisjoint(words), "hentry" in words or "h-entry" in words,
                _DATELINE_CLASS.search(value) is not None, _NOT_PUBLISHED_CLASS.search(value) is not None,
                "breadcrumb" in value.lower())
        if not any(kind):
            kind = _NO_CLASS  # one object for "none of them": the index skips such elements by identity
        if len(_CLASS_KINDS) > 50_000:
            _CLASS_KINDS.clear()
        _CLASS_KINDS[value] = kind
    return kind


SUBTITLE_CLASSES = frozenset({"subtitle", "sub-title", "subheadline", "sub-headline", "subheading", "standfirst", "lead", "deck", "dek"})
"""Class words of a subtitle or standfirst block."""


class PageIndex:
    """One pass over the tree: the elements the metadata readers need, by name, itemprop and class."""

    _NAMES = ("meta", "link", "script", "time", "h1", "a", "base", "title", "article")
    _WALKED_NAMES = tuple(name for name in _NAMES if name != "a")

    def __init__(self, root: Element, nodes: list[Element] | None = None) -> None:
        """``nodes``: every node of the tree in document order (``list(root.iter())``) when the caller holds
        them (the generic parser does, for the whole parse): read from the list instead of walking the tree
        again. Comments and processing instructions have no attribute names, so they are passed over as in
        the walk of elements."""
        self.root = root
        self.by_name: dict[str, list[Element]] = {name: [] for name in self._NAMES}
        self.itemprop: dict[str, list[Element]] = {}
        self.hentries: list[Element] = []
        self.subtitled: list[Element] = []
        """Elements classed subtitle/lead/standfirst..., in document order."""
        self.datelines: list[Element] = []
        self.root_links: list[tuple[str, str]] = []
        """(href, text) of links to a home page ("/", "/ru/", "index.php", "https://host/"): a logo names the site."""
        self.breadcrumbs: list[Element] = []
        """Elements classed (or with an id) ``breadcrumb*``, the outermost first."""
        self.meta: dict[str, list[str]] = {}
        by_name = self.by_name
        home: list[Element] = []
        # Two walks, both cheaper than one that reads every element's tag and attributes in
        # Python: the named tags (but <a>, thousands on some pages) are picked out by lxml itself,
        # and the attribute walk asks each element for its attributes once (most have none,
        # or a class and nothing else); a link is an <a> with an href.
        for element in root.iter(*self._WALKED_NAMES):
            by_name[element.tag].append(element)
        anchors = by_name["a"]
        itemprop = self.itemprop
        kinds = _CLASS_KINDS
        for element in root.iter(etree.Element) if nodes is None else nodes:  # elements only: comments and PIs have no attributes
            # The attributes as (name, value) pairs in one call: a name list and then a get() per value built
            # each name twice (~28% of the walk timed apart on the generated pages). An HTML tree has no name twice.
            items = element.items()
            if not items:
                continue
            if len(items) == 1:
                name, value = items[0]
                if name == "class":  # the commonest case by far
                    if value and (kinds.get(value) or _class_kind(value)) is not _NO_CLASS:
                        self._add_classed(element, value, None)
                elif name == "href":
                    if len(home) < 5 and element.tag == "a" and _home_link(value):
                        home.append(element)
                elif name == "hreflang":
                    if element.tag == "a" and value:
                        anchors.append(element)
                elif name == "itemprop":
                    if value:
                        itemprop.setdefault(value, []).append(element)
                elif name == "id":
                    if value and ((kinds.get(value) or _class_kind(value)) is not _NO_CLASS or "readcrumb" in value):
                        self._add_classed(element, None, value)
                continue
            attributes = dict(items)
            get = attributes.get
            if ("href" in attributes or "hreflang" in attributes) and element.tag == "a":
                if "hreflang" in attributes and get("hreflang"):
                    anchors.append(element)
                if len(home) < 5 and _home_link(get("href")):
                    home.append(element)
            if "itemprop" in attributes:
                prop = get("itemprop")
                if prop:
                    itemprop.setdefault(prop, []).append(element)
            classes = get("class")
            ident = get("id")
            # Most classes and ids say none of the kinds: the element is filed nowhere.
            if (classes and (kinds.get(classes) or _class_kind(classes)) is not _NO_CLASS) or (
                    ident and ((kinds.get(ident) or _class_kind(ident)) is not _NO_CLASS or "readcrumb" in ident)):
                self._add_classed(element, classes, ident)
        for link in home:
            text = squash("".join(link.itertext()))
            if text and len(text.split()) <= 6:
                self.root_links.append((link.get("href", "").strip(), text))
        for meta in by_name["meta"]:
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = meta.get(attr)
                if key and key.strip():
                    content = meta.get("content")
                    if content and content.strip():
                        self.meta.setdefault(key.strip().lower(), []).append(content.strip())
                    break

    def _add_classed(self, element: Element, classes: str | None, ident: str | None) -> None:
        """File an element with a class or an id under the kinds they say (subtitle, h-entry, dateline, breadcrumb)."""
        class_kind = (_CLASS_KINDS.get(classes) or _class_kind(classes)) if classes else _NO_CLASS
        if class_kind[0] and len(self.subtitled) < 50:
            self.subtitled.append(element)
        if class_kind[1]:
            self.hentries.append(element)
        if element.tag in _DATELINE_TAGS and len(self.datelines) < 50:
            id_kind = _class_kind(ident) if ident else _NO_CLASS
            if (class_kind[2] or id_kind[2]) and not (class_kind[3] or id_kind[3]):
                self.datelines.append(element)
        if (class_kind[4] or (ident and "readcrumb" in ident)) and len(self.breadcrumbs) < 10:
            self.breadcrumbs.append(element)

    def meta_content(self, *names: str) -> list[str]:
        """Contents of ``<meta>`` whose name/property/itemprop/http-equiv is one of ``names`` (any case)."""
        found: list[str] = []
        for name in names:
            found.extend(self.meta.get(name.lower(), ()))
        return found

    def first(self, name: str) -> Element | None:
        found = self.by_name[name]
        return found[0] if found else None


def _first(values: list[str]) -> str | None:
    for value in values:
        cleaned = clean_title(value)
        if cleaned:
            return cleaned
    return None


def read_title_tags(index: PageIndex, meta: PageMeta) -> None:
    """``<title>``, og/twitter titles, site names, descriptions, ``<html lang>``, og:locale, ``<h1>`` texts."""
    title = index.first("title")
    if title is not None:
        meta.html_title = clean_title("".join(title.itertext())) or None
    meta.og_title = _first(index.meta_content("og:title"))
    meta.twitter_title = _first(index.meta_content("twitter:title"))
    names = [clean_title(v) for v in index.meta_content("og:site_name", "application-name", "apple-mobile-web-app-title")]
    meta.site_names = [n for n in dict.fromkeys(names) if n]
    meta.site_name = meta.site_names[0] if meta.site_names else None
    meta.og_description = _first(index.meta_content("og:description"))
    meta.description = _first(index.meta_content("description", "dc.description", "dcterms.description")) or meta.og_description
    meta.og_locale = _first(index.meta_content("og:locale"))
    lang = index.root.get("lang") or index.root.get("xml:lang") if index.root.tag == "html" else None
    meta.html_lang = lang.strip() if lang and lang.strip() else None
    for heading in index.by_name["h1"]:
        text = heading_text(heading)
        if text and text not in meta.h1:
            meta.h1.append(text)


def read_jsonld_channel(index: PageIndex, meta: PageMeta) -> None:
    """Headline, dates, body, language, keywords and publisher from JSON-LD (articles before pages)."""
    scripts = [s.text or "" for s in index.by_name["script"] if "ld+json" in (s.get("type") or "").lower()]
    if not scripts:
        return
    article = read_jsonld(scripts)
    meta.jsonld_types = article.types
    if article.headline:
        meta.jsonld_headline = clean_title(article.headline) or None
    meta.published.extend(("jsonld", v) for v in article.published)
    meta.modified.extend(("jsonld", v) for v in article.modified)
    meta.jsonld_body = article.body
    if not meta.description and article.description:
        meta.description = clean_title(article.description) or None
    meta.jsonld_language = article.language
    meta.keywords.extend(article.keywords)
    if article.publisher:
        publisher = clean_title(article.publisher)
        if publisher and publisher not in meta.site_names:
            meta.site_names.append(publisher)
        meta.site_name = meta.site_name or publisher or None


_PUBLISHED_META = (
    "article:published_time", "og:published_time", "published_time",
    "date", "dc.date", "dc.date.issued", "dc.date.created", "dcterms.date", "dcterms.issued",
    "dcterms.created", "pubdate", "publishdate", "publish-date", "publication_date", "article.published",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "datepublished", "mediator_published_time",
    # Recommendation and analytics tags that news CMSs fill with the publication time (Japanese, Nordic, Baltic
    # papers; wire services), and the snake_case spellings of the names above.
    "cxenseparse:recs:publishtime", "publish_date", "pub_date", "date_published", "original-publish-date",
    "article:published", "og:article:published_time",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "dcterms.modified", "dc.date.modified", "datemodified", "last-modified")


def read_meta_dates(index: PageIndex, meta: PageMeta) -> None:
    """``<meta>`` dates: OpenGraph article, Dublin Core, the common CMS names; modification dates apart."""
    meta.published.extend(("meta", v) for v in index.meta_content(*_PUBLISHED_META))
    meta.modified.extend(("meta", v) for v in index.meta_content(*_MODIFIED_META))


def _hentry_root(entries: list[Element]) -> Element | None:
    """The page's one h-entry (or legacy hentry); a listing with many entries has none that counts."""
    if len(entries) == 1:
        return entries[0]
    with_content = [e for e in entries if _by_class(e, "e-content", "entry-content") is not None]
    return with_content[0] if len(with_content) == 1 else None


def _by_class(scope: Element, *names: str) -> Element | None:
    """The first descendant carrying one of the class words ``names``."""
    wanted = set(names)
    for element in scope.iterdescendants():
        classes = element.get("class") if isinstance(element.tag, str) else None
        if classes and wanted.intersection(classes.split()):
            return element
    return None


_HENTRY_PARTS = (frozenset({"p-name", "entry-title"}), frozenset({"dt-published", "published"}),
                 frozenset({"dt-updated", "updated"}), frozenset({"p-summary", "entry-summary"}),
                 frozenset({"e-content", "entry-content"}))
"""The class words of an h-entry's name, publication and update dates, summary and content."""


def _first_by_classes(scope: Element, groups: tuple[frozenset[str], ...]) -> list[Element | None]:
    """For each group of class words, :func:`_by_class`'s answer (the first descendant carrying one of them), in one
    walk of ``scope`` instead of one a group."""
    found: list[Element | None] = [None] * len(groups)
    missing = len(groups)
    for element in scope.iterdescendants():
        classes = element.get("class") if isinstance(element.tag, str) else None
        if not classes:
            continue
        words = classes.split()
        for number, wanted in enumerate(groups):
            if found[number] is None and not wanted.isdisjoint(words):
                found[number] = element
                missing -= 1
        if not missing:
            break
    return found


def _stamp_value(element: Element) -> str | None:
    """A date element's machine value (datetime/title/content/value attribute), else its text."""
    for attr in ("datetime", "title", "content", "value"):
        value = element.get(attr)
        if value and value.strip():
            return value.strip()
    return text_of(element) or None


def read_time_and_hentry(index: PageIndex, meta: PageMeta) -> None:
    """``itemprop=datePublished``, the h-entry's name/dates/summary/content, ``<time>`` in the article, date-classed elements."""
    for element in index.itemprop.get("datePublished", []):
        value = _stamp_value(element)
        if value:
            meta.published.append(("itemprop", value))
    for element in index.itemprop.get("dateModified", []):
        value = _stamp_value(element)
        if value:
            meta.modified.append(("time", value))

    entry = _hentry_root(index.hentries)
    if entry is not None:
        name, published, updated, summary, content = _first_by_classes(entry, _HENTRY_PARTS)
        if name is not None:
            meta.hentry_name = heading_text(name) or None
        if published is not None and (value := _stamp_value(published)):
            meta.published.append(("hentry", value))
        if updated is not None and (value := _stamp_value(updated)):
            meta.modified.append(("hentry", value))
        if summary is not None:
            meta.hentry_summary = element_text(summary) or None
        if content is not None:
            meta.content_element = content
    if meta.content_element is None:
        for body in index.itemprop.get("articleBody", []):
            if body.tag not in ("meta", "link"):
                meta.content_element = body
                break
    if not meta.description and meta.hentry_summary:
        meta.description = meta.hentry_summary

    scope = index.first("article")
    if scope is None:
        scope = entry
    if scope is not None:
        times = [t for t in scope.iter("time") if t.get("datetime")]
    else:
        times = [t for t in index.by_name["time"] if t.get("datetime")]
        if len(times) > 1:
            times = []  # many <time> on a page without an <article>: a listing, not a date line
    for element in times[:1]:
        meta.published.append(("time", element.get("datetime").strip()))
    for text in _dateline_texts(index.datelines):
        meta.published.append(("dateline", text))


def _dateline_texts(elements: list[Element]) -> list[str]:
    """Short texts of elements classed as dates (``span.press_location_time``) outside navigation and headers."""
    found: list[str] = []
    for element in elements:
        text = text_of(element)
        if not (4 <= len(text) <= 80) or not any(map(str.isdigit, text)):
            continue
        if _in_boilerplate_or_header(element) or _in_teaser_link(element):
            continue
        found.append(text)
        if len(found) >= 3:
            break
    return found


_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _in_teaser_link(element: Element) -> bool:
    """Inside a link that holds a heading: a teaser card of another page, its date that page's ("<a><h2>DW News on
    Facebook <span class=date>11.07.2017</span></h2></a>"). A permalink around the page's own date holds no heading."""
    link = next(element.iterancestors("a"), None)
    return link is not None and next(link.iter(*_HEADING_TAGS), None) is not None


def _in_boilerplate_or_header(element: Element) -> bool:
    """An ancestor below ``<body>`` is boilerplate or a ``<header>`` (each ancestor's tag read once)."""
    verdicts = held_verdicts()
    for parent in element.iterancestors():
        tag = parent.tag
        if tag == "html" or tag == "body":
            continue
        if (is_boilerplate(parent) if (known := verdicts.get(parent)) is None else known) or tag == "header":
            return True
    return False


def read_links(index: PageIndex, meta: PageMeta) -> None:
    """Canonical URL (``<base href>`` honoured) and ``hreflang`` language versions."""
    base = meta.url
    for element in index.by_name["base"]:
        if element.get("href"):
            base = absolute(meta.url, element.get("href")) or meta.url
            break
    links = [
        ((element.get("rel") or "").lower().split(), element.get("href"), element.get("hreflang"))
        for element in index.by_name["link"]
        if element.get("href")
    ]
    anchors = [(a.get("hreflang"), a.get("href")) for a in index.by_name["a"] if a.get("hreflang") and a.get("href")]
    meta.canonical, meta.hreflang = canonical_and_hreflang(links, anchors, base, meta.url, _first(index.meta_content("og:url")))


def read_keywords(index: PageIndex, meta: PageMeta) -> None:
    """``keywords``, ``news_keywords`` and ``article:tag``, after JSON-LD's, cleaned and deduplicated."""
    for value in index.meta_content("keywords", "news_keywords"):
        meta.keywords.extend(k.strip() for k in re.split(r"[,;]", value) if k.strip())
    meta.keywords.extend(index.meta_content("article:tag"))
    meta.keywords = list(dict.fromkeys(clean_title(k) for k in meta.keywords if clean_title(k)))


def page_metadata(root: Element, url: str, index: PageIndex | None = None) -> PageMeta:
    """Collect titles, description, dates (raw), canonical, languages, hreflang, keywords, site name."""
    index = index or PageIndex(root)
    meta = PageMeta(url=url)
    read_title_tags(index, meta)
    read_jsonld_channel(index, meta)
    read_meta_dates(index, meta)
    read_time_and_hentry(index, meta)
    read_links(index, meta)
    read_keywords(index, meta)
    return meta
