"""Response bodies decoded while they stream in, never buffered whole: Content-Encoding, size caps, charset.

``Content-Encoding`` stages (gzip, deflate, brotli, stacked in any order) each yield bounded
pieces (:data:`DECODE_PIECE`); a text body that is still gzip after them (a server that forgot the
header, or compressed twice) gets one more gzip stage, a body declared gzip that opens with no
gzip member is read as sent, a body declared br or deflate that opens as a gzip member is gunzipped,
and one that opens as markup those cannot read is read as sent. A body over ``max_bytes`` or a compression bomb (decoded size
over ``max_ratio`` times the bytes on the wire, once past :data:`RATIO_CHECK_AFTER`) is stopped
while reading. ``truncate`` keeps the first ``max_bytes`` instead (robots.txt: the RFC asks for at
least 500 KiB and the rest may be ignored).

A body that cannot be read as sent raises :class:`BodyError` (its ``outcome`` says how the fetch
is recorded); one that is too large raises :class:`BodyTooLarge`.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import AsyncIterable, Callable, Iterator, Mapping
from dataclasses import dataclass

import brotli
from zlib_ng import zlib_ng

from govpress.parsers.charset import charset_from_header

_DECODE_ERRORS = (zlib.error, zlib_ng.error, brotli.error)
"""What a corrupt compressed body raises in a stage."""

DECODE_PIECE = 64 * 1024
"""Decoded bytes produced per decompression step."""
RATIO_CHECK_AFTER = 1_000_000
"""Small, very repetitive pages may compress far better than 100:1: the ratio is judged past this size."""


class BodyError(Exception):
    """The body could not be read as sent; ``outcome`` says how to record it (network_error, http_error)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class BodyTooLarge(BodyError):
    """Over ``max_bytes``, or decoded far larger than what came over the wire (a compression bomb)."""

    def __init__(self, message: str) -> None:
        super().__init__("too_large", message)


@dataclass(frozen=True)
class Body:
    data: bytes
    wire_bytes: int
    """Bytes received before decoding."""
    truncated: bool = False
    gzipped: bytes | None = None
    """The bytes received, when they were one whole gzip member of ``data`` (``Content-Encoding: gzip`` and
    nothing after the member): the archive stores them as they are instead of compressing ``data`` again."""


def charset_of(headers: Mapping[str, str]) -> str | None:
    """The charset the ``Content-Type`` header names, or None."""
    return _charset_of_type(headers.get("content-type"))


_charset_of_type = functools.lru_cache(maxsize=512)(charset_from_header)
"""charset_from_header, a pure function, remembered: a site sends the same few Content-Types on every page."""


def declared_too_large(headers: Mapping[str, str], max_bytes: int) -> str | None:
    """Why a ``Content-Length`` already says the body is over the cap (None when it does not)."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return f"Content-Length {declared} exceeds max_bytes {max_bytes}"
    return None


class _ZlibStage:
    def __init__(self, encoding: str) -> None:
        # gzip: gzip header; deflate: zlib-wrapped per RFC, raw deflate from some servers.
        self._wbits = zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._raw_fallback = encoding == "deflate"
        # zlib-ng's inflate: the same bytes, flags and errors (words included) as the stdlib's zlib for every stream,
        # in ~60% of its CPU on a bench page (18 -> 10.5 us a 2 KB gzip member; test_decode.py compares the two).
        self._obj = zlib_ng.decompressobj(self._wbits)
        self._started = False
        self.gzip = encoding in ("gzip", "x-gzip")

    def whole_member(self) -> bool:
        return self._obj.eof and not self._obj.unused_data and not self._obj.unconsumed_tail

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.decompress(data, DECODE_PIECE)
        except zlib_ng.error:
            if self._raw_fallback and not self._started:
                self._obj = zlib_ng.decompressobj(-zlib.MAX_WBITS)
                self._raw_fallback = False
                out = self._obj.decompress(data, DECODE_PIECE)
            else:
                raise
        self._started = True
        yield out
        # A full piece means more output may be pending even when all input was taken; once the stream has ended none
        # is. (After its end zlib keeps the bytes that follow it, a second gzip member or junk, as unconsumed_tail as
        # well as unused_data, and answers b"" for them again and again: a body decoding past DECODE_PIECE with bytes
        # after its stream in the same read spun here for ever, the event loop with it.)
        while not self._obj.eof and (self._obj.unconsumed_tail or len(out) == DECODE_PIECE):
            out = self._obj.decompress(self._obj.unconsumed_tail, DECODE_PIECE)
            if not out and not self._obj.unconsumed_tail:
                break
            yield out

    def finish(self) -> None:
        if not self._obj.eof:
            raise BodyError("network_error", "compressed body ended early (truncated)")


class _BrotliStage:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=DECODE_PIECE)
        except TypeError:  # brotli < 1.2 has no output limit: the ratio cap still applies per chunk
            yield self._obj.process(data)
            return
        yield out
        # Output held back at the limit is drained with empty input until none comes. can_accept_more_data() is not
        # the test: brotli 1.2 answers True with output still held (a page decoding past ~64 KiB from its last chunk
        # lost the rest and failed as "ended early"; tests/unit/fetch/test_decode.py).
        while out := self._obj.process(b"", output_buffer_limit=DECODE_PIECE):
            yield out

    def finish(self) -> None:
        if not self._obj.is_finished():
            raise BodyError("network_error", "brotli body ended early (truncated)")


@functools.lru_cache(maxsize=64)
def _codings(content_encoding: str) -> tuple[str, ...]:
    """A Content-Encoding's codings, lower-cased, in the order they are undone (the last applied first); remembered,
    as a site sends the same one or two on every page."""
    return tuple(reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]))


_GZIP_MAGIC = b"\x1f\x8b\x08"
"""A gzip member's first bytes (its magic and the deflate method)."""


def sniffs_gzip(content_type: str | None) -> bool:
    """Whether a body of this Content-Type that arrives as gzip bytes after its declared codings is gzip the server
    forgot to declare (a pre-compressed file served as text, a body compressed twice under one ``Content-Encoding``):
    a page or a document of text, or no type at all; never a type that says gzip or binary."""
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind.endswith(("/xml", "+xml", "/html", "/json"))


_MARKUP_OPENINGS = (b"<", b"{", b"[", b"\xef\xbb\xbf<")


def _opens_as_markup(data: bytes) -> bool:
    """The body opens as HTML, XML or JSON does (after white space): what a text sent without compression looks like."""
    return data.lstrip(b" \t\r\n").startswith(_MARKUP_OPENINGS)


def _decodes(stage: "_ZlibStage | _BrotliStage", data: bytes) -> bool:
    """Whether a fresh decoder of ``stage``'s kind reads the opening of ``data`` without an error (a brotli stream may
    well open with "<": only a failure tells it is none)."""
    probe = _BrotliStage() if isinstance(stage, _BrotliStage) else _ZlibStage("deflate")
    try:
        for _ in probe.feed(data[:4096]):
            pass
    except _DECODE_ERRORS:
        return False
    return True


class StreamDecoder:
    """Content-Encoding stages applied in reverse order, each yielding bounded pieces; with ``sniff_gzip``, one more
    gzip stage when what the declared codings yield is itself a gzip member (:func:`sniffs_gzip`)."""

    def __init__(self, content_encoding: str | None, sniff_gzip: bool = False) -> None:
        self._sniffing = sniff_gzip
        self._undeclared: _ZlibStage | None = None
        """The gzip stage the sniff added (None when none was)."""
        self._held = b""
        """The first byte or two of the body while they could open a gzip member."""
        self._first = True
        self._undeclared_identity = False
        """The declared gzip coding was none (the body did not open with a gzip member)."""
        self._stages: list[_ZlibStage | _BrotliStage] = []
        for coding in _codings(content_encoding or ""):
            if coding in ("gzip", "x-gzip", "deflate"):
                self._stages.append(_ZlibStage(coding))
            elif coding == "br":
                self._stages.append(_BrotliStage())
            elif coding != "identity":
                raise BodyError("http_error", f"unsupported Content-Encoding {coding!r} (not requested)")

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next chunk (an iterator of them, not a generator of its own: no layer per chunk)."""
        if self._first:
            self._first = False
            stages = self._stages
            if (stages and len(data) >= 2 and isinstance(stages[0], _ZlibStage) and stages[0].gzip
                    and not data.startswith(b"\x1f\x8b")):
                # "Content-Encoding: gzip" on a body sent as it is (a server's misconfiguration): no gzip member
                # opens it, so there is no gzip coding to undo.
                del stages[0]
                self._undeclared_identity = True
            elif stages and len(data) >= 2 and not (isinstance(stages[0], _ZlibStage) and stages[0].gzip):
                # "br" or "deflate" on a body that is something else: gzip bytes (the wrong name) are gunzipped, and
                # markup that the declared coding cannot read is read as sent.
                if data.startswith(b"\x1f\x8b"):
                    stages[0] = _ZlibStage("gzip")
                    self._undeclared_identity = True
                elif _opens_as_markup(data) and not _decodes(stages[0], data):
                    del stages[0]
                    self._undeclared_identity = True
        if self._sniffing or self._undeclared is not None:
            return self._sniffed(data)
        return self._declared(data)

    def _sniffed(self, data: bytes) -> Iterator[bytes]:
        """The declared codings' pieces, through the undeclared gzip stage when the first of them opens one."""
        for piece in self._declared(data):
            if self._sniffing:
                piece = self._held + piece
                if len(piece) < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(piece):
                    self._held = piece  # the magic's first bytes: the next piece tells
                    continue
                self._held = b""
                self._sniffing = False
                if piece.startswith(_GZIP_MAGIC):
                    self._undeclared = _ZlibStage("gzip")
            if self._undeclared is None:
                yield piece
                continue
            try:
                for out in self._undeclared.feed(piece):
                    if out:
                        yield out
            except _DECODE_ERRORS as exc:
                raise BodyError("network_error", f"corrupt undeclared gzip body: {exc}") from exc

    def _declared(self, data: bytes) -> Iterator[bytes]:
        stages = self._stages
        if not stages:
            if data:
                yield data
            return
        if len(stages) == 1:  # the usual case (one gzip or brotli stage): the pieces without _through's two generators
            try:
                for piece in stages[0].feed(data):
                    if piece:
                        yield piece
            except _DECODE_ERRORS as exc:
                raise BodyError("network_error", f"corrupt compressed body: {exc}") from exc
            return
        yield from self._through(data, 0)

    def _through(self, data: bytes, index: int) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        try:
            for piece in self._stages[index].feed(data):
                yield from self._through(piece, index + 1)
        except _DECODE_ERRORS as exc:
            raise BodyError("network_error", f"corrupt compressed body: {exc}") from exc

    def finish(self) -> None:
        for stage in self._stages:
            stage.finish()
        if self._undeclared is not None:
            self._undeclared.finish()
        if self._held:
            raise BodyError("network_error", "body ended within a gzip member's first bytes")

    @property
    def gzip_only(self) -> bool:
        """One stage, gzip: what arrives is a gzip file of the body (once :meth:`whole_member` holds)."""
        return len(self._stages) == 1 and isinstance(self._stages[0], _ZlibStage) and self._stages[0].gzip

    def whole_member(self) -> bool:
        """The gzip stage (:attr:`gzip_only`) read one whole member (its CRC and size checked) and nothing after it, and
        no undeclared gzip inside it (then what arrived is the body compressed twice)."""
        if self._undeclared_identity:
            return False
        stage = self._stages[0]
        assert isinstance(stage, _ZlibStage)
        return stage.whole_member() and self._undeclared is None


async def read_body(
    chunks: AsyncIterable[bytes],
    content_encoding: str | None,
    *,
    max_bytes: int,
    max_ratio: float,
    truncate: bool = False,
    on_wire: Callable[[int], None] = lambda n: None,
    sniff_gzip: bool = False,
) -> Body:
    """The decoded body of ``chunks`` (the raw stream); ``on_wire`` sees each chunk's size as it arrives; ``sniff_gzip``:
    gzip bytes left after the declared codings are undone too (:func:`sniffs_gzip` says for which Content-Types)."""
    decoder = StreamDecoder(content_encoding, sniff_gzip)
    received: list[bytes] | None = [] if decoder.gzip_only else None
    # The first decoded piece is kept as it is; a second one starts the bytearray. Most pages decode to one piece
    # (a body under DECODE_PIECE that came in one read), which is then the body without two copies of it.
    first: bytes | None = None
    body: bytearray | None = None
    size = 0
    wire = 0
    async for chunk in chunks:
        wire += len(chunk)
        on_wire(len(chunk))
        if received is not None:
            received.append(chunk)
        for piece in decoder.feed(chunk):
            if first is None:
                first = piece if type(piece) is bytes else bytes(piece)  # a copy of a buffer its stream may reuse
            else:
                if body is None:
                    body = bytearray(first)
                body += piece
            size += len(piece)
            if size > max_bytes:
                if truncate:
                    return Body(first[:max_bytes] if body is None else bytes(body[:max_bytes]), wire, truncated=True)
                raise BodyTooLarge(f"body exceeds max_bytes {max_bytes} (stopped after {wire} bytes on the wire)")
            if size > RATIO_CHECK_AFTER and size > wire * max_ratio:
                raise BodyTooLarge(
                    f"decompression ratio over {max_ratio:.0f}:1 ({size} bytes from {wire}): refused as a compression bomb"
                )
    decoder.finish()
    gzipped = b"".join(received) if received is not None and decoder.whole_member() else None
    data = bytes(body) if body is not None else first if first is not None else b""
    return Body(data, wire, gzipped=gzipped)
