"""Built-in (hosted) tools: web search, file search, code interpreter, image generation, MCP.

When does the mock's "model" use a built-in tool it was given in ``tools``?

* ``tool_choice`` names it (``{"type": "web_search_preview"}``, ``{"type": "file_search"}``,
  ``{"type": "mcp", "server_label": …}``, …): always;
* ``tool_choice: "required"`` and it is the first tool in ``tools``: always;
* ``tool_choice: "auto"`` (the default), when the context ends with a user message and
  the message calls for it: the phrases in ``decision.HOSTED_TRIGGERS`` (web search for
  current events, searches and the web; file search for documents and files; code interpreter
  for computation and code; image generation for pictures); an MCP server when the message
  names ``mcp``, the server label or one of its tools, or shares a word with its description;
* never with ``tool_choice: "none"`` or a choice naming another tool; at most
  ``max_tool_calls`` calls.

Each MCP server lists its tools (``mcp_list_tools``) on the first turn that offers it, whether
or not it is called, as the real API does. Stubs script exact tool items instead
(``docs/stubs-faults-tools.md``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from mockserver.model.builtin_tools import (
    code_interpreter,
    file_search,
    image_generation,
    mcp,
    web_search,
)
from mockserver.model.builtin_tools.base import Citation, ToolContext, ToolResult
from mockserver.model.decision import calls_for
from mockserver.model.tokens import count_text_tokens

FAMILIES: tuple[ModuleType, ...] = (
    web_search,
    file_search,
    code_interpreter,
    image_generation,
    mcp,
)
BY_TYPE: dict[str, ModuleType] = {t: module for module in FAMILIES for t in module.TYPES}
BY_CHOICE: dict[str, ModuleType] = {c: module for module in FAMILIES for c in module.CHOICES}
# Output item type -> the family that builds it from a stub's spec.
BY_ITEM: dict[str, ModuleType] = {
    "web_search_call": web_search,
    "file_search_call": file_search,
    "code_interpreter_call": code_interpreter,
    "image_generation_call": image_generation,
}

__all__ = ["Citation", "ToolContext", "ToolResult", "decorate", "echo_tool", "run_tools"]


def echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A built-in tool as the Response's ``tools`` echoes it (defaults filled in)."""
    module = BY_TYPE.get(str(tool.get("type")))
    return module.echo(tool) if module is not None else tool


def builtin_tools(params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [t for t in params.get("tools") or [] if t.get("type") in BY_TYPE]


def _mentioned(tool: Mapping[str, Any], question: str) -> bool:
    module = BY_TYPE[tool["type"]]
    if module is mcp:
        return mcp.mentioned(tool, question)
    return calls_for(module.__name__.rsplit(".", 1)[-1], question)


def chosen_tools(
    params: Mapping[str, Any], question: str, new_turn: bool
) -> list[Mapping[str, Any]]:
    """The built-in tools this turn calls, by the rules in this module's docstring."""
    tools = builtin_tools(params)
    choice = params.get("tool_choice") or "auto"
    if isinstance(choice, Mapping):
        if choice.get("type") == "mcp":
            return [
                t
                for t in tools
                if t["type"] == "mcp" and t.get("server_label") == choice.get("server_label")
            ][:1]
        module = BY_CHOICE.get(str(choice.get("type")))
        if module is None:
            return []
        return [t for t in tools if BY_TYPE[t["type"]] is module][:1]
    if choice == "required":
        every = params.get("tools") or []
        return [every[0]] if every and every[0] in tools else []
    if choice != "auto" or not new_turn:
        return []
    picked = [t for t in tools if _mentioned(t, question)]
    limit = params.get("max_tool_calls")
    return picked[:limit] if limit else picked


def run_tools(params: Mapping[str, Any], ctx: ToolContext, new_turn: bool) -> ToolResult:
    """Every built-in tool item of this turn: listings of MCP servers new to the context, granted
    MCP approvals, then new calls. ``new_turn``: the context ends with a user message."""
    result = ToolResult(calls=mcp.answer_approvals(ctx))
    result.listings += mcp.new_listings(builtin_tools(params), ctx)
    for tool in chosen_tools(params, ctx.question, new_turn):
        part = BY_TYPE[tool["type"]].call(tool, ctx)
        result.listings += part.listings
        result.calls += part.calls
        result.citations += part.citations
        result.stop = result.stop or part.stop
    return result


def tool_for(params: Mapping[str, Any], module: ModuleType) -> Mapping[str, Any] | None:
    return next((t for t in builtin_tools(params) if BY_TYPE[t["type"]] is module), None)


def build_item(spec: Mapping[str, Any], ctx: ToolContext) -> dict[str, Any]:
    """A built-in tool item from a stub's spec, with defaults for what the spec leaves out."""
    item_type = spec["type"]
    if item_type == "web_search_call":
        return web_search.build_call(ctx, spec)
    if item_type in BY_ITEM:
        module = BY_ITEM[item_type]
        return module.build_call(ctx, tool_for(ctx.params, module) or {}, spec)
    server = tool_for(ctx.params, mcp)
    label = str(spec.get("server_label") or (server or {}).get("server_label") or "mcp")
    if item_type == "mcp_list_tools":
        tools = spec.get("tools") or (mcp.listed_tools(server) if server else [])
        return mcp.listing(ctx, label, tools)
    arguments = spec.get("arguments", {})
    if isinstance(arguments, Mapping):
        arguments = json.dumps(arguments, separators=(",", ":"))
    if item_type == "mcp_approval_request":
        return mcp.approval_request(ctx, label, str(spec["name"]), arguments)
    return mcp.call_item(
        ctx, label, str(spec["name"]), arguments, output=spec.get("output"), error=spec.get("error")
    )


def decorate(message: dict[str, Any], citations: Sequence[Citation]) -> int:
    """Add the citations to a finished message's text part; returns the tokens the added text
    costs."""
    parts = [p for p in message.get("content") or [] if p.get("type") == "output_text"]
    if not parts or not citations or message.get("status") != "completed":
        return 0
    part = parts[-1]
    added = ""
    for citation in citations:
        if citation.link_text is not None:
            start = len(part["text"]) + 1
            link = " " + citation.link_text
            part["text"] += link
            added += link
            annotation = {
                "type": citation.type,
                "end_index": start + len(citation.link_text),
                "start_index": start,
                **citation.fields,
            }
        else:
            text = part["text"]
            index = text.rfind(".") if text.endswith(".") else len(text)
            annotation = {"type": citation.type, **citation.fields, "index": index}
        part["annotations"] = [*part.get("annotations", []), annotation]
    return count_text_tokens(added)


def add_tool_usage(usage: dict[str, Any], output: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """``tool_usage`` with what this output's built-in calls cost."""
    searches = sum(1 for item in output if item.get("type") == "web_search_call")
    usage["web_search"]["num_requests"] = searches
    image = usage["image_gen"]
    for item in output:
        if item.get("type") != "image_generation_call":
            continue
        cost = image_generation.usage(
            item, count_text_tokens(str(item.get("revised_prompt") or ""))
        )
        image["input_tokens"] += cost["input_tokens"]
        image["input_tokens_details"]["text_tokens"] += cost["input_tokens"]
        image["output_tokens"] += cost["output_tokens"]
        image["output_tokens_details"]["image_tokens"] += cost["output_tokens"]
        image["total_tokens"] += cost["input_tokens"] + cost["output_tokens"]
    return usage
