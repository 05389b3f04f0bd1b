"""Dedupe, first level: stable ids from canonical URLs, content hashes of normalised text, one row per release per batch.

Exact duplicates across URLs and versions of edited releases are decided in the load
transaction against what is stored (govpress.store.load); this module prepares the keys.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from govpress.dedupe.versions import text_hash
from govpress.urls import canonical_url, release_id
from govpress.parsers import Release
from govpress.parsers.text import fold_for_hash

if TYPE_CHECKING:  # the parse workers import this module: not the store (DuckDB, Arrow) nor the registry
    from govpress.registry import Source
    from govpress.store.rows import ReleaseRow


def content_hash(release: Release) -> str:
    """Hash of the normalised visible text (title, subtitle, lead, body): cosmetic changes fold away."""
    return _folded_hash(_folded_parts(release))


def _folded_parts(release: Release) -> list[str]:
    """The hash folds of the title, subtitle, lead and body (:func:`govpress.parsers.text.fold_for_hash`; "" for none)."""
    return [fold_for_hash(part or "") for part in (release.title, release.subtitle, release.lead, release.body_text)]


def _folded_hash(folded: list[str]) -> str:
    """:func:`content_hash` of the parts' folds."""
    return hashlib.sha256("\x1f".join(folded).encode("utf-8")).hexdigest()[:32]


def translation_key(release: Release, source: Source) -> str | None:
    """The parser's key, else one read off the URL by the source's ``translation_key_pattern``."""
    if release.translation_key:
        return release.translation_key
    if source.translation_key_pattern:
        match = re.search(source.translation_key_pattern, release.url)
        if match:
            return f"{source.group or source.id}:{match.group(1) if match.groups() else match.group(0)}"
    return None


def release_row(release: Release, source: Source, *, url: str, archive_key: str | None, seen_at: datetime,
                keys: "TextKeys | None" = None) -> ReleaseRow:
    """The load row for one parsed release; ``url`` is the URL it was discovered under (its identity).

    ``keys``: the content hash, MinHash signature and names when a parse worker already computed them.
    """
    from govpress.store.rows import ReleaseRow  # here, not at the top: see the imports

    canonical = canonical_url(url)
    return ReleaseRow(
        release_id=release_id(source.id, url),
        source_id=source.id,
        url=url,
        canonical_url=canonical,
        language=release.language,
        title=release.title,
        subtitle=release.subtitle,
        lead=release.lead,
        body_text=release.body_text,
        published_at=release.published_at,
        published_precision=release.published_precision,
        published_offset_stated=release.published_offset_stated,
        updated_at=release.updated_at,
        place=release.place,
        tags=list(release.tags),
        kind=release.kind,
        translation_key=translation_key(release, source),
        content_hash=keys.content_hash if keys else content_hash(release),
        parser=release.parser,
        parser_version=release.parser_version,
        archive_key=archive_key,
        seen_at=seen_at,
        minhash=keys.minhash if keys else None,
        names=keys.names if keys else None,
        text_hash=keys.text_hash if keys else None,
    )


@dataclass(frozen=True, slots=True)
class TextKeys:
    """What dedupe needs of a release's text, computed where it was parsed (a worker process)."""

    content_hash: str
    minhash: Any
    """MinHash signature (uint64 array; empty for short texts), under :data:`govpress.dedupe.neardup.SCHEME`."""
    names: dict[str, str] | None = None
    """Name key -> form, for same-event matching (:func:`govpress.dedupe.names.release_names`)."""
    text_hash: str | None = None
    """Hash of the exact text (:func:`govpress.dedupe.versions.text_hash`), which the load stores and compares."""


def text_keys(release: Release) -> TextKeys:
    """The content hash, the exact text hash, the MinHash signature and the names of a parsed release."""
    return texts_keys([release])[0]


def texts_keys(releases: Sequence[Release]) -> list[TextKeys]:
    """:func:`text_keys` of each release, in order, a step at a time over all of them: the folds and signatures, then
    the names. Each step's working set (the word hashes and NumPy blocks; the name patterns and keys) stays in the
    CPU's caches from one release to the next: a parse worker's chunk of 22 pages took 171 us a page keyed one by
    one, 154 so (bench/results.md, perf-worker27). Each release's keys read nothing of another's."""
    from govpress.dedupe import names, neardup

    folds = [_folded_parts(release) for release in releases]
    signatures = [neardup.words_signature(_words(release, folded)) for release, folded in zip(releases, folds)]
    found = [names.release_names((release.title, release.subtitle, release.lead), release.body_text)
             for release in releases]
    return [TextKeys(content_hash=_folded_hash(folded), minhash=signature, names=names_found,
                     text_hash=text_hash(release))
            for release, folded, signature, names_found in zip(releases, folds, signatures, found, strict=True)]


def _words(release: Release, folded: list[str]) -> list[str]:
    """The MinHash's words of a release whose parts' folds are ``folded``."""
    from govpress.dedupe import neardup

    # The MinHash's words from the content hash's fold: one NFC and case fold of the text for both
    words = neardup.folded_words(" ".join(folded))
    if words is None:  # (an apostrophe, which might have been a letter before the fold)
        words = neardup.words(neardup.release_text(release.title, release.subtitle, release.lead, release.body_text))
    return words


def dedupe_rows(rows: list[ReleaseRow]) -> list[ReleaseRow]:
    """One row per release_id, the last seen winning (DuckDB's ON CONFLICT would keep the first silently)."""
    latest: dict[str, ReleaseRow] = {}
    for row in rows:
        current = latest.get(row.release_id)
        if current is None or (row.seen_at, row.archive_key or "") >= (current.seen_at, current.archive_key or ""):
            latest[row.release_id] = row
    return list(latest.values())
