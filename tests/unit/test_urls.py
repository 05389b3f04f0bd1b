from urllib.parse import urlsplit, urlunsplit

import pytest

from govpress.urls import canonical_url, identity, release_id


def test_canonical_url_normalises_case_ports_tracking_fragment_and_slash():
    url = "HTTPS://Www.Example.GOV:443/News/123/?utm_source=tw&b=2&a=1&fbclid=x&gclid=y#top"
    assert canonical_url(url) == "https://www.example.gov/News/123?a=1&b=2"


def test_canonical_url_keeps_non_default_port_and_root_path():
    assert canonical_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/"
    assert canonical_url("http://Host:80/") == "http://host/"


def test_canonical_url_is_idempotent_and_normalises_percent_encoding():
    url = "https://president.az/ru/articles/view/%D0%B0?utm_medium=x"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert canonical_url("https://president.az/ru/articles/view/а") == once


def test_release_id_is_stable_and_distinguishes_urls_and_sources():
    a = release_id("kremlin_ru", "https://kremlin.ru/events/president/news/57063/")
    b = release_id("kremlin_ru", "HTTP://www.kremlin.ru:443/events/president/news/57063?utm_campaign=x#x")
    c = release_id("kremlin_ru", "https://kremlin.ru/events/president/news/57064")
    d = release_id("kremlin_en", "http://en.kremlin.ru/events/president/news/57063")
    assert a == b != c
    assert a != d  # the same path on another edition is another release (linked as a translation)
    assert len(a) == 16


def test_identity_ignores_scheme_host_and_port():
    assert identity("http://127.0.0.1:8123/minfin/news/42/?utm_source=x") == "/minfin/news/42"
    assert identity("https://127.0.0.1:9999/minfin/news/42") == "/minfin/news/42"
    assert identity("file:///tmp/seed/a.txt") == "file:///tmp/seed/a.txt"


def test_non_http_urls_are_left_alone():
    assert canonical_url("file://seed/000.txt") == "file://seed/000.txt"


def test_session_ids_in_query_path_and_aspnet_segment_are_removed():
    """A CMS that puts its session in every link must not make every run find every release anew."""
    same = "https://gov.example/news/view.php?id=12"
    for url in (
        "https://gov.example/news/view.php?id=12&PHPSESSID=9f1c2b3a4d5e6f708192a3b4c5d6e7f8",
        "https://gov.example/news/view.php?PHPSESSID=abc&id=12",
        "https://gov.example/news/view.php;jsessionid=0A1B2C3D4E5F60718293A4B5C6D7E8F9?id=12",
        "https://gov.example/news/view.php?id=12&sid=5f2b8c1d9e7a4b3c6d0e1f2a",
        "https://gov.example/news/view.php?id=12&CFID=1234&CFTOKEN=56789012",
        "https://gov.example/news/view.php?ASPSESSIONIDQSTCRBQD=KHMLPGNAJEBPNDKOOFJNAJPM&id=12",
    ):
        assert canonical_url(url) == same, url
    assert canonical_url("https://gov.example/(S(lit3py55t21z5v55vlm25s55))/news/page.aspx?id=3") == \
        "https://gov.example/news/page.aspx?id=3"
    assert canonical_url("https://gov.example/(X(1)S(abcdef))/news/page.aspx") == "https://gov.example/news/page.aspx"
    assert release_id("src", "https://gov.example/news/view.php?id=12&PHPSESSID=one") == \
        release_id("src", "https://gov.example/news/view.php?PHPSESSID=two&id=12")


def test_a_short_sid_is_a_parameter_not_a_session():
    """``sid=7`` (a section, a story number) changes the page: only a token-like value is a session."""
    assert canonical_url("https://gov.example/news?sid=7") == "https://gov.example/news?sid=7"
    assert canonical_url("https://gov.example/news?sid=economy") == "https://gov.example/news?sid=economy"
    assert canonical_url("https://gov.example/news?sid=12345678901234567890") == "https://gov.example/news?sid=12345678901234567890"


def test_a_plain_urls_canonical_form_and_identity_are_the_general_steps_ones() -> None:
    """canonical_url reads a plain URL's form off its parts (urls._PLAIN_URL); identity takes its path. Both
    must be what the general steps give, on generated URLs of every spelling near that form."""
    import random

    from govpress import urls

    rng = random.Random(14)
    schemes = ["http", "https", "HTTP", "Https", "ftp", "http:/", "https:"]
    hosts = ["example.gov", "www.example.gov", "127.0.0.1", "Example.GOV", "a-b.c", "host.", "-x.gov", "a..b",
             "xn--80ak6aa92e.com", "[::1]", "user@host.gov", "h_o.gov", ""]
    ports = ["", ":80", ":443", ":8080", ":080", ":0", ":65535", ":65536", ":99999", ":", ":1"]
    segments = ["a", "news", "2024", "x-y_z.html", "~me", "%7Eme", "a%20b", "é", "a;jsessionid=1", "(S(x))",
                ".", "..", "", "A.B", "q?x=1", "f#g", "a b", "a+b", "!", "a:b", "@"]
    tails = ["", "/", "//", "?", "?utm_source=x", "?b=2&a=1", "#top", " ", "\t", "?sid=0123456789abcdef0123"]
    made = []
    for n in range(4000):
        near = n % 2 == 0  # every other URL of the plain form or a character away from it
        pick = (lambda pool: rng.choice(pool[:4] if near and rng.random() < 0.9 else pool))
        path = "".join("/" + pick(segments) for _ in range(rng.randint(0, 4)))
        url = f"{pick(schemes)}://{pick(hosts)}{pick(ports)}{path}{pick(tails)}"
        made.append(rng.choice(["", " ", "\n"]) + url if rng.random() < 0.1 else url)
    plain = 0
    for url in made:
        try:
            general = urls._canonical(url.strip())
        except ValueError as exc:  # a port urlsplit refuses: canonical_url raises the same
            with pytest.raises(ValueError, match=str(exc)):
                urls.canonical_url.__wrapped__(url)
            continue
        plain += urls._plain_canonical(url.strip()) is not None
        assert urls.canonical_url.__wrapped__(url) == general, url
        parts = urlsplit(general)
        expected = general if parts.scheme not in ("http", "https") else urlunsplit(("", "", parts.path, parts.query, ""))
        assert urls.identity.__wrapped__(url) == expected, url
    assert plain > 200  # the plain form was met (~300 times), and agreed
