"""httpcore's HTTP/1.1 connections on plain asyncio: the same protocol code, without anyio's per-call machinery.

httpcore (1.0.x) runs on asyncio through anyio: every socket read and write enters an anyio
``fail_after`` cancel scope and a resource guard and yields to the event loop once (a "checkpoint"),
and each of a request's three lock acquisitions (the connection's request lock, the HTTP/1.1 state
lock twice) yields once more inside a shielded cancel scope. At 16 fetches in flight those yields
also let other requests be placed on a connection that is about to become busy; they then fail with
``ConnectionNotAvailable`` and are placed again: 3.8 placements per request instead of one
(bench.govpress_run plain's 684 requests). The pool also asked sniffio and made an anyio event to
hand each request its connection, and entered an anyio shield scope to close each response. Without
all of it the Fetcher alone takes ~380 CPU-us a fetch over those requests instead of ~630.

Here, with only the asyncio parts swapped:

- :class:`AsyncioStream` is the network stream (what httpcore's ``AnyIOStream`` over anyio's
  ``SocketStream`` is): an :class:`asyncio.Protocol` buffering what the socket delivers, reads that
  wait only when nothing is buffered (their timeout a timer, not a cancel scope), writes that wait
  only while the transport's buffer is not flushed (anyio's rule: a write buffer limit of 0), TLS
  by :meth:`asyncio.loop.start_tls`. The same httpcore errors for the same failures:
  ``ConnectError``/``ConnectTimeout``, ``ReadError``/``ReadTimeout``, ``WriteError``/``WriteTimeout``;
  a read at the end of the stream returns ``b""``. A pooled connection's idle check ("is the socket
  readable", i.e. did the server close it) looks at what the protocol already received, then polls
  the socket at most every :data:`QUIET_FOR` seconds.
- :class:`Connection` and :class:`HTTP11Connection` are httpcore's, their locks asyncio's
  (:class:`Lock`): mutual exclusion as before, no yield when the lock is free. :class:`PoolRequest`
  (a request waiting in the pool) waits on an asyncio :class:`Event`, and :class:`PoolStream` closes a
  response as httpcore's does, without the anyio shield (which holds off only anyio's own cancel
  scopes; none is open there). A request with no ``trace`` hook, while httpcore's debug log is off,
  goes through the exchange without httpcore's ``Trace`` context managers (which would do nothing).

govpress/fetch/netguard.py's backend makes the stream (an ``httpcore.AsyncNetworkStream``, so any
httpcore can drive it); its pool uses the other classes, built on httpcore's internals, only with
the httpcore they were written against (netguard.POOL_FOR_HTTPCORE). tests/unit/fetch/test_wire.py
runs the same exchanges through httpx's default transport (httpcore on anyio) and these.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import re
import select
import ssl
import time
import typing
from collections import deque
from collections.abc import AsyncIterable

import h11
import httpcore
import httpx
from httpcore._async.connection import AsyncHTTPConnection
from httpcore._async.connection_pool import AsyncPoolRequest, PoolByteStream
from httpcore._async.http11 import (
    AsyncHTTP11Connection,
    AsyncHTTP11UpgradeStream,
    ConnectionNotAvailable,
    HTTP11ConnectionByteStream,
    HTTPConnectionState,
)
from httpcore._async.http11 import logger as _HTTP11_LOG
from httpcore._synchronization import AsyncShieldCancellation

QUIET_FOR = 0.002
"""Seconds a pooled socket found quiet (no close from the server) is taken as still quiet.

httpcore asks every idle pooled connection whether its socket is readable before each request is
placed, many times a millisecond at 16 in flight; a close noticed that much later is the race
httpcore already has (a server closing right after the check), which the fetcher's retry covers."""
NO_BODY = httpx.ByteStream(b"")
"""A GET's body, as httpx.Request makes it for a request without content (the fetcher sends this one): there is
nothing to write, so :meth:`HTTP11Connection._send_request_body` does not iterate it."""
READ_HIGH_WATER = 1024 * 1024
"""Bytes received and not yet read at which the transport stops reading (resumed once read)."""


class Lock:
    """httpcore's ``AsyncLock`` interface on :class:`asyncio.Lock`: anyio's lock yields to the event
    loop (in a shielded cancel scope) on every acquisition, even of a free lock; this one does not."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> Lock:
        await self._lock.acquire()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._lock.release()


class Event:
    """httpcore's ``AsyncEvent`` interface on :class:`asyncio.Event` (httpcore's asks sniffio which library
    runs, and makes an anyio event, every time a request is given a connection)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float | None = None) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError as exc:  # as httpcore maps anyio's fail_after
            raise httpcore.PoolTimeout(exc) from exc


class PoolRequest(AsyncPoolRequest):
    """httpcore's request waiting in the pool, with an asyncio event."""

    def __init__(self, request: httpcore.Request) -> None:
        super().__init__(request)
        self._connection_acquired = Event()  # type: ignore[assignment]

    def clear_connection(self) -> None:
        self.connection = None
        self._connection_acquired = Event()  # type: ignore[assignment]


class PoolStream(PoolByteStream):
    """httpcore's response body stream of the pool, closed without entering an anyio shield scope.

    The shield keeps a cancellation (an anyio cancel scope's: a native asyncio one goes through it all
    the same) from stopping the close half way, which would leave the request in the pool. Here the
    close never waits, so nothing can be delivered in it: the HTTP/1.1 state lock does not yield when
    free and is never held across a wait (the stream's close does not yield), and the trace hook, when
    there is one, does not wait either. The shield was an anyio scope entered for every response."""

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            if hasattr(self._stream, "aclose"):
                await self._stream.aclose()
            with self._pool._optional_thread_lock:
                self._pool._requests.remove(self._pool_request)
                closing = self._pool._assign_requests_to_connections()
            await self._pool._close_connections(closing)


CHECKED_HEADERS_KEPT = 256
"""Distinct request header lists whose h11 form is kept (:func:`_keep_checked`)."""
_CHECKED_HEADERS: dict[tuple[tuple[bytes, bytes], ...], typing.Any] = {}
"""A request head's headers (httpcore's list, as a tuple) -> the ``h11.Headers`` h11 made of them.

h11 checks every name and value of a request's headers against its patterns and lower-cases the names
(``normalize_and_validate``) each time an ``h11.Request`` is made from a list; given the ``Headers`` it made
before, it takes them as they are (h11 reads a request's headers and never changes them). A fetcher sends
the same few header lists (Host, the client's headers, the source's User-Agent) again and again; a list
that h11 refuses raises as before and is not kept."""


_KNOWN_METHODS = frozenset({b"GET"})
"""Methods h11's method pattern accepts, known without a match."""


def _checked_request(method: typing.Any, target: typing.Any, headers: typing.Any) -> h11.Request:
    """``h11.Request(method=method, target=target, headers=headers)`` for headers h11 made for a request before (one
    Host field among them: h11 counted it then): without h11's walk of the headers for Host fields, done again for
    every request (a Python ``Sequence`` iteration, an item call a header), and its match of a known method."""
    if not _H11_KNOWN or type(method) is not bytes or type(target) is not bytes or method not in _KNOWN_METHODS:
        return h11.Request(method=method, target=target, headers=headers)
    event = object.__new__(h11.Request)
    object.__setattr__(event, "headers", headers)
    object.__setattr__(event, "method", method)
    object.__setattr__(event, "target", target)
    object.__setattr__(event, "http_version", b"1.1")
    if _H11_TARGET.fullmatch(target) is None:  # h11's validate(request_target_re, ...), without its groupdict
        raise h11.LocalProtocolError("Illegal target characters")
    return event


def _keep_checked(key: tuple[tuple[bytes, bytes], ...], headers: typing.Any) -> None:
    if len(_CHECKED_HEADERS) >= CHECKED_HEADERS_KEPT:  # conditional headers (ETags) make each list new: bounded
        _CHECKED_HEADERS.clear()
    _CHECKED_HEADERS[key] = headers


HEAD_LINES_KEPT = 1024
"""Distinct response status and header lines whose parse is kept (:func:`_read_response_head`)."""
_HEAD_LINES: dict[bytes, typing.Any] = {}
"""A response's status line or header line, as received -> what h11's reader made of it.

h11 (``maybe_read_from_SEND_RESPONSE_server``) matches every line of a response head against its patterns (a
generator, a call and a ``groupdict`` a line: ~0.8 us each), and a site answers with the same lines again and
again (its Server, Content-Type, Vary, Content-Encoding, the Date of this second, "HTTP/1.1 200 OK"); a line
is matched once and its parts reused. A line h11 refuses raises as before and is not kept."""


def _keep_line(line: bytes, parsed: typing.Any) -> None:
    if len(_HEAD_LINES) >= HEAD_LINES_KEPT:  # ETags, lengths and dates make new lines all the time: bounded
        _HEAD_LINES.clear()
    _HEAD_LINES[line] = parsed


def _read_response_head(buf: typing.Any) -> h11.InformationalResponse | h11.Response | None:
    """h11 0.16's ``maybe_read_from_SEND_RESPONSE_server``, each line's match taken from :data:`_HEAD_LINES` when the
    line was matched before (a head with a folded line, which joins two lines into one, is read by h11's own code)."""
    lines = _head_lines(buf)
    if lines is None:
        if buf.is_next_line_obviously_invalid_request_line():
            raise h11.LocalProtocolError("illegal request line")
        return None
    if not lines:
        raise h11.LocalProtocolError("no response line received")
    status_line = bytes(lines[0])
    # A status line is kept under a key no header line has (none holds a line feed): a header line of the same bytes
    # as a status line read before must not be taken for its parts.
    status = _HEAD_LINES.get(b"\n" + status_line)
    if status is None:
        matches = _h11_validate(_H11_STATUS_LINE, status_line, "illegal status line: {!r}", bytearray(lines[0]))
        status = (int(matches["status_code"]), b"" if matches["reason"] is None else matches["reason"],
                  b"1.1" if matches["http_version"] is None else matches["http_version"])
        _keep_line(b"\n" + status_line, status)
    status_code, reason, http_version = status
    fields = []
    framing = 0  # Content-Length and Transfer-Encoding fields
    framing_field = None
    connection = False  # a Connection field
    for line in lines[1:]:
        field = _HEAD_LINES.get(line)
        if field is None:
            match = _H11_HEADER_FIELD.fullmatch(line)
            field = None if match is None else _settled_field(*match.group("field_name", "field_value"))
            if field is None:
                # An illegal line, or a line folded onto the one before it (its leading blank is no field name's
                # start, so no folded line is ever kept), or a length or transfer coding h11 refuses: the whole head
                # as h11 reads it, folds joined, or its error.
                framing = 2
                break
            _keep_line(line, field)
        kind = _FACT_NAMES.get(field[1])
        if kind is not None:
            if kind:
                framing += 1
                framing_field = field
            else:
                connection = True
        fields.append(field)
    if status_code < 200:
        event_class = h11.InformationalResponse
    else:
        event_class = h11.Response
    # Two framing fields (h11 compares them, drops a repeated length or refuses) or a line above: h11's own reading.
    headers = (_H11_HEADERS(fields) if framing < 2
               else list(_h11_decode_header_lines([bytearray(line) for line in lines[1:]])))  # h11's own lines
    event = event_class(headers=headers, _parsed=True, status_code=status_code, reason=reason,
                        http_version=http_version)
    if event_class is h11.Response and framing < 2 and not connection:
        global _LAST_RESPONSE
        _LAST_RESPONSE = (event, framing_field)
    return event


def _head_lines(buf: typing.Any) -> list[bytes] | None:
    """h11's ``ReceiveBuffer.maybe_extract_lines``, the lines as ``bytes``: the head taken out of the buffer as h11
    takes it, copied once and split at its CRLFs when every line feed in it ends a CRLF (the lines h11 makes: it
    splits at line feeds and drops one carriage return before each), instead of a bytearray a line, each shortened
    in place and then copied for the look-up. A head with a bare line feed is split as h11 splits it."""
    data = buf._data
    if data[:1] == b"\n" or data[:2] == b"\r\n":
        return buf.maybe_extract_lines()  # an empty head: h11's own answer
    match = _H11_BLANK_LINE.search(data, buf._multiple_lines_search)
    if match is None:
        buf._multiple_lines_search = max(0, len(data) - 2)
        return None
    head = bytes(buf._extract(match.span(0)[-1]))
    if head.count(b"\n") == head.count(b"\r\n"):
        lines = head.split(b"\r\n")
    else:
        lines = [line[:-1] if line.endswith(b"\r") else line for line in head.split(b"\n")]
    assert lines[-2] == lines[-1] == b""
    del lines[-2:]
    return lines


_FRAMING_NAMES = (b"content-length", b"transfer-encoding")
_FACT_NAMES = {b"content-length": True, b"transfer-encoding": True, b"connection": False}
"""The fields h11 reads of a response to frame its body and keep the connection (True: a framing field)."""
_LAST_RESPONSE: tuple | None = None
"""(the last Response event :func:`_read_response_head` read without a Connection field and with one framing field
at most, that field or None): what h11 would look for in its headers three times (its Connection, Transfer-Encoding
and Content-Length, each a walk of every field) when it takes the event (:class:`_H11Client`). Held by identity:
another event (another reader's, another thread's) is read by h11."""


def _response_facts(event: typing.Any) -> tuple | None:
    """(event, its framing field or None) from :data:`_LAST_RESPONSE` when ``event`` is that response, else None."""
    last = _LAST_RESPONSE
    return last if last is not None and last[0] is event else None


def _response_framing(request_method: typing.Any, event: typing.Any, framing_field: typing.Any) -> tuple:
    """h11's ``_body_framing(request_method, event)`` of a response with no other framing field than
    ``framing_field``: its Transfer-Encoding (settled: "chunked") or Content-Length (settled: ASCII digits) field, as
    h11's ``get_comma_header`` would list them."""
    status = event.status_code
    if status in (204, 304) or request_method == b"HEAD" or (request_method == b"CONNECT" and 200 <= status < 300):
        return ("content-length", (0,))
    assert status >= 200
    if framing_field is None:
        return ("http/1.0", ())
    if framing_field[1] == b"transfer-encoding":
        return ("chunked", ())
    return ("content-length", (int(framing_field[2]),))


def _settled_field(name: bytes, value: bytes) -> tuple[bytes, bytes, bytes] | None:
    """A parsed header field as h11's Headers hold it when it is the only framing field of its head (what
    ``normalize_and_validate(..., _parsed=True)`` makes of it: the name as sent, the name lower-cased, the value; a
    Content-Length's or Transfer-Encoding's value settled and checked as h11 does), or None when h11 refuses it."""
    lower = name.lower()
    if lower not in _FRAMING_NAMES:
        return (name, lower, value)
    if lower == b"content-length" and value.isdigit() and len(value) <= _H11_CONTENT_LENGTH_DIGITS:
        # One length of ASCII digits (bytes.isdigit: h11's [0-9]+), no longer than h11 takes: h11 keeps it as it is
        # (its split at commas and strip leave it whole). A new page size is a new line: most responses have one.
        return (name, lower, value)
    try:
        return _H11_NORMALIZE([(name, value)], _parsed=True)._full_items[0]
    except h11.LocalProtocolError:
        return None


class _H11Client(h11.Connection):
    """h11's client connection, reading a response's head with :func:`_read_response_head`, its events' state changes
    taken from :data:`_TRANSITIONS` when h11 made them before.

    h11 passes every event, sent or received (five an exchange: the request, its end, the response, its body, the
    body's end), through its general state machine: a copy of both states, the event-triggered transition, the
    state-triggered ones run to a fixed point (another copy and a comparison of the states each round), a second
    copy to compare and the reader or writer looked up again (~25 us of an exchange's h11 cycle, ~40% of it). With
    no protocol switch proposed and keep-alive on, which is how a plain exchange runs, that machine is a pure
    function of the two states and the event's type once the event itself proposes no switch and keeps the
    connection alive: its answer is kept the first time h11 gives it and reused, and the rest of h11's
    ``_process_event`` (the request method, the peer's HTTP version, the 100-continue flag, the new reader and
    writer) is done as h11 does it. Anything else goes through h11's own ``_process_event``."""

    def _process_event(self, role: typing.Any, event: typing.Any) -> None:
        cstate = self._cstate
        etype = type(event)
        if cstate.pending_switch_proposals or not cstate.keep_alive:
            return super()._process_event(role, event)
        # Whether the event leaves the switch proposals and keep-alive alone (h11's _process_event would otherwise
        # propose a switch, see one, or disable keep-alive: h11's own code then).
        if etype is _H11_DATA or etype is _H11_END:
            plain = True
        elif etype is _H11_RESPONSE:
            # h11's _keep_alive: no "close" among its Connection values (a response read with none has none), and
            # HTTP/1.1 or later.
            plain = not event.http_version < b"1.1" if _response_facts(event) is not None else _h11_keep_alive(event)
        elif etype is _H11_REQUEST:
            facts = _request_facts(event)
            if facts is None:
                plain = (role is h11.CLIENT and event.method != b"CONNECT"
                         and not _h11_comma_header(event.headers, b"upgrade") and _h11_keep_alive(event))
            else:
                plain = role is h11.CLIENT and facts[1]
        elif etype is h11.InformationalResponse:
            plain = event.status_code != 101
        else:
            plain = etype is h11.ConnectionClosed
        states = cstate.states
        client, server = states[h11.CLIENT], states[h11.SERVER]
        key = (role, etype, client, server)
        new = _TRANSITIONS.get(key) if plain else None
        if new is None:
            super()._process_event(role, event)
            if plain and cstate.keep_alive and not cstate.pending_switch_proposals:
                _TRANSITIONS[key] = (cstate.states[h11.CLIENT], cstate.states[h11.SERVER])
            return
        new_client, new_server = new
        if etype is _H11_RESPONSE:
            cstate.pending_switch_proposals = set()  # as ConnectionState.process_event: a new (empty) set
        states[h11.CLIENT] = new_client
        states[h11.SERVER] = new_server
        if etype is _H11_REQUEST:
            self._request_method = event.method
        our_role = self.our_role
        if role is not our_role and (etype is _H11_REQUEST or etype is _H11_RESPONSE
                                     or etype is h11.InformationalResponse):
            self.their_http_version = event.http_version
        if etype is _H11_REQUEST and (facts[2] if facts is not None else _h11_expect_100(event)):
            self.client_is_waiting_for_100_continue = True
        if etype is h11.InformationalResponse or etype is _H11_RESPONSE:
            self.client_is_waiting_for_100_continue = False
        if role is h11.CLIENT and (etype is _H11_DATA or etype is _H11_END):
            self.client_is_waiting_for_100_continue = False
        # h11's _respond_to_state_changes: the writer, then the reader, of a side whose state changed.
        if our_role is h11.CLIENT:
            our_old, our_new, their_old, their_new = client, new_client, server, new_server
        else:
            our_old, our_new, their_old, their_new = server, new_server, client, new_client
        if our_new is not our_old:
            self._writer = self._get_io_object(our_role, event, _H11_WRITERS)
        if their_new is not their_old:
            self._reader = self._get_io_object(self.their_role, event, _H11_READERS)

    def _get_io_object(self, role: typing.Any, event: typing.Any, io_dict: typing.Any) -> typing.Any:
        # h11's, with its readers' response head reader replaced (_READERS), and a request's body framing, which reads
        # only its method and headers, taken from _REQUEST_FACTS when that request's headers were framed before.
        if io_dict is _H11_READERS:
            io_dict = _READERS
        elif io_dict is _H11_WRITERS:
            io_dict = _WRITERS
        state = self._cstate.states[role]
        if state is not h11.SEND_BODY:
            return io_dict.get((role, state))
        if type(event) is _H11_REQUEST:
            facts = _request_facts(event)
            if facts is not None:
                framing_type, args = facts[3]
                return io_dict[h11.SEND_BODY][framing_type](*args)
        elif type(event) is _H11_RESPONSE and (response := _response_facts(event)) is not None:
            framing_type, args = _response_framing(self._request_method, event, response[1])
            return io_dict[h11.SEND_BODY][framing_type](*args)
        return super()._get_io_object(role, event, io_dict)

    def start_next_cycle(self) -> None:
        # h11's: both sides from DONE to IDLE, and their reader and writer for IDLE (the state changes h11 responds
        # to); any other state is h11's to refuse.
        cstate = self._cstate
        states = cstate.states
        if (len(states) == 2 and states.get(h11.CLIENT) is h11.DONE and states.get(h11.SERVER) is h11.DONE
                and cstate.keep_alive and not cstate.pending_switch_proposals
                and not self.client_is_waiting_for_100_continue):
            cstate.states = {h11.CLIENT: h11.IDLE, h11.SERVER: h11.IDLE}
            self._request_method = None
            self._writer = _WRITERS.get((self.our_role, h11.IDLE))
            self._reader = _READERS.get((self.their_role, h11.IDLE))
            return
        super().start_next_cycle()

    def next_event(self) -> typing.Any:
        # h11's, with its _extract_next_receive_event inline, and its `event not in [NEED_DATA, PAUSED]` an identity
        # test (an event equals neither sentinel: two dataclass __eq__ calls less an event).
        state = self._cstate.states[self.their_role]
        if state is h11.ERROR:
            raise h11.RemoteProtocolError("Can't receive data when peer state is ERROR")
        try:
            buffer = self._receive_buffer
            if (state is h11.DONE and buffer) or state is h11.MIGHT_SWITCH_PROTOCOL or state is h11.SWITCHED_PROTOCOL:
                return h11.PAUSED
            reader = self._reader
            assert reader is not None
            if reader is _read_response_head and not buffer and not self._receive_buffer_closed:
                # Nothing received yet (httpcore asks before its first read): what the reader and the checks below
                # answer for an empty buffer (no line, nothing invalid, nothing over the size, not closed).
                return h11.NEED_DATA
            event = reader(buffer)
            if event is None:
                if not buffer and self._receive_buffer_closed:
                    event = reader.read_eof() if hasattr(reader, "read_eof") else h11.ConnectionClosed()
                if event is None:
                    if len(buffer) > self._max_incomplete_event_size:
                        raise h11.RemoteProtocolError("Receive buffer too long", error_status_hint=431)
                    if self._receive_buffer_closed:
                        raise h11.RemoteProtocolError("peer unexpectedly closed connection")
                    return h11.NEED_DATA
            self._process_event(self.their_role, event)
            return event
        except BaseException as exc:
            self._process_error(self.their_role)
            if isinstance(exc, h11.LocalProtocolError):
                exc._reraise_as_remote_protocol_error()
            else:
                raise


REQUEST_FACTS_KEPT = 256
"""Request header lists (h11's ``Headers`` objects) whose facts :func:`_request_facts` keeps."""
_REQUEST_FACTS: dict[int, tuple] = {}
"""id(an h11 ``Headers`` of a request) -> (those headers, the request proposes no switch and keeps the connection
alive, it expects 100-continue, its body framing): what h11 reads of a GET's headers at every request, worked out
once for the header lists :func:`HTTP11Connection._send_request_headers` sends again and again (the headers are
held here, so their id is not reused while kept)."""


def _request_facts(event: typing.Any) -> tuple | None:
    """The :data:`_REQUEST_FACTS` of an HTTP/1.1 GET request, or None for another request (h11 reads it itself)."""
    if event.method != b"GET" or event.http_version != b"1.1":
        return None
    headers = event.headers
    facts = _REQUEST_FACTS.get(id(headers))
    if facts is None or facts[0] is not headers:
        plain = not _h11_comma_header(headers, b"upgrade") and _h11_keep_alive(event)
        block: list[bytes] = []
        _h11_write_headers(headers, block.append)
        facts = (headers, plain, _h11_expect_100(event), _h11_body_framing(b"GET", event), b"".join(block))
        if len(_REQUEST_FACTS) >= REQUEST_FACTS_KEPT:
            _REQUEST_FACTS.clear()
        _REQUEST_FACTS[id(headers)] = facts
    return facts


def _write_request(request: typing.Any, write: typing.Callable[[bytes], typing.Any]) -> None:
    """h11's ``write_request``: the request line, then the headers as h11's ``write_headers`` writes them (Host
    first), those of a GET written from :data:`_REQUEST_FACTS` (h11 formats every field of every request) in one
    piece. ``send`` joins the pieces: the same bytes."""
    if request.http_version != b"1.1":
        raise h11.LocalProtocolError("I only send HTTP/1.1")
    write(b"%s %s HTTP/1.1\r\n" % (request.method, request.target))
    facts = _request_facts(request)
    if facts is None:
        _h11_write_headers(request.headers, write)
    else:
        write(facts[4])


_TRANSITIONS: dict[tuple, tuple] = {}
"""(role, event type, client state, server state) -> (client state, server state) after h11's state machine took
such an event with no switch proposed and keep-alive on (:class:`_H11Client`); a few dozen at most."""


H11_HEAD_READER_FOR = ("0.16.",)
"""h11 versions whose response head reader :func:`_read_response_head` and :class:`_H11Client`'s state changes
repeat; with another, h11's own connection runs."""
_H11_KNOWN = h11.__version__.startswith(H11_HEAD_READER_FOR)
if _H11_KNOWN:
    from h11._readers import _decode_header_lines as _h11_decode_header_lines
    from h11._readers import header_field_re as _H11_HEADER_FIELD
    from h11._readers import maybe_read_from_SEND_RESPONSE_server as _H11_READ_RESPONSE
    from h11._readers import status_line_re as _H11_STATUS_LINE
    from h11._receivebuffer import blank_line_regex as _H11_BLANK_LINE
    from h11._events import request_target_re as _H11_TARGET
    from h11._readers import READERS as _H11_READERS
    from h11._writers import WRITERS as _H11_WRITERS
    from h11._util import validate as _h11_validate
    from h11._headers import Headers as _H11_HEADERS
    from h11._headers import normalize_and_validate as _H11_NORMALIZE
    from h11._headers import CONTENT_LENGTH_MAX_DIGITS as _H11_CONTENT_LENGTH_DIGITS
    from h11._headers import get_comma_header as _h11_comma_header
    from h11._headers import has_expect_100_continue as _h11_expect_100
    from h11._connection import _keep_alive as _h11_keep_alive
    from h11._connection import _body_framing as _h11_body_framing

    from h11._writers import write_request as _H11_WRITE_REQUEST
    from h11._writers import write_headers as _h11_write_headers

    _WRITERS = {key: _write_request if writer is _H11_WRITE_REQUEST else writer for key, writer in _H11_WRITERS.items()}
    """h11's writers, its request writer replaced by :func:`_write_request`."""
    _READERS = {key: _read_response_head if reader is _H11_READ_RESPONSE else reader
                for key, reader in _H11_READERS.items()}
    """h11's readers, its response head reader replaced by :func:`_read_response_head`."""
    _H11_REQUEST, _H11_RESPONSE, _H11_DATA, _H11_END = h11.Request, h11.Response, h11.Data, h11.EndOfMessage


class HTTP11Connection(AsyncHTTP11Connection):
    """httpcore's HTTP/1.1 connection with an asyncio state lock, and five of its steps without their per-call
    overhead: h11's errors mapped by an ``except`` instead of httpcore's ``map_exceptions`` context manager (a
    generator entered for every event sent or received), a GET's empty body not sent as an empty ``Data`` event
    (h11 writes nothing for it and its state does not change), a header list h11 already checked not checked
    again (:data:`_CHECKED_HEADERS`), a response line h11 already read not matched again (:data:`_HEAD_LINES`),
    and an exchange nobody traces without httpcore's ``Trace``s."""

    def __init__(self, origin: httpcore.Origin, stream: httpcore.AsyncNetworkStream,
                 keepalive_expiry: float | None = None) -> None:
        super().__init__(origin=origin, stream=stream, keepalive_expiry=keepalive_expiry)
        self._state_lock = Lock()  # type: ignore[assignment]
        if _H11_KNOWN:
            self._h11_state = _H11Client(our_role=h11.CLIENT, max_incomplete_event_size=self.MAX_INCOMPLETE_EVENT_SIZE)

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        if request.extensions.get("trace") is not None or _HTTP11_LOG.isEnabledFor(logging.DEBUG):
            return await super().handle_async_request(request)
        # httpcore 1.0's, without its Trace context managers: a Trace calls the request's trace hook or writes a debug
        # line, and with neither it does nothing (three here, two more in the body stream: five a request).
        if not self.can_handle_request(request.url.origin):
            raise RuntimeError(f"Attempted to send request to {request.url.origin} on connection to {self._origin}")
        async with self._state_lock:
            if self._state in (HTTPConnectionState.NEW, HTTPConnectionState.IDLE):
                self._request_count += 1
                self._state = HTTPConnectionState.ACTIVE
                self._expire_at = None
            else:
                raise ConnectionNotAvailable()
        try:
            try:
                await self._send_request_headers(request)
                await self._send_request_body(request)
            except httpcore.WriteError:
                pass  # as httpcore: a server may close early and still answer; the response is read next
            # httpcore 1.0's _receive_response_headers inline, the data received past the head (h11's trailing_data: a
            # copy of the buffer, the body's first bytes) read only for an upgrade, the one use of it.
            read_timeout = request.extensions.get("timeout", {}).get("read", None)
            while True:
                event = await self._receive_event(timeout=read_timeout)
                if isinstance(event, h11.Response):
                    break
                if isinstance(event, h11.InformationalResponse) and event.status_code == 101:
                    break
            http_version = b"HTTP/" + event.http_version
            status, reason_phrase, headers = event.status_code, event.reason, event.headers.raw_items()
            network_stream = self._network_stream
            if status == 101 or (request.method == b"CONNECT" and 200 <= status < 300):
                trailing_data, _ = self._h11_state.trailing_data
                network_stream = AsyncHTTP11UpgradeStream(network_stream, trailing_data)
            response = httpcore.Response(
                status=status,
                content=UntracedByteStream(self, request),
                extensions={"http_version": http_version, "reason_phrase": reason_phrase,
                            "network_stream": network_stream},
            )
            # h11's new list of (bytes, bytes) pairs, as httpcore's enforce_headers would copy it (two typing-generic
            # isinstance checks, two calls a header).
            response.headers = headers
            return response
        except BaseException as exc:
            with AsyncShieldCancellation():
                await self._response_closed()
            raise exc

    async def _send_request_headers(self, request: httpcore.Request) -> None:
        # httpcore 1.0's, the mapping of h11's error inline, and the head's headers checked once per distinct list
        # (see _CHECKED_HEADERS).
        timeout = request.extensions.get("timeout", {}).get("write", None)
        key = tuple(request.headers)
        try:
            checked = _CHECKED_HEADERS.get(key)
            if checked is None:
                event = h11.Request(method=request.method, target=request.url.target, headers=request.headers)
                _keep_checked(key, event.headers)
            else:
                event = _checked_request(request.method, request.url.target, checked)
        except h11.LocalProtocolError as exc:
            raise httpcore.LocalProtocolError(exc) from exc
        await self._send_event(event, timeout=timeout)

    async def _send_request_body(self, request: httpcore.Request) -> None:
        # httpcore 1.0's, without a Data event for an empty chunk (httpx streams a GET's body as one b""), and the
        # fetcher's empty body (NO_BODY) not iterated at all: an async generator and a typing check less a request.
        timeout = request.extensions.get("timeout", {}).get("write", None)
        if request.stream is not NO_BODY:
            assert isinstance(request.stream, AsyncIterable)
            async for chunk in request.stream:
                if chunk:
                    await self._send_event(h11.Data(data=chunk), timeout=timeout)
        await self._send_event(h11.EndOfMessage(), timeout=timeout)

    async def _receive_event(self, timeout: float | None = None) -> h11.Event | type[h11.PAUSED]:
        # httpcore 1.0's, the mapping of h11's error inline.
        state = self._h11_state
        while True:
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpcore.RemoteProtocolError(exc) from exc
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]
            data = await self._network_stream.read(self.READ_NUM_BYTES, timeout=timeout)
            # As httpcore: a close before any response is told as such, not as h11's state error.
            if data == b"" and state.their_state == h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError("Server disconnected without sending a response.")
            state.receive_data(data)


class UntracedByteStream(HTTP11ConnectionByteStream):
    """httpcore's response body stream of an HTTP/1.1 connection, for a request with no trace hook while httpcore's
    debug log is off: without the Trace around its reading and its close (which would do nothing)."""

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        try:
            async for chunk in self._connection._receive_response_body(request=self._request):
                yield chunk
        except BaseException as exc:
            with AsyncShieldCancellation():
                await self.aclose()
            raise exc

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._connection._response_closed()


class Connection(AsyncHTTPConnection):
    """httpcore's connection (connect, then HTTP/1.1) with an asyncio request lock."""

    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_lock = Lock()  # type: ignore[assignment]

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        # httpcore 1.0's AsyncHTTPConnection.handle_async_request, making an HTTP11Connection.
        if not self.can_handle_request(request.url.origin):
            raise RuntimeError(
                f"Attempted to send request to {request.url.origin} on connection to {self._origin}"
            )
        try:
            async with self._request_lock:
                if self._connection is None:
                    stream = await self._connect(request)
                    ssl_object = stream.get_extra_info("ssl_object")
                    http2_negotiated = ssl_object is not None and ssl_object.selected_alpn_protocol() == "h2"
                    if http2_negotiated or (self._http2 and not self._http1):
                        from httpcore._async.http2 import AsyncHTTP2Connection

                        self._connection = AsyncHTTP2Connection(
                            origin=self._origin, stream=stream, keepalive_expiry=self._keepalive_expiry
                        )
                    else:
                        self._connection = HTTP11Connection(
                            origin=self._origin, stream=stream, keepalive_expiry=self._keepalive_expiry
                        )
        except BaseException as exc:
            self._connect_failed = True
            raise exc
        return await self._connection.handle_async_request(request)


# --- plain URLs ---------------------------------------------------------------------------------

_PLAIN_URL = re.compile(
    r"(https?)://([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::([1-9][0-9]{0,4}))?"
    r"((?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]++|%[0-9A-Fa-f]{2})*+)?)"
    r"(?:\?((?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]++|%[0-9A-Fa-f]{2})*+))?"
)
"""A URL httpx's parser leaves as it is: a lower-case http(s) scheme and host name or IPv4 address, no user,
a port without leading zeros, a path and query of characters it never escapes (and well-formed escapes), no
fragment. :func:`plain_url` reads its parts; any other URL goes through ``httpx.URL``. The path (empty, or a "/"
then characters, "/" and escapes: what segments each starting with "/" make) and the query are matched as runs of
characters, possessively: a step a run, not a branch a character (1.6 -> 0.5 us a bench URL)."""
_DEFAULT_PORTS = {"http": 80, "https": 443}
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")  # httpx's test of a host that must be an IPv4 address


@functools.lru_cache(maxsize=1024)
def _host_as_httpx_keeps_it(host: str) -> bool:
    """Whether httpx's ``encode_host`` returns ``host`` unchanged (a matched name) rather than raising (a bad IPv4)."""
    if not _IPV4_STYLE.fullmatch(host):
        return True
    try:
        ipaddress.IPv4Address(host)
    except ipaddress.AddressValueError:
        return False
    return True


def plain_url(url: str) -> tuple[bytes, bytes, int | None, bytes, bytes] | None:
    """(scheme, host, port, target, netloc) of a URL as ``httpx.URL(url)`` gives them (``raw_scheme``,
    ``raw_host``, ``port``, ``raw_path``, ``netloc``), for a URL :data:`_PLAIN_URL` matches and whose path has
    no "." or ".." segment (httpx drops those); None for any other, whose parts only httpx may decide.

    httpx's parse (``httpx._urlparse.urlparse``: a look at every character, then regular expressions and a
    quoting pass per part) was ~6% of a fetch's instructions; a plain URL it returns as given, so its parts are
    read here by one match (tests/unit/fetch/test_wire.py compares the two on generated URLs)."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        return None
    scheme, host, port_text, path, query = match.groups()
    if "/." in path and any(segment in (".", "..") for segment in path.split("/")):
        return None
    if not _host_as_httpx_keeps_it(host):
        return None
    port = int(port_text) if port_text else None
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    target = (path or "/") if query is None else f"{path or '/'}?{query}"
    netloc = host if port is None else f"{host}:{port}"
    return scheme.encode(), host.encode(), port, target.encode(), netloc.encode()


ORIGINS_KEPT = 1024
"""Distinct (scheme, host, port) whose ``httpcore.Origin`` :class:`PlainURL` shares."""
_ORIGINS: dict[tuple[bytes, bytes, int], httpcore.Origin] = {}
_ORIGIN_PORTS = {b"http": 80, b"https": 443}


class PlainURL(httpcore.URL):
    """The ``httpcore.URL`` of a plain URL's parts (:func:`plain_url`), its ``origin`` made once.

    httpcore reads a request's ``url.origin`` three times a request (the pool placing it, the connection and its
    HTTP/1.1 connection checking they may take it), and ``URL.origin`` builds a dict of default ports and a new
    ``Origin`` each time; nothing changes an origin, so every URL of one scheme, host and port shares one."""

    __slots__ = ("origin",)

    def __init__(self, scheme: bytes, host: bytes, port: int | None, target: bytes) -> None:
        # httpcore.URL's fields, given as bytes (what its enforce_bytes checks and keeps as they are).
        self.scheme = scheme
        self.host = host
        self.port = port
        self.target = target
        key = (scheme, host, port or _ORIGIN_PORTS[scheme])
        origin = _ORIGINS.get(key)
        if origin is None:
            if len(_ORIGINS) >= ORIGINS_KEPT:
                _ORIGINS.clear()
            origin = _ORIGINS[key] = httpcore.Origin(*key)
        self.origin = origin  # type: ignore[misc]


# --- the network stream -----------------------------------------------------------------------


_NEVER = float("inf")
_CLOCK_RESOLUTION = time.get_clock_info("monotonic").resolution
"""asyncio's loop runs a timer whose time is within this of its clock (BaseEventLoop._clock_resolution)."""


def _expire(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


async def _wait(waiter: asyncio.Future, timeout: float | None, timed_out: type[httpcore.TimeoutException]) -> None:
    """Wait for the protocol to wake ``waiter``; ``timed_out`` when ``timeout`` passes first (a timer, not a
    cancel scope: the read or write it guards stays cheap)."""
    # The waiter's own loop (the running one): asyncio.get_running_loop() in C asks the OS for the pid at each call.
    timer = waiter.get_loop().call_later(timeout, _expire, waiter) if timeout is not None else None
    try:
        await waiter
    except TimeoutError:
        raise timed_out() from None
    finally:
        if timer is not None:
            timer.cancel()


class _Protocol(asyncio.Protocol):
    """What the socket delivered, for :class:`AsyncioStream` (anyio's ``StreamProtocol``, reading
    on until :data:`READ_HIGH_WATER` instead of only while a read waits)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.lost = False
        self.error: BaseException | None = None
        self.tls = False
        self.paused_reading = False
        self.reader: asyncio.Future | None = None  # a read waiting for data
        self.paused_writing = False  # the transport's write buffer is not flushed
        self.drainer: asyncio.Future | None = None  # a write waiting for the flush

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)
        self.transport.set_write_buffer_limits(0)  # as anyio: a write waits until the kernel took it all

    def data_received(self, data: bytes) -> None:
        self.chunks.append(bytes(data))
        self.buffered += len(data)
        if self.buffered >= READ_HIGH_WATER and not self.paused_reading and self.transport is not None:
            self.paused_reading = True
            self.transport.pause_reading()
        self._wake_reader()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake_reader()
        return None if self.tls else True  # keep a plain socket open for writes, as anyio does

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if exc is not None:
            self.error = exc
        self._wake_reader()
        self._wake_drainer()

    def pause_writing(self) -> None:
        self.paused_writing = True

    def resume_writing(self) -> None:
        self.paused_writing = False
        self._wake_drainer()

    def _wake_reader(self) -> None:
        if self.reader is not None and not self.reader.done():
            self.reader.set_result(None)

    def _wake_drainer(self) -> None:
        if self.drainer is not None and not self.drainer.done():
            self.drainer.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """A connected TCP (or TLS) stream on asyncio, with httpcore's errors (see the module's doc)."""

    __slots__ = ("_transport", "_protocol", "_closed", "_quiet_until", "_poller")

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._closed = False
        self._quiet_until = 0.0
        self._poller: typing.Any = None
        """A plain socket's ``select.poll`` object, its fd registered (made at the first idle check)."""
        self._loop = asyncio.get_running_loop()
        """The loop the transport belongs to, asked once (each ``get_running_loop`` is a ``getpid`` system call)."""
        self._read_deadline = _NEVER
        """When the read waiting now times out (loop time); never while no read waits."""
        self._read_timer: asyncio.TimerHandle | None = None
        self._read_timer_at = _NEVER

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.chunks and not self._closed and not protocol.eof and not protocol.lost:
            waiter = protocol.reader = self._loop.create_future()
            try:
                if timeout is None:
                    await waiter
                else:
                    # The read times out as with its own timer (_wait: call_later(timeout)), on the stream's one
                    # timer: armed at or before this deadline, it stays armed across reads (a wait is a few ms, the
                    # timeout 20 s), and when it fires early it is armed again for the read waiting then.
                    self._read_deadline = deadline = self._loop.time() + timeout
                    if self._read_timer is None or deadline < self._read_timer_at:
                        self._arm_read_timer(deadline)
                    try:
                        await waiter
                    except TimeoutError:
                        raise httpcore.ReadTimeout() from None
                    finally:
                        self._read_deadline = _NEVER
            finally:
                protocol.reader = None
        if protocol.chunks:
            chunk = protocol.chunks.popleft()
            if len(chunk) > max_bytes:
                chunk, rest = chunk[:max_bytes], chunk[max_bytes:]
                protocol.chunks.appendleft(rest)
            protocol.buffered -= len(chunk)
            if protocol.paused_reading and protocol.buffered < READ_HIGH_WATER and not self._closed:
                protocol.paused_reading = False
                self._transport.resume_reading()
            return chunk
        if self._closed:
            raise httpcore.ReadError("the connection was closed")
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__) from protocol.error
        return b""  # the end of the stream

    def _arm_read_timer(self, when: float) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
        self._read_timer_at = when
        self._read_timer = self._loop.call_at(when, self._on_read_timer)

    def _on_read_timer(self) -> None:
        self._read_timer = None
        self._read_timer_at = _NEVER
        deadline = self._read_deadline
        if deadline == _NEVER:  # no read waits: the timer lapses until the next one
            return
        if deadline < self._loop.time() + _CLOCK_RESOLUTION:  # due, as the loop counts a timer due
            waiter = self._protocol.reader
            if waiter is not None:
                _expire(waiter)
        else:
            self._arm_read_timer(deadline)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if self._closed:
            raise httpcore.WriteError("the connection was closed")
        if protocol.lost:
            raise httpcore.WriteError(str(protocol.error or "the connection was lost"))
        if protocol.paused_writing:  # an earlier write still buffered (it timed out)
            await self._flushed(timeout)
        try:
            self._transport.write(buffer)
        except RuntimeError as exc:
            raise httpcore.WriteError(str(exc)) from exc
        if protocol.paused_writing:
            await self._flushed(timeout)

    async def _flushed(self, timeout: float | None) -> None:
        protocol = self._protocol
        loop = asyncio.get_running_loop()
        while protocol.paused_writing and not protocol.lost and not self._closed:
            waiter = protocol.drainer = loop.create_future()
            try:
                await _wait(waiter, timeout, httpcore.WriteTimeout)
            finally:
                protocol.drainer = None
        if self._closed:
            raise httpcore.WriteError("the connection was closed")
        if protocol.lost:
            raise httpcore.WriteError(str(protocol.error or "the connection was lost"))

    async def aclose(self) -> None:
        # As anyio's stream (and its TLS stream, not standard_compatible): no close_notify. Unlike anyio's it
        # does not yield afterwards, so closing a response never waits anywhere (see PoolStream).
        self._closed = True
        self._transport.abort()
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
            self._read_timer_at = _NEVER

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = self._protocol
        protocol.tls = True
        try:
            try:
                async with asyncio.timeout(timeout):
                    transport = await loop.start_tls(self._transport, protocol, ssl_context,
                                                     server_hostname=server_hostname)
            except TimeoutError:
                raise httpcore.ConnectTimeout() from None
            except (ssl.SSLError, OSError, EOFError) as exc:
                raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
            if transport is None:  # the connection went while the handshake ran
                raise httpcore.ConnectError("the connection was closed during the TLS handshake")
        except BaseException:
            await self.aclose()
            raise
        # The TLS transport keeps its default write limits: with 0 it pauses on an empty buffer (its test
        # is "size >= high water") and never resumes. A request head is far below them either way.
        transport = typing.cast(asyncio.Transport, transport)
        protocol.transport = transport
        return AsyncioStream(transport, protocol)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            return self._readable()
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None

    def _readable(self) -> bool:
        """httpcore's ``is_socket_readable``: something (a server's close, usually) waits to be read."""
        protocol = self._protocol
        if protocol.chunks or protocol.eof or protocol.lost or self._closed:
            return True
        poller = self._poller
        if poller is not None:  # a plain socket: open while neither it was lost nor this stream closed (above)
            now = time.monotonic()
            if now < self._quiet_until:
                return False
            if poller.poll(0):
                return True
            self._quiet_until = now + QUIET_FOR
            return False
        sock = self._transport.get_extra_info("socket")
        fd = -1 if sock is None else sock.fileno()
        if fd < 0:
            return True
        now = time.monotonic()
        if now < self._quiet_until:
            return False
        if not protocol.tls and hasattr(select, "poll"):
            # The socket of a plain transport is closed only after the protocol was told it was lost (asyncio's
            # _call_connection_lost) or by this stream's abort: while neither, its fd is this socket's, and one
            # poll object registered once answers every later check (made per check: ~0.6 us more each, ~6,000
            # checks a 653-page run). A TLS transport's close reaches the protocol later: asked afresh each time.
            self._poller = select.poll()
            self._poller.register(fd, select.POLLIN)
            readable = bool(self._poller.poll(0))
        else:
            readable = _poll_readable(fd)
        if readable:
            return True
        self._quiet_until = now + QUIET_FOR
        return False


def _poll_readable(fd: int) -> bool:
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


async def connect_tcp(host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                      socket_options: typing.Iterable[typing.Any] | None = None) -> AsyncioStream:
    """A TCP connection to ``host`` (an address: the guard has resolved and checked it), as httpcore's
    anyio backend makes one (TCP_NODELAY, as asyncio sets it; ``socket_options`` applied)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            transport, protocol = await loop.create_connection(
                _Protocol, host, port, local_addr=(local_address, 0) if local_address else None
            )
    except TimeoutError:
        raise httpcore.ConnectTimeout() from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    sock = transport.get_extra_info("socket")
    for option in socket_options or ():
        sock.setsockopt(*option)
    return AsyncioStream(typing.cast(asyncio.Transport, transport), typing.cast(_Protocol, protocol))


__all__ = ["NO_BODY", "AsyncioStream", "Connection", "Event", "HTTP11Connection", "Lock", "PlainURL", "PoolRequest", "PoolStream",
           "connect_tcp", "plain_url"]
