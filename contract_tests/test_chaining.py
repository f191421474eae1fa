"""``previous_response_id``: the earlier turn becomes context; bad references are 400s."""

from __future__ import annotations

import openai
import pytest

from contract_tests.helpers import assert_api_error

FIRST = "My name is Ada. Reply with one word."
SECOND = "What is my name?"
UNKNOWN_ID = "resp_" + "0" * 50


def previous_not_found(error: openai.BadRequestError, response_id: str) -> None:
    assert_api_error(
        error,
        status=400,
        param="previous_response_id",
        code="previous_response_not_found",
        message=f"Previous response with id '{response_id}' not found.",
    )


def test_previous_turn_is_context(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(model=model, input=FIRST)
    second = client.responses.create(model=model, input=SECOND, previous_response_id=first.id)
    assert second.status == "completed"
    assert second.previous_response_id == first.id
    assert first.usage is not None and second.usage is not None
    # The whole first turn (its input and its answer) is billed again as input.
    assert second.usage.input_tokens > first.usage.total_tokens


async def test_async_previous_turn_is_context(async_client: openai.AsyncOpenAI, model: str) -> None:
    first = await async_client.responses.create(model=model, input=FIRST)
    second = await async_client.responses.create(
        model=model, input=SECOND, previous_response_id=first.id
    )
    assert first.usage is not None and second.usage is not None
    assert second.usage.input_tokens > first.usage.total_tokens


def test_chained_input_tokens_count(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(model=model, input=FIRST)
    counted = client.responses.input_tokens.count(
        model=model, input=SECOND, previous_response_id=first.id
    )
    second = client.responses.create(model=model, input=SECOND, previous_response_id=first.id)
    assert second.usage is not None
    assert counted.input_tokens == second.usage.input_tokens


def test_unknown_previous_response(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input=SECOND, previous_response_id=UNKNOWN_ID)
    previous_not_found(caught.value, UNKNOWN_ID)


def test_unstored_previous_response(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(model=model, input=FIRST, store=False)
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input=SECOND, previous_response_id=first.id)
    previous_not_found(caught.value, first.id)


def test_deleted_previous_response(client: openai.OpenAI, model: str) -> None:
    first = client.responses.create(model=model, input=FIRST)
    client.responses.delete(first.id)
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input=SECOND, previous_response_id=first.id)
    previous_not_found(caught.value, first.id)
