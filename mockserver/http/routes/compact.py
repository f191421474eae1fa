"""``POST /v1/responses/compact``: a context -> its compacted window (``response.compaction``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.contract.errors import invalid_type, missing_parameter, no_input
from mockserver.contract.inputs import normalize_input
from mockserver.contract.models import resolve_model
from mockserver.contract.validation import check_schema
from mockserver.http.render import RATE_LIMIT_HEADERS, json_response
from mockserver.http.routes.common import mock_state, read_json_object
from mockserver.http.routes.responses import prior_context
from mockserver.model.tokens import COMPACTION_ITEM_TOKENS, count_context_tokens
from mockserver.model.turn import usage_block
from mockserver.state.compaction import compact as compact_context
from mockserver.state.compaction import verify, window


async def compact(request: Request) -> Response:
    state = mock_state(request)
    body = await read_json_object(request)
    if "model" not in body:
        raise missing_parameter("model")
    if body["model"] is None:
        raise invalid_type("model", "a string", "an object")
    check_schema("ResponseCompactParams", body)
    resolve_model(body["model"])
    prior = prior_context(state, body.get("previous_response_id"))
    if body.get("input") in (None, "", []) and not prior:
        raise no_input()
    now = state.clock.now()
    created_at = int(now)
    shard = state.ids.new_shard()

    def new_id(prefix: str) -> str:
        return state.ids.item_id(prefix, shard, created_at)

    key = state.compaction_key
    verify(body.get("input"), key)
    context = [*prior, *normalize_input(body.get("input"), new_id)]
    input_tokens = count_context_tokens(window(context, key), body.get("instructions"))
    output = compact_context(context, key=key, now=now, new_id=new_id)
    # The summary a compaction item stands for is what the compaction pass writes.
    return json_response(
        {
            "id": state.ids.response_id(shard, created_at),
            "object": "response.compaction",
            "created_at": created_at,
            "output": output,
            "usage": usage_block(input_tokens, COMPACTION_ITEM_TOKENS),
        },
        headers=RATE_LIMIT_HEADERS,
    )


routes = [Route("/v1/responses/compact", compact, methods=["POST"])]
