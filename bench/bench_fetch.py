"""Fetcher throughput on loopback: pages/s through the full polite path (guard, robots, limiter, archive).

Usage: ``uv run python bench/bench_fetch.py [--pages 600] [--hosts 6] [--size 20000]``.
Each "host" is a stdlib HTTP server on its own 127.0.0.1 port (the limiter is per host:port),
so the per-host rate limit (at most 100 requests/s per source) is not the bottleneck
unless ``--hosts 1``. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from govpress.archive import Archive
from govpress.fetch.client import Fetcher
from govpress.registry import Source


def make_handler(body: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                payload = b"User-agent: *\nAllow: /\n"
            else:  # vary the body per path so the archive stores distinct files
                payload = gzip.compress(body + self.path.encode(), 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if self.path != "/robots.txt":
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


async def run(pages: int, hosts: int, size: int, concurrency: int) -> None:
    body = (b"<html><body><article><h1>Release</h1>" + b"<p>Text of the release. </p>" * (size // 28) + b"</article></body></html>")
    servers = []
    for _ in range(hosts):
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(body))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    sources = [
        Source(
            id=f"bench_{i}", name="bench", country="RU", institution="bench", languages=["ru"], kind="listing",
            start_urls=[f"http://127.0.0.1:{s.server_address[1]}/"], allow_addresses=["127.0.0.1"],
            rate_limit=100, concurrency=concurrency,
            listing={"item": "article"},
        )
        for i, s in enumerate(servers)
    ]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with Fetcher(archive=Archive(Path(tmp)), user_agent="govpress-bench/0.1", timeout=10) as fetcher:
                jobs = [(sources[i % hosts], f"{sources[i % hosts].start_urls[0]}news/{i}") for i in range(pages)]
                t0 = time.perf_counter()
                results = await asyncio.gather(*(fetcher.fetch(url, src) for src, url in jobs))
                elapsed = time.perf_counter() - t0
        ok = sum(r.ok for r in results)
        print(f"{ok}/{pages} ok from {hosts} host(s), ~{len(body)} B pages (gzip), concurrency {concurrency}/host: "
              f"{elapsed:.2f} s, {pages / elapsed:.0f} pages/s")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--hosts", type=int, default=6)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.pages, args.hosts, args.size, args.concurrency))


if __name__ == "__main__":
    main()
