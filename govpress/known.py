"""A source's stored releases as a run sees them: read by the links it meets, never all at once unless asked.

A quiet scheduled run must cost the same over a thousand or a million archived releases, so the
pipeline never loads a source's whole archive to plan a run. :class:`KnownReleases` is a mapping by
identity (govpress.urls.identity) that reads what it is asked about: :meth:`KnownReleases.fetch_keys`
reads the releases of a page of links in one query (by release id, which is a hash of the source
and the identity), a single lookup reads one. Only iterating it (removal checks over a complete
sitemap or file set, which list everything anyway) reads the whole archive. Rechecks by age read
their bounded candidates separately (govpress.store.load.recheck_candidates).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping

from govpress.store.rows import KnownRelease
from govpress.urls import identity, release_id_of_identity


def by_identity(rows: dict[str, KnownRelease]) -> dict[str, KnownRelease]:
    """Releases as the store keys them, keyed by identity instead (what planning looks them up by)."""
    return {identity(k.url or k.canonical_url): k for k in rows.values()}


class KnownReleases(Mapping[str, KnownRelease]):
    """A source's stored releases by identity, read on demand (see the module docstring).

    ``load_all()`` returns every release of the source and ``load_ids(ids)`` those among the release
    ids, both keyed as the store keys them (any key: they are re-keyed here by identity).
    ``reads_store=False``: neither reads the store (a source holding no release yet), so a caller that hands
    the reads to a thread, lest they wait on another source's load, may make them in place.
    """

    def __init__(self, source_id: str, load_all: Callable[[], dict[str, KnownRelease]],
                 load_ids: Callable[[list[str]], dict[str, KnownRelease]], *, reads_store: bool = True) -> None:
        self.reads_store = reads_store
        self._source_id = source_id
        self._load_all = load_all
        self._load_ids = load_ids
        self._asked: dict[str, KnownRelease | None] = {}
        self._all: dict[str, KnownRelease] | None = None
        self.queries = 0
        """Reads made so far (tests and the quiet-run bench look at it)."""

    @property
    def loaded(self) -> bool:
        """Whether the whole archive has been read (only iteration does that)."""
        return self._all is not None

    def fetch_keys(self, keys: Iterable[str]) -> None:
        """Read the releases of these identities that were not asked about yet, in one query."""
        if self._all is not None:
            return
        wanted = {k for k in keys if k not in self._asked}
        if not wanted:
            return
        ids = [release_id_of_identity(self._source_id, k) for k in wanted]
        self.queries += 1
        rows = self._load_ids(ids)
        self._asked.update(dict.fromkeys(wanted))
        self._asked.update(by_identity(rows))

    def _everything(self) -> dict[str, KnownRelease]:
        if self._all is None:
            self.queries += 1
            self._all = by_identity(self._load_all())
        return self._all

    def __getitem__(self, key: str) -> KnownRelease:
        if self._all is not None:
            return self._all[key]
        if key not in self._asked:
            self.fetch_keys([key])
        found = self._asked.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: str, default: KnownRelease | None = None) -> KnownRelease | None:  # type: ignore[override]
        """``Mapping.get`` without its KeyError: a run asks about each link it meets three or four times (the walk,
        the plan, the listing rows), and on a first run every answer is "not held" (a raised and caught KeyError
        each, ~1 us)."""
        if self._all is not None:
            return self._all.get(key, default)
        if key not in self._asked:
            self.fetch_keys([key])
        found = self._asked.get(key)
        return default if found is None else found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


class HeldIdentities:
    """The identities of held (not removed) releases, as discovery's ``known`` set, read page by page."""

    def __init__(self, known: KnownReleases) -> None:
        self.known = known
        self.reads_store = known.reads_store

    def prefetch(self, keys: Iterable[str]) -> None:
        """Discovery announces a page's links before testing them one by one: one query for the page."""
        self.known.fetch_keys(keys)

    def __contains__(self, key: object) -> bool:
        held = self.known.get(key) if isinstance(key, str) else None
        return held is not None and held.removed_at is None


async def read_held(read: Callable[[list[str]], None], keys: list[str], *, reads_store: bool) -> None:
    """``read(keys)`` (a held-release read: :meth:`KnownReleases.fetch_keys`, :meth:`HeldIdentities.prefetch`) without
    stalling the event loop: a store query goes to a thread, since it waits while another source's batch loads; a
    read of no store (a first run's) is made in place, each thread hop costing the loop ~60 us of CPU, and the
    loop's other tasks still go first, as while a hop ran (bench/results.md, perf-pipe27)."""
    if reads_store:
        await asyncio.to_thread(read, keys)
    else:
        read(keys)
        await asyncio.sleep(0)
