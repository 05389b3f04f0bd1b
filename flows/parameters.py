"""The typed parameters of the flows: what the Prefect UI turns into form fields (descriptions, bounds, pickers).

Prefect builds each deployment's form from the flow's type hints: ``Optional[date]`` is a date
picker, ``Field(ge=..., le=...)`` bounds a number box and is checked by the server before a run
exists, the description is the field's help text.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import Field

SourceIds = Annotated[
    Optional[list[str]],
    Field(description="Source ids from the registry, e.g. [\"kremlin_ru\"]; empty means every enabled source."),
]
SourceId = Annotated[
    str,
    Field(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64,
          description="One source id from the registry, e.g. kremlin_ru."),
]
Since = Annotated[Optional[date], Field(description="First publication day to collect (inclusive). Discovery stops paging before it.")]
Until = Annotated[Optional[date], Field(description="Last publication day to collect (inclusive).")]
RequiredSince = Annotated[date, Field(description="First publication day to collect (inclusive).")]
RequiredUntil = Annotated[date, Field(description="Last publication day to collect (inclusive).")]
MaxPages = Annotated[
    Optional[int], Field(ge=1, le=10_000, description="Discovery pages (feed/listing pages) per source at most; empty: the registry's max_pages.")
]
DeepPages = Annotated[
    int,
    Field(ge=1, le=100_000, description="Discovery pages (feed, sitemap or listing pages) to walk at most."),
]
Refetch = Annotated[bool, Field(description="Refetch every discovered release even if unchanged (ignores ETags and the recheck schedule).")]
ParserName = Annotated[
    Optional[str], Field(description="Parse with this parser instead of each source's own (e.g. after adding a site parser).")
]
DbPath = Annotated[Optional[str], Field(description="DuckDB file; empty: data/govpress.duckdb or $GOVPRESS_DB.")]
SourcesFile = Annotated[Optional[str], Field(description="Registry file; empty: the project's sources.toml.")]
PublishSteps = Annotated[
    Literal["index and snapshot", "snapshot only", "index only"],
    Field(description="Rebuild the full-text index, publish the analysts' snapshot, or both (in that order)."),
]
SnapshotPath = Annotated[
    Optional[str],
    Field(description="Where the read-only snapshot goes; empty means <db>.snapshot.duckdb beside the database."),
]
RefetchHeld = Annotated[bool, Field(description="Refetch releases already held even if unchanged.")]
