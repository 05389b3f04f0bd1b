"""load_batch semantics: new / unchanged / updated, versions, duplicates, translations, removals, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_factories import T0, at, batch, duckdb_statements, fetch, release, table_rows

from govpress.dedupe.versions import text_hash
from govpress.store import CacheRow, FailureRow, LoadCounts, RemovalRow, Store, connection
from govpress.store.load import dedupe_releases, plan_releases

COUNTED_TABLES = ("releases", "release_versions", "release_links", "removals", "fetches", "parse_failures",
                  "http_cache", "frontier")


def row_counts(store: Store) -> dict[str, int]:
    return {t: table_rows(store, f"SELECT count(*) FROM {t}")[0][0] for t in COUNTED_TABLES}


def test_new_release_is_version_one_in_its_own_cluster(store: Store) -> None:
    counts = store.load_batch(batch(release("r1", seen_at=at(1))))
    assert counts == LoadCounts(new=1)
    assert table_rows(store, "SELECT version, cluster_id, first_seen_at = last_seen_at, removed_at, run_id FROM releases") == [
        (1, "r1", True, None, "run-1")
    ]
    assert table_rows(store, "SELECT release_id, version, body_text FROM release_versions") == [("r1", 1, "Body text.")]


def test_same_text_again_only_moves_last_seen(store: Store) -> None:
    store.load_batch(batch(release("r1", seen_at=at(1))))
    counts = store.load_batch(batch(release("r1", seen_at=at(5)), run_id="run-2"))
    assert counts == LoadCounts(unchanged=1)
    first, last, version, run_id = table_rows(store, "SELECT first_seen_at, last_seen_at, version, run_id FROM releases")[0]
    assert (first, last, version, run_id) == (at(1), at(5), 1, "run-1")
    assert table_rows(store, "SELECT count(*) FROM release_versions")[0][0] == 1


def test_changed_text_adds_a_version_and_keeps_the_old_one(store: Store) -> None:
    store.load_batch(batch(release("r1", "First text.", seen_at=at(1))))
    counts = store.load_batch(batch(release("r1", "Edited text.", seen_at=at(2)), run_id="run-2"))
    assert counts == LoadCounts(updated=1)
    assert table_rows(store, "SELECT version, body_text, run_id, first_seen_at, last_seen_at FROM releases") == [
        (2, "Edited text.", "run-2", at(1), at(2))
    ]
    assert table_rows(store, "SELECT version, body_text, seen_at FROM release_versions ORDER BY version") == [
        (1, "First text.", at(1)), (2, "Edited text.", at(2)),
    ]


def test_the_current_text_is_stored_once_and_an_edit_keeps_the_superseded_one(store: Store) -> None:
    # A fresh release's version row leaves its text to releases (written once, not twice) ...
    store.load_batch(batch(release("r1", "First text.", title="First", seen_at=at(1))))
    assert table_rows(store, "SELECT version, title, subtitle, lead, body_text FROM release_versions_stored") == [
        (1, None, None, None, None)]
    # ... and the edit gives the superseded version its own text before the release takes the new one.
    store.load_batch(batch(release("r1", "Edited text.", title="Edited", lead="A new lead.", seen_at=at(2)),
                           run_id="run-2"))
    assert table_rows(store, "SELECT version, title, lead, body_text FROM release_versions_stored ORDER BY version") == [
        (1, "First", None, "First text."), (2, None, None, None)]
    # The view reads each version's own text: version 1 had no lead, even though the current text has one.
    assert table_rows(store, "SELECT version, title, lead, body_text FROM release_versions ORDER BY version") == [
        (1, "First", None, "First text."), (2, "Edited", "A new lead.", "Edited text.")]
    store.load_batch(batch(release("r1", "Third text.", title="Third", seen_at=at(3)), run_id="run-3"))
    assert table_rows(store, "SELECT version, title, lead, body_text FROM release_versions ORDER BY version") == [
        (1, "First", None, "First text."), (2, "Edited", "A new lead.", "Edited text."), (3, "Third", None, "Third text.")]
    assert table_rows(store, "SELECT version FROM release_versions_stored WHERE body_text IS NULL") == [(3,)]


def test_the_exact_text_hash_a_parse_worker_sent_is_stored_as_it_is(store: Store) -> None:
    sent, computed = release("r1", "First text."), release("r2", "Other text.")
    sent.text_hash = "hash-from-the-worker"  # the load does not hash the text again
    store.load_batch(batch(sent, computed))
    assert table_rows(store, "SELECT release_id, text_hash FROM releases ORDER BY release_id") == [
        ("r1", "hash-from-the-worker"), ("r2", text_hash(computed))]


def test_reloading_an_older_version_creates_no_new_version(store: Store) -> None:
    store.load_batch(batch(release("r1", "First text.", seen_at=at(1))))
    store.load_batch(batch(release("r1", "Edited text.", seen_at=at(2))))
    counts = store.load_batch(batch(release("r1", "First text.", seen_at=at(1)), run_id="reparse"))
    assert counts == LoadCounts(unchanged=1)
    assert table_rows(store, "SELECT version, body_text FROM releases") == [(2, "Edited text.")]
    assert table_rows(store, "SELECT count(*) FROM release_versions")[0][0] == 2


def test_duplicate_ids_inside_a_batch_keep_the_last_seen() -> None:
    early = release("r1", "Early.", seen_at=at(1), archive_key="b")
    late_a = release("r1", "Late a.", seen_at=at(2), archive_key="a")
    late_b = release("r1", "Late b.", seen_at=at(2), archive_key="b")
    assert [r.body_text for r in dedupe_releases([late_b, early, late_a])] == ["Late b."]
    assert [r.body_text for r in dedupe_releases([early, late_a])] == ["Late a."]


def test_duplicate_ids_inside_a_batch_are_stored_once(store: Store) -> None:
    counts = store.load_batch(batch(release("r1", "Old.", seen_at=at(1)), release("r1", "New.", seen_at=at(3))))
    assert counts == LoadCounts(new=1)
    assert table_rows(store, "SELECT body_text, version FROM releases") == [("New.", 1)]


def test_exact_duplicate_in_batch_links_to_the_earliest_published(store: Store) -> None:
    copy = release("copy", "Same words.", source_id="agency", published_at=at(5))
    original = release("orig", "Same words.", published_at=at(1))
    counts = store.load_batch(batch(copy, original))
    assert counts == LoadCounts(new=1, duplicate=1)
    assert table_rows(store, "SELECT release_id, cluster_id FROM releases ORDER BY release_id") == [
        ("copy", "orig"), ("orig", "orig"),
    ]
    # Another source (no registered institution: its own publisher), so the copy is also syndication.
    assert table_rows(store, "SELECT release_id, other_id, kind, score, other_url FROM release_links ORDER BY kind") == [
        ("copy", "orig", "exact_duplicate", 1.0, original.url), ("copy", "orig", "syndication", 1.0, original.url),
    ]


def test_exact_duplicate_of_a_stored_release_joins_its_cluster(store: Store) -> None:
    store.load_batch(batch(release("orig", "Same words.", published_at=at(3))))
    # Dated earlier than the stored release, but the stored release already holds the text: it stays the cluster.
    counts = store.load_batch(batch(release("copy", "Same words.", source_id="agency", published_at=at(1))))
    assert counts == LoadCounts(duplicate=1)
    assert table_rows(store, "SELECT cluster_id FROM releases WHERE release_id = 'copy'") == [("orig",)]
    assert table_rows(store, "SELECT release_id, other_id FROM release_links WHERE kind = 'exact_duplicate'") == [
        ("copy", "orig")
    ]
    # The view shows the cluster's earliest published member.
    assert table_rows(store, "SELECT cluster_id, release_id, n_copies FROM unique_releases") == [("orig", "copy", 2)]


def test_translations_are_linked_both_ways_also_with_stored_ones(store: Store) -> None:
    store.load_batch(batch(release("ru1", "Текст.", translation_key="gov:1", language="ru")))
    counts = store.load_batch(batch(
        release("en1", "Text.", source_id="gov_en", language="en", translation_key="gov:1"),
        release("de1", "Text auf Deutsch.", source_id="gov_de", language="de", translation_key="gov:1"),
        release("ru2", "Другой текст.", language="ru", translation_key="gov:1"),  # same language: no link to ru1
        source_id="gov_en",
    ))
    assert counts.new == 3
    links = set(table_rows(store, "SELECT release_id, other_id FROM release_links WHERE kind = 'translation'"))
    pairs = {("ru1", "en1"), ("ru1", "de1"), ("en1", "de1"), ("ru2", "en1"), ("ru2", "de1")}
    assert links == pairs | {(b, a) for a, b in pairs}
    translations = table_rows(store, "SELECT translations FROM release_translations WHERE release_id = 'en1'")[0][0]
    assert [(t["release_id"], t["language"]) for t in translations] == [("de1", "de"), ("ru1", "ru"), ("ru2", "ru")]


def test_a_translation_pair_loaded_together_is_planned_once_each_way_as_first_made(store: Store) -> None:
    # Each of the two finds the other: four links made, two distinct. The plan keeps the first made of each
    # (the row INSERT OR IGNORE kept when all four went in), so a fresh load inserts half the rows.
    ru = release("ru1", "Текст.", translation_key="gov:1", language="ru", seen_at=at(1))
    en = release("en1", "Text.", source_id="gov_en", language="en", translation_key="gov:1", seen_at=at(2))
    plan = plan_releases([ru, en], {}, set(), [], [])
    links = [(link["release_id"], link["other_id"], link["first_seen_at"]) for link in plan.links]
    assert links == [("ru1", "en1", at(1)), ("en1", "ru1", at(1))]
    store.load_batch(batch(ru, en))
    assert table_rows(store, "SELECT release_id, other_id, first_seen_at FROM release_links ORDER BY release_id") == [
        ("en1", "ru1", at(1)), ("ru1", "en1", at(1))]


def test_removal_marks_the_release_and_keeps_it(store: Store) -> None:
    store.load_batch(batch(release("r1", seen_at=at(1)), release("r2", seen_at=at(1))))
    gone = RemovalRow("r1", "https://gov.example/gov_ru/r1", 404, at(10))
    counts = store.load_batch(batch(removals=[gone]))
    assert counts == LoadCounts(removed=1)
    assert table_rows(store, "SELECT release_id, removed_at FROM releases ORDER BY release_id") == [
        ("r1", at(10)), ("r2", None)
    ]
    assert table_rows(store, "SELECT release_id, status, detected_at FROM removals") == [("r1", 404, at(10))]
    assert store.load_batch(batch(removals=[gone])) == LoadCounts()  # already removed: nothing new


def test_seen_again_after_removal_clears_it_but_an_older_sighting_does_not(store: Store) -> None:
    store.load_batch(batch(release("r1", seen_at=at(1)), removals=[RemovalRow("r1", "u", 410, at(10))]))
    store.load_batch(batch(release("r1", seen_at=at(5))))  # a reparse of an old fetch
    assert table_rows(store, "SELECT removed_at FROM releases") == [(at(10),)]
    store.load_batch(batch(release("r1", seen_at=at(20))))
    assert table_rows(store, "SELECT removed_at, last_seen_at FROM releases") == [(None, at(20))]


def full_batch():
    return batch(
        release("a", "Alpha.", seen_at=at(1), translation_key="k1"),
        release("b", "Alpha.", seen_at=at(1), published_at=at(2)),
        release("c", "Gamma.", seen_at=at(1), language="en", translation_key="k1"),
        release("c", "Gamma older.", seen_at=at(0)),
        fetches=[fetch("f1", "https://gov.example/a"), fetch("f1", "https://gov.example/a"),
                 fetch("f2", "https://gov.example/b", outcome="error")],
        failures=[FailureRow("gov_ru", "https://gov.example/x", "ak-x", "generic/1", "no title", at(1))],
        removals=[RemovalRow("b", "https://gov.example/b", 404, at(3))],
        cache=[CacheRow("https://gov.example/a", '"e1"', None, "ak-a", at(1)),
               CacheRow("https://gov.example/a", '"e2"', None, "ak-a2", at(2))],
        frontier_add=[("https://gov.example/p2", "listing"), ("https://gov.example/d", "release")],
        frontier_done=["https://gov.example/d"],
    )


def test_the_same_batch_twice_leaves_the_same_tables(store: Store) -> None:
    first = store.load_batch(full_batch())
    assert first == LoadCounts(new=2, duplicate=1, removed=1, failed=1)
    checksum, counts = store.checksum(), row_counts(store)
    second = store.load_batch(full_batch())
    assert second == LoadCounts(unchanged=3, failed=1)
    assert store.checksum() == checksum
    assert row_counts(store) == counts
    assert counts == {"releases": 3, "release_versions": 3, "release_links": 3, "removals": 1, "fetches": 2,
                      "parse_failures": 1, "http_cache": 1, "frontier": 1}


def test_cache_keeps_the_latest_validators_and_frontier_follows_adds_and_dones(store: Store) -> None:
    store.load_batch(full_batch())
    cached = store.cached_validators(["https://gov.example/a", "https://gov.example/none"])
    assert list(cached) == ["https://gov.example/a"]
    assert (cached["https://gov.example/a"].etag, cached["https://gov.example/a"].archive_key) == ('"e2"', "ak-a2")
    assert store.frontier("gov_ru") == [("https://gov.example/p2", "listing")]
    store.load_batch(batch(cache=[CacheRow("https://gov.example/a", '"old"', None, "ak-old", at(0))]))
    assert store.cached_validators(["https://gov.example/a"])["https://gov.example/a"].etag == '"e2"'


def test_a_rerun_with_new_run_id_and_seen_times_converges(store: Store) -> None:
    store.load_batch(full_batch())
    checksum = store.checksum()
    rerun = full_batch()  # a day later: b still 404, the others seen again
    rerun.run_id = "run-2"
    rerun.releases = [row for row in rerun.releases if row.release_id != "b"]
    for row in rerun.releases:
        row.seen_at += timedelta(days=1)
    for removal in rerun.removals:
        removal.detected_at += timedelta(days=1)
    assert store.load_batch(rerun) == LoadCounts(unchanged=2, failed=1)
    assert store.checksum() == checksum


def test_checksum_changes_when_content_changes(store: Store) -> None:
    store.load_batch(batch(release("r1", "One.")))
    before = store.checksum()
    store.load_batch(batch(release("r1", "Two.")))
    after = store.checksum()
    assert before["releases"] != after["releases"]
    assert before["release_versions"] != after["release_versions"]
    assert before["release_links"] == after["release_links"]


def test_a_failing_batch_leaves_nothing_behind(store: Store) -> None:
    bad = batch(release("r1"), fetches=[fetch("f1", "https://gov.example/r1")])
    bad.releases.append(release("r2"))
    bad.releases[-1].title = None  # violates NOT NULL after the first release is planned
    with pytest.raises(Exception, match="NOT NULL"):
        store.load_batch(bad)
    assert row_counts(store) == dict.fromkeys(COUNTED_TABLES, 0)


def test_a_load_pauses_the_garbage_collector_only_while_it_runs(store: Store) -> None:
    import gc

    try:
        assert gc.isenabled()
        store.load_batch(batch(release("r1")))
        assert gc.isenabled()  # back on after a load
        bad = batch(release("r2"))
        bad.releases[0].title = None
        with pytest.raises(Exception, match="NOT NULL"):
            store.load_batch(bad)
        assert gc.isenabled()  # and after a failed one
        gc.disable()
        store.load_batch(batch(release("r3")))
        assert not gc.isenabled()  # left off when it was off
    finally:
        gc.enable()


def test_known_releases_by_canonical_url(store: Store) -> None:
    store.load_batch(batch(release("r1", "One.", seen_at=at(1)), release("r2", "Two.", seen_at=at(2))))
    store.load_batch(batch(release("r1", "One, edited.", seen_at=at(3))))
    store.load_batch(batch(release("x", source_id="other")))
    known = store.known_releases("gov_ru")
    assert sorted(known) == ["https://gov.example/gov_ru/r1", "https://gov.example/gov_ru/r2"]
    r1 = known["https://gov.example/gov_ru/r1"]
    assert (r1.release_id, r1.version, r1.first_seen_at, r1.last_seen_at, r1.removed_at) == ("r1", 2, at(1), at(3), None)


def test_archived_pages_picks_the_latest_ok_fetch_per_url(store: Store) -> None:
    store.load_batch(batch(fetches=[
        fetch("f1", "https://gov.example/a", started_at=at(1), archive_key="ak-old"),
        fetch("f2", "https://gov.example/a", started_at=at(2), archive_key="ak-new"),
        fetch("f3", "https://gov.example/a", started_at=at(3), outcome="error"),
        fetch("f4", "https://gov.example/b", started_at=at(1), archive_key=None),
        fetch("f5", "https://other.example/c", started_at=at(1), archive_key="ak-c", source_id="other"),
    ]))
    pages = store.archived_pages(["gov_ru"])
    assert [(p.url, p.archive_key, p.fetched_at, p.purpose) for p in pages] == [
        ("https://gov.example/a", "ak-new", at(2), "release")
    ]
    assert [p.source_id for p in store.archived_pages(None)] == ["gov_ru", "other"]


def test_runs_are_started_and_finished(store: Store) -> None:
    store.start_run("run-1", "ingest", {"sources": ["gov_ru"], "since": T0.date()}, ["gov_ru"], at(0))
    assert table_rows(store, "SELECT status, finished_at, parameters->>'since' FROM runs") == [
        ("running", None, "2024-03-01")
    ]
    store.finish_run("run-1", "completed", {"new": 3, "failed": 1}, None, [{"source_id": "gov_ru", "new": 3}], at(1))
    assert table_rows(store, "SELECT status, finished_at, new, failed, updated, per_source->0->>'new' FROM runs") == [
        ("completed", at(1), 3, 1, 0, "3")
    ]
    with pytest.raises(KeyError, match="no run"):
        store.finish_run("nope", "completed", {}, None, [], at(1))


def test_a_page_that_keeps_failing_leaves_the_frontier_after_bounded_retries(tmp_path):
    from govpress.store import Store
    from govpress.store.rows import MAX_FRONTIER_ATTEMPTS, LoadBatch

    store = Store(tmp_path / "g.duckdb")
    store.migrate()
    store.load_batch(LoadBatch(run_id="r0", source_id="s", frontier_add=[("http://127.0.0.1/bad", "new"),
                                                                          ("http://127.0.0.1/ok", "new")]))
    for n in range(1, MAX_FRONTIER_ATTEMPTS):
        store.load_batch(LoadBatch(run_id=f"r{n}", source_id="s", frontier_retry=["http://127.0.0.1/bad"]))
        assert ("http://127.0.0.1/bad", "new") in store.frontier("s")
    store.load_batch(LoadBatch(run_id="last", source_id="s", frontier_retry=["http://127.0.0.1/bad"]))
    assert store.frontier("s") == [("http://127.0.0.1/ok", "new")]


def test_offset_stated_is_stored_and_recent_titles_read_back(store: Store) -> None:
    from dataclasses import replace

    stated = replace(release("r1", "First body.", title="First | MINFIN", seen_at=at(1)), published_offset_stated=True)
    local = replace(release("r2", "Second body.", title="Second | MINFIN", seen_at=at(2)), published_offset_stated=False)
    undated = release("r3", "Third body.", title="Third", published_at=None, seen_at=at(3))
    store.load_batch(batch(stated, local, undated))
    assert table_rows(store, "SELECT release_id, published_offset_stated FROM releases ORDER BY release_id") == [
        ("r1", True), ("r2", False), ("r3", None)
    ]
    assert store.recent_titles("gov_ru") == ["Third", "Second | MINFIN", "First | MINFIN"]
    assert store.recent_titles("gov_ru", limit=1) == ["Third"]
    assert store.recent_titles("nobody") == []


def test_a_batch_loads_with_one_duckdb_thread_and_the_connection_keeps_its_own_number(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # A batch's some 40 statements are small: a second DuckDB thread mostly spun waiting for work
    # (docs/scale.md, "One thread for a batch"). The connection's own number comes back after the
    # batch, and after a batch that failed.
    from govpress import events
    from govpress.store import load as loader

    seen: list[int] = []
    original = events.link_copies_and_events

    def spy(con, *args, **kwargs):
        seen.append(con.execute("SELECT current_setting('threads')").fetchone()[0])
        return original(con, *args, **kwargs)

    monkeypatch.setattr(events, "link_copies_and_events", spy)
    with store.session(), store.writer() as con:
        con.execute("SET threads = 3")
        loader.load_batch(con, batch(release("r1")))
        assert seen == [1]
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 3

        def fail(con, *args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(events, "link_copies_and_events", fail)
        with pytest.raises(RuntimeError, match="boom"):
            loader.load_batch(con, batch(release("r2")))
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 3


def test_a_sessions_back_to_back_loads_lower_duckdbs_threads_once(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # DuckDB 1.5.5 relaunches its threads at every change of the setting and, lowering them, flushes its allocator:
    # each batch of a session on more threads began by faulting in again what the last one gave back
    # (bench/results.md, "perf-load16"). Loads one after another now lower them once; the next call that is not
    # a load, and a connection opened again, have the session's own number.
    from govpress.store import load as loader

    def threads() -> int:
        return store._shared.con.execute("SELECT current_setting('threads')").fetchone()[0]

    sets: list[str] = []
    original = loader._threads

    def spy(con, threads_, before=None):
        sets.append(f"{before}->{threads_}")
        return original(con, threads_, before)

    monkeypatch.setattr(loader, "_threads", spy)
    with store.session(threads=3):
        store.frontier("gov_ru")  # opens the connection
        assert threads() == 3
        store.load_batch(batch(release("r1")))
        assert threads() == 1  # still lowered between loads
        store.load_batch(batch(release("r2")))
        assert threads() == 1
        assert sets == ["1->1", "1->1"]  # each batch found its one thread already: no SET inside it
        store.frontier("gov_ru")  # not a load: the session's own number again
        assert threads() == 3
        store.load_batch(batch(release("r3")))
        assert threads() == 1
        store._shared.close()
        store.frontier("gov_ru")  # a connection opened again: the session's number
        assert threads() == 3
    assert table_rows(store, "SELECT count(*) FROM releases")[0][0] == 3


def _linked_batch(edit: str = ""):
    """Releases with links of every kind a load makes: a translation pair, an exact copy by another publisher
    and a near copy (a word changed); ``edit`` added to every text (their next versions)."""
    words = " ".join(f"слово{k} часть{k % 7}" for k in range(80)) + edit
    return batch(
        release("ru1", words, translation_key="gov:1", language="ru", published_at=at(1)),
        release("en1", "The text in English " * 30 + edit, source_id="gov_en", language="en", translation_key="gov:1"),
        release("copy", words, source_id="agency", published_at=at(5)),
        release("near", words.replace("слово40", "другое"), source_id="agency", published_at=at(6)),
        fetches=[fetch(f"f1{edit}", "https://gov.example/gov_ru/ru1")],
    )


def test_syndication_reads_near_scores_and_copies_facts_only_where_they_can_be_used(store: Store) -> None:
    # perf-tail16: a batch whose clusters hold one publisher each can have no syndication link, so the near
    # links inside them (only ever read for a link's score) are not read; the copies of older versions are
    # looked for as pairs of ids, and their ends' facts (sources joined) read only for a pair found.
    from store_factories import Recorder

    from govpress.store import load as loader

    with store.writer() as con:
        alone = Recorder(con)
        loader.load_batch(alone, batch(release("a", " ".join(f"alpha{k}" for k in range(60))),
                                       release("b", " ".join(f"alpha{k}" for k in range(60)) + " beta")))
        linked = Recorder(con)
        loader.load_batch(linked, _linked_batch())  # an exact and a near copy by another publisher
    near = "l.kind = 'near_duplicate' AND a.cluster_id = b.cluster_id"
    assert near not in "\n".join(alone.sent) and near in "\n".join(linked.sent)
    members = "SELECT r.release_id, r.cluster_id, coalesce("
    assert not [s for s in alone.sent if "JOIN release_versions" in s and "coalesce(" in s]
    assert table_rows(store, "SELECT release_id, other_id FROM release_links WHERE kind = 'syndication' ORDER BY 1") == [
        ("copy", "ru1"), ("near", "ru1")]
    assert members in "\n".join(linked.sent)


def test_a_batch_whose_releases_name_too_few_people_reads_no_event_candidates(store: Store) -> None:
    # perf-tail16: a same-event link needs two shared names; when no key of the batch has two, the window's
    # stored keys and the clusters' translations are not read (no pair can come of them).
    from store_factories import Recorder

    from govpress.store import load as loader

    window, translations = "WHERE k.event_day IN", "SELECT a.cluster_id, b.cluster_id FROM release_links"
    named = "Премьер Александр Турчин встретился в Минске с послом Дмитрием Кругловым"  # names: of the title
    with store.writer() as con:
        unnamed = Recorder(con)
        loader.load_batch(unnamed, batch(release("a", "a text without a name"), release("b", "another such text")))
        with_names = Recorder(con)
        loader.load_batch(with_names, batch(release("c", "a text", title=named, published_at=at(1))))
    assert not [s for s in unnamed.sent if window in s or translations in s]
    assert [s for s in with_names.sent if window in s]
    # (perf-link23: the translations only once a pair is found for them to leave out; this release pairs with none.)
    assert not [s for s in with_names.sent if translations in s]
    assert table_rows(store, "SELECT release_id, len(names) >= 2 FROM release_event_keys ORDER BY 1") == [
        ("a", False), ("b", False), ("c", True)]


def _all_tables(store: Store) -> dict[str, list]:
    """Every row of every main table, but the run-time columns (first_seen_at and the like)."""
    out = {}
    with store.reader(fts=False) as con:
        for (table,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1").fetchall():
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
                [table]).fetchall() if not c.endswith("_at") and c not in ("run_id", "applied_at")]
            out[table] = sorted(map(repr, con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()))
    return out


def test_a_batch_of_new_releases_reads_and_upserts_nothing_only_stored_releases_have(store: Store) -> None:
    # Versions, signatures, links and event keys name stored releases only (arrow.all_new): for releases new
    # in the batch the load neither reads them back nor inserts over them with a conflict clause.
    from store_factories import Recorder

    from govpress.store import load as loader

    with store.writer() as con:
        first = Recorder(con)
        loader.load_batch(first, _linked_batch())
        again = Recorder(con)
        loader.load_batch(again, _linked_batch(" конец"))  # the same releases edited: every read and upsert as before
    sent, resent = "\n".join(first.sent), "\n".join(again.sent)
    assert table_rows(store, "SELECT DISTINCT kind FROM release_links ORDER BY 1") == [
        ("exact_duplicate",), ("near_duplicate",), ("syndication",), ("translation",)]
    for read in ("SELECT release_id, content_hash FROM release_versions_stored WHERE",
                 "SELECT count(*) FROM release_signatures WHERE", "FROM same_event_links WHERE"):
        assert read not in sent and read in resent
    stored_links = "SELECT release_id, other_id, score FROM release_links WHERE kind = "  # near links', syndication's
    assert (sent.count(stored_links), resent.count(stored_links)) == (0, 2)
    syndicated = "UNION SELECT r.cluster_id FROM release_links l JOIN releases r"  # clusters its links name
    assert syndicated not in sent and syndicated in resent
    assert "OR IGNORE INTO release_links" not in sent and "OR IGNORE INTO release_links" in resent
    assert "ON CONFLICT (release_id, other_id, kind) DO UPDATE SET score" not in sent  # near and syndication links
    assert "ON CONFLICT (release_id) DO UPDATE SET publisher" not in sent  # event keys
    assert "ON CONFLICT (release_id) DO UPDATE SET publisher" in resent


def test_the_tables_are_the_same_whether_or_not_the_new_releases_are_known(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The skipped reads and the plain inserts change nothing that lands: the same batches, loaded with every
    # release taken as possibly stored (main's reads and upserts), leave every table row for row the same.
    from govpress.store import arrow

    def load(store: Store) -> tuple[dict, dict]:
        store.load_batch(_linked_batch())
        edited = _linked_batch(" конец")
        edited.releases.append(release("late", "The text in English " * 30, source_id="agency", language="en"))
        store.load_batch(edited)  # stored releases edited, beside a new copy of one of them
        store.load_batch(_linked_batch(" конец"))  # and the same again
        return store.checksum(), _all_tables(store)

    def fresh(name: str) -> Store:
        store = Store(tmp_path / name)
        store.migrate()
        return store

    known = load(fresh("known.duckdb"))
    monkeypatch.setattr(arrow, "all_new", lambda con, ids: False)
    monkeypatch.setattr(arrow, "new_in_batch", lambda con: frozenset())
    for module in ("govpress.store.nearlinks", "govpress.events"):
        monkeypatch.setattr(f"{module}.all_new", lambda con, ids: False)
    monkeypatch.setattr("govpress.store.load.new_in_batch", lambda con: frozenset())  # its links' test, id by id
    unknown = load(fresh("unknown.duckdb"))
    assert known == unknown
    assert sum(map(len, known[1].values())) > 40 and known[1]["release_event_keys"] and known[1]["release_links"]


def test_a_batch_of_new_releases_asks_no_statement_and_registers_no_table_that_can_only_be_empty(store: Store) -> None:
    # perf-load10: the syndication step reads a new batch's clusters inside its members' and near links'
    # statements (no read of its own, no registration of the cluster ids); the near step's facts for no
    # release send nothing; a batch whose bands are all in memory registers no empty id table.
    from store_factories import Recorder

    from govpress.store import load as loader

    class Registers(Recorder):
        def __init__(self, con) -> None:
            super().__init__(con)
            self.registered = []

        def register(self, name, table):
            self.registered.append(table)
            return self.con.register(name, table)

    with store.writer() as con:
        first = Registers(con)
        loader.load_batch(first, batch(release("a", " ".join(f"alpha{k}" for k in range(60))),
                                       release("b", " ".join(f"beta{k}" for k in range(60)))))
        again = Registers(con)
        loader.load_batch(again, _linked_batch())  # links of every kind: the facts are read
    own_read = "SELECT cluster_id FROM releases WHERE"
    assert not [s for s in first.sent if s.strip().startswith(own_read)]
    assert not [t for t in first.registered if t.num_rows == 0]
    assert not [t for t in first.registered if t.schema.names == ["cluster_id"]]
    facts = "timezone('UTC', published_at), timezone('UTC', first_seen_at)"
    assert facts not in "\n".join(first.sent) and facts in "\n".join(again.sent)
    assert table_rows(store, "SELECT release_id, cluster_id FROM releases ORDER BY 1")[:2] == [("a", "a"), ("b", "b")]


def _bookkeeping_batch(fetch_ids: tuple[str, ...] = ("f1", "f2"), urls: tuple[str, ...] = ("a", "b"), hour: int = 1):
    from govpress.store import ListingRow

    return batch(
        release("a", "Alpha.", seen_at=at(1)),
        fetches=[fetch(f, f"https://gov.example/{f}") for f in fetch_ids],
        cache=[CacheRow(f"https://gov.example/{u}", f'"{u}{hour}"', None, f"ak-{u}", at(hour)) for u in urls],
        frontier_add=[(f"https://gov.example/p{u}", "listing") for u in urls],
        listings=[ListingRow(f"r{u}", "gov_ru", "listing", f"https://gov.example/{u}", f"{u} at {hour}", at(0), None,
                             f"fp{u}{hour}", at(hour)) for u in urls],
    )


def test_a_batchs_new_fetches_validators_and_frontier_urls_go_in_without_a_conflict_clause(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # perf-main17: one probe finds none of the batch's keys stored, so the three inserts skip DuckDB's conflict
    # path (1.5-2.5 ms a statement); a batch loaded again keeps it, and changes nothing.
    sent = duckdb_statements(monkeypatch)
    store.load_batch(_bookkeeping_batch())
    first = "\n".join(sent)
    counts = row_counts(store)
    sent.clear()
    store.load_batch(_bookkeeping_batch())
    again = "\n".join(sent)
    assert "INSERT INTO fetches" in first and "OR IGNORE INTO fetches" not in first
    assert "INSERT INTO http_cache" in first and "ON CONFLICT (url)" not in first
    assert "INSERT INTO frontier" in first and "OR IGNORE INTO frontier" not in first
    assert "INSERT INTO release_listings" in first and "ON CONFLICT (release_id) DO UPDATE SET source_id" not in first
    assert "OR IGNORE INTO fetches" in again and "ON CONFLICT (url)" in again and "OR IGNORE INTO frontier" in again
    assert "ON CONFLICT (release_id) DO UPDATE SET source_id" in again
    assert row_counts(store) == counts and (counts["fetches"], counts["http_cache"], counts["frontier"]) == (2, 2, 2)


def test_the_probe_finds_keys_with_quotes_and_backslashes(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The probe writes the keys (urls and ids from pages) into its SQL as constants: a quote or a backslash in one
    # must neither break the statement nor be missed when the batch comes again.
    keys = ("f'1", "f\\2", "f''3")
    urls = ("a'b", "c\\d", "e'); DROP TABLE fetches; --")
    sent = duckdb_statements(monkeypatch)
    store.load_batch(_bookkeeping_batch(keys, urls))
    first, counts = "\n".join(sent), row_counts(store)
    sent.clear()
    store.load_batch(_bookkeeping_batch(keys, urls))
    again = "\n".join(sent)
    assert "INSERT INTO fetches" in first and "OR IGNORE INTO fetches" in again and "ON CONFLICT (url)" in again
    assert row_counts(store) == counts and (counts["fetches"], counts["http_cache"], counts["frontier"]) == (3, 3, 3)
    with store.reader(fts=False) as con:
        assert sorted(r[0] for r in con.execute("SELECT fetch_id FROM fetches").fetchall()) == sorted(keys)


def test_the_bookkeeping_tables_are_the_same_with_or_without_the_probe(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches whose keys are all new, partly stored (a fetch id, a url with a newer and an older check, a frontier
    # url, a release listed again) or repeated inside the batch: every table as the conflict forms alone leave it.
    from govpress.store import load as loader

    def load(store: Store) -> dict:
        store.migrate()
        store.load_batch(_bookkeeping_batch())
        store.load_batch(_bookkeeping_batch(("f2", "f3"), ("b", "c"), hour=2))  # f2, b and pb stored already
        store.load_batch(_bookkeeping_batch(("f4",), ("a",), hour=0))  # a's check older than the stored one
        store.load_batch(_bookkeeping_batch(("f5", "f5"), ("d",), hour=3))  # a fetch id twice in one batch
        store.load_batch(full_batch())
        with store.reader(fts=False) as con:
            checks = con.execute("SELECT url, etag, checked_at FROM http_cache ORDER BY url").fetchall()
            listed = con.execute("SELECT release_id, title, first_listed_at, listed_at FROM release_listings ORDER BY 1").fetchall()
        return {**_all_tables(store), "checks": checks, "listed": listed}

    probed = load(Store(tmp_path / "probed.duckdb"))
    monkeypatch.setattr(loader, "_none_stored", lambda *args: frozenset())
    assert load(Store(tmp_path / "conflict.duckdb")) == probed
    assert len(probed["fetches"]) == 5 and len(probed["http_cache"]) == 4 and len(probed["frontier"]) == 5
    assert [(i, title) for i, title, _, _ in probed["listed"]] == [("ra", "a at 1"), ("rb", "b at 2"), ("rc", "c at 2"),
                                                                  ("rd", "d at 3")]


def test_a_sessions_loads_into_empty_tables_probe_once_and_know_their_own_keys_after(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # perf-store24: the session's first probe also asks which of the four tables hold rows; a table empty then holds
    # only what the session's loads stored, so a later batch of new keys sends no probe and inserts plainly, and a
    # batch loaded again still takes the conflict forms (its keys are known stored): the same rows as without.
    probe = "SELECT 'fetches' FROM fetches WHERE fetch_id IN"
    sent = duckdb_statements(monkeypatch)
    with store.session(idle_close=60):
        store.load_batch(_bookkeeping_batch())
        first = "\n".join(sent)
        sent.clear()
        store.load_batch(_bookkeeping_batch(("f3", "f4"), ("c", "d"), hour=2))
        second = "\n".join(sent)
        sent.clear()
        store.load_batch(_bookkeeping_batch(("f3", "f4"), ("c", "d"), hour=2))  # again
        again = "\n".join(sent)
    assert "SELECT 'any fetches' FROM fetches" in first and probe in first
    assert probe not in second and "'any " not in second and "FROM http_cache WHERE url IN" not in second
    assert "INSERT INTO fetches" in second and "OR IGNORE INTO fetches" not in second
    assert "ON CONFLICT (url)" not in second and "OR IGNORE INTO frontier" not in second
    assert "ON CONFLICT (release_id) DO UPDATE SET source_id" not in second
    assert "OR IGNORE INTO fetches" in again and "ON CONFLICT (url)" in again and "OR IGNORE INTO frontier" in again
    assert "ON CONFLICT (release_id) DO UPDATE SET source_id" in again
    counts = row_counts(store)
    assert (counts["fetches"], counts["http_cache"], counts["frontier"]) == (4, 4, 4)
    assert table_rows(store, "SELECT count(*) FROM release_listings") == [(4,)]


def test_a_session_that_seeds_a_new_file_knows_its_tables_empty_and_sends_no_probe_at_its_first_load(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # perf-loads26: a file the session seeded itself (Store.migrate), with only runs written since (the run's start
    # and its crashed-runs check), holds no key in the probe's tables and no release: its first load inserts plainly
    # without asking. The rows end as a session's on a file it did not seed (its first load probes).
    def load(seeding: bool) -> tuple[str, dict]:
        target = Store(tmp_path / f"{seeding}" / "govpress.duckdb")
        if not seeding:
            target.migrate()
        sent = duckdb_statements(monkeypatch)
        with target.session(idle_close=60, threads=1):  # (a run's: no threads lowered for the loads)
            if seeding:
                target.migrate()
            target.mark_crashed_runs()
            sent.clear()
            target.load_batch(_bookkeeping_batch())
            first = "\n".join(sent)
            target.load_batch(_bookkeeping_batch(("f3", "f4"), ("c", "d"), hour=2))
            target.load_batch(_bookkeeping_batch(("f3", "f4"), ("c", "d"), hour=2))  # again: its keys known stored
        return first, target.checksum() | {t: str(n) for t, n in row_counts(target).items()}

    seeded, seeded_rows = load(True)
    plain, plain_rows = load(False)
    assert "'any fetches'" in plain and "FROM fetches WHERE fetch_id IN" in plain
    assert "'any " not in seeded and "WHERE fetch_id IN" not in seeded and "WHERE url IN" not in seeded
    assert "INSERT INTO fetches" in seeded and "OR IGNORE INTO fetches" not in seeded
    assert seeded_rows == plain_rows


def test_a_key_stored_outside_the_sessions_loads_is_kept_as_the_conflict_forms_keep_it(
        store: Store, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Should a key the session does not know of be stored all the same (here a fetch and a check written on the
    # session's connection behind its back), the plain insert fails on the primary key and the load runs again with
    # the probe: the stored rows are kept as INSERT OR IGNORE / the upsert keep them, and the load succeeds.
    def load(target: Store, behind: bool) -> dict:
        target.migrate()
        with target.session(idle_close=60):
            target.load_batch(_bookkeeping_batch())
            if behind:
                target._shared.con.execute(
                    f"USE {connection.database_alias(target.path)}; "
                    "INSERT INTO fetches SELECT * REPLACE ('f3' AS fetch_id) FROM fetches WHERE fetch_id = 'f1'; "
                    "INSERT INTO http_cache VALUES ('https://gov.example/c', 'old', NULL, 'ak-old', '2030-01-01')")
            else:
                with target.writer() as con:
                    con.execute("INSERT INTO fetches SELECT * REPLACE ('f3' AS fetch_id) FROM fetches WHERE fetch_id = 'f1'")
                    con.execute("INSERT INTO http_cache VALUES ('https://gov.example/c', 'old', NULL, 'ak-old', '2030-01-01')")
            runs.clear()
            target.load_batch(_bookkeeping_batch(("f3", "f4"), ("c", "d"), hour=2))
        return _all_tables(target)

    from govpress.store import load as loader

    runs: list[object] = []
    inner = loader._load_batch
    monkeypatch.setattr(loader, "_load_batch", lambda *args: runs.append(args[3]) or inner(*args))
    told = load(Store(tmp_path / "told.duckdb"), behind=False)
    assert len(runs) == 1  # the writer block dropped what the session knew: the probe asked, one run
    assert load(store, behind=True) == told
    assert len(runs) == 2  # the plain insert failed on f3's key, the load ran again with the probe
    assert len(told["fetches"]) == 4 and any("'old'" in row for row in told["http_cache"])


def _session_batches():
    return [
        batch(release("a", "Alpha text.", translation_key="t1")),
        batch(release("b", "Beta text.")),  # shares nothing with a: no stored state to read
        batch(release("c", "Alpha text.")),  # a's text: an exact duplicate of a
        batch(release("d", "Delta.", language="en", translation_key="t1")),  # a's translation
        batch(release("a", "Alpha text, edited.", translation_key="t1")),  # a new version of a
        batch(release("e", "Epsilon.")),
    ]


def test_a_session_that_began_with_no_release_reads_stored_state_only_for_batches_sharing_a_key(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    # perf-store24: a session whose first load counted no release knows the ids, texts' hashes and translation keys
    # of every release its loads stored; a batch sharing none of them sends no read of the stored releases, one that
    # shares a hash, a translation key or an id reads them as before: the same rows as loads outside a session.
    stored_state = "WITH k AS MATERIALIZED"
    sent = duckdb_statements(monkeypatch)
    in_session = Store(tmp_path / "session.duckdb")
    in_session.migrate()
    reads = []
    with in_session.session(idle_close=60):
        for b in _session_batches():
            sent.clear()
            in_session.load_batch(b)
            reads.append(any(stored_state in s for s in sent))
    assert reads == [False, False, True, True, True, False]
    alone = Store(tmp_path / "alone.duckdb")
    alone.migrate()
    for b in _session_batches():
        alone.load_batch(b)
    assert _all_tables(in_session) == _all_tables(alone)
    links = table_rows(in_session, "SELECT release_id, other_id, kind FROM release_links ORDER BY ALL")
    assert ("c", "a", "exact_duplicate") in links and ("d", "a", "translation") in links


def test_a_release_stored_behind_a_sessions_back_is_read_when_its_batch_comes(tmp_path) -> None:
    # A release the session's loads did not store (written on its connection behind its back): the batch that brings
    # it again fails its plain insert on the key, and the load runs again reading the stored releases.
    def load(behind: bool) -> dict:
        target = Store(tmp_path / f"{behind}.duckdb")
        target.migrate()
        with target.session(idle_close=60):
            target.load_batch(batch(release("a", "Alpha text.")))
            if behind:
                target._shared.con.execute(
                    f"USE {connection.database_alias(target.path)}; "
                    "INSERT INTO releases SELECT * REPLACE ('z' AS release_id) FROM releases WHERE release_id = 'a'")
            else:
                with target.writer() as con:
                    con.execute("INSERT INTO releases SELECT * REPLACE ('z' AS release_id) FROM releases WHERE release_id = 'a'")
            target.load_batch(batch(release("z", "Zeta text.")))
        return _all_tables(target)

    assert load(behind=True) == load(behind=False)


def _frontier_batch(add: list[str], done: list[str], run_id: str = "run-1"):
    from govpress.store import LoadBatch

    return LoadBatch(run_id=run_id, source_id="gov_ru", frontier_add=[(f"https://gov.example/{u}", "release") for u in add],
                     frontier_done=[f"https://gov.example/{u}" for u in done])


def test_a_batch_that_adds_and_finishes_the_same_urls_writes_no_frontier_row_for_them(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run's batch adds the pages it fetched and marks the same pages done: the rows were inserted and deleted
    # again. Now only the urls the batch leaves pending go in, and in a session that knows the frontier's keys (it was
    # empty and only the session's loads wrote it) a done url it never stored is deleted by no statement.
    sent = duckdb_statements(monkeypatch)
    with store.session(idle_close=60):
        store.load_batch(_frontier_batch(add=["a", "b", "c"], done=["a", "b"]))
        first = "\n".join(sent)
        sent.clear()
        store.load_batch(_frontier_batch(add=["d"], done=["d", "e"]))
        second = "\n".join(sent)
        sent.clear()
        store.load_batch(_frontier_batch(add=[], done=["c"]))  # a url an earlier batch stored: deleted
        third = "\n".join(sent)
    assert "INSERT INTO frontier" in first and "DELETE FROM frontier" not in first
    assert "INTO frontier" not in second and "DELETE FROM frontier" not in second
    assert "DELETE FROM frontier" in third
    assert store.frontier("gov_ru") == []


def test_frontier_rows_end_as_each_batch_adds_finishes_and_retries_them_in_and_outside_a_session(tmp_path) -> None:
    # The same batches, with urls stored before the session (so not known to it), loaded in a session and one by one:
    # the same frontier, which is what adding every url and then deleting the done ones gave.
    from store_factories import source

    batches = [_frontier_batch(add=["a", "b", "c", "old"], done=["a", "old"]),
               _frontier_batch(add=["d", "b"], done=["d", "e", "stale"]),
               _frontier_batch(add=["f"], done=["b"])]
    frontiers = []
    for in_session in (True, False):
        target = Store(tmp_path / f"{in_session}.duckdb", lock_timeout=5)
        target.migrate()
        target.upsert_sources([source()], "run-0")
        target.load_batch(_frontier_batch(add=["stale", "old", "kept"], done=[], run_id="run-0"))
        if in_session:
            with target.session(idle_close=60):
                for one in batches:
                    target.load_batch(one)
        else:
            for one in batches:
                target.load_batch(one)
        frontiers.append(target.frontier("gov_ru"))
    assert frontiers[0] == frontiers[1]
    assert sorted(url for url, _ in frontiers[0]) == [f"https://gov.example/{u}" for u in ("c", "f", "kept")]
