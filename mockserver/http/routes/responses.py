"""``/v1/responses``: create (JSON or SSE), retrieve (and stream resume), delete, input items,
input tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.contract.errors import (
    InvalidRequestError,
    no_input,
    response_not_found,
)
from mockserver.contract.inputs import normalize_input
from mockserver.contract.models import PROMPT_DEFAULT_MODEL, Model, check_effort, resolve_model
from mockserver.contract.validation import (
    CONTEXT_SOURCES,
    check_create_request,
    check_items_are_objects,
    check_schema,
)
from mockserver.http.fault_responses import json_reply, stream_reply
from mockserver.http.render import RATE_LIMIT_HEADERS, json_response, sse_response
from mockserver.http.routes.background import retrieve as retrieve_background
from mockserver.http.routes.background import start as start_background
from mockserver.http.routes.common import (
    Endpoint,
    check_include,
    mock_state,
    query_bool,
    query_int,
    query_list,
    read_json_object,
)
from mockserver.http.routes.conversations import append_turn, open_conversation
from mockserver.http.stub_middleware import journal_finisher, turn_plan
from mockserver.model.events import events_after, plan_events
from mockserver.model.tokens import count_context_tokens
from mockserver.model.turn import Turn
from mockserver.scenarios.directives import Directives, from_headers, reply_headers
from mockserver.scenarios.plan import TurnPlan
from mockserver.state.compaction import verify, window
from mockserver.state.context_chain import (
    chain_context,
    check_continuation,
    conversation_context,
    hand_on_items,
    response_to_store,
)
from mockserver.state.conversations import check_exclusive, shard_of
from mockserver.state.mock_state import MockState
from mockserver.state.pagination import check_page_params, paginate
from mockserver.state.references import has_references, resolve_references
from mockserver.state.store import StoredResponse
from mockserver.state.turn_context import build_turn, check_context_management

# Parameters reasoning models reject (message verbatim from recorded traffic: vercel/ai
# reasoning-model-temperature-error.json). `temperature`/`top_p` are allowed at the efforts the
# model catalogue lists (gpt-5.1 and newer at effort `none`: chatlas, ellmer, answered 200).
SAMPLING = ("temperature", "top_p")
REASONING_UNSUPPORTED = ("presence_penalty", "frequency_penalty")


def check_model_support(body: dict[str, Any], model: Model) -> None:
    requested_effort = (body.get("reasoning") or {}).get("effort")
    check_effort(model, requested_effort)
    if not model.reasoning:
        return
    sampling_ok = model.allows_sampling(requested_effort)
    for param in (*SAMPLING, *REASONING_UNSUPPORTED):
        if param in SAMPLING and sampling_ok:
            continue
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


def prior_context(
    state: MockState, previous_id: str | None, local: StoredResponse | None = None
) -> Sequence[dict[str, Any]]:
    """The context ``previous_response_id`` continues; ``local`` is a response the caller holds
    itself (a WebSocket's connection-local cache), found even when it was not stored."""
    if previous_id is None:
        return []
    if local is not None and local.response["id"] == previous_id:
        return local.context
    stored = state.store.get_response(previous_id)
    if stored is None or not stored.response.get("store", True):
        raise InvalidRequestError(
            f"Previous response with id '{previous_id}' not found.",
            param="previous_response_id",
            code="previous_response_not_found",
        )
    # A background response still running has no output to continue from yet (context_at).
    return chain_context(state.store, stored, state.clock.now())


_NO_DIRECTIVES = Directives()


def _directives(headers: Mapping[str, str], state: MockState) -> Directives:
    """The request's ``x-mockserver-*`` directives (none, without parsing them, in the usual
    case: no such header and no server-wide edge-case mode)."""
    config = state.config
    raw = getattr(headers, "raw", None)  # Starlette's Headers: the byte pairs, undecoded
    names = (name for name, _ in raw) if raw is not None else (n.encode() for n in headers)
    if not config.edge_cases and not any(name.startswith(b"x-mockserver-") for name in names):
        return _NO_DIRECTIVES
    return from_headers(headers, edge_default=config.edge_cases, seed_default=config.edge_seed)


def _obfuscate(body: dict[str, Any]) -> bool:
    return (body.get("stream_options") or {}).get("include_obfuscation", True) is not False


@dataclass
class PlannedTurn:
    """A validated create request, built into a turn but not yet stored: the seam where the
    HTTP route (JSON or SSE) and the WebSocket route (``responses_socket.py``) part ways."""

    body: dict[str, Any]
    turn: Turn
    plan: TurnPlan
    conversation_id: str | None
    # Headers the reply carries for the request's x-mockserver-* directives.
    extra_headers: dict[str, str]
    # The context the turn continued (its tally is carried into a conversation's).
    prior: Sequence[dict[str, Any]] = ()


def plan_create(
    state: MockState,
    body: dict[str, Any],
    headers: Mapping[str, str],
    plan: TurnPlan,
    local: StoredResponse | None = None,
) -> PlannedTurn:
    """Validate a create request and build its turn under ``plan`` (stubs, faults)."""
    check_create_request(body)
    check_context_management(body.get("context_management"))
    check_exclusive(body)
    check_include(body.get("include") or [])
    model = resolve_model(body.get("model") or PROMPT_DEFAULT_MODEL)
    check_model_support(body, model)
    conversation = open_conversation(state, body.get("conversation"))
    prior: Sequence[dict[str, Any]]
    if conversation is not None:
        prior = conversation_context(state.store, conversation)
    else:
        prior = prior_context(state, body.get("previous_response_id"), local)
    if has_references(body.get("input")):
        resolved = resolve_references(
            body["input"], prior, state.store, stored=body.get("store") is not False
        )
        body = {**body, "input": resolved}
    check_continuation(body, prior)
    directives = _directives(headers, state)
    extra_headers = reply_headers(directives)
    if plan.stub_answer is not None:
        directives = replace(directives, stub=plan.stub_answer)
    turn = build_turn(
        body,
        model=model,
        prior_context=prior,
        ids=state.ids,
        clock=state.clock,
        key=state.compaction_key,
        conversation_id=conversation.id if conversation else None,
        shard=shard_of(conversation.id) if conversation else None,
        directives=directives,
    )
    plan.adjust(turn)
    return PlannedTurn(
        body, turn, plan, conversation.id if conversation else None, extra_headers, prior
    )


def commit_turn(state: MockState, planned: PlannedTurn, *, streaming: bool) -> StoredResponse:
    """Store a planned (foreground) turn; for a stream, with its event plan. The returned record
    holds the whole context and every event (what a caller replies with, or keeps as a
    connection-local continuation); the store keeps the compact form (``response_to_store``)."""
    turn = planned.turn
    obfuscate = _obfuscate(planned.body)
    replanned = plan_events(turn.response, obfuscate=obfuscate) if streaming else []
    events = planned.plan.finish_events(replanned)
    if turn.response["store"]:
        # A resumed stream re-plans the events from the stored response (`retrieve`), which
        # gives these same events unless a fault changed them or obfuscation was turned off:
        # only then are they stored (a stream's events are ten times its response's size).
        replannable = events is replanned and obfuscate
        state.store.put_response(response_to_store(turn, [] if replannable else events))
    if planned.conversation_id is not None:  # after storing: the conversation may point at it
        append_turn(state, planned.conversation_id, turn, planned.prior)
    return StoredResponse(turn.response, turn.input_items, turn.context, events)


async def create(request: Request) -> Response:
    state = mock_state(request)
    body = await read_json_object(request)
    planned = plan_create(state, body, request.headers, turn_plan(request))
    if body.get("background"):
        return _with_headers(
            start_background(request, state, body, planned.turn, planned.conversation_id),
            planned.extra_headers,
        )
    streaming = bool(body.get("stream"))
    committed = commit_turn(state, planned, streaming=streaming)
    plan = planned.plan
    pacing = plan.pacing or state.config.pacing
    cut = journal_finisher(state)
    if streaming:
        return _with_headers(
            stream_reply(list(committed.events), pacing, plan.fault, cut), planned.extra_headers
        )
    if pacing.reply_delay_seconds:
        await asyncio.sleep(pacing.reply_delay_seconds)
    return json_reply(
        committed.response, {**RATE_LIMIT_HEADERS, **planned.extra_headers}, plan.fault, cut
    )


def _with_headers(response: Response, headers: dict[str, str]) -> Response:
    for name, value in headers.items():
        response.headers[name] = value
    return response


def _stored(state: MockState, response_id: str) -> StoredResponse:
    stored = state.store.get_response(response_id)
    if stored is None:
        raise response_not_found(response_id)
    return stored


async def retrieve(request: Request) -> Response:
    state = mock_state(request)
    stored = _stored(state, request.path_params["response_id"])
    check_include(query_list(request, "include"))
    if stored.job is not None:
        return await retrieve_background(request, state, stored)
    starting_after = query_int(request, "starting_after")
    if not query_bool(request, "stream"):
        return json_response(stored.response)
    obfuscate = query_bool(request, "include_obfuscation") is not False
    events = stored.events or plan_events(stored.response, obfuscate=obfuscate)
    return sse_response(list(events_after(events, starting_after)), state.config.pacing)


async def delete(request: Request) -> Response:
    state = mock_state(request)
    response_id = request.path_params["response_id"]
    hand_on_items(state.store, response_id)
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
    check_items_are_objects(body.get("input"))
    if body.get("model") is not None:
        resolve_model(body["model"])
    check_exclusive(body)
    conversation = open_conversation(state, body.get("conversation"))
    prior: Sequence[dict[str, Any]]
    if conversation is not None:
        prior = state.store.conversation_items(conversation.id)
    else:
        prior = prior_context(state, body.get("previous_response_id"))
    if body.get("input") in ("", []) and not any(body.get(k) is not None for k in CONTEXT_SOURCES):
        raise no_input()  # seen on the real endpoint (docs/real-errors.md, section 15)
    verify(body.get("input"), state.compaction_key)
    items = normalize_input(body.get("input"), lambda prefix: prefix)
    counted = window([*prior, *items], state.compaction_key)
    count = count_context_tokens(counted, body.get("instructions"))
    return json_response({"object": "response.input_tokens", "input_tokens": count})


routes = [
    Route("/v1/responses", Endpoint(create), methods=["POST"], name="create"),
    Route("/v1/responses/input_tokens", input_tokens, methods=["POST"]),
    Route("/v1/responses/{response_id}", retrieve, methods=["GET"]),
    Route("/v1/responses/{response_id}", delete, methods=["DELETE"]),
    Route("/v1/responses/{response_id}/input_items", input_items, methods=["GET"]),
]
