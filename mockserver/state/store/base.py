"""The store interface: a persistent or shared store implements this and nothing else changes.

Three backends implement it (``open_store`` picks one by URL): ``memory.py`` (default, bounded),
``sqlite.py`` (one file, several processes) and ``redis.py`` (replicas on many machines). They pass
one contract test suite (``tests/state/test_store_contract.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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

    def held_items(self) -> Iterator[dict[str, Any]]:
        """Every item this record holds, where ``Store.find_item`` looks: its input items, its
        output, then its context (which may repeat them)."""
        yield from self.input_items
        yield from self.response.get("output") or []
        yield from self.context


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


@dataclass
class ConversationTail:
    """A conversation read without all its items (``Store.conversation_tail``): what a create in
    it needs, in O(the items asked for) whatever its length."""

    # Every field of the StoredConversation but `items`.
    conversation: dict[str, Any]
    pending: list[str]
    tally: list[Any] | None
    last_response: str | None
    # How many items it holds, and the last of them (at most as many as asked for), oldest first.
    length: int
    items: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return self.conversation["id"]


def item_ids(items: Iterable[Any]) -> list[str]:
    """The ids of ``items`` that have one, in order (repeats too: every index ignores them):
    what the item index keys."""
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def item_with_id(items: Iterable[Any], item_id: str) -> dict[str, Any] | None:
    """The first of ``items`` with this id (None when none has it)."""
    for item in items:
        if isinstance(item, dict) and item.get("id") == item_id:
            return item
    return None


# What the real API documents: stored responses are kept 30 days; a background response can be
# polled for about 10 minutes. Conversations and their items are not subject to the 30 days.
RESPONSE_RETENTION_SECONDS = 30 * 24 * 3600.0
BACKGROUND_RETENTION_SECONDS = 600.0


@dataclass(frozen=True)
class Retention:
    """How long a response is kept after it is stored, in seconds (``scale`` multiplies both:
    0.001 keeps stored responses about 43 minutes, background ones 0.6 seconds)."""

    response_seconds: float = RESPONSE_RETENTION_SECONDS
    background_seconds: float = BACKGROUND_RETENTION_SECONDS
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.scale > 0:
            raise ValueError(f"retention scale must be a number > 0, got {self.scale!r}")

    def seconds(self, stored: StoredResponse) -> float:
        """From now (when it is stored); a background job's window opens when it is done."""
        if stored.job is None:
            return self.response_seconds * self.scale
        running = max(0.0, stored.job.done_at - stored.job.created_at)
        return running + self.background_seconds * self.scale


@dataclass(frozen=True)
class StoreTotals:
    """How many live records a store holds (``Store.totals``)."""

    responses: int = 0
    conversations: int = 0
    background: int = 0  # of the responses, those with a background job


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

    # Bounded views for the inspector: O(limit) reads, whatever the store's size. "Newest" is the
    # order records were first stored in (rewriting one keeps its place; one that expired or was
    # evicted and is stored again is new), newest first; expired and evicted records are left out.
    # ``before`` pages on: only records stored before that one ([] when it is not stored).

    def newest_responses(self, limit: int, before: str | None = None) -> list[StoredResponse]: ...

    def newest_background(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        """The newest ``limit`` responses that have a background job."""
        ...

    def newest_conversations(
        self, limit: int, before: str | None = None
    ) -> list[StoredConversation]: ...

    def totals(self) -> StoreTotals:
        """Live counts, kept as records come and go (not counted by reading them all)."""
        ...

    # Lookups by what records hold, through indexes each backend keeps as it stores a record:
    # O(the records found), whatever the store's size. An index entry whose record has since
    # been deleted, evicted, expired or rewritten without it is stale; it is checked against the
    # record (and dropped) when met, so it never yields anything.

    def find_item(self, item_id: str) -> dict[str, Any] | None:
        """The item with this id as a live stored response holds it (``held_items``), else as a
        conversation does; None when no live record holds one (item references' lookup)."""
        ...

    def continuations_of(self, response_id: str) -> list[str]:
        """Ids of the live responses whose ``context_base`` is ``response_id``, a stored response
        (one stored while its base was not stored may be left out: nothing to hand on to it)."""
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

    def append_items(
        self,
        conversation_id: str,
        items: list[dict[str, Any]],
        *,
        after: int | None = None,
        tally: list[Any] | None = None,
        last_response: str | None = None,
    ) -> bool:
        """Append items to a conversation in one atomic step, without rewriting the items it
        holds; False when there is none. With ``after`` (how many items the caller saw before
        these), ``tally`` and ``last_response`` describe the conversation with these items: they
        are stored when it still held exactly ``after`` items, and both are cleared otherwise
        (another writer changed it meanwhile)."""
        ...

    def conversation_tail(self, conversation_id: str, count: int) -> ConversationTail | None:
        """The conversation with its last ``count`` items and its length, without reading the
        rest (O(count)); None when there is none."""
        ...

    def conversation_items(
        self, conversation_id: str, start: int = 0, stop: int | None = None
    ) -> list[dict[str, Any]]:
        """Its items ``[start:stop]`` (as a slice: ``stop`` None for the rest; no negative
        bounds); empty when there is no such conversation."""
        ...

    # Seeding: store only what is not there yet (a restarted worker keeps what others changed).

    def add_response(self, stored: StoredResponse) -> bool: ...

    def add_conversation(self, stored: StoredConversation) -> bool: ...

    # Shared counters and named values (the stubs' call counters and scenario states).

    def count(self, name: str, by: int = 1) -> int:
        """Add ``by`` to the counter ``name`` atomically; return its new value."""
        ...

    def counters(self) -> dict[str, int]: ...

    def set_value(self, name: str, value: str) -> None: ...

    def values(self) -> dict[str, str]: ...

    def clear_counters(self) -> None:
        """Forget the counters and values only."""
        ...

    def clear(self) -> None:
        """Forget everything: responses, conversations, counters and values."""
        ...

    def close(self) -> None: ...
