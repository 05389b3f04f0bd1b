"""Every probe of issue 11 (hardening): the input, what should happen, what happens now, and the test that holds it.

``govpress reliability faults`` prints this table after the fault matrix (``--probes`` prints it
alone); docs/reliability.md carries the same table, and tests/test_docs.py checks that the two
agree and that every test named here exists. "Observed" is what the named test asserts, measured
on this checkout after the fixes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.table import Table


@dataclass(frozen=True, slots=True)
class Probe:
    item: str
    """The issue's numbered finding it belongs to."""
    input: str
    expected: str
    observed: str
    test: str
    """``path/to/test_file.py::test_name`` (tests/ omitted)."""


PROBES: tuple[Probe, ...] = (
    Probe("1", "feed and listing items linking file:///etc/passwd, file:/…, file://x/…",
          "nothing read from disk; no fetch, no release",
          "planned nowhere, read nowhere: no file: row in fetches, only the web release stored",
          "e2e/test_pipeline_local.py::test_file_links_in_a_feed_read_nothing_from_the_local_disk"),
    Probe("1", "a files source's symlink or '..' leading out of its folder",
          "only files inside the source's folders", "refused at discovery and again at planning",
          "unit/test_plan.py::test_a_files_source_plans_only_files_inside_its_folders"),
    Probe("2", "SIGKILL a Prefect-path ingest (holding the slot, mid-fetch, at random times), rerun",
          "the rerun completes without help and converges",
          "4 kills, every rerun completed; checksums equal the clean run's; no run row left running",
          "reliability/test_crash_convergence.py::test_killed_prefect_runs_converge_without_help"),
    Probe("2", "the killed run's writer slot", "freed for the next writer",
          "its queue place frees the moment it dies; its Prefect slot is freed by the next writer",
          "unit/test_writer_queue.py::test_a_killed_writer_frees_its_place_at_once_and_is_reported"),
    Probe("2", "the killed run's temporary Prefect server", "not left running",
          "stops within seconds of its parent's SIGKILL (its stdin pipe closes); the rerun never waits",
          "e2e/test_temporary_api.py::test_the_temporary_api_dies_with_its_killed_parent_and_the_slot_is_free_for_the_next"),
    Probe("2", "a plain-path run killed after it started its runs row", "the row does not stay running",
          "the next run marks it crashed: 'process N on HOST is gone'",
          "unit/store/test_liveness.py::test_the_next_run_marks_a_killed_run_crashed"),
    Probe("2", "four writers asking in reverse order of arrival", "first come, first served",
          "served in ticket (arrival) order", "unit/test_writer_queue.py::test_writers_are_served_in_the_order_they_came"),
    Probe("3", "govpress sql \"COPY (SELECT 'x') TO '<the live db>'\"", "refused; the database untouched",
          "refused by DuckDB's sandbox (no file access); writes only into --allow-writes DIR outside the data folder",
          "unit/test_cli.py::test_sql_cannot_write_or_read_files"),
    Probe("4", "one corrupt archive file, then --refetch", "the source loads; the file is repaired",
          "set aside as .corrupt, fetched whole, rewritten", "e2e/test_pipeline_local.py::"
          "test_a_corrupt_archive_is_repaired_by_the_next_run_instead_of_failing_it"),
    Probe("5", "bad TOML, unknown kind, duplicate ids, a missing registry file", "one line, exit 2",
          "error: <file>: <what>, exit 2; --debug adds the traceback",
          "unit/test_cli_errors.py::test_a_registry_that_is_not_toml"),
    Probe("5", "--db a folder", "one line", "error: … is a folder, not a DuckDB file (exit 3)",
          "unit/test_cli_errors.py::test_a_folder_as_database"),
    Probe("5", "--db a file that is not DuckDB", "one line; the file untouched",
          "error: … is not a DuckDB database file (exit 3)", "unit/test_cli_errors.py::test_a_file_that_is_not_duckdb"),
    Probe("5", "--db a DuckDB file with someone else's tables", "one line; nothing added",
          "error: … a DuckDB file of something else (tables customers …) (exit 3); no table added",
          "unit/test_cli_errors.py::test_a_duckdb_file_of_something_else_is_left_alone"),
    Probe("5", "--db written by a newer govpress (schema version 99)", "one line",
          "error: … has schema version 99 … newer govpress (exit 3)", "unit/test_cli_errors.py::test_a_newer_schema"),
    Probe("5", "--db in a folder that cannot be written", "one line", "error: cannot create or write … (exit 3)",
          "unit/test_cli_errors.py::test_a_folder_that_cannot_be_written"),
    Probe("5", "the store locked by an analyst's session", "one line naming the holder",
          "error: database … is still locked by another process (pid N, …) (exit 4), no chained traceback",
          "unit/test_cli_errors.py::test_a_database_locked_by_another_process"),
    Probe("5", "disk full (the write-ahead log a link to /dev/full)", "the real error, one line; no row left running",
          "error: disk full: … No space left on device (exit 5); the next run marks the row crashed",
          "unit/test_cli_errors.py::test_a_full_disk_names_the_real_failure"),
    Probe("5", "disk full in the middle of a run", "the run row does not stay running",
          "crashed by the next run once space is back; the next run loads",
          "unit/store/test_liveness.py::test_a_run_whose_last_write_found_the_disk_full_is_crashed_by_the_next"),
    Probe("6", "cadence '61 25 * * *'; allow_addresses = ['notanip']", "refused at load",
          "RegistryError naming the entry and the field", "unit/test_registry.py::test_an_invalid_cadence_is_refused_at_load"),
    Probe("6", "a redirect to another port of an allowed host", "refused before it is sent",
          "fetches.outcome=refused ('another port'); the other port got 0 requests",
          "unit/fetch/test_fetch.py::test_redirect_to_another_port_of_an_allowed_host_is_refused_without_a_request"),
    Probe("6", "a 1 MB title", "capped", "cut at a word boundary at 1,000 characters",
          "unit/parsers/test_generic.py::test_a_megabyte_title_is_capped_at_a_word_boundary"),
    Probe("6", "a feed of 100,000 entries", "at most max_items pages planned per run",
          "2,000 planned (max_items), resumed work first", "unit/test_plan.py::"
          "test_a_huge_feed_plans_at_most_max_items_and_resumed_work_first"),
    Probe("6", "a 5 MB response header", "a permanent error, not retried",
          "http_error 'malformed HTTP response … head over 100 KiB', 1 attempt, 1 request",
          "unit/fetch/test_fetch_loopback.py::test_a_malformed_response_is_a_permanent_error_tried_once"),
    Probe("7", "Crawl-delay 4 s, requests sent late by a busy loop", "gaps of at least the delay, counted at send",
          "every gap >= 4.0 s (was 3.57 s when stamped at grant)",
          "unit/fetch/test_fetch.py::test_crawl_delay_is_counted_from_when_each_request_was_sent"),
    Probe("7", "one challenge page among 6 pages", "recorded on the page; the source ok; the URL named",
          "source ok, 5 new, blocked_pages 1, the URL in the message, the page kept in the frontier",
          "e2e/test_pipeline_local.py::test_a_challenge_on_one_page_is_recorded_on_that_page_not_on_the_source"),
    Probe("7", "a feed with a DTD/entity bomb", "its fetches row says so",
          "fetches.outcome=refused, error 'refused by the discovery reader: XML declares a DTD …'",
          "e2e/test_pipeline_local.py::test_a_feed_refused_at_discovery_says_so_on_its_fetches_row"),
    Probe("8", "Prefect's temporary API does not answer in time (a 0.05 s start timeout)",
          "one clear line; nothing half-run", "error: Prefect's temporary API did not answer within 0 s … (exit 6); no run",
          "e2e/test_temporary_api.py::test_an_api_that_does_not_answer_in_time_is_one_line_and_nothing_runs"),
    Probe("8", "the temporary API killed in the middle of a run", "reported once; no cascade into every source",
          "one 'stopped … starting it again' line; the run completes, every source ok",
          "e2e/test_temporary_api.py::test_an_api_that_stops_mid_run_is_reported_once_and_every_source_loads"),
    Probe("must", "hypothesis over TOML documents and field values", "sources and ingest never print a traceback",
          "none; it found a non-ASCII user_agent crashing httpx, now refused at load",
          "reliability/test_fuzz_registry.py::test_ingest_never_prints_a_traceback"),
)

COLUMNS = ("#", "input", "expected", "observed after the fix", "test")


def rows() -> list[tuple[str, ...]]:
    return [(p.item, p.input, p.expected, p.observed, p.test) for p in PROBES]


def probe_table() -> Table:
    table = Table(title="Issue 11: every probe, after the fix", show_lines=True)
    for column in COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows():
        table.add_row(*(escape(cell) for cell in row))
    return table


def markdown_table() -> str:
    """The table as docs/reliability.md holds it."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows():
        cells = [cell.replace("|", "\\|") for cell in row]
        cells[-1] = f"`{cells[-1]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_probes(console: Console) -> None:
    console.print(probe_table())
