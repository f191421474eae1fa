"""Function and custom tools as the API accepts and echoes them: the real checks (names, strict
parameter schemas, ``tool_choice``, calls answered by outputs) and the echo in a ``Response``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.text_format import cached_violation, check_name, resolved_strict

CALLABLE_TOOLS = ("function", "custom")


# call item type -> its output item type
CALL_OUTPUTS = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
}


EMPTY_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {},
    "required": [],
    "additionalProperties": False,
}


def callable_tools(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in params.get("tools") or [] if t.get("type") in CALLABLE_TOOLS]


def parameters_of(tool: dict[str, Any]) -> dict[str, Any]:
    parameters = tool.get("parameters")
    return parameters if isinstance(parameters, dict) else EMPTY_PARAMETERS


def check_tools(body: dict[str, Any]) -> None:
    """Names, strict parameter schemas and ``tool_choice`` (run with the other request checks)."""
    tools = body.get("tools") or []
    for index, tool in enumerate(tools):
        if tool.get("type") not in CALLABLE_TOOLS:
            continue
        check_name(tool.get("name"), f"tools[{index}].name")
        if tool.get("type") == "function" and tool.get("strict") is True:
            problem = cached_violation(parameters_of(tool))
            if problem is not None:
                raise InvalidRequestError(
                    problem.message("function", str(tool.get("name"))),
                    param=f"tools[{index}].parameters",
                    code="invalid_function_parameters",
                )
    check_tool_choice(body.get("tool_choice"), tools)


def check_tool_choice(choice: Any, tools: Sequence[dict[str, Any]]) -> None:
    if choice == "required" and not tools:
        raise InvalidRequestError(
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
            "specified.",
            param="tool_choice",
        )
    if isinstance(choice, dict) and choice.get("type") in CALLABLE_TOOLS:
        names = {t.get("name") for t in tools if t.get("type") == choice["type"]}
        if choice.get("name") not in names:
            raise InvalidRequestError(
                f"Tool choice '{choice.get('name')}' not found in 'tools' parameter.",
                param="tool_choice",
            )


def check_tool_outputs(new_items: Sequence[Any], prior: Sequence[Any]) -> None:
    """Every tool output must answer a call, and every call must have its output (real 400s)."""
    context = [*prior, *new_items]
    calls = {
        (item.get("type"), item.get("call_id"))
        for item in context
        if isinstance(item, dict) and item.get("type") in CALL_OUTPUTS
    }
    search_calls = {
        item.get("call_id")
        for item in context
        if isinstance(item, dict) and item.get("type") == "tool_search_call"
    }
    outputs = {
        (item.get("type"), item.get("call_id"))
        for item in context
        if isinstance(item, dict) and item.get("type") in CALL_OUTPUTS.values()
    }
    for item in new_items:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "function_call_output":
            # A client-executed `tool_search_call` is answered by a function_call_output too
            # (braintrust openai-codex-* cassettes, answered 200).
            call_id = item.get("call_id")
            if ("function_call", call_id) not in calls and call_id not in search_calls:
                raise InvalidRequestError(
                    "No tool call found for function call output with call_id "
                    f"{item.get('call_id')}.",
                    param="input",
                )
        elif item.get("type") == "custom_tool_call_output" and (
            ("custom_tool_call", item.get("call_id")) not in calls
        ):
            raise InvalidRequestError(
                "No tool call found for custom tool call output with call_id "
                f"{item.get('call_id')}.",
                param="input",
            )
    for item in context:
        if not (isinstance(item, dict) and item.get("type") in CALL_OUTPUTS):
            continue
        if (CALL_OUTPUTS[item["type"]], item.get("call_id")) not in outputs:
            kind = "function call" if item["type"] == "function_call" else "custom tool call"
            raise InvalidRequestError(
                f"No tool output found for {kind} {item.get('call_id')}.", param="input"
            )


def closed(schema: Any) -> Any:
    """A strict schema as the real API stores it: every object with ``properties`` gets
    ``additionalProperties: false`` and, when it has none, ``required`` naming every property
    (shared/wire-2026, rig ``extractor/extractor_smoke`` and ``extractor_usage``: a function sent
    without `strict` whose schema lacks them is echoed strict, with both added)."""
    if isinstance(schema, list):
        return [closed(sub) for sub in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) if key != "properties" else value for key, value in schema.items()}
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {name: closed(sub) for name, sub in schema["properties"].items()}
        out.setdefault("additionalProperties", False)
        out.setdefault("required", list(schema["properties"]))
    return out


def function_strict(tool: dict[str, Any]) -> bool:
    """The `strict` a function tool runs with: as sent; left out, whether its schema qualifies
    once closed as the API closes it."""
    if isinstance(tool.get("strict"), bool):
        return tool["strict"]
    return resolved_strict(None, closed(parameters_of(tool)))


def echo_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool as a Response shows it, normalised as the API stores it (shared/wire-2026,
    braintrust openai-codex-* cassettes): `type` first; function tools as type, description,
    name, `output_schema` (null unless given), parameters (closed when strict), strict;
    `namespace` tools with their functions echoed the same way."""
    kind = tool.get("type")
    if kind == "namespace":
        inner = [echo_tool(t) if isinstance(t, dict) else t for t in tool.get("tools") or []]
        return {"type": "namespace", **{k: v for k, v in tool.items() if k != "type"},
                "tools": inner}  # fmt: skip
    if kind != "function":
        return {"type": kind, **{k: v for k, v in tool.items() if k != "type"}}
    known = ("type", "description", "name", "output_schema", "parameters", "strict")
    strict = function_strict(tool)
    parameters = tool.get("parameters")
    echoed = {
        "type": "function",
        "description": tool.get("description"),
        "name": tool.get("name"),
        "output_schema": tool.get("output_schema"),
        "parameters": closed(parameters) if strict else parameters,
        "strict": strict,
    }
    return {**echoed, **{k: v for k, v in tool.items() if k not in known}}


def echo_tools(tools: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [echo_tool(tool) for tool in tools or []]

