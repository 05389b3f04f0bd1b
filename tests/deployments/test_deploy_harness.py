"""The deployment tests' API client retries what Prefect's own client retries, and nothing else."""

from __future__ import annotations

import httpx

from deploy_harness import RetryingTransport


def _client(answers: list[int], pauses: list[float], attempts: int = 6) -> tuple[httpx.Client, list[bytes]]:
    bodies: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        return httpx.Response(answers.pop(0), json={"n": len(bodies)})

    transport = RetryingTransport(httpx.MockTransport(answer), attempts=attempts, sleep=pauses.append)
    return httpx.Client(base_url="http://127.0.0.1:9/api/", transport=transport), bodies


def test_a_503_is_sent_again_with_the_same_body_and_the_success_is_returned():
    pauses: list[float] = []
    client, bodies = _client([503, 503, 201], pauses)
    response = client.post("deployments/x/create_flow_run", json={"parameters": {"source": "a"}})
    assert response.status_code == 201 and response.json() == {"n": 3}
    assert len(set(bodies)) == 1 and len(bodies) == 3
    assert pauses == [0.5, 1.0]


def test_other_errors_are_returned_at_once():
    for status in (400, 404, 409, 422, 500):
        pauses: list[float] = []
        client, bodies = _client([status, 201], pauses)
        assert client.get("flow_runs/x").status_code == status
        assert len(bodies) == 1 and pauses == []


def test_the_retries_are_bounded_and_the_last_answer_is_returned():
    pauses: list[float] = []
    client, bodies = _client([503, 429, 502, 503], pauses, attempts=4)
    assert client.get("health").status_code == 503
    assert len(bodies) == 4 and pauses == [0.5, 1.0, 2.0]
