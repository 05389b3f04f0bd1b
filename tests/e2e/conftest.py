"""End-to-end fixtures: a Prefect API for the session, free ports, quiet consoles."""

from __future__ import annotations

import io
import socket

import pytest
from rich.console import Console


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect API for all flow runs of the session (~10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def port_factory():
    """``port_factory()`` -> a free TCP port on 127.0.0.1."""
    return free_port


@pytest.fixture
def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=200)
