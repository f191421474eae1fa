"""Bad requests through the SDK: the real status, exception class and error envelope; headers."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from contract_tests.helpers import REQUEST_ID, assert_api_error

BAD_MODEL = "this-model-does-not-exist"

# (create() keyword arguments, param, code); every one is a 400 `invalid_request_error`.
BAD_CREATES = [
    pytest.param({"model": BAD_MODEL}, "model", "model_not_found", id="unknown-model"),
    pytest.param({"temperature": 3}, "temperature", "decimal_above_max_value", id="temperature-3"),
    pytest.param(
        {"max_output_tokens": 5}, "max_output_tokens", "integer_below_min_value", id="max-tokens-5"
    ),
    pytest.param({"extra_body": {"foo": 1}}, "foo", "unknown_parameter", id="unknown-param"),
    pytest.param(
        {"extra_body": {"temperature": "hot"}}, "temperature", "invalid_type", id="string-temp"
    ),
    pytest.param({"extra_body": {"store": "yes"}}, "store", "invalid_type", id="string-store"),
]


@pytest.mark.parametrize(("kwargs", "param", "code"), BAD_CREATES)
def test_bad_create(
    client: openai.OpenAI, model: str, kwargs: dict[str, Any], param: str, code: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(**{"model": model, "input": "Say hello.", **kwargs})
    assert_api_error(caught.value, status=400, param=param, code=code)


@pytest.mark.parametrize(("kwargs", "param", "code"), BAD_CREATES[:2])
async def test_async_bad_create(
    async_client: openai.AsyncOpenAI, model: str, kwargs: dict[str, Any], param: str, code: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await async_client.responses.create(**{"model": model, "input": "Say hello.", **kwargs})
    assert_api_error(caught.value, status=400, param=param, code=code)


def test_messages_of_well_known_errors(client: openai.OpenAI, model: str) -> None:
    # Messages seen in real traffic (docs/real-errors.md); clients show them to users.
    cases: list[tuple[dict[str, Any], str]] = [
        ({"model": BAD_MODEL}, f"The requested model '{BAD_MODEL}' does not exist."),
        ({"extra_body": {"foo": 1}}, "Unknown parameter: 'foo'."),
        (
            {"max_output_tokens": 5},
            "Invalid 'max_output_tokens': integer below minimum value. "
            "Expected a value >= 16, but got 5 instead.",
        ),
    ]
    for kwargs, message in cases:
        with pytest.raises(openai.BadRequestError) as caught:
            client.responses.create(**{"model": model, "input": "Say hello.", **kwargs})
        body: Any = caught.value.body
        assert body["message"] == message


def test_streaming_request_errors_before_the_stream(client: openai.OpenAI, model: str) -> None:
    # Validation fails before any event: a plain 400, not an SSE `error` event.
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input="Say hello.", temperature=3, stream=True)
    assert_api_error(caught.value, status=400, param="temperature", code="decimal_above_max_value")


def test_missing_api_key(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client.responses.create(
            model=model, input="Say hello.", extra_headers={"Authorization": openai.Omit()}
        )
    body = assert_api_error(caught.value, status=401)
    assert body["message"].startswith("You didn't provide an API key.")


def test_wrong_api_key(wrong_key_client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong_key_client.responses.create(model=model, input="Say hello.")
    body = assert_api_error(caught.value, status=401, code="invalid_api_key")
    assert body["message"].startswith("Incorrect API key provided: ")
    assert wrong_key_client.api_key not in body["message"]  # the key is masked


def test_unknown_route(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.get("/nope", cast_to=object)
    body = assert_api_error(caught.value, status=404)
    assert body["message"] == "Invalid URL (GET /v1/nope)"


def test_headers_on_create(client: openai.OpenAI, model: str) -> None:
    raw = client.responses.with_raw_response.create(model=model, input="Say hello.")
    headers = raw.headers
    assert REQUEST_ID.match(headers["x-request-id"]), headers["x-request-id"]
    assert raw.request_id == headers["x-request-id"]
    assert headers["openai-version"] == "2020-10-01"
    assert int(headers["openai-processing-ms"]) >= 0
    assert headers["content-type"].startswith("application/json")
    for kind in ("requests", "tokens"):
        assert int(headers[f"x-ratelimit-limit-{kind}"]) > 0
        assert int(headers[f"x-ratelimit-remaining-{kind}"]) >= 0
        assert headers[f"x-ratelimit-reset-{kind}"]
    assert raw.parse().id.startswith("resp_")


def test_headers_on_retrieve_and_errors(client: openai.OpenAI, model: str) -> None:
    created = client.responses.create(model=model, input="Say hello.")
    raw = client.responses.with_raw_response.retrieve(created.id)
    assert REQUEST_ID.match(raw.headers["x-request-id"])
    assert raw.headers["openai-version"] == "2020-10-01"
    assert int(raw.headers["openai-processing-ms"]) >= 0

    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve("resp_" + "0" * 50)
    error_headers = caught.value.response.headers
    assert REQUEST_ID.match(error_headers["x-request-id"])
    assert caught.value.request_id == error_headers["x-request-id"]
    assert error_headers["openai-version"] == "2020-10-01"
