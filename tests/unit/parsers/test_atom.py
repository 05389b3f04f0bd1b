"""parsers/listings/atom.py: a plain Atom feed read without feedparser gives what feedparser gives, to the character.

What read_feed keeps of a feed (links, titles, dates, next page, and each entry's fingerprint over its title,
summary, content and dates as written) must not depend on which reader read it: every feed we hold and a few
hundred generated variants of the plain form (each with deviations feedparser treats in its own way) are read both
ways and compared; the variants outside the plain form must be left to feedparser.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

import govpress.parsers.feeds as feeds
import govpress.parsers.listings.feed as feed_module
from govpress.parsers.listings import DiscoveryError
from govpress.parsers.listings.atom import read_plain_atom
from govpress.parsers.listings.feed import read_feed

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared" / "pages"
URL = "http://example.org/news/feed.atom"


def by_feedparser(body: bytes, url: str = URL, **kwargs) -> object:
    """read_feed as before parsers/listings/atom.py: feedparser for every feed (or the error it raised)."""
    with mock.patch.object(feed_module, "read_plain_atom", lambda body: None):
        return _outcome(body, url, **kwargs)


def _outcome(body: bytes, url: str = URL, **kwargs) -> object:
    try:
        return read_feed(body, url, **kwargs)
    except (DiscoveryError, KeyError) as exc:
        return (type(exc).__name__, str(exc))


def _held_feeds(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from govpress.demo.localsite import generate_site

    site = tmp_path_factory.mktemp("site")
    generate_site(site, per_source=60)
    files = sorted(site.rglob("*.atom")) + sorted(site.rglob("*.rss"))
    files += sorted(ROOT.joinpath("govpress/demo/sites").rglob("*.xml"))
    if SHARED.is_dir():
        files += sorted(SHARED.rglob("*.xml"))
    return [f for f in files if b"<feed" in f.read_bytes()[:2000] or b"<rss" in f.read_bytes()[:2000]]


def test_every_feed_we_hold_reads_as_feedparser_reads_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    files = _held_feeds(tmp_path_factory)
    plain = 0
    for file in files:
        body = file.read_bytes()
        plain += read_plain_atom(body) is not None
        for full_text in (False, True):
            assert _outcome(body, full_text=full_text) == by_feedparser(body, full_text=full_text), file
    assert plain >= 2  # the generated site's Atom pages take the plain path


def test_the_generated_sites_feed_is_read_without_feedparser(tmp_path: Path) -> None:
    from govpress.demo.localsite import generate_site

    generate_site(tmp_path, per_source=60)
    body = next(tmp_path.rglob("feed.atom")).read_bytes()
    with mock.patch.object(feeds, "parse_feed_document", side_effect=AssertionError("feedparser called")):
        listing = read_feed(body, URL, tz="Europe/Moscow")
    assert len(listing.items) == 50 and listing.next_url and all(i.fingerprint for i in listing.items)
    assert listing == by_feedparser(body, tz="Europe/Moscow")


def test_a_plain_feeds_texts_are_read_without_raising_an_exception_each(tmp_path: Path) -> None:
    """Feedparser's Latin-1 repair is tried only on a text all of Latin-1 (any other fails to encode): the generated
    site's Russian feed raised and caught a UnicodeEncodeError for each title, summary and author's name."""
    from govpress.demo.localsite import generate_site

    generate_site(tmp_path, per_source=60)
    body = next(tmp_path.rglob("feed.atom")).read_bytes()
    raised = []

    def trace(frame, event, arg):  # noqa: ANN001, ANN202 - sys.settrace's hook
        if event == "exception" and frame.f_code.co_filename.endswith("atom.py"):
            raised.append(arg[0].__name__)
        return trace

    sys.settrace(trace)
    try:
        plain = read_plain_atom(body)
    finally:
        sys.settrace(None)
    assert plain is not None and len(plain[0]) == 50
    assert raised == []


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` (as tests/unit/test_imports.py reads them)."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_run_imports_feedparser_only_for_a_feed_outside_the_plain_form(tmp_path: Path) -> None:
    assert "feedparser" not in modules_after("import govpress.run")
    from govpress.demo.localsite import generate_site

    generate_site(tmp_path, per_source=5)
    atom, rss = next(tmp_path.rglob("feed.atom")), ROOT / "govpress/demo/sites/belta/rss_en.xml"
    probe = ("import sys\nfrom pathlib import Path\nfrom govpress.parsers.listings.feed import read_feed\n"
             f"read_feed(Path({str(atom)!r}).read_bytes(), {URL!r})\nassert 'feedparser' not in sys.modules\n")
    assert "feedparser" not in modules_after(probe)
    assert "feedparser" in modules_after(probe + f"read_feed(Path({str(rss)!r}).read_bytes(), {URL!r})\n")


# --- generated variants ---------------------------------------------------------------------------

DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
ENTRY = """<entry>
<title>{title}</title>
<id>tag:example.org,2024:{n}</id>
<link rel="alternate" type="text/html" href="http://example.org/news/{n}/"/>
<published>2026-10-{day:02d}T10:36:00+03:00</published>
<updated>2026-10-{day:02d}T11:00:00+03:00</updated>
<author><name>Press office</name></author>
<summary type="text">{summary}</summary>
</entry>"""

TITLES = ["Заседание комиссии", "Minister's visit to Minsk", "Ã©tÃ© report", "café", "  spaced  title \n",
          "a &amp; b &lt;c&gt;", "<![CDATA[cdata <b>title</b>]]>", "", "quote \" and '", "\u00a0nbsp around\u00a0",
          "&#x80;euro sign?", "tab\there", "line\r\nbreak", "emoji 😀", "&#233;t&#233;"]


def _entry(rng: random.Random, n: int) -> str:
    return ENTRY.format(title=rng.choice(TITLES), summary=rng.choice(TITLES), n=n, day=1 + n % 28)


# Each takes the document (declaration + feed) and returns a variant: deviations from the plain form that
# feedparser reads in its own way, and harmless ones the plain reader takes.
def in_entries(old: str, new: str, count: int = 1):
    """A mutation of the entries only (the feed's own title, links and author come before the first entry)."""
    def mutate(document: str) -> str:
        at = document.find("<entry>")
        return document if at < 0 else document[:at] + document[at:].replace(old, new, count)
    return mutate


MUTATIONS = [
    in_entries('<title>', '<title type="html">', 2),
    in_entries('<summary type="text">', '<summary type="html">', 1),
    in_entries('<summary type="text">', '<summary type="xhtml">', 1),
    in_entries('<summary type="text">', '<summary type="TEXT">', 1),
    in_entries('<summary type="text">', '<summary>', 3),
    in_entries('<title>', '<title xml:lang="en">', 1),
    in_entries("</entry>", "<content type=\"text\">full text</content></entry>", 1),
    in_entries("</entry>", "<content type=\"html\">&lt;p&gt;full&lt;/p&gt;</content></entry>", 1),
    in_entries("</entry>", "<summary>second summary</summary></entry>", 1),
    in_entries("</entry>", "<title>second title</title></entry>", 1),
    in_entries('rel="alternate" type="text/html" ', "", 2),
    in_entries('rel="alternate"', 'rel="Alternate"', 1),
    in_entries('type="text/html"', 'type="TEXT/HTML"', 1),
    in_entries('type="text/html"', 'type="application/xhtml+xml"', 1),
    in_entries('type="text/html"', 'type="application/pdf"', 1),  # the entry's link is then its id
    in_entries("</entry>", '<link rel="related" href="http://example.org/other/"/></entry>', 1),
    in_entries("</entry>", '<link rel="alternate" href="http://example.org/second/"/></entry>', 1),
    in_entries("</entry>", '<link rel="alternate" type="application/pdf" href="http://x.org/a.pdf"/></entry>', 1),
    in_entries("</entry>", '<link rel="enclosure">text link</link></entry>', 1),
    in_entries('<link rel="alternate" type="text/html" href="http://example.org/news/1/"/>', "", 1),
    in_entries('href="http://example.org/news/', 'href="/news/', 2),
    in_entries('href="http://example.org/news/', 'href="http:///example.org/news/', 1),
    in_entries('href="http://example.org/news/', 'href="http://example.org/news/?a=1&amp;b=2&amp;', 2),
    in_entries('href="http://example.org/news/', 'href=" http://example.org/news/', 1),
    in_entries('href="http://example.org/news/', 'uri="http://example.org/news/', 1),
    lambda d: d.replace("<feed ", '<feed xml:base="http://base.example/" ', 1),
    in_entries("<entry>", '<entry xml:base="/sub/">', 1),
    in_entries("<entry>", '<entry xml:lang="de">', 1),
    lambda d: d.replace("<feed ", '<feed xmlns:dc="http://purl.org/dc/elements/1.1/" ', 1).replace(
        "</entry>", "<dc:date>2020-01-01</dc:date></entry>", 1),
    lambda d: d.replace("<feed ", '<feed xmlns:media="http://search.yahoo.com/mrss/" ', 1),
    in_entries("<title>", "<title><!-- c -->", 1),
    in_entries("</entry>", "</entry><!-- between -->", 1),
    in_entries("<entry>", "<entry><?pi x?>", 1),
    lambda d: d.replace("?>\n", '?>\n<!DOCTYPE feed>\n', 1),
    lambda d: d.replace("?>\n", '?>\n<?xml-stylesheet type="text/xsl" href="/f.xsl"?>\n', 1),
    lambda d: "\ufeff" + d,
    lambda d: d.replace('encoding="utf-8"', "encoding='UTF-8'", 1),
    lambda d: d.replace('encoding="utf-8"?>', 'encoding="UTF-8" ?>', 1),
    lambda d: d.replace('encoding="utf-8"', 'encoding="utf-8" standalone="yes"', 1),
    lambda d: d.replace('encoding="utf-8"', 'encoding="windows-1251"', 1),
    lambda d: d.replace(DECLARATION, "", 1),
    lambda d: d.replace("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", 1),
    lambda d: in_entries("</title>", "</Title>")(in_entries("<title>", "<Title>")(d)),
    in_entries("<published>", "<published> ", 2),
    in_entries("<published>2026", "<published>", 1),
    in_entries("<updated>2026-10-0", "<updated>", 1),
    lambda d: in_entries("</published>", "</issued>")(in_entries("<published>", "<issued>")(d)),
    in_entries("<author><name>Press office</name></author>",
                        "<author><name>P</name><uri>http://example.org/</uri><email>p@example.org</email></author>", 1),
    in_entries("</entry>", '<category term="economy" scheme="http://example.org/t"/></entry>', 1),
    lambda d: d.replace("<id>tag:", "<id>http://example.org/id/", 2),
    lambda d: d.replace('<link rel="next"', '<link rel="NEXT"', 1),
    lambda d: d.replace('<link rel="next" href=', '<link rel="next" hreff=', 1),
    lambda d: d.replace('<link rel="next"', '<link rel="next" href="http://example.org/news/feed/9.atom"/><link rel="next"', 1),
    lambda d: d.replace('<link rel="next" href="http://example.org', '<link rel="next" href="', 1),
    lambda d: in_entries("</entry>", "</entry></entry>")(in_entries("<entry>", "<entry><entry>")(d)),
    lambda d: d.replace("</feed>", "", 1),
    in_entries("Press office", "Press &nbsp; office", 1),
    in_entries("Press office", "Press &#xD800; office", 1),
    in_entries("</entry>", "<rights>©</rights></entry>", 1),
    lambda d: d.replace("<subtitle>", "<subtitle type=\"html\">", 1),
    lambda d: d.replace("<generator>", '<generator uri="http://gen.example/" version="1">', 1),
    lambda d: d.replace("<icon>", "<logo>/logo.png</logo><icon>", 1),
    in_entries('<summary type="text">', '<summary type="text" src="http://x">', 1),
    in_entries("<title>", "<title>\x85", 1),
    in_entries("<entry>", "<entry>stray text", 1),
    in_entries("</entry>", "<source><title>Elsewhere</title></source></entry>", 1),
]


def _document(rng: random.Random, entries: int) -> str:
    body = "\n".join(_entry(rng, n) for n in range(1, entries + 1))
    return (DECLARATION + '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">\n'
            "<title>Ministry — News</title>\n<subtitle>What it says</subtitle>\n<id>tag:example.org,2024:feed</id>\n"
            "<updated>2026-10-30T10:36:00+03:00</updated>\n<generator>gen</generator>\n<icon>/favicon.ico</icon>\n"
            '<link rel="self" type="application/atom+xml" href="http://example.org/news/feed.atom"/>\n'
            '<link rel="alternate" type="text/html" href="http://example.org/news/"/>\n'
            '<link rel="next" href="http://example.org/news/feed/2.atom"/>\n'
            f"{body}\n</feed>\n")


def test_generated_variants_read_as_feedparser_reads_them() -> None:
    rng = random.Random(14)
    taken = left = 0
    for case in range(400):
        document = _document(rng, rng.randint(0, 4))
        for mutation in rng.sample(MUTATIONS, rng.choice((0, 1, 1, 2, 3))):
            document = mutation(document)
        body = document.encode("utf-8")
        if rng.random() < 0.1:
            body = body.replace(b"\n", b"\r\n")
        if read_plain_atom(body) is None:
            left += 1
        else:
            taken += 1
        for full_text in (False, True):
            assert _outcome(body, full_text=full_text) == by_feedparser(body, full_text=full_text), (case, document)
    assert taken >= 60 and left >= 60  # both readers were exercised


@pytest.mark.parametrize("mutation", range(len(MUTATIONS)))
def test_each_deviation_alone_reads_as_feedparser_reads_it(mutation: int) -> None:
    rng = random.Random(mutation)
    for _ in range(12):
        document = MUTATIONS[mutation](_document(rng, 3))
        body = document.encode("utf-8")
        assert _outcome(body) == by_feedparser(body), document
