"""A turn's output: reasoning, built-in tools, the default answer, and stub answers."""

from __future__ import annotations

from typing import Any

from mockserver.contract.conformance import Conformance
from mockserver.contract.ids import IdFactory
from mockserver.contract.models import resolve_model
from mockserver.model.events import plan_events
from mockserver.model.turn import Turn, create_turn
from mockserver.scenarios.clock import ManualClock
from mockserver.scenarios.directives import Directives
from mockserver.scenarios.faults import Fault
from mockserver.scenarios.plan import TurnPlan
from mockserver.scenarios.stubs.model import StubAnswer, parse_stub

CONFORMANCE = Conformance()


def turn(params: dict[str, Any], answer: StubAnswer | None = None) -> Turn:
    built = create_turn(
        params,
        model=resolve_model(params["model"]),
        prior_context=[],
        ids=IdFactory(3),
        clock=ManualClock(),
        directives=Directives(stub=answer),
    )
    assert CONFORMANCE.errors("Response", built.response) == []
    for event in plan_events(built.response):
        assert CONFORMANCE.event_errors(event) == [], event["type"]
    return built


def stub(answer: Any) -> StubAnswer:
    return parse_stub({"answer": answer}, source="t", index=1).answer


def types(built: Turn) -> list[str]:
    return [item["type"] for item in built.response["output"]]


def test_reasoning_models_reason_first_and_bill_it() -> None:
    built = turn({"model": "gpt-5-mini", "input": "hi", "reasoning": {"summary": "auto"}})
    assert types(built) == ["reasoning", "message"]
    reasoning = built.response["output"][0]
    assert reasoning["id"].startswith("rs_") and len(reasoning["summary"]) == 1
    assert "encrypted_content" not in reasoning
    usage = built.response["usage"]
    hidden = usage["output_tokens_details"]["reasoning_tokens"]
    assert hidden > 0 and hidden % 64 == 0 and usage["output_tokens"] > hidden
    assert types(turn({"model": "gpt-4o-mini", "input": "hi"})) == ["message"]
    assert types(turn({"model": "gpt-5", "input": "hi", "reasoning": {"effort": "none"}})) == [
        "message"
    ]


def test_max_output_tokens_covers_reasoning_and_answer() -> None:
    built = turn({"model": "o4-mini", "input": "hi", "max_output_tokens": 16})
    assert built.response["status"] == "incomplete"
    assert built.response["usage"]["output_tokens"] <= 16
    roomy = turn({"model": "o4-mini", "input": "hi", "max_output_tokens": 4000})
    assert roomy.response["status"] == "completed"


def test_built_in_tools_come_before_the_cited_answer() -> None:
    built = turn(
        {"model": "gpt-5", "input": "search the web for otters", "tools": [{"type": "web_search"}]}
    )
    assert types(built) == ["reasoning", "web_search_call", "message"]
    assert built.response["tool_usage"]["web_search"] == {"num_requests": 1}
    part = built.response["output"][-1]["content"][0]
    assert part["annotations"][0]["type"] == "url_citation"
    mcp = {"type": "mcp", "server_label": "dice", "server_url": "https://e.com"}
    waiting = turn({"model": "gpt-5", "input": "use mcp", "tools": [mcp]})
    assert types(waiting) == ["mcp_list_tools", "reasoning", "mcp_approval_request"]


def test_stub_text_refusal_and_output_replace_the_answer() -> None:
    assert (
        turn({"model": "gpt-4o-mini", "input": "x"}, stub("Exactly this.")).response["output"][0][
            "content"
        ][0]["text"]
        == "Exactly this."
    )
    refused = turn({"model": "gpt-4o-mini", "input": "x"}, stub({"refusal": "No."}))
    assert refused.response["output"][0]["content"] == [{"type": "refusal", "refusal": "No."}]
    output = stub(
        {
            "output": [
                {"type": "reasoning", "summary": ["Think."]},
                {"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}},
                {
                    "type": "function_call",
                    "name": "get_time",
                    "arguments": "{}",
                    "call_id": "call_x",
                },
            ]
        }
    )
    built = turn({"model": "gpt-5", "input": "x"}, output)
    assert types(built) == ["reasoning", "function_call", "function_call"]  # no second reasoning
    first, second = built.response["output"][1:]
    assert first["arguments"] == '{"city":"Paris"}' and first["call_id"].startswith("call_")
    assert second["call_id"] == "call_x"
    plain = turn({"model": "gpt-5", "input": "x"}, stub({"text": "t", "reasoning": False}))
    assert types(plain) == ["message"]


def test_stub_answers_are_cut_at_max_output_tokens() -> None:
    long = "word " * 60
    built = turn({"model": "gpt-4o-mini", "input": "x", "max_output_tokens": 16}, stub(long))
    assert built.response["status"] == "incomplete"
    assert built.response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert built.response["usage"]["output_tokens"] <= 16


def test_the_incomplete_fault_stops_the_message_halfway() -> None:
    answer = TurnPlan(fault=Fault("incomplete", reason="content_filter")).stub_answer
    built = turn({"model": "gpt-4o-mini", "input": "x"}, answer)
    assert built.response["status"] == "incomplete"
    assert built.response["incomplete_details"] == {"reason": "content_filter"}
    assert built.response["output"][0]["status"] == "incomplete"
    full = turn({"model": "gpt-4o-mini", "input": "x"}).response["output"][0]["content"][0]["text"]
    assert full.startswith(built.response["output"][0]["content"][0]["text"])


def test_a_plan_overlays_response_fields_and_fails_a_stream() -> None:
    answer = stub({"response": {"metadata": {"k": "v"}, "id": "ignored", "output": ["Hi."]}})
    built = turn({"model": "gpt-4o-mini", "input": "x"}, answer)
    TurnPlan(answer=answer).adjust(built)
    assert built.response["metadata"] == {"k": "v"} and built.response["id"].startswith("resp_")
    assert built.response["output"][0]["content"][0]["text"] == "Hi."
    failing = TurnPlan(fault=Fault("stream_error", code="insufficient_quota"), model="gpt-4o-mini")
    failed = turn({"model": "gpt-4o-mini", "input": "x"})
    failing.adjust(failed)
    assert failed.response["status"] == "failed" and failed.response["output"] == []
    assert failed.response["usage"] is None
    assert failed.response["error"]["code"] == "insufficient_quota"
    events = failing.finish_events(plan_events(failed.response))
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    for event in events:
        assert CONFORMANCE.event_errors(event) == [], event["type"]
