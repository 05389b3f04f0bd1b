"""A source's stored releases read on demand (govpress.known): what ``get`` answers, and that it answers without the
KeyError ``Mapping.get`` raises and catches for every link not held."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from govpress.known import HeldIdentities, KnownReleases
from govpress.store.rows import KnownRelease
from govpress.urls import identity, release_id

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _release(url: str, removed: bool = False) -> KnownRelease:
    return KnownRelease(release_id=release_id("s", url), canonical_url=url, content_hash="h", version=1,
                        published_at=T0, first_seen_at=T0, last_seen_at=T0, removed_at=T0 if removed else None,
                        archive_key=None, url=url)


def _known() -> tuple[KnownReleases, dict[str, KnownRelease]]:
    held = {r.release_id: r for r in (_release("https://a.gov/news/1"), _release("https://a.gov/news/2", removed=True))}
    known = KnownReleases("s", lambda: dict(held),
                          lambda ids: {i: r for i, r in held.items() if i in ids})
    return known, held


def test_get_answers_as_the_mapping_does_read_by_point_or_whole() -> None:
    known, _ = _known()
    one, gone, missing = identity("https://a.gov/news/1"), identity("https://a.gov/news/2"), "/news/3"
    assert known.get(one).url == "https://a.gov/news/1"
    assert known.get(missing) is None and known.get(missing, "x") == "x"
    assert known.get(gone).removed_at is not None
    assert missing not in known and one in known and 5 not in known
    held = HeldIdentities(known)
    assert [k in held for k in (one, gone, missing)] == [True, False, False]  # a withdrawn release is not held
    assert known.queries == 3 and not known.loaded  # one point read each, the misses remembered
    assert known.get(missing) is None and known.queries == 3
    assert sorted(known) == sorted([one, gone]) and known.loaded
    assert known.get(one).url == "https://a.gov/news/1" and known.get(missing) is None and known.get(missing, 0) == 0
    with pytest.raises(KeyError):
        known[missing]
    with pytest.raises(TypeError):
        known.get([])  # an unhashable key fails as the mapping's does


def test_get_raises_and_catches_no_key_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run asks about each link three or four times, on a first run always "not held": ``get`` reads the answer
    itself instead of through ``__getitem__``'s KeyError (``Mapping.get``)."""
    known, _ = _known()

    def refuse(self: KnownReleases, key: str) -> KnownRelease:
        raise AssertionError("get went through __getitem__")

    monkeypatch.setattr(KnownReleases, "__getitem__", refuse)
    assert known.get("/news/3") is None
    assert "/news/3" not in known and "/news/3" not in HeldIdentities(known)
    assert known.get(identity("https://a.gov/news/1")) is not None
