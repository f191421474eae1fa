"""Parsing clients' input (routes/common.py): deep JSON and odd integers get the API's 400.

Before #16, arrays nested 255+ deep in ``metadata`` (256+ in ``input``), a ``text.format``
schema about 125 objects deep or deeply nested tool parameters gave a 500, and the journal then
answered a plain-text 500 until the entry aged out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import ManualClock, ServerConfig, create_app
from mockserver.contract.json_depth import MAX_JSON_DEPTH

AUTH = {"authorization": "Bearer sk-test"}
HELLO = {"model": "gpt-4o-mini", "input": "Hello"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(ServerConfig(self_check=True, api_key="sk-test"), clock=ManualClock())
    with TestClient(app, headers=AUTH) as test_client:
        yield test_client
    assert app.state.mock.take_failures() == []


def dumps(value: Any) -> bytes:
    # json, not orjson: orjson refuses to write more than 255 levels.
    return json.dumps(value).encode()


def arrays(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def schema(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        node = {
            "type": "object",
            "properties": {"a": node},
            "required": ["a"],
            "additionalProperties": False,
        }
    return node


def is_too_deep(reply: Any) -> bool:
    error = reply.json()["error"]
    return (
        reply.status_code == 400
        and error["type"] == "invalid_request_error"
        and error["code"] == "invalid_json"
        and f"deeper than {MAX_JSON_DEPTH} levels" in error["message"]
    )


@pytest.mark.parametrize(
    "body",
    [
        {**HELLO, "metadata": {"a": arrays(255)}},
        {**HELLO, "metadata": {"a": arrays(300)}},
        {**HELLO, "input": arrays(256)},
        {**HELLO, "text": {"format": {"type": "json_schema", "name": "n", "schema": schema(125)}}},
        {
            **HELLO,
            "tools": [
                {"type": "function", "name": "f", "parameters": schema(130), "strict": False}
            ],
        },
    ],
    ids=["metadata-255", "metadata-300", "input-256", "text-format-125", "tool-parameters-130"],
)
def test_deep_json_is_a_400_and_the_journal_still_answers(client: TestClient, body: Any) -> None:
    reply = client.post("/v1/responses", content=dumps(body))
    assert is_too_deep(reply), reply.text
    journal = client.get("/__mockserver/journal")
    assert journal.status_code == 200
    [entry] = journal.json()["data"]
    assert entry["status"] == 400 and entry["request_body"] is None  # too deep to show


def test_json_past_the_parsers_own_limit_is_too_deep_not_invalid(client: TestClient) -> None:
    raw = b'{"model": "gpt-4o-mini", "input": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    assert is_too_deep(client.post("/v1/responses", content=raw))


def test_json_just_inside_the_limit_is_judged_on_its_content(client: TestClient) -> None:
    reply = client.post("/v1/responses", json={**HELLO, "metadata": {"a": arrays(60)}})
    assert reply.status_code == 400 and reply.json()["error"]["param"] == "metadata.a"


@pytest.mark.parametrize(
    "path",
    ["/v1/conversations", "/v1/responses/input_tokens", "/__mockserver/stubs"],
)
def test_every_json_endpoint_applies_the_limit(client: TestClient, path: str) -> None:
    body = {"metadata": {"a": arrays(200)}, "items": arrays(200), "input": arrays(200)}
    assert is_too_deep(client.post(path, content=dumps({**HELLO, **body})))


def test_a_deep_body_is_not_walked_by_stub_matching(client: TestClient) -> None:
    client.post("/__mockserver/stubs", json={"match": {"input": "x"}, "answer": "stubbed"})
    deep = dumps({**HELLO, "input": arrays(400)})
    assert is_too_deep(client.post("/v1/responses", content=deep))


@pytest.mark.parametrize("raw", [" +5", "+5", "5 ", "1_0", "\u0665", "0x5", "5.0", ""])
def test_query_integers_are_digits_only(client: TestClient, raw: str) -> None:
    created = client.post("/v1/responses", json=HELLO).json()
    reply = client.get(f"/v1/responses/{created['id']}/input_items", params={"limit": raw})
    assert reply.status_code == 400
    assert reply.json()["error"]["message"] == (
        "Invalid type for 'limit': expected an integer, but got a string instead."
    )


def test_query_integers_still_accept_plain_and_negative_numbers(client: TestClient) -> None:
    created = client.post("/v1/responses", json=HELLO).json()
    path = f"/v1/responses/{created['id']}/input_items"
    assert client.get(path, params={"limit": "5"}).status_code == 200
    below = client.get(path, params={"limit": "-1"}).json()["error"]
    assert below["code"] == "integer_below_min_value"
