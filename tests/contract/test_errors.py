"""The exception tree and the constructors of the real API's error messages."""

from __future__ import annotations

import pytest

from mockserver.contract import errors
from mockserver.contract.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    InvalidRequestError,
    MockServerError,
    NotFoundError,
    RequestTooLargeError,
)


@pytest.mark.parametrize(
    ("cls", "status", "error_type"),
    [
        (InvalidRequestError, 400, "invalid_request_error"),
        (AuthenticationError, 401, "invalid_request_error"),
        (NotFoundError, 404, "invalid_request_error"),
        (RequestTooLargeError, 413, "invalid_request_error"),
        (InternalServerError, 500, "server_error"),
    ],
)
def test_api_errors_carry_status_and_type(
    cls: type[APIError], status: int, error_type: str
) -> None:
    error = cls("boom", param="p", code="c")
    assert isinstance(error, APIError)
    assert isinstance(error, MockServerError)
    assert error.status_code == status
    assert error.body() == {
        "error": {"message": "boom", "type": error_type, "param": "p", "code": "c"}
    }
    assert str(error) == "boom"


def test_body_has_the_real_key_order_and_nulls() -> None:
    body = InvalidRequestError("x").body()
    assert list(body) == ["error"]
    assert list(body["error"]) == ["message", "type", "param", "code"]
    assert body["error"]["param"] is None
    assert body["error"]["code"] is None


def test_headers_are_copied() -> None:
    given = {"www-authenticate": "Bearer"}
    error = AuthenticationError("no", headers=given)
    given["other"] = "x"
    assert error.headers == {"www-authenticate": "Bearer"}
    assert InvalidRequestError("x").headers == {}


def test_configuration_error_is_never_an_api_error() -> None:
    assert issubclass(ConfigurationError, MockServerError)
    assert not issubclass(ConfigurationError, APIError)


def test_unknown_parameter() -> None:
    error = errors.unknown_parameter("zzz")
    assert error.message == "Unknown parameter: 'zzz'."
    assert (error.param, error.code) == ("zzz", "unknown_parameter")


def test_missing_parameter() -> None:
    error = errors.missing_parameter("input")
    assert error.message == "Missing required parameter: 'input'."
    assert (error.param, error.code) == ("input", "missing_required_parameter")


def test_invalid_type() -> None:
    error = errors.invalid_type("temperature", "a decimal", "a string")
    assert error.message == (
        "Invalid type for 'temperature': expected a decimal, but got a string instead."
    )
    assert (error.param, error.code) == ("temperature", "invalid_type")


def test_out_of_range_above_and_below() -> None:
    above = errors.out_of_range("limit", "integer", 100, 1000, above=True)
    assert above.message == (
        "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 1000 "
        "instead."
    )
    assert (above.param, above.code) == ("limit", "integer_above_max_value")
    below = errors.out_of_range("temperature", "decimal", 0, -0.5, above=False)
    assert below.message == (
        "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 "
        "instead."
    )
    assert below.code == "decimal_below_min_value"


@pytest.mark.parametrize(
    ("choices", "conjunction", "expected"),
    [
        (["a"], "and", "'a'"),
        (["auto", "disabled"], "and", "'auto' and 'disabled'"),
        (["a", "b", "c"], "and", "'a', 'b', and 'c'"),
        (["a", "b", "c"], "or", "'a', 'b', or 'c'"),
    ],
)
def test_join_choices(choices: list[str], conjunction: str, expected: str) -> None:
    assert errors.join_choices(choices, conjunction) == expected


def test_invalid_value_quotes_strings_and_blanks_other_values() -> None:
    error = errors.invalid_value("truncation", "x", ["auto", "disabled"])
    assert error.message == "Invalid value: 'x'. Supported values are: 'auto' and 'disabled'."
    assert (error.param, error.code) == ("truncation", "invalid_value")
    assert errors.invalid_value("order", 3, ["asc", "desc"]).message.startswith(
        "Invalid value: ''."
    )


def test_no_input_mixes_quotes_like_the_real_api() -> None:
    error = errors.no_input()
    assert error.message == (
        """One of "input" or "previous_response_id" or 'prompt' or 'conversation' must be """
        "provided."
    )
    assert error.param is None
    assert error.code == "missing_required_parameter"


def test_response_not_found() -> None:
    error = errors.response_not_found("resp_x")
    assert isinstance(error, NotFoundError)
    assert error.message == "Response with id 'resp_x' not found."
    assert (error.param, error.code) == (None, None)


def test_invalid_json_body() -> None:
    error = errors.invalid_json_body()
    assert error.message.startswith("Invalid body: failed to parse JSON value.")
    assert (error.param, error.code) == (None, "invalid_json")


@pytest.mark.parametrize(
    ("value", "shown"), [(True, "true"), (False, "false"), ("x", "'x'"), (2, "2"), (0.5, "0.5")]
)
def test_values_are_quoted_like_the_real_api(value: object, shown: str) -> None:
    assert errors._fmt(value) == shown
