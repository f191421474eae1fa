"""``responses.input_tokens.count``: the same count ``create`` bills as ``usage.input_tokens``."""

from __future__ import annotations

from typing import Any

import openai
import pytest

SHORT = "What is the capital of France?"
LONG = (
    "What is the capital of France? Please also tell me which river runs through it, "
    "name three famous museums there, and say in which century its cathedral was built."
)
CONVERSATION: list[Any] = [
    {"role": "user", "content": "My favourite colour is green."},
    {"role": "assistant", "content": "Noted: green."},
    {"role": "user", "content": "What is my favourite colour?"},
]


@pytest.mark.parametrize(
    ("given", "instructions"),
    [(SHORT, None), (LONG, "Answer in one short sentence."), (CONVERSATION, "Be brief.")],
    ids=["text", "text-with-instructions", "messages-with-instructions"],
)
def test_count_equals_billed_input_tokens(
    client: openai.OpenAI, model: str, given: Any, instructions: str | None
) -> None:
    extra = {"instructions": instructions} if instructions else {}
    counted = client.responses.input_tokens.count(model=model, input=given, **extra)
    assert counted.object == "response.input_tokens"
    created = client.responses.create(model=model, input=given, max_output_tokens=16, **extra)
    assert created.usage is not None
    assert counted.input_tokens == created.usage.input_tokens


def test_count_grows_with_more_input(client: openai.OpenAI, model: str) -> None:
    short = client.responses.input_tokens.count(model=model, input=SHORT)
    longer = client.responses.input_tokens.count(model=model, input=LONG)
    assert 0 < short.input_tokens < longer.input_tokens
    with_instructions = client.responses.input_tokens.count(
        model=model, input=SHORT, instructions="Answer in one short sentence, in French."
    )
    assert with_instructions.input_tokens > short.input_tokens


async def test_async_count(async_client: openai.AsyncOpenAI, model: str) -> None:
    counted = await async_client.responses.input_tokens.count(model=model, input=SHORT)
    created = await async_client.responses.create(model=model, input=SHORT, max_output_tokens=16)
    assert created.usage is not None
    assert counted.input_tokens == created.usage.input_tokens
