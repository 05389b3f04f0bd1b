"""Scheduled ingest deployments derived from the registry: one per (cadence, time zone) group.

Each source in sources.toml declares its own ``cadence`` (cron) and ``timezone``. Sources that
share both are polled by one scheduled deployment of the ``ingest`` flow (fewer runs, one
HTTP client and one DuckDB writer slot per tick). Both deployments/serve.py and the
prefect.yaml test read the grouping from here, so the schedules can never drift from the registry.
Pure: no Prefect, no I/O.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from govpress.registry import Registry

INGEST_PREFIX = "ingest"


@dataclass(frozen=True, slots=True)
class ScheduledIngest:
    """One scheduled ingest deployment: its name, when it runs, and which sources it polls."""

    name: str
    cron: str
    timezone: str
    source_ids: tuple[str, ...]


_EVERY_N_MINUTES = re.compile(r"^\*/(\d+) \* \* \* \*$")
_HOURLY_AT = re.compile(r"^(\d+) \* \* \* \*$")
_EVERY_N_HOURS = re.compile(r"^(\d+) \*/(\d+) \* \* \*$")
_DAILY_AT = re.compile(r"^(\d+) (\d+) \* \* \*$")


def normalise_cron(cron: str) -> str:
    """Whitespace-normalised cron (``'0  * * * *'`` and ``'0 * * * *'`` are the same schedule)."""
    return " ".join(cron.split())


def describe_cron(cron: str) -> str:
    """A short slug for a cron expression, readable in deployment names.

    ``*/30 * * * *`` -> ``every-30min``, ``0 * * * *`` -> ``hourly``, ``15 * * * *`` -> ``hourly-at-15``,
    ``0 */6 * * *`` -> ``every-6h``, ``30 4 * * *`` -> ``daily-0430``; anything else spells its
    fields out (``0 9 * * 1-5`` -> ``cron-0-9-x-x-1-5``).
    """
    cron = normalise_cron(cron)
    if m := _EVERY_N_MINUTES.match(cron):
        return f"every-{int(m[1])}min"
    if m := _HOURLY_AT.match(cron):
        return "hourly" if int(m[1]) == 0 else f"hourly-at-{int(m[1]):02d}"
    if m := _EVERY_N_HOURS.match(cron):
        suffix = "" if int(m[1]) == 0 else f"-at-{int(m[1]):02d}"
        return f"every-{int(m[2])}h{suffix}"
    if m := _DAILY_AT.match(cron):
        return f"daily-{int(m[2]):02d}{int(m[1]):02d}"
    spelled = cron.replace("*", "x").replace("/", "every").replace(",", "_").replace(" ", "-")
    return "cron-" + re.sub(r"[^a-z0-9_-]", "", spelled.lower())


def timezone_slug(timezone: str) -> str:
    """``Europe/Moscow`` -> ``europe-moscow``."""
    return re.sub(r"[^a-z0-9]+", "-", timezone.lower()).strip("-")


def scheduled_ingests(registry: Registry) -> list[ScheduledIngest]:
    """Group the enabled sources by (cadence, timezone); one deployment per group, sorted by name.

    Names are ``ingest-<cadence slug>-<zone slug>``; should two different crons ever produce the
    same slug, each gets a short hash of its cron and zone so that no group silently replaces another.
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source in registry.source:
        if source.enabled:
            groups[(normalise_cron(source.cadence), source.timezone)].append(source.id)

    named: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for cron, zone in groups:
        named[f"{INGEST_PREFIX}-{describe_cron(cron)}-{timezone_slug(zone)}"].append((cron, zone))

    result = []
    for name, keys in named.items():
        for cron, zone in keys:
            digest = hashlib.sha1(f"{cron}|{zone}".encode()).hexdigest()[:6]
            unique = name if len(keys) == 1 else f"{name}-{digest}"
            result.append(ScheduledIngest(unique, cron, zone, tuple(sorted(groups[(cron, zone)]))))
    return sorted(result, key=lambda s: s.name)


__all__ = ["ScheduledIngest", "describe_cron", "normalise_cron", "scheduled_ingests", "timezone_slug"]
