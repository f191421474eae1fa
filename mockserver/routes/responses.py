"""``/v1/responses``: create (JSON or SSE), retrieve (and stream resume), delete, input items,
input tokens."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import InvalidRequestError, invalid_value, response_not_found
from ..events import events_after, plan_events
from ..inputs import normalize_input
from ..models import Model, resolve_model
from ..pagination import check_page_params, paginate
from ..render import RATE_LIMIT_HEADERS, json_response, sse_response
from ..responses import create_turn
from ..schemas import load_schema
from ..state import MockState
from ..store import StoredResponse
from ..tokens import count_context_tokens
from ..validation import check_create_request, check_schema
from .common import mock_state, query_bool, query_int, query_list, read_json_object

# Parameters reasoning models reject (message verbatim from recorded traffic).
REASONING_UNSUPPORTED = ("temperature", "top_p", "presence_penalty", "frequency_penalty")


def check_model_support(body: dict[str, Any], model: Model) -> None:
    if not model.reasoning:
        return
    for param in REASONING_UNSUPPORTED:
        if body.get(param) is not None:
            raise InvalidRequestError(
                f"Unsupported parameter: '{param}' is not supported with this model.",
                param=param,
            )
    if body.get("top_logprobs"):
        raise InvalidRequestError(
            "logprobs are not supported with reasoning models.",
            param="top_logprobs",
            code="unsupported_parameter",
        )


def prior_context(state: MockState, previous_id: str | None) -> list[dict[str, Any]]:
    if previous_id is None:
        return []
    stored = state.store.get_response(previous_id)
    if stored is None or not stored.response.get("store", True):
        raise InvalidRequestError(
            f"Previous response with id '{previous_id}' not found.",
            param="previous_response_id",
            code="previous_response_not_found",
        )
    return stored.context


def check_include(values: list[str]) -> None:
    allowed = _includable()
    for value in values:
        if value not in allowed:
            raise invalid_value("include", value, sorted(allowed))


def _includable() -> frozenset[str]:
    prop = load_schema("ResponseCreateParams")["properties"]["include"]
    for option in prop.get("anyOf", [prop]):
        enum = option.get("items", {}).get("enum")
        if enum:
            return frozenset(enum)
    return frozenset()


def _obfuscate(body: dict[str, Any]) -> bool:
    return (body.get("stream_options") or {}).get("include_obfuscation", True) is not False


async def create(request: Request) -> Response:
    state = mock_state(request)
    body = await read_json_object(request)
    check_create_request(body)
    check_include(body.get("include") or [])
    model = resolve_model(body["model"])
    check_model_support(body, model)
    prior = prior_context(state, body.get("previous_response_id"))
    turn = create_turn(body, model=model, prior_context=prior, ids=state.ids, clock=state.clock)
    streaming = bool(body.get("stream"))
    events = plan_events(turn.response, obfuscate=_obfuscate(body)) if streaming else []
    if turn.response["store"]:
        state.store.put_response(
            StoredResponse(turn.response, turn.input_items, turn.context, events)
        )
    pacing = state.config.pacing
    if streaming:
        return sse_response(events, pacing)
    if pacing.reply_delay_seconds:
        await asyncio.sleep(pacing.reply_delay_seconds)
    return json_response(turn.response, headers=RATE_LIMIT_HEADERS)


def _stored(state: MockState, response_id: str) -> StoredResponse:
    stored = state.store.get_response(response_id)
    if stored is None:
        raise response_not_found(response_id)
    return stored


async def retrieve(request: Request) -> Response:
    state = mock_state(request)
    stored = _stored(state, request.path_params["response_id"])
    check_include(query_list(request, "include"))
    starting_after = query_int(request, "starting_after")
    if not query_bool(request, "stream"):
        return json_response(stored.response)
    obfuscate = query_bool(request, "include_obfuscation") is not False
    events = stored.events or plan_events(stored.response, obfuscate=obfuscate)
    return sse_response(list(events_after(events, starting_after)), state.config.pacing)


async def delete(request: Request) -> Response:
    state = mock_state(request)
    response_id = request.path_params["response_id"]
    if not state.store.delete_response(response_id):
        raise response_not_found(response_id)
    return json_response({"id": response_id, "object": "response.deleted", "deleted": True})


async def input_items(request: Request) -> Response:
    state = mock_state(request)
    stored = _stored(state, request.path_params["response_id"])
    check_include(query_list(request, "include"))
    limit, order = check_page_params(query_int(request, "limit"), request.query_params.get("order"))
    page = paginate(
        stored.input_items, limit=limit, order=order, after=request.query_params.get("after")
    )
    return json_response(page)


async def input_tokens(request: Request) -> Response:
    state = mock_state(request)
    body = await read_json_object(request)
    check_schema("InputTokenCountParams", body)
    if body.get("model") is not None:
        resolve_model(body["model"])
    prior = prior_context(state, body.get("previous_response_id"))
    items = normalize_input(body.get("input"), lambda prefix: prefix)
    count = count_context_tokens([*prior, *items], body.get("instructions"))
    return json_response({"object": "response.input_tokens", "input_tokens": count})


routes = [
    Route("/v1/responses", create, methods=["POST"]),
    Route("/v1/responses/input_tokens", input_tokens, methods=["POST"]),
    Route("/v1/responses/{response_id}", retrieve, methods=["GET"]),
    Route("/v1/responses/{response_id}", delete, methods=["DELETE"]),
    Route("/v1/responses/{response_id}/input_items", input_items, methods=["GET"]),
]
