"""The context a turn reads, kept incrementally so that a turn costs O(its own items).

A long agent session continues a chain of hundreds of turns. Everything a turn needs from the
whole history is an aggregate that can be carried forward item by item (``ContextTally``):

- ``tokens``: the input tokens of the items (``tokens.count_context_tokens`` without the request
  overhead and instructions);
- ``digest``: a rolling SHA-256 over the items' text, from which ``synthesis.context_digest``
  derives the deterministic answer (``fold`` is the one definition, used both incrementally and
  over a whole list, so both give the same digest);
- ``open_calls``: tool calls that have no output yet (the real API rejects a turn that leaves
  one unanswered); ``json_word``: some message says "json" (JSON mode needs it);
  ``compaction``: some item is a compaction item; ``mcp_listed``: the MCP servers whose tools a
  ``mcp_list_tools`` item listed; ``mcp_approvals``: some item answers an MCP approval request.

``TalliedContext`` is a read-only sequence of context items that carries the tally of all of them:
the last items (``tail``) in memory and the rest loaded only when someone reads that far back
(walking a stored chain is O(history); reading the last user message or the last tool outputs is
not). ``extended`` appends items in O(their size).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from mockserver.contract.inputs import item_text
from mockserver.contract.text_format import _JSON_WORD
from mockserver.contract.tool_rules import CALL_OUTPUTS
from mockserver.model.tokens import (
    COMPACTION_ITEM_TOKENS,
    MESSAGE_OVERHEAD,
    REQUEST_OVERHEAD,
    count_context_tokens,
    count_text_tokens,
)

ROOT_DIGEST = hashlib.sha256(b"mockserver context").hexdigest()
_CALL_OF_OUTPUT = {output: call for call, output in CALL_OUTPUTS.items()}


def item_tokens(item: Any) -> int:
    """What one context item costs (``count_context_tokens`` is the sum of these plus overheads)."""
    if isinstance(item, dict) and item.get("type") == "compaction":
        return COMPACTION_ITEM_TOKENS
    return MESSAGE_OVERHEAD + count_text_tokens(item_text(item))


def fold(digest: str, items: Iterable[Any]) -> str:
    """The rolling digest after ``items``: each step hashes the previous digest and one text."""
    for item in items:
        digest = hashlib.sha256(f"{digest}\x00{item_text(item)}".encode()).hexdigest()
    return digest


def _is_message(item: Any) -> bool:
    return isinstance(item, str) or (
        isinstance(item, dict) and item.get("type", "message") == "message"
    )


@dataclass(frozen=True)
class ContextTally:
    """Aggregates of a whole context; ``extend`` carries them over new items."""

    length: int = 0
    tokens: int = 0
    digest: str = ROOT_DIGEST
    open_calls: tuple[tuple[str, str], ...] = ()
    json_word: bool = False
    compaction: bool = False
    mcp_listed: tuple[str, ...] = ()
    mcp_approvals: bool = False

    def extend(self, items: Sequence[Any]) -> ContextTally:
        if not items:
            return self
        tokens = self.tokens
        json_word = self.json_word
        compaction = self.compaction
        mcp_listed = list(self.mcp_listed)
        mcp_approvals = self.mcp_approvals
        calls = list(self.open_calls)
        answered: set[tuple[str, str]] = set()
        for item in items:
            tokens += item_tokens(item)
            if not json_word and _is_message(item) and _JSON_WORD.search(item_text(item)):
                json_word = True
            if not isinstance(item, dict):
                continue
            kind = item.get("type")
            if kind == "compaction":
                compaction = True
            elif kind in CALL_OUTPUTS:
                calls.append((kind, item.get("call_id")))
            elif kind in _CALL_OF_OUTPUT:
                answered.add((_CALL_OF_OUTPUT[kind], item.get("call_id")))
            elif kind == "mcp_list_tools" and item.get("server_label") not in mcp_listed:
                mcp_listed.append(item.get("server_label"))
            elif kind == "mcp_approval_response":
                mcp_approvals = True
        # Outputs answer calls anywhere in the context (the real check compares sets).
        open_calls = tuple(c for c in calls if c not in answered) if answered else tuple(calls)
        return ContextTally(
            length=self.length + len(items),
            tokens=tokens,
            digest=fold(self.digest, items),
            open_calls=open_calls,
            json_word=json_word,
            compaction=compaction,
            mcp_listed=tuple(mcp_listed),
            mcp_approvals=mcp_approvals,
        )

    def input_tokens(self, instructions: str | None) -> int:
        """``count_context_tokens`` of the context this tallies."""
        total = REQUEST_OVERHEAD + self.tokens
        if instructions:
            total += MESSAGE_OVERHEAD + count_text_tokens(instructions)
        return total

    def to_json(self) -> list[Any]:
        """A JSON-able form for the stores (``from_json`` reads it back)."""
        calls = [list(c) for c in self.open_calls]
        return [
            self.length,
            self.tokens,
            self.digest,
            calls,
            self.json_word,
            self.compaction,
            list(self.mcp_listed),
            self.mcp_approvals,
        ]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> ContextTally:
        length, tokens, digest, calls, json_word, compaction, listed, approvals = data
        return cls(
            length,
            tokens,
            digest,
            tuple((str(t), c) for t, c in calls),
            bool(json_word),
            bool(compaction),
            tuple(listed),
            bool(approvals),
        )


def tally_of(context: Sequence[Any]) -> ContextTally:
    """The tally of any context: carried by a ``TalliedContext``, else counted (O(n))."""
    if isinstance(context, TalliedContext):
        return context.tally
    return ContextTally().extend(list(context))


class TalliedContext(Sequence[Any]):
    """Context items with their tally; the items before ``tail`` are loaded on first need."""

    def __init__(
        self,
        tail: Sequence[Any],
        tally: ContextTally,
        load_head: Callable[[], Sequence[Any]] | None = None,
    ) -> None:
        self.tail = list(tail)
        self.tally = tally
        self._head_length = tally.length - len(self.tail)
        if self._head_length < 0:
            raise ValueError("a context's tally counts fewer items than its tail holds")
        self._load_head = load_head
        self._head: list[Any] | None = [] if self._head_length == 0 else None
        # The stored response whose whole context is this context's first `base_length` items
        # (None: no such response); what comes after it is what a new response stores.
        self.base: str | None = None
        self.base_length = 0

    def anchored(self, base: str) -> TalliedContext:
        """This context, marked as the whole context of the stored response ``base``."""
        self.base, self.base_length = base, len(self)
        return self

    def segment(self) -> list[Any]:
        """The items after ``base``'s context (all of them when there is no base)."""
        if self.base is None:
            return list(self)
        return self.tail[self.base_length - self._head_length :]

    @property
    def head(self) -> list[Any]:
        if self._head is None:
            if self._load_head is None:
                raise LookupError("this context's earlier items are not available")
            self._head = list(self._load_head())
        return self._head

    def extended(self, items: Sequence[Any]) -> TalliedContext:
        """This context followed by ``items`` (they are tallied; nothing earlier is read)."""
        extended = TalliedContext([*self.tail, *items], self.tally.extend(items))
        extended._load_head, extended._head = self._load_head, self._head
        extended._head_length = self._head_length
        extended.base, extended.base_length = self.base, self.base_length
        return extended

    def __len__(self) -> int:
        return self.tally.length

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("context index out of range")
        if index >= self._head_length:
            return self.tail[index - self._head_length]
        return self.head[index]

    def __iter__(self) -> Iterator[Any]:
        yield from self.head
        yield from self.tail

    def __reversed__(self) -> Iterator[Any]:
        yield from reversed(self.tail)
        yield from reversed(self.head)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TalliedContext(length={len(self)}, tail={self.tail!r})"


def extend_context(context: Sequence[Any], items: Sequence[Any]) -> Sequence[Any]:
    """``[*context, *items]``, in O(len(items)) when ``context`` is tallied."""
    if isinstance(context, TalliedContext):
        return context.extended(items)
    return [*context, *items]


def context_tokens(context: Sequence[Any], instructions: str | None) -> int:
    """``count_context_tokens``, from the tally when the context carries one."""
    if isinstance(context, TalliedContext):
        return context.tally.input_tokens(instructions)
    return count_context_tokens(context, instructions)


def rolled_digest(context: Sequence[Any]) -> str:
    """``fold`` over the whole context, from the tally when the context carries one."""
    if isinstance(context, TalliedContext):
        return context.tally.digest
    return fold(ROOT_DIGEST, context)
