"""A small constructed corpus with something for every report section: copies, edits, a removal, translations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from analysis_factories import add_sources, fetch, load, outcome, release, run

from govpress.registry import Source
from govpress.store import RemovalRow, Store
from factories import make_source

UTC = timezone.utc
UNTIL = datetime(2024, 3, 31, tzinfo=UTC).date()
SYNDICATED = ("The Prime Minister met the delegation of the partner country in the capital and discussed trade, "
              "energy, transport and the joint projects in industry and agriculture planned for the coming years. "
              "Both sides noted the growth of mutual trade last year and agreed to prepare a road map of cooperation "
              "in machine building, food security and education, to be signed at the next meeting of the commission. "
              "The delegation also visited a tractor plant and a research centre of the academy of sciences.")


def fill(store: Store) -> Store:
    add_sources(store, ("agency_en", "Europe/Minsk", "0 * * * *"), ("minfin", "Europe/Moscow", "*/30 * * * *"))
    store.upsert_sources([
        make_source(id="site_ru", name="Site ru", timezone="Europe/Moscow", group="site", languages=["ru"],
                    start_urls=["https://gov.example/site_ru/rss"]),
        make_source(id="site_en", name="Site en", timezone="Europe/Moscow", group="site", languages=["en"],
                    start_urls=["https://gov.example/site_en/rss"]),
    ], "run-sources")
    t = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)
    load(store, "minfin", *(release(f"m{i}", f"Budget item {i}: the ministry reported on spending and revenue.",
                                    source_id="minfin", language="en", published_at=t + timedelta(days=i))
                            for i in range(10)),
         release("orig", SYNDICATED, title="Talks on trade", source_id="minfin", language="en", published_at=t),
         fetches=[fetch("f-m", source_id="minfin", started_at=t)])
    # agency_en reprints minfin's release 5 hours later, word for word plus a dateline: a near copy
    load(store, "agency_en", release("copy", "MINSK, 4 March (Agency) - " + SYNDICATED, title="Talks on trade",
                                     source_id="agency_en", language="en", published_at=t + timedelta(hours=5)))
    load(store, "site_ru", release("s1", "Визит в Баку.", source_id="site_ru", published_at=t, translation_key="site:1"),
         release("s2", "Встреча.", source_id="site_ru", published_at=t + timedelta(days=1), translation_key="site:2"))
    load(store, "site_en", release("e1", "A visit to Baku.", source_id="site_en", language="en", published_at=t,
                                   translation_key="site:1"))
    # an edit of m1 and the removal of m2, both seen in the window
    load(store, "minfin", release("m1", "Budget item 1, corrected.", source_id="minfin", language="en",
                                  published_at=t + timedelta(days=1), seen_at=t + timedelta(days=3)),
         removals=[RemovalRow(release_id="m2", url="https://gov.example/minfin/m2", status=404,
                              detected_at=t + timedelta(days=4))])
    now = datetime.now(UTC)
    run(store, "run-a", now - timedelta(hours=2), outcome("minfin"), outcome("agency_en", "failed", "HTTP 503 on the feed"))
    return store
