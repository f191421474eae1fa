"""``GET /v1/responses`` as a WebSocket, through the ASGI app (self-check on: every socket event is
validated against ``schemas/``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from app_client import AUTH, HELLO, make_client
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from mockserver.http.self_check import parse_sse

TERMINAL = ("response.completed", "response.failed", "response.incomplete")
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from make_client()


def read_turn(ws: Any) -> list[dict[str, Any]]:
    events = []
    while True:
        event = ws.receive_json()
        events.append(event)
        # A request's error ends its turn; an in-stream one (numbered) comes before the end.
        if event["type"] in TERMINAL or (
            event["type"] == "error" and "sequence_number" not in event
        ):
            return events


def turn(ws: Any, **create: Any) -> list[dict[str, Any]]:
    ws.send_json({"type": "response.create", **HELLO, **create})
    return read_turn(ws)


def shape(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What must match across transports: type, number, text, whether padded."""
    return [
        (e["type"], e.get("sequence_number"), e.get("delta"), "obfuscation" in e) for e in events
    ]


def sse_events(client: TestClient, headers: dict[str, str] | None = None, **body: Any) -> Any:
    reply = client.post(
        "/v1/responses", json={**HELLO, **body, "stream": True}, headers=headers or {}
    )
    assert reply.status_code == 200, reply.text
    events, problems = parse_sse(reply.content)
    assert problems == []
    return events


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"stream_options": {"include_obfuscation": False}},
        {"tools": [WEATHER_TOOL], "input": "Use get_weather for Paris"},
        {"max_output_tokens": 16},
        {
            "text": {
                "format": {
                    "type": "json_schema",
                    "name": "city",
                    "strict": True,
                    "schema": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}},
                        "required": ["name"],
                        "additionalProperties": False,
                    },
                }
            }
        },
    ],
    ids=["text", "no-obfuscation", "function-call", "incomplete", "structured"],
)
def test_a_socket_turn_sends_the_events_sse_streams(
    client: TestClient, body: dict[str, Any]
) -> None:
    over_sse = sse_events(client, **body)
    with client.websocket_connect("/v1/responses") as ws:
        over_socket = turn(ws, **body)
    assert shape(over_socket) == shape(over_sse)
    assert over_socket[-1]["response"]["output"][0]["type"] == (
        over_sse[-1]["response"]["output"][0]["type"]
    )


def test_sequential_turns_chain_on_one_connection_even_unstored(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        first = turn(ws, input="Remember: my project is Atlas.", store=False)[-1]["response"]
        second = turn(ws, input="What is it called?", previous_response_id=first["id"])
        third = turn(ws, input="Again?", previous_response_id=second[-1]["response"]["id"])
    assert second[-1]["type"] == third[-1]["type"] == "response.completed"
    assert second[-1]["response"]["previous_response_id"] == first["id"]
    # Not stored: another connection (or HTTP) cannot continue from it.
    with client.websocket_connect("/v1/responses") as ws:
        error = turn(ws, previous_response_id=first["id"])[-1]
        assert error == {
            "type": "error",
            "status": 400,
            "error": {
                "message": f"Previous response with id '{first['id']}' not found.",
                "type": "invalid_request_error",
                "param": "previous_response_id",
                "code": "previous_response_not_found",
            },
        }
        assert turn(ws)[-1]["type"] == "response.completed"  # the connection stays usable


def test_stored_turns_are_retrievable_over_http(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        final = turn(ws)[-1]["response"]
    stored = client.get(f"/v1/responses/{final['id']}").json()
    assert stored["id"] == final["id"] and stored["output"] == final["output"]


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        ("{not json", None),
        ("[1, 2]", None),
        (json.dumps({"type": "response.cancel"}), None),
        (json.dumps({"input": "hi"}), None),
        (json.dumps({"type": "response.create", "input": "hi"}), {"input": "hi"}),
        (
            json.dumps({"type": "response.create", **HELLO, "temperature": 9}),
            {**HELLO, "temperature": 9},
        ),
        (
            json.dumps({"type": "response.create", **HELLO, "bogus": 1}),
            {**HELLO, "bogus": 1},
        ),
    ],
    ids=["bad-json", "not-object", "unknown-type", "no-type", "no-model", "range", "unknown-param"],
)
def test_invalid_client_events_get_the_http_message_and_the_socket_stays_open(
    client: TestClient, raw: str, body: dict[str, Any] | None
) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        ws.send_text(raw)
        error = ws.receive_json()
        assert error["type"] == "error" and error["status"] == 400
        assert set(error["error"]) == {"message", "type", "param", "code"}
        if body is not None:  # the very answer POST gives for the same body
            http = client.post("/v1/responses", json={**body, "stream": True})
            assert http.status_code == 400
            assert error["error"] == http.json()["error"]
        assert turn(ws)[-1]["type"] == "response.completed"


def test_unknown_type_names_the_valid_ones(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        ws.send_json({"type": "session.update"})
        assert ws.receive_json()["error"] == {
            "message": "Invalid value: 'session.update'. Supported values are: "
            "'response.create' and 'response.steer'.",
            "type": "invalid_request_error",
            "param": "type",
            "code": "invalid_value",
        }


def test_background_is_refused_over_the_socket(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        error = turn(ws, background=True)[-1]
        assert error["error"]["param"] == "background" and error["status"] == 400


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer sk-wrong-key-0123456789"}])
def test_a_bad_key_is_refused_in_the_handshake_as_http_refuses_it(headers: dict[str, str]) -> None:
    for client in make_client(api_key="sk-right"):
        client.headers.pop("authorization")
        http = client.post("/v1/responses", json=HELLO, headers=headers)
        with (
            pytest.raises(WebSocketDenialResponse) as denied,
            client.websocket_connect("/v1/responses", headers=dict(headers)),
        ):
            pass
        assert denied.value.status_code == http.status_code == 401
        assert denied.value.json() == http.json()
        assert denied.value.headers["www-authenticate"] == 'Bearer realm="OpenAI API"'


def test_the_right_key_is_accepted() -> None:
    for client in make_client(api_key="sk-test"):
        with client.websocket_connect("/v1/responses") as ws:
            assert turn(ws)[-1]["type"] == "response.completed"


def test_stream_id_is_echoed_on_every_event(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        events = turn(ws, stream_id="lane-a")
    assert {e.get("stream_id") for e in events} == {"lane-a"}


def test_an_http_fault_is_an_error_event_with_its_status_and_headers(client: TestClient) -> None:
    headers = {**AUTH, "x-mockserver-fault": "rate_limit"}
    with client.websocket_connect("/v1/responses", headers=headers) as ws:
        error = turn(ws)[-1]
    http = client.post("/v1/responses", json=HELLO, headers={"x-mockserver-fault": "rate_limit"})
    assert error["status"] == http.status_code == 429
    headers_sent = error["error"].pop("headers")
    assert headers_sent["retry-after-ms"] == http.headers["retry-after-ms"]
    assert error["error"] == http.json()["error"]


def test_a_stream_error_fault_streams_the_socket_error_event(client: TestClient) -> None:
    headers = {**AUTH, "x-mockserver-fault": "stream_error"}
    over_sse = sse_events(client, headers={"x-mockserver-fault": "stream_error"})
    assert [e["type"] for e in over_sse] == [
        "response.created", "response.in_progress", "error", "response.failed",
    ]
    sse_error = over_sse[2]
    with client.websocket_connect("/v1/responses", headers=headers) as ws:
        events = turn(ws)
    assert [e["type"] for e in events] == [e["type"] for e in over_sse]
    assert events[2] == {
        "type": "error",
        "sequence_number": 2,
        "error": sse_error["error"],
    }


def test_a_cut_stream_fault_closes_the_socket_mid_turn(client: TestClient) -> None:
    headers = {**AUTH, "x-mockserver-fault": "cut_stream;after_events=3"}
    with client.websocket_connect("/v1/responses", headers=headers) as ws:
        ws.send_json({"type": "response.create", **HELLO})
        received = [ws.receive_json() for _ in range(3)]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert [e["sequence_number"] for e in received] == [0, 1, 2]
    assert closed.value.code == 1011


def test_stubs_answer_socket_turns(client: TestClient) -> None:
    added = client.post(
        "/__mockserver/stubs", json={"match": {"input": "weather"}, "answer": {"text": "Sunny."}}
    )
    assert added.status_code < 300, added.text
    with client.websocket_connect("/v1/responses") as ws:
        events = turn(ws, input="What is the weather?")
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == "Sunny."


def test_socket_turns_are_journaled_as_the_post_they_stand_for(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        events = turn(ws, input="journal me")
    entries = client.get("/__mockserver/journal").json()["data"]
    entry = next(e for e in entries if e.get("transport") == "websocket")
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/v1/responses", 200)
    assert entry["request_body"]["input"] == "journal me"
    assert entry["events"] == events
    assert entry["request_headers"]["authorization"] == "[REDACTED]"


def test_function_call_round_trip_on_one_socket(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        first = turn(ws, tools=[WEATHER_TOOL], input="Use get_weather for Paris")[-1]["response"]
        call = first["output"][0]
        assert call["type"] == "function_call" and call["name"] == "get_weather"
        output = {"type": "function_call_output", "call_id": call["call_id"], "output": "21C"}
        second = turn(ws, tools=[WEATHER_TOOL], input=[output], previous_response_id=first["id"])
    assert "21C" in second[-1]["response"]["output"][0]["content"][0]["text"]


def test_conversations_work_over_the_socket(client: TestClient) -> None:
    conversation = client.post("/v1/conversations", json={}).json()
    with client.websocket_connect("/v1/responses") as ws:
        turn(ws, input="first", conversation=conversation["id"])
        turn(ws, input="second", conversation=conversation["id"])
    items = client.get(f"/v1/conversations/{conversation['id']}/items").json()["data"]
    assert len(items) == 4


def test_pacing_applies_to_socket_turns(client: TestClient) -> None:
    headers = {**AUTH, "x-mockserver-pacing": "first_event_ms=1"}
    with client.websocket_connect("/v1/responses", headers=headers) as ws:
        assert turn(ws)[-1]["type"] == "response.completed"


def test_generate_false_warms_up_a_response_to_continue_from(client: TestClient) -> None:
    with client.websocket_connect("/v1/responses") as ws:
        warm = turn(ws, input="Remember: Atlas.", instructions="Be brief.", generate=False)
        assert [e["type"] for e in warm] == [
            "response.created", "response.in_progress", "response.completed",
        ]
        assert warm[-1]["response"]["output"] == []
        chained = turn(ws, input="Name it.", previous_response_id=warm[-1]["response"]["id"])
        assert chained[-1]["type"] == "response.completed"
        ws.send_json({"type": "response.create", **HELLO, "generate": "no"})
        assert ws.receive_json()["error"]["param"] == "generate"


def test_a_client_leaving_mid_turn_is_not_a_server_failure(client: TestClient) -> None:
    slow = {**AUTH, "x-mockserver-pacing": "tokens_per_second=50"}
    with client.websocket_connect("/v1/responses", headers=slow) as ws:
        ws.send_json({"type": "response.create", **HELLO})
        assert ws.receive_json()["type"] == "response.created"
        ws.close()
    with client.websocket_connect("/v1/responses") as ws:  # the server carries on
        assert turn(ws)[-1]["type"] == "response.completed"


def test_chaos_draws_a_fault_per_socket_turn() -> None:
    for client in make_client(chaos_rate=1.0, chaos_seed=3, chaos_faults=("rate_limit",)):
        with client.websocket_connect("/v1/responses") as ws:
            assert [turn(ws)[-1]["status"] for _ in range(2)] == [429, 429]
