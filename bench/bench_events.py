"""Benchmark of the syndication and same-event step of a load: its share of Store.load_batch.

Loads N synthetic releases (6 sources of 3 publishers, ~40 a day, titles naming 3 people and
places drawn from a pool of 60 names written in Russian, English or German forms, 5% verbatim
copies across publishers) in batches, as the pipeline does, timing the whole loads; then runs
the step alone (:func:`govpress.events.link_copies_and_events`) again over every batch's
releases on the loaded file. Both in the same run: their ratio is the step's share of a load.

    uv run python bench/bench_events.py              # 4,000 releases, batches of 500
    uv run python bench/bench_events.py --n 20000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from govpress import events
from govpress.registry import Source
from govpress.store import LoadBatch, ReleaseRow, Store

SEEN = datetime(2025, 2, 1, tzinfo=timezone.utc)
# (ru, en, de) forms of invented names: the key must bring each triple together.
SYLLABLES = ["ка", "ро", "ми", "ла", "то", "ве", "ни", "са", "ду", "бор", "зан", "тин"]
LATIN = {"ка": "ka", "ро": "ro", "ми": "mi", "ла": "la", "то": "to", "ве": ("ve", "we"), "ни": "ni", "са": "sa",
         "ду": "du", "бор": "bor", "зан": "zan", "тин": "tin"}
WORDS = ("визит министр заседание бюджет соглашение сотрудничество развитие экономика регион делегация переговоры "
         "программа проект встреча вопрос решение поддержка").split()
SOURCES = [("gov_ru", "Government", "ru"), ("gov_en", "Government", "en"), ("agency_ru", "Agency", "ru"),
           ("agency_en", "Agency", "en"), ("paper_de", "Paper", "de"), ("paper_ru", "Paper", "ru")]


def invented_names(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    names = []
    while len(names) < n:
        parts = rng.choices(SYLLABLES, k=3)
        ru = "".join(parts).capitalize() + "ов"
        en = "".join(LATIN[p] if isinstance(LATIN[p], str) else LATIN[p][0] for p in parts).capitalize() + "ov"
        de = "".join(LATIN[p] if isinstance(LATIN[p], str) else LATIN[p][1] for p in parts).capitalize() + "ow"
        names.append((ru, en, de))
    return names


def synthetic(n: int, seed: int = 1) -> list[ReleaseRow]:
    rng = random.Random(seed)
    names = invented_names(rng, 60)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows: list[ReleaseRow] = []
    for i in range(n):
        source_id, _, language = SOURCES[i % len(SOURCES)]
        form = {"ru": 0, "en": 1, "de": 2}[language]
        if rows and rng.random() < 0.05:
            copied = rows[rng.randrange(max(0, len(rows) - 50), len(rows))]
            title, body = copied.title, copied.body_text
        else:
            people = [names[j][form] for j in rng.sample(range(len(names)), 3)]
            title = f"Встреча: {people[0]} и {people[1]} в присутствии {people[2]}"
            body = "\n\n".join(" ".join(rng.choices(WORDS, k=50)).capitalize() + "." for _ in range(4))
        url = f"https://{source_id}.example/news/{i}"
        rows.append(ReleaseRow(
            release_id=hashlib.sha1(url.encode()).hexdigest()[:16], source_id=source_id, url=url, canonical_url=url,
            language=language, title=title, subtitle=None, lead=None, body_text=body,
            published_at=start + timedelta(minutes=36 * i), published_precision="minute", updated_at=None,
            place=None, tags=[], kind="news", translation_key=None,
            content_hash=hashlib.sha256((title + body).encode()).hexdigest()[:32], parser="generic",
            parser_version="1", archive_key=f"sha256:{i:08d}", seen_at=SEEN,
        ))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    rows = synthetic(args.n)
    batches = [rows[i:i + args.batch_size] for i in range(0, len(rows), args.batch_size)]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        store.migrate()
        store.upsert_sources([
            Source(id=s, name=s, country="XX", institution=inst, languages=[lang], kind="feed",
                   start_urls=[f"https://{s}.example/feed"], rate_limit=100.0, concurrency=4)
            for s, inst, lang in SOURCES], "bench")
        started = time.perf_counter()
        for k, batch in enumerate(batches):
            by_source: dict[str, list[ReleaseRow]] = {}
            for row in batch:
                by_source.setdefault(row.source_id, []).append(row)
            for source_id, source_rows in by_source.items():
                store.load_batch(LoadBatch(run_id=f"run-{k}", source_id=source_id, releases=source_rows))
        load_s = time.perf_counter() - started
        with store.writer() as con:
            started = time.perf_counter()
            con.begin()
            for batch in batches:
                events.link_copies_and_events(con, [r.release_id for r in batch], now=SEEN, run_id="bench-again")
            con.commit()
            step_s = time.perf_counter() - started
            links = con.execute("SELECT count(*) FROM same_event_links").fetchone()[0]
            synd = con.execute("SELECT count(*) FROM release_links WHERE kind = 'syndication'").fetchone()[0]
    print(f"releases={args.n} batch_size={args.batch_size} same_event_links={links} syndication_links={synd}")
    print(f"load_s={load_s:.2f} rows_per_s={args.n / load_s:.0f} events_step_s={step_s:.2f} "
          f"events_share_of_load={step_s / load_s:.3f}")


if __name__ == "__main__":
    main()
