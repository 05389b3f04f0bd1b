"""``govpress serve`` says what it is doing while the Prefect server starts (it may take a minute or two)."""

from __future__ import annotations

import socket

import pytest

from govpress.flows.serve import wait_healthy


class Told(Exception):
    pass


def test_waiting_for_the_server_reports_progress_until_it_answers():
    with socket.socket() as sock:  # a port nobody answers on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
        said: list[str] = []

        def progress(message: str) -> None:
            said.append(message)
            raise Told

        with pytest.raises(Told):
            wait_healthy(url, None, timeout=60, progress=progress, every=0.2)
    assert said and said[0].startswith("... still starting (") and "migrates its database" in said[0]


def test_without_progress_it_times_out_with_the_address():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
        with pytest.raises(TimeoutError, match=url):
            wait_healthy(url, None, timeout=0.1)
