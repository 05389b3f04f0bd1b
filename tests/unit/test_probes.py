"""The table of issue 11's probes (govpress/demo/probes.py): docs/reliability.md carries it, and every test it names exists."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from govpress.cli import app
from govpress.demo.probes import PROBES, markdown_table
from testpaths import ROOT


def test_the_docs_carry_the_table_as_the_code_has_it():
    docs = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    block = docs.split("<!-- probes: generated from govpress/demo/probes.py -->\n", 1)[1].split("\n<!-- /probes -->", 1)[0]
    assert block == markdown_table()


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.test.split("::")[1][:60])
def test_every_named_test_exists(probe):
    path, name = probe.test.split("::")
    source = (ROOT / "tests" / path).read_text(encoding="utf-8")
    assert re.search(rf"^(async )?def {re.escape(name)}\(", source, re.M), probe.test


def test_every_item_of_the_issue_has_a_probe():
    assert {p.item for p in PROBES} >= {"1", "2", "3", "4", "5", "6", "7", "8", "must"}


def test_reliability_faults_prints_the_probes():
    result = CliRunner().invoke(app, ["reliability", "faults", "--probes", "--width", "300"])
    assert result.exit_code == 0
    assert "Issue 11: every probe" in result.output and "test_crash_converg" in result.output
