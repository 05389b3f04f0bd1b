"""The one challenge/block detector (govpress.parsers.blocked), on bytes with a status and headers as the fetcher
sees a response, and on parsed trees as the parsers see a page."""

from __future__ import annotations

import pytest

from govpress.parsers.blocked import Page, blocked_reason, fetch_verdict_holds, looks_like_html
from govpress.parsers.html import make_soup
from testpaths import CONSTRUCTED_SITES

ARTICLE = (
    b"<!doctype html><html><head><title>Minister meets counterpart</title></head><body><article><h1>Minister meets</h1>"
    b"<p>The talks covered trade.</p></article></body></html>"
)
HTML = {"content-type": "text/html; charset=utf-8"}
PROSE = b"<p>The ministers discussed trade, energy and transport. They agreed to meet again in spring. </p>"


def response(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """The verdict on a response, as the fetcher asks for it."""
    return blocked_reason(body, status=status, headers=headers)


def test_real_small_article_is_not_blocked() -> None:
    assert response(200, HTML, ARTICLE) is None


def test_aws_waf_header() -> None:
    assert "AWS WAF" in response(202, {"X-Amzn-Waf-Action": "challenge"}, b"")


def test_cloudflare_header_and_pages() -> None:
    assert "Cloudflare" in response(403, {"cf-mitigated": "challenge"}, b"")
    page = b"<html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>"
    assert "Cloudflare" in response(503, HTML, page)
    assert "Cloudflare" in response(200, HTML, page + b" " * 10000)


@pytest.mark.parametrize("status", [401, 403, 451])
def test_forbidding_statuses_are_blocks(status: int) -> None:
    assert str(status) in response(status, {}, b"")


def test_request_access_and_captcha_pages() -> None:
    page = b"<html><head><title>Request Access</title><link rel=stylesheet href=a.css></head><body>Please verify</body></html>"
    assert "Request Access" in response(200, HTML, page)
    captcha = b"<html><body><p>Please solve the CAPTCHA to continue</p></body></html>"
    assert "captcha" in response(200, HTML, captcha)


def test_phrases_in_a_long_article_body_do_not_count() -> None:
    long_article = ARTICLE.replace(b"The talks covered trade.", b"Journalists said access denied to them was wrong. " * 200)
    assert response(200, HTML, long_article) is None


def test_tiny_html_shell_without_article_signals() -> None:
    shell = b"<html><head><link rel=stylesheet href=/x.css><script src=/app.js></script></head><body><div id=root></div></body></html>"
    assert "tiny HTML page" in response(200, HTML, shell)
    # Tiny non-HTML (a feed, JSON) is not judged by that rule.
    assert response(200, {"content-type": "application/json"}, b'{"list": []}') is None
    assert response(200, {"content-type": "application/rss+xml"}, b"<rss><channel></channel></rss>") is None


def test_not_found_is_not_a_block() -> None:
    assert response(404, HTML, b"<html><title>Not found</title></html>") is None


def test_saved_real_pages_are_not_blocked(pages_dir) -> None:
    types = {".html": "text/html", ".xml": "application/xml", ".json": "application/json"}
    pages = [p for p in sorted(pages_dir.rglob("*")) if p.suffix in types]
    assert pages
    for page in pages:
        assert response(200, {"content-type": types[page.suffix]}, page.read_bytes()) is None, page.name


# --- the rules one by one ---------------------------------------------------------------------


_RULE_CASES = [pytest.param(*case) for case in [
        # 1. headers, whatever the body
        (200, {"x-amzn-waf-action": "captcha"}, ARTICLE, "AWS WAF captcha [x-amzn-waf-action header]"),
        (200, {"x-amzn-waf-action": ""}, ARTICLE, "AWS WAF challenge [x-amzn-waf-action header]"),
        (200, {"cf-mitigated": "Challenge"}, ARTICLE, "Cloudflare challenge [cf-mitigated header]"),
        # 2. a challenge title; with any other status than 200 the status is named
        (200, HTML, b"<html><head><title>Access Denied</title></head><body>x</body></html>", "Access Denied page"),
        (429, HTML, b"<html><head><title>Just a moment...</title></head></html>", "Cloudflare challenge (Just a moment...) (HTTP 429)"),
        (200, HTML, b"<html><head><title>Attention Required! | Cloudflare</title></head></html>", "Cloudflare block (Attention Required)"),
        (200, HTML, b"<html><head><title>\xd0\x92\xd1\x8b \xd0\xbd\xd0\xb5 \xd1\x80\xd0\xbe\xd0\xb1\xd0\xbe\xd1\x82?</title></head></html>",
         "captcha page"),
        # 3. markers and phrases on a page without content of its own
        (200, HTML, b"<html><body><div class='g-recaptcha'></div></body></html>", "captcha page"),
        (200, HTML, b"<html><body><script src='/_Incapsula_Resource?x=1'></script></body></html>", "Imperva/Incapsula challenge"),
        (200, HTML, b"<html><body><noscript>Please enable JavaScript and cookies</noscript></body></html>", "browser check"),
        # 4. statuses that refuse access
        (403, HTML, b"<html><body>Forbidden</body></html>", "HTTP 403 without content"),
        (403, HTML, ARTICLE.replace(b"<p>The talks covered trade.</p>", PROSE * 30), "HTTP 403"),
        (451, {}, b"", "HTTP 451 (unavailable for legal reasons)"),
        # 5. tiny HTML without article markup or prose
        (200, HTML, b"<html><body><div>Loading</div></body></html>", "tiny HTML page (44 bytes) without article text"),
        (200, {}, b"<!-- a comment --><!DOCTYPE html><div>Loading</div>", "tiny HTML page (51 bytes) without article text"),
        # content
        (200, HTML, b"<html><body><div>" + PROSE[3:-5] + b"</div></body></html>", None),
        (200, HTML, b"<html><head><script type='application/ld+json'>{\"articleBody\": \"...\"}</script></head></html>", None),
        (503, HTML, b"<html><body><h1>Service Unavailable</h1></body></html>", None),  # busy, not blocked: retried
        (200, {"content-type": "application/rss+xml"}, b"<rss><channel><title>Access denied</title></channel></rss>", None),
        (200, {"content-type": "application/json"}, b'{"title": "captcha"}', None),
]]


@pytest.mark.parametrize(("status", "headers", "body", "expected"), _RULE_CASES)
def test_rules(status: int, headers: dict[str, str], body: bytes, expected: str | None) -> None:
    assert response(status, headers, body) == expected


def test_a_long_article_keeps_its_title_and_its_scripts() -> None:
    body = (b"<html><head><title>Access denied: a new law on data access</title>"
            b"<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script></head><body><article>"
            + PROSE * 40 + b"<form class='comments'><div class='g-recaptcha'></div></form></article></body></html>")
    assert response(200, HTML, body) is None
    assert blocked_reason(make_soup(body)) is None
    # The same title on a page with little text is a block page.
    assert response(200, HTML, body.split(b"<body>")[0] + b"<body><p>Sorry.</p></body></html>") == "Access Denied page"


@pytest.mark.parametrize(
    ("content_type", "head", "expected"),
    [
        ("text/html; charset=utf-8", b"", True),
        ("application/xhtml+xml", b"", True),
        ("application/json", b"<html>", False),
        (None, b"  <!doctype html><html>", True),
        (None, b"\xef\xbb\xbf<html>", True),
        ("", b"<?xml version='1.0'?><!-- x --><html>", True),
        (None, b"<?xml version='1.0'?><rss>", False),
        (None, b'{"a": 1}', False),
    ],
)
def test_html_is_known_by_content_type_else_by_the_body(content_type: str | None, head: bytes, expected: bool) -> None:
    assert looks_like_html(content_type, head) is expected


def test_bytes_and_parsed_trees_get_the_same_verdict() -> None:
    """The fetcher reads bytes, the parsers a tree: one rule set, so one verdict on every constructed page."""
    pages = [p for p in sorted(CONSTRUCTED_SITES.rglob("*.html"))]
    assert len(pages) >= 20
    for page in pages:
        body = page.read_bytes()
        on_bytes, on_tree = blocked_reason(body, content_type="text/html"), blocked_reason(make_soup(body))
        assert (on_bytes is None) == (on_tree is None), (page, on_bytes, on_tree)
        assert (on_bytes is not None) == (page.parent.name == "challenges"), (page, on_bytes)


def test_a_normal_page_is_judged_without_extracting_its_text() -> None:
    page = Page(ARTICLE.replace(b"<p>The talks covered trade.</p>", PROSE * 60), "text/html")
    assert blocked_reason(page) is None
    assert "visible" not in vars(page)  # the cached text was never computed


def test_a_text_page_is_judged_on_its_opening_without_encoding_all_of_it() -> None:
    page = Page("<html><head><title>Minister visits</title></head><body>" + "<p>Word and word.</p>" * 5000, "text/html")
    assert blocked_reason(page) is None
    assert "raw" not in page.__dict__  # the rules read the first bytes; the 100 KB after them stay text


@pytest.mark.parametrize("filler", ["a", "ж", "\U0001f600", "\ud800"])  # 1, 2, 4 bytes, and dropped
def test_tiny_page_rule_counts_utf8_bytes_of_a_text_page(filler: str) -> None:
    shell = "<html><body><div>Loading</div></body></html>"
    for extra in range(4000, 4200, 7):
        text = shell + "<!--" + filler * extra + "-->"
        size = len(text.encode("utf-8", "ignore"))
        reason = blocked_reason(text, content_type="text/html")
        assert (reason == f"tiny HTML page ({size} bytes) without article text") == (size < 4096), (filler, extra)


def test_the_screened_marker_search_finds_what_searching_every_needle_finds() -> None:
    """Rule 3's markers are searched through shared screens (``_marker_in``); the answer must be the first
    marker group with any needle in the markup, as a search for every needle in order gives."""
    import random

    from govpress.parsers.blocked import _MARKERS, _SCREEN_OF, _marker_in
    from testpaths import PAGES

    def every_needle(markup: bytes) -> str | None:
        return next((reason for needles, reason in _MARKERS if any(needle in markup for needle in needles)), None)

    assert all(screen in needle for needle, screen in _SCREEN_OF.items())
    needles = [needle for group, _ in _MARKERS for needle in group]
    heads = [p.read_bytes()[:16384].lower() for p in [*sorted(CONSTRUCTED_SITES.rglob("*.html")),
                                                    *sorted(PAGES.rglob("*.html"))]]
    rng = random.Random(14)
    samples = list(heads)
    for head in heads:
        for count in (1, 2, 3):  # needles (and screens without their needles) put into real markup
            extra = [rng.choice(needles + list({*_SCREEN_OF.values()})) for _ in range(count)]
            at = rng.randrange(len(head) + 1)
            samples.append(head[:at] + b" ".join(extra) + head[at:])
    samples += [b" ".join(rng.sample(needles, rng.randint(1, 4))) for _ in range(500)]
    assert any(every_needle(s) is None for s in samples) and any(every_needle(s) for s in samples)
    for markup in samples:
        assert _marker_in(markup) == every_needle(markup)


def test_a_head_without_any_needle_is_cleared_without_a_substring_search() -> None:
    """Nearly every page's head has no marker needle: one pass of the automaton tells it, and the screened
    substring searches (16 over the whole head) run only for a head with a needle, where they pick the reason."""
    from govpress.parsers.blocked import _MARKERS, _marker_in

    class Counted(bytes):
        searches = 0

        def __contains__(self, needle: object) -> bool:
            Counted.searches += 1
            return super().__contains__(needle)  # type: ignore[operator]

    clean = Counted(ARTICLE.replace(b"<p>The talks covered trade.</p>", PROSE * 60).lower())
    assert _marker_in(clean) is None
    assert Counted.searches == 0
    for needles, reason in _MARKERS:  # every needle, at the start, inside and at the end of a clean head
        for needle in needles:
            for at in (0, len(clean) // 2, len(clean)):
                assert _marker_in(Counted(clean[:at] + needle + clean[at:])) == reason, needle


# --- the fetcher's verdict, taken over by the parsers -------------------------------------------


def _decoded(body: bytes, content_type: str | None) -> str:
    from govpress.parsers.html.tree import decode_page

    return decode_page(body, content_type)


@pytest.mark.parametrize(
    ("body", "content_type", "holds"),
    [
        (ARTICLE, "text/html; charset=utf-8", True),
        (ARTICLE, None, True),  # no type: both read the body as HTML by its start
        ("<html><head><title>Встреча</title></head><body><p>Министры</p></body></html>".encode(), "text/html", True),
        # another charset: the parser's text is not the bytes the fetcher judged
        ("<html><head><title>Встреча</title></head><body><p>Министры</p></body></html>".encode("cp1251"),
         "text/html; charset=windows-1251", False),
        (b"\xef\xbb\xbf" + ARTICLE, "text/html", False),  # the BOM is decoded away
        (ARTICLE.replace(b"trade", b"tr\x00ade"), "text/html", False),  # NUL bytes are removed before parsing
        (ARTICLE, "text/plain", False),  # the type said "not HTML" to the fetcher's rules; the parser's read it as HTML
        (ARTICLE, "application/octet-stream", False),
    ],
)
def test_the_fetchers_verdict_holds_only_for_the_same_bytes_read_as_the_same_kind(body: bytes, content_type: str | None,
                                                                                   holds: bool) -> None:
    assert fetch_verdict_holds(body, _decoded(body, content_type), content_type) is holds


def test_the_decodes_own_word_that_the_text_is_the_bytes_is_the_encodings(pages_dir) -> None:
    """decode_page_checked's flag is exactly whether the text encodes back to the body, and with it
    fetch_verdict_holds answers as it does encoding the text itself: saved real pages, BOMs, NUL bytes,
    other charsets (declared and detected), broken UTF-8, surrogates' bytes."""
    from govpress.parsers.html.tree import decode_page, decode_page_checked

    cyrillic = "<html><head><title>Встреча</title></head><body><p>Министры обсудили торговлю</p></body></html>"
    bodies = [page.read_bytes() for page in sorted(pages_dir.rglob("*.html"))][:40]
    bodies += [ARTICLE, PROSE, b"", b"\x00", cyrillic.encode(), cyrillic.encode("cp1251"), cyrillic.encode("koi8-r"),
               b"\xef\xbb\xbf" + ARTICLE, b"\xff\xfe" + cyrillic.encode("utf-16-le"), ARTICLE.replace(b"trade", b"tr\x00ade"),
               ARTICLE + b"\xff", ARTICLE.replace(b"trade", b"tr\xc3ade"), b"<p>\xed\xa0\x80</p>", "<p>é</p>".encode("latin-1")]
    exact = 0
    for body in bodies:
        for content_type in (None, "text/html", "text/html; charset=windows-1251", "text/html; charset=utf-8"):
            text, same = decode_page_checked(body, content_type)
            assert text == decode_page(body, content_type)
            assert same is (text.encode("utf-8", "ignore") == body)
            exact += same
            assert fetch_verdict_holds(body, text, content_type, same_bytes=same) is fetch_verdict_holds(body, text, content_type)
    assert 0 < exact < 4 * len(bodies)


def test_where_the_fetchers_verdict_holds_the_parsers_own_check_agrees(pages_dir) -> None:
    """No block on the fetcher's side (a 2xx, its headers) and fetch_verdict_holds: the parser's looks_blocked(text)
    finds none either. Every rule's page, the saved real pages, under several statuses and Content-Types."""
    types = {".html": "text/html", ".xml": "application/xml", ".json": "application/json"}
    bodies = [page.read_bytes() for page in sorted(pages_dir.rglob("*")) if page.suffix in types]
    bodies += [case.values[2] for case in _RULE_CASES] + [ARTICLE, PROSE, b"", b"<html></html>"]
    bodies += [b + b" " * 5000 for b in bodies[-30:]] + [b.upper() for b in bodies[-30:]]
    kinds = [None, "text/html", "text/html; charset=utf-8", "application/xhtml+xml", "text/plain", "application/json", ";"]
    checked = agreed = 0
    for body in bodies:
        for content_type in kinds:
            text = _decoded(body, content_type)
            for status in (200, 203, 299):
                headers = {} if content_type is None else {"content-type": content_type}
                if blocked_reason(body, status=status, headers=headers) is None and fetch_verdict_holds(body, text, content_type):
                    checked += 1
                    agreed += blocked_reason(text) is None
    assert agreed == checked > 500


def _every_code_point() -> str:
    return "".join(chr(x) for x in range(0x110000) if not 0xD800 <= x <= 0xDFFF)


def test_squash_is_the_whitespace_substitution_for_every_code_point() -> None:
    """blocked._squash splits and joins; it gives what ``\\s+`` replaced by one blank and stripped gives, with every
    code point as a blank or not, between words, at the ends and in runs."""
    import random
    import re

    from govpress.parsers.blocked import _squash

    substituted = lambda text: re.sub(r"\s+", " ", text).strip()  # noqa: E731
    everything = _every_code_point()
    blanks = [c for c in everything if re.fullmatch(r"\s", c)]
    assert blanks == [c for c in everything if c.isspace()]
    for c in everything[:0x3100]:  # every script's letters and every blank up to here, one by one
        for text in (f"a{c}b", f"{c}a{c}{c}b{c}", c):
            assert _squash(text) == substituted(text), repr(text)
    rng = random.Random(14)
    pieces = [*blanks, "a", "Б", "\u200b", "\xa0", "-", ""]
    for _ in range(3000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 12)))
        assert _squash(text) == substituted(text), repr(text)


def test_the_title_patterns_screens_never_hide_a_match() -> None:
    """The captcha title pattern is searched only when one of its screens is in the lower-cased title, the Cloudflare
    one's second alternative only with a "|": every letter of a screen is matched under re.I by itself and its
    capital alone (so a title the pattern matches has the screen in its lower case), and on titles with each phrase
    salted in, cased and folded as re.I folds (İ, ı, ſ, K, ᲀ...), the evidence is every pattern searched."""
    import random
    import re

    from govpress.parsers import blocked

    for c in set("".join(blocked._CAPTCHA_SCREENS)):
        assert {x for x in re.findall(re.escape(c), _every_code_point(), re.I)} == {c, c.upper()}, c
        assert c.upper().lower() == c
    plain = lambda title: next((r for p, r in blocked._TITLES if p.search(title)), None) if title else None  # noqa: E731
    phrases = ["captcha", "are you a robot", "are you human", "verify you are human", "вы не робот",
               "проверка браузера", "attention required", "| cloudflare", "just a moment", "access denied"]
    folds = {"i": "iIİı", "s": "sSſ", "k": "kKK", "в": "вВᲀ", "о": "оОᲂ", "т": "тТᲄᲅ", "a": "aA", "c": "cC"}
    rng = random.Random(25)
    titles = []
    for _ in range(4000):
        phrase = rng.choice(phrases)
        if rng.random() < 0.5:
            phrase = "".join(rng.choice(folds.get(ch.lower(), ch + ch.upper())) for ch in phrase)
        if rng.random() < 0.2:  # one letter off: no match
            at = rng.randrange(len(phrase))
            phrase = phrase[:at] + "x" + phrase[at + 1:]
        before = rng.choice(["", "Welcome - ", "  ", "İstanbul ", "Σ ", "Новости: "])
        after = rng.choice(["", " - Ministry", " |  Cloudflare ", "\t", "."])
        titles.append(before + phrase + after)
    found = 0
    for title in titles:
        assert blocked._title_evidence(title) == plain(title), repr(title)
        found += plain(title) is not None
    assert found > 2000


def test_a_content_types_html_verdict_is_remembered_and_the_same() -> None:
    from govpress.parsers import blocked

    types = ["text/html; charset=utf-8", "TEXT/HTML", " ; charset=utf-8", ";", "application/xhtml+xml",
             "application/json", "text/plain; x=html", " text/html "]
    head = b"<!doctype html><title>x</title>"
    fresh = [("html" in t.lower()) if t.split(";")[0].strip() else bool(blocked._LOOKS_HTML.match(head)) for t in types]
    hits = blocked._type_says_html.cache_info().hits
    assert [looks_like_html(t, head) for t in types * 2] == fresh * 2
    assert blocked._type_says_html.cache_info().hits >= hits + len(types)


def test_the_anchored_title_patterns_are_searched_only_after_an_opening_they_can_match(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The title patterns anchored at the start are searched only when the title's first non-blank character is one
    their first letters match under re.I (every code point checked); on titles starting with each phrase after every
    kind of blank, cased and folded as re.I folds, and on others, the evidence is every pattern searched. A title
    opening with another character is not searched by them at all."""
    import random
    import re

    from govpress.parsers import blocked

    firsts = "".join(sorted({phrase[0] for phrase in ("just", "attention", "request", "access", "403", "forbidden",
                                                      "ddos", "security")}))
    assert set(re.findall(f"[{firsts}]", _every_code_point(), re.I)) == blocked._TITLE_OPENINGS
    anchored = [p for p, _ in blocked._TITLES if p is not blocked._CAPTCHA_TITLE]
    assert all(p.pattern.startswith(r"^\s*") for p in anchored)
    blanks = [c for c in _every_code_point() if c.isspace()]
    assert set(re.findall(r"\s", _every_code_point())) == set(blanks)  # what str.lstrip takes is what ^\s* skips
    plain = lambda title: next((r for p, r in blocked._TITLES if p.search(title)), None) if title else None  # noqa: E731
    phrases = ["just a moment", "attention required", "request access", "access denied", "403 forbidden", "forbidden",
               "403   forbidden  ", "request rejected", "ddos-guard", "ddos protection", "security check", "captcha",
               "x | cloudflare", "news of the day"]
    folds = {"s": "sSſ", "k": "kKK", "i": "iIİı"}
    rng = random.Random(26)
    found = 0
    for _ in range(6000):
        phrase = rng.choice(phrases)
        if rng.random() < 0.5:
            phrase = "".join(rng.choice(folds.get(ch, ch + ch.upper())) for ch in phrase)
        if rng.random() < 0.1:
            phrase = rng.choice("xЖ1-ſ") + phrase[1:]
        title = "".join(rng.choices(blanks, k=rng.randint(0, 3))) + phrase + rng.choice(["", " - Ministry", "\u3000"])
        assert blocked._title_evidence(title) == plain(title), repr(title)
        found += plain(title) is not None
    assert found > 3000
    searched: list[str] = []

    class Counting:
        def __init__(self, pattern: re.Pattern) -> None:
            self.pattern = pattern

        def search(self, title: str) -> re.Match | None:
            searched.append(self.pattern.pattern)
            return self.pattern.search(title)

    monkeypatch.setattr(blocked, "_TITLES", tuple((p if p is blocked._CAPTCHA_TITLE or p is blocked._CLOUDFLARE_TITLE
                                                  else Counting(p), r) for p, r in blocked._TITLES))
    assert blocked._title_evidence("Министерство финансов: новости") is None and searched == []


def test_a_pages_parts_are_computed_once_each_and_kept_without_a_lock() -> None:
    """The title, markup, visible text... of a :class:`Page` are computed at their first read and kept in the instance
    as plain attributes, as ``functools.cached_property`` keeps them, but without the ``RLock`` Python 3.11's takes at
    each first read (~0.85 us; a fetch's check reads two)."""
    names = ("raw", "size", "title", "markup", "visible", "prose")
    for name in names:
        assert not hasattr(vars(Page)[name], "lock")  # 3.11's cached_property holds its lock here
    calls: list[str] = []
    page = Page("<html><head><title>A  page</title></head><body><p>Text. More text.</p></body></html>", "text/html")
    for name in names:
        original = vars(Page)[name].func
        vars(page).pop(name, None) if name != "raw" else None
        value = getattr(page, name)
        assert vars(page)[name] == value == original(page) and getattr(page, name) is value
        calls.append(name)
    assert page.title == "A page" and page.markup.startswith(b"<html><head><title>a  page") and page.size == len(page.raw)
    assert calls == list(names)


NOTICES = [
    ("<h1>Сайт временно недоступен</h1><p>На сайте ведутся технические работы. Пожалуйста, зайдите позже.</p>",
     "maintenance notice"),
    ("<h1>ТЕХНИЧЕСКИЕ РАБОТЫ</h1><p>Приносим извинения за неудобства. Сайт заработает в ближайшее время.</p>",
     "maintenance notice"),
    ("<h1>We are down for maintenance</h1><p>The site is temporarily unavailable. Please come back later.</p>",
     "maintenance notice"),
    ("<h1>Wartungsarbeiten</h1><p>Die Seite ist vorübergehend nicht verfügbar. Bitte versuchen Sie es später.</p>",
     "maintenance notice"),
    ("<h1>Sayt texniki işlər səbəbindən müvəqqəti əlçatan deyil</h1><p>Zəhmət olmasa, sonra yenidən cəhd edin.</p>",
     "maintenance notice"),
    ("<h1>Ваш браузер устарел</h1><p>Для корректной работы сайта установите современный браузер. Приносим извинения.</p>",
     "outdated-browser notice"),
    ("<h1>Your browser is outdated</h1><p>Please upgrade your browser to view this website. Thank you.</p>",
     "outdated-browser notice"),
]


@pytest.mark.parametrize("body,reason", NOTICES)
def test_a_maintenance_or_outdated_browser_notice_answered_with_200_is_no_page(body: str, reason: str) -> None:
    # Stored, it would be a release made of the notice, or a new version of every held release asked for.
    page = f'<html><head><meta charset="utf-8"><title>Министерство</title></head><body>{body}</body></html>'
    assert blocked_reason(page.encode(), headers={"content-type": "text/html"}) == reason


def test_an_article_that_mentions_maintenance_or_browsers_is_a_page() -> None:
    text = "".join(f"<p>Министр провёл совещание номер {i} по вопросам развития промышленности и торговли в регионах "
                   "страны, участники обсудили меры поддержки предприятий.</p>" for i in range(8))
    for banner in ("12 декабря на сайте ведутся технические работы.", "Update your browser for the best experience."):
        page = (f'<html><head><meta charset="utf-8"><title>Совещание</title></head><body><div>{banner}</div>'
                f"<article><h1>Министр провёл совещание</h1>{text}</article></body></html>")
        assert blocked_reason(page.encode(), headers={"content-type": "text/html"}) is None
