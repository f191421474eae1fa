"""When the mock "model" calls a function or custom tool (the checks and the echo are in
``contract/tool_rules.py``).

When a tool is called (pure, deterministic):

* ``tool_choice: "none"`` never calls one.
* ``tool_choice: {"type": "function", "name": X}`` (or ``custom``) calls ``X``.
* Otherwise the tools to call are the ones the ``x-mockserver-tool-calls`` header names (``*``:
  all); without that header, when the last context item is a user message, every function or
  custom tool whose name appears in it as a whole word (case-insensitive).
* ``"required"`` (or ``allowed_tools`` in ``required`` mode) with nothing named calls the first
  tool; ``"auto"`` with nothing named answers in text. So after ``function_call_output`` items
  the reply is a message that reflects them.
* ``parallel_tool_calls: false`` keeps only the first of several calls.

``allowed_tools`` limits the candidates to its list. Hosted tools (web search, file search...) are
never called. Each call is a ``function_call`` item (``fc_`` id, ``call_`` call id, JSON
``arguments`` valid for the tool's ``parameters``) or a ``custom_tool_call`` item (``ctc_`` id).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from mockserver.contract.errors import InvalidRequestError, join_choices
from mockserver.contract.inputs import item_text
from mockserver.contract.tool_rules import CALL_OUTPUTS, CALLABLE_TOOLS, callable_tools
from mockserver.scenarios.directives import TOOL_CALLS_HEADER, Directives

# ---- request checks -------------------------------------------------------------------------








# ---- echo -----------------------------------------------------------------------------------






# ---- which tools get called -----------------------------------------------------------------


def _candidates(params: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """(tools the model may call, whether it must call one)."""
    tools = callable_tools(params)
    choice = params.get("tool_choice") or "auto"
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = {(t.get("type"), t.get("name")) for t in choice.get("tools") or []}
        tools = [t for t in tools if (t.get("type"), t.get("name")) in allowed]
        return tools, choice.get("mode") == "required"
    return tools, choice == "required"


def _mentioned(tools: Sequence[dict[str, Any]], context: Sequence[Any]) -> list[dict[str, Any]]:
    last = context[-1] if context else None
    is_user = isinstance(last, str) or (
        isinstance(last, dict)
        and last.get("type", "message") == "message"
        and last.get("role", "user") == "user"
    )
    if not is_user:
        return []
    text = item_text(last)
    return [
        tool
        for tool in tools
        if re.search(rf"(?<![\w-]){re.escape(str(tool.get('name')))}(?![\w-])", text, re.I)
    ]


def _by_directive(tools: Sequence[dict[str, Any]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    if "*" in names:
        return list(tools)
    by_name = {t.get("name"): t for t in tools}
    missing = [n for n in names if n not in by_name]
    if missing:
        available = [str(t.get("name")) for t in tools] or ["(none)"]
        raise InvalidRequestError(
            f"Invalid '{TOOL_CALLS_HEADER}' header: no callable tool named "
            f"{join_choices(missing)} in this request. Name function or custom tools from "
            f"'tools' ({join_choices(available)}), or send '*' for all of them.",
            code="invalid_mock_header",
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def tools_to_call(
    params: dict[str, Any], context: Sequence[Any], directives: Directives
) -> list[dict[str, Any]]:
    """The tools this turn calls, in order (empty: answer with a message)."""
    choice = params.get("tool_choice") or "auto"
    if choice == "none":
        return []
    if isinstance(choice, dict) and choice.get("type") in CALLABLE_TOOLS:
        return [
            t
            for t in callable_tools(params)
            if t.get("type") == choice["type"] and t.get("name") == choice.get("name")
        ][:1]
    if isinstance(choice, dict) and choice.get("type") != "allowed_tools":
        return []  # a hosted tool is forced: the mock does not run hosted tools
    tools, required = _candidates(params)
    if directives.tool_calls is not None:
        chosen = _by_directive(tools, directives.tool_calls)
    else:
        chosen = _mentioned(tools, context)
    if not chosen and required and tools:
        chosen = tools[:1]
    if params.get("parallel_tool_calls") is False:
        chosen = chosen[:1]
    return chosen


# ---- call items -----------------------------------------------------------------------------


def call_item(
    tool: dict[str, Any],
    payload: str,
    new_item_id: Callable[[str], str],
    new_call_id: Callable[[], str],
) -> dict[str, Any]:
    """A finished call item: ``payload`` is the JSON arguments (function) or the input (custom)."""
    if tool.get("type") == "custom":
        return {
            "id": new_item_id("ctc"),
            "type": "custom_tool_call",
            "call_id": new_call_id(),
            "input": payload,
            "name": tool.get("name"),
        }
    return {
        "id": new_item_id("fc"),
        "type": "function_call",
        "status": "completed",
        "arguments": payload,
        "call_id": new_call_id(),
        "name": tool.get("name"),
    }


def tool_outputs_text(context: Sequence[Any]) -> list[str]:
    """The outputs of the tool calls the context ends with (what a final answer reflects)."""
    outputs: list[str] = []
    for item in reversed(context):
        if not isinstance(item, dict) or item.get("type") not in CALL_OUTPUTS.values():
            break
        output = item.get("output")
        if isinstance(output, list):  # content parts: keep their text
            output = " ".join(str(p.get("text", "")) for p in output if isinstance(p, dict))
        outputs.append(str(output if output is not None else ""))
    return outputs[::-1]
