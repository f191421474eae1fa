"""WebSocket mode (``client.responses.connect()``): the same turns as SSE, event for event.

Each scenario runs once over SSE (``responses.create(stream=True)``) and once over a socket, and
the two event sequences must match: same types in the same order, the same ``sequence_number``s,
``obfuscation`` on the same events, the same terminal event. On the mock the text deltas match
too (answers are a function of the request); the live API words each answer anew, so there the
runs of deltas are compared folded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from websockets.exceptions import InvalidStatus

from .helpers import collapse_runs

TERMINAL = ("response.completed", "response.failed", "response.incomplete")
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
CITY_FORMAT = {
    "format": {
        "type": "json_schema",
        "name": "city",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "country": {"type": "string"}},
            "required": ["name", "country"],
            "additionalProperties": False,
        },
    }
}
SCENARIOS = {
    "text": {"input": "Say hello in one short sentence."},
    "no-obfuscation": {
        "input": "Say hello in one short sentence.",
        "stream_options": {"include_obfuscation": False},
    },
    "function-call": {
        "input": "What is the weather in Paris? Use get_weather.",
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
    },
    "structured": {"input": "Name a city in France.", "text": CITY_FORMAT},
    "max-output-tokens": {"input": "Write a long story about a dragon.", "max_output_tokens": 16},
    "instructions": {"input": "Hello", "instructions": "Answer in French."},
}


def read_turn(connection: Any) -> list[Any]:
    """One turn's events, up to and including its terminal event (or a request's error)."""
    events = []
    for event in connection:
        events.append(event)
        if event.type in TERMINAL or (event.type == "error" and event.sequence_number is None):
            break
    return events


def padded(event: Any) -> bool:
    return bool(getattr(event, "obfuscation", None))


def comparable(events: list[Any], on_mock: bool) -> list[Any]:
    if on_mock:
        return [
            (e.type, e.sequence_number, getattr(e, "delta", None), padded(e)) for e in events
        ]
    return collapse_runs(e.type for e in events)



pytestmark = pytest.mark.not_recorded(
    "WebSocket mode is neither recorded nor replayed (README, WebSocket mode): "
    "these run against mock and live"
)

@pytest.fixture
def connection(client: openai.OpenAI) -> Iterator[Any]:
    with client.responses.connect() as opened:
        yield opened


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_socket_turn_streams_the_events_sse_streams(
    client: openai.OpenAI, connection: Any, model: str, on_mock: bool, scenario: str
) -> None:
    request = {"model": model, **SCENARIOS[scenario]}
    over_sse = list(client.responses.create(**request, stream=True))
    connection.response.create(**request)
    over_socket = read_turn(connection)
    assert comparable(over_socket, on_mock) == comparable(over_sse, on_mock)
    assert [e.sequence_number for e in over_socket] == list(range(len(over_socket)))
    final_sse, final_socket = over_sse[-1].response, over_socket[-1].response
    assert final_socket.status == final_sse.status
    assert [i.type for i in final_socket.output] == [i.type for i in final_sse.output]
    if on_mock:
        assert final_socket.output_text == final_sse.output_text


async def test_the_async_client_connects_too(
    async_client: openai.AsyncOpenAI, model: str
) -> None:
    async with async_client.responses.connect() as connection:
        await connection.response.create(model=model, input="Say hello.")
        events = []
        async for event in connection:
            events.append(event)
            if event.type in TERMINAL:
                break
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed" and events[-1].response.output_text


def test_a_function_call_loop_over_one_unstored_socket(connection: Any, model: str) -> None:
    connection.response.create(
        model=model,
        input="What is the weather in Oslo? Use get_weather.",
        tools=[WEATHER_TOOL],
        tool_choice="required",
        store=False,
    )
    first = read_turn(connection)[-1].response
    call = next(item for item in first.output if item.type == "function_call")
    assert call.name == "get_weather"
    # store=False: only the socket's connection-local state can continue from it.
    connection.response.create(
        model=model,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "4C, snow"}],
        tools=[WEATHER_TOOL],
        store=False,
    )
    second = read_turn(connection)[-1]
    assert second.type == "response.completed"
    assert second.response.previous_response_id == first.id
    assert second.response.output_text


def test_an_unknown_previous_response_is_an_error_event_and_the_socket_stays_open(
    connection: Any, model: str
) -> None:
    missing = "resp_00000000000000000000000000000000000000000000000000"
    connection.response.create(model=model, input="Hi", previous_response_id=missing)
    error = read_turn(connection)[-1]
    assert error.type == "error"
    assert error.error.code == "previous_response_not_found"
    assert error.error.param == "previous_response_id"
    connection.response.create(model=model, input="Hi")
    assert read_turn(connection)[-1].type == "response.completed"


def test_an_invalid_create_gets_the_message_http_gives(
    client: openai.OpenAI, connection: Any, model: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input="Hi", temperature=9, stream=True)
    connection.response.create(model=model, input="Hi", temperature=9)
    error = read_turn(connection)[-1]
    assert error.type == "error" and error.status == 400
    assert error.error.message == caught.value.body["message"]
    assert error.error.param == caught.value.body["param"] == "temperature"


def test_a_wrong_key_is_refused_in_the_handshake(wrong_key_client: openai.OpenAI) -> None:
    with pytest.raises(InvalidStatus) as caught, wrong_key_client.responses.connect():
        pass
    assert caught.value.response.status_code == 401


@pytest.mark.mock_only
def test_the_sdk_reconnects_after_the_socket_drops_mid_turn(
    client: openai.OpenAI, model: str
) -> None:
    """The SDK reconnects (its ``on_reconnecting`` hook) and flushes what was sent while it was
    reconnecting; the cut turn is lost, so the hook re-sends it, as the SDK docs advise."""
    reconnects: list[Any] = []
    lock = threading.Lock()

    def on_reconnecting(event: Any) -> dict[str, Any]:
        with lock:
            reconnects.append(event)
        connection.response.create(model=model, input="Say hello.")  # queued, sent on reconnect
        return {"extra_headers": {}}  # the next socket without the fault header

    manager = client.responses.connect(
        extra_headers={"x-mockserver-fault": "cut_stream;after_events=3"},
        on_reconnecting=on_reconnecting,
        initial_delay=0.01,
    )
    with manager as connection:
        connection.response.create(model=model, input="Say hello.")
        events = read_turn(connection)
    assert [r.close_code for r in reconnects] == [1011]
    numbers = [e.sequence_number for e in events]
    assert numbers[:3] == [0, 1, 2] and numbers[3:] == list(range(len(numbers) - 3))
    assert events[-1].type == "response.completed"


@pytest.mark.mock_only
def test_a_stub_fault_is_an_error_event(client: openai.OpenAI, model: str) -> None:
    from .mock_admin import add_stubs, journal

    add_stubs(client, {"match": {"call": 1}, "answer": {"fault": "rate_limit"}})
    with client.responses.connect() as connection:
        connection.response.create(model=model, input="Hello")
        error = read_turn(connection)[-1]
        connection.response.create(model=model, input="Hello")
        done = read_turn(connection)[-1]
    assert error.type == "error" and error.status == 429
    assert error.error.code == "rate_limit_exceeded" and error.error.headers["retry-after-ms"]
    assert done.type == "response.completed"
    assert [entry["status"] for entry in journal(client)] == [429, 200]
