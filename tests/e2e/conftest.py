"""End-to-end fixtures: a Prefect API for the session, free ports, quiet consoles."""

from __future__ import annotations

import io
import socket

import pytest
from rich.console import Console


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
