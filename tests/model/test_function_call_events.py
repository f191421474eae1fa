"""Function-call streams, replanned from recorded final responses, match the recorded events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from mockserver.model.events import plan_events
from mockserver.model.function_calls import call_item

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"
DOTNET = WIRE / "openai-dotnet/tests/SessionRecords/ResponsesTests"


def recorded(name: str) -> list[dict[str, Any]]:
    path = DOTNET / name
    if not path.exists():
        pytest.skip(f"the wire recordings are not here ({path}); they live in ../shared/wire")
    entries = orjson.loads(path.read_bytes())["Entries"]
    lines = entries[0]["ResponseBody"]
    return [orjson.loads(line[len("data: ") :]) for line in lines if line.startswith("data: ")]


def shape(event: dict[str, Any]) -> tuple[str, frozenset[str], Any]:
    """Type, key set (padding aside) and, for item events, the item's keys in order."""
    keys = frozenset(event) - {"obfuscation"}
    item = event.get("item")
    return event["type"], keys, tuple(item) if isinstance(item, dict) else None


@pytest.mark.parametrize(
    "name", ["FunctionCallStreamingWorks.json", "FunctionCallStreamingWorksAsync.json"]
)
def test_a_function_call_streams_like_the_recording(name: str) -> None:
    events = recorded(name)
    final = events[-1]["response"]
    ours = plan_events(final)

    # Deltas are cut differently (our pieces are token-like); compare everything else.
    def without_deltas(stream: list[dict[str, Any]]) -> list[Any]:
        return [shape(e) for e in stream if not e["type"].endswith(".delta")]

    assert without_deltas(ours) == without_deltas(events)
    added = next(e for e in ours if e["type"] == "response.output_item.added")["item"]
    assert added["arguments"] == "" and added["status"] == "in_progress"
    deltas = [e for e in ours if e["type"] == "response.function_call_arguments.delta"]
    assert "".join(e["delta"] for e in deltas) == final["output"][0]["arguments"]
    assert all("obfuscation" in e for e in deltas)
    recorded_delta = next(e for e in events if e["type"].endswith(".delta"))
    assert shape(deltas[0])[1] == shape(recorded_delta)[1]


def test_our_call_items_have_the_recorded_key_order() -> None:
    events = recorded("FunctionCallStreamingWorks.json")
    recorded_item = events[-1]["response"]["output"][0]
    item = call_item({"type": "function", "name": "f"}, "{}", lambda p: f"{p}_1", lambda: "call_1")
    assert list(item) == list(recorded_item)
