"""What every built-in tool family shares: the turn context, citations, helpers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SNIPPET_CHARS = 100


@dataclass
class ToolContext:
    """What a tool call is made from: the request, the question, ids, a deterministic seed."""

    params: Mapping[str, Any]
    question: str
    context: Sequence[Any]
    new_item_id: Callable[[str], str]
    seed: str

    @property
    def include(self) -> frozenset[str]:
        return frozenset(self.params.get("include") or [])

    def snippet(self, limit: int = SNIPPET_CHARS) -> str:
        return " ".join(self.question.split())[:limit]

    def digest(self, *parts: str) -> str:
        return hashlib.sha256("\x00".join([self.seed, *parts]).encode()).hexdigest()


@dataclass
class Citation:
    """An annotation the final message gets: ``url_citation`` (a markdown link is appended to
    the text and annotated, as the real API writes them) or ``file_citation`` (at the end of the
    last sentence)."""

    type: str
    fields: dict[str, Any]
    link_text: str | None = None


@dataclass
class ToolResult:
    """Items one tool adds to a turn."""

    listings: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    # The turn ends after the calls (an MCP approval request waits for the client).
    stop: bool = False


def mentions(question: str, words: Sequence[str]) -> bool:
    """Whether the question names one of ``words`` (whole words, any case)."""
    lowered = question.casefold()
    return any(re.search(rf"\b{re.escape(word.casefold())}\b", lowered) for word in words)


def slug(text: str, words: int = 6) -> str:
    parts = re.findall(r"[a-z0-9]+", text.casefold())[:words]
    return "-".join(parts) or "result"


def base62(digest: str, length: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int(digest, 16)
    out = []
    for _ in range(length):
        number, rest = divmod(number, 62)
        out.append(alphabet[rest])
    return "".join(out)
