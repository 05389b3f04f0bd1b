"""Headline cleaning: site names off titles (given and learnt), navigation headings, agreement."""

from __future__ import annotations

from govpress.parsers import generic
from govpress.parsers.html import learn_site_names, strip_site_name
from govpress.parsers.release import ParseContext

PROSE = ("<p>The minister held talks with his counterpart on Tuesday in the capital. The sides discussed trade and energy.</p>"
         "<p>They agreed to hold the next round of consultations in the spring. A joint statement was signed.</p>")


def test_site_name_prefix_and_suffix_are_stripped_whatever_the_separator() -> None:
    names = ["Ministry of Examples", "НОВОСТИ РЕГИОНА"]
    assert strip_site_name("Ministry of Examples - Talks on trade", names) == "Talks on trade"
    assert strip_site_name("Talks on trade | ministry of examples", names) == "Talks on trade"
    assert strip_site_name("НОВОСТИ РЕГИОНА - Встреча с делегацией", names) == "Встреча с делегацией"
    # A headline that merely starts with the ministry's name keeps it.
    assert strip_site_name("Ministry of Examples reports record exports", names) == "Ministry of Examples reports record exports"


def test_site_names_are_learnt_from_what_a_sources_titles_share() -> None:
    titles = ["Visit to Baku | XİN Mətbuat Xidməti", "Talks in Minsk | XİN Mətbuat Xidməti", "Forum opens | XİN Mətbuat Xidməti",
              "A page without a suffix"]
    assert learn_site_names(titles) == ["XİN Mətbuat Xidməti"]
    assert learn_site_names(["One | A", "Two | B", "Three | C"]) == []  # nothing shared, nothing learnt


def test_learnt_site_name_comes_off_a_title_that_is_all_there_is() -> None:
    body = f"<html><head><title>Talks on trade - BMBE</title></head><body><div>{PROSE}</div></body></html>".encode()
    plain = generic.parse(body, "https://x.example/a", ParseContext())
    learnt = generic.parse(body, "https://x.example/a", ParseContext(site_names=("BMBE",)))
    assert learnt.title == "Talks on trade"
    assert plain.title == "Talks on trade"  # the short last dash segment rule alone also catches this one


def test_navigation_h1_loses_to_the_articles_h1() -> None:
    body = ("<html><head><title>Ministry of Examples - News - New flood defences</title></head><body>"
            "<header><h1 class='site-title'><a href='/'>Ministry of Examples</a></h1></header>"
            f"<main><h1>New flood defences to protect 2,000 homes</h1>{PROSE}</main></body></html>").encode()
    assert generic.parse(body, "https://x.example/a", ParseContext()).title == "New flood defences to protect 2,000 homes"


def test_title_that_is_only_the_site_name_loses_to_the_remaining_h1() -> None:
    body = ("<html><head><title>Ministry of Examples</title></head><body>"
            "<header><h1><a href='/'>Ministry of Examples</a></h1></header>"
            f"<div class='meta-line'>3 October 2024</div><h1>Minister holds talks</h1>{PROSE}</body></html>").encode()
    assert generic.parse(body, "https://x.example/a", ParseContext()).title == "Minister holds talks"


def test_site_names_for_source_from_a_batch_and_from_stored_headlines() -> None:
    from govpress.parsers.html import page_title, site_names_for_source

    batch = [page_title(f"<html><head><title>Headline number {i} | Ministry of Examples</title></head></html>".encode())
             for i in range(3)]
    assert batch[0] == "Headline number 0 | Ministry of Examples"
    assert site_names_for_source(batch) == ("Ministry of Examples",)
    # One new page alone teaches nothing; headlines stored with the name still in them do.
    leaked = [f"MINFIN - Stored headline {i}" for i in range(4)]
    assert site_names_for_source(batch[:1], leaked) == ("MINFIN",)
    assert site_names_for_source(batch[:1], [f"Clean stored headline {i}" for i in range(4)]) == ()
    assert page_title(b"<html><body>no title</body></html>") is None


def test_a_title_naming_only_the_host_and_a_logo_h1_leave_the_first_content_h2() -> None:
    body = ("<html lang='de'><head><title>carta.info</title></head><body><header><h1><a href='https://carta.info/'>"
            "<img src='logo.svg' alt='carta.info'></a></h1></header><main><h2>Der neue Trend: Muss- statt Wunschkoalition</h2>"
            "<p>Die Landtagswahl zwischen Nord- und Ostsee gibt einen Vorgeschmack auf Koalitionsbildungen. Stabile Mehrheiten sind "
            "fast unmöglich geworden.</p><p>Die Wähler sind unglaublich volatil, wie der Wechsel zwischen den Wahlen zeigt.</p>"
            "</main></body></html>").encode()
    release = generic.parse(body, "https://carta.info/der-neue-trend/", ParseContext(languages=("de",)))
    assert release.title == "Der neue Trend: Muss- statt Wunschkoalition"
    assert generic.parse(body.replace(b"<title>carta.info</title>", b"<title>Der neue Trend | carta.info</title>"),
                         "https://www.carta.info/x", ParseContext()).title == "Der neue Trend: Muss- statt Wunschkoalition"


# ---------------------------------------------------------------- the separator screen


def _separator_patterns():
    from govpress.parsers import notfound
    from govpress.parsers.html import titles

    return [(titles._SEPARATOR_CHAR, p) for p in (titles._TITLE_SEPARATORS, titles._DASH_SEPARATOR, titles._ANY_SEPARATOR,
                                                 titles._SEGMENT_SEPARATOR)] + [(notfound._SEGMENT_CHAR, notfound._SEGMENTS)]


def test_a_text_without_a_separator_character_has_no_separator_for_every_code_point() -> None:
    # The screen claims "no match" only for a text holding none of its characters: all the other code points
    # at once, side by side and between spaces and letters, hold no separator.
    everything = "".join(map(chr, range(0x110000)))
    for screen, pattern in _separator_patterns():
        others = screen.sub("", everything)
        assert len(others) > 0x10F000
        for text in ("".join(others), " \u00a0 ".join(others)):
            assert screen.search(text) is None and pattern.search(text) is None, pattern.pattern


def test_split_at_equals_split_on_made_titles() -> None:
    import random

    from govpress.parsers.html.titles import _split_at

    rng = random.Random(15)
    pieces = ["Talks", "on", "trade", "Министерство", "|", "—", "–", "-", "::", ":", "»", "›", "‹", "·", "•", "\\", "/", " ", "  ",
              "\u00a0", "\t", "a-b", "12:30", "x/y"]
    patterns = _separator_patterns()
    split_somewhere = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) + rng.choice(("", " ")) for _ in range(rng.randint(0, 8)))
        for _screen, pattern in patterns[:4]:
            assert _split_at(pattern, text) == pattern.split(text), (pattern.pattern, text)
            split_somewhere += len(pattern.split(text)) > 1
    assert split_somewhere > 1000


def test_title_keys_are_the_same_cached_or_not() -> None:
    import re

    from govpress.parsers import generic
    from govpress.parsers.html import titles

    for text in ("Ministry of Examples", "МИНИСТЕРСТВО, примеры!", "x" * 500, "", "a_b c-d"):
        first = titles.title_key(text)
        assert first == " ".join(titles._WORD.findall(text.casefold())) == titles.title_key(text)
        assert generic._key(text) == " ".join(re.findall(r"\w+", text.casefold()))  # the generic parser's, memoised there too
    assert "x" * 500 not in titles._KEYS  # long texts are not kept


def test_remembered_titles_answer_as_the_plain_functions() -> None:
    """strip_site_suffix and title_segments remember short titles: the same answers, keyed by the site name too,
    a list the caller owns, long and non-string titles not kept."""
    from govpress.parsers.html import titles

    title = "Minister opens the bridge | News | Ministry of Transport"
    for site in (None, "Ministry of Transport", "News"):
        first = titles.strip_site_suffix(title, site)
        assert first == titles._strip_site_suffix(title, site) == titles.strip_site_suffix(title, site)
    assert titles.strip_site_suffix("Ministry of Transport | Bridge opened today", "Ministry of Transport") == "Bridge opened today"
    assert titles.strip_site_suffix("Ministry of Transport | Bridge opened today", None) == "Ministry of Transport"
    segments = titles.title_segments(title)
    assert segments == ["Minister opens the bridge", "News", "Ministry of Transport"]
    segments.append("changed by the caller")
    assert titles.title_segments(title) == ["Minister opens the bridge", "News", "Ministry of Transport"]
    long = "A " * 400 + "| Site"
    assert titles.title_segments(long)[-1] == "Site" and long not in titles._SEGMENTS
    assert titles.strip_site_suffix(None) == ""
    assert titles.title_segments("") == []


_PLAIN_SEPARATORS = {
    "_TITLE_SEPARATORS": r"\s+(?:\||—|–|::|»|›|‹|·|•|\\|/)\s+|\s*\|\s*",
    "_DASH_SEPARATOR": r"\s+-\s+",
    "_ANY_SEPARATOR": r"\s+(?:\||—|–|-|::|»|›|‹|·|•|\\|/)\s+|\s*\|\s*|(?<=\w):\s+",
    "_SEGMENT_SEPARATOR": r"\s+(?:\||—|–|-|::|»|›|‹|·|•|\\|/)\s+|\s*\|\s*",
}
"""The separators as first written: each tried at every position of a title."""


def test_the_separators_opening_with_a_character_set_match_what_their_plain_forms_match() -> None:
    """Written to open with a character set (so that re skips the positions no separator starts at), each pattern
    finds the same separators, at the same places and of the same length, as its plain form: on made titles of
    separators, spaces of every kind, words and colons, and splits them alike."""
    import random
    import re

    from govpress.parsers.html import titles

    rng = random.Random(16)
    pieces = ["Talks", "on", "trade", "Министерство", "|", "||", "—", "–", "-", "::", ":", "»", "›", "‹", "·", "•", "\\", "/", " ",
              "  ", "\u00a0", "\t", "\n", "\u2003", "a-b", "12:30", "x/y", "_", "é:", "1"]
    found = 0
    for name, plain in _PLAIN_SEPARATORS.items():
        former, pattern = re.compile(plain), getattr(titles, name)
        for _ in range(3000):
            text = "".join(rng.choice(pieces) + rng.choice(("", " ", "", "\u00a0")) for _ in range(rng.randint(0, 10)))
            assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in former.finditer(text)], (name, text)
            assert pattern.split(text) == former.split(text), (name, text)
            found += former.search(text) is not None
    assert found > 4000


def _former_similarity(a: str, b: str) -> float:
    import re

    ta, tb = set(re.findall(r"\w+", a.casefold())), set(re.findall(r"\w+", b.casefold()))
    if not ta or not tb:
        return 0.0
    score = len(ta & tb) / len(ta | tb)
    fa, fb = a.casefold(), b.casefold()
    # The containment boost, since the news set (tests/unit/parsers/test_generic_news_rules.py): not for one short word.
    if (fa in fb and (len(ta) > 1 or len(fa) >= 8)) or (fb in fa and (len(tb) > 1 or len(fb) >= 8)):
        score = max(score, 0.8)
    return score


def test_one_short_word_inside_a_title_is_no_containment() -> None:
    from govpress.parsers.html.titles import similarity

    assert round(similarity("MEDEF", "Medef Contactez-nous"), 3) == 0.333  # Jaccard only: 1 of 3 words
    assert similarity("Talks on trade", "Talks on trade | Ministry") == 0.8  # several words inside: a site name around
    assert similarity("Ministerium", "Ministerium für Justiz") == 0.8  # one long word is a name worth the boost


def test_similarity_reads_each_texts_fold_once_and_scores_as_before() -> None:
    """``similarity`` takes each text's case fold and words from a memo (a page compares its headline with every
    metadata title): the same scores as the former function on made pairs (case, ß, İ, ſ, punctuation, containment),
    and a compared text is remembered."""
    import random

    from govpress.parsers.html import titles

    rng = random.Random(7)
    words = ["Talks", "talks", "ON", "trade", "Straße", "STRASSE", "İstanbul", "istanbul", "ſtate", "state", "Встреча",
             "ВСТРЕЧА", "—", "|", "404", "", " ", "a_b", "x"]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(5))) for _ in range(400)]
    for _ in range(2):
        for _ in range(4_000):
            a, b = rng.choice(texts), rng.choice(texts)
            if rng.random() < 0.2:
                b = a + " " + b
            assert titles.similarity(a, b) == _former_similarity(a, b), (a, b)
    getattr(titles, "_TOKENS", {}).clear()
    titles.similarity("Talks on trade", "Talks on trade | Ministry")
    assert "Talks on trade" in getattr(titles, "_TOKENS", {})


def test_the_titles_of_a_page_are_stripped_once_each(monkeypatch) -> None:
    """A page repeats its headline as og:title, JSON-LD headline and ``<title>``: the candidates strip each distinct
    title once and the headline's choice splits it once (both asked every title before, the empty ones too), with
    the same candidates and the same headline."""
    from govpress.parsers.html import metadata
    from govpress.parsers.html.metadata import PageMeta

    meta = PageMeta(url="https://example.gov/news/1", html_title="Talks on trade | Ministry of Examples",
                    og_title="Talks on trade", jsonld_headline="Talks on trade", site_name="Ministry of Examples",
                    site_names=["Ministry of Examples"], h1=["Talks on trade"])
    stripped, split = [], []
    real_strip, real_split = metadata.strip_site_suffix, generic.title_segments
    monkeypatch.setattr(metadata, "strip_site_suffix", lambda *a: stripped.append(a[0]) or real_strip(*a))
    monkeypatch.setattr(generic, "title_segments", lambda title: split.append(title) or real_split(title))
    assert meta.title_candidates(("Ministry of Examples",)) == ["Talks on trade"]
    assert stripped == ["Talks on trade", "Talks on trade"]  # JSON-LD headline (= og:title) and <title>, stripped
    stripped.clear()
    assert generic.choose_title(meta).title == "Talks on trade"
    assert split == ["Talks on trade", "Talks on trade", "Talks on trade | Ministry of Examples"]
