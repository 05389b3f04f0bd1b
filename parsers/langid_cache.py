"""The language model, loaded from an uncompressed on-disk copy instead of its LZMA file (the top start-up cost).

py3langid ships its model as an LZMA-compressed npz (4.5 MB -> 68 MB): decompressing it took
0.6-1.0 s of every ``govpress extract --manifest`` run (measured with bench/bench_extract.py's
page set: a third of a 345-page run on a busy machine), more than any page. The first process
that needs the model writes the arrays, already restricted to the languages we detect, as plain
``.npy`` files into a cache folder; later processes map them (``mmap``) in a few milliseconds.

The folder is ``$GOVPRESS_CACHE_DIR``, else ``$XDG_CACHE_HOME/govpress``, else ``~/.cache/govpress``;
each copy is named after py3langid's version, the model file's size and time, the language
set and the copy's layout (:data:`_FORMAT`), so an upgrade or another language set never reads a stale copy. Writes go to a temporary
folder renamed into place (two processes racing both succeed; one copy wins). Any failure to read
or write the cache (read-only home, disk full, a damaged copy, which is then replaced) falls back to py3langid's own loader:
the cache only ever saves time, it never decides an answer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = ["Model", "cache_folder", "dfa_window", "load_identifier", "load_model"]

_TYPECODES = {2: "H", 4: "I", 8: "L"}
_FORMAT = "ptc-float32-window"
"""The layout of a copy (part of its name): the feature table is stored widened from the model's float16
to float32, exactly (every float16 is a float32), so that scoring a text multiplies float32 by float32
instead of converting the rows it reads at every call (four fifths of the scoring time); the scores are the
same to the bit. The copy is twice as large on disk (22 MB), and mapped, not read, by each process.
It also holds the tokenizer's window (:func:`dfa_window`, ``window.npy``): 0.8 s to compute, once."""


@dataclass(frozen=True, slots=True)
class Model:
    """py3langid's identifier and the window of its tokenizer (see :func:`dfa_window`)."""

    identifier: LanguageIdentifier
    window: int


def cache_folder() -> Path:
    """Where cached copies live (see the module docstring)."""
    explicit = os.environ.get("GOVPRESS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "govpress"


def _py3langid_version() -> str:
    """py3langid's version: its module's ``__version__`` (the distribution's, checked by a test), else its metadata's.

    Asking ``importlib.metadata`` walked every distribution on the path: 3-4 ms of CPU at each start of
    the parse workers' fork server, which loads the model."""
    import py3langid

    version = getattr(py3langid, "__version__", None)
    if isinstance(version, str) and version:
        return version
    from importlib.metadata import version as distribution_version

    return distribution_version("py3langid")


def _key(model_file: Path, languages: list[str]) -> str:
    stat = model_file.stat()
    raw = f"{_py3langid_version()}|{stat.st_size}|{stat.st_mtime_ns}|{','.join(languages)}|{_FORMAT}"
    return "langid-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def _as_array(values) -> array:
    """A NumPy unsigned integer array as the stdlib array py3langid's tokenizer indexes."""
    import numpy as np

    out = array(_TYPECODES[values.dtype.itemsize])
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return out


def dfa_window(identifier) -> int:
    """The length of the longest shortest path from the start state of py3langid's tokenizer.

    The tokenizer is an Aho-Corasick automaton over byte n-grams: its state after any input is the
    longest suffix of that input that is a prefix of some n-gram, so it never depends on more than
    the last ``window`` bytes (the depth of its deepest state). That lets
    ``govpress.parsers.language._Scorer.feature_counts`` find every byte's state at once from the bytes
    before it, instead of walking the text one byte at a time in Python (same counts, to the unit).
    """
    import numpy as np

    nextmove = _numpy(identifier.tk_nextmove)
    rowbase = _numpy(identifier.tk_row).astype(np.int64) << 8
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier = np.zeros(1, dtype=np.int64)
    depth = 0
    while True:
        reached = np.unique(nextmove[(rowbase[frontier][:, None] + np.arange(256)[None, :]).ravel()])
        reached = reached[~seen[reached]]
        if not len(reached):
            return depth
        depth += 1
        seen[reached] = True
        frontier = reached.astype(np.int64)


def _numpy(values):
    """An ndarray view of a stdlib array (py3langid's tokenizer tables), an ndarray as it is."""
    import numpy as np

    if isinstance(values, array):
        return np.frombuffer(values, dtype=np.dtype(values.typecode))
    return np.asarray(values)


def _read(folder: Path) -> Model:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    def load(name: str, mmap: bool = False):
        return np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None, allow_pickle=False)

    classes = [str(c) for c in load("classes")]
    # Plain ndarray views of the mapped tables: indexing a np.memmap goes through a Python-level
    # __getitem__ (a fifth of the scoring time); the view shares the same mapped pages. The
    # tokenizer's table (39 MB) stays mapped too: copied into a stdlib array it cost 25 ms of CPU
    # per process and 39 MB of private memory (the parse workers' fork server paid it at every
    # run's start), and only _Scorer reads it, as an ndarray (py3langid's own walk, which the tests
    # compare with, indexes an ndarray as it does an array, more slowly).
    ptc = np.asarray(load("ptc", mmap=True))
    row = load("row")
    # py3langid pre-shifts its tokenizer's rows into a Python list of 104,583 ints at construction (5-7 ms of
    # CPU at every load: the parse workers' fork server paid it at each run's start), for its own byte walk,
    # which only the tests use (_Scorer walks with NumPy). Made here by NumPy instead, the same values, which
    # its walk indexes as it does the list (as it indexes the mapped ``nextmove``).
    # The tokenizer's outputs as the array they are stored as, not a list of 104,583 ints: _Scorer widened that
    # list back into an array (the two conversions 4 ms of CPU at every load, the fork server's); py3langid's
    # own walk (the tests') reads an array as it reads the list.
    identifier = LanguageIdentifier(ptc, load("pc"), classes, np.asarray(load("nextmove", mmap=True)),
                                    load("output"), norm_probs=False, tk_row=())
    identifier.tk_row = _as_array(row)
    identifier._rowbase = row.astype(np.int64) << 8
    return Model(identifier, int(load("window")))


def _write(folder: Path, model: Model) -> None:
    import numpy as np

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    identifier = model.identifier
    try:
        arrays = {
            "ptc": np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32),
            "pc": np.asarray(identifier.nb_pc),
            "classes": np.array(identifier.nb_classes),
            "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=f"u{identifier.tk_nextmove.itemsize}"),
            "row": np.frombuffer(identifier.tk_row, dtype=f"u{identifier.tk_row.itemsize}"),
            "output": np.asarray(identifier.tk_output, dtype=np.int32),
            "window": np.asarray(model.window, dtype=np.int64),
        }
        for name, values in arrays.items():
            np.save(staging / f"{name}.npy", values, allow_pickle=False)
        try:
            staging.rename(folder)
        except OSError:  # another process put its copy there first: keep that one
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_identifier(languages: Iterable[str], *, folder: Path | None = None):
    """py3langid's identifier restricted to ``languages`` (those of them the model knows), from the cache when it can."""
    return load_model(languages, folder=folder).identifier


def load_model(languages: Iterable[str], *, folder: Path | None = None) -> Model:
    """:func:`load_identifier` and the window of its tokenizer, from the cache when it can."""
    from py3langid.langid import MODEL_FILE, MODEL_DIR, LanguageIdentifier

    model_file = Path(MODEL_FILE)
    if not model_file.is_absolute():
        model_file = Path(MODEL_DIR) / model_file
    wanted = sorted(set(languages))
    try:
        copy = (folder or cache_folder()) / _key(model_file, wanted)
    except Exception:  # no home folder, a model file we cannot stat: no cache
        copy = None
    if copy is not None:
        try:
            if copy.is_dir():
                return _read(copy)
        except Exception:  # a damaged copy: drop it (this process writes a new one) and load the slow way
            shutil.rmtree(copy, ignore_errors=True)
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    known = sorted(set(wanted) & set(identifier.labels))
    identifier.set_languages(known)
    model = Model(identifier, dfa_window(identifier))
    if copy is not None:
        try:
            _write(copy, model)
        except Exception:  # a read-only or full disk: no cache, same answers
            pass
    return model
