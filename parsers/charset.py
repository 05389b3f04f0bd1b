"""Bytes to text: the charset from the BOM, the Content-Type header, the page's own meta tag, else detection.

Many sites in the region still serve windows-1251 or KOI8-R, sometimes with a wrong or
missing header; older sites elsewhere serve GBK, Big5, Shift_JIS, EUC-KR, windows-1256,
ISO-8859-7, TIS-620... Order of trust: BOM, header, ``<meta charset>``/XML declaration, then
charset-normalizer. A declared charset is not trusted when it fails to decode strictly, when
it leaves UTF-8 mojibake, or when a Western single-byte charset (latin-1, windows-1252) reads
the page's text as mostly accented letters (Cyrillic, Greek or Turkish bytes under a server's
default label). Detection weighs the encodings of the languages govpress reads; where two of
them read the bytes about equally well (Turkish ISO-8859-9 and windows-1252 differ in six
letters), the page's own ``lang`` attribute picks its language's.
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


# Detection only weighs encodings that official sites of the languages govpress reads actually use: Cyrillic first,
# then Western, Turkish and Central European, then Chinese, Japanese, Korean, Arabic, Greek, Thai, Hebrew, Baltic and
# Vietnamese ones.
_CANDIDATES = ["utf_8", "cp1251", "koi8_r", "iso8859_5", "mac_cyrillic", "cp1254", "cp1252", "iso8859_9", "cp1250",
               "iso8859_2", "gb18030", "big5", "cp932", "euc_jp", "cp949", "cp1256", "cp1253", "iso8859_7", "cp874",
               "cp1255", "cp1257", "cp1258"]
# The encodings a page in a language is likely in, for detection's near ties.
_LANGUAGE_ENCODINGS = {
    **dict.fromkeys(("ru", "be", "uk", "bg", "sr", "mk", "kk", "ky", "tg", "mn"), ("cp1251", "koi8_r", "iso8859_5")),
    **dict.fromkeys(("tr", "az", "tk"), ("cp1254", "iso8859_9")),
    **dict.fromkeys(("pl", "cs", "sk", "hu", "sl", "hr", "bs", "ro", "sq"), ("cp1250", "iso8859_2")),
    **dict.fromkeys(("lt", "lv", "et"), ("cp1257",)),
    **dict.fromkeys(("ar", "fa", "ur", "ps"), ("cp1256",)),
    "el": ("cp1253", "iso8859_7"), "he": ("cp1255",), "th": ("cp874",), "vi": ("cp1258",), "zh": ("gb18030", "big5"),
    "ja": ("cp932", "euc_jp"), "ko": ("cp949",),
}
_NEAR_TIE = 0.1
"""How much more chaos (charset-normalizer's measure, 0 to 1) the page's language's encoding may show than the best."""
_LANG_ATTRIBUTE = re.compile(rb"""<html[^>]*?\slang\s*=\s*["']?\s*([A-Za-z]{2,3})""", re.I)
_WESTERN = frozenset({"iso8859-1", "cp1252", "iso8859-15"})  # as codecs names them
_ACCENTED = re.compile("[\u00c0-\u00ff]")
_LETTER = re.compile("[^\\W\\d_]")
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>|&\w+;", re.I | re.S)


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
            if text is not None and not _looks_like_mojibake(text) and not _misread_as_western(text, declared):
                return text, declared, False
    name = _detected(body)
    if name is not None:
        return body.decode(name, errors="replace"), name, False
    return body.decode("utf-8", errors="replace"), "utf-8", False


_XML_DECLARATION = re.compile(rb"""\A(\s*<\?xml\b[^>]{0,200}?\bencoding\s*=\s*)(["'])([A-Za-z0-9._:-]{1,40})\2""", re.I)
_XML_OPENING = re.compile(rb"\A\s*<\?xml\b")


def xml_in_utf8(body: bytes) -> bytes:
    """An XML document (a feed) whose bytes are not in the encoding it declares (UTF-8 when it declares none), as
    UTF-8 bytes declaring UTF-8; any other document as it is.

    XML readers trust the declaration: windows-1251 bytes under ``encoding="utf-8"`` (or under none) came out of
    feedparser as "Ïðåìüåð-ìèíèñòð", UTF-8 bytes under ``encoding="windows-1251"`` as "РџСЂРµРјСЊРµСЂ". The
    charset is told as a page's is (:func:`decode_checked`: valid UTF-8 is UTF-8, a declared charset that reads
    as words is kept, else detection)."""
    if body.startswith(tuple(bom for bom, _ in _BOMS)):
        return body  # a BOM says it all
    match = _XML_DECLARATION.match(body)
    declared = _normal(match.group(3).decode("ascii")) if match else "utf-8"
    if declared is None:
        declared = "utf-8"
    text, charset, exact = decode_checked(body, f"application/xml; charset={declared}")
    if charset == declared:
        return body
    converted = body if exact else text.encode("utf-8")
    if match:
        return _XML_DECLARATION.sub(lambda m: m.group(1) + m.group(2) + b"utf-8" + m.group(2), converted, count=1)
    return converted


def _detected(body: bytes) -> str | None:
    """charset-normalizer's encoding of ``body`` among :data:`_CANDIDATES` (None when it finds none); of near ties,
    the one of the language the page's ``<html lang>`` names."""
    matches = from_bytes(body[:200_000], cp_isolation=_CANDIDATES)
    best = matches.best()
    if best is None or not best.encoding:
        return None
    lang = _LANG_ATTRIBUTE.search(body[:4096])
    preferred = _LANGUAGE_ENCODINGS.get(lang.group(1).decode("ascii").lower(), ()) if lang else ()
    if preferred and best.encoding not in preferred:
        for match in matches:
            if match.encoding in preferred and match.chaos <= best.chaos + _NEAR_TIE:
                return _normal(match.encoding)
    return _normal(best.encoding) or "utf-8"


def _misread_as_western(text: str, declared: str) -> bool:
    """A Western single-byte charset (a server's default label) that reads the page's words as mostly accented
    letters: Cyrillic, Greek or Turkish bytes, which no Western language writes so (Icelandic, the most accented,
    stays well under a third of its letters)."""
    if declared not in _WESTERN:
        return False
    words = _MARKUP.sub(" ", text[:40_000])
    letters = len(_LETTER.findall(words))
    return letters >= 40 and len(_ACCENTED.findall(words)) > letters / 3


_MOJIBAKE = re.compile("[ÐÑ][\u0080-\u00bf]|Ã[\u0080-\u00bf]|вЂ|Р[ЎЃ°-їµ¶·ё]")


def _looks_like_mojibake(text: str) -> bool:
    """UTF-8 Cyrillic read as latin-1/cp1251 leaves tell-tale pairs (``Ð¿``, ``Р°``); one Cyrillic charset read as
    another (windows-1251 as KOI8-R: "оПЕЛЭЕП-ЛХМХЯРП") swaps the letters' case (:func:`_case_scrambled`)."""
    sample = text[:20_000]
    hits = len(_MOJIBAKE.findall(sample))
    return (hits > 20 and hits > len(sample) / 400) or _case_scrambled(sample)


_CYRILLIC_WORD = re.compile(r"[а-яёА-ЯЁ]{4,}")
_SCRAMBLED_SHARE = 0.4
_NUMERO_INSIDE = re.compile(r"(?<=[^\W\d_])№(?=[^\W\d_])")


def _case_scrambled(sample: str) -> bool:
    """Most Cyrillic words have a capital after a small letter, or are capitals of five letters or more: the case
    pattern of text read in the wrong Cyrillic charset (KOI8-R and windows-1251 swap small and capital letters).
    Real text has few such words (acronyms are short: МИД, ЕАЭС; "ВКонтакте" has no small letter before a capital)."""
    if len(_NUMERO_INSIDE.findall(sample)) > max(5, len(sample) // 500):
        return True  # windows-1251 "р" read as ISO-8859-5 is "№": "Я№хьќх№" (and KOI8-R's "п" read as windows-1251 is no letter)
    words = _CYRILLIC_WORD.findall(sample)
    if len(words) < 10:
        return False
    scrambled = sum(1 for word in words
                    if (len(word) >= 5 and word.isupper()) or any(a.islower() and b.isupper() for a, b in zip(word, word[1:])))
    return scrambled > _SCRAMBLED_SHARE * len(words)
