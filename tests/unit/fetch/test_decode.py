"""Streaming decoding with caps (govpress.fetch.decode), fed chunk by chunk without a network."""

from __future__ import annotations

import asyncio
import gzip
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
        read(b"this is not gzip at all" * 10, "gzip")
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
