"""Our own output validates against the official OpenAPI spec, where the spec is at hand.

`tests/openapi_spec.py` documents the two places the spec disagrees with real traffic
(`user: null`, `usage: null` on early stream events) and widens exactly those.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_client import HELLO, make_client
from starlette.testclient import TestClient

from mockserver.http.self_check import parse_sse

try:  # `tests` is a package or a rootdir-less test directory, depending on the layout
    from tests import openapi_spec
except ImportError:
    import openapi_spec

pytestmark = pytest.mark.skipif(
    not openapi_spec.spec_available(),
    reason=f"the official OpenAPI spec is not available ({openapi_spec.SPEC_PATH} is absent)",
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    yield from make_client()


def spec_valid(component: str, instance: Any) -> None:
    openapi_spec.validate_against_spec(component, instance)


def test_created_response_validates_against_the_spec(client: TestClient) -> None:
    reply = client.post("/v1/responses", json={**HELLO, "metadata": {"k": "v"}})
    assert reply.status_code == 200
    spec_valid("Response", reply.json())


def test_every_streamed_event_validates_against_the_spec(client: TestClient) -> None:
    reply = client.post("/v1/responses", json={**HELLO, "stream": True})
    events, problems = parse_sse(reply.content)
    assert not problems and events
    for event in events:
        spec_valid("ResponseStreamEvent", event)


def test_function_call_and_structured_output_validate_against_the_spec(client: TestClient) -> None:
    tool = {
        "type": "function",
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
        "strict": True,
    }
    called = client.post(
        "/v1/responses", json={**HELLO, "tools": [tool], "tool_choice": "required"}
    ).json()
    assert called["output"][0]["type"] == "function_call"
    spec_valid("Response", called)
    schema = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
    }
    text = {"format": {"type": "json_schema", "name": "out", "schema": schema, "strict": True}}
    spec_valid("Response", client.post("/v1/responses", json={**HELLO, "text": text}).json())


def test_lists_counts_and_errors_validate_against_the_spec(client: TestClient) -> None:
    created = client.post("/v1/responses", json=HELLO).json()
    items = client.get(f"/v1/responses/{created['id']}/input_items").json()
    spec_valid("ResponseItemList", items)
    count = client.post("/v1/responses/input_tokens", json=HELLO).json()
    spec_valid("TokenCountsResource", count)
    error = client.post("/v1/responses", json={**HELLO, "temperature": 5}).json()
    spec_valid("ErrorResponse", error)


def test_conversations_validate_against_the_spec(client: TestClient) -> None:
    conversation = client.post("/v1/conversations", json={"metadata": {"k": "v"}}).json()
    spec_valid("ConversationResource", conversation)
    client.post("/v1/responses", json={**HELLO, "conversation": conversation["id"]})
    items = client.get(f"/v1/conversations/{conversation['id']}/items").json()
    spec_valid("ConversationItemList", items)
    deleted = client.delete(f"/v1/conversations/{conversation['id']}").json()
    spec_valid("DeletedConversationResource", deleted)
