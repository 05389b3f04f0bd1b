"""The reparse peer: trafilatura over archived bodies, in the peer environment (``peer-python bench/peer_extract.py LIST``).

LIST names one gzip file of the archive per line (the release pages a reparse re-reads). Each is
decompressed and extracted with ``trafilatura.bare_extraction(with_metadata=True)``, one after
the other in this process. Prints one JSON line: pages and the seconds the loop took.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path

import trafilatura


def main() -> None:
    files = [Path(line) for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if line.strip()]
    trafilatura.bare_extraction(gzip.decompress(files[0].read_bytes()), with_metadata=True)  # warm-up
    started = time.perf_counter()
    for path in files:
        trafilatura.bare_extraction(gzip.decompress(path.read_bytes()), with_metadata=True)
    print(json.dumps({"pages": len(files), "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
