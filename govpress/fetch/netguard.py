"""The address guard: which URLs and IP addresses a source may reach.

A fetch goes out only when (1) the scheme is http or https, (2) the host is one of the
source's hosts or a subdomain of one, and (3) every address the host resolves to is
public, unless the address is inside one of the source's ``allow_addresses`` (the local
demo and the tests allow 127.0.0.1). Loopback, private, link-local, CGNAT, multicast,
unspecified and reserved addresses, and IPv6 forms that embed them (IPv4-mapped, 6to4,
NAT64, Teredo), are refused. A hostile redirect or a DNS name pointing at 127.0.0.1 or a
cloud metadata address therefore never gets a packet.

``check_target`` decides before a request; :class:`GuardedTransport` repeats the address
check at connect time on the addresses actually dialled, so a DNS answer that changes
between the check and the connection (DNS rebinding) is caught as well. The fetcher's
check before a request resolves a host once per :data:`RESOLVED_FOR` seconds
(:class:`RememberingResolver`); the connect-time check resolves for every new connection.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import ipaddress
import socket
import ssl
import time
import typing
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from urllib.parse import SplitResult

import h11
import httpcore
import httpx
from httpcore._async.http11 import HTTPConnectionState
from httpcore._exceptions import ConnectionNotAvailable
from httpcore._synchronization import AsyncShieldCancellation
from httpx._transports.default import AsyncResponseStream, map_httpcore_exceptions

from govpress.fetch import wire
from govpress.registry import Source
from govpress.urls import split

Resolver = Callable[[str], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The guard refused a URL; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def system_resolver(host: str) -> list[str]:
    """All addresses the system resolver gives for ``host`` (TCP)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


RESOLVED_FOR = 30.0
"""Seconds a host's addresses, once resolved for the check before a request, serve the next requests' checks."""


class RememberingResolver:
    """A resolver whose answers serve for :data:`RESOLVED_FOR` seconds per host, for :func:`check_target`.

    The check before each request resolved its host every time: ``getaddrinfo`` in a thread of the
    event loop's executor, 50-70 us of CPU for a name in /etc/hosts and a resolver's round trip for
    any other, on every page of a source. It is the early refusal only: the dial re-resolves and
    checks each address it connects to (:class:`_GuardedBackend`, once per new connection), so a
    name that turns private within the interval is still refused there. Lookups of a host already
    under way are shared; failures and empty answers are not remembered.
    """

    def __init__(self, resolver: Resolver, *, ttl: float = RESOLVED_FOR, clock: Callable[[], float] | None = None) -> None:
        self._resolver = resolver
        self._ttl = ttl
        self._clock = clock or time.monotonic
        self._answers: dict[str, tuple[list[str], float]] = {}
        self._pending: dict[str, asyncio.Future[list[str]]] = {}

    async def __call__(self, host: str) -> list[str]:
        known = self.remembered(host)
        if known is not None:
            return known
        return await self.resolve(host)

    def remembered(self, host: str) -> list[str] | None:
        """The host's addresses while remembered (a copy), else None: :meth:`__call__`'s answer without a coroutine."""
        known = self._answers.get(host)
        if known is not None and self._clock() < known[1]:
            return list(known[0])
        return None

    async def resolve(self, host: str) -> list[str]:
        """:meth:`__call__` past its look at the remembered answers (:meth:`remembered` found none)."""
        while (pending := self._pending.get(host)) is not None:
            try:
                return list(await asyncio.shield(pending))
            except asyncio.CancelledError:
                # The task that was resolving was cancelled (another source's, say), not this one: look again.
                task = asyncio.current_task()
                if pending.cancelled() and task is not None and not task.cancelling():
                    continue
                raise
        future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._pending[host] = future
        try:
            addresses = list(await self._resolver(host))
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when no one else waited
            raise
        finally:
            del self._pending[host]
        future.set_result(addresses)
        if addresses:
            self._answers[host] = (addresses, self._clock() + self._ttl)
        return list(addresses)


def parse_networks(entries: Iterable[str]) -> list[IPNetwork]:
    """``allow_addresses`` entries (single IPs or CIDRs) as networks; a bad entry raises ValueError."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]


@functools.lru_cache(maxsize=1024)
def allowed_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """:func:`parse_networks` of a source's ``allow_addresses``, remembered (asked twice per request)."""
    return tuple(parse_networks(entries))


def host_is_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Exact match, or a subdomain of an allowed name (never a 'subdomain' of an IP literal)."""
    host = host.lower().rstrip(".")
    for allowed in allowed_hosts:
        allowed = allowed.lower().rstrip(".")
        if host == allowed:
            return True
        if not _is_ip_literal(allowed) and host.endswith("." + allowed):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _is_ip_literal(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses carried inside an IPv6 address; each must pass the check too."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = []
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def non_public_reason(ip: IPAddress) -> str | None:
    """Why an address is not a public unicast address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        # ::ffff:a.b.c.d is dialled as a.b.c.d: judge that address.
        inner_reason = non_public_reason(ip.ipv4_mapped)
        return f"maps to {ip.ipv4_mapped} ({inner_reason})" if inner_reason else None
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("CGNAT", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
        ("not globally routable", not ip.is_global),
    )
    for label, hit in checks:
        if hit:
            return label
    for inner in _embedded_ipv4(ip):
        inner_reason = non_public_reason(inner)
        if inner_reason:
            return f"embeds {inner} ({inner_reason})"
    return None


def check_address(address: str, allow: Iterable[IPNetwork]) -> None:
    """Refuse one resolved/literal address unless it is public or explicitly allowed."""
    refusal = _address_refusal(address, tuple(allow))
    if refusal is not None:
        raise Refused(refusal)


@functools.lru_cache(maxsize=4096)
def _address_refusal(address: str, allow: tuple[IPNetwork, ...]) -> str | None:
    """Why :func:`check_address` refuses ``address`` (None: it passes); a pure function, so remembered."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return f"not an IP address: {address!r}"
    plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else ip
    if any(plain.version == net.version and plain in net for net in allow):
        return None
    reason = non_public_reason(ip)
    if reason:
        return f"address {address} is {reason} and not in the source's allow_addresses"
    return None


async def check_target(url: str, source: Source, *, resolver: Resolver | None = None) -> None:
    """Raise :class:`Refused` unless ``source`` may fetch ``url``; resolves the host (literal IPs are not resolved).

    What depends only on the URL's scheme and authority and on the source's lists (scheme, credentials, host,
    port, the host among the source's, a literal address's verdict) is decided once per origin and source lists
    (:func:`_origin_passes`, remembered when it passes: a refusal's reason names the URL, so it is worked out anew).
    """
    parts = split(url)  # planned moments ago (urls.refusal): most often remembered
    key = (parts.scheme, parts.netloc, tuple(source.allowed_hosts), tuple(source.start_urls),
           tuple(source.fallback_urls), tuple(source.allow_addresses), source.id)
    passed = _PASSED.get(key)
    if passed is None:
        passed = _origin_passes(url, parts, source)
        if len(_PASSED) >= PASSED_KEPT:
            _PASSED.clear()
        _PASSED[key] = passed
    host, literal = passed
    if literal:
        return
    allow = allowed_networks(key[5])
    try:
        # A remembering resolver's answer at hand is taken without a coroutine; its look at them is made once.
        if type(resolver) is RememberingResolver:
            addresses = resolver.remembered(host)
            if addresses is None:
                addresses = await resolver.resolve(host)
        else:
            addresses = await (resolver or system_resolver)(host)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise Refused(f"{host} resolves to no address")
    for address in addresses:
        check_address(address, allow)


PASSED_KEPT = 4096
"""Origins (with their source's lists) remembered as passing :func:`_origin_passes`; the memory is emptied when full."""
_PASSED: dict[tuple, tuple[str, bool]] = {}


def _origin_passes(url: str, parts: SplitResult, source: Source) -> tuple[str, bool]:
    """The checks of :func:`check_target` that need no resolver: the host and whether it is an IP literal (already
    checked) when they pass, else :class:`Refused`. They read only ``parts``' scheme and netloc and the source's
    hosts and ``allow_addresses``."""
    if parts.scheme not in ("http", "https"):
        raise Refused(f"scheme {parts.scheme!r} is not http/https: {url}")
    if parts.username or parts.password:
        raise Refused(f"credentials in URL are not allowed: {parts.hostname}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused(f"no host in URL {url!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise Refused(f"bad port in URL {url!r}") from None
    if not host_is_allowed(host, source.hosts()):
        raise Refused(f"host {host} is not among the hosts of source {source.id} ({', '.join(sorted(source.hosts()))})")
    if _is_ip_literal(host):
        check_address(host, allowed_networks(tuple(source.allow_addresses)))
        return host, True
    return host, False


# --- connect-time check ------------------------------------------------------------------

# The allow list of the source whose request is being sent; set by the fetcher per request.
current_allow: contextvars.ContextVar[tuple[IPNetwork, ...]] = contextvars.ContextVar("current_allow", default=())


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address, then dials the checked address (TLS still verifies the name)."""

    def __init__(self, resolver: Resolver | None) -> None:
        self._resolver = resolver or system_resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        allow = current_allow.get()
        addresses = [host] if _is_ip_literal(host) else await self._resolver(host)
        if not addresses:
            raise Refused(f"{host} resolves to no address")
        for address in addresses:
            check_address(address, allow)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await wire.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                              socket_options=socket_options)
            except httpcore.ConnectError as exc:  # try the next checked address
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(self, *args: typing.Any, **kwargs: typing.Any) -> httpcore.AsyncNetworkStream:
        raise Refused("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _is_readable(stream: httpcore.AsyncNetworkStream) -> bool:
    """``stream.get_extra_info("is_readable")``, the pool's own stream asked directly (one call less a check)."""
    return stream._readable() if type(stream) is wire.AsyncioStream else stream.get_extra_info("is_readable")


_POOL_REQUEST = wire.PoolRequest
_IDLE = HTTPConnectionState.IDLE
_CLOSED = HTTPConnectionState.CLOSED


class _Pool(httpcore.AsyncConnectionPool):
    """httpcore's pool, its bookkeeping linear in the connections instead of quadratic.

    httpcore (1.0.x) re-places requests on connections each time a request arrives or a response
    ends, and for every idle connection it asks every connection ``is_idle()`` only to count them
    (``len([c.is_idle() for c in connections])``, which is ``len(connections)``), then lists the
    idle connections again for every queued request whether it needs them or not: about 700
    ``is_idle`` calls per request at 16 requests in flight. The decisions here are the same ones
    (tests/unit/fetch/test_netguard.py checks them against httpcore's own on random pools); this is
    used only with the httpcore it was written against (:data:`POOL_FOR_HTTPCORE`). Its connections, the
    requests waiting in it and its response streams are govpress/fetch/wire.py's: httpcore's code on
    asyncio's locks and events, without anyio's scopes.
    """

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing_connections = []
        connections = self._connections
        for connection in list(connections):
            # The pool's own connections (wire.Connection over wire.HTTP11Connection) answer from their state
            # directly: httpcore's is_closed, has_expired and is_idle are two calls each (the connection, then its
            # HTTP/1.1 connection) for every connection at every placement, ~21,000 of each a 653-page run. The
            # answers are theirs (tests/unit/fetch/test_netguard.py compares them on every state).
            if type(connection) is wire.Connection:
                inner = connection._connection
                if inner is None:  # connecting, or its connect failed: all three are whether it failed
                    if connection._connect_failed:
                        connections.remove(connection)
                    continue
                if type(inner) is wire.HTTP11Connection:
                    state = inner._state
                    if state is _CLOSED:
                        connections.remove(connection)
                        continue
                    expire_at = inner._expire_at
                    if expire_at is not None:
                        now = time.monotonic()
                        if now > expire_at:
                            connections.remove(connection)
                            closing_connections.append(connection)
                            continue
                    if state is _IDLE:
                        stream = inner._network_stream
                        # The stream's idle check (wire.AsyncioStream._readable) inline while its socket was found
                        # quiet moments ago, on the clock reading just made (one call and clock reading less for each
                        # idle connection at every placement); else the check itself.
                        if type(stream) is wire.AsyncioStream and expire_at is not None and stream._poller is not None:
                            protocol = stream._protocol
                            readable = (protocol.chunks or protocol.eof or protocol.lost or stream._closed
                                        or (now >= stream._quiet_until and stream._readable()))
                        else:
                            readable = _is_readable(stream)
                        if readable:
                            connections.remove(connection)
                            closing_connections.append(connection)
                            continue
                    if state is _IDLE and len(connections) > self._max_keepalive_connections:
                        connections.remove(connection)
                        closing_connections.append(connection)
                    continue
            if connection.is_closed():
                connections.remove(connection)
            elif connection.has_expired():
                connections.remove(connection)
                closing_connections.append(connection)
            elif len(connections) > self._max_keepalive_connections and connection.is_idle():
                connections.remove(connection)
                closing_connections.append(connection)

        # A wire.PoolRequest's is_queued() (httpcore's) is "no connection yet", read here directly.
        for pool_request in [request for request in self._requests
                             if (request.connection is None if type(request) is _POOL_REQUEST else request.is_queued())]:
            origin = pool_request.request.url.origin
            available = None
            for c in connections:
                # can_handle_request and is_available, an HTTP/1.1 connection of the pool's read from its state
                # (the origin is the same, the state IDLE) as for the checks above.
                if type(c) is wire.Connection and type(inner := c._connection) is wire.HTTP11Connection:
                    if inner._state is _IDLE and c._origin == origin:
                        available = c
                        break
                elif c.can_handle_request(origin) and c.is_available():
                    available = c
                    break
            if available is not None:
                pool_request.assign_to_connection(available)
            elif len(connections) < self._max_connections:
                connection = self.create_connection(origin)
                connections.append(connection)
                pool_request.assign_to_connection(connection)
            elif (idle := next((c for c in connections if c.is_idle()), None)) is not None:
                connections.remove(idle)
                closing_connections.append(idle)
                connection = self.create_connection(origin)
                connections.append(connection)
                pool_request.assign_to_connection(connection)
        return closing_connections

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """httpcore 1.0's ``AsyncConnectionPool.handle_async_request``, its waiting request and response
        stream govpress/fetch/wire.py's (an asyncio event; no anyio scope around a response's close)."""
        scheme = request.url.scheme.decode()
        if scheme == "":
            raise httpcore.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol.")
        if scheme not in ("http", "https", "ws", "wss"):
            raise httpcore.UnsupportedProtocol(f"Request URL has an unsupported protocol '{scheme}://'.")
        timeouts = request.extensions.get("timeout", {})
        timeout = timeouts.get("pool", None)
        with self._optional_thread_lock:
            pool_request = wire.PoolRequest(request)
            self._requests.append(pool_request)
        try:
            while True:
                with self._optional_thread_lock:
                    closing = self._assign_requests_to_connections()
                await self._close_connections(closing)
                connection = await pool_request.wait_for_connection(timeout=timeout)
                try:
                    response = await connection.handle_async_request(pool_request.request)
                except ConnectionNotAvailable:
                    pool_request.clear_connection()  # placed on a connection that turned busy: place it again
                else:
                    break
        except BaseException as exc:
            with self._optional_thread_lock:
                self._requests.remove(pool_request)
                closing = self._assign_requests_to_connections()
            await self._close_connections(closing)
            raise exc from None
        assert isinstance(response.stream, AsyncIterable)  # collections.abc's: typing's alias checks through two more calls
        # httpcore makes a new Response of the same status, headers and extensions around the pool's stream (its
        # headers checked again); the connection's own response, which nothing else holds, is given the stream.
        response.stream = wire.PoolStream(stream=response.stream, pool_request=pool_request, pool=self)
        return response

    make_tls_context: Callable[[], ssl.SSLContext] | None = None
    """Makes the pool's TLS context when its first https connection is made (GuardedTransport), when the pool was
    given none; a plain-http run never makes one (certifi's bundle loaded: ~21 ms of CPU)."""

    def create_connection(self, origin: httpcore.Origin) -> httpcore.AsyncConnectionInterface:
        """httpcore's connection (no proxy here), its locks asyncio's (govpress/fetch/wire.py)."""
        if self._ssl_context is None and self.make_tls_context is not None and origin.scheme in (b"https", b"wss"):
            # The only schemes whose connections read it (httpcore's _connect); made once, shared as before.
            self._ssl_context = self.make_tls_context()
        return wire.Connection(
            origin=origin, ssl_context=self._ssl_context, keepalive_expiry=self._keepalive_expiry, http1=self._http1,
            http2=self._http2, retries=self._retries, local_address=self._local_address, uds=self._uds,
            network_backend=self._network_backend, socket_options=self._socket_options,
        )

    async def _close_connections(self, closing: list[httpcore.AsyncConnectionInterface]) -> None:
        """httpcore's, without its anyio shield scope: httpcore entered one to close nothing, twice a request, and
        the first one (a run's end, when the fetcher closes its pool) imported anyio's asyncio backend, ~18 ms of
        CPU. As for wire.PoolStream's close, nothing can be cancelled half way: these connections' closes never
        wait (wire.AsyncioStream.aclose aborts the transport), and the shield held off only anyio's own scopes."""
        for connection in closing:
            await connection.aclose()


POOL_FOR_HTTPCORE = ("1.0.",)
"""httpcore versions whose ``_assign_requests_to_connections`` :class:`_Pool` repeats; with another, httpcore's own runs."""


def _pool_class() -> type[httpcore.AsyncConnectionPool]:
    return _Pool if httpcore.__version__.startswith(POOL_FOR_HTTPCORE) else httpcore.AsyncConnectionPool


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's default transport with the address check at connect time (no proxies: they would hide the target)."""

    def __init__(self, *, resolver: Resolver | None = None, limits: httpx.Limits = httpx.Limits(),
                 verify: ssl.SSLContext | bool = True, cert: typing.Any = None) -> None:
        # httpx's __init__ is not called: it would build a pool of its own, replaced here, and the SSL context
        # at once (certifi's bundle loaded: ~21 ms of CPU in every run, most of whose sources are plain http
        # in the bench). The context is httpx's all the same (create_ssl_context, trust_env=False, as before),
        # made by this transport's pool at its first https connection.
        make_context = functools.partial(httpx.create_ssl_context, verify=verify, cert=cert, trust_env=False)
        pool_class = _pool_class()
        lazy = issubclass(pool_class, _Pool)
        self._pool = pool_class(
            ssl_context=None if lazy else make_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=_GuardedBackend(resolver),
        )
        if lazy:
            self._pool.make_tls_context = make_context

    async def get(self, scheme: bytes, host: bytes, port: int | None, target: bytes, headers: list[tuple[bytes, bytes]],
                  extensions: dict) -> PlainResponse:
        """The response :meth:`handle_async_request` gives a GET of a body-less ``httpx.Request`` of those parts (its
        URL's ``raw_scheme``, ``raw_host``, ``port`` and ``raw_path``, its ``headers.raw``, stream
        :data:`~govpress.fetch.wire.NO_BODY` and ``extensions``), without the ``httpx.Request``: the same httpcore
        request to the pool, httpcore's errors mapped to httpx's by httpx's own mapping (only when one is raised),
        and the answer as a :class:`PlainResponse` (``as_httpx`` makes it the ``httpx.Response``)."""
        request = httpcore.Request(b"GET", wire.PlainURL(scheme, host, port, target), content=wire.NO_BODY,
                                   extensions=extensions)
        # The headers given as they are: every name and value here is bytes already, which is all httpcore's
        # enforce_headers checks (two typing-generic isinstance checks and a copy of the list, two calls a header).
        request.headers = headers
        try:
            response = await self._pool.handle_async_request(request)
        except Exception:
            with map_httpcore_exceptions():
                raise
        return PlainResponse(response)


class _ResponseStream(AsyncResponseStream):
    """httpx's stream of an httpcore response, its errors mapped to httpx's by httpx's own mapping only when one is
    raised (httpx enters ``map_httpcore_exceptions``, a generator context manager, around every response's body)."""

    async def __aiter__(self) -> typing.AsyncIterator[bytes]:
        stream = self._httpcore_stream
        try:
            if type(stream) is wire.PoolStream and type(inner := stream._stream) is wire.UntracedByteStream:
                # The pool's own response (nearly all): the body read here, in this one generator, as the four nested
                # ones below would read it (this one, the pool's stream, the connection's stream and httpcore's
                # _receive_response_body: each an async generator stepped for every chunk and set up per response).
                connection = inner._connection
                timeout = inner._request.extensions.get("timeout", {}).get("read", None)
                try:
                    while True:  # httpcore 1.0's AsyncHTTP11Connection._receive_response_body
                        event = await connection._receive_event(timeout=timeout)
                        if isinstance(event, h11.Data):
                            yield bytes(event.data)
                        elif isinstance(event, (h11.EndOfMessage, h11.PAUSED)):
                            break
                except BaseException as exc:
                    # On any error (or this generator closed), as the nested streams close, innermost first: the
                    # connection's stream (wire.UntracedByteStream, shielded), then the pool's (PoolByteStream:
                    # the request leaves the pool), raising as it does.
                    with AsyncShieldCancellation():
                        await inner.aclose()
                    await stream.aclose()
                    raise exc from None
            else:
                async for part in stream:
                    yield part
        except Exception:
            with map_httpcore_exceptions():
                raise


class PlainResponse:
    """What the fetcher reads of the ``httpx.Response`` httpx's transport would make of an httpcore response: its
    status, its headers as ``dict(httpx.Headers(...).items())`` gives them (:func:`header_items`), and its body
    stream, read through httpx's wrapper (:class:`_ResponseStream`: httpcore's errors mapped to httpx's), closed
    by ``aclose``.
    (The httpx.Response, its Headers and their items were ~3% of a fetch's instructions.) ``as_httpx`` makes the
    httpx.Response when a caller needs one (a cookie to keep, the request's log line)."""

    __slots__ = ("status_code", "headers", "stream", "_response")

    def __init__(self, response: httpcore.Response) -> None:
        self._response = response
        self.status_code = response.status
        self.headers = header_items(response.headers)
        self.stream = _ResponseStream(response.stream)

    async def aclose(self) -> None:
        await self.stream.aclose()

    def as_httpx(self, request: httpx.Request) -> httpx.Response:
        """The httpx.Response httpx's transport returns (the same stream), with its request."""
        response = self._response
        return httpx.Response(status_code=response.status, headers=response.headers, stream=self.stream,
                              extensions=response.extensions, request=request)


def header_items(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """``dict(httpx.Headers(raw).items())``: lower-case names, a repeated name's values joined by ", ", all of it
    decoded as ASCII when it is ASCII (httpx's first choice; otherwise httpx decides, as UTF-8 or Latin-1)."""
    head: dict[str, str] = {}
    for key, value in raw:
        if not (key.isascii() and value.isascii()):
            return dict(httpx.Headers(raw).items())
        name = key.lower().decode("ascii")
        text = value.decode("ascii")
        if name in head:
            head[name] += f", {text}"
        else:
            head[name] = text
    return head
