"""The cached copy of the language model: written once, read back with the same answers, never trusted when damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from govpress.parsers.langid_cache import dfa_window, load_identifier, load_model
from govpress.parsers.language import SUPPORTED

TEXTS = [
    "Министерство подвело итоги программы обновления школьных автобусов в сельских районах за первое полугодие.",
    "Урад зацвердзіў праграму развіцця веласіпедных дарожак у абласных цэнтрах на наступныя пяць гадоў.",
    "Уряд схвалив програму оновлення шкільних їдалень у сільських громадах на наступні два роки.",
    "Nazirlər Kabineti kənd məktəblərində yeni kompüter siniflərinin yaradılması proqramını təsdiqləyib.",
    "Die Landesregierung hat ein Programm zur Sanierung von Sporthallen in kleinen Gemeinden beschlossen.",
    "The city council has approved a plan to plant twelve thousand street trees over the next five years.",
]


def test_the_cached_copy_answers_like_the_shipped_model(tmp_path: Path) -> None:
    first = load_identifier(SUPPORTED, folder=tmp_path)  # the shipped model, then written to the cache
    copies = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(copies) == 1 and {p.name for p in copies[0].iterdir()} >= {"ptc.npy", "nextmove.npy", "classes.npy"}
    second = load_identifier(SUPPORTED, folder=tmp_path)  # read from the copy
    assert second.nb_classes == first.nb_classes
    assert set(second.nb_classes) <= SUPPORTED
    for text in TEXTS:
        assert second.rank(text) == first.rank(text)
    assert [second.classify(t)[0] for t in TEXTS] == ["ru", "be", "uk", "az", "de", "en"]


def test_the_cached_copy_gives_py3langid_its_shifted_rows_without_its_list(tmp_path: Path) -> None:
    """py3langid builds a list of its 104,583 tokenizer rows shifted by 8 bits at construction (5-7 ms per load); the
    copy's reader gives it the same values as an array, which its own walk reads as it read the list."""
    import numpy as np

    first = load_identifier(SUPPORTED, folder=tmp_path)  # py3langid's own construction: the list
    second = load_identifier(SUPPORTED, folder=tmp_path)  # from the copy
    assert isinstance(first._rowbase, list) and isinstance(second._rowbase, np.ndarray)
    assert second._rowbase.tolist() == first._rowbase and list(second.tk_row) == list(first.tk_row)
    for text in TEXTS:
        assert second.rank(text) == first.rank(text)


def test_the_cached_copy_gives_the_tokenizer_outputs_as_an_array_not_a_list(tmp_path: Path) -> None:
    """The copy's reader hands py3langid the outputs as the stored array (no list of 104,583 ints for the scorer to
    widen back): the same values, py3langid's own walk ranks as with the list, and the scorer's table is the same."""
    import numpy as np

    from govpress.parsers.language import _Scorer

    first = load_model(SUPPORTED, folder=tmp_path)  # py3langid's own construction: a list
    second = load_model(SUPPORTED, folder=tmp_path)  # from the copy
    assert isinstance(first.identifier.tk_output, list) and isinstance(second.identifier.tk_output, np.ndarray)
    assert second.identifier.tk_output.tolist() == first.identifier.tk_output
    from_list, from_copy = _Scorer(first.identifier, first.window), _Scorer(second.identifier, second.window)
    assert from_copy.output.dtype == from_list.output.dtype == np.int64
    assert np.array_equal(from_copy.output, from_list.output)
    for text in TEXTS:
        assert second.identifier.rank(text) == first.identifier.rank(text) == from_copy.rank(text)


def test_a_damaged_copy_falls_back_to_the_shipped_model(tmp_path: Path) -> None:
    load_identifier(SUPPORTED, folder=tmp_path)
    copy = next(p for p in tmp_path.iterdir() if p.is_dir())
    (copy / "classes.npy").write_bytes(b"not an array")
    identifier = load_identifier(SUPPORTED, folder=tmp_path)
    assert identifier.classify(TEXTS[0])[0] == "ru"
    # The damaged copy was replaced by a sound one.
    assert load_identifier(SUPPORTED, folder=tmp_path).classify(TEXTS[1])[0] == "be"
    assert (copy / "classes.npy").read_bytes() != b"not an array"


def test_an_unwritable_cache_folder_still_gives_a_model(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    identifier = load_identifier(SUPPORTED, folder=blocker / "cache")
    assert identifier.classify(TEXTS[4])[0] == "de"


@pytest.mark.slow  # five steps over every pair of tokenizer rows: about 5 s of CPU
def test_the_tokenizer_state_depends_on_the_last_window_bytes_only(tmp_path: Path) -> None:
    """What :func:`dfa_window` claims, proved on the installed model: from any state, ``window`` bytes
    lead where they lead from the start state (every pair of walks on the same bytes has met).

    This is what lets the language detector find every byte's state from the ``window`` bytes before it.
    """
    import numpy as np

    model = load_model(SUPPORTED, folder=tmp_path)
    assert load_model(SUPPORTED, folder=tmp_path).window == model.window  # kept in the cached copy
    nextmove = np.asarray(model.identifier.tk_nextmove, dtype=np.int64)
    row = np.asarray(model.identifier.tk_row, dtype=np.int64)
    states = len(row)
    byte = np.arange(256, dtype=np.int64)
    # Pairs (state of a walk from anywhere, state of the walk from the start) on the same bytes. The
    # moves depend on a state's row only: each distinct pair of rows is expanded once.
    pairs = np.stack([np.arange(states), np.zeros(states, dtype=np.int64)], axis=1)
    for _ in range(model.window):
        rows = np.unique(row[pairs[:, 0]] * states + row[pairs[:, 1]])
        first = nextmove[((rows // states)[:, None] << 8) + byte].ravel()
        second = nextmove[((rows % states)[:, None] << 8) + byte].ravel()
        unmet = first != second  # walks that met stay together
        pairs = np.unique(first[unmet] * states + second[unmet])
        pairs = np.stack([pairs // states, pairs % states], axis=1)
    assert len(pairs) == 0
    assert model.window == dfa_window(model.identifier) > 1


def test_the_tokenizer_table_is_mapped_from_the_copy_not_copied(tmp_path: Path) -> None:
    """The 39 MB table was copied into each process's memory (25 ms of CPU at every fork server's start); it is
    read-only pages of the cached file, shared by every process that maps it."""
    import numpy as np

    load_identifier(SUPPORTED, folder=tmp_path)
    identifier = load_identifier(SUPPORTED, folder=tmp_path)  # read from the copy
    table = identifier.tk_nextmove
    assert isinstance(table, np.ndarray) and not table.flags.writeable and not table.flags.owndata
    assert isinstance(table.base, np.memmap)
    assert identifier.classify(TEXTS[0])[0] == "ru"  # py3langid's own walk reads the ndarray as it read the array


def test_the_copy_is_named_after_the_distribution_version_without_asking_importlib_metadata(tmp_path: Path) -> None:
    """The copy's name holds py3langid's version, read from its module (no walk of the installed distributions):
    the same string its metadata gives, so the name, and the copy, are those it was before."""
    import hashlib
    import subprocess
    import sys
    from importlib.metadata import version

    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from govpress.parsers import langid_cache

    assert langid_cache._py3langid_version() == version("py3langid")
    model_file = Path(MODEL_FILE) if Path(MODEL_FILE).is_absolute() else Path(MODEL_DIR) / MODEL_FILE
    stat = model_file.stat()
    former = f"{version('py3langid')}|{stat.st_size}|{stat.st_mtime_ns}|en,ru|{langid_cache._FORMAT}"
    assert langid_cache._key(model_file, ["en", "ru"]) == "langid-" + hashlib.sha256(former.encode()).hexdigest()[:16]
    # A fresh process loading the model (the parse workers' fork server's step) no longer imports importlib.metadata.
    code = ("import sys; from govpress.parsers.langid_cache import load_model; load_model(['en', 'ru'], folder=__import__('pathlib').Path(sys.argv[1])); "
            "load_model(['en', 'ru'], folder=__import__('pathlib').Path(sys.argv[1])); print('importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
