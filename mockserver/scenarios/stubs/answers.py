"""What a stub answers: the ``answer`` mapping, parsed and checked (see ``model.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.contract.errors import join_choices
from mockserver.scenarios.faults import Fault, parse_fault
from mockserver.scenarios.pacing import Pacing
from mockserver.scenarios.stubs.parsing import Where, as_int, as_mapping, as_str, check_keys

ANSWER_KEYS = ("text", "refusal", "output", "response", "error", "fault", "pacing", "reasoning")
CONTENT_KEYS = ("text", "refusal", "output", "response", "error")
PACING_KEYS = ("first_event_ms", "tokens_per_second", "reply_delay_ms")
ERROR_KEYS = ("status", "body", "headers", "message", "type", "code", "param")

# Output item specs a stub may answer with -> the keys each accepts (beyond `type`).
ITEM_SPECS: dict[str, tuple[str, ...]] = {
    "message": ("text", "content", "annotations", "phase"),
    "refusal": ("refusal",),
    "function_call": ("name", "arguments", "call_id", "namespace"),
    "custom_tool_call": ("name", "input", "call_id"),
    "reasoning": ("summary", "encrypted_content"),
    "web_search_call": ("query", "queries", "sources", "action"),
    "file_search_call": ("queries", "results"),
    "code_interpreter_call": ("code", "outputs", "container_id"),
    "image_generation_call": (
        "result",
        "revised_prompt",
        "size",
        "quality",
        "background",
        "output_format",
    ),
    "mcp_list_tools": ("server_label", "tools"),
    "mcp_call": ("server_label", "name", "arguments", "output", "error"),
    "mcp_approval_request": ("server_label", "name", "arguments"),
}
REQUIRED_ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "refusal": ("refusal",),
    "function_call": ("name",),
    "custom_tool_call": ("name",),
    "mcp_call": ("name",),
    "mcp_approval_request": ("name",),
}


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str]


@dataclass(frozen=True)
class StubAnswer:
    text: str | None = None
    refusal: str | None = None
    output: tuple[Mapping[str, Any], ...] | None = None
    response: Mapping[str, Any] | None = None
    error: ErrorAnswer | None = None
    fault: Fault | None = None
    pacing: Pacing | None = None
    # None: a reasoning model reasons first, as on the real API; False: never; True: always.
    reasoning: bool | None = None

    @property
    def has_content(self) -> bool:
        return any(v is not None for v in (self.text, self.refusal, self.output, self.response))


def parse_answer(where: Where, raw: Any, conditions: Any) -> StubAnswer:
    """The ``answer`` of a stub; ``conditions`` says which request it answers."""
    if isinstance(raw, str):
        raw = {"text": raw}
    spec = as_mapping(where, "answer", raw)
    check_keys(where, "answer", spec, ANSWER_KEYS)
    given = [k for k in CONTENT_KEYS if k in spec]
    if len(given) > 1:
        raise where.error("answer", f"give only one of {join_choices(given)}")
    if not given and "fault" not in spec and "pacing" not in spec:
        raise where.error(
            "answer",
            f"empty; give one of {join_choices(list(CONTENT_KEYS), 'or')}, or a fault or pacing",
        )
    fault = None
    if "fault" in spec:
        fault = parse_fault(spec["fault"], f"{where.prefix}: answer.fault")
        if "error" in spec:
            raise where.error("answer", "give either 'error' or 'fault', not both")
        if not fault.is_http and not conditions.targets_create:
            raise where.error(
                "answer.fault",
                f"{fault.kind!r} changes a model reply; only POST /v1/responses has one "
                "(use an HTTP fault or an error for other paths)",
            )
    if not conditions.targets_create and any(
        k in spec for k in ("text", "refusal", "output", "response")
    ):
        raise where.error(
            "answer",
            f"{conditions.method} {conditions.path} does not return a model reply; answer it "
            "with 'error' or an HTTP fault",
        )
    output = None
    if "output" in spec:
        if not isinstance(spec["output"], list) or not spec["output"]:
            raise where.error("answer.output", "expected a non-empty list of output items")
        output = tuple(
            _item(where, f"answer.output[{i}]", item) for i, item in enumerate(spec["output"])
        )
    response = None
    if "response" in spec:
        response = dict(as_mapping(where, "answer.response", spec["response"]))
        if "output" in response:
            items = response["output"]
            if not isinstance(items, list):
                raise where.error("answer.response.output", "expected a list of output items")
            response["output"] = [
                _item(where, f"answer.response.output[{i}]", item) for i, item in enumerate(items)
            ]
    reasoning = spec.get("reasoning")
    if reasoning is not None and not isinstance(reasoning, bool):
        raise where.error("answer.reasoning", "expected true or false")
    return StubAnswer(
        text=as_str(where, "answer.text", spec["text"]) if "text" in spec else None,
        refusal=as_str(where, "answer.refusal", spec["refusal"]) if "refusal" in spec else None,
        output=output,
        response=response,
        error=_error(where, spec["error"]) if "error" in spec else None,
        fault=fault,
        pacing=_pacing(where, spec["pacing"]) if "pacing" in spec else None,
        reasoning=reasoning,
    )


def _item(where: Where, path: str, raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, str):
        return {"type": "message", "text": raw}
    spec = as_mapping(where, path, raw)
    item_type = spec.get("type", "message")
    if item_type not in ITEM_SPECS:
        raise where.error(
            f"{path}.type",
            f"unknown output item type {item_type!r}; valid types are "
            f"{join_choices(list(ITEM_SPECS))}",
        )
    check_keys(where, path, spec, ("type", *ITEM_SPECS[item_type]))
    for key in REQUIRED_ITEM_KEYS.get(item_type, ()):
        if key not in spec:
            raise where.error(path, f"a {item_type} item needs {key!r}")
    if item_type == "message" and "text" not in spec and "content" not in spec:
        raise where.error(path, "a message item needs 'text' or 'content'")
    arguments = spec.get("arguments")
    if arguments is not None and not isinstance(arguments, str | Mapping):
        raise where.error(f"{path}.arguments", "expected a JSON string or a mapping")
    return {"type": item_type, **{k: v for k, v in spec.items() if k != "type"}}


def _error(where: Where, raw: Any) -> ErrorAnswer:
    spec = as_mapping(where, "answer.error", raw)
    check_keys(where, "answer.error", spec, ERROR_KEYS)
    if "status" not in spec:
        raise where.error("answer.error", "needs 'status' (an HTTP status from 400 to 599)")
    status = as_int(where, "answer.error.status", spec["status"])
    if not 400 <= status <= 599:
        raise where.error("answer.error.status", f"must be from 400 to 599, got {status}")
    headers = {
        str(k).lower(): str(v)
        for k, v in as_mapping(where, "answer.error.headers", spec.get("headers", {})).items()
    }
    if "body" in spec:
        body = dict(as_mapping(where, "answer.error.body", spec["body"]))
        if any(k in spec for k in ("message", "type", "code", "param")):
            raise where.error(
                "answer.error", "give either 'body' or message/type/code/param, not both"
            )
        return ErrorAnswer(status, body, headers)
    message = as_str(where, "answer.error.message", spec.get("message", f"Mock error {status}."))
    error_type = spec.get("type", "server_error" if status >= 500 else "invalid_request_error")
    body = {
        "error": {
            "message": message,
            "type": as_str(where, "answer.error.type", error_type),
            "param": spec.get("param"),
            "code": spec.get("code"),
        }
    }
    return ErrorAnswer(status, body, headers)


def _pacing(where: Where, raw: Any) -> Pacing:
    spec = as_mapping(where, "answer.pacing", raw)
    check_keys(where, "answer.pacing", spec, PACING_KEYS)
    for key, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise where.error(f"answer.pacing.{key}", f"expected a number, got {value!r}")
    try:
        return Pacing(
            first_event_seconds=spec.get("first_event_ms", 0) / 1000,
            tokens_per_second=spec.get("tokens_per_second"),
            reply_delay_seconds=spec.get("reply_delay_ms", 0) / 1000,
        )
    except ValueError as exc:
        raise where.error("answer.pacing", str(exc)) from None
