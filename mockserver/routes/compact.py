"""``POST /v1/responses/compact``: a context -> its compacted window (``response.compaction``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..compaction import compact as compact_context
from ..compaction import verify, window
from ..errors import invalid_type, missing_parameter, no_input
from ..inputs import normalize_input
from ..models import resolve_model
from ..render import RATE_LIMIT_HEADERS, json_response
from ..responses import usage_block
from ..tokens import COMPACTION_ITEM_TOKENS, count_context_tokens
from ..validation import check_schema
from .common import mock_state, read_json_object
from .responses import prior_context


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
