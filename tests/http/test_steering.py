"""``response.steer`` on a socket: acceptance, the automatic successor, pending, failures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from app_client import AUTH, HELLO, make_client
from starlette.testclient import TestClient
from test_routes_responses_socket import WEATHER_TOOL, read_turn, turn

# Slow enough that a steer sent after `response.created` lands while the turn still streams.
SLOW = {**AUTH, "x-mockserver-pacing": "tokens_per_second=100"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def start(ws: Any, **create: Any) -> dict[str, Any]:
    ws.send_json({"type": "response.create", **HELLO, **create})
    created = ws.receive_json()
    assert created["type"] == "response.created"
    return created["response"]


def input_texts(client: TestClient, response_id: str) -> list[str]:
    items = client.get(f"/v1/responses/{response_id}/input_items", params={"order": "asc"})
    texts = []
    for item in items.json()["data"]:
        for part in item.get("content") or []:
            texts.append(part.get("text"))
    return texts


def test_steering_a_running_turn_starts_a_successor_with_the_input(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses", headers=SLOW) as ws:
        target = start(ws, input="Write about rivers.", instructions="Be brief.")
        ws.send_json(
            {"type": "response.steer", "previous_response_id": target["id"], "input": "Only Nile."}
        )
        first = read_turn(ws)
        successor = read_turn(ws)
    accepted = [e for e in first if e["type"] == "response.steer.accepted"]
    assert len(accepted) == 1
    assert accepted[0]["steer"]["previous_response_id"] == target["id"]
    assert accepted[0]["steer"]["id"].startswith("steer_")
    stream = [e for e in first if not e["type"].startswith("response.steer.")]
    assert [e["sequence_number"] for e in stream] == list(range(1, len(stream) + 1))
    assert stream[-1]["type"] == "response.completed"
    created = successor[0]["response"]
    assert successor[0]["type"] == "response.created"
    assert created["previous_response_id"] == target["id"]
    assert created["instructions"] == "Be brief."  # inherited settings
    assert successor[-1]["type"] == "response.completed"
    assert input_texts(client, created["id"]) == ["Only Nile."]


def test_steering_a_tool_stop_is_pending_until_the_explicit_continuation(
    client: TestClient,
) -> None:
    with client.websocket_connect("/v1/responses", headers=SLOW) as ws:
        target = start(ws, tools=[WEATHER_TOOL], input="Use get_weather for Oslo")
        ws.send_json(
            {"type": "response.steer", "previous_response_id": target["id"], "input": "In F."}
        )
        events = read_turn(ws)
        pending = ws.receive_json()
        call = events[-1]["response"]["output"][0]
        assert pending["type"] == "response.steer.pending"
        assert pending["reason"] == "waiting_for_required_input"
        assert pending["required_input"] == [
            {"type": "function_call_output", "call_id": call["call_id"], "name": "get_weather"}
        ]
        output = {"type": "function_call_output", "call_id": call["call_id"], "output": "4C"}
        continued = turn(
            ws, tools=[WEATHER_TOOL], input=[output], previous_response_id=target["id"]
        )
    assert continued[-1]["type"] == "response.completed"
    continuation = continued[-1]["response"]["id"]
    assert input_texts(client, continuation)[0] == "In F."  # the queued input goes first


@pytest.mark.parametrize(
    ("steer", "code"),
    [
        ({"input": ""}, "invalid_input"),
        ({"input": [{"role": "assistant", "content": "x"}]}, "invalid_input"),
        ({"input": "x", "stream_id": "lane"}, "invalid_input"),
        ({"input": "x", "previous_response_id": "resp_unknown"}, "response_not_found"),
    ],
)
def test_invalid_or_unknown_steering_fails_without_an_id(
    client: TestClient, steer: dict[str, Any], code: str
) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        ws.send_json({"type": "response.steer", "previous_response_id": "resp_x", **steer})
        failed = ws.receive_json()
        assert failed["type"] == "response.steer.failed"
        assert failed["error"]["code"] == code
        assert failed["error"]["type"] == "invalid_request_error"
        assert "id" not in failed["steer"] and failed["steer"]["input"] == steer["input"]
        assert turn(ws)[-1]["type"] == "response.completed"  # still usable


def test_steering_a_finished_response_fails(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        done = turn(ws)[-1]["response"]
        ws.send_json({"type": "response.steer", "previous_response_id": done["id"], "input": "x"})
        failed = ws.receive_json()
    assert failed["error"]["code"] == "response_already_completed"


def test_conversation_turns_do_not_support_steering(client: TestClient) -> None:
    conversation = client.post("/v1/conversations", json={}).json()
    with client.websocket_connect("/v1/responses", headers=SLOW) as ws:
        target = start(ws, conversation=conversation["id"])
        ws.send_json({"type": "response.steer", "previous_response_id": target["id"], "input": "x"})
        events = read_turn(ws)
    failed = [e for e in events if e["type"] == "response.steer.failed"]
    assert failed and failed[0]["error"]["code"] == "steering_not_supported"
