"""govpress.dedupe.keys: a parse worker's keys of a release are those of their definitions, to the bit."""

from __future__ import annotations

import hashlib
import random

from govpress.dedupe import names, neardup
from govpress.dedupe.keys import content_hash, text_keys, texts_keys
from govpress.dedupe.versions import text_hash
from govpress.parsers import Release
from govpress.parsers.text import _HASH_FOLDS, fold_for_hash


def made_releases(count: int = 1_500) -> list[Release]:
    """Releases with every separator, quote, dash, apostrophe and invisible character, ASCII or not, parts missing or
    empty."""
    rng = random.Random(2612)
    pieces = ["Word", "Minsk", "Головченко", "Слово", "ЁЛКА", "2026", " ", " ", " ", "\n\n", "\u00a0", "e\u0301", "ʼ", "ŉ",
              "'", *neardup._SEPARATORS, *_HASH_FOLDS]
    vocabulary = ["Asadov", "talks", "trade", "встреча", "министр", "Беларусь", "energy", "year", "2025", "экспорт"]
    releases: list[Release] = []
    for n in range(count):
        def part() -> str:
            chosen = rng.choices(vocabulary, k=rng.randrange(40)) + rng.choices(pieces, k=rng.randrange(12))
            rng.shuffle(chosen)
            return " ".join(chosen) if rng.random() < 0.7 else "".join(chosen)

        title, subtitle, lead, body = (part() if rng.random() < 0.85 else rng.choice(["", None]) for _ in range(4))
        releases.append(Release(url=f"https://example.org/{n}", title=title or "", body_text=body or "", parser="test",
                                parser_version="1", subtitle=subtitle, lead=lead))
    return releases


def test_text_keys_are_the_definitions_keys_whatever_the_text() -> None:
    """The content hash (the parts' folds joined), the MinHash signature of the release's text (its words taken from
    the content hash's fold when it holds no apostrophe), the names and the exact text hash, on made releases."""
    for release in made_releases():
        subtitle, lead = release.subtitle, release.lead
        keys = text_keys(release)
        folded = "\x1f".join(fold_for_hash(p or "") for p in (release.title, subtitle, lead, release.body_text))
        assert keys.content_hash == content_hash(release) == hashlib.sha256(folded.encode()).hexdigest()[:32]
        expected = neardup.signature(neardup.release_text(release.title, subtitle, lead, release.body_text))
        assert keys.minhash.dtype == expected.dtype and keys.minhash.tobytes() == expected.tobytes(), release
        assert keys.names == names.release_names((release.title, subtitle, lead), release.body_text)
        assert keys.text_hash == text_hash(release)


def test_the_keys_of_many_releases_at_once_are_each_ones_keys() -> None:
    """``texts_keys`` (a parse worker's chunk, a step at a time over all its releases) gives each release's
    ``text_keys``, in order, with cold caches and warm, whatever the releases beside it."""
    releases = made_releases(600)
    one_by_one = [text_keys(release) for release in releases]
    for cache in ("cold", "warm"):
        if cache == "cold":
            neardup._word_hashes.clear()
            names.name_key.cache_clear()
        for start, size in ((0, 600), (0, 1), (5, 22), (300, 0), (599, 8)):
            together = texts_keys(releases[start:start + size])
            assert len(together) == len(releases[start:start + size])
            for keys, alone in zip(together, one_by_one[start:start + size], strict=True):
                assert ((keys.content_hash, keys.names, keys.text_hash)
                        == (alone.content_hash, alone.names, alone.text_hash))
                assert keys.minhash.dtype == alone.minhash.dtype and keys.minhash.tobytes() == alone.minhash.tobytes()


def test_text_keys_are_bit_identical_to_the_stored_keys() -> None:
    """Stored content hashes, signatures, names and text hashes stay valid only while a release's keys are the same to
    the bit: the values below were computed by dd351d9, before the signature's words were read off the hash fold."""
    release = Release(url="https://example.org/1", parser="test", parser_version="1",
                      title="Головченко и Asadov обсудили «торгово-экономическое» сотрудничество",
                      subtitle=None, lead="Минск, 7 декабря. Премьер-министр Роман Головченко встретился с Али Асадовым…",
                      body_text=("Стороны обсудили ход реализации договорённостей — в том числе в сфере энергетики, "
                                 "ёмкости рынков и 14,5% роста экспорта.\n\nPrime Minister Ali Asadov said the talks in "
                                 "Minsk covered trade, energy and “new projects”; Golovchenko thanked the delegation."))
    assert neardup.folded_words(" ".join(fold_for_hash(p or "") for p in (release.title, None, release.lead,
                                                                         release.body_text))) is not None
    for cache in ("cold", "warm"):
        if cache == "cold":
            neardup._word_hashes.clear()
            names.name_key.cache_clear()
        keys = text_keys(release)
        assert keys.content_hash == "a96b39d421d2d0d77892d6fa25bb1404"
        assert keys.text_hash == "094ddf2e496cc4156b6a6e2d874e1b08"
        assert keys.names == {"hlcnk": "Головченко", "asd": "Asadov", "mnsk": "Минск", "rmn": "Роман"}
        assert hashlib.sha256(keys.minhash.tobytes()).hexdigest() == (
            "c68a0dcc783495ae7318879eacbfc0464332dc0a907f816b21115f2914746091"), cache
