"""Block and challenge detection on bytes and headers."""

from __future__ import annotations

import pytest

from govpress.fetch.classify import blocked_reason

ARTICLE = (
    b"<!doctype html><html><head><title>Minister meets counterpart</title></head><body><article><h1>Minister meets</h1>"
    b"<p>The talks covered trade.</p></article></body></html>"
)
HTML = {"content-type": "text/html; charset=utf-8"}


def test_real_small_article_is_not_blocked() -> None:
    assert blocked_reason(200, HTML, ARTICLE) is None


def test_aws_waf_header() -> None:
    assert "AWS WAF" in blocked_reason(202, {"X-Amzn-Waf-Action": "challenge"}, b"")


def test_cloudflare_header_and_pages() -> None:
    assert "Cloudflare" in blocked_reason(403, {"cf-mitigated": "challenge"}, b"")
    page = b"<html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt={}</script></body></html>"
    assert "Cloudflare" in blocked_reason(503, HTML, page)
    assert "Cloudflare" in blocked_reason(200, HTML, page + b" " * 10000)


@pytest.mark.parametrize("status", [401, 403, 451])
def test_forbidding_statuses_are_blocks(status: int) -> None:
    assert str(status) in blocked_reason(status, {}, b"")


def test_request_access_and_captcha_pages() -> None:
    page = b"<html><head><title>Request Access</title><link rel=stylesheet href=a.css></head><body>Please verify</body></html>"
    assert "Request Access" in blocked_reason(200, HTML, page)
    captcha = b"<html><body><p>Please solve the CAPTCHA to continue</p></body></html>"
    assert "captcha" in blocked_reason(200, HTML, captcha)


def test_phrases_in_a_long_article_body_do_not_count() -> None:
    long_article = ARTICLE.replace(b"The talks covered trade.", b"Journalists said access denied to them was wrong. " * 200)
    assert blocked_reason(200, HTML, long_article) is None


def test_tiny_html_shell_without_article_signals() -> None:
    shell = b"<html><head><link rel=stylesheet href=/x.css><script src=/app.js></script></head><body><div id=root></div></body></html>"
    assert "tiny HTML page" in blocked_reason(200, HTML, shell)
    # Tiny non-HTML (a feed, JSON) is not judged by that rule.
    assert blocked_reason(200, {"content-type": "application/json"}, b'{"list": []}') is None
    assert blocked_reason(200, {"content-type": "application/rss+xml"}, b"<rss><channel></channel></rss>") is None


def test_not_found_is_not_a_block() -> None:
    assert blocked_reason(404, HTML, b"<html><title>Not found</title></html>") is None


def test_saved_real_pages_are_not_blocked(pages_dir) -> None:
    types = {".html": "text/html", ".xml": "application/xml", ".json": "application/json"}
    pages = [p for p in sorted(pages_dir.rglob("*")) if p.suffix in types]
    assert pages
    for page in pages:
        assert blocked_reason(200, {"content-type": types[page.suffix]}, page.read_bytes()) is None, page.name
