"""A create request's turn with state around it: compaction and conversations (pure core).

``turn.create_turn`` answers a request from a context. This module feeds it the context the
model "reads" when compaction items are involved (``compaction.expand``), counts usage on the
compacted window instead (``compaction.window``), performs server-side compaction
(``context_management``) and echoes ``conversation``. Without any of these it is exactly
``create_turn``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver.contract.errors import (
    InvalidRequestError,
    invalid_type,
    out_of_range,
    unknown_parameter,
)
from mockserver.contract.ids import IdFactory
from mockserver.contract.inputs import normalize_input
from mockserver.contract.models import Model
from mockserver.model.context import TalliedContext
from mockserver.model.tokens import COMPACTION_ITEM_TOKENS, count_context_tokens
from mockserver.model.turn import Turn, create_turn
from mockserver.scenarios.clock import Clock
from mockserver.scenarios.directives import Directives
from mockserver.state.compaction import (
    MADE_BY_RESPONSE,
    expand,
    has_compaction,
    is_compaction,
    make_item,
    verify,
    window,
)
from mockserver.state.conversations import empty_array, with_conversation

# `compact_threshold` bounds (OpenAPI spec: minimum 1000). The real default when it is left out
# is not documented; ours is high enough that only contexts this large compact.
MIN_COMPACT_THRESHOLD = 1000
DEFAULT_COMPACT_THRESHOLD = 100_000
CONTEXT_MANAGEMENT_KEYS = ("type", "compact_threshold")


class PinnedShardIds(IdFactory):
    """An ``IdFactory`` whose ``new_shard`` is fixed: a response in a conversation shares the
    conversation's shard, and items made around ``create_turn`` share the response's."""

    def __init__(self, inner: IdFactory, shard: str) -> None:
        self._inner = inner
        self.shard = shard

    def _hex(self, digits: int) -> str:
        return self._inner._hex(digits)

    def new_shard(self) -> str:
        return self.shard


def check_context_management(value: Any) -> None:
    """What the schema cannot say about ``context_management`` (messages as a third-party parity
    suite measured them on the real API)."""
    if value is None:
        return
    if isinstance(value, list) and not value:
        raise empty_array("context_management")
    for index, entry in enumerate(value if isinstance(value, list) else []):
        if not isinstance(entry, dict):
            continue
        for key in entry:
            if key not in CONTEXT_MANAGEMENT_KEYS:
                raise unknown_parameter(f"context_management[{index}].{key}")
        if entry.get("type") != "compaction":
            raise InvalidRequestError(
                f"Unsupported context_management type: '{entry.get('type')}'.",
                param="context_management",
            )
        threshold = entry.get("compact_threshold")
        param = f"context_management[{index}].compact_threshold"
        if isinstance(threshold, float):
            raise invalid_type(param, "an integer", "a decimal number")
        if isinstance(threshold, int) and threshold < MIN_COMPACT_THRESHOLD:
            raise out_of_range(param, "integer", MIN_COMPACT_THRESHOLD, threshold, above=False)


def compact_threshold(value: Any) -> int | None:
    """The token count at which this request compacts its context; None when it does not ask."""
    for entry in value or []:
        if isinstance(entry, dict) and entry.get("type") == "compaction":
            threshold = entry.get("compact_threshold")
            return threshold if isinstance(threshold, int) else DEFAULT_COMPACT_THRESHOLD
    return None


def _input_list(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    return list(raw)


def _set_usage(response: dict[str, Any], input_tokens: int, extra_output: int = 0) -> None:
    usage = response.get("usage")
    if usage is None:
        return
    usage = dict(usage)
    usage["input_tokens"] = input_tokens
    usage["output_tokens"] = usage["output_tokens"] + extra_output
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    response["usage"] = usage


def _has_compaction(context: Sequence[dict[str, Any]]) -> bool:
    if isinstance(context, TalliedContext):
        return context.tally.compaction
    return has_compaction(context)


def build_turn(
    params: dict[str, Any],
    *,
    model: Model,
    prior_context: Sequence[dict[str, Any]],
    ids: IdFactory,
    clock: Clock,
    key: bytes,
    conversation_id: str | None = None,
    shard: str | None = None,
    directives: Directives | None = None,
) -> Turn:
    """The turn for a validated create request; raises CompactionError (400) for compaction
    content that does not verify."""
    turn_ids = PinnedShardIds(ids, shard or ids.new_shard())
    raw = _input_list(params.get("input"))
    verify(raw, key)
    threshold = compact_threshold(params.get("context_management"))
    if _has_compaction(prior_context) or has_compaction(raw) or threshold is not None:
        turn = _compacting_turn(
            params, raw, model, prior_context, turn_ids, clock, key, threshold, directives
        )
    else:
        turn = create_turn(
            params,
            model=model,
            prior_context=prior_context,
            ids=turn_ids,
            clock=clock,
            directives=directives,
        )
    if conversation_id is not None:
        turn.response = with_conversation(turn.response, conversation_id)
    return turn


def _compacting_turn(
    params: dict[str, Any],
    raw: list[dict[str, Any]],
    model: Model,
    prior_context: Sequence[dict[str, Any]],
    ids: PinnedShardIds,
    clock: Clock,
    key: bytes,
    threshold: int | None,
    directives: Directives | None = None,
) -> Turn:
    # Input up to its last compaction item is expanded into the context the model reads; the
    # rest is the turn's ordinary input.
    split = max((i + 1 for i, item in enumerate(raw) if is_compaction(item)), default=0)
    head, tail = raw[:split], raw[split:]
    head_view = normalize_input(head, lambda prefix: prefix)
    read = expand([*prior_context, *head_view], key)
    turn = create_turn(
        {**params, "input": tail},
        model=model,
        prior_context=read,
        ids=ids,
        clock=clock,
        directives=directives,
    )
    created_at = turn.response["created_at"]

    def new_id(prefix: str) -> str:
        return ids.item_id(prefix, ids.shard, created_at)

    input_items = [*normalize_input(head, new_id), *turn.input_items]
    compacted = [*prior_context, *input_items]
    input_tokens = count_context_tokens(window(compacted, key), params.get("instructions"))
    output = list(turn.response["output"])
    response = dict(turn.response)
    if threshold is not None and input_tokens >= threshold:
        everything_read = turn.context[: len(turn.context) - len(output)]
        item = make_item(
            everything_read,
            key=key,
            now=clock.now(),
            item_id=new_id("cmp"),
            made_by=MADE_BY_RESPONSE,
        )
        # The compaction item leads the output; what follows it is all a later turn reads.
        response["output"] = [item, *output]
        _set_usage(response, input_tokens, COMPACTION_ITEM_TOKENS)
        return Turn(response=response, input_items=input_items, context=[item, *output])
    _set_usage(response, input_tokens)
    return Turn(response=response, input_items=input_items, context=[*compacted, *output])
