"""govpress/schedules.py: registry sources grouped by (cadence, time zone) into scheduled ingest deployments."""

from __future__ import annotations

import pytest

from govpress.registry import Registry, load_registry
from govpress.schedules import ScheduledIngest, describe_cron, normalise_cron, scheduled_ingests, timezone_slug


def source(id: str, cadence: str = "0 * * * *", timezone: str = "UTC", enabled: bool = True) -> dict:
    return {"id": id, "name": id, "country": "RU", "institution": "x", "languages": ["ru"], "kind": "feed",
            "start_urls": [f"https://{id}.example/feed"], "cadence": cadence, "timezone": timezone, "enabled": enabled}


def registry(*sources: dict) -> Registry:
    return Registry.model_validate({"source": list(sources)})


@pytest.mark.parametrize(("cron", "slug"), [
    ("*/30 * * * *", "every-30min"),
    ("*/5 * * * *", "every-5min"),
    ("0 * * * *", "hourly"),
    ("15 * * * *", "hourly-at-15"),
    ("0 */6 * * *", "every-6h"),
    ("20 */2 * * *", "every-2h-at-20"),
    ("30 4 * * *", "daily-0430"),
    ("0 6 * * *", "daily-0600"),
    ("0 9 * * 1-5", "cron-0-9-x-x-1-5"),
    ("0,30 8-18 * * *", "cron-0_30-8-18-x-x-x"),
    ("  0   *  * * * ", "hourly"),
])
def test_describe_cron(cron, slug):
    assert describe_cron(cron) == slug


def test_timezone_slug():
    assert timezone_slug("Europe/Moscow") == "europe-moscow"
    assert timezone_slug("America/Argentina/Buenos_Aires") == "america-argentina-buenos-aires"
    assert timezone_slug("UTC") == "utc"


def test_sources_sharing_cadence_and_zone_share_one_deployment():
    groups = scheduled_ingests(registry(
        source("b", "*/30 * * * *", "Europe/Moscow"),
        source("a", "*/30  * * * *", "Europe/Moscow"),  # same cron, other spacing
        source("c", "0 * * * *", "Europe/Moscow"),
        source("d", "0 * * * *", "Europe/Minsk"),
    ))
    assert groups == [
        ScheduledIngest("ingest-every-30min-europe-moscow", "*/30 * * * *", "Europe/Moscow", ("a", "b")),
        ScheduledIngest("ingest-hourly-europe-minsk", "0 * * * *", "Europe/Minsk", ("d",)),
        ScheduledIngest("ingest-hourly-europe-moscow", "0 * * * *", "Europe/Moscow", ("c",)),
    ]


def test_disabled_sources_are_not_scheduled():
    groups = scheduled_ingests(registry(source("on"), source("off", "*/5 * * * *", enabled=False)))
    assert [g.source_ids for g in groups] == [("on",)]
    assert scheduled_ingests(registry(source("off", enabled=False))) == []


def test_colliding_slugs_get_distinct_names():
    # Two zones whose slugs collide: both groups survive, under different names.
    groups = scheduled_ingests(registry(source("x", timezone="Etc/GMT+1"), source("y", timezone="Etc/GMT-1")))
    assert len({g.name for g in groups}) == 2
    assert sorted(g.source_ids for g in groups) == [("x",), ("y",)]


def test_every_source_of_the_project_registry_is_scheduled_exactly_once():
    reg = load_registry()
    groups = scheduled_ingests(reg)
    scheduled = [sid for g in groups for sid in g.source_ids]
    assert sorted(scheduled) == sorted(s.id for s in reg.source if s.enabled)
    for g in groups:
        for sid in g.source_ids:
            s = reg.get(sid)
            assert (normalise_cron(s.cadence), s.timezone) == (g.cron, g.timezone)
    assert len({g.name for g in groups}) == len(groups)
