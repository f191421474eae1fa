"""What the "model" does in one turn: reason, call built-in tools, answer; or what a stub says.

``respond`` is what ``turn.create_turn`` calls for a turn's output. By default:

1. MCP servers it uses for the first time list their tools (``mcp_list_tools``);
2. a reasoning model reasons (``reasoning.py``: an ``rs_`` item, reasoning tokens);
3. the built-in tools this turn calls run (``builtin_tools``: the rules of when are there), and
   MCP approvals the client granted are carried out;
4. ``synthesis.synthesize`` answers (a message, or function calls), and the answer cites what
   web and file search found; an MCP approval request ends the turn without an answer.

A stub that matched the request replaces steps 3 and 4 with its own items (``text``,
``refusal``, ``output`` or ``response.output``); a reasoning model still reasons first unless the
stub says ``reasoning: false`` or brings its own reasoning item. The stub in effect travels in
the request's ``Directives`` (the route puts it there).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.contract.inputs import item_text, last_user_text
from mockserver.contract.models import Model
from mockserver.model import builtin_tools
from mockserver.model.builtin_tools import ToolContext
from mockserver.model.context import extend_context
from mockserver.model.reasoning import default_summary, reasoning_item, reasoning_tokens, reasons
from mockserver.model.synthesis import Answer, context_digest, message_item, synthesize
from mockserver.model.tokens import count_text_tokens, truncate_to_tokens
from mockserver.scenarios.directives import Directives
from mockserver.scenarios.stubs.answers import StubAnswer


@dataclass
class TurnAnswer(Answer):
    """An answer with the hidden reasoning it cost (included in ``output_tokens``)."""

    reasoning_tokens: int = 0


def _new_turn(context: Sequence[Any]) -> bool:
    last = context[-1] if context else None
    if isinstance(last, str):
        return True
    return (
        isinstance(last, Mapping)
        and last.get("type", "message") == "message"
        and last.get("role", "user") == "user"
    )


def _spec_items(answer: StubAnswer | None) -> list[Mapping[str, Any]] | None:
    if answer is None:
        return None
    if answer.text is not None:
        return [{"type": "message", "text": answer.text}]
    if answer.refusal is not None:
        return [{"type": "refusal", "refusal": answer.refusal}]
    if answer.output is not None:
        return list(answer.output)
    if answer.response is not None and "output" in answer.response:
        return list(answer.response["output"])
    return None


def respond(
    params: dict[str, Any],
    model: Model,
    context: Sequence[dict[str, Any]],
    new_item_id: Callable[[str], str],
    directives: Directives | None = None,
    new_call_id: Callable[[], str] | None = None,
) -> TurnAnswer:
    """The turn's output; ``directives`` and ``new_call_id`` go to ``synthesize`` unchanged."""
    stub = directives.stub if directives is not None else None
    digest = context_digest(model.requested, params.get("instructions"), context)
    question = last_user_text(context)
    ctx = ToolContext(params, question, context, new_item_id, digest)
    specs = _spec_items(stub)
    reasoning_wanted = reasons(params, model)
    if stub is not None and stub.reasoning is not None:
        reasoning_wanted = stub.reasoning
    if specs is not None and any(s.get("type") == "reasoning" for s in specs):
        reasoning_wanted = False
    limit = params.get("max_output_tokens")
    hidden = reasoning_tokens(params, digest, limit) if reasoning_wanted else 0
    reasoning = []
    if reasoning_wanted:
        summary = default_summary(params, question)
        reasoning = [reasoning_item(new_item_id("rs"), params, summary=summary, seed=digest)]

    if specs is not None:
        items = [build_item(spec, ctx, new_call_id) for spec in specs]
        answer = TurnAnswer([*reasoning, *items], sum(map(_cost, items)))
        _limit(answer, None if limit is None else limit - hidden)
    else:
        budget = dict(params)
        if limit is not None:
            budget["max_output_tokens"] = limit - hidden
        answer = _modelled(budget, model, ctx, reasoning, directives, new_call_id)
    if stub is not None and stub.fault is not None and stub.fault.kind == "incomplete":
        _cut_short(answer, stub.fault.reason)
    answer.output_tokens += hidden
    answer.reasoning_tokens = hidden
    if model.family.phase:
        mark_phases(answer.items)
    return answer


def mark_phases(items: Sequence[dict[str, Any]]) -> None:
    """gpt-5.x assistant messages carry ``phase`` (``shared/wire`` MANIFEST quirk 10;
    ``shared/wire-2026``): ``commentary`` when the turn goes on with a tool call after it,
    ``final_answer`` for the message that ends the turn. A stub's own ``phase`` is kept."""
    for index, item in enumerate(items):
        if item.get("type") != "message" or "phase" in item:
            continue
        later = {other.get("type") for other in items[index + 1 :]}
        item["phase"] = "commentary" if later - {"message", "reasoning"} else "final_answer"


def _modelled(
    params: dict[str, Any],
    model: Model,
    ctx: ToolContext,
    reasoning: list[dict[str, Any]],
    directives: Directives | None,
    new_call_id: Callable[[], str] | None,
) -> TurnAnswer:
    """The default turn: built-in tool calls, then the synthesized answer citing them."""
    tools = builtin_tools.run_tools(params, ctx, _new_turn(ctx.context))
    base = Answer([], 0)
    if not tools.stop:
        context = extend_context(ctx.context, tools.calls)
        # Without tool calls the context is the one `respond` hashed already.
        digest = None if tools.calls else ctx.seed
        base = synthesize(
            params, model, context, ctx.new_item_id, directives, new_call_id, digest=digest
        )
        messages = [i for i in base.items if i.get("type") == "message"]
        if messages:
            base.output_tokens += builtin_tools.decorate(messages[0], tools.citations)
    items = [*tools.listings, *reasoning, *tools.calls, *base.items]
    tokens = base.output_tokens + sum(map(_cost, tools.calls))
    return TurnAnswer(items, tokens, base.incomplete_reason)


def _cost(item: Mapping[str, Any]) -> int:
    return count_text_tokens(item_text(item))


def _limit(answer: TurnAnswer, limit: int | None) -> None:
    """Cut a stub's message at ``max_output_tokens``, as the real API cuts the model."""
    if limit is None or answer.output_tokens <= limit:
        return
    for item in reversed(answer.items):
        if item.get("type") == "message":
            _truncate(item, max(0, limit - (answer.output_tokens - _cost(item))))
            break
    answer.output_tokens = min(answer.output_tokens, limit)
    answer.incomplete_reason = "max_output_tokens"


def _cut_short(answer: TurnAnswer, reason: str) -> None:
    """The ``incomplete`` fault: the last message stops halfway, for ``reason``."""
    for item in reversed(answer.items):
        if item.get("type") == "message":
            before = _cost(item)
            _truncate(item, before // 2)
            answer.output_tokens -= before - _cost(item)
            break
    answer.incomplete_reason = reason


def _truncate(message: dict[str, Any], tokens: int) -> None:
    message["status"] = "incomplete"
    for part in message.get("content") or []:
        if part.get("type") == "output_text":
            part["text"] = truncate_to_tokens(part["text"], tokens)
            part["annotations"] = [
                a
                for a in part.get("annotations", [])
                if a.get("end_index", a.get("index", 0)) <= len(part["text"])
            ]
        elif part.get("type") == "refusal":
            part["refusal"] = truncate_to_tokens(part["refusal"], tokens)


def _text_part(part: Any) -> dict[str, Any]:
    if isinstance(part, str):
        part = {"type": "output_text", "text": part}
    if part.get("type", "output_text") == "refusal":
        return {"type": "refusal", "refusal": str(part.get("refusal", ""))}
    return {
        "type": "output_text",
        "annotations": list(part.get("annotations") or []),
        "logprobs": list(part.get("logprobs") or []),
        "text": str(part.get("text", "")),
    }


def build_item(
    spec: Mapping[str, Any], ctx: ToolContext, new_call_id: Callable[[], str] | None = None
) -> dict[str, Any]:
    """A finished output item from a stub's item spec (``stubs/model.py`` lists the keys)."""
    kind = spec["type"]
    new_id = ctx.new_item_id
    if kind in ("message", "refusal"):
        item = message_item(new_id("msg"), "")
        if kind == "refusal":
            item["content"] = [{"type": "refusal", "refusal": str(spec["refusal"])}]
        elif "content" in spec:
            item["content"] = [_text_part(p) for p in spec["content"]]
        else:
            part = {"text": spec["text"], "annotations": spec.get("annotations") or []}
            item["content"] = [_text_part(part)]
        if "phase" in spec:
            item["phase"] = spec["phase"]
        return item
    if kind in ("function_call", "custom_tool_call"):
        call_id = spec.get("call_id") or (
            new_call_id() if new_call_id is not None else "call_" + new_id("call")[-24:]
        )
        if kind == "custom_tool_call":
            return {
                "id": new_id("ctc"),
                "type": kind,
                "call_id": call_id,
                "input": str(spec.get("input", "")),
                "name": spec["name"],
            }
        arguments = spec.get("arguments", {})
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, separators=(",", ":"))
        item = {
            "id": new_id("fc"),
            "type": kind,
            "status": "completed",
            "arguments": arguments,
            "call_id": call_id,
            "name": spec["name"],
        }
        if "namespace" in spec:
            item["namespace"] = spec["namespace"]
        return item
    if kind == "reasoning":
        summary = [str(s) for s in spec.get("summary") or []]
        return reasoning_item(
            new_id("rs"),
            dict(ctx.params),
            summary=summary,
            seed=ctx.seed,
            encrypted=spec.get("encrypted_content"),
        )
    return builtin_tools.build_item(spec, ctx)
