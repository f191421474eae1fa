"""Stream events of reasoning and built-in tool items, and text annotations.

Orders are the recorded ones (``../shared/wire``; MANIFEST quirks 6 and 7):

* reasoning: ``output_item.added`` (``summary: []``), then per summary part
  ``reasoning_summary_part.added`` → ``reasoning_summary_text.delta`` x N → ``…text.done`` →
  ``…part.done``; then ``output_item.done``;
* web / file search: ``<tool>_call.in_progress`` → ``.searching`` → ``.completed``;
* code interpreter: ``.in_progress`` → ``code_interpreter_call_code.delta`` x N → ``…code.done`` →
  ``.interpreting`` → ``.completed``;
* image generation: ``.in_progress`` → ``.generating`` → ``.partial_image`` x ``partial_images`` →
  ``.completed``;
* MCP: ``mcp_list_tools.in_progress`` → ``.completed``; ``mcp_call.in_progress`` → one
  ``mcp_call_arguments.delta`` (the whole arguments) → ``…arguments.done`` → ``mcp_call.completed``
  (or ``.failed``);
* ``response.output_text.annotation.added`` goes right after the delta that reaches the text
  the annotation points at; the text part is added with ``annotations: []``.

Planners take the ``events._Planner`` (``emit``, ``padding``) and are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.model.tokens import split_pieces


def _phases(planner: Any, tool: str, phases: tuple[str, ...], where: dict[str, Any]) -> None:
    for phase in phases:
        planner.emit(f"response.{tool}.{phase}", **where)


def reasoning(planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]) -> None:
    started = {**item, "summary": []}
    planner.emit("response.output_item.added", output_index=index, item=started)
    for summary_index, part in enumerate(item.get("summary") or []):
        where = {"item_id": item["id"], "output_index": index, "summary_index": summary_index}
        planner.emit("response.reasoning_summary_part.added", **where, part={**part, "text": ""})
        for piece in split_pieces(part["text"]):
            planner.emit(
                "response.reasoning_summary_text.delta",
                **where,
                delta=piece,
                **planner.padding(piece),
            )
        planner.emit("response.reasoning_summary_text.done", **where, text=part["text"])
        planner.emit("response.reasoning_summary_part.done", **where, part=part)
    planner.emit("response.output_item.done", output_index=index, item=item)


def web_search_call(
    planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]
) -> None:
    action = item.get("action") or {"type": "search"}
    early = {"type": "search"} if action.get("type") == "search" else action
    started = {"id": item["id"], "type": item["type"], "status": "in_progress", "action": early}
    planner.emit("response.output_item.added", output_index=index, item=started)
    where = {"output_index": index, "item_id": item["id"]}
    _phases(planner, "web_search_call", ("in_progress", "searching", "completed"), where)
    planner.emit("response.output_item.done", output_index=index, item=item)


def file_search_call(
    planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]
) -> None:
    started = {**item, "status": "in_progress", "queries": [], "results": None}
    planner.emit("response.output_item.added", output_index=index, item=started)
    where = {"output_index": index, "item_id": item["id"]}
    _phases(planner, "file_search_call", ("in_progress", "searching", "completed"), where)
    planner.emit("response.output_item.done", output_index=index, item=item)


def code_interpreter_call(
    planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]
) -> None:
    outputs = [] if isinstance(item.get("outputs"), list) else None
    started = {**item, "status": "in_progress", "code": "", "outputs": outputs}
    planner.emit("response.output_item.added", output_index=index, item=started)
    where = {"output_index": index, "item_id": item["id"]}
    planner.emit("response.code_interpreter_call.in_progress", **where)
    code = item.get("code") or ""
    for piece in split_pieces(code):
        planner.emit(
            "response.code_interpreter_call_code.delta",
            **where,
            delta=piece,
            **planner.padding(piece),
        )
    planner.emit("response.code_interpreter_call_code.done", **where, code=code)
    _phases(planner, "code_interpreter_call", ("interpreting", "completed"), where)
    planner.emit("response.output_item.done", output_index=index, item=item)


def _partial_images(response: Mapping[str, Any]) -> int:
    for tool in response.get("tools") or []:
        if tool.get("type") == "image_generation":
            return int(tool.get("partial_images") or 0)
    return 0


def image_generation_call(
    planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]
) -> None:
    started = {"id": item["id"], "type": item["type"], "status": "in_progress"}
    planner.emit("response.output_item.added", output_index=index, item=started)
    where = {"output_index": index, "item_id": item["id"]}
    _phases(planner, "image_generation_call", ("in_progress", "generating"), where)
    for partial in range(_partial_images(response)):
        planner.emit(
            "response.image_generation_call.partial_image",
            **where,
            partial_image_index=partial,
            partial_image_b64=item.get("result") or "",
            size=item.get("size"),
            quality=item.get("quality"),
            background=item.get("background"),
            output_format=item.get("output_format"),
        )
    planner.emit("response.image_generation_call.completed", **where)
    planner.emit("response.output_item.done", output_index=index, item=item)


def mcp_list_tools(
    planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]
) -> None:
    planner.emit("response.output_item.added", output_index=index, item={**item, "tools": []})
    where = {"output_index": index, "item_id": item["id"]}
    ending = "failed" if item.get("error") else "completed"
    _phases(planner, "mcp_list_tools", ("in_progress", ending), where)
    planner.emit("response.output_item.done", output_index=index, item=item)


def mcp_call(planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]) -> None:
    started = {**item, "status": "in_progress", "arguments": "", "error": None, "output": None}
    planner.emit("response.output_item.added", output_index=index, item=started)
    where = {"output_index": index, "item_id": item["id"]}
    planner.emit("response.mcp_call.in_progress", **where)
    # Recorded: the arguments arrive in one delta, with an empty obfuscation string.
    padding = {"obfuscation": ""} if planner.obfuscate else {}
    planner.emit("response.mcp_call_arguments.delta", **where, delta=item["arguments"], **padding)
    planner.emit("response.mcp_call_arguments.done", **where, arguments=item["arguments"])
    ending = "failed" if item.get("status") == "failed" else "completed"
    planner.emit(f"response.mcp_call.{ending}", **where)
    planner.emit("response.output_item.done", output_index=index, item=item)


def added_and_done(
    planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]
) -> None:
    planner.emit("response.output_item.added", output_index=index, item=item)
    planner.emit("response.output_item.done", output_index=index, item=item)


PLANNERS = {
    "reasoning": reasoning,
    "web_search_call": web_search_call,
    "file_search_call": file_search_call,
    "code_interpreter_call": code_interpreter_call,
    "image_generation_call": image_generation_call,
    "mcp_list_tools": mcp_list_tools,
    "mcp_call": mcp_call,
}


def plan_item(planner: Any, index: int, item: dict[str, Any], response: Mapping[str, Any]) -> None:
    """The events of one output item other than a message or function call."""
    PLANNERS.get(item["type"], added_and_done)(planner, index, item, response)


def _anchor(annotation: Mapping[str, Any]) -> float:
    # Recorded: a container file citation comes once the whole text is out.
    if annotation.get("type") == "container_file_citation":
        return float("inf")
    return float(annotation.get("end_index", annotation.get("index", 0)))


def with_annotations(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Move text annotations out of ``content_part.added`` into ``annotation.added`` events placed
    where the text reaches them (a delta that spans the spot is split there); sequence numbers
    are counted again when any move."""
    if not any(
        e["type"] == "response.content_part.added" and e["part"].get("annotations") for e in events
    ):
        return events
    out: list[dict[str, Any]] = []
    pending: list[tuple[float, int, Mapping[str, Any]]] = []
    where: dict[str, Any] = {}
    sent = 0

    def flush(up_to: float) -> None:
        while pending and pending[0][0] <= up_to:
            _, number, annotation = pending.pop(0)
            out.append(
                {
                    "type": "response.output_text.annotation.added",
                    "sequence_number": 0,
                    **where,
                    "annotation_index": number,
                    "annotation": annotation,
                }
            )

    for event in events:
        kind = event["type"]
        if kind == "response.content_part.added" and event["part"].get("annotations"):
            annotations = event["part"]["annotations"]
            pending = sorted((_anchor(a), n, a) for n, a in enumerate(annotations))
            where = {k: event[k] for k in ("item_id", "output_index", "content_index")}
            sent = 0
            event = {**event, "part": {**event["part"], "annotations": []}}
        if kind == "response.output_text.delta" and pending:
            text = event["delta"]
            while pending and pending[0][0] <= sent + len(text):
                cut = int(max(0, pending[0][0] - sent))
                if cut:
                    out.append({**event, "delta": text[:cut]})
                    sent, text = sent + cut, text[cut:]
                flush(sent)
            if text:
                out.append({**event, "delta": text})
                sent += len(text)
            continue
        if kind == "response.output_text.done":
            flush(float("inf"))
        out.append(event)
    return [{**event, "sequence_number": number} for number, event in enumerate(out)]
