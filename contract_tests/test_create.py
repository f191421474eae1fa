"""Non-streaming ``responses.create``: the response object, its usage, and the echoed request."""

from __future__ import annotations

import openai
from openai.types.responses import Response

from contract_tests.helpers import message_items

LONG_ANSWER = (
    "Write a detailed essay of at least 400 words about the history of the Roman Empire, "
    "from its founding to its fall."
)


def check_completed(response: Response, model: str) -> None:
    assert response.id.startswith("resp_")
    assert response.object == "response"
    assert response.status == "completed"
    assert response.error is None
    assert response.incomplete_details is None
    assert response.model.startswith(model)
    assert response.created_at > 0

    messages = message_items(response)
    assert len(messages) == 1
    message = messages[0]
    assert message.id.startswith("msg_")
    assert message.role == "assistant"
    assert message.status == "completed"
    assert [part.type for part in message.content] == ["output_text"]
    part = message.content[0]
    assert part.annotations == []
    assert part.text
    assert response.output_text == part.text

    usage = response.usage
    assert usage is not None
    assert usage.input_tokens > 0
    assert usage.output_tokens > 0
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens >= 0
    assert usage.output_tokens_details.reasoning_tokens >= 0


def test_create_returns_a_completed_response(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(model=model, input="Say hello in one short sentence.")
    check_completed(response, model)


async def test_async_create_returns_a_completed_response(
    async_client: openai.AsyncOpenAI, model: str
) -> None:
    response = await async_client.responses.create(
        model=model, input="Say hello in one short sentence."
    )
    check_completed(response, model)


def test_create_echoes_request_defaults(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(model=model, input="Say hello.")
    body = response.to_dict()
    assert body["instructions"] is None
    assert body["metadata"] == {}
    assert body["temperature"] == 1.0
    assert body["top_p"] == 1.0
    assert body["tool_choice"] == "auto"
    assert body["tools"] == []
    assert body["truncation"] == "disabled"
    assert body["store"] is True
    assert body["parallel_tool_calls"] is True
    assert body["max_output_tokens"] is None
    assert body["previous_response_id"] is None
    assert body["background"] is False
    assert body["text"]["format"] == {"type": "text"}


def test_create_echoes_given_fields(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(
        model=model,
        input="Name one colour.",
        instructions="Answer in one word.",
        metadata={"suite": "contract", "case": "echo"},
        temperature=0.5,
        top_p=0.9,
        max_output_tokens=256,
        truncation="auto",
        parallel_tool_calls=False,
        store=True,
    )
    assert response.status == "completed"
    assert response.instructions == "Answer in one word."
    assert response.metadata == {"suite": "contract", "case": "echo"}
    assert response.temperature == 0.5
    assert response.top_p == 0.9
    assert response.max_output_tokens == 256
    assert response.truncation == "auto"
    assert response.parallel_tool_calls is False
    assert response.to_dict()["store"] is True


def check_cut_short(response: Response) -> None:
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.max_output_tokens == 16
    assert response.usage is not None
    assert 0 < response.usage.output_tokens <= 16
    messages = message_items(response)
    assert len(messages) == 1
    assert messages[0].status == "incomplete"
    assert response.output_text


def test_max_output_tokens_cuts_a_long_answer_short(client: openai.OpenAI, model: str) -> None:
    response = client.responses.create(model=model, input=LONG_ANSWER, max_output_tokens=16)
    check_cut_short(response)


async def test_async_max_output_tokens_cuts_a_long_answer_short(
    async_client: openai.AsyncOpenAI, model: str
) -> None:
    response = await async_client.responses.create(
        model=model, input=LONG_ANSWER, max_output_tokens=16
    )
    check_cut_short(response)
