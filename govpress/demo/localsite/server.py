"""A threaded HTTP/1.1 server on a loopback address for the demo and the end-to-end tests.

It serves a generated site (``root``, see :mod:`govpress.demo.localsite.generator`) plus read-only
mounts (URL prefix -> folder; the saved real pages are served straight from ../shared, never
copied), behaves like a decent origin server (Content-Type by extension, directory index,
301 to the slash URL, 404/410, HEAD, strong ETag, Last-Modified, 304, gzip), records every
request, and misbehaves on demand through a :class:`~govpress.demo.localsite.faults.FaultPlan`.

Generated pages carry the placeholder origin :data:`~govpress.demo.localsite.generator.ORIGIN`; the
server replaces it with ``http://<Host header>`` so absolute links point back at whichever
loopback address the client used.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import struct
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from govpress.demo.localsite import faults as F
from govpress.demo.localsite.faults import FaultPlan, FaultRule
from govpress.demo.localsite.generator import MANIFEST_NAME, ORIGIN

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".tsv": "text/tab-separated-values; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
}
_TEXTUAL = ("text/", "application/xml", "application/atom+xml", "application/rss+xml", "application/json",
            "application/javascript")
GZIP_MIN_BYTES = 1024


class RequestRecord(NamedTuple):
    """One request as the server saw it. ``status`` is 0 when no status line was sent (reset, stall)."""

    method: str
    host: str
    path: str
    status: int
    headers: dict[str, str]
    fault: str | None = None


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = False
    """A file response: ETag, Last-Modified and 304 apply."""


@dataclass(frozen=True)
class _ManifestView:
    """The parts of a generated site's site.json the server acts on."""

    times: dict[str, datetime] = field(default_factory=dict)
    gone: frozenset[str] = frozenset()
    redirects: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict) -> "_ManifestView":
        return cls(times={p: datetime.fromisoformat(t) for p, t in data.get("last_modified", {}).items()},
                   gone=frozenset(data.get("gone", ())), redirects=dict(data.get("redirects", {})))


def content_type_for(path: str) -> str:
    return CONTENT_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def _accepts_gzip(header: str | None) -> bool:
    for token in (header or "").split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip() for c in header.split(",")]
    bare = etag.removeprefix("W/")
    return any(c == "*" or c.removeprefix("W/") == bare for c in candidates)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: "LocalSiteServer"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a run's client closing its idle connections) is not an error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "govpress-localsite/1.0"
    timeout = 30  # an idle keep-alive connection gives its thread back after this long
    server: _Server
    record: RequestRecord

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY each response waits ~40 ms for an ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.site._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.site._track(self.connection, add=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Silent: the request log is :attr:`LocalSiteServer.requests`."""

    def do_GET(self) -> None:
        self.server.site._handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.site._handle(self, head=True)

    def _not_allowed(self) -> None:
        self.server.site._handle(self, head=False, allowed=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = _not_allowed


COOKIE_CHECK = "visitor_checked=1"
"""The cookie the cookie_check fault sets and then asks for."""


class LocalSiteServer:
    """Serve ``root`` and ``mounts`` on ``host``:``port`` (0: a free port) from a daemon thread."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        mounts: dict[str, Path] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        gone: set[str] | frozenset[str] | list[str] = frozenset(),
        faults: FaultPlan | None = None,
    ) -> None:
        if not host.startswith("127."):
            raise ValueError(f"the local site server binds to loopback addresses only, not {host!r}")
        self.root = Path(root).resolve() if root is not None else None
        self.mounts = {self._prefix(p): Path(d).resolve() for p, d in (mounts or {}).items()}
        self.host = host
        self.port = port
        self.gone: set[str] = set(gone)
        self._faults = faults
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._in_flight = 0
        self._peak_in_flight = 0
        self._stop = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._gzip_cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._manifest_key: tuple[int, int] | None = None
        self._manifest_view = _ManifestView()
        self._manifest_lock = threading.Lock()
        self._visit_counts: dict[str, int] = {}

    @staticmethod
    def _prefix(prefix: str) -> str:
        return "/" + prefix.strip("/") + "/"

    # ---- lifecycle -------------------------------------------------------------------

    def start(self) -> "LocalSiteServer":
        if self._server is not None:
            return self
        self._stop.clear()
        self._server = _Server((self.host, self.port), _Handler)
        self._server.site = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"localsite:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled and streaming responses abort, open connections are closed."""
        if self._server is None:
            return
        self._stop.set()
        self._server.shutdown()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "LocalSiteServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")

    # ---- runtime controls ------------------------------------------------------------

    def set_faults(self, plan: FaultPlan | FaultRule | None) -> None:
        self._faults = FaultPlan.of(plan) if isinstance(plan, FaultRule) else plan

    def clear_faults(self) -> None:
        self._faults = None

    @property
    def faults(self) -> FaultPlan | None:
        return self._faults

    @property
    def requests(self) -> list[RequestRecord]:
        with self._log_lock:
            return list(self._log)

    @property
    def in_flight(self) -> int:
        """Requests being answered right now (a stalled one shows here before it reaches the log)."""
        with self._log_lock:
            return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most requests answered at once since the start (or :meth:`reset_log`): what a host's politeness limit caps."""
        with self._log_lock:
            return self._peak_in_flight

    def _visits(self, path: str) -> int:
        """How many times ``path`` has been answered with a volatile page, this answer included."""
        with self._log_lock:
            self._visit_counts[path] = count = self._visit_counts.get(path, 0) + 1
            return count

    def reset_log(self) -> None:
        with self._log_lock:
            self._log.clear()
            self._peak_in_flight = self._in_flight

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._conn_lock:
            (self._connections.add if add else self._connections.discard)(conn)

    # ---- resolving a path to a response ----------------------------------------------

    def _manifest(self) -> _ManifestView:
        """What the generator decided beyond the files: Last-Modified times, 410s and redirects (re-read
        when site.json changes)."""
        if self.root is None:
            return _ManifestView()
        manifest = self.root / MANIFEST_NAME
        try:
            stat = manifest.stat()
        except FileNotFoundError:
            return _ManifestView()
        key = (stat.st_mtime_ns, stat.st_size)
        with self._manifest_lock:
            if key != self._manifest_key:
                try:
                    self._manifest_view = _ManifestView.of(json.loads(manifest.read_bytes()))
                except (ValueError, OSError, AttributeError, TypeError):
                    self._manifest_view = _ManifestView()
                self._manifest_key = key
            return self._manifest_view

    def _manifest_time(self, url_path: str) -> datetime | None:
        """Last-Modified the generator chose for this path."""
        return self._manifest().times.get(url_path)

    def _resolve(self, path: str, origin: str) -> _Response:
        manifest = self._manifest()
        if path in self.gone or path in manifest.gone:
            return _Response(410, F.status_page(410, "Gone"))
        if path in manifest.redirects:
            return _Response(301, F.status_page(301, "Moved Permanently"), headers={"Location": manifest.redirects[path]})
        base, rel, generated = None, "", False
        for prefix in sorted(self.mounts, key=len, reverse=True):
            if path.startswith(prefix) or path + "/" == prefix:
                base, rel = self.mounts[prefix], path[len(prefix):]
                break
        if base is None and self.root is not None:
            base, rel, generated = self.root, path.lstrip("/"), True
        if base is None:
            return _Response(404, F.status_page(404, "Not Found"))
        target = (base / rel).resolve()
        if not target.is_relative_to(base):
            return _Response(404, F.status_page(404, "Not Found"))
        if target.is_dir():
            if not path.endswith("/"):
                return _Response(301, F.status_page(301, "Moved Permanently"), headers={"Location": path + "/"})
            target = target / "index.html"
        if not target.is_file():
            return _Response(404, F.status_page(404, "Not Found"))
        body = target.read_bytes()
        content_type = content_type_for(target.name)
        last_modified = self._manifest_time(path) if generated else None
        if generated and content_type.startswith(_TEXTUAL):
            body = body.replace(ORIGIN.encode(), origin.encode())
        if last_modified is None:
            last_modified = datetime.fromtimestamp(int(target.stat().st_mtime), timezone.utc)
        return _Response(200, body, content_type, last_modified, conditional=True)

    def _gzipped(self, etag: str, body: bytes) -> bytes:
        with self._cache_lock:
            if etag in self._gzip_cache:
                self._gzip_cache.move_to_end(etag)
                return self._gzip_cache[etag]
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        with self._cache_lock:
            self._gzip_cache[etag] = packed
            while len(self._gzip_cache) > 256:
                self._gzip_cache.popitem(last=False)
        return packed

    # ---- the request cycle -----------------------------------------------------------

    def _handle(self, h: _Handler, *, head: bool, allowed: bool = True) -> None:
        host = h.headers.get("Host", "")
        path = unquote(urlsplit(h.path).path) or "/"
        rule = self._faults.take(path, host) if self._faults is not None and allowed else None
        # Logged on arrival (status 0) and completed before the status line is sent, so a client
        # that has its answer always finds the request in the log.
        record = RequestRecord(h.command, host, h.path, 0, dict(h.headers.items()), rule.fault if rule else None)
        h.record = record
        with self._log_lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
            self._log.append(record)
        try:
            if not allowed:
                self._send(h, _Response(405, F.status_page(405, "Method Not Allowed"), headers={"Allow": "GET, HEAD"}),
                           head=False)
            elif rule is None:
                self._send(h, self._resolve(path, self._origin(host)), head=head)
            else:
                self._apply(h, rule, path, host, head=head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            h.close_connection = True
        finally:
            with self._log_lock:
                self._in_flight -= 1

    def _start(self, h: _Handler, status: int) -> None:
        """Record the status in the log, then send the status line."""
        with self._log_lock:
            for index in range(len(self._log) - 1, -1, -1):
                if self._log[index] is h.record:
                    h.record = self._log[index] = h.record._replace(status=status)
                    break
        h.send_response(status)

    def _origin(self, host: str) -> str:
        return f"http://{host}" if host else f"http://{self.host}:{self.port}"

    def _send(self, h: _Handler, response: _Response, *, head: bool) -> int:
        """Send a complete response, honouring conditional headers and gzip. Returns the status sent."""
        headers = dict(response.headers)
        body = response.body
        status = response.status
        if response.conditional:
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers["ETag"] = etag
            if response.last_modified is not None:
                headers["Last-Modified"] = format_datetime(response.last_modified.astimezone(timezone.utc), usegmt=True)
            if self._not_modified(h, etag, response.last_modified):
                self._start(h, 304)
                for name, value in headers.items():
                    h.send_header(name, value)
                h.end_headers()
                return 304
            compressible = response.content_type.startswith(_TEXTUAL)
            if compressible:
                headers["Vary"] = "Accept-Encoding"
            if compressible and len(body) > GZIP_MIN_BYTES and _accepts_gzip(h.headers.get("Accept-Encoding")):
                body = self._gzipped(etag, body)
                headers["Content-Encoding"] = "gzip"
        self._start(h, status)
        h.send_header("Content-Type", response.content_type)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            h.send_header(name, value)
        h.end_headers()
        if not head:
            h.wfile.write(body)
        return status

    @staticmethod
    def _not_modified(h: _Handler, etag: str, last_modified: datetime | None) -> bool:
        if_none_match = h.headers.get("If-None-Match")
        if if_none_match is not None:
            return _etag_matches(if_none_match, etag)
        since = h.headers.get("If-Modified-Since")
        if since and last_modified is not None:
            try:
                return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    # ---- faults ----------------------------------------------------------------------

    def _wait(self, seconds: float, conn: socket.socket | None = None) -> bool:
        """Sleep up to ``seconds``; False when the server stops or the client hangs up first."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._stop.wait(min(left, 0.05)):
                return False
            if conn is not None and self._peer_closed(conn):
                return False
        return True

    @staticmethod
    def _peer_closed(conn: socket.socket) -> bool:
        """True when the client has hung up (a zero-byte peek)."""
        timeout = conn.gettimeout()
        try:
            conn.settimeout(0)  # a socket with a timeout would wait in recv despite MSG_DONTWAIT
            return conn.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            try:
                conn.settimeout(timeout)
            except OSError:
                pass

    def _apply(self, h: _Handler, rule: FaultRule, path: str, host: str, *, head: bool) -> int:
        kind = rule.fault
        if kind == "latency":
            if not self._wait(rule.seconds, h.connection):
                h.close_connection = True
                return 0
            return self._send(h, self._resolve(path, self._origin(host)), head=head)
        if kind == "read_timeout":
            self._wait(rule.seconds or F.MAX_STALL_SECONDS, h.connection)
            h.close_connection = True
            return 0
        if kind == "connection_reset":
            h.close_connection = True
            # Linger 0 makes close() send RST instead of FIN.
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            return 0
        if kind == "status":
            headers = {}
            if rule.retry_after is not None:
                if rule.retry_after_date and isinstance(rule.retry_after, int):
                    when = datetime.now(timezone.utc) + timedelta(seconds=rule.retry_after)
                    headers["Retry-After"] = format_datetime(when, usegmt=True)
                else:
                    headers["Retry-After"] = str(rule.retry_after)
            reason = HTTPStatus(rule.status).phrase if rule.status in HTTPStatus._value2member_map_ else "Error"
            return self._send(h, _Response(rule.status, F.status_page(rule.status, reason), headers=headers),
                              head=head)
        if kind == "frozen_validators":
            # A cache or a server whose Last-Modified and ETag never change: every conditional request is "unchanged".
            if h.headers.get("If-None-Match") or h.headers.get("If-Modified-Since"):
                return self._send(h, _Response(304, b"", headers={"ETag": '"frozen"',
                                                                  "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}),
                                  head=head)
            response = self._resolve(path, self._origin(host))
            response.headers = {**response.headers, "ETag": '"frozen"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
            response.conditional = False
            return self._send(h, response, head=head)
        if kind == "cookie_check":
            # A site that checks its visitors keep cookies: without its cookie, a redirect to the same page setting it.
            if COOKIE_CHECK in (h.headers.get("Cookie") or ""):
                return self._send(h, self._resolve(path, self._origin(host)), head=head)
            return self._send(h, _Response(302, F.status_page(302, "Found"),
                                           headers={"Location": h.path, "Set-Cookie": f"{COOKIE_CHECK}; Path=/"}), head=head)
        if kind == "maintenance_page":
            return self._send(h, _Response(200, F.maintenance_page()), head=head)
        if kind == "forbidden":
            return self._send(h, _Response(403, F.forbidden_page()), head=head)
        if kind == "challenge":
            return self._send(h, _Response(200, F.challenge_page(path),
                                                 headers={"x-amzn-waf-action": "challenge", "Cache-Control": "no-store"}),
                              head=head)
        if kind == "redirect_loop":
            query = urlsplit(h.path).query
            target = path if "loop=" in query else path + "?loop=1"
            return self._send(h, _Response(302, F.status_page(302, "Found"), headers={"Location": target}),
                              head=head)
        if kind == "offhost_redirect":
            target = rule.location or f"http://127.0.0.3:{self.port}{h.path}"
            return self._send(h, _Response(302, F.status_page(302, "Found"), headers={"Location": target}),
                              head=head)
        if kind == "endless_body":
            return self._endless(h, rule, head=head)
        if kind == "gzip_bomb":
            return self._gzip_bomb(h, head=head)
        if kind == "huge_header":
            response = self._resolve(path, self._origin(host))
            h.close_connection = True
            response.headers = {**response.headers, "X-Padding": "a" * rule.header_bytes}
            return self._send(h, response, head=head)
        response = self._resolve(path, self._origin(host))
        if response.status != 200:
            return self._send(h, response, head=head)
        if kind == "wrong_charset":
            response.body = F.reencode(response.body, rule.charset, rule.meta)
            mime = response.content_type.split(";")[0]
            response.content_type = f"{mime}; charset={rule.header_charset}" if rule.header_charset else mime
            return self._send(h, response, head=head)
        if kind == "wrong_encoding":
            # Sent as the fault says, never compressed again by _send (nor answered 304: not conditional).
            layers = {"undeclared": 1, "doubled": 2, "false": 0, "br_false": 0}[rule.encoding]
            for _ in range(layers):
                response.body = gzip.compress(response.body, mtime=0)
            if rule.encoding != "undeclared":
                response.headers = {**response.headers, "Content-Encoding": "br" if rule.encoding == "br_false" else "gzip"}
            response.conditional = False
            return self._send(h, response, head=head)
        if kind == "volatile_chrome":
            # Different bytes at every answer (a counter, an age, the latest headlines): never a 304.
            response.body = F.volatile_chrome(response.body, self._visits(path))
            response.conditional = False
            return self._send(h, response, head=head)
        if kind == "malformed_html":
            response.body = F.malform_html(response.body)
            return self._send(h, response, head=head)
        if kind == "truncated":
            body = response.body
            h.close_connection = True
            self._start(h, 200)
            h.send_header("Content-Type", response.content_type)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if not head:
                h.wfile.write(body[: int(len(body) * rule.fraction)])
            return 200
        raise AssertionError(f"unhandled fault {kind}")

    def _endless(self, h: _Handler, rule: FaultRule, *, head: bool) -> int:
        h.close_connection = True
        self._start(h, 200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if head:
            return 200
        chunk = F.endless_chunk()
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        opening = b"<!DOCTYPE html><html><body>"
        h.wfile.write(f"{len(opening):x}\r\n".encode() + opening + b"\r\n")
        sent = 0
        while sent < rule.cap_bytes and not self._stop.is_set():
            h.wfile.write(framed)
            sent += len(chunk)
        h.wfile.write(b"0\r\n\r\n")
        return 200

    def _gzip_bomb(self, h: _Handler, *, head: bool) -> int:
        header, block, count, tail = F.gzip_bomb_parts()
        h.close_connection = True
        self._start(h, 200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(header) + len(block) * count + len(tail)))
        h.end_headers()
        if head:
            return 200
        h.wfile.write(header)
        batch = block * 64
        for _ in range(count // 64):
            if self._stop.is_set():
                return 200
            h.wfile.write(batch)
        h.wfile.write(block * (count % 64) + tail)
        return 200
