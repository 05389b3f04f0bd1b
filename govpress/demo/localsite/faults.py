"""Fault injection for the local site server: which requests misbehave, and how.

A :class:`FaultPlan` is an ordered list of :class:`FaultRule`. A rule matches a request by
a glob on the URL path and/or on the Host header; the first matching rule with budget left
applies its fault (``times`` limits a rule to the first N matching requests, which is how
bursts such as "two 503s, then success" are written). Plans are pydantic models, so they
load from JSON (``FaultPlan.from_json``) as well as from Python.

The byte-level helpers here (re-encoding, mangling, challenge pages, the gzip bomb) are pure
functions; the server decides when to call them and owns every socket operation.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import zlib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

MAX_STALL_SECONDS = 30.0
MAX_ENDLESS_BYTES = 64 * 1024 * 1024
HUGE_HEADER_BYTES = 5 * 1024 * 1024
"""The huge_header fault's padding header (5 MiB): a deterministic protocol error for any client."""
GZIP_BOMB_INFLATED = 1024 * 1024 * 1024
"""What the gzip bomb inflates to (1 GiB of zeros)."""

FaultKind = Literal[
    "latency",
    "read_timeout",
    "connection_reset",
    "status",
    "truncated",
    "wrong_charset",
    "wrong_encoding",
    "malformed_html",
    "redirect_loop",
    "offhost_redirect",
    "endless_body",
    "gzip_bomb",
    "huge_header",
    "challenge",
    "forbidden",
    "volatile_chrome",
    "cookie_check",
    "frozen_validators",
    "maintenance_page",
]


class FaultRule(BaseModel):
    """One misbehaviour and the requests it applies to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fault: FaultKind = Field(description="What goes wrong.")
    path: str | None = Field(None, description="Glob on the URL path (no query), e.g. '/minfin/news/*'.")
    host: str | None = Field(None, description="Glob on the Host header, with or without the port.")
    times: int | None = Field(None, ge=1, description="Only the first N matching requests; None: all of them.")
    seconds: float = Field(
        0.0, ge=0, le=MAX_STALL_SECONDS,
        description="latency: delay before a normal answer; read_timeout: stall length (0 means the 30 s maximum).",
    )
    status: int = Field(503, ge=100, le=599, description="status: the code to answer with.")
    retry_after: int | str | None = Field(None, description="status: Retry-After as seconds, or a literal header value.")
    retry_after_date: bool = Field(False, description="status: send integer retry_after as an HTTP-date that far ahead.")
    charset: str = Field("windows-1251", description="wrong_charset: the encoding the body is really sent in.")
    header_charset: str | None = Field("utf-8", description="wrong_charset: charset claimed in Content-Type; None: no charset.")
    meta: Literal["keep", "true", "drop"] = Field(
        "keep", description="wrong_charset: leave the page's <meta charset>, make it tell the truth, or remove it."
    )
    encoding: Literal["undeclared", "doubled", "false", "br_false"] = Field(
        "undeclared", description="wrong_encoding: the page gzipped with no Content-Encoding, gzipped twice under one "
                                  "'Content-Encoding: gzip', sent as it is under that header, or as it is under "
                                  "'Content-Encoding: br'."
    )
    location: str | None = Field(
        None, description="offhost_redirect target; default http://127.0.0.3:<port><same path>."
    )
    fraction: float = Field(0.5, ge=0, lt=1, description="truncated: share of the body actually sent.")
    cap_bytes: int = Field(MAX_ENDLESS_BYTES, ge=1, le=MAX_ENDLESS_BYTES, description="endless_body: hard stop.")
    header_bytes: int = Field(HUGE_HEADER_BYTES, ge=1, le=MAX_ENDLESS_BYTES,
                              description="huge_header: size of the one padding header sent before the page.")

    def matches(self, path: str, host: str) -> bool:
        if self.path is not None and not fnmatchcase(path, self.path):
            return False
        if self.host is not None:
            hostname = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
            if not (fnmatchcase(host.lower(), self.host.lower()) or fnmatchcase(hostname.lower(), self.host.lower())):
                return False
        return True


class FaultPlan(BaseModel):
    """Ordered fault rules; the first matching rule with budget left wins."""

    model_config = ConfigDict(extra="forbid")

    rules: list[FaultRule] = Field(default_factory=list)
    _used: dict[int, int] = PrivateAttr(default_factory=dict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def of(cls, *rules: FaultRule) -> "FaultPlan":
        return cls(rules=list(rules))

    @classmethod
    def from_json(cls, text: str | bytes) -> "FaultPlan":
        """A plan from JSON: either ``{"rules": [...]}`` or a bare list of rules."""
        data = json.loads(text)
        return cls.model_validate({"rules": data} if isinstance(data, list) else data)

    @classmethod
    def from_file(cls, path: Path) -> "FaultPlan":
        return cls.from_json(Path(path).read_bytes())

    def take(self, path: str, host: str) -> FaultRule | None:
        """The rule that applies to this request, counting it against the rule's budget."""
        with self._lock:
            for index, rule in enumerate(self.rules):
                if not rule.matches(path, host):
                    continue
                used = self._used.get(index, 0)
                if rule.times is not None and used >= rule.times:
                    continue
                self._used[index] = used + 1
                return rule
        return None

    def used(self, index: int) -> int:
        """How many requests rule ``index`` has been applied to."""
        with self._lock:
            return self._used.get(index, 0)


# --------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta\s+charset=["']?[\w-]+["']?\s*/?>""", re.I)


def reencode(body: bytes, charset: str, meta: Literal["keep", "true", "drop"] = "keep") -> bytes:
    """A UTF-8 page re-encoded to ``charset`` (characters it lacks become numeric references)."""
    if meta == "true":
        body = _META_CHARSET.sub(f'<meta charset="{charset}">'.encode(), body, count=1)
    elif meta == "drop":
        body = _META_CHARSET.sub(b"", body, count=1)
    return body.decode("utf-8", errors="replace").encode(charset, errors="xmlcharrefreplace")


def malform_html(body: bytes) -> bytes:
    """Broken markup as some CMSes emit it: closing tags gone, garbage bytes, a tag cut in half at the end."""
    broken = re.sub(rb"</(p|div|li|ul|ol|article|section|span|aside|nav|header|footer|main|strong|time)>", b"", body)
    broken = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + b"\xff\xfe\x00\x81<<div class=\x00", broken, count=1)
    broken = broken.replace(b"</body>", b"").replace(b"</html>", b"")
    cut = broken.rfind(b"<", 0, max(1, int(len(broken) * 0.92)))
    return broken[: cut + 3] if cut > 0 else broken


def volatile_chrome(body: bytes, visit: int) -> bytes:
    """The page as a CMS serves it on its ``visit``-th answer: after the article's last paragraph, a view counter with
    the article's age, an icon's counter and a "read also" list of the latest headlines, each different at every
    answer while the release itself stays the same."""
    views = 1000 + 37 * visit
    chrome = (f'<p class="article__stats">Просмотров: {views} · {visit % 20 + 2} часа назад</p>'
              f'<p class="article__hits"><i class="icon-eye"></i> {views + 5}</p>'
              '<p><strong>Читайте также:</strong></p><ul class="latest">'
              + "".join(f'<li><a href="/latest/{visit + i}/">Новость дня номер {visit + i}: совещание в министерстве</a></li>'
                        for i in range(4))
              + "</ul>").encode()
    end = None
    for end in _LAST_P.finditer(body[: _article_end(body)]):
        pass
    return body if end is None else body[: end.end()] + chrome + body[end.end():]


_LAST_P = re.compile(rb"</p\s*>", re.I)


def _article_end(body: bytes) -> int:
    """Where the article ends: its ``</article>``, else ``</main>``, else the end of the body."""
    for tag in (rb"</article", rb"</main", rb"</body"):
        at = body.lower().find(tag)
        if at >= 0:
            return at
    return len(body)


def status_page(status: int, reason: str) -> bytes:
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {reason}</title></head>"
            f"<body><h1>{status} {reason}</h1><p>The local site server answered with an injected fault.</p>"
            "</body></html>\n").encode()


def maintenance_page() -> bytes:
    """A CMS's maintenance screen, answered with 200 for whatever page was asked for."""
    return ("<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Министерство финансов</title></head>"
            "<body><h1>Сайт временно недоступен</h1><p>На сайте ведутся технические работы. Пожалуйста, зайдите "
            "позже.</p><p>Приносим извинения за доставленные неудобства.</p></body></html>\n").encode()


def forbidden_page() -> bytes:
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>403 Forbidden</title></head>"
            "<body><h1>Access denied</h1><p>You don't have permission to access this resource.</p>"
            "<p>Reference #18.3f2a7b5c.1727860440.1d2e3f4</p></body></html>\n").encode()


def challenge_page(path: str) -> bytes:
    """An AWS-WAF-like JavaScript challenge (~3 KB): a script and a noscript note, no article markup."""
    token = "".join(hashlib.sha256(f"{path}:{i}".encode()).hexdigest() for i in range(28))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title></title>
<style>body{{font-family:sans-serif;margin:0}}#challenge-container{{display:flex;align-items:center;justify-content:center;height:100vh}}</style>
<script type="text/javascript">
window.gokuProps = {{
  "key": "AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96AG/local",
  "iv": "EkQVTQCBkQAABHsb",
  "context": "{token}"
}};
</script>
<script src="/static/challenge.js" defer></script>
</head>
<body>
<div id="challenge-container"></div>
<script type="text/javascript">
AwsWafIntegration.saveReferrer();
AwsWafIntegration.checkForceRefresh().then((forceRefresh) => {{
  if (forceRefresh) {{ AwsWafIntegration.forceRefreshToken().then(() => {{ window.location.reload(true); }}); }}
  else {{ AwsWafIntegration.getToken().then(() => {{ window.location.reload(true); }}); }}
}});
</script>
<noscript>
<h1>JavaScript is disabled</h1>
In order to continue, we need to verify that you're not a robot. This requires JavaScript. Enable JavaScript and then reload the page.
</noscript>
</body>
</html>
""".encode()


def endless_chunk() -> bytes:
    """One 64 KiB piece of the never-ending page."""
    line = b"<p>" + b"\xd0\x91\xd0\xb5\xd1\x81\xd0\xba\xd0\xbe\xd0\xbd\xd0\xb5\xd1\x87\xd0\xbd\xd0\xbe " * 12 + b"</p>\n"
    return (line * (65536 // len(line) + 1))[:65536]


def _crc32_of_repeats(piece: bytes, count: int) -> int:
    """zlib.crc32(piece * count) without hashing ``count`` copies.

    crc32(piece, c) is affine in the starting value c over GF(2): L·c xor b. So it is
    represented by 32 columns and a constant, and composed with itself by squaring.
    """

    def apply(columns: list[int], const: int, value: int) -> int:
        out = const
        for bit in range(32):
            if value >> bit & 1:
                out ^= columns[bit]
        return out

    const = zlib.crc32(piece, 0)
    columns = [zlib.crc32(piece, 1 << bit) ^ const for bit in range(32)]
    result_columns, result_const = [1 << bit for bit in range(32)], 0  # the identity map
    while count:
        if count & 1:  # result = step ∘ result
            result_columns = [apply(columns, const, c) ^ const for c in result_columns]
            result_const = apply(columns, const, result_const)
        columns, const = [apply(columns, const, c) ^ const for c in columns], apply(columns, const, const)
        count >>= 1
    return result_const


@functools.cache
def gzip_bomb_parts() -> tuple[bytes, bytes, int, bytes]:
    """(gzip header, a repeatable deflate block, how many times to repeat it, final block + trailer).

    Each block is 1 MiB of zeros compressed and flushed with Z_FULL_FLUSH, which resets the
    compressor, so every block has identical bytes and the whole stream (about 1 MiB on the
    wire) is one valid gzip member that inflates to :data:`GZIP_BOMB_INFLATED` bytes.
    """
    zeros = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = GZIP_BOMB_INFLATED // len(zeros)
    crc = _crc32_of_repeats(zeros, count)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    final_empty_block = b"\x03\x00"
    trailer = crc.to_bytes(4, "little") + (GZIP_BOMB_INFLATED & 0xFFFFFFFF).to_bytes(4, "little")
    return header, block, count, final_empty_block + trailer
