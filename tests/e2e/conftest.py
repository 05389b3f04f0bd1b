"""End-to-end fixtures: a Prefect API for the session, free ports, quiet consoles."""

from __future__ import annotations

import io

import pytest
from rich.console import Console


from factories import free_port


@pytest.fixture(scope="session")
def port_factory():
    """``port_factory()`` -> a free TCP port on 127.0.0.1."""
    return free_port


@pytest.fixture
def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=200)
