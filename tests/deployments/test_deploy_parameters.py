"""The deployments' parameter forms: descriptions for the UI, bounds the server enforces, run names.

The Prefect server validates a run's parameters against the deployment's parameter schema (built
by ``prefect.utilities.callables.parameter_schema``) with ``schema_tools.validate`` before the run
exists; these tests run the same two functions.
"""

from __future__ import annotations

import inspect
from datetime import date

import pytest

FLOW_NAMES = ("backfill", "ingest", "publish", "reparse", "rerun-failed")
WEEK = {"since": "2024-10-01", "until": "2024-10-07"}


def flows() -> dict:
    """The flows by name, imported when a test runs (Prefect costs a second or two: collection stays quick)."""
    from govpress.flows.ingest import ingest, reparse
    from govpress.flows.operations import backfill, publish
    from govpress.flows.rerun import rerun_failed

    return {"ingest": ingest, "reparse": reparse, "backfill": backfill, "publish": publish, "rerun-failed": rerun_failed}


def schema_of(flow) -> dict:
    from prefect.utilities.callables import parameter_schema

    return parameter_schema(flow.fn).model_dump_for_openapi()


def server_accepts(flow, parameters: dict, schema: dict | None = None) -> bool:
    from prefect.utilities.schema_tools import ValidationError, validate

    try:
        validate(parameters, schema or schema_of(flow), raise_on_error=True, ignore_required=False)
    except ValidationError:
        return False
    return True


def form_errors(flow, parameters: dict, schema: dict | None = None) -> dict:
    """What the UI's form shows: the server's /ui/schemas/validate answer (errors nested by property)."""
    from prefect.utilities.schema_tools.validation import build_error_obj, validate

    return build_error_obj(validate(parameters, schema or schema_of(flow)))


UI_KEYWORDS = {"position", "block_type_slug", "$ref", "anyOf", "allOf", "example", "default", "const", "description",
               "enum", "format", "items", "prefixItems", "properties", "required", "title", "type", "maxItems", "minItems"}
"""The keywords Prefect 3.9's form keeps of each property when it asks the server to check values (the UI's
SchemaProperty mapper); the rest (minimum, maximum, uniqueItems, if/then, ...) never reach that check."""


def ui_view(schema: dict) -> dict:
    """The schema as the form sends it to /ui/schemas/validate: each property and definition cut to UI_KEYWORDS."""
    def cut(spec: dict) -> dict:
        kept = {k: v for k, v in spec.items() if k in UI_KEYWORDS}
        if "properties" in kept:
            kept["properties"] = {name: cut(s) for name, s in kept["properties"].items()}
        return kept

    return {**cut(schema), "definitions": {name: cut(d) for name, d in schema.get("definitions", {}).items()}}


def test_the_names_are_every_flow():
    assert sorted(flows()) == list(FLOW_NAMES)


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_every_parameter_is_described_in_the_form_and_the_docstring(name):
    flow = flows()[name]
    properties = schema_of(flow)["properties"]
    assert set(properties) == set(inspect.signature(flow.fn).parameters)
    missing = [p for p, spec in properties.items() if len(spec.get("description") or "") < 10]
    assert not missing, f"{name}: parameters without a description: {missing}"
    doc = inspect.getdoc(flow.fn)
    args = doc.split("Args:", 1)[1]
    for parameter in properties:
        assert f"\n    {parameter}: " in "\n" + args, f"{name}: {parameter} not in the docstring's Args"


def test_backfill_requires_a_source_and_a_date_range():
    backfill = flows()["backfill"]
    schema = schema_of(backfill)
    assert set(schema["required"]) == {"source", "dates"}
    dates = schema["definitions"]["RequiredDateRange"]
    assert set(dates["required"]) == {"since", "until"} and dates["properties"]["since"]["format"] == "date"
    assert not server_accepts(backfill, {"source": "kremlin_ru", "dates": {"since": "2024-10-01"}})
    assert server_accepts(backfill, {"source": "kremlin_ru", "dates": WEEK})


@pytest.mark.parametrize(("name", "value", "accepted"), [
    ("ingest", -1, False), ("ingest", 0, True), ("ingest", 1, True), ("ingest", 10_000, True), ("ingest", 10_001, False),
    ("backfill", 0, False), ("backfill", 1, True), ("backfill", 100_000, True), ("backfill", 100_001, False),
])
def test_max_pages_bounds_are_enforced_before_the_run(name, value, accepted):
    flow = flows()[name]
    parameters = {"max_pages": value}
    if name == "backfill":
        parameters |= {"source": "kremlin_ru", "dates": WEEK}
    assert server_accepts(flow, parameters) is accepted


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ingest", -1, "-1 is less than the minimum of 0"),
    ("ingest", 10_001, "10001 is greater than the maximum of 10000"),
    ("backfill", 0, "0 is less than the minimum of 1"),
])
def test_a_bound_says_which_bound_in_the_form(name, value, message):
    """Not "0 is not valid under any of the given schemas": bounds are plain integers, never Optional."""
    flow = flows()[name]
    parameters = {"max_pages": value} | ({"source": "kremlin_ru", "dates": WEEK} if name == "backfill" else {})
    # The same check stands at the top level and inside allOf (the copy the form keeps): one message.
    errors = form_errors(flow, parameters)["errors"]
    assert {e["property"] for e in errors} == {"max_pages"}
    assert {m for e in errors for m in e["errors"]} == {message}
    assert form_errors(flow, parameters, ui_view(schema_of(flow)))["errors"] == [
        {"property": "max_pages", "errors": [message]}]


def test_backfill_source_is_one_of_the_registry_ids():
    from govpress.registry import load_registry

    backfill = flows()["backfill"]
    ids = [s.id for s in load_registry().source]
    assert schema_of(backfill)["properties"]["source"]["enum"] == ids
    base = {"dates": WEEK}
    assert not server_accepts(backfill, base | {"source": "Kremlin RU"})
    assert not server_accepts(backfill, base | {"source": "kremlin_rus"})
    assert server_accepts(backfill, base | {"source": "president_az_az"})


def test_sources_are_a_multi_select_of_the_registry_ids():
    """An array of a string enum is what Prefect's form renders as a multi-select."""
    from govpress.registry import load_registry

    ingest = flows()["ingest"]
    spec = schema_of(ingest)["properties"]["sources"]
    assert spec["type"] == "array" and spec["default"] == []
    assert spec["items"] == {"type": "string", "enum": [s.id for s in load_registry().source]}
    assert server_accepts(ingest, {"sources": ["kremlin_ru", "belta_de"]})
    assert not server_accepts(ingest, {"sources": ["kremlin_rus"]})
    assert not server_accepts(ingest, {"sources": ["kremlin_ru", "kremlin_ru"]})


def test_served_deployments_offer_their_own_registry_with_a_line_per_id():
    from govpress.flows.parameters import apply_registry_choices
    from govpress.registry import load_registry

    demo = [s for s in load_registry().source][:3]
    for name, key in (("ingest", "sources"), ("backfill", "source")):
        schema = schema_of(flows()[name])
        apply_registry_choices(schema["properties"], demo)
        spec = schema["properties"][key]
        choices = spec["items"]["enum"] if key == "sources" else spec["enum"]
        assert choices == [s.id for s in demo]
        for source in demo:
            assert f"- `{source.id}`: {source.name}" in spec["description"]
    schema = schema_of(flows()["ingest"])
    apply_registry_choices(schema["properties"], demo)
    assert not server_accepts(flows()["ingest"], {"sources": ["belta_de"]}, schema)  # not in this registry


@pytest.mark.parametrize("name", ["ingest", "backfill"])
@pytest.mark.parametrize(("since", "until", "reversed_"), [
    ("2024-10-05", "2024-10-01", True), ("2024-10-01", "2024-10-05", False), ("2024-10-01", "2024-10-01", False),
    ("2025-01-01", "2024-12-31", True), ("2024-12-31", "2025-01-01", False), ("2024-10-10", "2024-10-09", True),
    ("2019-10-10", "2024-01-01", False), ("2024-02-29", "2024-02-28", True), ("1999-12-31", "2000-01-01", False),
])
def test_a_reversed_range_is_refused_before_the_run_with_a_readable_message(name, since, until, reversed_):
    flow = flows()[name]
    parameters = {"dates": {"since": since, "until": until}} | ({"source": "kremlin_ru"} if name == "backfill" else {})
    errors = form_errors(flow, parameters)["errors"]
    assert form_errors(flow, parameters, ui_view(schema_of(flow)))["errors"] == errors  # the form sees the same
    if reversed_:
        assert errors == [{"property": "dates", "errors": [
            {"property": "until", "errors": [f"'{until}' is not one of ['a day on or after since']"]}]}]
    else:
        assert errors == []
    assert server_accepts(flow, parameters) is not reversed_


def test_the_schema_check_agrees_with_the_model_on_every_pair_of_a_sample():
    """The digit-by-digit JSON Schema comparison against Python's, on random pairs of days and every edge.

    The edges are where a digit-by-digit comparison can go wrong: the same year or month with the
    other parts one apart, and the turn of a month, a year, a decade and a century.
    """
    import random
    from datetime import timedelta

    from prefect.utilities.schema_tools.validation import validate

    from govpress.flows.parameters import DateRange

    schema = schema_of(flows()["ingest"])
    rng = random.Random(12)
    start = date(1990, 1, 1)
    edges = [date(y, m, d) for y in (1999, 2000, 2009, 2010, 2099, 2100)
             for m, d in ((1, 1), (2, 28), (2, 29) if y % 4 == 0 and y != 2100 else (3, 1), (9, 30), (10, 1), (12, 31))]
    pairs = [(a, a + timedelta(days=step)) for a in edges for step in (-366, -32, -1, 0, 1, 32, 366)]
    for _ in range(600):
        a = start + timedelta(days=rng.randrange(50 * 365))
        pairs.append((a, a + timedelta(days=rng.choice([-400, -31, -1, 0, 1, 31, 400, rng.randrange(-9000, 9000)]))))
    for a, b in pairs:
        refused = bool(validate({"dates": {"since": a.isoformat(), "until": b.isoformat()}}, schema))
        assert refused == (a > b), (a, b)
        if a > b:
            with pytest.raises(ValueError, match="is after until"):
                DateRange(since=a, until=b)


def test_open_ended_ranges_are_accepted():
    ingest = flows()["ingest"]
    for dates in ({}, {"since": "2024-10-01"}, {"until": "2024-10-01"}, {"since": None, "until": "2024-10-01"}):
        assert server_accepts(ingest, {"dates": dates}), dates


def test_dates_must_be_dates():
    from prefect.exceptions import ParameterTypeError

    ingest, backfill = flows()["ingest"], flows()["backfill"]
    assert server_accepts(ingest, {"dates": WEEK})
    # The form's check (/ui/schemas/validate) asserts "format": "date"; the API's check before a
    # run does not, and the flow's own pydantic validation refuses the run when it starts.
    assert form_errors(ingest, {"dates": {"since": "yesterday"}})["errors"] == [
        {"property": "dates", "errors": [{"property": "since", "errors": ["'yesterday' is not valid under any of the given schemas"]}]}]
    with pytest.raises(ParameterTypeError):
        ingest.validate_parameters({"dates": {"since": "yesterday"}})
    with pytest.raises(ParameterTypeError):
        backfill.validate_parameters({"source": "kremlin_ru", "dates": {"since": "2024-13-01", "until": "2024-10-03"}})


def test_a_reversed_range_started_from_python_fails_on_its_parameters():
    from prefect.exceptions import ParameterTypeError

    with pytest.raises(ParameterTypeError, match="since 2024-10-05 is after until 2024-10-01"):
        flows()["ingest"].validate_parameters({"dates": {"since": "2024-10-05", "until": "2024-10-01"}})


def test_rerun_failed_takes_a_flow_run_id():
    rerun = flows()["rerun-failed"]
    assert schema_of(rerun)["properties"]["flow_run_id"]["format"] == "uuid"
    assert form_errors(rerun, {"flow_run_id": "yesterday's run"})["errors"] == [
        {"property": "flow_run_id", "errors": ["\"yesterday's run\" is not a 'uuid'"]}]
    assert server_accepts(rerun, {"flow_run_id": "43df7e39-d309-4266-b3ca-757b4428b5cb"})


def test_publish_steps_are_a_closed_choice():
    publish = flows()["publish"]
    spec = schema_of(publish)["properties"]["steps"]
    assert spec["enum"] == ["index and snapshot", "snapshot only", "index only"]
    assert spec["default"] == "index and snapshot"
    assert not server_accepts(publish, {"steps": "everything"})
    assert server_accepts(publish, {"steps": "snapshot only"})


def test_client_side_validation_rejects_the_same_bounds():
    from prefect.exceptions import ParameterTypeError

    from govpress.flows.operations import BACKFILL_MAX_PAGES

    backfill = flows()["backfill"]
    # A run started in Python (not through the API) is validated by pydantic with the same bounds.
    with pytest.raises(ParameterTypeError):
        backfill.validate_parameters({"source": "kremlin_ru", "dates": WEEK, "max_pages": 0})
    validated = backfill.validate_parameters({"source": "kremlin_ru", "dates": WEEK})
    assert validated["dates"].since == date(2024, 10, 1) and validated["max_pages"] == BACKFILL_MAX_PAGES


def test_backfill_window_must_not_be_reversed():
    from govpress.run import check_window

    check_window(date(2024, 10, 1), date(2024, 10, 1))
    with pytest.raises(ValueError, match="after"):
        check_window(date(2024, 10, 3), date(2024, 10, 1))


def test_run_names_say_what_the_run_does():
    from govpress.flows.ingest import ingest_label, reparse_label
    from govpress.flows.operations import backfill_label

    assert ingest_label({"sources": ["kremlin_ru"], "dates": WEEK}) == "ingest kremlin_ru 2024-10-01..2024-10-07"
    assert ingest_label({"sources": [], "dates": {"since": "2024-10-01"}}) == "ingest all 2024-10-01.."
    assert ingest_label({}) == "ingest all"
    assert backfill_label({"source": "kremlin_ru", "dates": WEEK}) == "backfill kremlin_ru 2024-10-01..2024-10-07"
    assert reparse_label({"sources": ["a", "b"]}) == "reparse a,b"
    assert flows()["publish"].flow_run_name.format(steps="snapshot only") == "publish snapshot only"
