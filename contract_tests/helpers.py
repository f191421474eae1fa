"""Assertions shared by the contract tests. Only the public SDK; nothing from ``mockserver``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import openai

REQUEST_ID = re.compile(r"^req_[0-9a-f]{32}$")

# A turn that calls one function, with runs of argument deltas folded (see `collapse_runs`).
FUNCTION_CALL_TURN = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.done",
    "response.completed",
]


def assert_api_error(
    error: openai.APIStatusError,
    *,
    status: int,
    param: str | None = None,
    code: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """The real error envelope: status, type, param, code (and message when it is known)."""
    assert error.status_code == status
    assert isinstance(error.body, dict), error.body
    assert set(error.body) >= {"message", "type", "param", "code"}, error.body
    assert error.body["type"] == "invalid_request_error", error.body
    assert error.body["param"] == param, error.body
    assert error.body["code"] == code, error.body
    if message is not None:
        assert error.body["message"] == message, error.body
    assert error.request_id is not None
    assert error.request_id.startswith("req_"), error.request_id
    return error.body


def collapse_runs(types: Iterable[str]) -> list[str]:
    """Event types with runs of the same type folded into one (``delta, delta`` -> ``delta``)."""
    folded: list[str] = []
    for kind in types:
        if not folded or folded[-1] != kind:
            folded.append(kind)
    return folded


def message_items(response: Any) -> list[Any]:
    return [item for item in response.output if item.type == "message"]
