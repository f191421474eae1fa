"""Matching a request against a stub's conditions, and the words that explain a mismatch."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.inputs import normalize_input
from mockserver.scenarios.stubs.matching import RequestView, path_matches, subset, unmet
from mockserver.scenarios.stubs.model import Conditions, parse_stub


def conditions(**match: Any) -> Conditions:
    answer = {"error": {"status": 500}}  # valid on any path
    return parse_stub({"match": match, "answer": answer}, source="t", index=1).conditions


def view(body: dict[str, Any] | None = None, **kw: Any) -> RequestView:
    body = body if body is not None else {"model": "gpt-4o-mini", "input": "What is the weather?"}
    items = normalize_input(body.get("input"), lambda p: p)
    return RequestView(
        kw.pop("method", "POST"),
        kw.pop("path", "/v1/responses"),
        kw.pop("headers", {}),
        body,
        [*kw.pop("prior", []), *items],
        items,
    )


def test_an_empty_rule_matches_any_create_request_and_nothing_else() -> None:
    assert unmet(conditions(), view()) == []
    problems = unmet(conditions(), view(method="GET", path="/v1/responses/resp_1"))
    assert problems == ["request is GET /v1/responses/resp_1, not POST /v1/responses"]


def test_model_input_and_scope() -> None:
    assert unmet(conditions(model="gpt-4o-mini", input="weather"), view()) == []
    assert unmet(conditions(model="o3"), view()) == [
        "model is 'gpt-4o-mini', wanted it to equal 'o3'"
    ]
    assert unmet(conditions(input="snow"), view()) == [
        "the last user message is 'What is the weather?', wanted it to contain 'snow'"
    ]
    earlier = [{"type": "message", "role": "user", "content": "Paris please"}]
    follow_up = view({"model": "m", "input": "and tomorrow?"}, prior=earlier)
    assert unmet(conditions(input="Paris"), follow_up) != []
    assert unmet(conditions(input={"contains": "Paris", "scope": "context"}), follow_up) == []
    with_instructions = view({"model": "m", "input": "hi", "instructions": "Be terse."})
    assert (
        unmet(conditions(input={"contains": "terse", "scope": "context"}), with_instructions) == []
    )


def test_the_last_user_message_is_the_question_even_after_tool_output() -> None:
    body = {
        "model": "m",
        "input": [
            {"role": "user", "content": "weather in Paris?"},
            {"type": "function_call", "call_id": "c1", "name": "w", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
        ],
    }
    request = view(body)
    assert unmet(conditions(input="Paris", input_types=["function_call_output"]), request) == []
    assert unmet(conditions(input_types="mcp_approval_response"), request) == [
        "input has no 'mcp_approval_response' item"
    ]


def test_tools_tool_choice_metadata_headers_body_and_stream() -> None:
    body = {
        "model": "m",
        "input": "hi",
        "stream": True,
        "tools": [
            {"type": "function", "name": "get_weather"},
            {"type": "mcp", "server_label": "dice"},
            {"type": "web_search"},
        ],
        "tool_choice": {"type": "function", "name": "get_weather"},
        "metadata": {"env": "ci", "run": "7"},
        "temperature": 0,
    }
    request = view(body, headers={"x-case": "a1"})
    rule = conditions(
        tools=["get_weather", "dice", "web_search"],
        tool_choice={"type": "function"},
        metadata={"env": "ci"},
        headers={"X-Case": "a1"},
        body={"temperature": 0},
        stream=True,
    )
    assert unmet(rule, request) == []
    assert unmet(conditions(tools="file_search"), request) == ["tools has no 'file_search'"]
    assert unmet(conditions(tool_choice="required"), request)[0].startswith("tool_choice is")
    assert unmet(conditions(tool_choice="auto"), view()) == []
    assert unmet(conditions(metadata={"env": "prod"}), request)[0].startswith("metadata")
    assert unmet(conditions(headers={"x-case": "b"}), request) == [
        "header 'x-case' is 'a1', wanted it to equal 'b'"
    ]
    assert unmet(conditions(headers={"x-other": "b"}), request) == ["header 'x-other' is missing"]
    assert unmet(conditions(stream=False), request) == ["request streams"]
    assert unmet(conditions(body={"temperature": 1}), request)[0].startswith("body does not")


def test_paths_with_a_star_are_globs() -> None:
    assert path_matches("/v1/responses/*", "/v1/responses/resp_1")
    assert not path_matches("/v1/responses", "/v1/responses/resp_1")
    rule = conditions(method="GET", path="/v1/responses/*")
    assert unmet(rule, view(method="GET", path="/v1/responses/resp_1")) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values)
def test_every_value_contains_itself(value: Any) -> None:
    assert subset(value, value)


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4), st.data())
def test_any_part_of_a_mapping_is_a_subset_of_it(
    whole: dict[str, Any], data: st.DataObject
) -> None:
    keys = data.draw(
        st.lists(st.sampled_from(sorted(whole)), unique=True) if whole else st.just([])
    )
    assert subset({k: whole[k] for k in keys}, whole)
    assert not subset({**whole, "\x00missing": 1}, whole)


CALL_ANSWER = {"output": [{"type": "function_call", "name": "get_weather", "arguments": {}}]}
AFTER_OUTPUT = {
    "model": "gpt-4o-mini",
    "input": [
        {"role": "user", "content": "What is the weather?"},
        {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
    ],
}


def stub_conditions(match: dict[str, Any], answer: dict[str, Any]) -> Conditions:
    return parse_stub({"match": match, "answer": answer}, source="t", index=1).conditions


def test_a_tool_call_stub_answers_only_the_first_model_turn_of_a_user_turn() -> None:
    first_only = stub_conditions({"input": "weather"}, CALL_ANSWER)
    assert first_only.turn == "first"
    assert unmet(first_only, view()) == []
    [problem] = unmet(first_only, view(AFTER_OUTPUT))
    assert "match.turn: any" in problem
    # A new user message starts a new user turn: the stub answers it again.
    again = {**AFTER_OUTPUT, "input": [*AFTER_OUTPUT["input"], {"role": "user", "content": "And?"}]}
    assert unmet(stub_conditions({}, CALL_ANSWER), view(again)) == []


def test_a_stub_says_otherwise_with_turn_any_or_by_asking_for_tool_outputs() -> None:
    every = stub_conditions({"input": "weather", "turn": "any"}, CALL_ANSWER)
    assert unmet(every, view(AFTER_OUTPUT)) == []
    wants_outputs = stub_conditions({"input_types": ["function_call_output"]}, CALL_ANSWER)
    assert wants_outputs.turn == "any"
    assert unmet(wants_outputs, view(AFTER_OUTPUT)) == []
    assert stub_conditions({}, {"text": "Sunny."}).turn == "any"
    response_call = {"response": {"output": CALL_ANSWER["output"]}}
    assert stub_conditions({}, response_call).turn == "first"
