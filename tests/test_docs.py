"""The documentation says what the code does (as sqlite-utils' tests/test_docs.py does for its CLI).

- README.md's command table names every command and option of ``govpress``, and nothing else;
- the header comment of sources.toml documents every field of a registry entry (``Source``,
  its ``[source.listing]`` and ``[source.json_listing]`` tables), and nothing else.
"""

from __future__ import annotations

import itertools
import re

import pytest
import typer.main

from govpress.cli import app
from govpress.registry import JsonListing, ListingSelectors, Source
from testpaths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES_TOML = (ROOT / "sources.toml").read_text(encoding="utf-8")
OPTION = re.compile(r"--[a-z][a-z-]*")


def command_table() -> str:
    """The table under README's "## Commands" heading."""
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def documented_commands() -> dict[tuple[str, ...], set[str]]:
    """{command path: its options} from the first column of the command table."""
    commands: dict[tuple[str, ...], set[str]] = {}
    for row in command_table().splitlines():
        first_cell = re.split(r"(?<!\\)\|", row)[1]
        path: tuple[str, ...] | None = None
        for usage in re.findall(r"`([^`]+)`", first_cell):
            if usage.startswith("govpress"):
                words = usage.split()[1:]
                path = tuple(w for w in _leading_names(words))
                commands.setdefault(path, set())
            if path is None:
                continue  # a header row or prose
            commands[path] |= set(OPTION.findall(usage))
    return commands


def _leading_names(words: list[str]):
    """The subcommand names at the start of a usage line (lower-case words before any option or PLACEHOLDER)."""
    for word in words:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            return
        yield word


def cli_commands() -> dict[tuple[str, ...], set[str]]:
    """{command path: its long options} for every command a user can run, from typer's click tree."""
    found: dict[tuple[str, ...], set[str]] = {}

    def walk(command, path: tuple[str, ...]) -> None:  # typer ships its own click: duck-typed
        subcommands = getattr(command, "commands", None)
        runnable = subcommands is None or command.invoke_without_command
        if path and runnable:
            found[path] = {opt for p in command.params for opt in p.opts if opt.startswith("--")} - {"--help"}
        for name, sub in (subcommands or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return found


def test_the_readme_table_has_a_row_per_command():
    assert len(command_table().splitlines()) >= 10  # the header, the rule and the commands: the parse found it
    assert set(documented_commands()) == set(cli_commands())


@pytest.mark.parametrize("path", sorted(cli_commands()), ids=" ".join)
def test_every_option_of_a_command_is_in_the_readme_table_and_back(path):
    assert documented_commands().get(path) == cli_commands()[path]


# --- sources.toml ---------------------------------------------------------------------------------


def header_fields() -> tuple[set[str], dict[str, set[str]]]:
    """(entry fields, {sub-table: its fields}) from the comment block at the top of sources.toml."""
    header = "\n".join(itertools.takewhile(lambda line: line.startswith("#"), SOURCES_TOML.splitlines()))
    fields: set[str] = set()
    tables: dict[str, set[str]] = {}
    for line in header.splitlines():
        entry = re.match(r"#   ([a-z_]+)\s+\S", line)
        table = re.match(r"#   \[source\.([a-z_]+)\]\s+(.+?):", line)
        if entry:
            fields.add(entry.group(1))
        elif table:
            tables[table.group(1)] = {name.strip() for name in table.group(2).split(",")}
    return fields, tables


def test_every_registry_field_is_documented_in_the_sources_toml_header_and_back():
    fields, tables = header_fields()
    assert len(fields) > 10  # the parse found the block
    sub_tables = {"listing": ListingSelectors, "json_listing": JsonListing}
    assert fields | set(tables) == set(Source.model_fields)
    for name, model in sub_tables.items():
        assert tables.get(name) == set(model.model_fields), f"[source.{name}]"
