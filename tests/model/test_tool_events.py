"""Events of reasoning, built-in tool items and annotations, against the recorded streams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from mockserver.contract.conformance import Conformance
from mockserver.model.events import plan_events
from mockserver.model.tool_events import with_annotations

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"
VERCEL = WIRE / "vercel-ai/packages/openai/src/responses/__fixtures__"
DOTNET = WIRE / "openai-dotnet/tests/SessionRecords"
CONFORMANCE = Conformance()


def collapse(types: list[str]) -> list[str]:
    out: list[str] = []
    for kind in types:
        if not out or out[-1] != kind:
            out.append(kind)
    return out


def recorded_stream(name: str) -> list[dict[str, Any]]:
    path = VERCEL / f"{name}.chunks.txt"
    if not path.exists():
        pytest.skip(f"the wire recordings are not here ({path}); they live in ../shared/wire")
    return [orjson.loads(line) for line in path.read_text().splitlines() if line.strip()]


def replanned(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our events for the response the recorded stream ended with."""
    final = next(e["response"] for e in reversed(events) if e["type"] == "response.completed")
    return plan_events(final)


@pytest.mark.parametrize(
    "name",
    [
        "openai-web-search-tool.1",
        "openai-file-search-tool.1",
        "openai-file-search-tool.2",
        "openai-code-interpreter-tool.1",
        "openai-image-generation-tool.1",
        "openai-mcp-tool.1",
        "openai-mcp-tool-approval.1",
        "openai-mcp-tool-approval.2",
        "openai-reasoning-encrypted-content.1",
    ],
)
def test_the_event_order_is_the_recorded_one(name: str) -> None:
    recorded = recorded_stream(name)
    if name.startswith("openai-reasoning"):  # four streams in one file: the first
        end = next(i for i, e in enumerate(recorded) if e["type"] == "response.completed")
        recorded = recorded[: end + 1]
    if name.startswith("openai-image"):  # the recorded request asked for one partial image
        final = next(e["response"] for e in recorded if e["type"] == "response.completed")
        final["tools"][0]["partial_images"] = 1
    ours = replanned(recorded)
    assert collapse([e["type"] for e in ours]) == collapse([e["type"] for e in recorded])
    assert [e["sequence_number"] for e in ours] == list(range(len(ours)))


def test_partial_images_follow_the_tool_setting() -> None:
    recorded = recorded_stream("openai-image-generation-tool.1")
    final = next(e["response"] for e in recorded if e["type"] == "response.completed")
    final["tools"][0]["partial_images"] = 2
    partials = [e for e in plan_events(final) if e["type"].endswith("partial_image")]
    assert [e["partial_image_index"] for e in partials] == [0, 1]
    assert partials[0]["size"] == "1536x1024" and partials[0]["output_format"] == "webp"
    final["tools"][0]["partial_images"] = 0
    assert not [e for e in plan_events(final) if e["type"].endswith("partial_image")]


def test_items_are_added_in_their_early_shape() -> None:
    recorded = recorded_stream("openai-code-interpreter-tool.1")
    ours = replanned(recorded)
    added = [e["item"] for e in ours if e["type"] == "response.output_item.added"]
    real = [e["item"] for e in recorded if e["type"] == "response.output_item.added"]
    for mine, theirs in zip(added, real, strict=True):
        if theirs["type"] == "code_interpreter_call":
            assert mine == theirs
    mcp = replanned(recorded_stream("openai-mcp-tool.1"))
    mcp_real = recorded_stream("openai-mcp-tool.1")
    for kind in ("mcp_list_tools", "mcp_call"):
        mine = next(
            e["item"] for e in mcp if e["type"].endswith("added") and e["item"]["type"] == kind
        )
        theirs = next(
            e["item"] for e in mcp_real if e["type"].endswith("added") and e["item"]["type"] == kind
        )
        assert mine == theirs
    delta = next(e for e in mcp if e["type"] == "response.mcp_call_arguments.delta")
    assert delta["obfuscation"] == ""


def test_annotations_arrive_after_the_delta_that_reaches_them() -> None:
    text = "Pizza is the answer. It is cited here."
    part = {
        "type": "output_text",
        "annotations": [
            {"type": "file_citation", "file_id": "file-1", "filename": "a.txt", "index": 19},
            {"type": "url_citation", "end_index": 32, "start_index": 21, "title": "t", "url": "u"},
        ],
        "logprobs": [],
        "text": text,
    }
    events: list[dict[str, Any]] = [
        {
            "type": "response.content_part.added",
            "sequence_number": 0,
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "part": {**part, "text": ""},
        },
    ]
    for piece in ("Pizza is", " the answer", ".", " It is cited here."):
        events.append({"type": "response.output_text.delta", "sequence_number": 0, "delta": piece})
    events.append({"type": "response.output_text.done", "sequence_number": 0, "text": text})
    out = with_annotations(events)
    assert [(e["type"].split(".")[-2], e.get("delta")) for e in out] == [
        ("content_part", None),
        ("output_text", "Pizza is"),
        ("output_text", " the answer"),
        ("annotation", None),
        ("output_text", "."),
        ("output_text", " It is cited"),
        ("annotation", None),
        ("output_text", " here."),
        ("output_text", None),
    ]
    assert "".join(e.get("delta", "") for e in out) == text
    assert out[0]["part"]["annotations"] == []
    assert out[3]["annotation_index"] == 0 and out[6]["annotation"]["type"] == "url_citation"
    assert [e["sequence_number"] for e in out] == list(range(len(out)))
    assert CONFORMANCE.event_errors(out[3]) == []
    assert with_annotations(events[1:]) == events[1:]


def test_recorded_built_in_tool_streams_conform_when_we_plan_them() -> None:
    for name in ("openai-web-search-tool.1", "openai-code-interpreter-tool.1", "openai-mcp-tool.1"):
        for event in replanned(recorded_stream(name)):
            if "response" in event or "item" in event:
                continue  # recorded objects predate fields the SDK now requires
            assert CONFORMANCE.event_errors(event) == [], event["type"]
