"""Streaming decoding with caps (govpress.fetch.decode), fed chunk by chunk without a network."""

from __future__ import annotations

import asyncio
import gzip
import os
import zlib

import brotli
import pytest

from govpress.fetch.decode import (
    Body,
    BodyError,
    BodyTooLarge,
    StreamDecoder,
    charset_of,
    declared_too_large,
    read_body,
)

TEXT = ("Стороны обсудили сотрудничество. " * 400).encode("utf-8")


async def _chunks(data: bytes, size: int = 1000):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def read(data: bytes, encoding: str | None, *, max_bytes: int = 10_000_000, max_ratio: float = 100.0,
         truncate: bool = False, wire: list[int] | None = None) -> Body:
    on_wire = wire.append if wire is not None else (lambda n: None)
    return asyncio.run(read_body(_chunks(data), encoding, max_bytes=max_bytes, max_ratio=max_ratio,
                                 truncate=truncate, on_wire=on_wire))


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        (None, lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
        ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),  # applied in order, decoded in reverse
    ],
)
def test_every_coding_decodes_to_the_same_text(encoding, encode) -> None:
    wire: list[int] = []
    sent = encode(TEXT)
    body = read(sent, encoding, wire=wire)
    assert body.data == TEXT and body.wire_bytes == len(sent) == sum(wire) and not body.truncated


def test_over_the_cap_stops_or_truncates() -> None:
    with pytest.raises(BodyTooLarge, match="exceeds max_bytes 5000"):
        read(gzip.compress(TEXT), "gzip", max_bytes=5000)
    body = read(gzip.compress(TEXT), "gzip", max_bytes=5000, truncate=True)
    assert body.data == TEXT[:5000] and body.truncated


def test_a_compression_bomb_is_refused_while_reading() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000, 9)
    with pytest.raises(BodyTooLarge, match="compression bomb") as caught:
        read(bomb, "gzip", max_bytes=100_000_000, max_ratio=100.0)
    assert caught.value.outcome == "too_large"


def test_truncated_corrupt_and_unknown_codings_are_body_errors() -> None:
    with pytest.raises(BodyError, match="ended early") as caught:
        read(gzip.compress(TEXT)[:-20], "gzip")
    assert caught.value.outcome == "network_error"
    with pytest.raises(BodyError, match="brotli body ended early"):
        read(brotli.compress(TEXT)[:-5], "br")
    with pytest.raises(BodyError, match="corrupt compressed body"):
        read(b"\x1f\x8b\x08\x00" + b"this is not deflate at all" * 10, "gzip")  # a gzip header, then garbage
    with pytest.raises(BodyError, match="unsupported Content-Encoding 'zstd'") as caught:
        StreamDecoder("zstd")
    assert caught.value.outcome == "http_error"


def test_headers_say_the_charset_and_a_declared_size() -> None:
    assert charset_of({"content-type": "text/html; charset=Windows-1251"}) == "cp1251"  # the codec name Python knows it by
    assert charset_of({}) is None
    assert declared_too_large({"content-length": "20000"}, 10_000) == "Content-Length 20000 exceeds max_bytes 10000"
    assert declared_too_large({"content-length": "20000"}, 20_000) is None
    assert declared_too_large({"content-length": "abc"}, 10) is None


@pytest.mark.parametrize("encoding", [None, "gzip"])
@pytest.mark.parametrize("size", [1, 100, 1000, 70_000, 10**6])
@pytest.mark.parametrize("max_bytes", [500, 5000, 64 * 1024 + 1, 10**7])
def test_a_body_in_one_piece_or_many_is_the_bytes_sent_whole_or_cut_at_the_cap(encoding, size, max_bytes) -> None:
    """The first decoded piece is kept as it is and a second starts the buffer: one piece or many (a chunk of the
    wire, a decoded piece of at most DECODE_PIECE), the body and its cut are the bytes sent, as ``bytes``."""
    encode = {None: lambda b: b, "gzip": gzip.compress}[encoding]
    sent = encode(TEXT * 10)
    body = asyncio.run(read_body(_chunks(sent, size), encoding, max_bytes=max_bytes, max_ratio=1e9, truncate=True))
    assert type(body.data) is bytes and body.data == (TEXT * 10)[:max_bytes]
    assert body.truncated == (len(TEXT * 10) > max_bytes)


def test_a_body_is_its_own_copy_of_a_buffer_the_stream_reuses() -> None:
    """A stream may hand out one buffer and refill it: the body keeps what was sent, not what the buffer holds later."""
    async def reused():
        buffer = bytearray(b"first page")
        yield buffer
        buffer[:] = b"overwritten"

    body = asyncio.run(read_body(reused(), None, max_bytes=1000, max_ratio=100.0))
    assert body.data == b"first page" and type(body.data) is bytes


@pytest.mark.parametrize("size", [1, 1000, 16_384, 70_000, 10**7])
@pytest.mark.parametrize("max_bytes", [500, 64 * 1024 + 1, 10**7])
def test_a_brotli_body_past_a_decode_piece_is_read_whole_however_it_arrives(size, max_bytes) -> None:
    """brotli holds output back at its limit even when it says it would take more input: a page of a few hundred KB
    (real government pages are) in one chunk or many was read short and failed as "brotli body ended early"."""
    page = (TEXT * 4) + bytes(range(256)) * 400 + TEXT * 8  # ~400 KB, several DECODE_PIECEs
    sent = brotli.compress(page)
    body = asyncio.run(read_body(_chunks(sent, size), "br", max_bytes=max_bytes, max_ratio=1e9, truncate=True))
    assert body.data == page[:max_bytes] and body.truncated == (len(page) > max_bytes) and body.wire_bytes <= len(sent)
    if max_bytes > len(page):
        with pytest.raises(BodyTooLarge):  # the cap and the ratio still apply while reading
            asyncio.run(read_body(_chunks(sent, size), "br", max_bytes=len(page) - 1, max_ratio=1e9))


def test_a_content_encodings_codings_are_read_once_and_undone_last_first() -> None:
    """decode._codings: the codings of a Content-Encoding, stripped and lower-cased, empty ones left out, in the
    order they are undone; read once per distinct header (a site sends the same one on every page)."""
    from govpress.fetch import decode

    decode._codings.cache_clear()
    cases = {"": (), "gzip": ("gzip",), " GZip ": ("gzip",), "gzip, br": ("br", "gzip"), "br,,identity , ": (
        "identity", "br"), ",": (), "x-gzip,deflate": ("deflate", "x-gzip")}
    for header, codings in cases.items():
        assert decode._codings(header) == codings == tuple(
            reversed([c.strip().lower() for c in header.split(",") if c.strip()]))
    for _ in range(3):
        decode.StreamDecoder("gzip")
    assert decode._codings.cache_info().misses == len(cases)


def _decoded(data: bytes, encoding: str, chunk_sizes: list[int], max_bytes: int, truncate: bool) -> tuple:
    """What read_body makes of ``data`` sent in pieces of ``chunk_sizes``: the body and its flags, or the error."""
    async def chunks():
        position = 0
        for size in chunk_sizes:
            yield data[position:position + size]
            position += size
    try:
        body = asyncio.run(read_body(chunks(), encoding, max_bytes=max_bytes, max_ratio=100.0, truncate=truncate))
    except BodyError as exc:
        return type(exc).__name__, exc.outcome, str(exc)
    return body.data, body.wire_bytes, body.truncated, body.gzipped


def test_gzip_and_deflate_bodies_are_inflated_by_zlib_ng_as_the_stdlibs_zlib_inflates_them(monkeypatch) -> None:
    """The zlib stages inflate with zlib-ng (~60% of the stdlib's CPU on a page); the body, its flags and every error,
    its words included, are what the stdlib's zlib gives: 1,500 streams, gzip, zlib-wrapped and raw deflate, whole or
    bit-flipped, cut or with bytes after them, sent in random pieces, read whole or cut at a cap."""
    import random

    from zlib_ng import zlib_ng

    import govpress.fetch.decode as decode

    assert type(decode._ZlibStage("gzip")._obj) is type(zlib_ng.decompressobj(31))
    rng = random.Random(14)
    cases = []
    for i in range(1500):
        body = rng.randbytes(rng.randrange(0, 1500)) + b"<p>release %d</p>" % i * rng.randrange(0, 5000)
        encoding = rng.choice(["gzip", "x-gzip", "deflate", "deflate-raw"])
        if encoding in ("gzip", "x-gzip"):
            data = bytearray(gzip.compress(body, rng.randrange(1, 10), mtime=rng.randrange(2)))
        elif encoding == "deflate":
            data = bytearray(zlib.compress(body, rng.randrange(1, 10)))
        else:
            data, encoding = bytearray(zlib.compress(body)[2:-4]), "deflate"  # raw deflate, as some servers send it
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            change = rng.randrange(4)
            if change == 0 and data:
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            elif change == 1:
                data = data[:rng.randrange(len(data) + 1)]
            elif change == 2:
                data += rng.randbytes(rng.randrange(1, 30))
            elif change == 3 and data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        sizes, left = [], len(data)
        while left > 0:
            sizes.append(rng.randrange(1, left + 1))
            left -= sizes[-1]
        cut = rng.choice([10_000_000, 10_000_000, rng.randrange(1, 200_000)])
        cases.append((bytes(data), encoding, sizes, cut, rng.random() < 0.5))
    ours = [_decoded(*case) for case in cases]
    monkeypatch.setattr(decode, "zlib_ng", zlib)  # the stdlib's zlib in zlib-ng's place
    assert type(decode._ZlibStage("gzip")._obj) is type(zlib.decompressobj(31))
    stdlib = [_decoded(*case) for case in cases]
    assert ours == stdlib
    outcomes = {answer[1] if isinstance(answer[0], str) else "ok" for answer in ours}
    assert outcomes == {"ok", "network_error", "too_large"}  # the cases reach every way a body ends


@pytest.mark.parametrize("after", [b"junk", gzip.compress(b"a second member")], ids=["junk", "second-member"])
@pytest.mark.parametrize("size", [2_000, 80_000, 300_000])
def test_bytes_after_the_compressed_stream_end_the_body_however_long_it_decodes(after: bytes, size: int) -> None:
    """Bytes after the end of a gzip stream (junk, a second member) in the read that ends it: the body is the stream's,
    and not the one member the archive may keep as sent. A body decoding past a decode piece (64 KiB) used to spin
    for ever (zlib keeps such bytes as its unconsumed tail, answering b"" for them again and again): the event loop
    with it, no timeout could fire."""
    import threading

    body = os.urandom(size // 2).hex().encode()
    answers: list[Body] = []
    reading = threading.Thread(target=lambda: answers.append(read(gzip.compress(body) + after, "gzip", wire=None)),
                               daemon=True)
    single = threading.Thread(target=lambda: answers.append(asyncio.run(read_body(
        _one(gzip.compress(body) + after), "gzip", max_bytes=10_000_000, max_ratio=100.0))), daemon=True)
    for thread in (reading, single):
        thread.start()
        thread.join(30)
        assert not thread.is_alive(), "read_body never returned"
    assert [(answer.data == body, answer.gzipped) for answer in answers] == [(True, None), (True, None)]


async def _one(data: bytes):
    yield data


def _sniffed(data: bytes, encoding: str | None, size: int = 1000, **caps) -> Body:
    async def chunks():
        for start in range(0, len(data), size):
            yield data[start:start + size]

    return asyncio.run(read_body(chunks(), encoding, max_bytes=caps.get("max_bytes", 10_000_000),
                                 max_ratio=caps.get("max_ratio", 100.0), sniff_gzip=True))


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
@pytest.mark.parametrize(("encoding", "encode"), [
    (None, gzip.compress),  # a pre-compressed file served as text/html with no Content-Encoding
    ("gzip", lambda b: gzip.compress(gzip.compress(b))),  # compressed twice under one "Content-Encoding: gzip"
    ("br", lambda b: brotli.compress(gzip.compress(b))),
])
def test_a_text_body_still_gzip_after_its_declared_codings_is_inflated(encoding, encode, size) -> None:
    body = _sniffed(encode(TEXT), encoding, size)
    assert body.data == TEXT and body.gzipped is None  # the archive compresses the page itself, not the wire's bytes


def test_only_text_types_are_sniffed_and_a_plain_body_passes_as_it_came() -> None:
    from govpress.fetch.decode import sniffs_gzip

    assert all(map(sniffs_gzip, (None, "", "text/html; charset=utf-8", "application/xhtml+xml", "application/rss+xml",
                                 "application/xml", "text/xml", "application/json")))
    assert not any(map(sniffs_gzip, ("application/gzip", "application/x-gzip", "application/octet-stream",
                                     "application/pdf", "image/png")))
    for data in (TEXT, b"<html>\x1f\x8b\x08</html>", gzip.compress(TEXT)[:1] + b"not gzip"):
        assert _sniffed(data, None, 1).data == data
    assert read(gzip.compress(TEXT), None).data == gzip.compress(TEXT)  # not asked to sniff: the bytes as sent


def test_an_undeclared_gzip_is_bounded_and_checked_like_a_declared_one() -> None:
    with pytest.raises(BodyTooLarge):
        _sniffed(gzip.compress(b"\0" * 50_000_000), None, max_ratio=100.0)
    with pytest.raises(BodyTooLarge, match="exceeds max_bytes"):
        _sniffed(gzip.compress(TEXT), None, max_bytes=5000)
    with pytest.raises(BodyError, match="ended early|truncated"):
        _sniffed(gzip.compress(TEXT)[:-40], None)
    with pytest.raises(BodyError, match="first bytes"):
        _sniffed(b"\x1f\x8b", None, 1)


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "gzip, br"])
def test_a_body_declared_gzip_that_opens_with_no_gzip_member_is_read_as_sent(encoding) -> None:
    """A server's misconfiguration: "Content-Encoding: gzip" on the page as it is. What is undone last (brotli
    here, over the gzip) still must decode."""
    sent = brotli.compress(TEXT) if encoding == "gzip, br" else TEXT
    if encoding == "gzip, br":
        with pytest.raises(BodyError):  # brotli of a plain body is a brotli body: its gzip under it is missing
            read(sent, encoding)
        return
    body = read(sent, encoding)
    assert body.data == TEXT and body.gzipped is None
    # a real gzip body with a corrupt tail is still an error, not a page
    with pytest.raises(BodyError):
        read(gzip.compress(TEXT)[:-40] + b"x" * 40, encoding)


@pytest.mark.parametrize("encoding", ["br", "deflate"])
def test_a_body_declared_br_or_deflate_that_is_markup_or_gzip_is_read_as_it_is(encoding) -> None:
    """A server's misconfiguration: "Content-Encoding: br" (or deflate) on the page as it is, or on a gzip file of it.
    The markup the declared coding cannot read is read as sent, the gzip member is inflated."""
    page = b"<!DOCTYPE html><html><body><p>" + TEXT + b"</p></body></html>"
    assert read(page, encoding).data == page
    assert read(b"\n  " + page, encoding).data == b"\n  " + page
    assert read(gzip.compress(page), encoding).data == page
    # what the coding reads is still its: a real body of it, and a corrupt one that does not open as markup
    real = brotli.compress(page) if encoding == "br" else zlib.compress(page)
    assert read(real, encoding).data == page
    with pytest.raises(BodyError):
        read(b"\x00\x01garbage that is no markup" * 20, encoding)
