"""``code_interpreter``: a ``ci_`` call that runs code in a ``cntr_`` container.

Recorded shape (openai-dotnet CodeInterpreterTool*, vercel-ai openai-code-interpreter-tool):
``{"id", "type": "code_interpreter_call", "status", "code", "container_id", "outputs"}`` with
``outputs: null`` unless ``include: ["code_interpreter_call.outputs"]`` asks for them
(``[{"type": "logs", "logs"}]``). The container is the tool's ``container`` when it is an id,
else a new ``cntr_`` + 48 hex. Events: ``code_interpreter_call.in_progress`` →
``code_interpreter_call_code.delta`` x N → ``…code.done`` → ``.interpreting`` → ``.completed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.model.builtin_tools.base import ToolContext, ToolResult

TYPES = ("code_interpreter",)
CHOICES = ("code_interpreter",)
OUTPUTS_INCLUDE = "code_interpreter_call.outputs"


def echo(tool: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "code_interpreter", "container": tool.get("container", {"type": "auto"})}


def container_id(tool: Mapping[str, Any] | None, ctx: ToolContext) -> str:
    container = (tool or {}).get("container")
    if isinstance(container, str):
        return container
    return "cntr_" + ctx.digest("container")[:48]


def _outputs(raw: Any) -> list[dict[str, Any]]:
    return [{"type": "logs", "logs": o} if isinstance(o, str) else dict(o) for o in raw]


def build_call(
    ctx: ToolContext, tool: Mapping[str, Any] | None, spec: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    spec = spec or {}
    text = f"Mock output for: {ctx.snippet(60) or 'the request'}"
    code = spec.get("code") or f"# {ctx.snippet(60) or 'mock run'}\nprint({text!r})\n"
    outputs = None
    if OUTPUTS_INCLUDE in ctx.include:
        outputs = (
            _outputs(spec["outputs"]) if "outputs" in spec else [{"type": "logs", "logs": text}]
        )
    return {
        "id": ctx.new_item_id("ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "code": code,
        "container_id": spec.get("container_id") or container_id(tool, ctx),
        "outputs": outputs,
    }


def call(tool: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
    return ToolResult(calls=[build_call(ctx, tool)])
