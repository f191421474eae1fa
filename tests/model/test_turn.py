"""``create_turn``: the Response a create request produces, in the real key order."""

from __future__ import annotations

import pytest

from mockserver.contract.conformance import Conformance
from mockserver.contract.ids import IdFactory
from mockserver.contract.models import resolve_model
from mockserver.model.tokens import count_context_tokens
from mockserver.model.turn import assemble, create_turn, echo_fields, usage_block
from mockserver.scenarios.clock import ManualClock

# Top-level keys of a real 2026 Response, in order (openai-dotnet ResponsesWithPromptCache.json).
REAL_KEY_ORDER = [
    "id", "object", "created_at", "status", "background", "billing", "completed_at", "error",
    "frequency_penalty", "incomplete_details", "instructions", "max_output_tokens",
    "max_tool_calls", "model", "moderation", "output", "parallel_tool_calls", "presence_penalty",
    "previous_response_id", "prompt_cache_key", "prompt_cache_retention", "reasoning",
    "safety_identifier", "service_tier", "store", "temperature", "text", "tool_choice",
    "tool_usage", "tools", "top_logprobs", "top_p", "truncation", "usage", "user", "metadata",
]  # fmt: skip


@pytest.fixture(scope="module")
def conformance() -> Conformance:
    return Conformance()


def turn(params: dict, model: str = "gpt-4o-mini", prior: list | None = None):
    return create_turn(
        {"model": model, **params},
        model=resolve_model(model),
        prior_context=prior or [],
        ids=IdFactory(3),
        clock=ManualClock(),
    )


def test_a_completed_text_turn(conformance: Conformance) -> None:
    result = turn({"input": "Hello, world!"})
    response = result.response
    assert list(response) == REAL_KEY_ORDER
    assert response["object"] == "response"
    assert response["status"] == "completed"
    assert response["created_at"] == response["completed_at"] == int(ManualClock().now())
    assert response["model"] == "gpt-4o-mini-2024-07-18"
    assert response["moderation"] is None
    assert response["error"] is None and response["incomplete_details"] is None
    [message] = response["output"]
    assert message["type"] == "message" and message["role"] == "assistant"
    shard = response["id"][5:21]
    assert message["id"].startswith(f"msg_{shard}")
    assert all(item["id"].startswith(f"msg_{shard}") for item in result.input_items)
    usage = response["usage"]
    assert usage["input_tokens"] == count_context_tokens(result.input_items) == 11
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert result.context == [*result.input_items, message]
    assert conformance.errors("Response", response) == []


def test_turns_are_reproducible_with_a_seeded_factory_and_manual_clock() -> None:
    assert turn({"input": "x"}).response == turn({"input": "x"}).response


def test_defaults_match_the_real_echo() -> None:
    echo = echo_fields({}, resolve_model("gpt-4o-mini"))
    assert echo["background"] is False
    assert echo["billing"] == {"payer": "developer"}
    assert (echo["frequency_penalty"], echo["presence_penalty"]) == (0.0, 0.0)
    assert (echo["temperature"], echo["top_p"]) == (1.0, 1.0)
    assert echo["text"] == {"format": {"type": "text"}, "verbosity": "medium"}
    # The 2026 shape for a model that does not reason (shared/wire-2026), plus the legacy
    # `generate_summary` older recordings carry.
    assert echo["reasoning"] == {
        "context": None, "effort": None, "generate_summary": None, "summary": None
    }
    assert echo["service_tier"] == "default"
    assert echo["store"] is True and echo["parallel_tool_calls"] is True
    assert echo["tool_choice"] == "auto" and echo["tools"] == []
    assert echo["truncation"] == "disabled" and echo["top_logprobs"] == 0
    assert echo["metadata"] == {}


def test_request_values_are_echoed() -> None:
    params = {
        "instructions": "Be brief.",
        "temperature": 1,
        "top_p": 0.5,
        "store": False,
        "parallel_tool_calls": False,
        "metadata": {"k": "v"},
        "text": {"verbosity": "low"},
        "tool_choice": "none",
        "truncation": "auto",
        "service_tier": "flex",
        "user": "u1",
        "prompt_cache_key": "pck",
        "tools": [
            {"type": "function", "name": "f", "parameters": {"type": "object"}},
            {
                "type": "function",
                "name": "g",
                "parameters": {},
                "strict": False,
                "description": "d",
            },
            {"type": "web_search"},
        ],
    }
    echo = echo_fields(params, resolve_model("gpt-4o-mini"))
    assert echo["temperature"] == 1.0 and isinstance(echo["temperature"], float)
    assert echo["top_p"] == 0.5
    assert echo["store"] is False and echo["parallel_tool_calls"] is False
    assert echo["text"] == {"format": {"type": "text"}, "verbosity": "low"}
    # Function tools echo `description` and `strict` even when left out (how `strict` and hosted
    # tools' settings default is the business of the tool modules' own tests).
    assert echo["tools"][0]["description"] is None
    assert isinstance(echo["tools"][0]["strict"], bool)
    assert {k: echo["tools"][0][k] for k in ("type", "name", "parameters")} == params["tools"][0]
    assert echo["tools"][1]["strict"] is False and echo["tools"][1]["description"] == "d"
    assert echo["tools"][2]["type"] == "web_search"
    for key in ("instructions", "metadata", "tool_choice", "truncation", "service_tier", "user",
                "prompt_cache_key"):  # fmt: skip
        assert echo[key] == params[key], key


def test_reasoning_models_echo_their_catalogue_defaults() -> None:
    assert echo_fields({}, resolve_model("o3"))["reasoning"] == {
        "context": None, "effort": "medium", "generate_summary": None, "summary": None,
    }
    effort = {"reasoning": {"effort": "low", "summary": "auto"}}
    assert echo_fields(effort, resolve_model("gpt-5"))["reasoning"] == {
        "context": "current_turn", "effort": "low", "generate_summary": None, "mode": "standard",
        "summary": "auto",
    }
    # gpt-5.1 and newer default to effort `none`; gpt-5.6 reads all turns (shared/wire-2026).
    assert echo_fields({}, resolve_model("gpt-5.4"))["reasoning"]["effort"] == "none"
    assert echo_fields({}, resolve_model("gpt-5.6-terra"))["reasoning"] == {
        "context": "all_turns", "effort": "medium", "generate_summary": None, "mode": "standard",
        "summary": None,
    }


def test_max_output_tokens_gives_an_incomplete_response(conformance: Conformance) -> None:
    response = turn({"input": "hi", "max_output_tokens": 16}).response
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert response["completed_at"] is None
    assert response["output"][0]["status"] == "incomplete"
    assert response["usage"]["output_tokens"] <= 16
    assert conformance.errors("Response", response) == []


def test_a_follow_up_turn_counts_the_whole_chain() -> None:
    first = turn({"input": "My name is Bob."})
    second = turn({"input": "What is my name?"}, prior=first.context)
    expected = count_context_tokens([*first.context, *second.input_items])
    assert second.response["usage"]["input_tokens"] == expected
    assert second.context[: len(first.context)] == first.context


def test_usage_block_and_assemble() -> None:
    assert usage_block(3, 4, 1) == {
        "input_tokens": 3,
        "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
        "output_tokens": 4,
        "output_tokens_details": {"reasoning_tokens": 1},
        "total_tokens": 7,
    }
    echo = echo_fields({}, resolve_model("gpt-4o-mini"))
    response = assemble(
        response_id="resp_x",
        created_at=5,
        status="failed",
        echo=echo,
        output=[],
        usage=None,
        error={"code": "server_error", "message": "m"},
        conversation={"id": "conv_1"},
    )
    assert response["error"] == {"code": "server_error", "message": "m"}
    assert list(response)[-1] == "conversation"
    assert response["conversation"] == {"id": "conv_1"}
    assert response["id"] == "resp_x" and response["status"] == "failed"
