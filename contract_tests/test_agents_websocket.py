"""The OpenAI Agents SDK (``openai-agents``) over the Responses WebSocket transport:
``set_default_openai_responses_transport("websocket")``, a function tool loop and a streamed run.

Tracing is disabled so nothing is exported (it would go to api.openai.com).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest

from .targets import ContractTarget

agents = pytest.importorskip("agents", reason="openai-agents is not installed (the test extra)")



pytestmark = pytest.mark.not_recorded(
    "WebSocket mode is neither recorded nor replayed (README, WebSocket mode): "
    "these run against mock and live"
)

@pytest.fixture
async def websocket_agents(contract_target: ContractTarget) -> AsyncIterator[openai.AsyncOpenAI]:
    """The Agents SDK's defaults pointed at the target, over the websocket transport."""
    os.environ.setdefault("OPENAI_AGENTS_DISABLE_TRACING", "1")
    agents.set_tracing_disabled(True)
    client = openai.AsyncOpenAI(
        base_url=contract_target.base_url,
        api_key=contract_target.api_key,
        max_retries=contract_target.max_retries,
    )
    agents.set_default_openai_client(client, use_for_tracing=False)
    agents.set_default_openai_api("responses")
    agents.set_default_openai_responses_transport("websocket")
    try:
        yield client
    finally:
        agents.set_default_openai_responses_transport("http")
        await client.close()


def socket_turns(on_mock: bool, client: openai.OpenAI) -> list[Any]:
    """The create requests the mock saw over a socket (empty on other targets)."""
    if not on_mock:
        return []
    from .mock_admin import journal

    return [entry for entry in journal(client) if entry.get("transport") == "websocket"]


async def test_a_function_tool_loop_over_the_websocket(
    websocket_agents: openai.AsyncOpenAI, client: openai.OpenAI, model: str, on_mock: bool
) -> None:
    calls: list[str] = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather in a city."""
        calls.append(city)
        return f"The weather in {city} is 21C and sunny."

    agent = agents.Agent(
        name="weather",
        instructions="Use get_weather to answer questions about the weather.",
        tools=[get_weather],
        model=model,
    )
    result = await agents.Runner.run(agent, "What is the weather in Paris? Use get_weather.")
    assert len(calls) == 1  # (the mock's arguments follow the schema, not the question)
    assert "21C" in result.final_output
    kinds = [item.type for item in result.new_items]
    assert kinds[:2] == ["tool_call_item", "tool_call_output_item"]
    assert kinds[-1] == "message_output_item"
    if on_mock:
        turns = socket_turns(on_mock, client)
        assert len(turns) == 2  # the tool call, then the answer: both over the socket
        second = turns[1]["request_body"]
        assert second["type"] == "response.create"
        assert any(i.get("type") == "function_call_output" for i in second["input"])


async def test_a_streamed_run_over_the_websocket(
    websocket_agents: openai.AsyncOpenAI, client: openai.OpenAI, model: str, on_mock: bool
) -> None:
    agent = agents.Agent(name="greeter", instructions="Be brief.", model=model)
    result = agents.Runner.run_streamed(agent, "Say hello in one short sentence.")
    deltas = []
    raw_types = []
    async for event in result.stream_events():
        if event.type == "raw_response_event":
            raw_types.append(event.data.type)
            if event.data.type == "response.output_text.delta":
                deltas.append(event.data.delta)
    assert raw_types[0] == "response.created" and raw_types[-1] == "response.completed"
    assert deltas and "".join(deltas) == result.final_output
    if on_mock:
        assert len(socket_turns(on_mock, client)) == 1
