"""Bytes to text: the charset from the BOM, the Content-Type header, the page's own meta tag, else detection.

Many sites in the region still serve windows-1251 or KOI8-R, sometimes with a wrong or
missing header. Order of trust: BOM, header, ``<meta charset>``/XML declaration, then
charset-normalizer. A declared charset that fails to decode strictly is not trusted.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I
)


# Detection only weighs encodings these sources actually use.
_CANDIDATES = ["utf_8", "cp1251", "koi8_r", "iso8859_5", "mac_cyrillic", "cp1254", "cp1252", "iso8859_9", "cp1250"]


def _normal(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def charset_from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return _normal(m.group(1)) if m else None


def charset_from_meta(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    if not m:
        return None
    return _normal((m.group(1) or m.group(2)).decode("ascii", "ignore"))


def _strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, charset_used)``; never raises on bad bytes (last resort: UTF-8 with replacement)."""
    text, charset, _exact = decode_checked(body, content_type)
    return text, charset


def decode_checked(body: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """:func:`decode`'s ``(text, charset_used)``, and whether the text is ``body`` read as strict UTF-8 (no BOM
    taken off, nothing replaced): then it encodes back to these very bytes, and a caller that compares the two
    need not encode it again."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name, False
    # Non-ASCII text that is valid UTF-8 is UTF-8 whatever the label says: cp1251 or
    # KOI8-R Cyrillic practically never forms valid UTF-8 sequences.
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8", True
    for declared in (charset_from_header(content_type), charset_from_meta(body)):
        if declared and declared != "utf-8":
            text = _strict(body, declared)
            if text is not None and not _looks_like_mojibake(text):
                return text, declared, False
    best = from_bytes(body[:200_000], cp_isolation=_CANDIDATES).best()
    if best is not None and best.encoding:
        name = _normal(best.encoding) or "utf-8"
        return body.decode(name, errors="replace"), name, False
    return body.decode("utf-8", errors="replace"), "utf-8", False


_MOJIBAKE = re.compile("[ÐÑ][\u0080-\u00bf]|Ã[\u0080-\u00bf]|вЂ|Р[ЎЃ°-їµ¶·ё]")


def _looks_like_mojibake(text: str) -> bool:
    """UTF-8 Cyrillic read as latin-1/cp1251 leaves tell-tale pairs (``Ð¿``, ``Р°``)."""
    sample = text[:20_000]
    hits = len(_MOJIBAKE.findall(sample))
    return hits > 20 and hits > len(sample) / 400
