"""The deployments' parameter forms: descriptions for the UI, bounds the server enforces, run names.

The Prefect server validates a run's parameters against the deployment's parameter schema (built
by ``prefect.utilities.callables.parameter_schema``) with ``schema_tools.validate`` before the run
exists; these tests run the same two functions.
"""

from __future__ import annotations

import inspect
from datetime import date

import pytest

FLOW_NAMES = ("backfill", "ingest", "publish", "reparse")


def flows() -> dict:
    """The flows by name, imported when a test runs (Prefect costs a second or two: collection stays quick)."""
    from govpress.flows.ingest import ingest, reparse
    from govpress.flows.operations import backfill, publish

    return {"ingest": ingest, "reparse": reparse, "backfill": backfill, "publish": publish}


def schema_of(flow) -> dict:
    from prefect.utilities.callables import parameter_schema

    return parameter_schema(flow.fn).model_dump_for_openapi()


def server_accepts(flow, parameters: dict) -> bool:
    from prefect.utilities.schema_tools import ValidationError, validate

    try:
        validate(parameters, schema_of(flow), raise_on_error=True, ignore_required=False)
    except ValidationError:
        return False
    return True


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
    assert set(schema["required"]) == {"source", "since", "until"}
    assert schema["properties"]["since"]["format"] == "date"
    assert not server_accepts(backfill, {"source": "kremlin_ru", "since": "2024-10-01"})
    assert server_accepts(backfill, {"source": "kremlin_ru", "since": "2024-10-01", "until": "2024-10-03"})


@pytest.mark.parametrize(("name", "value", "accepted"), [
    ("ingest", 0, False), ("ingest", 1, True), ("ingest", 10_000, True), ("ingest", 10_001, False),
    ("ingest", None, True),
    ("backfill", 0, False), ("backfill", 1, True), ("backfill", 100_000, True), ("backfill", 100_001, False),
])
def test_max_pages_bounds_are_enforced_before_the_run(name, value, accepted):
    flow = flows()[name]
    parameters = {"max_pages": value}
    if name == "backfill":
        parameters |= {"source": "kremlin_ru", "since": "2024-10-01", "until": "2024-10-03"}
    assert server_accepts(flow, parameters) is accepted


def test_backfill_source_must_look_like_a_registry_id():
    backfill = flows()["backfill"]
    base = {"since": "2024-10-01", "until": "2024-10-03"}
    assert not server_accepts(backfill, base | {"source": "Kremlin RU"})
    assert not server_accepts(backfill, base | {"source": ""})
    assert server_accepts(backfill, base | {"source": "president_az_az"})


def test_dates_must_be_dates():
    from prefect.exceptions import ParameterTypeError

    ingest, backfill = flows()["ingest"], flows()["backfill"]
    # The server's JSON-schema check ignores "format": date; the UI offers a date picker and the
    # flow's own pydantic validation rejects anything else when the run starts.
    assert server_accepts(ingest, {"since": "2024-10-01", "until": "2024-10-31"})
    with pytest.raises(ParameterTypeError):
        ingest.validate_parameters({"since": "yesterday"})
    with pytest.raises(ParameterTypeError):
        backfill.validate_parameters({"source": "kremlin_ru", "since": "2024-13-01", "until": "2024-10-03"})


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
        backfill.validate_parameters({"source": "kremlin_ru", "since": "2024-10-01", "until": "2024-10-03",
                                      "max_pages": 0})
    validated = backfill.validate_parameters({"source": "kremlin_ru", "since": "2024-10-01", "until": "2024-10-03"})
    assert validated["since"] == date(2024, 10, 1) and validated["max_pages"] == BACKFILL_MAX_PAGES


def test_backfill_window_must_not_be_reversed():
    from govpress.run import check_window

    check_window(date(2024, 10, 1), date(2024, 10, 1))
    with pytest.raises(ValueError, match="after"):
        check_window(date(2024, 10, 3), date(2024, 10, 1))


def test_run_names_say_what_the_run_does():
    backfill, publish = flows()["backfill"], flows()["publish"]
    assert backfill.flow_run_name.format(source="kremlin_ru", since=date(2024, 10, 1), until=date(2024, 10, 3)) \
        == "backfill kremlin_ru 2024-10-01..2024-10-03"
    assert publish.flow_run_name.format(steps="snapshot only") == "publish snapshot only"
