"""Request ``input`` -> the list of input items the API stores, with ids and status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# Item type -> id prefix the real API gives items it stores (output items keep their own ids).
ITEM_ID_PREFIXES: dict[str, str] = {
    "message": "msg",
    "function_call": "fc",
    # Seen in recorded input_items: a function_call_output gets an `fc_` id like its call.
    "function_call_output": "fc",
    "reasoning": "rs",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "compaction": "cmp",
    "web_search_call": "ws",
    "file_search_call": "fs",
    "code_interpreter_call": "ci",
    "image_generation_call": "ig",
    "mcp_call": "mcp",
    "mcp_list_tools": "mcpl",
    "mcp_approval_request": "mcpr",
    "mcp_approval_response": "mcpa",
    "computer_call": "cu",
    "computer_call_output": "cuo",
    "local_shell_call": "lsh",
    "item_reference": "ref",
}

_ROLE_PART_TYPE = {"assistant": "output_text"}


def _normalize_content(role: str, content: Any) -> Any:
    if isinstance(content, str):
        part_type = _ROLE_PART_TYPE.get(role, "input_text")
        part: dict[str, Any] = {"type": part_type, "text": content}
        if part_type == "output_text":
            part["annotations"] = []
        return [part]
    if isinstance(content, list):
        # The real API stores an image part without `detail` as `"detail": "auto"`.
        return [
            {**part, "detail": part.get("detail") or "auto"}
            if isinstance(part, dict) and part.get("type") == "input_image"
            else part
            for part in content
        ]
    return content


def normalize_input(
    raw: str | list[dict[str, Any]] | None, new_id: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Turn the request's ``input`` into stored input items, as ``input_items`` lists them.

    ``new_id(prefix)`` makes an id; items that bring their own id keep it.
    """
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [{"role": "user", "content": raw}]
    items: list[dict[str, Any]] = []
    for entry in raw:
        item_type = entry.get("type", "message")
        item: dict[str, Any] = {
            "id": entry.get("id") or new_id(ITEM_ID_PREFIXES.get(item_type, "item"))
        }
        item["type"] = item_type
        if item_type == "message":
            role = entry.get("role", "user")
            item["status"] = entry.get("status") or "completed"
            item["content"] = _normalize_content(role, entry.get("content"))
            item["role"] = role
        else:
            if item_type in ("function_call_output", "function_call"):
                # Recorded input_items list these as id, type, status, then the item's fields.
                item["status"] = entry.get("status") or "completed"
            for key, value in entry.items():
                if key not in ("id", "type", "status"):
                    item[key] = value
        items.append(item)
    return items


def item_text(item: Any) -> str:
    """All text an input or output item carries, as one string (for counting and hashing)."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        return ""
    parts: list[str] = []
    content = item.get("content")
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict):
                for key in ("text", "refusal"):
                    value = part.get(key)
                    if isinstance(value, str):
                        parts.append(value)
    for key in ("arguments", "output", "name", "input", "encrypted_content"):
        value = item.get(key)
        if isinstance(value, str):
            parts.append(value)
    summary = item.get("summary")
    if isinstance(summary, list):
        parts.extend(p.get("text", "") for p in summary if isinstance(p, dict))
    return "\n".join(parts)



def last_user_text(context: Sequence[Any]) -> str:
    for item in reversed(context):
        if isinstance(item, dict) and item.get("type", "message") == "message":
            if item.get("role", "user") == "user":
                return item_text(item)
        elif isinstance(item, str):
            return item
    return ""

