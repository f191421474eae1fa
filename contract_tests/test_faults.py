"""Faults seen through the SDK: real error bodies, its retries, broken and incomplete streams.

Faults are chosen per request with the ``x-mockserver-fault`` header or per stub
(``mock_only``); the ``max_output_tokens`` case needs no fault and runs on every target.
"""

from __future__ import annotations

import openai
import pytest

from .helpers import collapse_runs
from .mock_admin import add_stubs, journal

QUOTA_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors."
)


def fault(name: str) -> dict[str, str]:
    return {"x-mockserver-fault": name}


@pytest.mark.mock_only
@pytest.mark.parametrize(
    ("first", "status"),
    [
        ("rate_limit", 429),
        ("server_error;retry_after_ms=10", 500),
        ("bad_gateway;retry_after_ms=10", 502),
        ("service_unavailable;retry_after_ms=10", 503),
    ],
)
def test_the_sdk_retries_a_transient_error_and_succeeds(
    client: openai.OpenAI, model: str, first: str, status: int
) -> None:
    add_stubs(client, {"match": {"call": 1}, "answer": {"fault": first}})
    reply = client.with_options(max_retries=2).responses.create(model=model, input="Hello")
    assert reply.status == "completed" and reply.output_text
    attempts = journal(client)
    assert [a["status"] for a in attempts] == [status, 200]
    assert attempts[0]["request_body"] == attempts[1]["request_body"]


@pytest.mark.mock_only
def test_a_rate_limit_has_the_real_body_and_headers(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(model=model, input="Hello", extra_headers=fault("rate_limit"))
    error = caught.value
    assert error.code == "rate_limit_exceeded" and error.type == "tokens"
    assert error.message.startswith(
        f"Error code: 429 - Rate limit reached for {model} in organization org-"
    )
    headers = error.response.headers
    assert headers["retry-after-ms"] == "20" and headers["retry-after"] == "1"
    assert headers["x-ratelimit-remaining-tokens"].isdigit()
    assert error.request_id is not None and error.request_id.startswith("req_")


@pytest.mark.mock_only
def test_retries_give_up_after_max_retries(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.RateLimitError):
        client.with_options(max_retries=2).responses.create(
            model=model, input="Hello", extra_headers=fault("rate_limit;retry_after_ms=5")
        )
    assert [a["status"] for a in journal(client)] == [429, 429, 429]


@pytest.mark.mock_only
def test_insufficient_quota_is_not_a_transient_error_to_the_caller(
    client: openai.OpenAI, model: str
) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(
            model=model, input="Hello", extra_headers=fault("insufficient_quota")
        )
    assert caught.value.body == {
        "message": QUOTA_MESSAGE,
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }


@pytest.mark.mock_only
def test_an_in_stream_error_fails_the_stream_in_the_real_order(
    client: openai.OpenAI, model: str
) -> None:
    seen: list[str] = []
    stream = client.responses.create(
        model=model,
        input="Hello",
        stream=True,
        extra_headers=fault("stream_error;code=insufficient_quota"),
    )
    with pytest.raises(openai.APIError) as caught:
        for event in stream:
            seen.append(event.type)
    assert seen == ["response.created", "response.in_progress"]
    assert caught.value.message == QUOTA_MESSAGE
    assert caught.value.body == {
        "type": "insufficient_quota",
        "code": "insufficient_quota",
        "message": QUOTA_MESSAGE,
        "param": None,
    }
    events = journal(client)[0]["events"]
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    failed = events[-1]["response"]
    assert failed["status"] == "failed" and failed["output"] == [] and failed["usage"] is None
    assert client.responses.retrieve(failed["id"]).error.code == "insufficient_quota"  # type: ignore[union-attr]


@pytest.mark.mock_only
def test_a_rate_limited_stream_error_without_a_stream_is_a_429(
    client: openai.OpenAI, model: str
) -> None:
    with pytest.raises(openai.RateLimitError):
        client.responses.create(model=model, input="Hello", extra_headers=fault("stream_error"))


@pytest.mark.mock_only
def test_a_cut_stream_is_a_connection_error_mid_stream(client: openai.OpenAI, model: str) -> None:
    seen: list[str] = []
    stream = client.responses.create(
        model=model, input="Hello", stream=True, extra_headers=fault("cut_stream;after_events=4")
    )
    with pytest.raises(openai.APIConnectionError):
        for event in stream:
            seen.append(event.type)
    assert collapse_runs(seen) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]


@pytest.mark.mock_only
def test_a_cut_reply_is_retried_by_the_sdk(client: openai.OpenAI, model: str) -> None:
    add_stubs(client, {"match": {"call": 1}, "answer": {"fault": "cut_stream"}})
    reply = client.with_options(max_retries=1).responses.create(model=model, input="Hello")
    assert reply.output_text
    assert len(journal(client)) == 2


@pytest.mark.mock_only
def test_content_filter_incomplete(client: openai.OpenAI, model: str) -> None:
    stream = client.responses.create(
        model=model,
        input="Hello",
        stream=True,
        extra_headers=fault("incomplete;reason=content_filter"),
    )
    events = list(stream)
    assert events[-1].type == "response.incomplete"
    final = events[-1].response  # type: ignore[union-attr]
    assert final.status == "incomplete" and final.incomplete_details is not None
    assert final.incomplete_details.reason == "content_filter"
    assert final.output[0].status == "incomplete"  # type: ignore[union-attr]


def test_max_output_tokens_ends_incomplete(client: openai.OpenAI, model: str) -> None:
    reply = client.responses.create(
        model=model, input="Write a long story about a lighthouse keeper.", max_output_tokens=16
    )
    assert reply.status == "incomplete"
    assert reply.incomplete_details is not None
    assert reply.incomplete_details.reason == "max_output_tokens"
    assert reply.usage is not None and reply.usage.output_tokens <= 16


@pytest.mark.mock_only
def test_pacing_per_request_still_delivers_every_event(client: openai.OpenAI, model: str) -> None:
    headers = {"x-mockserver-pacing": "first_event_ms=5,tokens_per_second=2000"}
    with client.responses.stream(model=model, input="Hello", extra_headers=headers) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == final.output_text


@pytest.mark.mock_only
def test_a_bad_fault_header_is_a_clear_400(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input="Hello", extra_headers=fault("meteor"))
    assert caught.value.code == "invalid_mock_header"
    assert "unknown fault 'meteor'; valid faults are 'rate_limit'" in caught.value.message
