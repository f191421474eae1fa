"""``text.format``: the checks the real API makes on it, and how a Response echoes it.

* ``text``: plain answers (the default).
* ``json_object``: JSON mode. The input messages must mention JSON, or the real 400.
* ``json_schema``: Structured Outputs. ``name`` must match ``^[a-zA-Z0-9_-]+$`` (64 characters at
  most); with ``strict: true`` the schema must follow the strict rules (``strict_rules``).
  ``strict`` left out behaves as the real API does: the schema is used strictly when it follows
  the rules (the echo says ``"strict": true``) and best-effort otherwise (``"strict": false``).

The echo has the real key order: ``{"type", "description", "name", "schema", "strict"}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.inputs import item_text
from mockserver.contract.schema_cache import CACHE
from mockserver.contract.strict_rules import SchemaViolation, strict_violation

NAME_PATTERN = "^[a-zA-Z0-9_-]+$"
NAME_MAX_LENGTH = 64
_NAME = re.compile(NAME_PATTERN)


def check_name(name: Any, param: str) -> None:
    """The real checks on a function or format ``name`` (its type is checked by the schema)."""
    if not isinstance(name, str):
        return
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidRequestError(
            f"Invalid '{param}': string too long. Expected a string with maximum length "
            f"{NAME_MAX_LENGTH}, but got a string with length {len(name)} instead.",
            param=param,
            code="string_above_max_length",
        )
    if not _NAME.match(name):
        raise InvalidRequestError(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches "
            f"the pattern '{NAME_PATTERN}'.",
            param=param,
            code="invalid_value",
        )


def cached_violation(schema: Any) -> SchemaViolation | None:
    if not isinstance(schema, dict):
        return strict_violation(schema)
    return CACHE.get("strict", schema, lambda: strict_violation(schema))


def resolved_strict(strict: Any, schema: Any) -> bool:
    """What ``strict`` a schema is used with: as sent, or (left out) whether it qualifies."""
    if isinstance(strict, bool):
        return strict
    return cached_violation(schema) is None


def text_format(params: dict[str, Any]) -> dict[str, Any]:
    return (params.get("text") or {}).get("format") or {"type": "text"}


def check_text_format(body: dict[str, Any]) -> None:
    """``text.format`` checks that need no state (run with the other request checks)."""
    fmt = text_format(body)
    if fmt.get("type") != "json_schema":
        return
    check_name(fmt.get("name"), "text.format.name")
    if fmt.get("strict") is True:
        problem = cached_violation(fmt.get("schema"))
        if problem is not None:
            raise InvalidRequestError(
                problem.message("response_format", str(fmt.get("name"))),
                param="text.format.schema",
                code="invalid_json_schema",
            )


_JSON_WORD = re.compile("json", re.IGNORECASE)


def check_json_mode(params: dict[str, Any], context: Sequence[Any]) -> None:
    """JSON mode needs the word "json" in the input messages (``instructions`` do not count)."""
    if text_format(params).get("type") != "json_object":
        return
    for item in context:
        is_message = isinstance(item, str) or (
            isinstance(item, dict) and item.get("type", "message") == "message"
        )
        if is_message and _JSON_WORD.search(item_text(item)):
            return
    raise InvalidRequestError(
        "Response input messages must contain the word 'json' in some form to use 'text.format' "
        "of type 'json_object'.",
        param="text.format",
    )


def echo_text(text: dict[str, Any] | None) -> dict[str, Any]:
    """``text`` as a Response shows it: format normalized, ``verbosity`` defaulted."""
    text = dict(text or {})
    fmt = dict(text.pop("format", None) or {"type": "text"})
    if fmt.get("type") == "json_schema":
        fmt = {
            "type": "json_schema",
            "description": fmt.get("description"),
            "name": fmt.get("name"),
            "schema": fmt.get("schema"),
            "strict": resolved_strict(fmt.get("strict"), fmt.get("schema")),
        }
    return {"format": fmt, "verbosity": text.pop("verbosity", None) or "medium", **text}
