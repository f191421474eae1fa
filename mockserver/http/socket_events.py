"""The WebSocket mode's own messages (pure): reading client events, the ``error`` event, and the
``response.steer.*`` events, as the SDK types them (``openai.types.responses``:
``ResponsesClientEvent``, ``ResponsesServerEvent``).

Everything else a socket carries is the response's stream events, exactly as SSE sends them
(``routes/responses_socket.py`` takes them from the same event plan).
"""

from __future__ import annotations

from typing import Any

import orjson

from mockserver.contract.errors import (
    APIError,
    InvalidRequestError,
    invalid_json_body,
    invalid_type,
    invalid_value,
    missing_parameter,
)
from mockserver.contract.validation import type_word

CLIENT_EVENT_TYPES = ["response.create", "response.steer"]
# Envelope fields of `response.create` that are not create parameters.
SOCKET_ONLY_FIELDS = ("type", "stream_id", "generate")
STEER_FIELDS = ("type", "previous_response_id", "input")
STEER_CONTENT_TYPES = ("input_text", "input_image", "input_file")


def read_client_event(raw: str | bytes) -> dict[str, Any]:
    """A client event as a JSON object with a known ``type``, or the 400 HTTP would answer."""
    if not raw.strip():
        raise invalid_json_body()
    try:
        event = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid_json_body() from None
    if not isinstance(event, dict):
        raise invalid_type("body", "an object", type_word(event))
    if "type" not in event:
        raise missing_parameter("type")
    if event["type"] not in CLIENT_EVENT_TYPES:
        raise invalid_value("type", event["type"], CLIENT_EVENT_TYPES)
    return event


def create_body(event: dict[str, Any]) -> dict[str, Any]:
    """The ``POST /v1/responses`` body of a ``response.create``: envelope off, always streamed
    (``stream`` is implicit on a socket)."""
    body = {key: value for key, value in event.items() if key not in SOCKET_ONLY_FIELDS}
    body["stream"] = True
    return body


def check_envelope(event: dict[str, Any]) -> None:
    """The WebSocket-only fields of a ``response.create`` have the SDK's types."""
    if "stream_id" in event and not isinstance(event["stream_id"], str):
        raise invalid_type("stream_id", "a string", type_word(event["stream_id"]))
    if "generate" in event and not isinstance(event["generate"], bool):
        raise invalid_type("generate", "a boolean", type_word(event["generate"]))


def background_unsupported() -> InvalidRequestError:
    # The SDK's ResponseCreate: "`background` is not supported over WebSocket." The real
    # message is unknown; this one is ours.
    return InvalidRequestError(
        "background is not supported over WebSocket: send this request to POST /v1/responses "
        "instead, or leave background out.",
        param="background",
        code="unsupported_parameter",
    )


def error_event(error: APIError, stream_id: str | None = None) -> dict[str, Any]:
    """The socket's ``error`` event for what HTTP would answer with ``error``: the same
    ``{message, type, param, code}``, its status, and its headers when it has any."""
    envelope = error.body()
    details = dict(envelope.get("error") or {}) if isinstance(envelope, dict) else {}
    if error.headers:
        details["headers"] = dict(error.headers)
    event: dict[str, Any] = {"type": "error", "status": error.status_code, "error": details}
    if stream_id is not None:
        event["stream_id"] = stream_id
    return event


def stream_error_event(event: dict[str, Any]) -> dict[str, Any]:
    """An in-stream ``error`` (a ``stream_error`` fault) as the socket types it: the SDK's
    ``ResponseWsError`` nests the details under ``error``, so the flat SSE copies go."""
    nested = event.get("error") or {
        key: event.get(key) for key in ("type", "code", "message", "param")
    }
    return {"type": "error", "sequence_number": event["sequence_number"], "error": nested}


def for_socket(events: list[dict[str, Any]], stream_id: str | None) -> list[dict[str, Any]]:
    """A turn's SSE events as the socket sends them: the same events, the ``error`` event in its
    socket shape, and ``stream_id`` echoed when the create named a lane."""
    out = [stream_error_event(e) if e["type"] == "error" else e for e in events]
    if stream_id is not None:
        out = [{**event, "stream_id": stream_id} for event in out]
    return out


def check_steer_input(event: dict[str, Any]) -> str | None:
    """Why a ``response.steer`` is invalid (None: valid), per the SDK's ``ResponseSteerInput``:
    a string, or a non-empty list of user messages of text, image and file parts."""
    extra = sorted(set(event) - set(STEER_FIELDS))
    if extra:
        return f"Unknown parameter: '{extra[0]}'. response.steer accepts only {STEER_FIELDS}."
    if not isinstance(event.get("previous_response_id"), str):
        return "Missing required parameter: 'previous_response_id'."
    value = event.get("input")
    if isinstance(value, str):
        return None if value else "Invalid 'input': empty string."
    if not isinstance(value, list) or not value:
        return "Invalid 'input': expected a string or a non-empty array of user messages."
    for index, item in enumerate(value):
        where = f"input[{index}]"
        if not isinstance(item, dict) or item.get("role") != "user":
            return f"Invalid '{where}': steering accepts only messages with the 'user' role."
        if item.get("type", "message") != "message" or set(item) - {"type", "role", "content"}:
            return f"Invalid '{where}': a steering message has only type, role and content."
        content = item.get("content")
        if isinstance(content, str):
            continue
        if not isinstance(content, list) or not all(
            isinstance(part, dict) and part.get("type") in STEER_CONTENT_TYPES for part in content
        ):
            return (
                f"Invalid '{where}.content': a string or an array of "
                f"{', '.join(STEER_CONTENT_TYPES)} parts."
            )
    return None


def steer_items(steer_input: Any) -> list[dict[str, Any]]:
    """A steering input as the input items it adds to the successor (or continuation)."""
    if isinstance(steer_input, str):
        return [{"type": "message", "role": "user", "content": steer_input}]
    return [{"type": "message", **item} for item in steer_input]


def steer_accepted(steer_id: str, target: str, number: int) -> dict[str, Any]:
    return {
        "type": "response.steer.accepted",
        "sequence_number": number,
        "steer": {"id": steer_id, "previous_response_id": target},
    }


def steer_failed(
    event: dict[str, Any], code: str, message: str, number: int, steer_id: str | None = None
) -> dict[str, Any]:
    steer: dict[str, Any] = {
        "input": event.get("input"),
        "previous_response_id": event.get("previous_response_id"),
    }
    if steer_id is not None:
        steer["id"] = steer_id
    return {
        "type": "response.steer.failed",
        "sequence_number": number,
        "error": {"code": code, "message": message, "type": "invalid_request_error"},
        "steer": steer,
    }


def steer_pending(
    steer_id: str, target: str, required: list[dict[str, Any]], number: int
) -> dict[str, Any]:
    return {
        "type": "response.steer.pending",
        "sequence_number": number,
        "reason": "waiting_for_required_input",
        "required_input": required,
        "steer": {"id": steer_id, "previous_response_id": target},
    }


# Output item type -> the input stub the client fills before continuing.
_REQUIRED_OUTPUTS = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
}


def required_input(response: dict[str, Any]) -> list[dict[str, Any]]:
    """Stubs of the client-owned tool results a response waits for (empty: it waits for none)."""
    stubs = []
    for item in response.get("output") or []:
        kind = _REQUIRED_OUTPUTS.get(item.get("type"))
        if kind == "function_call_output":
            stubs.append({"type": kind, "call_id": item["call_id"], "name": item["name"]})
        elif kind is not None:
            stubs.append({"type": kind, "call_id": item["call_id"]})
    return stubs
