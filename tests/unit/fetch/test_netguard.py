"""The address guard's decisions, with fake resolvers and literal addresses (no packets are sent)."""

from __future__ import annotations

import asyncio

import pytest

from govpress.fetch.netguard import Refused, check_target, host_is_allowed, non_public_reason
from tests.unit.fetch.conftest import PUBLIC_IP, fixed_resolver, make_source


def refusal(url: str, source=None, resolver=None) -> str | None:
    source = source or make_source()
    try:
        asyncio.run(check_target(url, source, resolver=resolver or fixed_resolver(default=[PUBLIC_IP])))
    except Refused as exc:
        return exc.reason
    return None


def test_public_host_of_the_source_passes() -> None:
    assert refusal("https://news.example.gov/2024/01/release") is None
    assert refusal("http://news.example.gov:8080/x") is None


@pytest.mark.parametrize("url", ["ftp://news.example.gov/x", "file:///etc/passwd", "gopher://news.example.gov/"])
def test_only_http_and_https(url: str) -> None:
    assert "scheme" in refusal(url)


def test_host_must_belong_to_the_source() -> None:
    assert "not among the hosts" in refusal("https://evil.example.com/")
    assert "not among the hosts" in refusal("https://news.example.gov.evil.com/")
    assert "not among the hosts" in refusal("https://xnews.example.gov/")


def test_subdomains_of_allowed_hosts_pass_but_not_of_ip_literals() -> None:
    assert host_is_allowed("en.kremlin.ru", {"kremlin.ru"})
    assert host_is_allowed("KREMLIN.RU.", {"kremlin.ru"})
    assert not host_is_allowed("notkremlin.ru", {"kremlin.ru"})
    assert not host_is_allowed("1.127.0.0.1", {"127.0.0.1"})


def test_credentials_in_url_refused() -> None:
    assert "credentials" in refusal("https://user:pw@news.example.gov/")


@pytest.mark.parametrize(
    "address, label",
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:a00:1::1", "10.0.0.1"),  # 6to4 wrapping a private address
    ],
)
def test_non_public_resolved_addresses_are_refused(address: str, label: str) -> None:
    reason = refusal("https://news.example.gov/", resolver=fixed_resolver(default=[address]))
    assert reason is not None and label in reason


def test_one_bad_address_among_good_ones_refuses() -> None:
    reason = refusal("https://news.example.gov/", resolver=fixed_resolver(default=[PUBLIC_IP, "10.0.0.7"]))
    assert reason and "10.0.0.7" in reason


def test_public_addresses_pass_including_ipv6_and_mapped() -> None:
    assert non_public_reason(__import__("ipaddress").ip_address("2606:4700::1111")) is None
    assert refusal("https://news.example.gov/", resolver=fixed_resolver(default=["2606:4700::1111", "::ffff:93.184.216.34"])) is None


def test_unresolvable_host_is_refused() -> None:
    assert "cannot resolve" in refusal("https://news.example.gov/", resolver=fixed_resolver({}))


def test_literal_ips_are_checked_without_resolving() -> None:
    resolver = fixed_resolver(default=[PUBLIC_IP])
    src = make_source(start_urls=["http://127.0.0.1:8000/feed", "http://[::1]/feed", "http://8.8.8.8/feed"])
    assert "loopback" in refusal("http://127.0.0.1:8000/feed", src, resolver)
    assert "loopback" in refusal("http://[::1]/feed", src, resolver)
    assert refusal("http://8.8.8.8/feed", src, resolver) is None
    assert resolver.calls == []


def test_allow_addresses_admit_exact_ips_and_cidrs_only() -> None:
    src = make_source(
        start_urls=["http://127.0.0.1:8000/", "http://127.0.0.3:8000/", "http://local.test/"],
        allow_addresses=["127.0.0.1", "10.9.0.0/16"],
    )
    assert refusal("http://127.0.0.1:8000/feed", src) is None
    assert "127.0.0.3" in refusal("http://127.0.0.3:8000/feed", src)
    assert refusal("http://local.test/", src, fixed_resolver(default=["10.9.3.4"])) is None
    assert "10.8.3.4" in refusal("http://local.test/", src, fixed_resolver(default=["10.8.3.4"]))
    # An allowed IPv4 address is also allowed in its IPv4-mapped IPv6 form.
    assert refusal("http://local.test/", src, fixed_resolver(default=["::ffff:127.0.0.1"])) is None


def test_decimal_encoded_loopback_is_caught_through_resolution() -> None:
    # "http://2130706433/" is 127.0.0.1 to getaddrinfo; the check is on what the name resolves to.
    src = make_source(start_urls=["http://2130706433/"])
    assert "loopback" in refusal("http://2130706433/", src, fixed_resolver(default=["127.0.0.1"]))


def test_the_origin_checks_run_once_per_origin_and_source_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    from govpress.fetch import netguard

    calls: list[str] = []
    checks = netguard._origin_passes

    def counted(url, parts, source):
        calls.append(url)
        return checks(url, parts, source)

    monkeypatch.setattr(netguard, "_PASSED", {})
    monkeypatch.setattr(netguard, "_origin_passes", counted)
    resolver = fixed_resolver(default=[PUBLIC_IP])
    src = make_source(start_urls=["http://127.0.0.1:8000/feed", "https://news.example.gov/"], allow_addresses=["127.0.0.1"])
    for path in ("a", "b", "c?page=2"):
        assert refusal(f"http://127.0.0.1:8000/{path}", src, resolver) is None
        assert refusal(f"https://news.example.gov/{path}", src, resolver) is None
    assert calls == ["http://127.0.0.1:8000/a", "https://news.example.gov/a"]
    assert len(resolver.calls) == 3  # a named host is still resolved for every check (the resolver remembers, not this)


def test_a_remembered_origin_is_checked_again_for_other_source_lists() -> None:
    allowed = make_source(start_urls=["http://127.0.0.1:8000/feed"], allow_addresses=["127.0.0.1"])
    assert refusal("http://127.0.0.1:8000/x", allowed) is None
    assert "loopback" in refusal("http://127.0.0.1:8000/y", make_source(start_urls=["http://127.0.0.1:8000/feed"]))
    assert "not among the hosts" in refusal("http://127.0.0.1:8000/z", make_source(allow_addresses=["127.0.0.1"]))
    changed = allowed.model_copy(update={"allow_addresses": []})
    assert "loopback" in refusal("http://127.0.0.1:8000/x", changed)
    # A refusal names the URL it refused, each time.
    other = make_source()
    assert refusal("ftp://news.example.gov/one", other).endswith("ftp://news.example.gov/one")
    assert refusal("ftp://news.example.gov/two", other).endswith("ftp://news.example.gov/two")


# --- the connection pool's bookkeeping -------------------------------------------------------


class _FakeConnection:
    """A pooled connection reduced to the state httpcore's placement reads (and counts how often)."""

    def __init__(self, number: int, origin: str, state: str) -> None:
        self.number, self.origin, self.state = number, origin, state
        self.asked = 0

    def is_closed(self) -> bool:
        return self.state == "closed"

    def has_expired(self) -> bool:
        return self.state == "expired"

    def is_idle(self) -> bool:
        self.asked += 1
        return self.state == "idle"

    def is_available(self) -> bool:
        return self.state in ("idle", "new")

    def can_handle_request(self, origin: str) -> bool:
        return origin == self.origin


class _FakeRequest:
    def __init__(self, origin: str, queued: bool) -> None:
        self.request = type("R", (), {"url": type("U", (), {"origin": origin})()})()
        self.queued = queued
        self.connection: int | None = None

    def is_queued(self) -> bool:
        return self.queued and self.connection is None

    def assign_to_connection(self, connection: _FakeConnection) -> None:
        self.connection = connection.number


def _placement(pool_class: type, seed: int) -> tuple:
    import random

    rng = random.Random(seed)
    origins = ["a", "b", "c"]
    pool = pool_class(max_connections=rng.choice([2, 5, 10, 100]), max_keepalive_connections=rng.choice([1, 3, 20]))
    pool._connections = [_FakeConnection(i, rng.choice(origins), rng.choice(["closed", "expired", "idle", "busy", "new"]))
                         for i in range(rng.randint(0, 30))]
    pool._requests = [_FakeRequest(rng.choice(origins), rng.random() < 0.7) for _ in range(rng.randint(0, 20))]
    made = iter(range(100, 1000))
    pool.create_connection = lambda origin: _FakeConnection(next(made), origin, "busy")
    closing = pool._assign_requests_to_connections()
    return ([c.number for c in pool._connections], [c.number for c in closing], [r.connection for r in pool._requests])


def test_the_pool_places_requests_as_httpcore_does_with_linear_bookkeeping() -> None:
    import httpcore

    from govpress.fetch.netguard import GuardedTransport, _Pool

    assert isinstance(GuardedTransport()._pool, _Pool)  # the httpcore this project locks
    for seed in range(500):
        assert _placement(_Pool, seed) == _placement(httpcore.AsyncConnectionPool, seed), seed
    # 16 connections, 8 of them idle: httpcore asks is_idle 16 + 8 x 16 times; the pool asks none while the pool
    # keeps no more connections than it may keep alive, and once per connection past that.
    pool = _Pool(max_connections=100, max_keepalive_connections=20)
    pool._connections = [_FakeConnection(i, "a", "idle" if i % 2 else "busy") for i in range(16)]
    pool._requests = []
    pool._assign_requests_to_connections()
    assert sum(c.asked for c in pool._connections) == 0
    pool = _Pool(max_connections=100, max_keepalive_connections=4)
    pool._connections = [_FakeConnection(i, "a", "idle" if i % 2 else "busy") for i in range(16)]
    pool._requests = []
    pool._assign_requests_to_connections()
    assert sum(c.asked for c in pool._connections) <= 16


class _Socket:
    """A pooled connection's network stream: only whether a close waits to be read."""

    def __init__(self, readable: bool) -> None:
        self.readable = readable

    def get_extra_info(self, info: str) -> object:
        return self.readable if info == "is_readable" else None


def _wire_placement(pool_class: type, seed: int) -> tuple:
    """The pool's own connections (wire.Connection over wire.HTTP11Connection) in every state httpcore's checks read:
    connecting, failed to connect, new, busy, idle (its keep-alive over or not, its socket quiet or closed by the
    server), closed; then which stay, which close and where the queued requests go."""
    import random
    import time

    import httpcore
    from httpcore._async.http11 import HTTPConnectionState

    from govpress.fetch import wire

    rng = random.Random(seed)
    origins = [httpcore.Origin(b"http", host, 80) for host in (b"a.test", b"b.test", b"c.test")]
    pool = pool_class(max_connections=rng.choice([2, 5, 10, 100]), max_keepalive_connections=rng.choice([1, 3, 20]))
    names: dict[int, str] = {}
    for number in range(rng.randint(0, 30)):
        origin = rng.choice(origins)
        connection = wire.Connection(origin=origin, ssl_context=None, keepalive_expiry=5.0)
        kind = rng.choice(["connecting", "failed", "http11"])
        if kind == "failed":
            connection._connect_failed = True
        elif kind == "http11":
            inner = wire.HTTP11Connection(origin=origin, stream=_Socket(rng.random() < 0.3), keepalive_expiry=5.0)
            inner._state = rng.choice(list(HTTPConnectionState))
            inner._expire_at = rng.choice([None, time.monotonic() - 100, time.monotonic() + 100])
            connection._connection = inner
        pool._connections.append(connection)
        names[id(connection)] = f"c{number}"
    requests = []
    for _ in range(rng.randint(0, 20)):
        request = wire.PoolRequest(httpcore.Request("GET", f"http://{rng.choice(origins).host.decode()}/"))
        if rng.random() < 0.3:
            request.connection = pool._connections[0] if pool._connections else None  # already placed
        requests.append(request)
    pool._requests = requests
    made = iter(range(100))

    def create_connection(origin: httpcore.Origin) -> wire.Connection:
        connection = wire.Connection(origin=origin, ssl_context=None)
        names[id(connection)] = f"new{next(made)}"
        return connection

    pool.create_connection = create_connection
    closing = pool._assign_requests_to_connections()
    name = lambda connection: None if connection is None else names[id(connection)]  # noqa: E731
    return ([name(c) for c in pool._connections], [name(c) for c in closing], [name(r.connection) for r in requests])


def test_the_pools_own_connections_are_read_from_their_state_as_httpcore_asks_them() -> None:
    """The pool reads wire's connections' states itself instead of calling is_closed, has_expired and is_idle through
    two layers for each at every placement: the same decisions as httpcore's own pool, which calls them."""
    import httpcore

    from govpress.fetch.netguard import _Pool

    for seed in range(500):
        assert _wire_placement(_Pool, seed) == _wire_placement(httpcore.AsyncConnectionPool, seed), seed


def test_concurrent_lookups_of_a_host_share_one_resolution_and_its_failure() -> None:
    from govpress.fetch.netguard import RememberingResolver

    calls: list[str] = []
    answers: list[list[str] | Exception] = [OSError("no answer"), [PUBLIC_IP]]

    async def slow(host: str) -> list[str]:
        calls.append(host)
        await asyncio.sleep(0.01)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def go() -> tuple[list, list]:
        remembering = RememberingResolver(slow)
        failed = await asyncio.gather(*(remembering("a.example.gov") for _ in range(5)), return_exceptions=True)
        found = await asyncio.gather(*(remembering("a.example.gov") for _ in range(5)))
        found.append(await remembering("a.example.gov"))
        return failed, found

    failed, found = asyncio.run(go())
    assert all(isinstance(f, OSError) for f in failed)
    assert found == [[PUBLIC_IP]] * 6 and calls == ["a.example.gov"] * 2


def test_a_cancelled_lookup_leaves_the_others_waiting_on_it_to_look_again() -> None:
    """Sources share hosts: one source's task cancelled while it resolves must not cancel another's fetch.

    The lookups wait on events the test sets, not on timers: under load a timer could end a lookup before
    the cancel it is meant to meet (the test once failed so on a busy machine)."""
    from govpress.fetch.netguard import RememberingResolver

    calls: list[str] = []

    async def settle() -> None:  # every task started runs until it waits
        for _ in range(10):
            await asyncio.sleep(0)

    async def go() -> list:
        answers = {"a.example.gov": asyncio.Event(), "b.example.gov": asyncio.Event()}

        async def slow(host: str) -> list[str]:
            calls.append(host)
            await answers[host].wait()
            return [PUBLIC_IP]

        remembering = RememberingResolver(slow)
        first = asyncio.create_task(remembering("a.example.gov"))
        await settle()
        others = [asyncio.create_task(remembering("a.example.gov")) for _ in range(3)]
        await settle()
        first.cancel()  # while its lookup is under way, the others waiting on it
        await settle()
        answers["a.example.gov"].set()
        results = await asyncio.gather(first, *others, return_exceptions=True)
        waiter = asyncio.create_task(remembering("b.example.gov"))  # a waiter cancelled itself is cancelled
        await settle()
        follower = asyncio.create_task(remembering("b.example.gov"))
        await settle()
        follower.cancel()
        await settle()
        answers["b.example.gov"].set()
        results += await asyncio.gather(waiter, follower, return_exceptions=True)
        return results

    first, *others, waiter, follower = asyncio.run(go())
    assert isinstance(first, asyncio.CancelledError)
    assert others == [[PUBLIC_IP]] * 3 and calls.count("a.example.gov") == 2
    assert waiter == [PUBLIC_IP] and isinstance(follower, asyncio.CancelledError)


def test_an_idle_connections_quiet_socket_is_judged_at_a_placement_as_its_stream_judges_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool judges an idle pooled connection's socket (did the server close it?) inline while the socket was
    found quiet moments ago, on the clock reading of its keep-alive check, and asks the stream otherwise: on real
    loopback streams in every state the check reads (no poller yet, found quiet moments ago or long ago, data or a
    close waiting unread, the end read, lost, closed), the same connections stay and close as in httpcore's own pool;
    a socket found quiet moments ago is not asked again."""
    import socket
    import time

    import httpcore
    from httpcore._async.http11 import HTTPConnectionState

    from govpress.fetch import wire
    from govpress.fetch.netguard import _Pool

    cases = ["fresh", "quiet", "quiet long ago", "closed unread long ago", "closed unread, quiet", "data waiting",
             "end read", "lost", "stream closed"]

    async def setup(listener: socket.socket, case: str) -> wire.Connection:
        stream = await wire.connect_tcp("127.0.0.1", listener.getsockname()[1])
        peer, _ = listener.accept()
        peers.append(peer)
        if case != "fresh":
            assert stream._readable() is False  # the poller made, the socket found quiet now
        if case in ("closed unread long ago", "closed unread, quiet"):
            closing_peers.append(peer)  # closed once every connection is made (no await after: the loop reads nothing)
        if case in ("quiet long ago", "closed unread long ago"):
            stream._quiet_until = 0.0
        elif case != "fresh":
            stream._quiet_until = time.monotonic() + 60
        if case == "data waiting":
            stream._protocol.chunks.append(b"x")
        elif case == "end read":
            stream._protocol.eof = True
        elif case == "lost":
            stream._protocol.lost = True
        elif case == "stream closed":
            await stream.aclose()
        origin = httpcore.Origin(b"http", b"127.0.0.1", 80)
        connection = wire.Connection(origin=origin, ssl_context=None, keepalive_expiry=5.0)
        inner = wire.HTTP11Connection(origin=origin, stream=stream, keepalive_expiry=5.0)
        inner._state = HTTPConnectionState.IDLE
        inner._expire_at = time.monotonic() + 100
        connection._connection = inner
        return connection

    asked: list[int] = []
    readable = wire.AsyncioStream._readable
    monkeypatch.setattr(wire.AsyncioStream, "_readable", lambda self: asked.append(1) or readable(self))

    async def go(pool_class: type) -> tuple[list[str], int]:
        listener = socket.create_server(("127.0.0.1", 0))
        pool = pool_class(max_connections=100, max_keepalive_connections=100)
        named = {}
        for case in cases:
            connection = await setup(listener, case)
            named[id(connection)] = case
            pool._connections.append(connection)
        for peer in closing_peers:
            peer.close()
        closing_peers.clear()
        time.sleep(0.02)
        asked.clear()
        closing = pool._assign_requests_to_connections()
        listener.close()
        return [named[id(c)] for c in closing], len(asked)

    peers: list[socket.socket] = []
    closing_peers: list[socket.socket] = []
    ours, ours_asked = asyncio.run(go(_Pool))
    theirs, _ = asyncio.run(go(httpcore.AsyncConnectionPool))
    for peer in peers:
        peer.close()
    assert ours == theirs == ["closed unread long ago", "data waiting", "end read", "lost", "stream closed"]
    assert ours_asked == 3  # fresh, quiet long ago and closed unread long ago: the others told without asking


def test_a_remembered_address_is_checked_without_the_resolvers_coroutine(monkeypatch: pytest.MonkeyPatch) -> None:
    """check_target with a RememberingResolver takes a remembered answer at hand (RememberingResolver.remembered)
    and resolves through the rest of its call otherwise: the same answers and refusals, the same clock readings and
    lookups as calling it, and no coroutine of its call once the host is remembered."""
    from govpress.fetch.netguard import RememberingResolver

    source = make_source()
    url = "https://news.example.gov/a"
    lookups: list[str] = []

    async def lookup(host: str) -> list[str]:
        lookups.append(host)
        return [PUBLIC_IP] if len(lookups) < 3 else ["10.0.0.7"]

    readings: list[float] = []
    now = [0.0]

    def clock() -> float:
        readings.append(now[0])
        return now[0]

    calls: list[str] = []
    call = RememberingResolver.__call__

    async def counting(self: RememberingResolver, host: str) -> list[str]:
        calls.append(host)
        return await call(self, host)

    monkeypatch.setattr(RememberingResolver, "__call__", counting)

    async def go(resolver: RememberingResolver, direct: bool) -> list:
        out = []
        for step in (0.0, 1.0, 40.0, 41.0, 100.0):
            now[0] = step
            try:
                if direct:
                    await check_target(url, source, resolver=lambda host: resolver(host))
                else:
                    await check_target(url, source, resolver=resolver)
                out.append("ok")
            except Refused as exc:
                out.append(exc.reason)
        return out

    theirs = asyncio.run(go(RememberingResolver(lookup, clock=clock), direct=True))
    their_readings, their_lookups = list(readings), list(lookups)
    readings.clear()
    lookups.clear()
    calls.clear()
    ours = asyncio.run(go(RememberingResolver(lookup, clock=clock), direct=False))
    assert ours == theirs and ours[:2] == ["ok", "ok"] and "10.0.0.7" in ours[-1]
    assert readings == their_readings and lookups == their_lookups
    assert calls == []
