"""Structured requests through the ASGI app: headers in, seed header out, server-wide options."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from app_client import make_client
from starlette.testclient import TestClient

from mockserver.http.self_check import parse_sse

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "n": {"type": "integer"}},
    "required": ["name", "n"],
    "additionalProperties": False,
}
BODY = {
    "model": "gpt-4o-mini",
    "input": "Fill it in.",
    "text": {"format": {"type": "json_schema", "name": "out", "schema": SCHEMA, "strict": True}},
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def answer(reply: Any) -> Any:
    assert reply.status_code == 200, reply.text
    return json.loads(reply.json()["output"][0]["content"][0]["text"])


def test_the_seed_header_comes_back_and_replays(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=BODY, headers={"x-mockserver-edge-cases": "1"})
    seed = reply.headers["x-mockserver-seed"]
    again = client.post("/v1/responses", json=BODY, headers={"x-mockserver-seed": seed})
    assert again.headers["x-mockserver-seed"] == seed
    assert answer(again) == answer(reply)
    plain = client.post("/v1/responses", json=BODY)
    assert "x-mockserver-seed" not in plain.headers


def test_the_seed_header_is_on_streams_too(client: TestClient) -> None:
    reply = client.post(
        "/v1/responses", json={**BODY, "stream": True}, headers={"x-mockserver-seed": "11"}
    )
    assert reply.headers["x-mockserver-seed"] == "11"
    events, problems = parse_sse(reply.content)
    assert not problems
    final = events[-1]["response"]
    body = client.post("/v1/responses", json=BODY, headers={"x-mockserver-seed": "11"}).json()
    assert final["output"][0]["content"][0]["text"] == body["output"][0]["content"][0]["text"]


def test_server_wide_edge_mode_with_a_seed() -> None:
    for client in make_client(edge_cases=True, edge_seed=7):
        first = client.post("/v1/responses", json=BODY)
        assert first.headers["x-mockserver-seed"] == "7"
        assert answer(client.post("/v1/responses", json=BODY)) == answer(first)
        off = client.post("/v1/responses", json=BODY, headers={"x-mockserver-edge-cases": "0"})
        assert "x-mockserver-seed" not in off.headers


def test_bad_mock_headers_are_400s(client: TestClient) -> None:
    reply = client.post("/v1/responses", json=BODY, headers={"x-mockserver-seed": "soon"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "invalid_mock_header" and "x-mockserver-seed" in error["message"]


def test_echo_in_stored_responses(client: TestClient) -> None:
    loose = {
        **BODY,
        "text": {"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}}},
    }
    created = client.post("/v1/responses", json=loose).json()
    fmt = client.get(f"/v1/responses/{created['id']}").json()["text"]["format"]
    assert fmt == {
        "type": "json_schema",
        "description": None,
        "name": "out",
        "schema": {"type": "object"},
        "strict": False,
    }
