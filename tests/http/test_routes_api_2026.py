"""The 2026 API end to end: what we emit (phase, reasoning echo and items, tools as stored), the
model catalogue at work, and item references (issue #12)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from app_client import make_client
from starlette.testclient import TestClient

from mockserver.http.self_check import parse_sse

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def create(client: TestClient, status: int = 200, headers: Any = None, **body: Any) -> Any:
    reply = client.post("/v1/responses", json={"input": "Hello", **body}, headers=headers or {})
    assert reply.status_code == status, reply.text
    return reply.json()


def test_gpt_5_4_answers_with_a_phase_and_without_reasoning_at_its_default_effort(
    client: TestClient,
) -> None:
    body = create(client, model="gpt-5.4")
    assert [item["type"] for item in body["output"]] == ["message"]
    assert body["output"][0]["phase"] == "final_answer"
    assert body["model"] == "gpt-5.4-2026-03-05"
    assert body["reasoning"] == {
        "context": "current_turn", "effort": "none", "generate_summary": None,
        "mode": "standard", "summary": None,
    }  # fmt: skip
    plain = create(client, model="gpt-4o-mini")
    assert "phase" not in plain["output"][0]
    assert plain["reasoning"] == {
        "context": None, "effort": None, "generate_summary": None, "summary": None
    }


def test_a_message_before_a_tool_call_is_commentary(client: TestClient) -> None:
    from mockserver.model.respond import mark_phases

    items = [{"type": "message"}, {"type": "function_call"}, {"type": "message"}]
    mark_phases(items)
    assert [i.get("phase") for i in items] == ["commentary", None, "final_answer"]


def test_reasoning_items_carry_content_and_every_snapshot_the_2026_echo(
    client: TestClient,
) -> None:
    reply = client.post(
        "/v1/responses", json={"model": "gpt-5.6-terra", "input": "Hello", "stream": True}
    )
    events, problems = parse_sse(reply.content)
    assert problems == []
    snapshots = [e["response"] for e in events if "response" in e]
    assert snapshots and all(s["reasoning"]["context"] == "all_turns" for s in snapshots)
    assert all(s["reasoning"]["mode"] == "standard" for s in snapshots)
    final = snapshots[-1]
    assert [i["type"] for i in final["output"]] == ["reasoning", "message"]
    assert final["output"][0]["content"] == []


def test_temperature_is_allowed_where_the_catalogue_says(client: TestClient) -> None:
    create(client, model="gpt-5.4", temperature=0.2, top_p=0.9)
    error = create(client, 400, model="gpt-5.4", temperature=0.2, reasoning={"effort": "low"})
    assert error["error"]["message"] == (
        "Unsupported parameter: 'temperature' is not supported with this model."
    )


def test_tools_are_echoed_as_the_api_stores_them(client: TestClient) -> None:
    namespace = {"type": "namespace", "name": "ns", "description": "d", "tools": [WEATHER]}
    search = {"type": "tool_search", "execution": "client", "description": "find tools",
              "parameters": {"type": "object", "properties": {}}}  # fmt: skip
    body = create(client, model="gpt-5.4", tools=[WEATHER, namespace, search])
    function, echoed_namespace, echoed_search = body["tools"]
    assert list(function) == ["type", "description", "name", "output_schema", "parameters",
                              "strict"]  # fmt: skip
    # Left out, `strict` resolves true and the schema is closed as the API closes it.
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False
    assert function["parameters"]["required"] == ["city"]
    assert echoed_namespace["type"] == "namespace"
    assert echoed_namespace["tools"][0]["output_schema"] is None
    assert echoed_search == search


def test_item_references_resolve_to_stored_items(client: TestClient) -> None:
    first = create(
        client, model="gpt-4o-mini", tools=[WEATHER], input="Weather in Paris?",
        headers={"x-mockserver-tool-calls": "get_weather"},
    )  # fmt: skip
    [call] = [i for i in first["output"] if i["type"] == "function_call"]
    follow_up = [
        {"role": "user", "content": "Weather in Paris?"},
        {"type": "item_reference", "id": call["id"]},
        {"type": "function_call_output", "call_id": call["call_id"], "output": "sunny"},
    ]
    second = create(client, model="gpt-4o-mini", tools=[WEATHER], input=follow_up)
    assert "sunny" in second["output"][0]["content"][0]["text"]
    items = client.get(f"/v1/responses/{second['id']}/input_items", params={"order": "asc"})
    assert [i["type"] for i in items.json()["data"]] == [
        "message", "function_call", "function_call_output",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "reference", [{"type": "item_reference", "id": "fc_nowhere"}, {"id": "fc_nowhere"}]
)
def test_an_unknown_reference_is_the_real_404(client: TestClient, reference: Any) -> None:
    reply = client.post(
        "/v1/responses", json={"model": "gpt-4o-mini", "input": [reference]}
    )
    assert reply.status_code == 404
    assert json.loads(reply.content)["error"] == {
        "message": "Item with id 'fc_nowhere' not found.",
        "type": "invalid_request_error",
        "param": "input",
        "code": None,
    }


def test_a_bare_empty_id_is_a_400_not_an_empty_message(client: TestClient) -> None:
    error = create(client, 400, model="gpt-4o-mini", input=[{"id": ""}])
    assert error["error"]["code"] == "empty_string"


def test_a_function_call_output_may_answer_a_tool_search_call(client: TestClient) -> None:
    query = {"type": "object", "properties": {"query": {"type": "string"}}}
    search = {"type": "tool_search", "execution": "client", "description": "d", "parameters": query}
    call = {"type": "tool_search_call", "id": "tsc_1", "call_id": "call_ts", "status": "completed",
            "execution": "client", "arguments": {"query": "weather"}}  # fmt: skip
    answer = {"type": "function_call_output", "call_id": "call_ts", "output": "[]"}
    create(client, model="gpt-5.4", tools=[search], input=[{"role": "user", "content": "hi"},
                                                           call, answer])  # fmt: skip
    orphan = {**answer, "call_id": "call_nowhere"}
    error = create(client, 400, model="gpt-5.4", input=[{"role": "user", "content": "hi"}, orphan])
    assert error["error"]["message"].startswith("No tool call found for function call output")
