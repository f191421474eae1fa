"""Reject only with evidence: what real clients send and the real API answered 200 passes; the
real API's genuine 400s keep their exact messages (issue #12)."""

# ruff: noqa: E501  (verbatim real messages read best one per line)

from __future__ import annotations

from typing import Any

import pytest

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.validation import (
    REJECTIONS,
    check_create_request,
    did_you_mean,
    edit_distance,
    has_evidence,
    known_parameters,
)

USER = {"role": "user", "content": "What is the weather?"}
ASSISTANT_PARTS = [{"type": "output_text", "text": "Sunny."}]


def body(*items: Any, **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-5.4", "input": [USER, *items], **extra}


ACCEPTED = {
    # OpenAI's conversation-state guide: `history += [{"role": el.role, "content": el.content}]`.
    "assistant turn, role + output parts": body({"role": "assistant", "content": ASSISTANT_PARTS}),
    "assistant message item": body({"type": "message", "role": "assistant", "content": ASSISTANT_PARTS}),
    "with annotations": body({"type": "message", "role": "assistant",
                              "content": [{**ASSISTANT_PARTS[0], "annotations": []}]}),
    "with id, no type (@ai-sdk/openai, store false)": body(
        {"id": "msg_1", "role": "assistant", "content": ASSISTANT_PARTS}, store=False),
    "with id and type": body({"type": "message", "id": "msg_1", "role": "assistant", "content": ASSISTANT_PARTS}),
    "a refusal part": body({"role": "assistant", "content": [{"type": "refusal", "refusal": "No."}]}),
    "reasoning item without id": body({"type": "reasoning", "encrypted_content": "gAAAAAB", "summary": []}),
    "function_call status null": body(
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}", "status": None},
        {"type": "function_call_output", "call_id": "c1", "output": "ok"}),
    "tool_choice null": body(tool_choice=None),
    "image_generation_call without result": body({"type": "image_generation_call", "id": "ig_1", "status": "completed"}),
    "namespace tool": body(tools=[{"type": "namespace", "name": "ns", "description": "d", "tools": [
        {"type": "function", "name": "f", "defer_loading": True, "parameters": {"type": "object", "properties": {}}}]}]),
    "tool_search tool": body(tools=[{"type": "tool_search", "execution": "client", "description": "d",
                                     "parameters": {"type": "object", "properties": {}}}]),
    "client_metadata (Codex)": body(client_metadata={"session_id": "s"}),
    "strict schema with 2026 keywords": body(text={"format": {
        "type": "json_schema", "name": "p", "strict": True, "schema": {
            "type": "object", "additionalProperties": False, "required": ["n", "a", "t"],
            "properties": {"n": {"type": "string", "minLength": 1, "maxLength": 9, "pattern": "^[a-z]+$"},
                           "a": {"type": "integer", "minimum": 0, "maximum": 150, "format": "uint8"},
                           "t": {"type": "array", "items": {"type": "string"}, "minItems": 1}}}}}),
    "output_schema on a function tool": body(tools=[
        {"type": "function", "name": "f", "output_schema": {"type": "object"}, "parameters": {"type": "object", "properties": {}}}]),
    "unknown key inside an input item's part (no evidence of a 400)": body(
        {"role": "assistant", "content": [{**ASSISTANT_PARTS[0], "logprobs": [], "x_client_note": 1}]}),
}  # fmt: skip


@pytest.mark.parametrize("request_body", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_what_real_clients_send_passes(request_body: dict[str, Any]) -> None:
    check_create_request(request_body)


REJECTED = [
    (body({"role": "assistant", "content": [{"type": "input_text", "text": "Sunny."}]}),
     "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.",
     "input[1].content[0]", "invalid_value"),
    (body({"role": "user", "content": [{"type": "output_text", "text": "x"}]}),
     "Invalid value: 'output_text'. Supported values are: 'input_text', 'input_image', 'input_file', 'scoped_content', and 'input_audio'.",
     "input[1].content[0]", "invalid_value"),
    ({"model": "gpt-5.4", "input": [{"id": ""}]},
     "Invalid 'input[0].id': empty string. Expected a string with minimum length 1, but got an empty string instead.",
     "input[0].id", "empty_string"),
    ({"model": "gpt-5.4", "messages": [USER]},
     "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved to 'input'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create.",
     None, "unsupported_parameter"),
    ({"model": "gpt-5.4", "input": "x", "stop": ["\n"]},
     "Unknown parameter: 'stop'. Did you mean 'store'?", "stop", "unknown_parameter"),
    ({"model": "gpt-5.4", "input": "x", "stre": True},
     "Unknown parameter: 'stre'. Did you mean 'store' or 'stream'?", "stre", "unknown_parameter"),
    ({"model": "gpt-5.4", "input": "x", "strem": True},
     "Unknown parameter: 'strem'. Did you mean 'stream' or 'store'?", "strem", "unknown_parameter"),
    ({"model": "gpt-5.4", "input": "x", "zzz_unknown": 1},
     "Unknown parameter: 'zzz_unknown'.", "zzz_unknown", "unknown_parameter"),
    ({"model": "gpt-5.4", "input": "x", "reasoning": {"max_tokens": 5}},
     "Unknown parameter: 'reasoning.max_tokens'.", "reasoning.max_tokens", "unknown_parameter"),
]  # fmt: skip


@pytest.mark.parametrize(("request_body", "message", "param", "code"), REJECTED)
def test_the_real_400s_keep_their_messages(
    request_body: dict[str, Any], message: str, param: str | None, code: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_create_request(request_body)
    assert (caught.value.message, caught.value.param, caught.value.code) == (message, param, code)


def test_every_rejection_rule_names_its_evidence() -> None:
    assert REJECTIONS
    for rule in REJECTIONS:
        assert len(rule.evidence) > 20, rule
    assert has_evidence("AdditionalProperties", "seed")
    assert has_evidence("AdditionalProperties", "input[3].status")
    assert has_evidence("AdditionalProperties", "tool_choice.x")  # echoed: the SDK type holds
    assert not has_evidence("Required", "input[1].id")


def test_did_you_mean_follows_the_measured_rule() -> None:
    assert edit_distance("stre", "store") == 1 and edit_distance("stre", "stream") == 2
    known = known_parameters("ResponseCreateParams")
    assert did_you_mean("stre", known, set()) == ["store", "stream"]
    assert did_you_mean("stre", known, {"store"}) == ["stream"]  # not a key the body has
    assert did_you_mean("qqqqqqqq", known, set()) == []
