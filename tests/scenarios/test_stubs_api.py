"""The Python API (``MockServer.stub``, ``.stubs``, ``.journal``) and the ``mockserver_stubs``
fixture, used the way users use them."""

from __future__ import annotations

import openai
import pytest

from mockserver import MockServer


def test_a_test_scripts_a_tool_call_then_asserts_what_the_client_sent() -> None:
    with MockServer(self_check=True) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        call = server.stub(
            input="weather",
            call=1,
            output=[
                {"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}}
            ],
        )
        answer = server.stub(input_types="function_call_output", text="Sunny in Paris.")
        tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]
        first = client.responses.create(model="gpt-4o-mini", input="weather in Paris?", tools=tools)
        (function_call,) = first.output
        assert function_call.type == "function_call" and function_call.name == "get_weather"
        second = client.responses.create(
            model="gpt-4o-mini",
            previous_response_id=first.id,
            input=[
                {
                    "type": "function_call_output",
                    "call_id": function_call.call_id,
                    "output": "sunny",
                }
            ],
            tools=tools,
        )
        assert second.output_text == "Sunny in Paris."
        assert (call.answered, answer.answered) == (1, 1)
        server.journal.assert_called(times=2)
        server.journal.assert_function_output(call_id=function_call.call_id, output="sunny", call=2)
        server.journal.assert_called_with({"previous_response_id": first.id}, call=2)
        server.reset()
        assert server.stubs.entries() == [] and server.journal.requests() == []


PLUGIN_TESTS = """
import openai


def test_scripted(openai_client, mockserver_stubs):
    mockserver_stubs.add(input="hello", text="Scripted hello.")
    reply = openai_client.responses.create(model="gpt-4o-mini", input="hello there")
    assert reply.output_text == "Scripted hello."


def test_stubs_are_gone_in_the_next_test(openai_client, mockserver_stubs, mock_server):
    assert mockserver_stubs.entries() == []
    reply = openai_client.responses.create(model="gpt-4o-mini", input="hello there")
    assert reply.output_text.startswith("Mock reply")
    mock_server.journal.assert_called_with({"input": "hello there"})
"""


def test_the_fixture_gives_per_test_stubs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=PLUGIN_TESTS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)
