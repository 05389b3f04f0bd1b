"""Polite HTTP: the :class:`Fetcher` and the pieces it is made of.

- ``client``: :class:`Fetcher`, the exchange loop (redirects hop by hop, attempts, the archive);
- ``netguard``: which URLs and addresses a source may reach;
- ``politeness``: per-host token bucket and concurrency, circuit breaker, robots.txt;
- ``decode``: the body decoded while streaming (gzip, deflate, brotli) within the size and bomb caps;
- ``classify``: pure, a response or an error in, an outcome out (``ok``, ``blocked``, ``gone``, ...);
- ``retry``: pure, which attempts are retried and after how long (the one backoff formula, Retry-After).

``Fetcher`` and ``FetchResult`` are imported on first use, so that ``govpress.fetch.retry`` (used by
the store) does not bring in httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govpress.fetch.client import Fetcher, FetchResult

__all__ = ["FetchResult", "Fetcher"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from govpress.fetch import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
