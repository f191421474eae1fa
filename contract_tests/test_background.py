"""Background mode: poll until done, cancel, stream and resume a dropped stream.

Polling waits in small real-time steps (the same test runs against the live API); on the mock a
job takes a few hundred milliseconds.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import openai
import pytest

from contract_tests.helpers import assert_api_error

PROMPT = "Tell me a two-sentence bedtime story."
ACTIVE = ("queued", "in_progress")
POLL_SECONDS = 0.05
DEADLINE_SECONDS = 120.0


def poll(client: openai.OpenAI, response_id: str) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    response = client.responses.retrieve(response_id)
    while response.status in ACTIVE:
        assert time.monotonic() < deadline, f"{response_id} still {response.status}"
        time.sleep(POLL_SECONDS)
        response = client.responses.retrieve(response_id)
    return response


def test_a_background_job_polled_until_completed(client: openai.OpenAI, model: str) -> None:
    created = client.responses.create(model=model, input=PROMPT, background=True)
    assert created.background is True
    assert created.status == "queued"
    assert created.output == [] and created.usage is None
    done = poll(client, created.id)
    assert done.status == "completed" and done.background is True
    assert done.output_text and done.usage is not None and done.usage.output_tokens > 0
    assert done.completed_at is not None and done.completed_at >= done.created_at


async def test_async_background_job(async_client: openai.AsyncOpenAI, model: str) -> None:
    created = await async_client.responses.create(model=model, input=PROMPT, background=True)
    deadline = time.monotonic() + DEADLINE_SECONDS
    response = created
    while response.status in ACTIVE:
        assert time.monotonic() < deadline
        await asyncio.sleep(POLL_SECONDS)
        response = await async_client.responses.retrieve(created.id)
    assert response.status == "completed"


def test_background_needs_store(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input=PROMPT, background=True, store=False)
    assert caught.value.status_code == 400


def test_cancel_a_queued_job(client: openai.OpenAI, model: str) -> None:
    long_job = "Write a 2000-word essay on the history of tea."
    # The header (ignored by the real API) makes the mock's job run for a minute too.
    created = client.responses.create(
        model=model,
        input=long_job,
        background=True,
        extra_headers={"x-mockserver-background-run-ms": "60000"},
    )
    cancelled = client.responses.cancel(created.id)
    assert cancelled.id == created.id and cancelled.status == "cancelled"
    assert cancelled.background is True
    again = client.responses.cancel(created.id)
    assert again.status == "cancelled"
    assert client.responses.retrieve(created.id).status == "cancelled"


def test_cancel_a_synchronous_response(client: openai.OpenAI, model: str, on_mock: bool) -> None:
    created = client.responses.create(model=model, input="Hi")
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.cancel(created.id)
    body = assert_api_error(caught.value, status=400)
    if on_mock:
        assert body["message"] == "Cannot cancel a synchronous response."


def test_cancel_an_unknown_response(client: openai.OpenAI) -> None:
    unknown = "resp_" + "0" * 50
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.cancel(unknown)
    assert_api_error(caught.value, status=404, message=f"Response with id '{unknown}' not found.")


def test_a_dropped_stream_resumes_where_it_stopped(client: openai.OpenAI, model: str) -> None:
    seen: list[Any] = []
    with client.responses.create(model=model, input=PROMPT, background=True, stream=True) as stream:
        for event in stream:
            seen.append(event)
            if event.type == "response.in_progress":
                break  # the connection drops
    assert [e.type for e in seen] == ["response.created", "response.queued", "response.in_progress"]
    assert seen[0].response.status == "queued"
    response_id = seen[0].response.id
    cursor = seen[-1].sequence_number
    resumed = list(client.responses.retrieve(response_id, stream=True, starting_after=cursor))
    numbers = [e.sequence_number for e in resumed]
    assert numbers == list(range(cursor + 1, cursor + 1 + len(resumed)))
    assert resumed[-1].type == "response.completed"
    assert resumed[-1].response.output_text == poll(client, response_id).output_text
    with client.responses.stream(response_id=response_id, starting_after=cursor) as again:
        events = list(again)
        final = again.get_final_response()
    assert [e.sequence_number for e in events] == numbers
    assert final.status == "completed"


@pytest.mark.mock_only
def test_a_header_makes_the_job_fail(client: openai.OpenAI, model: str) -> None:
    created = client.responses.create(
        model=model,
        input=PROMPT,
        background=True,
        extra_headers={"x-mockserver-background-outcome": "failed"},
    )
    failed = poll(client, created.id)
    assert failed.status == "failed"
    assert failed.error is not None and failed.error.code == "server_error"
    assert failed.output == [] and failed.usage is None
