"""govpress benchmarks: ``uv run python -m bench`` runs every figure of issue 14 against its peers in one run.

Each ``bench_*.py`` is also its own command (``uv run python bench/bench_load.py``). None of this is
part of the test suite; figures are ratios measured in the same run on the same machine.
"""
