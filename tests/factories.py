"""Factories every test folder shares: one way to build a :class:`Source`, one free loopback port."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from govpress.registry import Source


def make_source(**overrides: Any) -> Source:
    """A valid registry entry (a Russian ministry's feed); any field can be overridden."""
    fields: dict[str, Any] = dict(
        id="test_src",
        name="Test source",
        country="RU",
        institution="Test ministry",
        languages=["ru"],
        kind="feed",
        start_urls=["https://news.example.gov/feed"],
        rate_limit=100.0,
        concurrency=4,
    )
    fields.update(overrides)
    return Source(**fields)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_registry(path: Path, base_url: str) -> Path:
    """The demo's generated editions at ``base_url`` as a registry file (the local-files seed source left out)."""
    from govpress.demo.reliability import DEMO_TEMPLATE

    text = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url)
    blocks = text.split("[[source]]")
    kept = [b for b in blocks[1:] if 'kind = "files"' not in b]
    path.write_text('user_agent = "govpress-test/1.0"\n\n' + "".join("[[source]]" + b for b in kept),
                    encoding="utf-8")
    return path
