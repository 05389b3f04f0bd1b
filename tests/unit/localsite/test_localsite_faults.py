"""Each injected fault, observed from the client side with tight timeouts and capped reads."""

from __future__ import annotations

import html
import threading
import zlib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup
from pydantic import ValidationError

from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, SiteManifest

TIGHT = httpx.Timeout(0.4)


@pytest.fixture
def article(manifest: SiteManifest) -> str:
    return manifest.publishers["minfin"].releases[1].path


def use(server: LocalSiteServer, **rule: object) -> None:
    server.set_faults(FaultPlan.of(FaultRule(**rule)))


def wait_until(condition, limit: float = 5.0) -> None:
    """Poll until ``condition()`` holds (a stalled handler logs its request only when it ends)."""
    done = threading.Event()
    for _ in range(int(limit / 0.02)):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError("condition not reached")


def test_latency_delays_then_serves(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="latency", seconds=0.8, times=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(srv.url(article), timeout=TIGHT)
    use(srv, fault="latency", seconds=0.1)
    assert httpx.get(srv.url(article), timeout=2).status_code == 200


def test_read_timeout_stalls_without_answering(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="read_timeout", seconds=5)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(srv.url(article), timeout=TIGHT)
    # The client hung up, so the server ends the 5 s stall early and logs the request.
    wait_until(lambda: any(r.fault == "read_timeout" for r in srv.requests))
    record = next(r for r in srv.requests if r.fault == "read_timeout")
    assert (record.status, record.path) == (0, article)


def test_read_timeout_stall_ends_when_the_server_stops(site_root: Path) -> None:
    server = LocalSiteServer(site_root, faults=FaultPlan.of(FaultRule(fault="read_timeout"))).start()
    outcome: list[BaseException] = []

    def fetch() -> None:
        try:
            httpx.get(server.url("/robots.txt"), timeout=25)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=fetch)
    worker.start()
    wait_until(lambda: server.in_flight == 1)
    server.stop()
    worker.join(10)
    assert not worker.is_alive()
    assert outcome and isinstance(outcome[0], httpx.TransportError)


def test_connection_reset(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="connection_reset")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as caught:
        httpx.get(srv.url(article), timeout=TIGHT)
    assert "reset" in str(caught.value).lower() or isinstance(caught.value, httpx.ReadError)


def test_status_burst_then_success_with_retry_after(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="status", status=503, retry_after=2, times=2, path="/minfin/news/*")
    with httpx.Client(timeout=2) as client:
        answers = [client.get(srv.url(article)) for _ in range(3)]
        assert client.get(srv.url("/robots.txt")).status_code == 200  # path glob does not match
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].headers["retry-after"] == "2"
    assert srv.faults.used(0) == 2


def test_429_with_retry_after_as_http_date(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="status", status=429, retry_after=120, retry_after_date=True)
    response = httpx.get(srv.url(article), timeout=2)
    assert response.status_code == 429
    when = parsedate_to_datetime(response.headers["retry-after"])
    assert when > datetime.now(timezone.utc)


def test_truncated_body_is_shorter_than_its_content_length(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="truncated", fraction=0.3)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(srv.url(article), timeout=2)
    received = bytearray()
    with httpx.stream("GET", srv.url(article), timeout=2, headers={"Accept-Encoding": "identity"}) as response:
        declared = int(response.headers["content-length"])
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert 0 < len(received) < declared


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r"])
def test_wrong_charset_lies_in_the_header(srv: LocalSiteServer, article: str, manifest: SiteManifest,
                                          charset: str) -> None:
    truth = httpx.get(srv.url(article), timeout=2).content
    use(srv, fault="wrong_charset", charset=charset)
    response = httpx.get(srv.url(article), timeout=2)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    # Characters the charset lacks (KOI8-R has no em dash) arrive as numeric references.
    assert html.unescape(response.content.decode(charset)) == html.unescape(truth.decode("utf-8"))
    assert manifest.publishers["minfin"].releases[1].title in response.content.decode(charset)


def test_wrong_charset_can_send_no_charset_at_all(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="wrong_charset", charset="windows-1251", header_charset=None, meta="drop")
    response = httpx.get(srv.url(article), timeout=2)
    assert response.headers["content-type"] == "text/html"
    assert b"<meta charset" not in response.content


def test_malformed_html_still_carries_the_title(srv: LocalSiteServer, article: str, manifest: SiteManifest) -> None:
    use(srv, fault="malformed_html")
    body = httpx.get(srv.url(article), timeout=2).content
    assert b"</p>" not in body and b"\xff\xfe\x00" in body and not body.rstrip().endswith(b"</html>")
    soup = BeautifulSoup(body, "lxml")
    assert manifest.publishers["minfin"].releases[1].title in soup.get_text()


def test_volatile_chrome_differs_at_every_answer_and_is_never_a_304(srv: LocalSiteServer, article: str,
                                                                    manifest: SiteManifest) -> None:
    use(srv, fault="volatile_chrome")
    first = httpx.get(srv.url(article), timeout=2)
    second = httpx.get(srv.url(article), timeout=2, headers={"If-None-Match": first.headers.get("etag", "*"),
                                                             "If-Modified-Since": first.headers.get("last-modified", "")})
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content != second.content
    for answer in (first, second):
        text = BeautifulSoup(answer.text, "lxml").get_text(" ")
        assert "Просмотров:" in text and "часа назад" in text and "Читайте также:" in text
    # The counter, the age and the list follow the article's last paragraph, inside its text block.
    release = next(r for r in manifest.publishers["minfin"].releases if r.path == article)
    last_paragraph = html.escape(release.body_text.split("\n\n")[-1][:40], quote=False)
    assert first.text.index("article__stats") > first.text.index(last_paragraph) > first.text.index("<h1")


def test_cookie_check_redirects_to_itself_setting_a_cookie_then_serves_who_sends_it(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="cookie_check")
    first = httpx.get(srv.url(article), timeout=2)
    assert first.status_code == 302 and first.headers["location"] == article
    cookie = first.headers["set-cookie"].split(";")[0]
    assert httpx.get(srv.url(article), timeout=2).status_code == 302  # still no cookie: the same answer
    assert httpx.get(srv.url(article), timeout=2, headers={"Cookie": cookie}).status_code == 200


def test_frozen_validators_answer_every_conditional_request_with_304(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="frozen_validators")
    whole = httpx.get(srv.url(article), timeout=2)
    assert whole.status_code == 200 and whole.headers["etag"] == '"frozen"' and whole.content
    assert httpx.get(srv.url(article), timeout=2, headers={"If-None-Match": '"anything"'}).status_code == 304
    assert httpx.get(srv.url(article), timeout=2, headers={"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"}).status_code == 304


def test_redirect_loop(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="redirect_loop")
    with httpx.Client(timeout=2, follow_redirects=False) as client:
        first = client.get(srv.url(article))
        second = client.get(srv.url(first.headers["location"]))
    assert first.status_code == second.status_code == 302
    assert second.headers["location"] == article
    with pytest.raises(httpx.TooManyRedirects):
        httpx.get(srv.url(article), timeout=2, follow_redirects=True)


def test_offhost_redirect(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="offhost_redirect")
    response = httpx.get(srv.url(article), timeout=2)  # not followed: the target is another host
    target = urlsplit(response.headers["location"])
    assert response.status_code == 302
    assert (target.hostname, target.port, target.path) == ("127.0.0.3", srv.port, article)
    use(srv, fault="offhost_redirect", location="http://127.0.0.4:9/elsewhere")
    assert httpx.get(srv.url(article), timeout=2).headers["location"] == "http://127.0.0.4:9/elsewhere"


def test_endless_body_keeps_streaming_until_the_client_stops(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="endless_body")
    cap = 3 * 1024 * 1024
    received = 0
    with httpx.stream("GET", srv.url(article), timeout=TIGHT) as response:
        assert "content-length" not in response.headers
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > cap:
                break
    assert received > cap
    srv.clear_faults()
    assert httpx.get(srv.url(article), timeout=2).status_code == 200  # the server survived the hang-up


def test_endless_body_stops_at_its_cap(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="endless_body", cap_bytes=200_000)
    response = httpx.get(srv.url(article), timeout=2)
    assert 200_000 <= len(response.content) < 400_000


def test_huge_header_sends_a_5_mib_header_before_the_page(srv: LocalSiteServer, article: str) -> None:
    import socket

    use(srv, fault="huge_header")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as conn:
        conn.sendall(f"GET {article} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head[-(6 * 1024 * 1024):] and len(head) < 6 * 1024 * 1024:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            head += chunk
    status_line, _, rest = head.partition(b"\r\n")
    padding = next(line for line in rest.split(b"\r\n") if line.startswith(b"X-Padding: "))
    assert status_line.startswith(b"HTTP/1.") and b" 200 " in status_line
    assert len(padding) - len(b"X-Padding: ") == 5 * 1024 * 1024
    with pytest.raises(httpx.RemoteProtocolError):  # what any h11-based client makes of it
        httpx.get(srv.url(article), timeout=2)


def test_gzip_bomb_inflates_far_beyond_its_size(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="gzip_bomb")
    with httpx.stream("GET", srv.url(article), timeout=TIGHT) as response:
        assert response.headers["content-encoding"] == "gzip"
        assert int(response.headers["content-length"]) < 2 * 1024 * 1024
        raw = b""
        for chunk in response.iter_raw():
            raw += chunk
            if len(raw) >= 64 * 1024:  # however the reads happen to be chunked
                break
    limit = 32 * 1024 * 1024
    inflated = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(raw, limit)
    # Deflate tops out near 1032:1, so 64 KiB on the wire (of a body under 2 MiB) fills a 32 MiB cap.
    assert len(inflated) == limit


def test_challenge_page(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="challenge")
    response = httpx.get(srv.url(article), timeout=2)
    assert response.status_code == 200
    assert response.headers["x-amzn-waf-action"] == "challenge"
    assert 2500 <= len(response.content) <= 4000
    soup = BeautifulSoup(response.content, "lxml")
    assert not soup.find(["article", "h1", "time"]) or soup.find("noscript")
    assert not soup.select("article, .article__text, p")


def test_forbidden(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="forbidden")
    response = httpx.get(srv.url(article), timeout=2)
    assert response.status_code == 403 and len(response.content) < 1024


def test_rules_match_by_host_header(srv: LocalSiteServer, article: str) -> None:
    use(srv, fault="forbidden", host="mirror.localsite")
    with httpx.Client(timeout=2) as client:
        assert client.get(srv.url(article), headers={"Host": "mirror.localsite"}).status_code == 403
        assert client.get(srv.url(article), headers={"Host": "mirror.localsite:8080"}).status_code == 403
        assert client.get(srv.url(article)).status_code == 200
    assert [r.fault for r in srv.requests] == ["forbidden", "forbidden", None]


def test_first_matching_rule_with_budget_wins(srv: LocalSiteServer, article: str) -> None:
    srv.set_faults(FaultPlan.of(FaultRule(fault="status", status=500, times=1),
                                FaultRule(fault="status", status=502, times=1)))
    with httpx.Client(timeout=2) as client:
        assert [client.get(srv.url(article)).status_code for _ in range(3)] == [500, 502, 200]


def test_plans_load_from_json(tmp_path: Path) -> None:
    plan = FaultPlan.from_json('{"rules": [{"fault": "status", "status": 429, "retry_after": 3, "times": 2}]}')
    assert plan.rules[0].status == 429 and plan.rules[0].times == 2
    bare = FaultPlan.from_json('[{"fault": "latency", "seconds": 0.2, "path": "/minfin/*"}]')
    assert bare.rules[0].matches("/minfin/feed.atom", "127.0.0.1:80")
    assert not bare.rules[0].matches("/mfa-en/rss.xml", "127.0.0.1:80")
    (tmp_path / "plan.json").write_text('[{"fault": "gzip_bomb"}]')
    assert FaultPlan.from_file(tmp_path / "plan.json").rules[0].fault == "gzip_bomb"
    with pytest.raises(ValidationError):
        FaultPlan.from_json('[{"fault": "meteor_strike"}]')
    with pytest.raises(ValidationError):
        FaultPlan.from_json('[{"fault": "read_timeout", "seconds": 300}]')  # bounded at 30 s
