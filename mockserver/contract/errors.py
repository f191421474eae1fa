"""One exception tree for the whole package.

    MockServerError
    ├── APIError                       an error the emulated API answers with (status + body)
    │   ├── InvalidRequestError        400 invalid_request_error
    │   │   └── CompactionError        compaction content that does not verify (compaction.py)
    │   ├── AuthenticationError        401
    │   ├── PermissionDeniedError      403 (a Host the DNS-rebinding guard refuses; host_check.py)
    │   ├── NotFoundError              404
    │   ├── RequestTooLargeError       413
    │   ├── InternalServerError        500 (a bug in the mock; surfaced in tests)
    │   └── FaultError                 a fault or stub error asked for on purpose (faults.py)
    ├── ConfigurationError             bad options, seed files, stubs (never on the wire)
    │   └── RecordingFormatError       a recording that cannot be read (recording/cassette.py)
    ├── UpstreamError                  record mode could not reach the upstream (upstream.py)
    └── ServerFailure                  a handler raised; re-raised in the test (server.py)

``self_check.SchemaMismatch`` is an ``AssertionError``, not part of this tree: it reports a bug in
the mock's own output, found by the tests.

Every ``APIError`` renders the real API's envelope:
``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MockServerError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigurationError(MockServerError):
    """The server was configured wrongly: a bad option, seed file or recording."""


class APIError(MockServerError):
    status_code: int = 400
    error_type: str = "invalid_request_error"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


class InvalidRequestError(APIError):
    status_code = 400


class AuthenticationError(APIError):
    status_code = 401


class PermissionDeniedError(APIError):
    status_code = 403


class NotFoundError(APIError):
    status_code = 404


class RequestTooLargeError(APIError):
    status_code = 413


class InternalServerError(APIError):
    status_code = 500
    error_type = "server_error"


def _fmt(value: Any) -> str:
    """Render a bad value the way the real API quotes it in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


# Constructors for the messages the real API sends (verbatim where known; see docs/real-errors.md).


def unknown_parameter(param: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter"
    )


def missing_parameter(param: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def invalid_type(param: str, expected: str, got: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        param=param,
        code="invalid_type",
    )


def out_of_range(
    param: str, kind: str, bound: Any, value: Any, *, above: bool
) -> InvalidRequestError:
    direction = "above maximum" if above else "below minimum"
    op = "<=" if above else ">="
    return InvalidRequestError(
        f"Invalid '{param}': {kind} {direction} value. "
        f"Expected a value {op} {_fmt(bound)}, but got {_fmt(value)} instead.",
        param=param,
        code=f"{kind}_{'above_max' if above else 'below_min'}_value",
    )


def join_choices(choices: list[str], conjunction: str = "and") -> str:
    """``'a' and 'b'``; ``'a', 'b', and 'c'``: the real API's list punctuation."""
    quoted = [f"'{c}'" for c in choices]
    if len(quoted) <= 2:
        return f" {conjunction} ".join(quoted)
    return ", ".join(quoted[:-1]) + f", {conjunction} " + quoted[-1]


def invalid_value(param: str, value: Any, choices: list[str]) -> InvalidRequestError:
    shown = f"'{value}'" if isinstance(value, str) else "''"
    return InvalidRequestError(
        f"Invalid value: {shown}. Supported values are: {join_choices(choices)}.",
        param=param,
        code="invalid_value",
    )


def empty_string(param: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"Invalid '{param}': empty string. Expected a string with minimum length 1, but got an "
        "empty string instead.",
        param=param,
        code="empty_string",
    )


def item_not_found(item_id: str, *, store: bool = True) -> NotFoundError:
    """An input item reference to nothing stored (docs/real-errors.md §9)."""
    message = f"Item with id '{item_id}' not found."
    if not store:
        message += (
            " Items are not persisted when `store` is set to false. Try again with `store` set "
            "to true, or remove this item from your input."
        )
    return NotFoundError(message, param="input")


def no_input() -> InvalidRequestError:
    return InvalidRequestError(
        """One of "input" or "previous_response_id" or 'prompt' or 'conversation' must be """
        "provided.",
        code="missing_required_parameter",
    )


def response_not_found(response_id: str) -> NotFoundError:
    return NotFoundError(f"Response with id '{response_id}' not found.")


def invalid_json_body() -> InvalidRequestError:
    return InvalidRequestError(
        "Invalid body: failed to parse JSON value. Please check the value to ensure it is valid "
        "JSON. (Common errors include trailing commas, missing closing brackets, missing "
        "quotation marks, etc.)",
        code="invalid_json",
    )
