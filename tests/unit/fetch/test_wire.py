"""govpress/fetch/wire.py against httpcore's own stack: the same exchanges over real loopback sockets,
through httpx's default transport (httpcore's pool, connections and anyio streams) and through the
GuardedTransport (the same httpcore code on asyncio streams and locks): the same answers, bodies and errors."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import struct
import threading
import time
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import h11
import httpcore
import httpx
import pytest
from httpcore._async.http11 import HTTPConnectionState
from httpx._transports.default import AsyncResponseStream

from govpress.fetch import wire
from govpress.fetch.netguard import GuardedTransport, _Pool, current_allow, parse_networks
from tests.unit.fetch.conftest import CountedTimers

BIG = bytes(range(256)) * (3 * 4096 + 7)  # 3 MB: past the stream's read high-water mark


def _head(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return ""
        data += chunk
    return data.split(b" ", 2)[1].decode()


def _handle(conn: socket.socket, path: str) -> bool:
    """Answer one request; False when the connection is to be closed after it."""
    path = path.partition("?")[0]
    if path == "/plain":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Two: a\r\nX-Two: b\r\nContent-Length: 5\r\n\r\nhello")
    elif path == "/chunked":
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n")
    elif path == "/until-close":
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it, to the end")
        return False
    elif path == "/big":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BIG) + BIG)
    elif path == "/not-found":
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    elif path == "/slow":
        threading.Event().wait(0.3)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow")
    elif path == "/silent":
        threading.Event().wait(1.0)  # never answers in time
        return False
    elif path == "/cut":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        return False
    elif path == "/reset":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
        return False
    elif path == "/garbage":
        conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        return False
    elif path == "/no-response":
        return False
    elif path == "/cookie":
        conn.sendall(b"HTTP/1.1 200 OK\r\nSet-Cookie: sid=abc; Path=/\r\nContent-Length: 2\r\n\r\nok")
    elif path == "/upgrade":  # a protocol switch, the new protocol's first bytes sent with the head
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x-test\r\nConnection: Upgrade\r\n\r\nearly bytes")
        threading.Event().wait(0.2)
        return False
    elif path == "/close-after":  # answers, then closes the kept-alive connection at once
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        return False
    return True


class Server:
    """A scripted HTTP/1.1 server on 127.0.0.1 (TLS when given a context); counts connections."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.tls = tls
        self.connections = 0
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            while (path := _head(conn)) and _handle(conn, path):
                pass
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.sock.close()


@contextmanager
def server(tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    site = Server(tls)
    try:
        yield site
    finally:
        site.close()


def _outcome(result: httpx.Response | BaseException) -> tuple:
    if isinstance(result, BaseException):
        return ("error", type(result).__name__)
    return (result.status_code, result.headers.multi_items(), result.content)


async def _exchange(transport: httpx.AsyncBaseTransport, url: str, timeout: float = 5.0,
                    trace=None) -> httpx.Response | BaseException:
    """One GET through ``transport``, its body read; the httpx error instead when it raised. ``trace``: httpcore's hook."""
    extensions = {"timeout": httpx.Timeout(timeout).as_dict(), **({"trace": trace} if trace is not None else {})}
    request = httpx.Request("GET", url, extensions=extensions)
    try:
        response = await transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response
    except httpx.HTTPError as exc:
        return exc


def _both(script: Callable[[httpx.AsyncBaseTransport], object], **transport_args: object) -> tuple[object, object]:
    """The script's result through httpcore's own stack, then through the guarded transport."""

    theirs = asyncio.run(_on_loopback(script, lambda: httpx.AsyncHTTPTransport(trust_env=False, **transport_args)))
    ours = asyncio.run(_on_loopback(script, lambda: GuardedTransport(**transport_args)))
    return theirs, ours


async def _on_loopback(script: Callable[[httpx.AsyncBaseTransport], object],
                       make: Callable[[], httpx.AsyncBaseTransport]) -> object:
    """The script's result through a transport from ``make``, with 127.0.0.1 allowed."""
    token = current_allow.set(tuple(parse_networks(["127.0.0.1"])))
    try:
        async with make() as transport:
            return await script(transport)  # type: ignore[misc]
    finally:
        current_allow.reset(token)


@pytest.mark.parametrize("path", ["/plain", "/chunked", "/until-close", "/big", "/not-found", "/cut", "/reset",
                                  "/garbage", "/no-response"])
def test_an_exchange_ends_as_with_httpcores_own_streams(path: str) -> None:
    with server() as site:
        async def script(transport: httpx.AsyncBaseTransport) -> tuple:
            return _outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}{path}"))

        theirs, ours = _both(script)
    assert ours == theirs
    if path in ("/plain", "/chunked", "/until-close", "/big", "/not-found"):
        assert ours[0] in (200, 404)


def test_a_read_that_waits_too_long_is_a_read_timeout_as_with_httpcore() -> None:
    with server() as site:
        async def script(transport: httpx.AsyncBaseTransport) -> tuple:
            return _outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}/silent", timeout=0.2))

        theirs, ours = _both(script)
    assert ours == theirs == ("error", "ReadTimeout")


def test_a_refused_connection_is_a_connect_error_as_with_httpcore() -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()

    async def script(transport: httpx.AsyncBaseTransport) -> tuple:
        return _outcome(await _exchange(transport, f"http://127.0.0.1:{port}/plain"))

    theirs, ours = _both(script)
    assert ours == theirs == ("error", "ConnectError")


def test_kept_alive_connections_are_reused_and_a_closed_one_is_replaced_as_with_httpcore() -> None:
    def script_for(site: Server):
        async def script(transport: httpx.AsyncBaseTransport) -> list:
            base = f"http://127.0.0.1:{site.port}"
            seen = []
            for path in ["/plain", "/chunked", "/plain", "/close-after", "/plain", "/big", "/plain"]:
                seen.append(_outcome(await _exchange(transport, base + path)))
                await asyncio.sleep(0.05)  # the server's close reaches the client before the next request
            concurrent = await asyncio.gather(*(_exchange(transport, base + "/plain") for _ in range(12)))
            return seen + [_outcome(r) for r in concurrent]
        return script

    with server() as site:
        theirs, ours = _both(script_for(site))
    assert ours == theirs
    assert all(o[0] == 200 for o in ours)


def test_connection_counts_match_httpcore() -> None:
    async def script(transport: httpx.AsyncBaseTransport, port: int) -> None:
        base = f"http://127.0.0.1:{port}"
        for path in ["/plain", "/chunked", "/plain", "/close-after", "/plain", "/plain"]:
            await _exchange(transport, base + path)
            await asyncio.sleep(0.05)

    counts = []
    for make in (lambda: httpx.AsyncHTTPTransport(trust_env=False), lambda: GuardedTransport()):
        with server() as site:
            async def run() -> None:
                token = current_allow.set(tuple(parse_networks(["127.0.0.1"])))
                try:
                    async with make() as transport:
                        await script(transport, site.port)
                finally:
                    current_allow.reset(token)

            asyncio.run(run())
            counts.append(site.connections)
    assert counts[0] == counts[1] == 2  # one kept alive for three requests, a new one after the server's close


def test_requests_queued_for_a_connection_and_a_pool_timeout_end_as_with_httpcore() -> None:
    """Four connections for twelve requests: eight wait in the pool; with a pool timeout shorter than a
    response, the waiting ones give up (PoolTimeout) as they do in httpcore's own pool."""
    with server() as site:
        def script_for(pool_timeout: float):
            async def script(transport: httpx.AsyncBaseTransport) -> list:
                async def one(path: str) -> tuple:
                    request = httpx.Request("GET", f"http://127.0.0.1:{site.port}{path}",
                                            extensions={"timeout": httpx.Timeout(5.0, pool=pool_timeout).as_dict()})
                    try:
                        response = await transport.handle_async_request(request)
                        await response.aread()
                        await response.aclose()
                        return (response.status_code, response.content)
                    except httpx.HTTPError as exc:
                        return ("error", type(exc).__name__)
                return list(await asyncio.gather(*(one("/slow" if i < 4 else "/plain") for i in range(12))))
            return script

        limits = httpx.Limits(max_connections=4)
        waited = _both(script_for(5.0), limits=limits)
        gave_up = _both(script_for(0.1), limits=limits)
    assert waited[1] == waited[0] == [(200, b"slow")] * 4 + [(200, b"hello")] * 8
    assert gave_up[1] == gave_up[0] == [(200, b"slow")] * 4 + [("error", "PoolTimeout")] * 8


# --- TLS ---------------------------------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls_exchanges_and_a_certificate_not_trusted_end_as_with_httpcore(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))
    with server(server_context) as site:
        async def script(transport: httpx.AsyncBaseTransport) -> list:
            base = f"https://127.0.0.1:{site.port}"
            return [_outcome(await _exchange(transport, base + path))
                    for path in ["/plain", "/chunked", "/big", "/plain", "/until-close", "/cut", "/garbage"]]

        theirs, ours = _both(script, verify=trusting)
        assert ours == theirs
        assert [o[0] for o in ours[:5]] == [200] * 5

        async def untrusted(transport: httpx.AsyncBaseTransport) -> tuple:
            return _outcome(await _exchange(transport, f"https://127.0.0.1:{site.port}/plain"))

        theirs, ours = _both(untrusted)
    assert ours == theirs == ("error", "ConnectError")


def test_the_tls_context_is_made_at_the_first_https_connection_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx made the transport's SSL context at once (certifi's bundle: ~21 ms of CPU), also for a run that only
    speaks plain http; the pool makes the same context (httpx's, with the transport's ``verify``) when it first
    connects over TLS, and shares it between its connections as before."""
    made: list[object] = []
    real = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    cert, key = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    with server() as plain, server(server_context) as tls:
        async def go() -> tuple[list, list, list]:
            token = current_allow.set(tuple(parse_networks(["127.0.0.1"])))
            try:
                async with GuardedTransport(verify=trusting) as transport:
                    first = [_outcome(await _exchange(transport, f"http://127.0.0.1:{plain.port}/plain"))[0]
                             for _ in range(2)]
                    before_tls = list(made)
                    assert transport._pool._ssl_context is None
                    # /until-close ends its connection: the next request opens a second TLS connection.
                    then = [_outcome(await _exchange(transport, f"https://127.0.0.1:{tls.port}{path}"))[0]
                            for path in ("/until-close", "/plain")]
                    assert transport._pool._ssl_context is trusting
                    return first, before_tls, then
            finally:
                current_allow.reset(token)

        first, before_tls, then = asyncio.run(go())
        assert tls.connections == 2
    assert first == [200, 200] and before_tls == []
    assert then == [200, 200]
    assert made == [{"verify": trusting, "cert": None, "trust_env": False}]


# --- placement --------------------------------------------------------------------------------


class _CountingPool(_Pool):
    placements = 0

    def _assign_requests_to_connections(self) -> list:
        type(self).placements += 1
        return super()._assign_requests_to_connections()


def test_each_request_is_placed_once_at_sixteen_in_flight() -> None:
    """httpcore's anyio locks yield to the event loop between a request's placement on an idle connection
    and the connection turning busy; other requests placed on it meanwhile fail (ConnectionNotAvailable)
    and are placed again: 3.8 placements per request in a run. The asyncio locks do not yield there."""
    with server() as site:
        async def go() -> list:
            transport = GuardedTransport()
            pool = transport._pool
            transport._pool = _CountingPool(ssl_context=pool._ssl_context, max_connections=pool._max_connections,
                                            max_keepalive_connections=pool._max_keepalive_connections,
                                            keepalive_expiry=pool._keepalive_expiry, network_backend=pool._network_backend)
            token = current_allow.set(tuple(parse_networks(["127.0.0.1"])))
            sem = asyncio.Semaphore(16)

            async def one(i: int) -> tuple:
                async with sem:
                    return _outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}/plain"))

            try:
                async with transport:
                    return await asyncio.gather(*(one(i) for i in range(400)))
            finally:
                current_allow.reset(token)

        results = asyncio.run(go())
    assert all(r[0] == 200 for r in results)
    # One placement when a request arrives and one when its response closes: nothing placed twice.
    assert _CountingPool.placements == 2 * 400
    assert isinstance(wire.Connection, type) and issubclass(wire.Connection, httpcore.AsyncConnectionInterface)


@pytest.mark.parametrize("path", ["/plain", "/until-close"])
def test_closing_a_response_never_waits_so_no_cancellation_stops_it_half_way(path: str) -> None:
    """httpcore closes a response inside an anyio shield so that a cancellation cannot leave the request
    in the pool; the pool's stream here enters no shield, which is sound because its close never suspends:
    kept alive (the state lock taken and given back) or closed (the socket aborted)."""
    with server() as site:
        async def go() -> tuple[bool, int]:
            token = current_allow.set(tuple(parse_networks(["127.0.0.1"])))
            try:
                async with GuardedTransport() as transport:
                    request = httpx.Request("GET", f"http://127.0.0.1:{site.port}{path}",
                                            extensions={"timeout": httpx.Timeout(5.0).as_dict()})
                    response = await transport.handle_async_request(request)
                    body = b"".join([chunk async for chunk in response.stream])  # read as the Fetcher reads, not closed
                    assert body in (b"hello", b"all of it, to the end")
                    pool_stream = response.stream._httpcore_stream
                    assert not pool_stream._closed
                    assert isinstance(pool_stream, wire.PoolStream)
                    closing = pool_stream.aclose()
                    try:
                        closing.send(None)
                    except StopIteration:
                        finished = True
                    else:
                        finished = False
                        closing.close()
                    return finished, len(transport._pool._requests)
            finally:
                current_allow.reset(token)

        finished, waiting = asyncio.run(go())
    assert finished and waiting == 0


def test_a_get_sends_its_head_and_end_without_an_empty_data_event(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx streams a GET's missing body as one b"": httpcore sent it as an h11 Data event that writes nothing.
    sent: list[str] = []
    send_event = wire.HTTP11Connection._send_event

    async def recording(self, event, timeout=None):  # type: ignore[no-untyped-def]
        sent.append(type(event).__name__)
        await send_event(self, event, timeout=timeout)

    monkeypatch.setattr(wire.HTTP11Connection, "_send_event", recording)
    with server() as site:
        async def script(transport: httpx.AsyncBaseTransport) -> tuple:
            return _outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}/plain"))

        theirs, ours = _both(script)
    assert ours == theirs
    assert sent == ["Request", "EndOfMessage"]


def test_closing_the_pool_and_its_connections_enters_no_anyio_scope(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore closed a pool's connections inside an anyio shield scope; the first one imported anyio's asyncio
    backend (~18 ms of CPU at a run's end). The pool closes them itself: each connection closed, no scope."""
    import httpcore._async.connection_pool as httpcore_pool

    def no_shield() -> None:
        raise AssertionError("an anyio shield scope was entered")

    monkeypatch.setattr(httpcore_pool, "AsyncShieldCancellation", no_shield)
    with server() as site:
        async def go() -> tuple[list, list]:
            token = current_allow.set(tuple(parse_networks(["127.0.0.1"])))
            try:
                transport = GuardedTransport()
                async with transport:  # three requests at once: three pooled connections to close
                    outcomes = [_outcome(r)[0] for r in await asyncio.gather(
                        *(_exchange(transport, f"http://127.0.0.1:{site.port}/plain") for _ in range(3)))]
                    outcomes.append(_outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}/plain"))[0])
                    pooled = list(transport._pool.connections)
                return outcomes, [(c.is_closed(), len(transport._pool.connections)) for c in pooled]
            finally:
                current_allow.reset(token)

        outcomes, closed = asyncio.run(go())
    assert outcomes == [200, 200, 200, 200]
    assert len(closed) == 3 and all(c == (True, 0) for c in closed)


# --- plain URLs: the request made from the URL's parts ------------------------------------------


def test_a_plain_urls_parts_are_the_ones_httpx_url_gives() -> None:
    """wire.plain_url reads a URL's parts only where httpx's parse would leave the URL as it is; every URL it
    reads (a few tens of thousands here, generated around the edges: dot segments, escapes, ports, case,
    IPv4-like hosts, characters httpx escapes) has the parts httpx.URL gives it."""
    import random

    def theirs(url: str) -> tuple:
        parsed = httpx.URL(url)
        return parsed.raw_scheme, parsed.raw_host, parsed.port, parsed.raw_path, parsed.netloc

    rng = random.Random(14)
    pieces = ["a", "Z", "0", "-", ".", "..", "_", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "@",
              "/", "?", "%2F", "%2f", "%", "%4", "%zz", "é", " ", "#", "[", "|", "{", "\t"]
    hosts = ["example.org", "127.0.0.1", "999.1.1.1", "01.2.3.4", "10.0.0.256", "a-b.c", "a.b.", "-a.b", "Ab.c",
             "xn--e1afmkfd.xn--p1ai", "кремль.рф", "[::1]", "u@a.b"]
    ports = ["", ":80", ":443", ":8080", ":080", ":0", ":65536", ":"]
    read = 0
    for _ in range(60_000):
        path = "/" + "".join(rng.choice(pieces) if rng.random() < 0.3 else rng.choice("ab/-.")
                             for _ in range(rng.randint(0, 14)))
        url = rng.choice(["http", "https", "HTTP", "ftp"]) + "://" + rng.choice(hosts) + rng.choice(ports) + path[rng.random() < 0.1:]
        parts = wire.plain_url(url)
        if parts is not None:
            read += 1
            assert parts == theirs(url), url
    assert read > 2_000
    assert wire.plain_url("http://127.0.0.1:8080/a/b?q=1&r=%2F") == (b"http", b"127.0.0.1", 8080, b"/a/b?q=1&r=%2F", b"127.0.0.1:8080")
    assert wire.plain_url("https://example.org:443") == (b"https", b"example.org", None, b"/", b"example.org")
    for other in ["http://Example.org/", "http://a.b/x/../y", "http://a.b/./y", "http://a.b/x y", "http://a.b/#f",
                  "http://999.1.1.1/", "http://u@a.b/", "http://a.b:080/", "ftp://a.b/", "http://a.b/%zz"]:
        assert wire.plain_url(other) is None, other


def test_header_items_are_httpx_headers_items() -> None:
    """netguard.header_items reads a response's raw headers as dict(httpx.Headers(raw).items()) does: names
    lower-cased, repeated ones joined in order, ASCII decoded, anything else decoded as httpx decides."""
    import random

    from govpress.fetch.netguard import header_items

    rng = random.Random(15)
    names = [b"Content-Type", b"content-type", b"X-Two", b"x-two", b"ETag", b"Set-Cookie", b"X-\xc3\xa9", b"X-\xe9"]
    values = [b"text/html", b"a", b"", b"b, c", b"caf\xc3\xa9", b"caf\xe9", b'"v1"', b"sid=1; Path=/"]
    for _ in range(3_000):
        raw = [(rng.choice(names), rng.choice(values)) for _ in range(rng.randint(0, 6))]
        assert list(header_items(raw).items()) == list(httpx.Headers(raw).items()), raw


def test_the_fetcher_sends_a_plain_url_as_httpx_request_would_be_sent(tmp_path: Path) -> None:
    """A plain URL with no cookie to send goes to GuardedTransport.get as its parts; the pool gets the same
    httpcore request (method, URL parts, headers in order, body stream, extensions) as httpx's transport makes
    of the fetcher's httpx.Request, and every result, error and kept cookie is the same."""
    from govpress.fetch.client import Fetcher
    from tests.unit.fetch.conftest import make_source

    def run(direct: bool, port: int, closed: int) -> tuple[list, list]:
        sent: list[tuple] = []

        async def go() -> list:
            async with Fetcher(archive=None, user_agent="govpress-test/1.0", rng_seed=1, retries=0) as fetcher:
                fetcher._direct = direct
                pool = fetcher._transport._pool
                handle = pool.handle_async_request

                async def spy(request: httpcore.Request) -> httpcore.Response:
                    url = request.url
                    sent.append((request.method, url.scheme, url.host, url.port, url.target, request.headers,
                                 request.stream is wire.NO_BODY, request.extensions))
                    return await handle(request)

                pool.handle_async_request = spy
                get = fetcher._transport.get

                async def counting_get(*args: object) -> httpx.Response:
                    sent.append("get")
                    return await get(*args)

                fetcher._transport.get = counting_get
                base = f"http://127.0.0.1:{port}"
                source = make_source(start_urls=[f"{base}/"], allow_addresses=["127.0.0.1"], ignore_robots=True)
                results = [await fetcher.fetch(f"{base}/plain?q=1&r=%2F", source, etag='"v1"',
                                               last_modified="Sat, 01 Mar 2025 10:00:00 GMT"),
                           await fetcher.fetch(f"{base}/not-found", source),
                           await fetcher.fetch(f"{base}/x/../not-found", source),  # not plain: httpx.Request (its URL /not-found)
                           await fetcher.fetch(f"http://127.0.0.1:{closed}/plain", source),  # refused: an error
                           await fetcher.fetch(f"{base}/cut", source),  # the body cut short: httpx's error
                           await fetcher.fetch(f"{base}/reset", source),
                           await fetcher.fetch(f"{base}/cookie", source),
                           await fetcher.fetch(f"{base}/plain", source)]  # a cookie to send: through httpx.Request
                cookies = sorted((c.name, c.value) for c in fetcher.cookies.jar)
            return [{k: v for k, v in vars(r).items() if k not in ("started_at", "elapsed_ms")} for r in results] + [cookies]

        return asyncio.run(go()), sent

    from tests.factories import free_port

    with server() as site:
        closed = free_port()
        direct, direct_sent = run(True, site.port, closed)
        through_httpx, httpx_sent = run(False, site.port, closed)
    assert direct == through_httpx
    assert direct_sent.count("get") == 6 and "get" not in httpx_sent  # the plain URLs while no cookie was kept
    assert [x for x in direct_sent if x != "get"] == httpx_sent
    direct_sent = [x for x in direct_sent if x != "get"]
    assert [r["status"] for r in direct[:-1]] == [200, 404, 404, None, None, None, 200, 200]
    assert direct[3]["outcome"] == "network_error" and direct[-1] == [("sid", "abc")]
    assert [r["outcome"] for r in direct[4:6]] == ["network_error", "network_error"]
    assert [r["error"] for r in direct[4:6]] == [r["error"] for r in through_httpx[4:6]]
    assert [h for h in direct_sent[-1][5] if h[0] == b"Cookie"] == [(b"Cookie", b"sid=abc")]


def test_an_idle_sockets_check_answers_as_a_fresh_poll_with_one_poller_per_socket() -> None:
    """A plain socket's idle check keeps one registered poll object; every answer is a fresh poll's (the
    server's data or close seen before the event loop has read it), and a lost or closed stream is readable."""
    async def go() -> list[tuple[bool, bool]]:
        listener = socket.create_server(("127.0.0.1", 0))
        stream = await wire.connect_tcp("127.0.0.1", listener.getsockname()[1])
        peer, _ = listener.accept()
        fd = stream._transport.get_extra_info("socket").fileno()
        answers = [(stream._readable(), wire._poll_readable(fd))]
        poller = stream._poller
        assert poller is not None
        stream._quiet_until = 0.0
        answers.append((stream._readable(), wire._poll_readable(fd)))
        peer.close()  # the server's close, not yet read by the event loop (no await since)
        time.sleep(0.05)
        stream._quiet_until = 0.0
        answers.append((stream._readable(), wire._poll_readable(fd)))
        assert stream._poller is poller
        await asyncio.sleep(0.05)  # now the loop reads the end: the protocol knows it without a poll
        answers.append((stream._readable(), stream._protocol.eof))
        await stream.aclose()
        answers.append((stream._readable(), True))
        listener.close()
        return answers

    assert asyncio.run(go()) == [(False, False), (False, False), (True, True), (True, True), (True, True)]


def test_a_header_list_is_checked_by_h11_once_and_sent_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """h11 checks a request's headers when it makes the Request event; a list it made before is given as its
    Headers (the same head on the wire), and a list it refuses is refused every time and not kept."""
    checks: list[int] = []
    normalize = h11._events.normalize_and_validate

    def counting(headers, _parsed=False):  # type: ignore[no-untyped-def]
        if not _parsed:  # a request's (a received response's are parsed)
            checks.append(len(headers))
        return normalize(headers, _parsed=_parsed)

    monkeypatch.setattr(h11._events, "normalize_and_validate", counting)
    monkeypatch.setattr(wire, "_CHECKED_HEADERS", {})
    sent: list[bytes] = []
    send_event = wire.HTTP11Connection._send_event

    async def recording(self, event, timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(event, h11.Request):
            sent.append(h11.Connection(h11.CLIENT).send(event))
        await send_event(self, event, timeout=timeout)

    monkeypatch.setattr(wire.HTTP11Connection, "_send_event", recording)
    monkeypatch.setattr(httpcore.AsyncHTTP11Connection, "_send_event", recording)
    with server() as site:
        async def script(transport: httpx.AsyncBaseTransport) -> list:
            base = f"http://127.0.0.1:{site.port}"
            out = [_outcome(await _exchange(transport, base + "/plain")) for _ in range(3)]
            for _ in range(2):
                request = httpx.Request("GET", base + "/plain", headers={"X-Bad": "a\x00b"})
                try:
                    await transport.handle_async_request(request)
                except httpx.HTTPError as exc:
                    out.append(type(exc).__name__)
            return out

        theirs, ours = _both(script)
    assert ours == theirs
    assert ours[:3] == [ours[0]] * 3 and ours[0][0] == 200
    assert ours[3:] == ["LocalProtocolError", "LocalProtocolError"]
    assert len(set(sent)) == 1 and len(sent) == 6  # the same head each time, through httpcore's stack and ours
    assert len(checks) == 3 + 2 + 1 + 2  # httpcore: every request; ours: the good list once, the bad one each time
    assert len(wire._CHECKED_HEADERS) == 1


@pytest.mark.parametrize("path", ["/plain", "/chunked", "/cut", "/no-response"])
def test_a_request_without_a_trace_hook_enters_no_trace_and_one_with_it_sees_httpcores_events(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore wraps each step of an HTTP/1.1 exchange in a Trace, which calls the request's ``trace`` hook or
    writes a debug line; without either, the connection skips them (five a request). With a hook, the hook sees
    the events httpcore's own stack gives it."""
    import httpcore._async.http11 as http11

    entered: list[str] = []
    trace_class = http11.Trace

    class Counting(trace_class):  # type: ignore[misc, valid-type]
        async def __aenter__(self):  # type: ignore[no-untyped-def]
            entered.append(self.name)
            return await super().__aenter__()

    monkeypatch.setattr(http11, "Trace", Counting)

    def script_for(site: Server, hooked: bool):
        async def script(transport: httpx.AsyncBaseTransport) -> tuple:
            events: list[str] = []

            async def hook(name: str, info: dict) -> None:
                events.append(name)

            result = await _exchange(transport, f"http://127.0.0.1:{site.port}{path}", trace=hook if hooked else None)
            outcome = (("error", type(result).__name__) if isinstance(result, BaseException)
                       else (result.status_code, result.content))
            return outcome, [e for e in events if e.startswith("http11.")]
        return script

    with server() as site:
        theirs, ours = _both(script_for(site, hooked=False))
        assert ours == theirs and not ours[1]
        assert entered and all(name for name in entered)  # httpcore's own stack entered its traces
        entered.clear()
        ours_alone = asyncio.run(_on_loopback(script_for(site, hooked=False), GuardedTransport))
        assert ours_alone == theirs and entered == []
        theirs, ours = _both(script_for(site, hooked=True))
    assert ours == theirs and ours[1]


def _read_head(reader: Callable, data: bytes) -> tuple:
    """What a response head reader makes of ``data`` in h11's receive buffer: the event's parts (and what is left in
    the buffer), None when it needs more, or h11's error and its message."""
    buf = h11._receivebuffer.ReceiveBuffer()
    buf += data
    try:
        event = reader(buf)
    except h11.ProtocolError as exc:
        return ("error", type(exc).__name__, str(exc))
    if event is None:
        return (None, bytes(buf))
    return (type(event).__name__, event.status_code, event.reason, event.http_version,
            list(event.headers._full_items), bytes(buf))


def test_a_response_head_is_read_as_h11_reads_it_whether_its_lines_were_read_before_or_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """wire._read_response_head takes a status or header line's parts from the lines read before; on heads built of
    valid, invalid, folded, repeated and conflicting lines, with CRLF or LF, whole or cut, it answers as h11's reader
    (the event, the bytes left, or the error and its message), on a first reading and on a second."""
    import random

    monkeypatch.setattr(wire, "_HEAD_LINES", {})
    monkeypatch.setattr(wire, "HEAD_LINES_KEPT", 40)  # emptied now and then along the way
    statuses = [b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found", b"HTTP/1.0 200 OK", b"HTTP/1.1 204", b"HTTP/1.1 200 ",
                b"HTTP/1.1 100 Continue", b"HTTP/1.1 301 Moved Permanently", b"HTTP/1.1 20 OK", b"HTTP/2 200 OK",
                b"HTTP/1.1 200 \xe2\x9c\x93", b"NOT HTTP", b" HTTP/1.1 200 OK", b"HTTP/1.1 200 OK ", b""]
    lines = [b"Server: govpress-localsite/1.0", b"Content-Type: text/html; charset=utf-8", b"Vary: Accept-Encoding",
             b"Content-Length: 12", b"Content-Length: 13", b"Content-Length: 12, 12", b"Content-Length: x",
             b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip", b"X-Two: a", b"X-Two:  b ", b"X-Empty:",
             b"ETag: \"abc\"", b"Date: Sun, 06 Dec 2026 21:48:47 GMT", b"No colon here", b"Bad Name: x",
             b"X-Nul: a\x00b", b"X-Latin: caf\xe9", b" folded on", b"\tfolded too", b":empty name",
             b"X-Tab:\tvalue\t", b"Connection: close", b"connection: keep-alive"]
    rng = random.Random(22)
    heads = []
    for _ in range(3000):
        head_lines = [rng.choice(statuses[:7]) if rng.random() < 0.8 else rng.choice(statuses)]
        head_lines += rng.choices(lines[:14] if rng.random() < 0.6 else lines, k=rng.randint(0, 8))
        end = rng.choice([b"\r\n", b"\n"])
        head = end.join(head_lines) + end + end + rng.choice([b"", b"body", b"HTTP/1.1 200 OK\r\n"])
        heads.append(head[:rng.randint(0, len(head))] if rng.random() < 0.1 else head)
    heads += [b"\r\n", b"\n", b"\r\n\r\n", b"HTTP/1.1 200 OK\r\n", b"\x16\x03\x01 not http\r\n"]
    read = h11._readers.maybe_read_from_SEND_RESPONSE_server
    kinds = set()
    for head in heads:
        for _ in range(2):
            ours, theirs = _read_head(wire._read_response_head, head), _read_head(read, head)
            assert ours == theirs, head
            kinds.add(ours[0])
    assert kinds == {"Response", "InformationalResponse", None, "error"}


def test_a_response_line_read_before_is_not_matched_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three answers with the same head on one kept-alive connection: h11's pattern matches each line of the first
    (its status line and four header lines), and the lines of the next two are taken from that reading."""
    monkeypatch.setattr(wire, "_HEAD_LINES", {}, raising=False)
    matched: list[bytes] = []
    validate = h11._util.validate

    def counting(regex, data, *args):  # type: ignore[no-untyped-def]
        matched.append(bytes(data))
        return validate(regex, data, *args)

    class CountingPattern:  # h11's header line pattern, as wire.py matches it directly
        def __init__(self, pattern) -> None:  # type: ignore[no-untyped-def]
            self.pattern = pattern

        def fullmatch(self, data):  # type: ignore[no-untyped-def]
            matched.append(bytes(data))
            return self.pattern.fullmatch(data)

    monkeypatch.setattr(h11._readers, "validate", counting)
    monkeypatch.setattr(wire, "_h11_validate", counting, raising=False)
    monkeypatch.setattr(wire, "_H11_HEADER_FIELD", CountingPattern(h11._readers.header_field_re), raising=False)
    with server() as site:
        async def script(transport: httpx.AsyncBaseTransport) -> list:
            return [_outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}/plain")) for _ in range(3)]

        ours = asyncio.run(_on_loopback(script, lambda: GuardedTransport()))
    assert ours == [ours[0]] * 3 and ours[0][0] == 200 and site.connections == 1
    assert matched == [b"HTTP/1.1 200 OK", b"Content-Type: text/plain", b"X-Two: a", b"X-Two: b", b"Content-Length: 5"]


def test_a_plain_urls_httpcore_url_is_httpcores_with_one_origin_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """wire.PlainURL is the httpcore.URL of the same parts (fields, bytes, equality, origin); its origin is made
    once per scheme, host and port and shared, so the pool and both connections read it without building it: a
    GET through GuardedTransport.get never calls httpcore's ``URL.origin`` (three times a request before)."""
    for scheme, host, port, target in [(b"http", b"a.test", None, b"/"), (b"https", b"a.test", None, b"/x?y=1"),
                                       (b"http", b"127.0.0.1", 8080, b"/p"), (b"https", b"b.test", 8443, b"/")]:
        ours, theirs = wire.PlainURL(scheme, host, port, target), httpcore.URL(scheme=scheme, host=host, port=port,
                                                                                 target=target)
        assert (ours.scheme, ours.host, ours.port, ours.target) == (theirs.scheme, theirs.host, theirs.port, theirs.target)
        assert ours == theirs and bytes(ours) == bytes(theirs)
        assert ours.origin == theirs.origin and str(ours.origin) == str(theirs.origin)
        assert wire.PlainURL(scheme, host, port, b"/other").origin is ours.origin
    assert wire.PlainURL(b"http", b"a.test", 80, b"/").origin is wire.PlainURL(b"http", b"a.test", None, b"/").origin

    built: list[bytes] = []
    origin = httpcore.URL.origin

    def counting(url: httpcore.URL) -> httpcore.Origin:
        built.append(url.host)
        return origin.fget(url)  # type: ignore[attr-defined]

    monkeypatch.setattr(httpcore.URL, "origin", property(counting))
    with server() as site:
        async def script(transport: GuardedTransport) -> list:
            timeout = {"timeout": httpx.Timeout(5.0).as_dict()}
            out = []
            for _ in range(3):
                response = await transport.get(b"http", b"127.0.0.1", site.port, b"/plain",
                                               [(b"Host", f"127.0.0.1:{site.port}".encode())], timeout)
                out.append((response.status_code, b"".join([part async for part in response.stream])))
                await response.aclose()
            return out

        ours = asyncio.run(_on_loopback(script, lambda: GuardedTransport()))
    assert ours == [(200, b"hello")] * 3 and site.connections == 1
    assert built == []


async def _get(transport: GuardedTransport, port: int, path: str, *, nested: bool = False) -> tuple:
    """One GET through ``transport.get`` (the fetcher's way), its body read as the fetcher reads it, then closed.
    ``nested``: the body read through httpx's own wrapper of the pool's stream (httpx's AsyncResponseStream over
    httpcore's nested streams), as before the one-generator reading."""
    extensions = {"timeout": httpx.Timeout(5.0).as_dict()}
    try:
        plain = await transport.get(b"http", b"127.0.0.1", port, path.encode(),
                                    [(b"Host", f"127.0.0.1:{port}".encode())], extensions)
        stream = AsyncResponseStream(plain.stream._httpcore_stream) if nested else plain.stream
        try:
            body = b"".join([chunk async for chunk in stream])
        finally:
            await plain.aclose()
        return (plain.status_code, plain.headers, body)
    except httpx.HTTPError as exc:
        return ("error", type(exc).__name__, str(exc))


@pytest.mark.parametrize("path", ["/plain", "/chunked", "/until-close", "/big", "/not-found", "/cut", "/reset",
                                  "/garbage", "/no-response", "/slow"])
def test_a_plain_gets_body_is_read_in_one_generator_as_httpcores_nested_streams_read_it(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """GuardedTransport.get's response body is read by one async generator (netguard._ResponseStream) instead of
    four nested ones (it, the pool's stream, the connection's stream, httpcore's _receive_response_body): the same
    status, headers, body or error as httpcore's own stack gives, twice on one pool (the connection kept or
    replaced as there), and the pool left with no request in it."""
    with server() as site:
        async def theirs_script(transport: httpx.AsyncBaseTransport) -> list:
            out = []
            for _ in range(2):
                result = await _exchange(transport, f"http://127.0.0.1:{site.port}{path}")
                out.append(("error", type(result).__name__) if isinstance(result, BaseException)
                           else (result.status_code, dict(result.headers.items()), result.content))
            return out

        theirs = asyncio.run(_on_loopback(theirs_script, lambda: httpx.AsyncHTTPTransport(trust_env=False)))

        async def nested_script(transport: GuardedTransport) -> list:
            return [await _get(transport, site.port, path, nested=True), await _get(transport, site.port, path, nested=True)]

        before_nested = site.connections
        nested_reading = asyncio.run(_on_loopback(nested_script, GuardedTransport))
        nested_connections = site.connections - before_nested

        def nested(*args: object, **kwargs: object) -> typing.NoReturn:
            raise AssertionError("a nested body stream was iterated")

        monkeypatch.setattr(wire.PoolStream, "__aiter__", nested)
        monkeypatch.setattr(wire.UntracedByteStream, "__aiter__", nested)

        async def ours_script(transport: GuardedTransport) -> tuple[list, int]:
            out = [await _get(transport, site.port, path), await _get(transport, site.port, path)]
            return out, len(transport._pool._requests)

        before = site.connections
        ours, waiting = asyncio.run(_on_loopback(ours_script, GuardedTransport))
        connections = site.connections - before
    assert ours == nested_reading  # errors' messages included
    assert [o[:2] if o[0] == "error" else o for o in ours] == theirs
    assert waiting == 0
    assert connections == nested_connections
    if path in ("/plain", "/chunked", "/big", "/not-found"):
        assert connections == 1  # kept alive: one connection for both requests


def test_a_body_left_half_read_closes_its_connection_and_leaves_the_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A body whose reading stops after its first chunk (the fetcher's size cap) and whose generator is closed, then
    the response closed (the fetcher's ``finally``): the connection is closed, not reused, the request out of the
    pool, as when httpcore's nested streams were closed; the next GET on a new connection is answered whole."""
    with server() as site:
        async def go(transport: GuardedTransport) -> tuple:
            extensions = {"timeout": httpx.Timeout(5.0).as_dict()}
            head = [(b"Host", f"127.0.0.1:{site.port}".encode())]
            plain = await transport.get(b"http", b"127.0.0.1", site.port, b"/big", head, extensions)
            chunks = plain.stream.__aiter__()
            first = await chunks.__anext__()
            await chunks.aclose()  # GeneratorExit at the generator's yield
            await plain.aclose()
            connection = transport._pool._connections[0] if transport._pool._connections else None
            state = connection._connection._state if connection is not None else None
            again = await _get(transport, site.port, "/plain")
            return len(first), state, len(transport._pool._requests), again, site.connections

        size, state, waiting, again, connections = asyncio.run(_on_loopback(go, GuardedTransport))
    assert 0 < size < len(BIG)
    assert state in (None, HTTPConnectionState.CLOSED)
    assert waiting == 0
    assert again[0] == 200 and again[2] == b"hello"
    assert connections == 2


def test_a_head_read_before_is_not_normalised_by_h11_again_and_reads_as_h11_reads_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A response head's fields are made h11's Headers from the lines read before: names lower-cased once per line,
    a lone Content-Length or Transfer-Encoding settled as h11 settles it, without h11's normalize_and_validate on a
    head read before; heads with two of either go to h11's function, and every event equals h11's reader's."""
    monkeypatch.setattr(wire, "_HEAD_LINES", {})
    calls: list[int] = []
    normalize = h11._headers.normalize_and_validate

    def counting(headers, _parsed=False):  # type: ignore[no-untyped-def]
        calls.append(len(headers))
        return normalize(headers, _parsed=_parsed)

    monkeypatch.setattr(h11._events, "normalize_and_validate", counting)
    monkeypatch.setattr(wire, "_H11_NORMALIZE", counting, raising=False)
    read = h11._readers.maybe_read_from_SEND_RESPONSE_server
    usual = (b"HTTP/1.1 200 OK\r\nServer: s\r\nContent-Type: text/html\r\nContent-Length: 12\r\n"
             b"Content-Encoding: gzip\r\n\r\n")
    for head in (usual, usual.replace(b"Content-Length: 12", b"Transfer-Encoding: Chunked"),
                 usual.replace(b"Content-Length: 12", b"Content-Length:  12 , 12")):
        theirs, first = _read_head(read, head), _read_head(wire._read_response_head, head)
        calls.clear()
        again = _read_head(wire._read_response_head, head)
        assert calls == []  # the second reading: no h11 normalisation at all
        assert again == first == theirs
    for head in (usual.replace(b"Server: s", b"Content-Length: 12"), usual.replace(b"Server: s", b"Content-Length: 13"),
                 usual.replace(b"Server: s", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"),
                 usual.replace(b"Content-Length: 12", b"Content-Length: 1x"),
                 usual.replace(b"Content-Length: 12", b"Transfer-Encoding: gzip")):
        for _ in range(2):
            assert _read_head(wire._read_response_head, head) == _read_head(read, head), head


def test_a_header_line_the_same_as_a_status_line_read_before_is_refused_as_h11_refuses_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "_HEAD_LINES", {})
    read = h11._readers.maybe_read_from_SEND_RESPONSE_server
    for head in (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", b"HTTP/1.1 200 OK\r\nHTTP/1.1 200 OK\r\n\r\n"):
        assert _read_head(wire._read_response_head, head) == _read_head(read, head)


def test_reads_time_out_at_their_own_deadlines_on_one_timer_per_stream() -> None:
    """A stream's waiting reads time out as each with its own timer would (``timeout`` after the read began), on one
    timer of the loop that stays armed across reads: a read begun after an earlier one (whose deadline the timer
    was armed for) is answered after that deadline and before its own, and a later read past its own deadline
    times out then, not at the timer's first time; 50 quick reads arm the loop's timer once."""
    async def go() -> tuple[list, int]:
        loop = asyncio.get_running_loop()

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while line := await reader.readline():
                    await asyncio.sleep(float(line))  # answers each line after the delay it names
                    writer.write(b"ok")
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        stream = await wire.connect_tcp("127.0.0.1", port)
        timers = CountedTimers(loop).start()
        outcomes = []

        async def ask(delay: float, timeout: float) -> tuple[str, float]:
            began = loop.time()
            await stream.write(b"%f\n" % delay)
            try:
                answer = await stream.read(100, timeout=timeout)
            except httpcore.ReadTimeout:
                return ("timeout", loop.time() - began)
            return (answer.decode(), loop.time() - began)

        try:
            for _ in range(50):
                assert (await ask(0, 30.0))[0] == "ok"
            quick = timers.armed
            outcomes.append(await ask(0, 0.6))  # the timer stays armed for 30 s from the first read
            outcomes.append(await ask(0.1, 0.6))  # answered within its own deadline
            stream2 = await wire.connect_tcp("127.0.0.1", port)
            stream, first = stream2, stream
            outcomes.append(await ask(0, 0.6))  # this stream's timer armed at 0.6 s from now
            await asyncio.sleep(0.3)
            outcomes.append(await ask(1.2, 0.6))  # past the timer's first time (0.3 s in) and past its own deadline
            await asyncio.sleep(0.8)
            outcomes.append(await ask(0, 0.6))  # the late answer of the last one (buffered), then this one's
            await first.aclose()
            await stream.aclose()
        finally:
            timers.stop()
            server.close()
            await asyncio.sleep(0.5)  # the handlers see the closes and end
        return outcomes, quick

    outcomes, quick = asyncio.run(go())
    assert quick <= 1
    assert [o for o, _ in outcomes[:4]] == ["ok", "ok", "ok", "timeout"]
    assert outcomes[4][0] in ("ok", "okok")  # the late answer (and this one's, when they came together)
    assert outcomes[3][1] >= 0.6  # at its own deadline, not at the timer's first time (its answer was to come at 1.2)


# --- h11's client connection: wire._H11Client against h11.Connection ---------------------------------------------

_H11_IO = {getattr(wire, "_read_response_head", None): h11._readers.maybe_read_from_SEND_RESPONSE_server,
           getattr(wire, "_write_request", None): h11._writers.write_request}


def _h11_io(obj: typing.Any) -> typing.Any:
    """A reader or writer as h11 would hold it: ours named as h11's, an object by its type and fields."""
    obj = _H11_IO.get(obj, obj)
    if obj is None or callable(obj) and not hasattr(obj, "__dict__") or type(obj).__name__ == "function":
        return obj
    return type(obj), sorted(vars(obj).items())


def _h11_state(conn: h11.Connection) -> tuple:
    cstate = conn._cstate
    return (dict(cstate.states), cstate.keep_alive, set(cstate.pending_switch_proposals), conn.their_http_version,
            conn._request_method, conn.client_is_waiting_for_100_continue, _h11_io(conn._reader),
            _h11_io(conn._writer), bytes(conn._receive_buffer), sorted(vars(conn._receive_buffer).items(), key=str),
            conn._receive_buffer_closed)


def _h11_do(conn: h11.Connection, action: tuple) -> typing.Any:
    """One action on a client connection; what it returned or raised."""
    kind, arg = action
    try:
        if kind == "send":
            return "sent", conn.send(arg)
        if kind == "receive":
            conn.receive_data(arg)
            return "received"
        if kind == "next":
            events = []
            for _ in range(8):
                event = conn.next_event()
                events.append(event)
                if event in (h11.NEED_DATA, h11.PAUSED) or type(event) is h11.ConnectionClosed:
                    break
            return "events", events
        if kind == "cycle":
            conn.start_next_cycle()
            return "cycled"
        if kind == "send_failed":
            conn.send_failed()
            return "failed"
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return "error", type(exc).__name__, str(exc), getattr(exc, "error_status_hint", None)
    raise AssertionError(kind)


def _h11_requests() -> list[h11.Request]:
    """Request events of many kinds, some sharing one Headers object (as a fetcher's requests do)."""
    host = [("Host", "a.test")]
    shared = h11.Request(method="GET", target="/", headers=[*host, ("Connection", "keep-alive"),
                                                            ("Accept-Encoding", "gzip, br")]).headers
    lists = [host, [*host, ("Connection", "close")], [*host, ("Connection", "Upgrade"), ("Upgrade", "h2c")],
             [*host, ("Expect", "100-continue"), ("Content-Length", "3")], [*host, ("Content-Length", "3")],
             [*host, ("Transfer-Encoding", "chunked")], [*host, ("Connection", "keep-alive, close")],
             [*host, ("Upgrade", "websocket")], [*host, ("Expect", "100-continue")]]
    requests = [h11.Request(method="GET", target=f"/p{i}", headers=shared) for i in range(6)]
    requests += [h11.Request(method="GET", target="/x", headers=wire._checked_request(b"GET", b"/x", shared).headers)]
    for method in ("GET", "HEAD", "POST", "CONNECT"):
        for headers in lists:
            requests.append(h11.Request(method=method, target="a.test:443" if method == "CONNECT" else "/q",
                                        headers=headers))
    requests.append(h11.Request(method="GET", target="/old", headers=[], http_version="1.0"))
    requests.append(h11.Request(method="GET", target="/old", headers=shared, http_version="1.0"))
    return requests


_H11_HEADS = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end",
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 200 OK\r\n\r\nuntil close",
    b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nnop",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
    b"not http at all\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcdHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
]


def test_h11_clients_state_changes_and_bytes_are_h11s(monkeypatch: pytest.MonkeyPatch) -> None:
    """wire._H11Client (its remembered state changes, its request facts and head bytes, its next_event and
    start_next_cycle) against h11's own client connection: 2,500 random scripts of requests (plain GETs sharing one
    header list, HEAD, POST with bodies, CONNECT, upgrades, 100-continue, Connection: close, HTTP/1.0), request
    bodies and ends, responses of every framing and malformed ones, cut anywhere, closes, new cycles and failed
    sends: after every step the same answer (event, bytes or error and message), the same states, flags, reader and
    writer (their fields too) and the same receive buffer."""
    import random

    monkeypatch.setattr(wire, "_TRANSITIONS", {})
    monkeypatch.setattr(wire, "_REQUEST_FACTS", {})
    monkeypatch.setattr(wire, "REQUEST_FACTS_KEPT", 3)  # emptied now and then along the way
    requests = _h11_requests()
    rng = random.Random(26)
    steps = 0
    for _ in range(2500):
        theirs, ours = h11.Connection(h11.CLIENT), wire._H11Client(h11.CLIENT)
        assert _h11_state(ours) == _h11_state(theirs)
        for _ in range(rng.randint(1, 14)):
            states = theirs._cstate.states
            roll = rng.random()
            if roll < 0.05:
                action: tuple = ("send_failed", None)
            elif roll < 0.12:
                action = ("send", rng.choice([h11.Data(data=b"abc"), h11.EndOfMessage(), h11.ConnectionClosed(),
                                              h11.Response(status_code=200, headers=[])]))
            elif states[h11.CLIENT] is h11.IDLE and roll < 0.8:
                action = ("send", rng.choice(requests[:7]) if rng.random() < 0.6 else rng.choice(requests))
            elif states[h11.CLIENT] is h11.SEND_BODY and roll < 0.8:
                action = ("send", h11.Data(data=b"abc") if rng.random() < 0.3 else h11.EndOfMessage())
            elif states[h11.CLIENT] is h11.DONE and states[h11.SERVER] is h11.DONE and roll < 0.7:
                action = ("cycle", None)
            elif roll < 0.45:
                action = ("next", None)
            else:
                data = rng.choice(_H11_HEADS[:2]) if rng.random() < 0.5 else rng.choice(_H11_HEADS)
                cut = rng.randint(0, len(data)) if rng.random() < 0.3 else len(data)
                action = ("receive", data[:cut] if rng.random() < 0.95 else b"")
            assert _h11_do(ours, action) == _h11_do(theirs, action), action
            assert _h11_state(ours) == _h11_state(theirs), action
            steps += 1
    assert steps > 15_000
    assert wire._TRANSITIONS  # the plain state changes were remembered and reused


def test_a_kept_alive_get_goes_through_h11s_state_machine_and_header_writer_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """On one connection, a GET with the header list of the one before (a fetcher's requests) and its answer (head,
    body, end) change h11's states as before without h11's general state machine (the state changes of a plain
    exchange are remembered), send the head without formatting its header fields again, and frame the request and
    the response without walking their headers for Connection, Upgrade, Expect, Transfer-Encoding and
    Content-Length; the same bytes and events as h11's own connection."""
    monkeypatch.setattr(wire, "_TRANSITIONS", {})
    monkeypatch.setattr(wire, "_REQUEST_FACTS", {})
    calls: list[str] = []
    for owner, name in [(h11._state.ConnectionState, "process_event"), (h11._writers, "write_headers"),
                        (h11._connection, "get_comma_header"), (h11._headers, "get_comma_header"),
                        (wire, "_h11_comma_header")]:
        original = getattr(owner, name)

        def counting(*args, _original=original, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)
    headers = h11.Request(method="GET", target="/", headers=[("Host", "a.test"), ("Connection", "keep-alive")]).headers
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello"

    def exchange(conn: h11.Connection, target: bytes) -> list:
        out = [conn.send(wire._checked_request(b"GET", target, headers)), conn.send(h11.EndOfMessage()),
               conn.next_event()]
        conn.receive_data(answer)
        out += [conn.next_event() for _ in range(4)]
        conn.start_next_cycle()
        return out

    theirs, ours = h11.Connection(h11.CLIENT), wire._H11Client(h11.CLIENT)
    assert exchange(ours, b"/a") == exchange(theirs, b"/a")
    calls.clear()
    second = exchange(ours, b"/b")
    assert calls == []
    assert second == exchange(theirs, b"/b") and calls  # h11's own connection goes through both again
    assert second[0] == b"GET /b HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive\r\n\r\n"
    assert second[2:] == [h11.NEED_DATA, h11.Response(status_code=200, headers=[("Content-Length", "5"), ("Server", "x")],
                                                      reason=b"OK"),
                          h11.Data(data=b"hello"), h11.EndOfMessage(), h11.NEED_DATA]


def test_a_request_made_from_checked_headers_is_h11s_request() -> None:
    """wire._checked_request: for headers h11 made before, the Request h11 makes (fields, equality) or its error,
    whatever the method and target."""
    headers = h11.Request(method="GET", target="/", headers=[("Host", "a.test")]).headers
    for method in (b"GET", b"POST", b"G T", "GET", b""):
        for target in (b"/", b"/a?b=c", b"/a b", b"/\x00", b"", "/str", b"*", b"/%zz", b"/\xff"):
            try:
                theirs: typing.Any = h11.Request(method=method, target=target, headers=headers)
            except h11.LocalProtocolError as exc:
                theirs = ("error", str(exc))
            try:
                ours: typing.Any = wire._checked_request(method, target, headers)
            except h11.LocalProtocolError as exc:
                ours = ("error", str(exc))
            assert ours == theirs, (method, target)
            if not isinstance(ours, tuple):
                assert (ours.method, ours.target, ours.http_version, ours.headers) == (
                    theirs.method, theirs.target, theirs.http_version, theirs.headers)


def test_a_plain_content_length_line_is_settled_without_h11s_normalisation(monkeypatch: pytest.MonkeyPatch) -> None:
    """wire._settled_field keeps a Content-Length of ASCII digits as h11 keeps it without calling h11's
    normalize_and_validate; every other length (and every Transfer-Encoding) is h11's answer or refusal."""
    values = [b"0", b"12", b"0012", b"9" * 20, b"9" * 21, b"", b"1,1", b"1, 2", b" 1", b"1 ", b"x", b"-1", b"+1",
              b"1.0", b"\xd9\xa1", b"\xef\xbc\x91", b"12\x00", b"1e3"]
    for name in (b"Content-Length", b"content-length", b"CONTENT-LENGTH", b"Transfer-Encoding", b"X-Other"):
        for value in values + [b"chunked", b"Chunked", b"gzip"]:
            try:
                theirs: typing.Any = h11._headers.normalize_and_validate([(name, value)], _parsed=True)._full_items[0]
            except h11.LocalProtocolError:
                theirs = None
            assert wire._settled_field(name, value) == theirs, (name, value)
    calls: list[int] = []
    normalize = wire._H11_NORMALIZE
    monkeypatch.setattr(wire, "_H11_NORMALIZE", lambda *a, **k: calls.append(1) or normalize(*a, **k))
    assert wire._settled_field(b"Content-Length", b"5240") == (b"Content-Length", b"content-length", b"5240")
    assert calls == []


def test_a_heads_lines_are_h11s_lines_as_bytes() -> None:
    """wire._head_lines takes a head out of h11's receive buffer as h11's maybe_extract_lines does (the same lines,
    as bytes; the same bytes left and search marks, on heads whole, cut, fed in pieces; CRLF, bare LF, mixed, stray
    CR; an empty head)."""
    import random

    pieces = [b"HTTP/1.1 200 OK", b"Server: x", b"A: b\rc", b"D: e\r", b"", b"X: y", b"body"]
    ends = [b"\r\n", b"\n", b"\r\r\n", b"\n\r"]
    rng = random.Random(26)
    heads = [b"\r\n", b"\n", b"\r\nrest", b"\nrest", b"", b"\r", b"HTTP/1.1 200 OK\r\n\r\n"]
    for _ in range(3000):
        head = b"".join(rng.choice(pieces) + (rng.choice(ends) if rng.random() < 0.3 else b"\r\n")
                        for _ in range(rng.randint(0, 6)))
        head += rng.choice([b"\r\n", b"\n", b""]) + rng.choice([b"", b"body", b"\r\n"])
        heads.append(head[:rng.randint(0, len(head))] if rng.random() < 0.2 else head)
    for head in heads:
        cut = rng.randint(0, len(head))
        bufs = [h11._receivebuffer.ReceiveBuffer() for _ in range(2)]
        answers = []
        for buf, read in zip(bufs, (wire._head_lines, lambda b: b.maybe_extract_lines())):
            buf += head[:cut]
            first = read(buf)
            buf += head[cut:]
            second = read(buf)
            answers.append(([None if x is None else [bytes(line) for line in x] for x in (first, second)],
                            bytes(buf), vars(buf)))
        assert answers[0] == answers[1], head


def test_an_upgrade_hands_over_the_bytes_received_after_its_head_as_httpcore_does() -> None:
    """A 101 answer's network stream starts with the bytes that came after its head (h11's trailing data, read by
    HTTP11Connection only for an upgrade), through httpcore's stack and ours alike; a plain answer is unchanged."""
    with server() as site:
        async def script(transport: httpx.AsyncBaseTransport) -> list:
            request = httpx.Request("GET", f"http://127.0.0.1:{site.port}/upgrade",
                                    headers={"Connection": "Upgrade", "Upgrade": "x-test"},
                                    extensions={"timeout": httpx.Timeout(5.0).as_dict()})
            response = await transport.handle_async_request(request)
            stream = response.extensions["network_stream"]
            first = await stream.read(1024)
            await stream.aclose()
            plain = _outcome(await _exchange(transport, f"http://127.0.0.1:{site.port}/plain"))
            return [response.status_code, response.headers.multi_items(), first, plain]

        theirs, ours = _both(script)
    assert ours == theirs
    assert ours[0] == 101 and ours[2] == b"early bytes" and ours[3][0] == 200
