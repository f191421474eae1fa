"""What a create continues from, read from the store in O(the last turn), and stored likewise.

A response made by continuing another stores only its own items (``StoredResponse.context``) with
``context_base`` naming the response it continued, plus the tally of the whole chain
(``model.context.ContextTally``). ``chain_context`` hands the next turn a ``TalliedContext``:
the previous response's own items in memory, the rest of the chain loaded only if a reader goes
back that far. A conversation keeps its tally next to its items likewise, and a turn reads only
its last items (``Store.conversation_tail``) and appends its own (``Store.append_items``).

Responses that are background jobs (their chain depends on the time), seeded, replayed or made by
compaction store their whole context, as before, and no base.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mockserver.contract.context_checks import check_turn_context
from mockserver.contract.errors import InvalidRequestError
from mockserver.model.context import ContextTally, TalliedContext, tally_of
from mockserver.model.turn import Turn
from mockserver.state.lifecycle import context_at
from mockserver.state.store import ConversationTail, Store, StoredConversation, StoredResponse

# How many of a conversation's last items a turn keeps at hand (the rest is read on demand).
CONVERSATION_TAIL = 8


def own_items(stored: StoredResponse) -> list[dict[str, Any]]:
    """``stored.context`` as it was made (rebuilt when the store left it implied)."""
    if stored.context_derived:
        return [*stored.input_items, *stored.response.get("output", [])]
    return stored.context


def stored_context(store: Store, stored: StoredResponse) -> list[dict[str, Any]]:
    """The whole chain a ``previous_response_id`` to ``stored`` continues from (O(history))."""
    segments = [own_items(stored)]
    base = stored.context_base
    while base is not None:
        earlier = store.get_response(base)
        if earlier is None:  # cannot happen: deleting a base first hands its items on
            break
        segments.append(own_items(earlier))
        base = earlier.context_base
    return [item for segment in reversed(segments) for item in segment]


def _tally(stored_tally: list[Any] | None, items: Sequence[Any]) -> ContextTally:
    if stored_tally is not None:
        return ContextTally.from_json(stored_tally)
    return tally_of(items)


def chain_context(store: Store, stored: StoredResponse, now: float) -> Sequence[dict[str, Any]]:
    """What a create with ``previous_response_id`` = ``stored`` continues from."""
    if stored.job is not None:
        # A background response's chain depends on the time: a plain list, stored whole.
        return context_at(stored_context(store, stored), stored.response, stored.job, now)
    base = stored.context_base
    own = own_items(stored)
    if base is None:
        tally = _tally(stored.tally, own)
        return TalliedContext(own, tally).anchored(stored.id)

    def load_head() -> list[dict[str, Any]]:
        earlier = store.get_response(base)
        return stored_context(store, earlier) if earlier is not None else []

    if stored.tally is None:
        whole = stored_context(store, stored)
        return TalliedContext(whole, tally_of(whole)).anchored(stored.id)
    tally = ContextTally.from_json(stored.tally)
    return TalliedContext(own, tally, load_head).anchored(stored.id)


def conversation_context(store: Store, conversation: ConversationTail) -> TalliedContext:
    """A conversation's items as the context of its next turn, from its last items and its stored
    tally; the earlier items are read only if someone reads that far back. The tally counts only
    while it covers every item: items appended by another writer (``Store.append_items`` without
    a tally, from any replica) leave it behind, and then all items are read and counted again."""
    stored = conversation.tally
    tally = ContextTally.from_json(stored) if stored is not None else None
    if tally is None or tally.length != conversation.length:
        items = store.conversation_items(conversation.id)
        split = max(0, len(items) - CONVERSATION_TAIL)
        return TalliedContext(items[split:], tally_of(items), lambda: items[:split])
    split = conversation.length - len(conversation.items)
    context = TalliedContext(
        conversation.items,
        tally,
        lambda: store.conversation_items(conversation.id, 0, split),
    )
    if conversation.last_response is not None:
        context.anchored(conversation.last_response)
    return context


def appended_tally(prior: Sequence[Any], items: Sequence[Any]) -> list[Any] | None:
    """The conversation tally after ``items`` join the context ``prior`` (None: not known)."""
    if not isinstance(prior, TalliedContext):
        return None
    return prior.tally.extend(items).to_json()


def anchors_conversation(turn: Turn) -> bool:
    """Whether the stored response of ``turn`` has as its whole context the conversation's items
    after the turn (not so after compaction, whose response continues from a summary)."""
    return isinstance(turn.context, TalliedContext) and bool(turn.response.get("store", True))


def response_to_store(turn: Turn, events: list[dict[str, Any]]) -> StoredResponse:
    """A finished turn as the store keeps it: its own items and a base when it continues one."""
    context = turn.context
    segment = context.segment() if isinstance(context, TalliedContext) else list(context)
    own = [*turn.input_items, *turn.response["output"]]
    derived = len(segment) == len(own) and all(a is b for a, b in zip(segment, own, strict=True))
    return StoredResponse(
        turn.response,
        turn.input_items,
        [] if derived else segment,
        events,
        context_base=context.base if isinstance(context, TalliedContext) else None,
        tally=context.tally.to_json() if isinstance(context, TalliedContext) else None,
        context_derived=derived,
    )


def check_continuation(params: dict[str, Any], prior: Sequence[Any]) -> None:
    """``check_turn_context`` without reading a whole tallied history: first against the calls
    still open (and a stand-in for "some message says json"), which decides ordinary turns; only
    when that finds fault is the whole context read, so the error is exactly the real one."""
    if not isinstance(prior, TalliedContext) or prior.tally.compaction:
        check_turn_context(params, prior)
        return
    tally = prior.tally
    reduced: list[dict[str, Any]] = [{"type": t, "call_id": c} for t, c in tally.open_calls]
    if tally.json_word:
        reduced.append({"type": "message", "role": "user", "content": "json"})
    try:
        check_turn_context(params, reduced)
    except InvalidRequestError:
        check_turn_context(params, prior)


def conversation_of(stored: StoredResponse) -> str | None:
    """The conversation a stored response's turn was in (None when it was in none)."""
    conversation = stored.response.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("id"), str):
        return conversation["id"]
    return stored.conversation_id


def hand_on_items(store: Store, response_id: str) -> None:
    """Before ``response_id`` is deleted: responses that continue it get its items, so their
    chains stay whole, and a conversation whose last turn it was stops pointing at it. O(the
    responses continuing it): they come from the store's index (``Store.continuations_of``),
    and only the response's own conversation can point at it (``last_response`` is set only by
    a turn in that conversation, to that turn's response)."""
    deleted = store.get_response(response_id)
    if deleted is None:
        return
    conversation_id = conversation_of(deleted)
    if conversation_id is not None:

        def forget(stored: StoredConversation) -> None:
            if stored.last_response == response_id:
                stored.last_response = None

        store.update_conversation(conversation_id, forget)
    for continuing in store.continuations_of(response_id):

        def merge(current: StoredResponse, deleted: StoredResponse = deleted) -> StoredResponse:
            if current.context_base != response_id:  # handed on meanwhile
                return current
            current.context = [*own_items(deleted), *own_items(current)]
            current.context_base = deleted.context_base
            current.context_derived = False
            return current

        store.update_response(continuing, merge)
