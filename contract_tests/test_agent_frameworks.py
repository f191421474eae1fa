"""Real agent frameworks run their loops end to end, through their public APIs only.

Each loop must end within its framework's default turn limit with the final output parsed, as
it does against a real model: pydantic-ai (an output type plus a function tool: ``tool_choice:
"required"`` with its ``final_result`` tool; ``PromptedOutput``: JSON mode with the schema in
the instructions), LangChain v1 ``create_agent`` with ``ToolStrategy`` (``required`` with a tool
named after the schema) and ``with_structured_output(method="json_mode")``, and the OpenAI
Agents SDK over HTTP (a function tool, ``output_type``, and a forcing header sent on every call).

Nothing may leave loopback on the mock target: tracing exports (Agents SDK, LangSmith) are
turned off, and a guard refuses any connection or name lookup that is not loopback.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from .targets import ContractTarget

LOOPBACK = ("127.0.0.1", "::1", "localhost")
QUESTION = "What's the weather in Paris?"
TRACING_OFF = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGCHAIN_TRACING": "false",
    "OPENAI_AGENTS_DISABLE_TRACING": "1",
}


class Forecast(BaseModel):
    """A weather forecast for one city."""

    city: str
    summary: str


class WeatherTool:
    """``get_weather(city)``, recording its calls."""

    def __init__(self) -> None:
        self.cities: list[str] = []

    def __call__(self, city: str) -> str:
        """Get the current weather for a city."""
        self.cities.append(city)
        return f"Sunny and 21 degrees in {city}."


@pytest.fixture
def weather() -> WeatherTool:
    return WeatherTool()


pytestmark = pytest.mark.not_recorded(
    "agent framework loops send requests no recording holds; mock and live only"
)


def _loopback(host: Any) -> bool:
    return isinstance(host, str) and (host in LOOPBACK or host.startswith("127."))


@pytest.fixture
def endpoint(
    contract_target: ContractTarget, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str | None, str]]:
    """(base URL, API key) of the target, with tracing off and, on mock, loopback enforced."""
    for name, value in TRACING_OFF.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    monkeypatch.delenv("LANGCHAIN_API_KEY", raising=False)
    key = contract_target.api_key or os.environ.get("OPENAI_API_KEY", "")
    if contract_target.mock:
        real_connect, real_lookup = socket.socket.connect, socket.getaddrinfo

        def connect(self: socket.socket, address: Any) -> Any:
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
                raise AssertionError(f"a framework connected beyond loopback: {address!r}")
            return real_connect(self, address)

        def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
            if host is not None and not _loopback(host):
                raise AssertionError(f"a framework looked up a host beyond loopback: {host!r}")
            return real_lookup(host, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield contract_target.base_url, key


# ---- pydantic-ai --------------------------------------------------------------------------------


def _pydantic_model(endpoint: tuple[str | None, str], model: str) -> Any:
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    base_url, key = endpoint
    return OpenAIResponsesModel(model, provider=OpenAIProvider(base_url=base_url, api_key=key))


def test_pydantic_ai_output_type_with_a_tool_ends_through_final_result(
    endpoint: tuple[str | None, str], model: str, weather: WeatherTool
) -> None:
    from pydantic_ai import Agent

    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return weather(city)

    agent = Agent(_pydantic_model(endpoint, model), output_type=Forecast, tools=[get_weather])
    result = agent.run_sync(QUESTION)  # default limits: UsageLimitExceeded if it loops

    assert isinstance(result.output, Forecast)
    assert weather.cities == ["Paris"]
    called = [
        part.tool_name
        for message in result.all_messages()
        for part in message.parts
        if part.part_kind == "tool-call"
    ]
    assert called == ["get_weather", "final_result"], called


def test_pydantic_ai_prompted_output_answers_with_the_prompted_schema(
    endpoint: tuple[str | None, str], model: str
) -> None:
    from pydantic_ai import Agent, PromptedOutput

    agent = Agent(_pydantic_model(endpoint, model), output_type=PromptedOutput(Forecast))
    result = agent.run_sync("Give me a short forecast for Paris.")

    assert isinstance(result.output, Forecast)


# ---- LangChain v1 -------------------------------------------------------------------------------


def _chat_model(endpoint: tuple[str | None, str], model: str) -> Any:
    from langchain_openai import ChatOpenAI

    base_url, key = endpoint
    return ChatOpenAI(model=model, base_url=base_url, api_key=key, use_responses_api=True)


def test_langchain_create_agent_with_tool_strategy_ends_through_the_schema_tool(
    endpoint: tuple[str | None, str], model: str, weather: WeatherTool
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.structured_output import ToolStrategy
    from langchain_core.tools import tool

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return weather(city)

    agent = create_agent(
        _chat_model(endpoint, model), tools=[get_weather], response_format=ToolStrategy(Forecast)
    )
    # The default recursion limit applies: GraphRecursionError if the loop does not end.
    state = agent.invoke({"messages": [{"role": "user", "content": QUESTION}]})

    assert isinstance(state["structured_response"], Forecast)
    assert weather.cities == ["Paris"]


def test_langchain_json_mode_answers_with_the_schema_in_the_prompt(
    endpoint: tuple[str | None, str], model: str
) -> None:
    structured = _chat_model(endpoint, model).with_structured_output(Forecast, method="json_mode")
    schema = json.dumps(Forecast.model_json_schema())
    answer = structured.invoke(
        f"Give me a short forecast for Paris. Answer in JSON that follows this schema: {schema}"
    )

    assert isinstance(answer, Forecast)


# ---- OpenAI Agents SDK (HTTP) -------------------------------------------------------------------


def _run_agent(
    endpoint: tuple[str | None, str],
    model: str,
    weather: WeatherTool,
    question: str,
    **agent_fields: Any,
) -> Any:
    from agents import Agent, OpenAIResponsesModel, RunConfig, Runner, function_tool
    from agents.tracing import set_tracing_disabled
    from openai import AsyncOpenAI

    set_tracing_disabled(True)
    base_url, key = endpoint
    client = AsyncOpenAI(base_url=base_url, api_key=key)

    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return weather(city)

    agent = Agent(
        name="Weather",
        instructions="Answer questions about the weather.",
        model=OpenAIResponsesModel(model=model, openai_client=client),
        tools=[function_tool(get_weather)],
        **agent_fields,
    )
    # Default max_turns: MaxTurnsExceeded if the loop does not end.
    return Runner.run_sync(agent, question, run_config=RunConfig(tracing_disabled=True))


def test_agents_sdk_function_tool_then_a_text_answer(
    endpoint: tuple[str | None, str], model: str, weather: WeatherTool
) -> None:
    result = _run_agent(endpoint, model, weather, QUESTION)

    assert isinstance(result.final_output, str) and result.final_output
    assert weather.cities == ["Paris"]


def test_agents_sdk_output_type_with_a_function_tool(
    endpoint: tuple[str | None, str], model: str, weather: WeatherTool
) -> None:
    result = _run_agent(endpoint, model, weather, QUESTION, output_type=Forecast)

    assert isinstance(result.final_output, Forecast)
    assert weather.cities == ["Paris"]


@pytest.mark.mock_only
def test_agents_sdk_forcing_header_on_every_call_still_ends(
    endpoint: tuple[str | None, str], model: str, weather: WeatherTool
) -> None:
    from agents import ModelSettings

    settings = ModelSettings(extra_headers={"x-mockserver-tool-calls": "get_weather"})
    result = _run_agent(endpoint, model, weather, "Hello there.", model_settings=settings)

    assert isinstance(result.final_output, str) and result.final_output
    assert len(weather.cities) == 1
