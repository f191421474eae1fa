"""Request checks that need the prior context (``previous_response_id`` or conversation items):
tool outputs must answer calls and calls must get outputs; JSON mode needs the word "json"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver.contract.text_format import check_json_mode
from mockserver.contract.tool_rules import check_tool_outputs


def _input_items(raw: Any) -> list[Any]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [{"type": "message", "role": "user", "content": raw}]
    return list(raw)


def check_turn_context(params: dict[str, Any], prior: Sequence[Any]) -> None:
    """The real 400s a create request gets from what it continues (pure)."""
    raw = params.get("input")
    new_items = _input_items(raw)
    if not prior and not isinstance(raw, list):
        # A first turn whose input is one message: no call or output to match.
        check_json_mode(params, new_items)
        return
    context = [*prior, *new_items]
    # Calls inside compaction items are encrypted: nothing to match outputs against.
    if not any(isinstance(i, dict) and i.get("type") == "compaction" for i in context):
        check_tool_outputs(new_items, prior)
    check_json_mode(params, context)
