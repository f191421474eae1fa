"""Streaming ``responses.create``: event order, sequence numbers, text, obfuscation, SSE framing."""

from __future__ import annotations

import json
from typing import Any

import openai

from contract_tests.helpers import collapse_runs

PROMPT = "Say hello in one short sentence."

# A plain text turn, with runs of `output_text.delta` folded into one entry.
TEXT_TURN = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


def check_text_turn(events: list[Any]) -> None:
    assert collapse_runs(event.type for event in events) == TEXT_TURN
    assert [event.sequence_number for event in events] == list(range(len(events)))

    created, in_progress = events[0].response, events[1].response
    assert created.id.startswith("resp_")
    assert in_progress.id == created.id
    assert created.status == in_progress.status == "in_progress"
    assert created.output == [] and created.usage is None

    added = events[2]
    assert added.output_index == 0
    assert added.item.type == "message" and added.item.status == "in_progress"
    assert added.item.content == []
    part_added = events[3]
    assert part_added.item_id == added.item.id
    assert part_added.part.type == "output_text" and part_added.part.text == ""

    deltas = [event for event in events if event.type == "response.output_text.delta"]
    assert all(delta.item_id == added.item.id for delta in deltas)
    text = "".join(delta.delta for delta in deltas)
    assert text

    done = next(event for event in events if event.type == "response.output_text.done")
    assert done.text == text
    part_done = next(event for event in events if event.type == "response.content_part.done")
    assert part_done.part.text == text
    item_done = next(event for event in events if event.type == "response.output_item.done")
    assert item_done.item.id == added.item.id
    assert item_done.item.status == "completed"

    final = events[-1].response
    assert final.id == created.id
    assert final.status == "completed"
    assert final.output_text == text
    assert final.usage is not None
    assert final.usage.total_tokens == final.usage.input_tokens + final.usage.output_tokens


def test_stream_event_order_and_text(client: openai.OpenAI, model: str) -> None:
    events = list(client.responses.create(model=model, input=PROMPT, stream=True))
    check_text_turn(events)


async def test_async_stream_event_order_and_text(
    async_client: openai.AsyncOpenAI, model: str
) -> None:
    stream = await async_client.responses.create(model=model, input=PROMPT, stream=True)
    events = [event async for event in stream]
    check_text_turn(events)


def obfuscation(event: Any) -> Any:
    # Not in the SDK's event type: it arrives as an extra field.
    assert event.to_dict().get("obfuscation") == (event.model_extra or {}).get("obfuscation")
    return (event.model_extra or {}).get("obfuscation")


def test_deltas_are_obfuscated_by_default(client: openai.OpenAI, model: str) -> None:
    events = list(client.responses.create(model=model, input=PROMPT, stream=True))
    deltas = [event for event in events if event.type == "response.output_text.delta"]
    assert deltas
    for delta in deltas:
        padding = obfuscation(delta)
        assert isinstance(padding, str) and padding


def test_obfuscation_can_be_turned_off(client: openai.OpenAI, model: str) -> None:
    events = list(
        client.responses.create(
            model=model,
            input=PROMPT,
            stream=True,
            stream_options={"include_obfuscation": False},
        )
    )
    deltas = [event for event in events if event.type == "response.output_text.delta"]
    assert deltas
    assert all(obfuscation(delta) is None for delta in deltas)
    assert all("obfuscation" not in delta.to_dict() for delta in deltas)


def test_stream_helper(client: openai.OpenAI, model: str) -> None:
    pieces: list[str] = []
    with client.responses.stream(model=model, input=PROMPT) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                pieces.append(event.delta)
                assert event.snapshot == "".join(pieces)
        final = stream.get_final_response()
    assert pieces
    assert final.id.startswith("resp_")
    assert final.status == "completed"
    assert final.output_text == "".join(pieces)


async def test_async_stream_helper(async_client: openai.AsyncOpenAI, model: str) -> None:
    pieces: list[str] = []
    async with async_client.responses.stream(model=model, input=PROMPT) as stream:
        async for event in stream:
            if event.type == "response.output_text.delta":
                pieces.append(event.delta)
        final = await stream.get_final_response()
    assert pieces
    assert final.status == "completed"
    assert final.output_text == "".join(pieces)


def test_stream_cut_short_by_max_output_tokens(client: openai.OpenAI, model: str) -> None:
    events = list(
        client.responses.create(
            model=model,
            input="Write a detailed essay of at least 400 words about the history of Rome.",
            max_output_tokens=16,
            stream=True,
        )
    )
    assert events[-1].type == "response.incomplete"
    final = events[-1].response
    assert final.status == "incomplete"
    assert final.incomplete_details is not None
    assert final.incomplete_details.reason == "max_output_tokens"
    item_done = next(event for event in events if event.type == "response.output_item.done")
    assert item_done.item.status == "incomplete"
    assert [event.sequence_number for event in events] == list(range(len(events)))


def sse_frames(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    """``event: X\\ndata: {...}`` frames, separated by blank lines, as (event name, data)."""
    frames = []
    for block in body.decode().replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":"):  # an SSE comment (keep-alive)
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "data" in fields:
            frames.append((fields.get("event", ""), json.loads(fields["data"])))
    return frames


def test_sse_wire_format(client: openai.OpenAI, model: str) -> None:
    with client.responses.with_streaming_response.create(
        model=model, input=PROMPT, stream=True
    ) as raw:
        assert raw.status_code == 200
        assert raw.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert raw.request_id is not None and raw.request_id.startswith("req_")
        body = raw.read()
    assert b"[DONE]" not in body
    frames = sse_frames(body)
    assert all(name == data["type"] for name, data in frames)
    assert [data["sequence_number"] for _, data in frames] == list(range(len(frames)))
    assert frames[-1][0] == "response.completed"


def test_raw_response_of_a_stream(client: openai.OpenAI, model: str) -> None:
    raw = client.responses.with_raw_response.create(model=model, input=PROMPT, stream=True)
    assert raw.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert raw.headers["openai-version"] == "2020-10-01"
    events = list(raw.parse())
    check_text_turn(events)
