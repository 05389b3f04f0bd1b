"""What frees a Prefect 3 global concurrency slot whose holder was SIGKILLed? A probe, offline.

    uv run python bench/probe_writer_lease.py [--wait 90] [--lease 10] [--variants ephemeral-memory,...]

For each variant, in a fresh PREFECT_HOME: a holder process creates a one-slot limit, takes the
slot with ``concurrency(..., lease_duration=LEASE)`` (Prefect renews the lease at 75 % of it while
the holder lives), and is SIGKILLed. Then a fresh process (a fresh temporary server, as every CLI
call starts) reads the limit's ``active_slots`` every 2 s for ``--wait`` seconds and prints when
the slot came free, if it did. It also reports whether the holder's temporary API server outlived
the holder (an orphan).

Variants:
- ``ephemeral-memory``: Prefect's defaults (temporary server per process, leases in the server's memory);
- ``ephemeral-filesystem``: leases on disk under PREFECT_HOME (``PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE``);
- ``server-filesystem``: one ``prefect server start`` (background services on, so the Repossessor
  runs) shared by holder and checker, leases on disk;
- ``decay``: Prefect's defaults with ``slot_decay_per_second`` = 1/LEASE on the limit.

Results are printed as one line per variant; flows/writer_limit.py quotes them.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HOLDER = textwrap.dedent("""
    import asyncio, os, sys, time
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.concurrency.asyncio import concurrency

    async def main():
        lease, decay = float(sys.argv[1]), float(sys.argv[2])
        async with get_client() as c:
            await c.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                name="probe", limit=1, slot_decay_per_second=decay))
        async with concurrency("probe", occupy=1, strict=True, lease_duration=lease):
            print("held", flush=True)
            await asyncio.sleep(3600)

    asyncio.run(main())
""")

CHECKER = textwrap.dedent("""
    import asyncio, sys, time
    from prefect.client.orchestration import get_client

    async def main():
        wait = float(sys.argv[1])
        started = time.monotonic()
        async with get_client() as c:
            while True:
                limit = await c.read_global_concurrency_limit_by_name("probe")
                elapsed = time.monotonic() - started
                if limit.active_slots == 0:
                    print(f"free {elapsed:.0f}", flush=True)
                    return
                if elapsed > wait:
                    print(f"held {elapsed:.0f}", flush=True)
                    return
                await asyncio.sleep(2)

    asyncio.run(main())
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]


def probe(variant: str, lease: float, wait: float) -> str:
    home = Path(tempfile.mkdtemp(prefix=f"probe-{variant}-"))
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    env.pop("PREFECT_API_URL", None)
    if variant.endswith("filesystem"):
        env["PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE"] = "prefect.server.concurrency.lease_storage.filesystem"
    server = None
    if variant.startswith("server"):
        port = free_port()
        env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
        server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        import urllib.request
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(env["PREFECT_API_URL"] + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
    decay = 1.0 / lease if variant == "decay" else 0.0
    try:
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lease), str(decay)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = holder.stdout.readline().strip()
        if line != "held":
            holder.kill()
            return f"{variant}: the holder never took the slot ({holder.stderr.read().strip().splitlines()[-1:]})"
        servers = children_of(holder.pid)
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        killed_at = time.monotonic()
        time.sleep(1)
        orphans = [p for p in servers if alive(p)]
        checker = subprocess.run([sys.executable, "-c", CHECKER, str(wait)], env=env, capture_output=True, text=True,
                                 timeout=wait + 300)
        verdict = checker.stdout.strip() or checker.stderr.strip().splitlines()[-1]
        since_kill = time.monotonic() - killed_at
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
        return (f"{variant}: lease {lease:g} s; after SIGKILL the slot was {verdict.split()[0]} "
                f"({verdict.split()[-1]} s of polling, {since_kill:.0f} s after the kill, the checker's own server "
                f"start included); holder's temporary server left running: {len(orphans)} process(es)")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wait", type=float, default=150.0, help="seconds the checker polls at most")
    parser.add_argument("--lease", type=float, default=60.0, help="lease_duration of the holder (the API's minimum is 60)")
    parser.add_argument("--variants", default="ephemeral-memory,ephemeral-filesystem,server-filesystem,decay")
    args = parser.parse_args()
    for variant in args.variants.split(","):
        print(probe(variant, args.lease, args.wait), flush=True)


if __name__ == "__main__":
    main()
