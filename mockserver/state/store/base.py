"""The store interface: a persistent or shared store implements this and nothing else changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mockserver.state.lifecycle import BackgroundJob


@dataclass
class StoredResponse:
    response: dict[str, Any]
    input_items: list[dict[str, Any]]
    # The whole chain a `previous_response_id` continues from (inputs and outputs, in order).
    context: list[dict[str, Any]] = field(default_factory=list)
    # The SSE events of this response, for `GET /responses/{id}?stream=true&starting_after=N`.
    events: list[dict[str, Any]] = field(default_factory=list)
    # A background response's `lifecycle.BackgroundJob` (timeline, outcome, cancellation); `None`
    # for an ordinary response. `response` then holds the *final* response; what a client sees at
    # a given moment is `lifecycle.view(response, job, now)`.
    job: BackgroundJob | None = None
    # The conversation a background response appends its items to once it finishes.
    conversation_id: str | None = None
    # When set, `context` holds only this response's own items and the whole chain is the context
    # of the stored response `context_base` followed by them (`turn_context.stored_context`): a
    # turn stores O(its own items), not its history again.
    context_base: str | None = None
    # `model.context.ContextTally.to_json()` of the whole chain (None: not known, counted on use).
    tally: list[Any] | None = None
    # True: `context` is kept empty, as this response's own items are exactly `input_items`
    # followed by `response["output"]` (`turn_context.own_items`), so they are not stored twice.
    context_derived: bool = False

    @property
    def id(self) -> str:
        return self.response["id"]


@dataclass
class StoredConversation:
    # The Conversation object as the API returns it: id, object, created_at, metadata.
    conversation: dict[str, Any]
    # Its items, oldest first.
    items: list[dict[str, Any]] = field(default_factory=list)
    # Background responses whose items are appended when they finish (response ids, in order).
    pending: list[str] = field(default_factory=list)
    # `model.context.ContextTally.to_json()` of `items`, kept by `POST /responses` as it appends
    # a turn; any other change to `items` sets it to None (it is then counted on the next use).
    tally: list[Any] | None = None
    # The stored response whose whole context `items` are (the last turn's), so that the next
    # turn's response stores only its own items; None as soon as anything else changes `items`.
    last_response: str | None = None

    @property
    def id(self) -> str:
        return self.conversation["id"]


class Store(Protocol):
    def put_response(self, stored: StoredResponse) -> None: ...

    def get_response(self, response_id: str) -> StoredResponse | None: ...

    def delete_response(self, response_id: str) -> bool:
        """Remove a response; False when there was none."""
        ...

    def list_responses(self) -> list[StoredResponse]: ...

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        """Replace a response by ``change(current)`` atomically; None when there is none."""
        ...

    # Conversations. Every method is atomic; readers get copies they may keep.

    def put_conversation(self, stored: StoredConversation) -> None: ...

    def get_conversation(self, conversation_id: str) -> StoredConversation | None: ...

    def list_conversations(self) -> list[StoredConversation]: ...

    def delete_conversation(self, conversation_id: str) -> bool: ...

    def update_conversation(
        self, conversation_id: str, change: Callable[[StoredConversation], None]
    ) -> StoredConversation | None:
        """Run ``change`` on the stored conversation under the store's lock (it may mutate it);
        return a copy of the result, or None when there is no such conversation."""
        ...

    def clear(self) -> None: ...
