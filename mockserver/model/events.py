"""A finished response -> its ordered Server-Sent Events, and their wire encoding.

The order is the real API's (see ``../shared/wire/MANIFEST.md``): ``response.created`` and
``response.in_progress`` (or ``response.queued`` first for background streams), then for each
output item ``output_item.added`` ... ``output_item.done`` with the item's own inner events, then
one terminal event (``response.completed``, ``response.incomplete`` or ``response.failed``).
``sequence_number`` counts from 0 across the whole stream. Text is streamed one token-sized piece
per ``response.output_text.delta``, each padded by an ``obfuscation`` string unless the client
turned it off, so that delta sizes do not leak token lengths (as the real API does).
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from typing import Any

import orjson

from mockserver.model.tokens import split_pieces
from mockserver.model.tool_events import plan_item, with_annotations

OBFUSCATION_WIDTH = 16
_ALPHABET = string.ascii_letters + string.digits
# Random bytes -> alphanumerics in one C call (`bytes.translate`), much cheaper per delta than
# `random.choices`; the slight bias of 256 % 62 does not matter for padding.
_TO_ALPHABET = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(256))
TERMINAL_EVENTS = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
    "cancelled": "response.cancelled",
}


def snapshot(response: dict[str, Any], status: str) -> dict[str, Any]:
    """The response as ``response.created``/``in_progress``/``queued`` events show it."""
    early = dict(response)
    early.update(
        status=status,
        output=[],
        usage=None,
        completed_at=None,
        incomplete_details=None,
        error=None,
    )
    if early.get("service_tier") == "default":
        early["service_tier"] = "auto"
    return early


class _Planner:
    def __init__(self, response_id: str, obfuscate: bool) -> None:
        self.events: list[dict[str, Any]] = []
        self.obfuscate = obfuscate
        self.random = random.Random(response_id)
        # Whether a text part carries annotations (only then do `with_annotations` move them).
        self.annotated = False

    def emit(self, event_type: str, **fields: Any) -> dict[str, Any]:
        event = {"type": event_type, "sequence_number": len(self.events), **fields}
        self.events.append(event)
        return event

    def padding(self, delta: str) -> dict[str, str]:
        if not self.obfuscate:
            return {}
        width = max(1, OBFUSCATION_WIDTH - len(delta))
        padding = self.random.randbytes(width).translate(_TO_ALPHABET).decode("ascii")
        return {"obfuscation": padding}

    def deltas(
        self, event_type: str, where: dict[str, Any], text: str, *, logprobs: bool = False
    ) -> None:
        """One delta event per token-sized piece of ``text``, padded when obfuscating: the
        events ``emit`` would make, built in one loop (a stream is mostly these)."""
        events = self.events
        number = len(events)
        pad = self.random.randbytes if self.obfuscate else None
        for piece in split_pieces(text):
            event = {"type": event_type, "sequence_number": number, **where, "delta": piece}
            if logprobs:
                event["logprobs"] = []
            if pad is not None:
                width = max(1, OBFUSCATION_WIDTH - len(piece))
                event["obfuscation"] = pad(width).translate(_TO_ALPHABET).decode("ascii")
            events.append(event)
            number += 1

    def message(self, index: int, item: dict[str, Any]) -> None:
        item_id = item["id"]
        started = {**item, "status": "in_progress", "content": []}
        self.emit("response.output_item.added", output_index=index, item=started)
        for content_index, part in enumerate(item.get("content", [])):
            where = {"item_id": item_id, "output_index": index, "content_index": content_index}
            if part.get("type") == "refusal":
                self.emit("response.content_part.added", **where, part={**part, "refusal": ""})
                for piece in split_pieces(part["refusal"]):
                    self.emit("response.refusal.delta", **where, delta=piece)
                self.emit("response.refusal.done", **where, refusal=part["refusal"])
            else:
                self.annotated = self.annotated or bool(part.get("annotations"))
                self.emit("response.content_part.added", **where, part={**part, "text": ""})
                self.deltas("response.output_text.delta", where, part["text"], logprobs=True)
                self.emit("response.output_text.done", **where, text=part["text"], logprobs=[])
            self.emit("response.content_part.done", **where, part=part)
        self.emit("response.output_item.done", output_index=index, item=item)

    def function_call(self, index: int, item: dict[str, Any]) -> None:
        started = {**item, "status": "in_progress", "arguments": ""}
        self.emit("response.output_item.added", output_index=index, item=started)
        where = {"item_id": item["id"], "output_index": index}
        self.deltas("response.function_call_arguments.delta", where, item["arguments"])
        self.emit("response.function_call_arguments.done", **where, arguments=item["arguments"])
        self.emit("response.output_item.done", output_index=index, item=item)

    def custom_tool_call(self, index: int, item: dict[str, Any]) -> None:
        # Same shape as a function call; the SDK types these deltas without `obfuscation`.
        self.emit("response.output_item.added", output_index=index, item={**item, "input": ""})
        where = {"item_id": item["id"], "output_index": index}
        for piece in split_pieces(item["input"]):
            self.emit("response.custom_tool_call_input.delta", **where, delta=piece)
        self.emit("response.custom_tool_call_input.done", **where, input=item["input"])
        self.emit("response.output_item.done", output_index=index, item=item)


def plan_events(
    response: dict[str, Any], *, obfuscate: bool = True, queued: bool = False
) -> list[dict[str, Any]]:
    """Every event a stream of this (finished) response carries, in order."""
    planner = _Planner(response["id"], obfuscate)
    if queued:
        planner.emit("response.created", response=snapshot(response, "queued"))
        planner.emit("response.queued", response=snapshot(response, "queued"))
    else:
        planner.emit("response.created", response=snapshot(response, "in_progress"))
    planner.emit("response.in_progress", response=snapshot(response, "in_progress"))
    for index, item in enumerate(response["output"]):
        if item["type"] == "message":
            planner.message(index, item)
        elif item["type"] == "function_call":
            planner.function_call(index, item)
        elif item["type"] == "custom_tool_call":
            planner.custom_tool_call(index, item)
        else:
            plan_item(planner, index, item, response)
    terminal = TERMINAL_EVENTS.get(response["status"], "response.completed")
    # A copy, so the event stays as planned whatever happens to the response later (an orjson
    # round trip: an order of magnitude cheaper than copy.deepcopy for JSON data).
    planner.emit(terminal, response=orjson.loads(orjson.dumps(response)))
    return with_annotations(planner.events) if planner.annotated else planner.events


def encode_event(event: dict[str, Any]) -> bytes:
    """One SSE frame as the real API writes it: ``event:`` line, ``data:`` line, blank line."""
    return b"event: " + event["type"].encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"


def events_after(
    events: list[dict[str, Any]], starting_after: int | None
) -> Iterator[dict[str, Any]]:
    if starting_after is None:
        yield from events
        return
    for event in events:
        if event["sequence_number"] > starting_after:
            yield event
