"""The incremental context: a tally carried item by item equals one counted over the whole list,
and a tallied context reads its earlier items only when someone goes back that far."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from mockserver.model.context import (
    ROOT_DIGEST,
    ContextTally,
    TalliedContext,
    context_tokens,
    extend_context,
    fold,
    rolled_digest,
    tally_of,
)
from mockserver.model.synthesis import context_digest
from mockserver.model.tokens import count_context_tokens

ITEMS: list[Any] = [
    {"type": "message", "role": "user", "content": "Hello, give me JSON please"},
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi"}]},
    {"type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"a": 1}'},
    {"type": "function_call_output", "call_id": "c1", "output": "42"},
    {"type": "custom_tool_call", "call_id": "c2", "name": "g", "input": "x"},
    {"type": "mcp_list_tools", "server_label": "deepwiki", "tools": []},
    "a bare string item",
    {"type": "compaction", "encrypted_content": "opaque"},
]


def test_a_tally_carried_in_steps_equals_one_over_the_whole_list() -> None:
    whole = ContextTally().extend(ITEMS)
    stepped = ContextTally()
    for item in ITEMS:
        stepped = stepped.extend([item])
    assert stepped == whole
    assert whole.length == len(ITEMS)
    assert whole.open_calls == (("custom_tool_call", "c2"),)
    assert whole.json_word and whole.compaction
    assert whole.mcp_listed == ("deepwiki",)
    assert not whole.mcp_approvals


@pytest.mark.parametrize("instructions", [None, "", "Be brief."])
def test_input_tokens_agree_with_counting_the_whole_context(instructions: str | None) -> None:
    tally = ContextTally().extend(ITEMS)
    assert tally.input_tokens(instructions) == count_context_tokens(ITEMS, instructions)
    assert context_tokens(ITEMS, instructions) == count_context_tokens(ITEMS, instructions)
    tallied = TalliedContext(ITEMS[-2:], tally, lambda: ITEMS[:-2])
    assert context_tokens(tallied, instructions) == count_context_tokens(ITEMS, instructions)


def test_an_output_answers_a_call_wherever_it_stands_in_one_batch() -> None:
    output_first = [
        {"type": "function_call_output", "call_id": "c9", "output": "ok"},
        {"type": "function_call", "call_id": "c9", "name": "f", "arguments": "{}"},
    ]
    assert ContextTally().extend(output_first).open_calls == ()


def test_the_rolling_digest_is_the_same_however_the_context_is_held() -> None:
    assert fold(fold(ROOT_DIGEST, ITEMS[:3]), ITEMS[3:]) == fold(ROOT_DIGEST, ITEMS)
    tallied = TalliedContext(ITEMS[-1:], tally_of(ITEMS), lambda: ITEMS[:-1])
    assert rolled_digest(tallied) == rolled_digest(ITEMS)
    assert context_digest("gpt-4o-mini", "x", tallied) == context_digest("gpt-4o-mini", "x", ITEMS)
    # Different text, different answer.
    assert context_digest("gpt-4o-mini", "x", ITEMS[:-1]) != context_digest(
        "gpt-4o-mini", "x", ITEMS
    )


def test_the_tally_survives_a_round_trip_through_json() -> None:
    tally = ContextTally().extend(ITEMS)
    assert ContextTally.from_json(orjson.loads(orjson.dumps(tally.to_json()))) == tally


def test_a_tallied_context_reads_earlier_items_only_when_asked() -> None:
    loads = []

    def load_head() -> list[Any]:
        loads.append(1)
        return ITEMS[:-2]

    context = TalliedContext(ITEMS[-2:], tally_of(ITEMS), load_head)
    assert len(context) == len(ITEMS) and bool(context)
    assert context[-1] == ITEMS[-1] and context[len(ITEMS) - 2] == ITEMS[-2]
    assert next(reversed(context)) == ITEMS[-1]
    more = extend_context(context, [{"type": "message", "role": "user", "content": "next"}])
    assert isinstance(more, TalliedContext) and len(more) == len(ITEMS) + 1
    assert more.tally == tally_of([*ITEMS, {"type": "message", "role": "user", "content": "next"}])
    assert loads == []  # nothing so far went back beyond the tail
    assert list(context) == ITEMS and context[0] == ITEMS[0] and context[1:3] == ITEMS[1:3]
    assert list(reversed(context)) == ITEMS[::-1]
    assert context == ITEMS
    assert loads == [1]  # loaded once, then kept


def test_a_plain_list_is_extended_as_a_list() -> None:
    assert extend_context(ITEMS[:2], ITEMS[2:]) == ITEMS


def test_segment_is_what_came_after_the_anchoring_response() -> None:
    previous = TalliedContext(ITEMS[2:4], tally_of(ITEMS[:4]), lambda: ITEMS[:2]).anchored("r1")
    turn = previous.extended(ITEMS[4:6]).extended(ITEMS[6:])
    assert turn.base == "r1" and turn.segment() == ITEMS[4:]
    assert TalliedContext(ITEMS, tally_of(ITEMS)).segment() == ITEMS


def test_a_tally_longer_than_its_tail_needs_a_loader() -> None:
    with pytest.raises(ValueError):
        TalliedContext(ITEMS, ContextTally())
    with pytest.raises(LookupError):
        list(TalliedContext(ITEMS[-1:], tally_of(ITEMS)))
