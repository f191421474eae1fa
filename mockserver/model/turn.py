"""Build a ``Response`` from a validated create request: the pure core of ``POST /responses``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mockserver.contract.ids import IdFactory
from mockserver.contract.inputs import normalize_input
from mockserver.contract.models import Model
from mockserver.contract.text_format import echo_text
from mockserver.contract.tool_rules import echo_tools
from mockserver.model.builtin_tools import add_tool_usage
from mockserver.model.builtin_tools import echo_tool as echo_builtin_tool
from mockserver.model.context import context_tokens, extend_context
from mockserver.model.reasoning import reasoning_echo
from mockserver.model.respond import respond
from mockserver.scenarios.clock import Clock
from mockserver.scenarios.directives import Directives


@dataclass
class Turn:
    """One created response and what it adds to the store."""

    response: dict[str, Any]
    input_items: list[dict[str, Any]]
    # Everything a later `previous_response_id` continues from: the prior chain, this turn's
    # input items, then its output items (a `context.TalliedContext` when the prior one was).
    context: Sequence[dict[str, Any]] = field(default_factory=list)


def usage_block(input_tokens: int, output_tokens: int, reasoning_tokens: int = 0) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def empty_tool_usage() -> dict[str, Any]:
    zero = {"image_tokens": 0, "text_tokens": 0}
    return {
        "image_gen": {
            "input_tokens": 0,
            "input_tokens_details": dict(zero),
            "output_tokens": 0,
            "output_tokens_details": dict(zero),
            "total_tokens": 0,
        },
        "web_search": {"num_requests": 0},
    }


def _prompt_echo(prompt: Any) -> dict[str, Any] | None:
    if not isinstance(prompt, dict) or not isinstance(prompt.get("id"), str):
        return None
    return {key: prompt.get(key) for key in ("id", "variables", "version")}


def echo_fields(params: dict[str, Any], model: Model) -> dict[str, Any]:
    """The request fields the real API echoes into every Response, with its defaults."""
    text = echo_text(params.get("text"))
    return {
        "background": bool(params.get("background") or False),
        "billing": {"payer": "developer"},
        "frequency_penalty": 0.0,
        "instructions": params.get("instructions"),
        "max_output_tokens": params.get("max_output_tokens"),
        "max_tool_calls": params.get("max_tool_calls"),
        "model": model.snapshot,
        "parallel_tool_calls": params.get("parallel_tool_calls") is not False,
        "presence_penalty": 0.0,
        "previous_response_id": params.get("previous_response_id"),
        "prompt": _prompt_echo(params.get("prompt")),
        "prompt_cache_key": params.get("prompt_cache_key"),
        "prompt_cache_retention": params.get("prompt_cache_retention"),
        "reasoning": reasoning_echo(params, model),
        "safety_identifier": params.get("safety_identifier"),
        "service_tier": params.get("service_tier") or "default",
        "store": params.get("store") is not False,
        "temperature": float(params["temperature"])
        if params.get("temperature") is not None
        else 1.0,
        "text": text,
        "tool_choice": params.get("tool_choice") or "auto",
        "tools": [echo_builtin_tool(t) for t in echo_tools(params.get("tools"))],
        "top_logprobs": params.get("top_logprobs") or 0,
        "top_p": float(params["top_p"]) if params.get("top_p") is not None else 1.0,
        "truncation": params.get("truncation") or "disabled",
        "user": params.get("user"),
        "metadata": params.get("metadata") or {},
    }


def assemble(
    *,
    response_id: str,
    created_at: int,
    status: str,
    echo: dict[str, Any],
    output: list[dict[str, Any]],
    usage: dict[str, Any] | None,
    completed_at: int | None = None,
    incomplete_reason: str | None = None,
    error: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Lay out a Response in the real API's key order."""
    response: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "background": echo["background"],
        "billing": echo["billing"],
        "completed_at": completed_at,
        "error": error,
        "frequency_penalty": echo["frequency_penalty"],
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "instructions": echo["instructions"],
        "max_output_tokens": echo["max_output_tokens"],
        "max_tool_calls": echo["max_tool_calls"],
        "model": echo["model"],
        # Sent (as null when nothing was moderated) since 2026-04; the mock moderates nothing.
        "moderation": None,
        "output": output,
        "parallel_tool_calls": echo["parallel_tool_calls"],
        "presence_penalty": echo["presence_penalty"],
        "previous_response_id": echo["previous_response_id"],
        "prompt_cache_key": echo["prompt_cache_key"],
        "prompt_cache_retention": echo["prompt_cache_retention"],
        "reasoning": echo["reasoning"],
        "safety_identifier": echo["safety_identifier"],
        "service_tier": echo["service_tier"],
        "store": echo["store"],
        "temperature": echo["temperature"],
        "text": echo["text"],
        "tool_choice": echo["tool_choice"],
        "tool_usage": add_tool_usage(empty_tool_usage(), output),
        "tools": echo["tools"],
        "top_logprobs": echo["top_logprobs"],
        "top_p": echo["top_p"],
        "truncation": echo["truncation"],
        "usage": usage,
        "user": echo["user"],
        "metadata": echo["metadata"],
    }
    if conversation is not None:
        response["conversation"] = conversation
    if echo.get("prompt") is not None:
        # Echoed when the request uses a stored prompt (openai-dotnet MultipleResponseInstructions).
        response = _insert_after(response, "previous_response_id", "prompt", echo["prompt"])
    return response


def _insert_after(mapping: dict[str, Any], anchor: str, key: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, existing in mapping.items():
        out[name] = existing
        if name == anchor:
            out[key] = value
    return out


def create_turn(
    params: dict[str, Any],
    *,
    model: Model,
    prior_context: Sequence[dict[str, Any]],
    ids: IdFactory,
    clock: Clock,
    directives: Directives | None = None,
) -> Turn:
    """A finished (completed or incomplete) response for a validated create request."""
    created_at = int(clock.now())
    shard = ids.new_shard()

    def new_item_id(prefix: str) -> str:
        return ids.item_id(prefix, shard, created_at)

    input_items = normalize_input(params.get("input"), new_item_id)
    context = extend_context(prior_context, input_items)
    answer = respond(params, model, context, new_item_id, directives, ids.call_id)
    instructions = params.get("instructions")
    status = "incomplete" if answer.incomplete_reason else "completed"
    response = assemble(
        response_id=ids.response_id(shard, created_at),
        created_at=created_at,
        status=status,
        echo=echo_fields(params, model),
        output=answer.items,
        usage=usage_block(
            context_tokens(context, instructions),
            answer.output_tokens,
            answer.reasoning_tokens,
        ),
        completed_at=int(clock.now()) if status == "completed" else None,
        incomplete_reason=answer.incomplete_reason,
    )
    return Turn(
        response=response,
        input_items=input_items,
        context=extend_context(context, answer.items),
    )
