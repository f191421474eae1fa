"""Planning the SSE events of a response: order, numbering, text, and schema conformance."""

from __future__ import annotations

import copy

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.contract.conformance import Conformance
from mockserver.contract.ids import IdFactory
from mockserver.contract.models import resolve_model
from mockserver.model.events import (
    OBFUSCATION_WIDTH,
    encode_event,
    events_after,
    plan_events,
    snapshot,
)
from mockserver.model.synthesis import message_item
from mockserver.model.tokens import split_pieces
from mockserver.model.turn import create_turn
from mockserver.scenarios.clock import ManualClock

CONFORMANCE = Conformance()
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)

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


def response_with(output: list[dict], status: str = "completed") -> dict:
    response = create_turn(
        {"model": "gpt-4o-mini", "input": "hi"},
        model=resolve_model("gpt-4o-mini"),
        prior_context=[],
        ids=IdFactory(11),
        clock=ManualClock(),
    ).response
    response["output"] = output
    response["status"] = status
    return response


def text_response(text: str) -> dict:
    return response_with([message_item("msg_0123", text)])


def collapse_deltas(types: list[str]) -> list[str]:
    return [t for i, t in enumerate(types) if not (t.endswith(".delta") and types[i - 1] == t)]


@settings(deadline=None)
@given(texts, st.booleans())
def test_text_stream_properties(text: str, obfuscate: bool) -> None:
    response = text_response(text)
    events = plan_events(response, obfuscate=obfuscate)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert "".join(e["delta"] for e in deltas) == text
    assert [e["delta"] for e in deltas] == split_pieces(text)
    [done] = [e for e in events if e["type"] == "response.output_text.done"]
    assert done["text"] == text
    types = [e["type"] for e in events]
    expected = TEXT_TURN if text else [t for t in TEXT_TURN if not t.endswith(".delta")]
    assert collapse_deltas(types) == expected
    assert all(("obfuscation" in e) is obfuscate for e in deltas)
    for event in events:
        assert CONFORMANCE.event_errors(event) == [], event["type"]
    assert events[-1]["response"] == response


@given(texts)
def test_obfuscation_pads_short_deltas(text: str) -> None:
    for event in plan_events(text_response(text)):
        if event["type"] == "response.output_text.delta":
            padding = event["obfuscation"]
            assert padding.isalnum() and padding.isascii()
            assert len(padding) == max(1, OBFUSCATION_WIDTH - len(event["delta"]))


def test_planning_is_deterministic_per_response() -> None:
    response = text_response("Same text, same padding.")
    assert plan_events(response) == plan_events(copy.deepcopy(response))


def test_early_snapshots_are_empty_and_in_progress() -> None:
    response = text_response("Hi there")
    created, in_progress = plan_events(response)[:2]
    for event in (created, in_progress):
        early = event["response"]
        assert early["status"] == "in_progress"
        assert early["output"] == [] and early["usage"] is None
        assert early["completed_at"] is None
        # The real stream reports the tier the request asked for ("auto") until it completes.
        assert early["service_tier"] == "auto"
        assert list(early) == list(response)
    assert snapshot(response, "queued")["status"] == "queued"
    assert response["status"] == "completed" and response["output"]


def test_queued_streams_start_with_queued() -> None:
    events = plan_events(text_response("x"), queued=True)
    assert [e["type"] for e in events[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert events[0]["response"]["status"] == events[1]["response"]["status"] == "queued"


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        ("completed", "response.completed"),
        ("incomplete", "response.incomplete"),
        ("failed", "response.failed"),
        ("cancelled", "response.cancelled"),
    ],
)
def test_terminal_event_follows_the_status(status: str, terminal: str) -> None:
    events = plan_events(response_with([message_item("msg_1", "a b")], status))
    assert events[-1]["type"] == terminal
    assert events[-1]["response"]["status"] == status


def test_function_call_stream() -> None:
    call = {
        "id": "fc_1",
        "type": "function_call",
        "status": "completed",
        "arguments": '{"city": "Paris", "unit_name": "c"}',
        "call_id": "call_1",
        "name": "get_weather",
    }
    events = plan_events(response_with([call]))
    types = collapse_deltas([e["type"] for e in events])
    assert types == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    added = events[2]["item"]
    assert added["arguments"] == "" and added["status"] == "in_progress"
    deltas = [e["delta"] for e in events if e["type"].endswith("arguments.delta")]
    assert "".join(deltas) == call["arguments"]
    for event in events:
        assert CONFORMANCE.event_errors(event) == [], event["type"]


def test_refusal_and_other_items() -> None:
    refusal = {
        "id": "msg_r",
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "refusal", "refusal": "I can't help with that."}],
    }
    reasoning = {"id": "rs_1", "type": "reasoning", "summary": []}
    events = plan_events(response_with([reasoning, refusal]))
    types = collapse_deltas([e["type"] for e in events])
    assert types == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.refusal.delta",
        "response.refusal.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["output_index"] for e in events if e["type"] == "response.output_item.added"] == [
        0,
        1,
    ]
    refused = [e["delta"] for e in events if e["type"] == "response.refusal.delta"]
    assert "".join(refused) == "I can't help with that."
    for event in events:
        assert CONFORMANCE.event_errors(event) == [], event["type"]


def test_encode_event_is_one_sse_frame() -> None:
    event = {"type": "response.output_text.delta", "sequence_number": 4, "delta": "é"}
    frame = encode_event(event)
    assert frame == (b"event: response.output_text.delta\ndata: " + orjson.dumps(event) + b"\n\n")
    assert frame.count(b"\n\n") == 1 and b"[DONE]" not in frame


def test_events_after_resumes_past_a_sequence_number() -> None:
    events = plan_events(text_response("one two three"))
    assert list(events_after(events, None)) == events
    resumed = list(events_after(events, 3))
    assert [e["sequence_number"] for e in resumed] == list(range(4, len(events)))
    assert list(events_after(events, len(events))) == []
    assert list(events_after(events, -1)) == events
