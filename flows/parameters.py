"""The typed parameters of the flows: what the Prefect UI turns into form fields, and what the server refuses.

Prefect builds each deployment's form from the flow's type hints, and the server checks a run's
parameters against that JSON schema before the run exists (the form shows the messages under
the fields). The server runs JSON Schema only, never our Python, so everything that must be
refused before a run is expressed in the schema:

- ``sources`` / ``source``: the registry's ids as an enum (``list[...]`` of an enum is a
  multi-select in the form), with one line per id in the field's help. The served deployments
  carry the ids of the registry they serve (:func:`apply_registry_choices`); the flows' own
  schema (``prefect deploy``) carries the project registry's (:class:`RegistryIds`).
- ``dates``: a model (:class:`DateRange`) whose two days are checked together: in Python by a
  model validator (runs started from Python, the CLI) and in the schema by an ``if``/``then``
  that compares the two ISO dates digit by digit (:func:`reversed_range_schema`), so a reversed
  range is refused in the form with "is not one of ['a day on or after since']" under ``until``.
- Bounds are plain integers with a default, never ``Optional``: an optional number becomes
  ``anyOf [integer, null]`` and a bad value only says "is not valid under any of the given schemas".

The UI's form keeps only some keywords of a property when it asks the server to check the values
before Submit (``minimum``/``maximum``, ``uniqueItems`` and ``if``/``then`` are dropped, ``allOf``
is kept whole), so every check is also repeated inside ``allOf`` (:func:`form_checked`): the
messages then show under the fields, not only in a toast once the server refuses the run.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Optional
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

log = logging.getLogger("govpress.flows.parameters")

UNTIL_RULE = "a day on or after since"
"""What the form says under ``until`` when the range runs backwards."""


# --- the source ids, from the registry ------------------------------------------------------------


def source_lines(sources: list[Any]) -> str:
    """One markdown line per source (id, name, languages) for the field's help text.

    Blank lines between items: the UI joins single newlines into one paragraph.
    """
    return "\n\n".join(
        f"- `{s.id}`: {s.name} ({', '.join(s.languages)}){'' if s.enabled else ', disabled'}" for s in sources
    )


def apply_registry_choices(properties: dict, sources: list[Any]) -> dict:
    """The served registry's ids as the choices of ``sources`` (multi-select) and ``source`` (select).

    ``properties``: a deployment's parameter schema properties; changed in place and returned.
    Properties the flow does not have are left alone.
    """
    ids = [s.id for s in sources]
    lines = source_lines(sources)
    if "sources" in properties:
        spec = properties["sources"]
        spec["items"] = {"type": "string", "enum": ids}
        spec["uniqueItems"] = True
        spec["description"] = f"{SOURCES_HELP}\n\n{lines}"
        form_checked(spec)
    if "source" in properties:
        spec = properties["source"]
        spec.pop("pattern", None)
        spec["enum"] = ids
        spec["description"] = f"{SOURCE_HELP}\n\n{lines}"
        form_checked(spec)
    return properties


@cache
def _default_registry_ids(path: Path) -> tuple[str, ...]:
    from govpress.registry import load_registry

    return tuple(s.id for s in load_registry(path).source)


class RegistryIds:
    """Schema hook: the project registry's ids as the enum of a source parameter (``prefect deploy``'s forms).

    The served deployments replace them with their own registry's (:func:`apply_registry_choices`).
    A registry that does not load leaves the field free text: the run then names the unknown id.
    """

    def __init__(self, many: bool) -> None:
        self.many = many

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        from govpress.registry import DEFAULT_SOURCES_FILE

        try:
            ids = list(_default_registry_ids(Path(DEFAULT_SOURCES_FILE)))
        except Exception as exc:  # noqa: BLE001 - a broken registry must not break importing the flows
            log.debug("no source choices in the form: %s", exc)
            return schema
        if self.many:
            schema["items"] = {"type": "string", "enum": ids}
            schema["uniqueItems"] = True
        else:
            schema.pop("pattern", None)
            schema["enum"] = ids
        return form_checked(schema)


class FormChecked:
    """Schema hook: repeat a field's bounds inside ``allOf``, where the UI's form keeps them.

    Prefect's form copies only some keywords of a property before asking the server to check
    the values (``minimum``, ``maximum``, ``uniqueItems``, ``if``/``then`` are dropped; ``allOf``
    is kept whole), so a bound checked only at the top level shows as a toast after Submit
    instead of under the field. The top-level keywords stay for every other client.
    """

    KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
                "uniqueItems", "enum")

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        return form_checked(schema)


def form_checked(schema: dict) -> dict:
    """``schema`` with its bounds (and enum) repeated in an ``allOf`` entry (see :class:`FormChecked`)."""
    checks = {k: schema[k] for k in FormChecked.KEYWORDS if k in schema}
    if checks:
        schema["allOf"] = [*(c for c in schema.get("allOf", []) if not set(c) <= set(FormChecked.KEYWORDS)), checks]
    return schema


SOURCES_HELP = "Sources to run (pick any); none picked: every enabled source of the registry."
SOURCE_HELP = "The one source to collect."

SourceIds = Annotated[list[str], Field(description=SOURCES_HELP), RegistryIds(many=True)]
SourceId = Annotated[
    str, Field(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64, description=SOURCE_HELP), RegistryIds(many=False)
]


# --- the date range, checked as a whole -----------------------------------------------------------

_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9)
"""Positions of the digits in YYYY-MM-DD; ISO dates compare as their digit strings do."""


def _both(position: int, since: str, until: str) -> dict:
    """Since's digit at ``position`` is in the class ``since``, until's in ``until``."""
    return {"properties": {"since": {"pattern": f"^.{{{position}}}[{since}]"},
                           "until": {"pattern": f"^.{{{position}}}[{until}]"}}}


def _later_from(k: int) -> dict:
    """Since's date is later than until's, their digits before the k-th being equal.

    A decision chain (``if`` equal here ``then`` look further ``else`` greater here): the server
    evaluates ``if`` and each branch only until it knows the answer, where ``anyOf`` would gather
    the errors of every branch (bench/bench_forms.py measures both).
    """
    position = _DIGITS[k]
    greater = {"anyOf": [_both(position, str(d), f"0-{d - 1}") for d in range(1, 10)]}
    if k == len(_DIGITS) - 1:
        return greater
    equal = {"anyOf": [_both(position, str(d), str(d)) for d in range(10)]}
    return {"if": equal, "then": _later_from(k + 1), "else": greater}


@cache
def reversed_range_schema() -> dict:
    """JSON Schema ``if``/``then``: when both days are given and since is later, refuse ``until``.

    JSON Schema cannot compare two fields, but it can compare two fixed-width digit strings one
    position at a time: since > until when some digit is greater and every digit before it equal
    (8 positions, 10 digit classes: ~12 KB of schema; bench/bench_forms.py measures the check).
    """
    condition = {"required": ["since", "until"],
                 "properties": {"since": {"type": "string"}, "until": {"type": "string"}},
                 "allOf": [_later_from(0)]}
    return {"if": condition, "then": {"properties": {"until": {"enum": [UNTIL_RULE]}}}}


def _refuse_reversed(schema: dict[str, Any], model: type) -> None:
    schema["allOf"] = [reversed_range_schema()]  # inside allOf: the form keeps it (see the module's docstring)


class DateRange(BaseModel):
    """Publication days to collect, both inclusive; either may be left empty (open-ended)."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=_refuse_reversed,
                              title="DateRange")

    since: Optional[date] = Field(None, description="First publication day (inclusive); empty: no lower bound.")
    until: Optional[date] = Field(None, description="Last publication day (inclusive); empty: today.")

    @model_validator(mode="after")
    def _forwards(self) -> "DateRange":
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}: until must be {UNTIL_RULE}")
        return self

    def label(self) -> str:
        """``2024-10-01..2024-10-03`` (an open end stays empty); "" when neither day is given."""
        if not (self.since or self.until):
            return ""
        return f"{self.since or ''}..{self.until or ''}"


class RequiredDateRange(DateRange):
    """Both days of a backfill, inclusive."""

    model_config = ConfigDict(title="RequiredDateRange")

    since: date = Field(description="First publication day (inclusive).")
    until: date = Field(description="Last publication day (inclusive).")


def date_range(value: Any) -> DateRange:
    """A ``dates`` parameter as given (model, dict from the API, None) as a :class:`DateRange`."""
    if isinstance(value, DateRange):
        return value
    return DateRange.model_validate(value or {})


Dates = Annotated[DateRange, Field(description="Publication days to collect: since and until, both inclusive, "
                                               "either may stay empty. Until must be on or after since.")]
BackfillDates = Annotated[RequiredDateRange, Field(description="Publication days to collect: since and until, both "
                                                               "inclusive. Until must be on or after since.")]


# --- bounds and the rest ---------------------------------------------------------------------------

MaxPages = Annotated[
    int, Field(ge=0, le=10_000, description="Discovery pages (feed or listing pages) per source at most; "
                                            "0 uses each source's max_pages from the registry."), FormChecked()
]
GapPages = Annotated[
    int, Field(ge=0, le=1_000, description="Extra discovery pages per source this run may spend filling a gap in "
                                           "its coverage (older releases below what is held); 0: none."), FormChecked()
]
DeepPages = Annotated[
    int, Field(ge=1, le=100_000, description="Discovery pages (feed, sitemap or listing pages) to walk at most."),
    FormChecked(),
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
SharedHostLimits = Annotated[bool, Field(description=(
    "Share each host's politeness limits with the other workers through Prefect's global concurrency "
    "limits govpress-host:<host> (docs/scale.md); on in the lake deployments, off for the DuckDB file."))]
RefetchHeld = Annotated[bool, Field(description="Refetch releases already held even if unchanged.")]
FlowRunId = Annotated[
    UUID, Field(description="The flow run to repeat for its failed and unfinished sources: the id at the end of "
                            "its page's address (…/runs/flow-run/<id>).")
]
