"""Remote ``mcp`` servers: tool listing, calls, and the approval request/response flow.

Recorded shapes (openai-dotnet MCPTool*, vercel-ai openai-mcp-tool*):

* the first turn that offers a server lists its tools, whether or not it calls one: ``mcpl_``
  ``mcp_list_tools`` item (added with ``tools: []``; ``mcp_list_tools.in_progress`` →
  ``.completed``); later turns whose context already holds that listing do not list again;
* a call that needs approval (``require_approval`` is ``"always"``, the default, or names the
  tool) ends the turn with an ``mcpr_`` ``mcp_approval_request`` and no message; the client
  answers with an ``mcp_approval_response`` input item: approved, the next turn makes the
  ``mcp_`` ``mcp_call`` (with ``approval_request_id``) and answers; denied, it only answers;
* a call without approval is made at once: ``mcp_call.in_progress`` → one
  ``mcp_call_arguments.delta`` → ``…arguments.done`` → ``mcp_call.completed``.

Servers are not contacted: each lists one tool per ``allowed_tools`` name (default ``search``)
taking ``{"query": string}``, and answers with a deterministic text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from mockserver.contract.errors import InvalidRequestError
from mockserver.model.builtin_tools.base import ToolContext, ToolResult, mentions
from mockserver.model.context import TalliedContext
from mockserver.model.decision import words

TYPES = ("mcp",)
CHOICES = ("mcp",)
TRIGGERS = ("mcp",)
DEFAULT_TOOL = "search"


def _filter_echo(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    return {"read_only": value.get("read_only"), "tool_names": value.get("tool_names")}


def _approval_echo(value: Any) -> Any:
    """A filter object is echoed with both sides and their `read_only` (openai-dotnet
    ``MCPToolAlwaysRequiresApproval``/``MCPToolNeverRequiresApproval`` recordings)."""
    if not isinstance(value, Mapping):
        return value
    return {side: _filter_echo(value.get(side)) for side in ("always", "never")}


def echo(tool: Mapping[str, Any]) -> dict[str, Any]:
    allowed = tool.get("allowed_tools")
    if isinstance(allowed, Mapping):
        allowed = {"read_only": allowed.get("read_only"), "tool_names": allowed.get("tool_names")}
    out: dict[str, Any] = {
        "type": "mcp",
        "allowed_tools": allowed,
        "headers": None,
        "require_approval": _approval_echo(tool.get("require_approval", "always")),
        "server_description": tool.get("server_description"),
        "server_label": tool["server_label"],
    }
    for key in ("server_url", "connector_id"):
        if key in tool:
            out[key] = tool[key]
    return out


def tool_names(tool: Mapping[str, Any]) -> list[str]:
    allowed = tool.get("allowed_tools")
    if isinstance(allowed, list) and allowed:
        return [str(name) for name in allowed]
    if isinstance(allowed, Mapping) and allowed.get("tool_names"):
        return [str(name) for name in allowed["tool_names"]]
    return [DEFAULT_TOOL]


def listed_tools(tool: Mapping[str, Any]) -> list[dict[str, Any]]:
    label = tool["server_label"]
    return [
        {
            "annotations": {"read_only": False},
            "description": f"Mock tool {name!r} of the {label!r} MCP server.",
            # As real MCP servers list them (openai-dotnet MCPToolWorks.json).
            "input_schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {"query": {"type": "string"}},
                "required": ["query"],
                "additionalProperties": False,
            },
            "name": name,
        }
        for name in tool_names(tool)
    ]


def mentioned(tool: Mapping[str, Any], question: str) -> bool:
    """The question names ``mcp``, the server label or an allowed tool, or shares a word with
    the server's label or description."""
    named = tool_names(tool) if tool.get("allowed_tools") else []
    if mentions(question, [*TRIGGERS, str(tool["server_label"]), *named]):
        return True
    about = f"{tool['server_label']} {tool.get('server_description') or ''}"
    return bool(words(about) & words(question))


def needs_approval(tool: Mapping[str, Any], name: str) -> bool:
    policy = tool.get("require_approval", "always")
    if policy == "never":
        return False
    if isinstance(policy, Mapping):
        never = (policy.get("never") or {}).get("tool_names") or []
        return name not in never
    return True


def listing(ctx: ToolContext, label: str, tools: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "id": ctx.new_item_id("mcpl"),
        "type": "mcp_list_tools",
        "server_label": label,
        "tools": [dict(t) for t in tools],
    }


def call_item(
    ctx: ToolContext,
    label: str,
    name: str,
    arguments: str,
    *,
    approval_request_id: str | None = None,
    output: str | None = None,
    error: Any = None,
) -> dict[str, Any]:
    if output is None and error is None:
        output = f"Mock result of {name} on {label} for {json.loads(arguments or '{}')!r}."
    return {
        "id": ctx.new_item_id("mcp"),
        "type": "mcp_call",
        "status": "failed" if error is not None else "completed",
        "approval_request_id": approval_request_id,
        "arguments": arguments,
        "error": error,
        "name": name,
        "output": output,
        "server_label": label,
    }


def approval_request(ctx: ToolContext, label: str, name: str, arguments: str) -> dict[str, Any]:
    return {
        "id": ctx.new_item_id("mcpr"),
        "type": "mcp_approval_request",
        "arguments": arguments,
        "name": name,
        "server_label": label,
    }


def _listed(context: Sequence[Any], label: str) -> bool:
    if isinstance(context, TalliedContext):
        return label in context.tally.mcp_listed
    return any(
        isinstance(i, Mapping)
        and i.get("type") == "mcp_list_tools"
        and i.get("server_label") == label
        for i in context
    )


def new_listings(tools: Sequence[Mapping[str, Any]], ctx: ToolContext) -> list[dict[str, Any]]:
    """An ``mcp_list_tools`` item for each MCP server offered that the context has not listed."""
    return [
        listing(ctx, str(tool["server_label"]), listed_tools(tool))
        for tool in tools
        if tool.get("type") == "mcp" and not _listed(ctx.context, str(tool["server_label"]))
    ]


def call(tool: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
    label = str(tool["server_label"])
    result = ToolResult()
    name = tool_names(tool)[0]
    arguments = json.dumps({"query": ctx.snippet() or "mock"}, separators=(",", ":"))
    if needs_approval(tool, name):
        result.calls.append(approval_request(ctx, label, name, arguments))
        result.stop = True
    else:
        result.calls.append(call_item(ctx, label, name, arguments))
    return result


def _is_approval_response(item: Any) -> bool:
    # `dict` first: items are dicts, and the ABC check alone costs several times more.
    return isinstance(item, (dict, Mapping)) and item.get("type") == "mcp_approval_response"


def answer_approvals(ctx: ToolContext) -> list[dict[str, Any]]:
    """``mcp_call`` items for the approvals the client just granted (denied ones make none)."""
    if isinstance(ctx.context, TalliedContext) and not ctx.context.tally.mcp_approvals:
        return []  # nothing to answer: no need to read the whole history
    if not any(_is_approval_response(i) for i in ctx.context):
        return []
    requests = {
        i.get("id"): i
        for i in ctx.context
        if isinstance(i, Mapping) and i.get("type") == "mcp_approval_request"
    }
    answered = {
        i.get("approval_request_id")
        for i in ctx.context
        if isinstance(i, Mapping) and i.get("type") == "mcp_call"
    }
    calls = []
    for item in ctx.context:
        if not isinstance(item, Mapping) or item.get("type") != "mcp_approval_response":
            continue
        request_id = item.get("approval_request_id")
        if request_id in answered:
            continue
        request = requests.get(request_id)
        if request is None:
            raise InvalidRequestError(
                f"No MCP approval request with id '{request_id}' was found in this conversation.",
                param="input",
            )
        answered.add(request_id)
        if item.get("approve"):
            calls.append(
                call_item(
                    ctx,
                    request["server_label"],
                    request["name"],
                    request["arguments"],
                    approval_request_id=request_id,
                )
            )
    return calls
