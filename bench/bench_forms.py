"""What the digit-by-digit date-range check costs the Prefect server, next to the same form without it.

Run: ``uv run python bench/bench_forms.py [--rounds 5] [--checks 2000]``. JSON Schema cannot compare
two fields, so flows/parameters.py spells "since is later than until" out over the eight digits of
two ISO dates (about 13 KB of schema, inside ``allOf`` where the UI's form keeps it). The server
validates a run's parameters against it before the run exists (``/ui/schemas/validate`` for the
form, ``create_flow_run`` for the API); this prints, median of the rounds, microseconds per check of
the ingest form's parameters with and without that check, their ratio, and the schema's size, for
a forward range and a reversed one (refused). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time


def per_check_us(schema: dict, values: dict, checks: int, rounds: int, *, preprocess: bool = True) -> float:
    """Microseconds per ``validate`` (Prefect's; ``preprocess`` copies and adjusts the schema first, as the
    API's check before a run does on every call; the form's check does it once per request too)."""
    from prefect.utilities.schema_tools.validation import preprocess_schema, validate

    if not preprocess:
        schema = preprocess_schema(schema)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(checks):
            validate(values, schema, preprocess=preprocess)
        samples.append((time.perf_counter() - started) / checks * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--checks", type=int, default=2_000)
    args = parser.parse_args()

    from prefect.utilities.callables import parameter_schema

    from govpress.flows.ingest import ingest

    with_check = parameter_schema(ingest.fn).model_dump_for_openapi()
    without = copy.deepcopy(with_check)
    without["definitions"]["DateRange"].pop("allOf")
    size = len(json.dumps(with_check)) - len(json.dumps(without))
    print(f"reversed-range check: {size / 1024:.1f} KB of the {len(json.dumps(with_check)) / 1024:.1f} KB form schema")
    cases = {
        "forward range": {"sources": ["kremlin_ru"], "dates": {"since": "2024-10-01", "until": "2024-10-07"}},
        "reversed range": {"sources": ["kremlin_ru"], "dates": {"since": "2024-10-07", "until": "2024-10-01"}},
        "open range": {"sources": ["kremlin_ru"], "dates": {"since": "2024-10-01"}},
    }
    print(f"µs per check, median of {args.rounds} rounds of {args.checks}; 'evaluate' leaves out the schema copy")
    print(f"{'parameters':<16} {'with check':>11} {'without':>9} {'ratio':>6} {'evaluate with':>14} "
          f"{'without':>9} {'ratio':>6}")
    for name, values in cases.items():
        a = per_check_us(with_check, values, args.checks, args.rounds)
        b = per_check_us(without, values, args.checks, args.rounds)
        c = per_check_us(with_check, values, args.checks, args.rounds, preprocess=False)
        d = per_check_us(without, values, args.checks, args.rounds, preprocess=False)
        print(f"{name:<16} {a:>11.0f} {b:>9.0f} {a / b:>6.1f} {c:>14.0f} {d:>9.0f} {c / d:>6.1f}")


if __name__ == "__main__":
    main()
