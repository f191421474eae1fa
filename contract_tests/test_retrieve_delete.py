"""``responses.retrieve`` (and stream resume) and ``responses.delete``."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from contract_tests.helpers import assert_api_error

PROMPT = "Say hello in one short sentence."
# Resume after `response.content_part.added` of a plain streamed turn (`output_item.added` of a
# background one, which has an extra `response.queued`): all text and closing events are left.
RESUME_AFTER = 3


def not_found_message(response_id: str) -> str:
    return f"Response with id '{response_id}' not found."


def same_response(got: Any, created: Any) -> None:
    for field in ("id", "object", "created_at", "status", "model", "instructions", "metadata"):
        assert getattr(got, field) == getattr(created, field), field
    assert [item.to_dict() for item in got.output] == [item.to_dict() for item in created.output]
    assert got.usage == created.usage
    assert got.output_text == created.output_text


def test_retrieve_returns_the_created_response(client: openai.OpenAI, model: str) -> None:
    created = client.responses.create(model=model, input=PROMPT, metadata={"case": "retrieve"})
    same_response(client.responses.retrieve(created.id), created)


async def test_async_retrieve_returns_the_created_response(
    async_client: openai.AsyncOpenAI, model: str
) -> None:
    created = await async_client.responses.create(model=model, input=PROMPT)
    same_response(await async_client.responses.retrieve(created.id), created)


def test_retrieve_after_stream_returns_the_final_response(
    client: openai.OpenAI, model: str
) -> None:
    events = list(client.responses.create(model=model, input=PROMPT, stream=True))
    final = events[-1].response
    same_response(client.responses.retrieve(final.id), final)


def test_unstored_response_is_not_found(client: openai.OpenAI, model: str) -> None:
    created = client.responses.create(model=model, input=PROMPT, store=False)
    assert created.status == "completed"
    assert created.to_dict()["store"] is False
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(created.id)
    assert_api_error(caught.value, status=404, message=not_found_message(created.id))


def test_delete_then_not_found(client: openai.OpenAI, model: str) -> None:
    created = client.responses.create(model=model, input=PROMPT)
    raw = client.responses.with_raw_response.delete(created.id)
    assert raw.http_response.status_code == 200
    assert raw.http_response.json() == {
        "id": created.id,
        "object": "response.deleted",
        "deleted": True,
    }
    assert raw.parse() is None  # the SDK's delete() returns None
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(created.id)
    assert_api_error(caught.value, status=404, message=not_found_message(created.id))


async def test_async_delete_then_not_found(async_client: openai.AsyncOpenAI, model: str) -> None:
    created = await async_client.responses.create(model=model, input=PROMPT)
    assert await async_client.responses.delete(created.id) is None
    with pytest.raises(openai.NotFoundError) as caught:
        await async_client.responses.retrieve(created.id)
    assert_api_error(caught.value, status=404, message=not_found_message(created.id))


def check_resumed(original: list[Any], resumed: list[Any], after: int) -> None:
    expected = [event for event in original if event.sequence_number > after]
    assert [(e.type, e.sequence_number) for e in resumed] == [
        (e.type, e.sequence_number) for e in expected
    ]
    assert [getattr(e, "delta", None) for e in resumed] == [
        getattr(e, "delta", None) for e in expected
    ]
    assert resumed[-1].type == "response.completed"
    assert resumed[-1].response.output_text == original[-1].response.output_text


def test_resume_a_background_stream(client: openai.OpenAI, model: str) -> None:
    # The real API keeps the events of background responses for resuming.
    original = list(
        client.responses.create(model=model, input=PROMPT, stream=True, background=True)
    )
    assert [event.type for event in original[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert original[0].response.status == "queued"
    response_id = original[0].response.id
    resumed = list(client.responses.retrieve(response_id, stream=True, starting_after=RESUME_AFTER))
    check_resumed(original, resumed, RESUME_AFTER)


async def test_async_resume_a_background_stream(
    async_client: openai.AsyncOpenAI, model: str
) -> None:
    stream = await async_client.responses.create(
        model=model, input=PROMPT, stream=True, background=True
    )
    original = [event async for event in stream]
    resumed_stream = await async_client.responses.retrieve(
        original[0].response.id, stream=True, starting_after=RESUME_AFTER
    )
    check_resumed(original, [event async for event in resumed_stream], RESUME_AFTER)


@pytest.mark.mock_only  # documented difference: the real API resumes background responses only
def test_resume_a_foreground_stream(client: openai.OpenAI, model: str) -> None:
    original = list(client.responses.create(model=model, input=PROMPT, stream=True))
    response_id = original[0].response.id
    resumed = list(client.responses.retrieve(response_id, stream=True, starting_after=RESUME_AFTER))
    check_resumed(original, resumed, RESUME_AFTER)
