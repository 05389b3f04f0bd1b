"""Crawl-delay as the server sees it, on a busy machine: the gaps between request arrivals, as a ratio of the delay.

    uv run python bench/bench_crawl_delay.py [--delay 1.0] [--requests 12] [--busy 4]

A stdlib HTTP server on 127.0.0.1 serves ``robots.txt`` with ``Crawl-delay`` and records when
each page request arrives; the Fetcher (concurrency 4 for the host) fetches the pages while
``--busy`` processes spin on the CPU and a task blocks the fetcher's own event loop for up to
``--loop-busy`` seconds at a time (as CPU work on the loop does in a full run). Printed: the smallest, median and largest gap between
arrivals divided by the delay (1.00 = exactly the delay). Stamping the slot when granted let gaps
fall to 0.57 of the delay on a loaded machine (issue 11); stamping when sent keeps them at 1 or
above, up to the server's own scheduling jitter.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from govpress.fetch.client import Fetcher
from govpress.registry import Source


def spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def serve(delay: float, port_out, arrivals, stop) -> None:
    """The site, in a process of its own (in the fetcher's process the GIL would delay its clock readings)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body = f"User-agent: *\nCrawl-delay: {delay}\n".encode()
            else:
                arrivals.put(time.monotonic())  # CLOCK_MONOTONIC: one clock for every process
                body = b"<html><body><article><h1>x</h1><p>y</p></article></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if self.path != "/robots.txt" else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port_out.put(server.server_address[1])
    stop.wait()
    server.shutdown()


async def hog_the_loop(seconds: float, done: asyncio.Event) -> None:
    """Block the event loop for up to ``seconds`` at a time (as parsing on the loop, or a slow callback, would)."""
    import random

    rng = random.Random(7)
    while not done.is_set():
        until = time.monotonic() + rng.uniform(0, seconds)
        while time.monotonic() < until:
            pass
        await asyncio.sleep(rng.uniform(0, 0.3))


async def fetch_all(base: str, count: int, loop_busy: float) -> None:
    done = asyncio.Event()
    hog = asyncio.create_task(hog_the_loop(loop_busy, done)) if loop_busy else None
    source = Source(id="bench", name="b", country="GB", institution="b", languages=["en"], kind="feed",
                    start_urls=[base + "/feed"], rate_limit=100.0, concurrency=4, allow_addresses=["127.0.0.1"])
    async with Fetcher(archive=None, user_agent="govpress-bench/1.0") as fetcher:
        await asyncio.gather(*(fetcher.fetch(f"{base}/p{i}", source) for i in range(count)))
    done.set()
    if hog is not None:
        await hog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=12)
    parser.add_argument("--busy", type=int, default=4, help="CPU-spinning processes during the run")
    parser.add_argument("--loop-busy", type=float, default=0.4,
                        help="block the fetcher's event loop for up to this many seconds at a time (0: never)")
    args = parser.parse_args()
    stop = multiprocessing.Event()
    hogs = [multiprocessing.Process(target=spin, args=(stop,)) for _ in range(args.busy)]
    for hog in hogs:
        hog.start()
    ports, queue = multiprocessing.Queue(), multiprocessing.Queue()
    site = multiprocessing.Process(target=serve, args=(args.delay, ports, queue, stop))
    site.start()
    try:
        asyncio.run(fetch_all(f"http://127.0.0.1:{ports.get(timeout=60)}", args.requests, args.loop_busy))
    finally:
        stop.set()
        for process in (*hogs, site):
            process.join()
    arrivals = sorted(queue.get(timeout=10) for _ in range(args.requests))
    gaps = [(b - a) / args.delay for a, b in zip(arrivals, arrivals[1:])]
    print(f"Crawl-delay {args.delay:g} s, {len(arrivals)} requests, {args.busy} busy processes, loop blocked up to "
          f"{args.loop_busy:g} s at a time: gap / delay "
          f"min {min(gaps):.2f}, median {statistics.median(gaps):.2f}, max {max(gaps):.2f}")


if __name__ == "__main__":
    main()
