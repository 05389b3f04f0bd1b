"""The writer queue (govpress/writer_queue.py): first come first served, and a dead writer's place frees at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from govpress.writer_queue import Waiting, WriterQueue


def test_writers_are_served_in_the_order_they_came(tmp_path: Path):
    queue = WriterQueue(tmp_path / "queue")
    order: list[str] = []

    async def writer(name: str, ticket) -> None:
        await queue.wait_turn(ticket, timeout=30, poll=0.01)
        order.append(f"{name} in")
        await asyncio.sleep(0.05)
        order.append(f"{name} out")
        ticket.leave()

    async def scenario() -> None:
        tickets = [(name, queue.join(label=name)) for name in ("first", "second", "third", "fourth")]
        # Started in reverse: the order comes from the tickets, not from who asks first.
        await asyncio.gather(*(writer(name, ticket) for name, ticket in reversed(tickets)))

    asyncio.run(scenario())
    assert order == ["first in", "first out", "second in", "second out", "third in", "third out",
                     "fourth in", "fourth out"]


HOLDER = textwrap.dedent("""
    import sys, time
    from govpress.writer_queue import WriterQueue
    ticket = WriterQueue(sys.argv[1]).join(label="killed writer")
    ticket.update(state="holding", lease_id="lease-of-the-dead")
    print("holding", flush=True)
    time.sleep(120)
""")


def test_a_killed_writer_frees_its_place_at_once_and_is_reported(tmp_path: Path):
    folder = tmp_path / "queue"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        queue = WriterQueue(folder)
        ticket = queue.join(label="next")
        dead: list[dict | None] = []
        waits: list[Waiting] = []

        async def scenario() -> float:
            turn = asyncio.create_task(queue.wait_turn(ticket, on_dead=dead.append, on_wait=waits.append,
                                                       log_every=0.05, poll=0.01, timeout=60))
            for _ in range(3000):  # still waiting while the holder lives (and saying for whom); bounded
                assert not turn.done()
                if waits:
                    break
                await asyncio.sleep(0.01)
            assert waits, "the waiter never said what it waits for"
            holder.send_signal(signal.SIGKILL)
            await asyncio.to_thread(holder.wait)
            return await turn

        asyncio.run(scenario())
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert waits[0].ahead == 1 and waits[0].holder["label"] == "killed writer"
    assert waits[0].holder["pid"] == holder.pid
    [info] = dead
    assert info["state"] == "holding" and info["lease_id"] == "lease-of-the-dead"
    assert sorted(p.name for p in folder.glob("*.lock") if p.stem.isdigit()) == [f"{ticket.name}.lock"]
    ticket.leave()


def test_a_writer_that_left_normally_is_not_reported_dead(tmp_path: Path):
    queue = WriterQueue(tmp_path / "queue")
    first = queue.join(label="first")
    second = queue.join(label="second")
    first.update(state="holding", lease_id="x")
    first.leave()
    dead: list = []
    asyncio.run(queue.wait_turn(second, on_dead=dead.append, timeout=5, poll=0.01))
    assert dead == []
    second.leave()
    assert not [p for p in (tmp_path / "queue").iterdir() if p.stem.isdigit()]


def test_waiting_past_the_timeout_gives_the_place_up(tmp_path: Path):
    queue = WriterQueue(tmp_path / "queue")
    holder = queue.join(label="holder")
    waiter = queue.join(label="waiter")
    with pytest.raises(TimeoutError, match="1 writer"):
        asyncio.run(queue.wait_turn(waiter, timeout=0.05, poll=0.01))
    assert waiter.left and not (tmp_path / "queue" / f"{waiter.name}.lock").exists()
    holder.leave()


def test_tickets_count_up_across_processes(tmp_path: Path):
    folder = tmp_path / "queue"
    script = "import sys; from govpress.writer_queue import WriterQueue; t = WriterQueue(sys.argv[1]).join(); " \
             "print(t.number); t.leave()"
    numbers = [int(subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True,
                                  check=True, env={**os.environ}).stdout) for _ in range(3)]
    assert numbers == [1, 2, 3]
