"""Polite HTTP: the :class:`Fetcher` and the pieces it is made of (address guard, politeness, response classes)."""

from govpress.fetch.client import Fetcher, FetchResult

__all__ = ["FetchResult", "Fetcher"]
