"""The decision table of the mock model (``model/decision.py``): one row per case, then the
properties that make agent loops end, checked over drawn tool sets and messages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.errors import InvalidRequestError
from mockserver.model.decision import (
    HOSTED_TRIGGERS,
    calls_for,
    function_tools,
    is_relevant,
    words,
)
from mockserver.scenarios.directives import Directives, is_first_model_turn

CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}


def fn(name: str, description: str = "", parameters: Any = CITY) -> dict[str, Any]:
    return {"type": "function", "name": name, "description": description, "parameters": parameters}


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text}


def call(name: str, call_id: str) -> dict[str, Any]:
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": "{}"}


def output(call_id: str) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": "done"}


WEATHER = fn("get_weather", "Get the current weather for a city.")
STOCK = fn("stock_price", "Latest price of a ticker.", {"type": "object", "properties": {}})
FINAL = fn("final_result", "The final response which ends this conversation")
TOOLS = [WEATHER, STOCK, FINAL]
AFTER_WEATHER = [user("What's the weather in Paris?"), call("get_weather", "c1"), output("c1")]


def decide(
    params: dict[str, Any], context: list[Any], directives: Directives | None = None
) -> tuple[list[str], str]:
    decision = function_tools(params, context, directives)
    return [t["name"] for t in decision.tools], decision.row


# The table, row by row: (request fields, context, directives, tools called, row).
TABLE: list[tuple[dict[str, Any], list[Any], Directives | None, list[str], str]] = [
    ({"tool_choice": "none"}, [user("weather in Paris")], None, [], "none"),
    (
        {"tool_choice": {"type": "function", "name": "stock_price"}},
        AFTER_WEATHER,
        None,
        ["stock_price"],
        "named",
    ),
    ({"tool_choice": {"type": "web_search_preview"}}, [user("weather")], None, [], "hosted"),
    ({}, [user("hello")], Directives(tool_calls=("stock_price",)), ["stock_price"], "header"),
    ({}, AFTER_WEATHER, Directives(tool_calls=("get_weather",)), [], "auto-n"),
    ({"tool_choice": "required"}, [user("What's the weather?")], None, ["get_weather"], "req-1"),
    ({"tool_choice": "required"}, [user("hello")], None, ["get_weather"], "req-1"),
    ({"tool_choice": "required"}, AFTER_WEATHER, None, ["final_result"], "req-n"),
    (
        {"tool_choice": "required", "parallel_tool_calls": False},
        [user("weather and stock")],
        None,
        ["get_weather"],
        "req-1",
    ),
    (
        {"tool_choice": "required", "parallel_tool_calls": False},
        [user("weather and stock"), call("get_weather", "c1"), output("c1")],
        None,
        ["stock_price"],
        "req-n",
    ),
    ({}, [user("What's the weather in Paris?")], None, ["get_weather"], "auto-1"),
    ({}, [user("weather and stock")], None, ["get_weather", "stock_price"], "auto-1"),
    ({}, [user("Tell me a joke.")], None, [], "auto-1"),
    ({}, [user("Do not call any tools. What's the weather?")], None, [], "auto-0"),
    ({}, [user("Answer without tools: weather?")], None, [], "auto-0"),
    ({}, AFTER_WEATHER, None, [], "auto-n"),
    (
        {
            "tool_choice": {
                "type": "allowed_tools",
                "mode": "required",
                "tools": [{"type": "function", "name": "stock_price"}],
            }
        },
        [user("What's the weather?")],
        None,
        ["stock_price"],
        "req-1",
    ),
    (
        {
            "tool_choice": {
                "type": "allowed_tools",
                "mode": "auto",
                "tools": [{"type": "function", "name": "stock_price"}],
            }
        },
        [user("What's the weather?")],
        None,
        [],
        "auto-1",
    ),
]


@pytest.mark.parametrize(("fields", "context", "directives", "called", "row"), TABLE)
def test_the_decision_table(
    fields: dict[str, Any],
    context: list[Any],
    directives: Directives | None,
    called: list[str],
    row: str,
) -> None:
    assert decide({"tools": TOOLS, **fields}, context, directives) == (called, row)


def test_a_header_naming_an_unknown_tool_is_an_error_on_every_turn() -> None:
    for context in ([user("hi")], AFTER_WEATHER):
        with pytest.raises(InvalidRequestError) as raised:
            function_tools({"tools": TOOLS}, context, Directives(tool_calls=("nope",)))
        assert raised.value.code == "invalid_mock_header"


def test_relevance_uses_name_description_and_parameter_names() -> None:
    assert is_relevant(WEATHER, "weather in Paris")
    assert is_relevant(WEATHER, "which city is warmest")  # a parameter name
    assert is_relevant(fn("lookup", "Find a customer's orders"), "show my ORDERS")  # plural
    assert is_relevant(fn("getUserProfile", ""), "open the profile page")  # camelCase
    assert not is_relevant(WEATHER, "What is the capital of France?")
    assert words("What's the weather?") == {"weather"}


def test_the_first_model_turn_is_the_one_right_after_a_user_message() -> None:
    assert is_first_model_turn([user("hi")])
    assert is_first_model_turn(["hi"])
    assert is_first_model_turn([*AFTER_WEATHER, user("and tomorrow?")])
    assert not is_first_model_turn(AFTER_WEATHER)
    assert is_first_model_turn([user("hi"), {"type": "reasoning", "summary": []}])


@pytest.mark.parametrize(
    ("family", "question", "expected"),
    [
        ("web_search", "What are the latest news about the Mars mission?", True),
        ("web_search", "Search the web for Python 3.14 release notes", True),
        ("web_search", "Write a haiku about autumn", False),
        ("file_search", "What does the uploaded document say about refunds?", True),
        ("file_search", "Write a haiku about autumn", False),
        ("code_interpreter", "Calculate the factorial of 20", True),
        ("code_interpreter", "Hello!", False),
        ("image_generation", "Draw a cat wearing a hat", True),
        ("image_generation", "Summarise this text", False),
    ],
)
def test_hosted_tools_are_used_when_the_question_calls_for_them(
    family: str, question: str, expected: bool
) -> None:
    assert calls_for(family, question) is expected


# ---- properties over drawn tool sets ------------------------------------------------------------

names = st.from_regex(r"[a-z]{3,8}(_[a-z]{3,8})?", fullmatch=True)
tool_sets = st.lists(names, min_size=1, max_size=5, unique=True).map(
    lambda ns: [fn(n, f"Tool {n}.") for n in ns]
)
messages = st.text(st.characters(categories=("L", "N", "Zs", "P")), max_size=80) | st.lists(
    names, max_size=3
).map(" and ".join)


def run_loop(params: dict[str, Any], question: str, limit: int) -> list[list[str]]:
    """Drive a framework-like loop: execute every call, send the outputs back, until an answer
    or a final tool (the last offered) is called; returns the calls of each model turn."""
    context: list[Any] = [user(question)]
    turns: list[list[str]] = []
    final = params["tools"][-1]["name"]
    for turn in range(limit):
        called, _ = decide(params, context)
        turns.append(called)
        if not called or final in called:
            return turns
        for index, name in enumerate(called):
            context += [call(name, f"c{turn}-{index}"), output(f"c{turn}-{index}")]
    return turns


@given(tool_sets, messages, st.booleans())
def test_required_ends_with_the_last_tool_and_tries_each_tool_at_most_once(
    tools: list[dict[str, Any]], question: str, parallel: bool
) -> None:
    params = {"tools": tools, "tool_choice": "required", "parallel_tool_calls": parallel}
    turns = run_loop(params, question, limit=len(tools) + 1)
    assert turns[-1] and tools[-1]["name"] in turns[-1], turns
    assert len(turns) <= len(tools)
    flat = [name for turn in turns for name in turn]
    assert len(flat) == len(set(flat)), turns
    assert all(turn for turn in turns)  # required: every turn calls something
    if not parallel:
        assert all(len(turn) == 1 for turn in turns)


@given(tool_sets, messages, st.booleans())
def test_auto_calls_only_relevant_tools_once_then_answers(
    tools: list[dict[str, Any]], question: str, parallel: bool
) -> None:
    params = {"tools": tools, "parallel_tool_calls": parallel}
    turns = run_loop({**params, "tools": [*tools, fn("zz_never_final")]}, question, limit=3)
    assert turns[-1] == []
    assert len(turns) <= 2
    first = turns[0]
    assert all(is_relevant(next(t for t in tools if t["name"] == n), question) for n in first)
    if not parallel:
        assert len(first) <= 1


@given(tool_sets, messages, st.sampled_from(["auto", "required"]))
def test_a_forcing_header_applies_to_the_first_model_turn_only(
    tools: list[dict[str, Any]], question: str, choice: str
) -> None:
    params = {"tools": tools, "tool_choice": choice}
    header = Directives(tool_calls=("*",))
    called, row = decide(params, [user(question)], header)
    assert (called, row) == ([t["name"] for t in tools], "header")
    later = [user(question), call(tools[0]["name"], "c1"), output("c1")]
    assert decide(params, later, header) == decide(params, later)


@given(tool_sets, messages)
def test_none_never_calls_and_the_decision_is_deterministic(
    tools: list[dict[str, Any]], question: str
) -> None:
    assert decide({"tools": tools, "tool_choice": "none"}, [user(question)]) == ([], "none")
    params = {"tools": tools}
    assert decide(params, [user(question)]) == decide(params, [user(question)])


def test_every_hosted_family_has_triggers() -> None:
    assert set(HOSTED_TRIGGERS) == {
        "web_search",
        "file_search",
        "code_interpreter",
        "image_generation",
    }
