"""Syndication and same-event links through the real load path: a constructed event set, and the real seed undated.

The pages (tests/fixtures/events, written for these tests) tell the seed's event, Asadov's visit
to Minsk on 2 October 2024: the Belarusian government's release in Russian and English (one
publisher, two editions), a verbatim copy on a news agency, a German rewrite by another outlet,
an unrelated release of the agency the same day, and later a silent edit of the official release.
Each page is parsed by the generic parser and loaded with ``Store.load_batch``, one batch per source.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from store_factories import duckdb_statements, release, table_rows
from testpaths import SEED, shared_file

from factories import make_source
from govpress.dedupe.keys import release_row, text_keys
from govpress.parsers import ParseContext, parse
from govpress.registry import Source
from govpress.store import LoadBatch, ReleaseRow, Store, load, load_fts, migrations
from govpress.urls import release_id

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "events"
SEEN = datetime(2024, 10, 2, 18, 0, tzinfo=timezone.utc)


def _source(source_id: str, institution: str, language: str, *, group: str | None = None) -> Source:
    return make_source(id=source_id, name=source_id, institution=institution, languages=[language], group=group,
                       start_urls=[f"https://{source_id}.example/feed"], timezone="Europe/Minsk",
                       translation_key_pattern=r"/news/(\d+)" if group else None)


GOV_RU = _source("gov_by_ru", "Council of Ministers of Belarus", "ru", group="gov_by")
GOV_EN = _source("gov_by_en", "Council of Ministers of Belarus", "en", group="gov_by")
AGENCY = _source("agency_ru", "News agency (constructed)", "ru")
OUTLET = _source("outlet_de", "German outlet (constructed)", "de")
SEED_FILES = _source("seed_files", "Local files", "ru")

PAGE_URLS = {  # page -> (source, URL it is published under)
    "gov_ru_visit.html": (GOV_RU, "https://gov.example/ru/news/4101"),
    "gov_ru_visit_edited.html": (GOV_RU, "https://gov.example/ru/news/4101"),
    "gov_en_visit.html": (GOV_EN, "https://gov.example/en/news/4101"),
    "agency_copy.html": (AGENCY, "https://agency.example/politics/asadov-in-minsk"),
    "agency_unrelated.html": (AGENCY, "https://agency.example/economy/world-bank-roads"),
    "outlet_de_rewrite.html": (OUTLET, "https://outlet.example/de/asadow-in-minsk"),
}
GOV_RU_ID, GOV_EN_ID, COPY_ID, UNRELATED_ID, REWRITE_ID = (
    release_id(s.id, u) for s, u in (PAGE_URLS[p] for p in (
        "gov_ru_visit.html", "gov_en_visit.html", "agency_copy.html", "agency_unrelated.html", "outlet_de_rewrite.html")))


def _row(page: str | Path, *, source: Source | None = None, url: str | None = None, seen_at: datetime = SEEN,
         parser: str = "generic") -> ReleaseRow:
    """One page parsed into the row the pipeline would load."""
    path = page if isinstance(page, Path) else PAGES / page
    if source is None:
        source, url = PAGE_URLS[str(page)]
    ctx = ParseContext(source_id=source.id, timezone=source.timezone, languages=tuple(source.languages),
                       fetched_at=seen_at)
    parsed = parse(path.read_bytes(), url, ctx, parser=parser)
    return release_row(parsed, source, url=url, archive_key=f"ak-{path.name}", seen_at=seen_at)


def _load(store: Store, run_id: str, page: str | Path, **kwargs) -> str:
    """Parse one page and load it as its source's batch; returns its release_id."""
    row = _row(page, **kwargs)
    store.load_batch(LoadBatch(run_id=run_id, source_id=row.source_id, releases=[row]))
    return row.release_id


def _links(store: Store, release: str) -> set[tuple[str, str]]:
    return set(table_rows(store, "SELECT kind, other_id FROM release_links WHERE release_id = ?", [release]))


def _events(store: Store, release: str) -> set[str]:
    return {o for (o,) in table_rows(store, "SELECT other_id FROM same_event_links WHERE release_id = ?", [release])}


@pytest.fixture
def event_set(store: Store) -> Store:
    """The five pages loaded, the copy BEFORE the official release it copies (load order must not decide)."""
    store.upsert_sources([GOV_RU, GOV_EN, AGENCY, OUTLET, SEED_FILES], "run-0")
    _load(store, "run-1", "agency_copy.html", seen_at=SEEN - timedelta(hours=2))
    _load(store, "run-1", "agency_unrelated.html")
    _load(store, "run-1", "outlet_de_rewrite.html")
    _load(store, "run-1", "gov_ru_visit.html")
    _load(store, "run-1", "gov_en_visit.html")
    return store


def test_the_copy_is_syndication_pointing_at_the_first_publisher(event_set: Store) -> None:
    assert table_rows(event_set, "SELECT release_id, other_id, score FROM release_links WHERE kind = 'syndication'") == [
        (COPY_ID, GOV_RU_ID, 1.0)]
    # The copy was stored first, so the exact level keeps it as the text's holder; the first PUBLISHER is still the government.
    assert ("exact_duplicate", COPY_ID) in _links(event_set, GOV_RU_ID)
    assert _events(event_set, COPY_ID) == {REWRITE_ID}  # the copy tells the event too, but is no event of its original


def test_the_rewrite_is_the_same_event_only_with_its_evidence(event_set: Store) -> None:
    assert _links(event_set, REWRITE_ID) == set()
    assert _events(event_set, REWRITE_ID) == {GOV_RU_ID, GOV_EN_ID, COPY_ID}
    [(names, keys, score, day, basis, other_day, other_basis)] = table_rows(
        event_set, """SELECT shared_names, shared_keys, score, event_day, day_basis, other_event_day, other_day_basis
                      FROM same_event_links WHERE release_id = ? AND other_id = ?""", [REWRITE_ID, GOV_RU_ID])
    assert {"Golowtschenko = Головченко", "Minsk = Минск"} <= set(names) and any(n.startswith("Asadow = ") for n in names)
    assert "hlcnk" in keys and len(keys) >= 3 and 0 < score <= 1
    assert (day, basis, other_day, other_basis) == (date(2024, 10, 2), "published", date(2024, 10, 2), "published")
    # Stored in both directions, the evidence read from the other side.
    [(back,)] = table_rows(event_set, "SELECT shared_names FROM same_event_links WHERE release_id = ? AND other_id = ?",
                           [GOV_RU_ID, REWRITE_ID])
    assert "Головченко = Golowtschenko" in back


def test_editions_of_one_publisher_are_translations_not_events(event_set: Store) -> None:
    assert _links(event_set, GOV_EN_ID) == {("translation", GOV_RU_ID)}
    assert ("translation", GOV_EN_ID) in _links(event_set, GOV_RU_ID)
    assert GOV_EN_ID not in _events(event_set, GOV_RU_ID)
    assert _events(event_set, GOV_EN_ID) == {REWRITE_ID}  # not the copy: a copy of its other edition


def test_the_unrelated_release_of_the_same_day_stays_alone(event_set: Store) -> None:
    assert _links(event_set, UNRELATED_ID) == set() and _events(event_set, UNRELATED_ID) == set()
    assert table_rows(event_set, "SELECT count(*) FROM same_event_links WHERE other_id = ?", [UNRELATED_ID]) == [(0,)]


def test_event_candidates_and_release_names_read_the_materialised_links(event_set: Store) -> None:
    rows = table_rows(event_set, """SELECT other_source_id, other_language, day_basis FROM event_candidates
                                     WHERE release_id = ? ORDER BY 1""", [REWRITE_ID])
    assert rows == [("agency_ru", "ru", "published"), ("gov_by_en", "en", "published"), ("gov_by_ru", "ru", "published")]
    [(names,)] = table_rows(event_set, "SELECT names FROM release_names WHERE release_id = ?", [GOV_EN_ID])
    assert {"hlcnk", "asd", "mnsk"} <= set(names)


def test_a_silent_edit_is_a_version_with_its_diff_and_the_links_follow(event_set: Store) -> None:
    before = table_rows(event_set, "SELECT count(*) FROM same_event_links")
    _load(event_set, "run-2", "gov_ru_visit_edited.html", seen_at=SEEN + timedelta(days=1))
    assert table_rows(event_set, """SELECT version, title_before = title_after, paragraphs_added, paragraphs_removed,
                                           paragraphs_changed, trivial FROM release_history
                                    WHERE release_id = ? ORDER BY version""", [GOV_RU_ID]) == [
        (1, None, None, None, None, False), (2, True, 0, 0, 1, False)]
    # Still a near copy of the edited original: still syndication, now scored below 1.
    [(other, score)] = table_rows(event_set, "SELECT other_id, score FROM release_links WHERE kind = 'syndication'")
    assert other == GOV_RU_ID and 0.8 <= score < 1.0
    assert table_rows(event_set, "SELECT count(*) FROM same_event_links") == before
    assert REWRITE_ID in _events(event_set, GOV_RU_ID)


def test_loading_the_set_again_changes_nothing(event_set: Store) -> None:
    checksum = event_set.checksum()
    links = table_rows(event_set, "SELECT * FROM same_event_links ORDER BY ALL")
    for page in ("agency_copy.html", "outlet_de_rewrite.html", "gov_ru_visit.html", "gov_en_visit.html"):
        _load(event_set, "run-3", page)
    assert event_set.checksum() == checksum
    # Not even rewritten (run_id names the run that last changed a link): deleting and re-inserting the
    # same keys by the thousand in one transaction crashed DuckDB 1.5.5 at commit (test_edit_crash.py).
    assert table_rows(event_set, "SELECT * FROM same_event_links ORDER BY ALL") == links


def _load_seed(store: Store, seen_at: datetime) -> str:
    seed = shared_file(str(SEED.relative_to(SEED.parents[1])))
    return _load(store, "run-seed", seed, source=SEED_FILES, url="file:///seed/000_3a8856661ff0840b.txt",
                 seen_at=seen_at, parser="document")


def test_the_real_seed_takes_part_undated_through_its_fetch_day(event_set: Store) -> None:
    seed_id = _load_seed(event_set, SEEN)
    assert table_rows(event_set, "SELECT published_at FROM releases WHERE release_id = ?", [seed_id]) == [(None,)]
    assert table_rows(event_set, "SELECT event_day, day_basis FROM release_event_keys WHERE release_id = ?",
                      [seed_id]) == [(date(2024, 10, 2), "fetched")]
    assert {GOV_RU_ID, GOV_EN_ID, REWRITE_ID, COPY_ID} <= _events(event_set, seed_id)
    assert UNRELATED_ID not in _events(event_set, seed_id)
    [(names, basis)] = table_rows(event_set, """SELECT shared_names, day_basis FROM same_event_links
                                                WHERE release_id = ? AND other_id = ?""", [seed_id, REWRITE_ID])
    assert basis == "fetched" and "Головченко = Golowtschenko" in names


def test_the_real_seed_takes_its_nearest_dated_neighbours_day(event_set: Store) -> None:
    neighbour = release("seed-neighbour", "Другой документ той же папки.", title="Заседание в Минске",
                        source_id="seed_files", published_at=datetime(2024, 10, 3, 7, 0, tzinfo=timezone.utc),
                        seen_at=SEEN + timedelta(days=5))
    event_set.load_batch(LoadBatch(run_id="run-seed", source_id="seed_files", releases=[neighbour]))
    seed_id = _load_seed(event_set, SEEN + timedelta(days=5))  # fetched days later: the fetch day would miss the event
    assert table_rows(event_set, "SELECT event_day, day_basis FROM release_event_keys WHERE release_id = ?",
                      [seed_id]) == [(date(2024, 10, 3), "neighbour")]
    assert table_rows(event_set, "SELECT event_day, day_basis, other_day_basis FROM same_event_links "
                                 "WHERE release_id = ? AND other_id = ?", [seed_id, GOV_RU_ID]) == [
        (date(2024, 10, 3), "neighbour", "published")]


def test_a_seed_dated_by_its_fetch_day_takes_its_neighbours_day_when_one_arrives(event_set: Store) -> None:
    seed_id = _load_seed(event_set, SEEN + timedelta(days=5))  # alone in its source: its fetch day, days after the visit
    assert table_rows(event_set, "SELECT event_day, day_basis FROM release_event_keys WHERE release_id = ?",
                      [seed_id]) == [(date(2024, 10, 7), "fetched")]
    assert _events(event_set, seed_id) == set()
    neighbour = release("seed-neighbour", "Другой документ той же папки.", title="Заседание в Минске",
                        source_id="seed_files", published_at=datetime(2024, 10, 3, 7, 0, tzinfo=timezone.utc),
                        seen_at=SEEN + timedelta(days=5, minutes=1))
    event_set.load_batch(LoadBatch(run_id="run-seed-2", source_id="seed_files", releases=[neighbour]))
    assert table_rows(event_set, "SELECT event_day, day_basis FROM release_event_keys WHERE release_id = ?",
                      [seed_id]) == [(date(2024, 10, 3), "neighbour")]
    assert {GOV_RU_ID, REWRITE_ID} <= _events(event_set, seed_id)


def test_a_file_from_before_migration_13_gets_its_links_on_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    load_fts(con)
    assert migrations.migrate(con, target=12) == 12
    load.upsert_sources(con, [GOV_RU, GOV_EN, AGENCY, OUTLET], "run-0")
    for page in ("agency_copy.html", "agency_unrelated.html", "outlet_de_rewrite.html", "gov_ru_visit.html",
                 "gov_en_visit.html"):
        row = _row(page)
        load.load_batch(con, LoadBatch(run_id="run-1", source_id=row.source_id, releases=[row]))
    con.close()

    store = Store(path)
    assert store.migrate() >= 13
    assert table_rows(store, "SELECT release_id, other_id, run_id FROM release_links WHERE kind = 'syndication'") == [
        (COPY_ID, GOV_RU_ID, "schema-migration-13")]
    assert _events(store, REWRITE_ID) == {GOV_RU_ID, GOV_EN_ID, COPY_ID}
    assert _events(store, UNRELATED_ID) == set() and GOV_EN_ID not in _events(store, GOV_RU_ID)


def test_an_edit_that_splits_the_copy_from_its_original_keeps_the_syndication_of_the_older_version(event_set: Store) -> None:
    _load(event_set, "run-2", "gov_ru_visit_rewritten.html", source=GOV_RU, url=PAGE_URLS["gov_ru_visit.html"][1],
          seen_at=SEEN + timedelta(days=1))
    # A whole paragraph replaced: the copy (still the first version's text) is no near copy of the new text ...
    assert table_rows(event_set, "SELECT count(*) FROM release_links WHERE kind = 'near_duplicate'") == [(0,)]
    assert table_rows(event_set, "SELECT cluster_id FROM releases WHERE release_id = ?", [GOV_RU_ID]) != \
        table_rows(event_set, "SELECT cluster_id FROM releases WHERE release_id = ?", [COPY_ID])
    # ... but it is still the government's text of version 1: syndication stays, pointing at the government.
    assert table_rows(event_set, "SELECT release_id, other_id, score FROM release_links WHERE kind = 'syndication'") == [
        (COPY_ID, GOV_RU_ID, 1.0)]
    assert table_rows(event_set, "SELECT max(version) FROM release_versions WHERE release_id = ?", [GOV_RU_ID]) == [(2,)]


def test_names_found_by_the_parse_workers_give_the_same_event_keys_and_links(event_set: Store, tmp_path: Path,
                                                                              migrated_template: Path) -> None:
    # The pipeline's rows carry the names the workers found (text_keys); the load then reads no text back.
    given = Store(tmp_path / "given.duckdb")
    given.path.write_bytes(migrated_template.read_bytes())
    given.upsert_sources([GOV_RU, GOV_EN, AGENCY, OUTLET, SEED_FILES], "run-0")
    for page, seen_at in (("agency_copy.html", SEEN - timedelta(hours=2)), ("agency_unrelated.html", SEEN),
                          ("outlet_de_rewrite.html", SEEN), ("gov_ru_visit.html", SEEN), ("gov_en_visit.html", SEEN)):
        row, (source, url) = _row(page, seen_at=seen_at), PAGE_URLS[page]
        ctx = ParseContext(source_id=source.id, timezone=source.timezone, languages=tuple(source.languages),
                           fetched_at=seen_at)
        row.names = text_keys(parse((PAGES / page).read_bytes(), url, ctx, parser="generic")).names
        assert row.names and len(row.names) >= 2
        given.load_batch(LoadBatch(run_id="run-1", source_id=row.source_id, releases=[row]))
    keys = "SELECT release_id, publisher, names, name_forms, event_day, day_basis FROM release_event_keys ORDER BY ALL"
    links = "SELECT * EXCLUDE (run_id, first_seen_at) FROM same_event_links ORDER BY ALL"
    assert table_rows(given, keys) == table_rows(event_set, keys)
    assert table_rows(given, links) == table_rows(event_set, links) != []


@pytest.mark.parametrize("order", [
    ("agency_copy.html", "gov_en_visit.html", "gov_ru_visit.html"),  # the original last: its copy and its translation met first
    ("gov_ru_visit.html", "agency_copy.html", "gov_en_visit.html"),
    ("gov_en_visit.html", "gov_ru_visit.html", "agency_copy.html"),
])
def test_a_copy_and_its_originals_translation_are_no_event_whatever_the_load_order(store: Store, order) -> None:
    # Loads of several sources interleave as their batches finish (and a run the command line prestarted
    # loads them in another order than --without-prefect): the links must not depend on it.
    store.upsert_sources([GOV_RU, GOV_EN, AGENCY, OUTLET], "run-0")
    for page in order + ("outlet_de_rewrite.html",):
        _load(store, "run-1", page)
    assert GOV_EN_ID not in _events(store, COPY_ID) and COPY_ID not in _events(store, GOV_EN_ID)
    assert _events(store, COPY_ID) == {REWRITE_ID}


def test_relinking_the_same_releases_rewrites_no_link_it_already_has(event_set: Store) -> None:
    from govpress import events

    links = table_rows(event_set, "SELECT * FROM same_event_links ORDER BY ALL")
    assert links
    with event_set.writer() as con:
        days = {day for (day,) in con.execute("SELECT DISTINCT event_day FROM release_event_keys").fetchall()}
        keys = events._stored_keys(con, days)
        events.link_same_events(con, keys, now=SEEN + timedelta(days=9), run_id="run-relink")
    # Deleting and re-inserting the same keys by the thousand in one transaction crashed DuckDB 1.5.5 at
    # commit (test_edit_crash.py): a link that did not change is left as it is, run_id and all.
    assert table_rows(event_set, "SELECT * FROM same_event_links ORDER BY ALL") == links


def test_the_day_window_gives_each_key_the_links_of_all_candidates_in_their_order() -> None:
    # perf-tail16: each key is compared only with the candidates of its window's days (events._in_window),
    # not with every candidate of the batch's days; the links (and their order) are those of all candidates.
    import random

    from govpress import events

    rng = random.Random(14)
    people = [f"name{k}" for k in range(8)]
    day0 = date(2024, 10, 1)
    candidates = [events.EventKey(f"r{i:03d}", "src", f"pub{rng.randrange(4)}", f"c{rng.randrange(40)}",
                                  {n: n.title() for n in rng.sample(people, rng.randrange(2, 6))},
                                  day0 + timedelta(days=rng.randrange(12)), "published") for i in range(150)]
    excluded = {(f"c{rng.randrange(40)}", f"c{rng.randrange(40)}") for _ in range(30)}
    on_day = events._by_day(candidates)
    compared = 0
    for key in candidates[:40]:
        window = events._in_window(candidates, on_day, key.event_day)
        assert window == [c for c in candidates if abs((c.event_day - key.event_day).days) <= events.DAY_WINDOW]
        assert events.event_pairs(key, window, excluded) == events.event_pairs(key, candidates, excluded)
        compared += len(events.event_pairs(key, candidates, excluded))
    assert compared > 40


def test_a_new_copy_of_an_older_version_alone_in_its_cluster_gets_its_syndication(store: Store) -> None:
    # perf-load17: a fresh batch's syndication reads only clusters of two members or more. A new release that
    # copies another publisher's text from before an edit is a cluster of its own (no stored release holds that
    # text now), and still gets its link to the original: nothing read for its cluster must not end the step.
    from store_factories import release

    store.upsert_sources([GOV_RU, AGENCY], "run-0")
    original = release("orig", "The text of the first version.", source_id=GOV_RU.id, seen_at=SEEN)
    edited = release("orig", "A second text, written over the first.", source_id=GOV_RU.id,
                     seen_at=SEEN + timedelta(hours=1))
    copy = release("copy", "The text of the first version.", source_id=AGENCY.id,
                   published_at=SEEN + timedelta(hours=2), seen_at=SEEN + timedelta(hours=2))
    for run_id, row in (("run-1", original), ("run-2", edited), ("run-3", copy)):
        store.load_batch(LoadBatch(run_id=run_id, source_id=row.source_id, releases=[row]))
    assert table_rows(store, "SELECT release_id, cluster_id FROM releases ORDER BY ALL") == [
        ("copy", "copy"), ("orig", "orig")]
    assert table_rows(store, "SELECT release_id, other_id, score FROM release_links WHERE kind = 'syndication'") == [
        ("copy", "orig", 1.0)]


def test_near_scores_are_read_only_for_clusters_of_two_publishers_and_two_texts() -> None:
    # perf-load17: in a cluster of one text every syndication link scores 1.0, so no near link is read for it.
    import random

    from govpress import events

    def rows(*members: tuple[str, str, str, str]) -> list[tuple]:
        return [(rid, cluster, publisher, text, f"https://x/{rid}", SEEN + timedelta(hours=i), SEEN)
                for i, (rid, cluster, publisher, text) in enumerate(members)]

    assert not events.needs_scores(rows(("a", "c1", "gov", "t1"), ("b", "c1", "agency", "t1")))  # verbatim copies
    assert not events.needs_scores(rows(("a", "c1", "gov", "t1"), ("b", "c1", "gov", "t2")))  # one publisher
    assert not events.needs_scores(rows(("a", "c1", "gov", "t1"), ("b", "c1", "gov", "t2"),
                                        ("c", "c2", "gov", "t3"), ("d", "c2", "agency", "t3")))
    assert events.needs_scores(rows(("a", "c1", "gov", "t1"), ("b", "c1", "agency", "t2")))
    # Where it says no, the links are the same whatever the near scores.
    rng = random.Random(17)
    for _ in range(300):
        members = rows(*[(f"r{i}", f"c{rng.randrange(3)}", rng.choice(["gov", "agency"]), rng.choice(["t1", "t2"]))
                         for i in range(rng.randrange(2, 7))])
        groups: dict[str, list[events.Member]] = {}
        for row in members:
            groups.setdefault(row[1], []).append(events.Member(*row))
        scores = {(a.release_id, b.release_id): rng.choice([0.8, 0.9]) for g in groups.values() for a in g for b in g
                  if a.release_id < b.release_id}
        if not events.needs_scores(members):
            for group in groups.values():
                assert events.syndication_links(group, scores) == events.syndication_links(group, {})


def _linked_tables(store: Store) -> dict[str, list[tuple]]:
    """What the linking writes, without the times and runs it was written at."""
    return {
        "links": table_rows(store, "SELECT release_id, other_id, kind, score, other_url FROM release_links ORDER BY ALL"),
        "clusters": table_rows(store, "SELECT release_id, cluster_id FROM releases ORDER BY ALL"),
        "keys": table_rows(store, "SELECT release_id, publisher, names, name_forms, event_day, day_basis "
                                  "FROM release_event_keys ORDER BY release_id"),
        "events": table_rows(store, "SELECT release_id, other_id, shared_keys, shared_names, score, event_day, day_basis, "
                                    "other_event_day, other_day_basis FROM same_event_links ORDER BY release_id, other_id"),
    }


@pytest.mark.parametrize("order", [
    ("agency_copy.html", "agency_unrelated.html", "outlet_de_rewrite.html", "gov_ru_visit.html", "gov_en_visit.html"),
    ("gov_en_visit.html", "gov_ru_visit.html", "outlet_de_rewrite.html", "agency_copy.html", "agency_unrelated.html"),
    ("gov_ru_visit.html", "agency_copy.html", "gov_en_visit.html", "agency_unrelated.html", "outlet_de_rewrite.html"),
])
def test_a_fresh_batch_reading_its_clusters_once_links_as_each_step_reading_its_own(tmp_path: Path, migrated_template: Path,
                                                                                     monkeypatch, order) -> None:
    # perf-link23: a batch of new releases in a small file reads its clusters' members once (events._fresh_context)
    # for its syndication, its event keys' facts and the releases whose links it may change; the tables are those
    # of the steps reading their own (the path of a batch with edits, and of a big file's).
    from govpress import events

    stores = {}
    for name, once in (("once", True), ("each", False)):
        path = tmp_path / f"{name}.duckdb"
        path.write_bytes(migrated_template.read_bytes())
        store = Store(path)
        store.upsert_sources([GOV_RU, GOV_EN, AGENCY, OUTLET], "run-0")
        if not once:
            monkeypatch.setattr(events, "_reads_context", lambda con, ids: False)
        for page in order:
            _load(store, "run-1", page)
        _load(store, "run-2", "gov_ru_visit_edited.html", seen_at=SEEN + timedelta(days=1))  # an edit: not fresh
        monkeypatch.undo()
        stores[name] = _linked_tables(store)
    assert stores["once"] == stores["each"]
    assert stores["once"]["events"] and ("syndication" in {kind for _, _, kind, _, _ in stores["once"]["links"]})


def test_the_translations_are_read_only_when_a_pair_is_there_to_leave_out(store: Store, monkeypatch) -> None:
    # perf-link23: a pair of translations is left out after the pairs are found (event_pairs' rule), so a batch
    # whose releases pair with nothing reads no translation link.
    from govpress import events

    calls = []
    read = events._translations
    monkeypatch.setattr(events, "_translations", lambda con, involved: calls.append(set(involved)) or read(con, involved))
    store.upsert_sources([GOV_RU, GOV_EN, AGENCY, OUTLET], "run-0")
    _load(store, "run-1", "agency_unrelated.html")
    _load(store, "run-1", "gov_ru_visit.html")
    _load(store, "run-1", "gov_en_visit.html")
    assert calls == []  # no two names shared with the agency's release; the two editions are one publisher
    _load(store, "run-1", "agency_copy.html")  # a copy of the Russian edition pairs with the English one: left out
    assert calls and COPY_ID in calls[-1]
    assert _events(store, COPY_ID) == set() and _events(store, GOV_EN_ID) == set()


def test_the_window_of_one_publishers_keys_leaves_that_publisher_out(event_set: Store) -> None:
    # perf-link23: a batch of one publisher reads the window's keys of the others only (no pair is of one publisher).
    from govpress import events

    with event_set.writer() as con:
        days = {day for (day,) in con.execute("SELECT DISTINCT event_day FROM release_event_keys").fetchall()}
        every = events._stored_keys(con, days)
        publisher = next(k.publisher for k in every if k.release_id == COPY_ID)
        assert events._stored_keys(con, days, but=publisher) == [k for k in every if k.publisher != publisher]
        assert len({k.publisher for k in every}) > 1 and any(k.publisher == publisher for k in every)


def test_a_session_looks_for_copies_of_older_versions_only_for_texts_stored_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # perf-store24: in a session that began with no release, a batch of new releases whose texts no stored release
    # or version holds (each its own) sends no search for copies of older versions; a copy of an older text still
    # gets its syndication link, as outside a session.
    from store_factories import release

    rows = [
        ("run-1", release("orig", "The text of the first version.", source_id=GOV_RU.id, seen_at=SEEN)),
        ("run-2", release("other", "Another text altogether.", source_id=AGENCY.id, seen_at=SEEN)),
        ("run-3", release("orig", "A second text, written over the first.", source_id=GOV_RU.id,
                          seen_at=SEEN + timedelta(hours=1))),
        ("run-4", release("copy", "The text of the first version.", source_id=AGENCY.id,
                          published_at=SEEN + timedelta(hours=2), seen_at=SEEN + timedelta(hours=2))),
    ]
    looked: list[bool] = []

    def load_all(store: Store, session: bool) -> list:
        store.migrate()
        store.upsert_sources([GOV_RU, AGENCY], "run-0")
        with store.session(idle_close=60) if session else _nothing():
            for run_id, row in rows:
                sent.clear()
                store.load_batch(LoadBatch(run_id=run_id, source_id=row.source_id, releases=[row]))
                looked.append(any("v ON v.content_hash = c.content_hash" in s for s in sent))
        return table_rows(store, "SELECT release_id, other_id, kind, score FROM release_links ORDER BY ALL")

    sent = duckdb_statements(monkeypatch)
    alone = load_all(Store(tmp_path / "alone.duckdb"), session=False)
    assert looked == [True] * 4
    looked.clear()
    assert load_all(Store(tmp_path / "session.duckdb"), session=True) == alone
    assert looked == [False, False, True, True]
    assert ("copy", "orig", "syndication", 1.0) in alone


def _nothing():
    from contextlib import nullcontext

    return nullcontext()


WITHOUT_PYTZ = """
import sys
sys.path[:0] = sys.argv[2:]
from test_events import GOV_EN, GOV_RU, AGENCY, OUTLET, SEED_FILES, SEEN, _row
from datetime import timedelta
from govpress.store import LoadBatch, Store
rows = [_row("agency_copy.html", seen_at=SEEN - timedelta(hours=2)), _row("agency_unrelated.html"),
        _row("outlet_de_rewrite.html"), _row("gov_ru_visit.html"), _row("gov_en_visit.html")]
sys.modules["pytz"] = None  # any import of it fails from here on
store = Store(sys.argv[1], lock_timeout=5)
with store.session():
    store.upsert_sources([GOV_RU, GOV_EN, AGENCY, OUTLET, SEED_FILES], "run-0")
    for run in ("run-1", "run-2"):  # the second time every release is stored: read back, unchanged
        for row in rows:
            print(store.load_batch(LoadBatch(run_id=run, source_id=row.source_id, releases=[row])), flush=True)
"""


def test_the_loads_read_no_time_zone_aware_time_so_duckdb_never_imports_pytz(event_set: Store, tmp_path: Path,
                                                                            migrated_template: Path) -> None:
    # DuckDB hands each TIMESTAMPTZ value to Python through pytz, which it imports at the first one (~1.5-5 ms of a
    # run's CPU). The loads read stored times only to order them (releases' published_at) or to write them back
    # (same-event links' first_seen_at), so they read them as naive UTC: in a child process where pytz cannot be
    # imported, loading the event set (translations, copies, same-event links among stored releases) and loading it
    # again works, and links as the event set loaded in this process (with pytz) does.
    import shutil
    import subprocess
    import sys

    child = Store(shutil.copyfile(migrated_template, tmp_path / "child.duckdb"))
    done = subprocess.run([sys.executable, "-c", WITHOUT_PYTZ, str(child.path), str(Path(__file__).parent),
                           str(Path(__file__).parents[2])], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(done.stdout.splitlines()) == 10
    assert _linked_tables(child) == _linked_tables(event_set)
    assert table_rows(child, "SELECT count(*) FROM same_event_links") != [(0,)]


def test_a_same_event_link_written_again_keeps_the_time_it_was_first_made(event_set: Store) -> None:
    # link_same_events reads a stored link's first_seen_at as naive UTC and writes it back into the TIMESTAMPTZ
    # column when the link's evidence changed: the same instant, to the microsecond (here the stored scores are
    # altered, so that relinking the same releases writes every link again).
    from govpress import events

    query = "SELECT release_id, other_id, first_seen_at, score, run_id FROM same_event_links ORDER BY ALL"
    with event_set.writer() as con:
        con.execute("UPDATE same_event_links SET first_seen_at = TIMESTAMPTZ '2024-10-01 01:02:03.456789+00', "
                    "score = score + 1")
    before = table_rows(event_set, query)
    assert before
    with event_set.writer() as con:
        days = {day for (day,) in con.execute("SELECT DISTINCT event_day FROM release_event_keys").fetchall()}
        events.link_same_events(con, events._stored_keys(con, days), now=SEEN + timedelta(days=9), run_id="run-relink")
    after = table_rows(event_set, query)
    assert [(a, b, first) for a, b, first, _, _ in after] == [(a, b, first) for a, b, first, _, _ in before]
    assert {run for *_, run in after} == {"run-relink"} and [s for *_, s, _ in after] != [s for *_, s, _ in before]
