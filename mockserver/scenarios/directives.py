"""Per-request instructions to the mock, sent as ``x-mockserver-*`` headers.

The real API ignores unknown headers, so tests that send them run against both targets.

* ``x-mockserver-edge-cases: 1``: answer with Hypothesis-drawn edge-case JSON (``0`` turns a
  server-wide ``edge_cases`` option off for this request).
* ``x-mockserver-seed: <int>``: the seed of that draw (implies edge cases unless the header above
  says ``0``). Every edge-mode reply reports its seed in its own ``x-mockserver-seed`` header.
* ``x-mockserver-refusal: <text>``: answer with a ``refusal`` content part saying ``<text>``
  (``1`` or empty: a stock refusal sentence).
* ``x-mockserver-tool-calls: a,b``: call these tools (``*``: every tool), unless ``tool_choice``
  is ``"none"``, on the first model turn after a user message only (``is_first_model_turn``):
  frameworks send the same headers on every call of their loop, and the turn after the tool
  outputs must be free to answer, or the loop never ends.

Pure: ``from_headers`` takes any header mapping; the route passes Starlette's.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.contract.errors import InvalidRequestError

if TYPE_CHECKING:
    from mockserver.scenarios.stubs.answers import StubAnswer

EDGE_HEADER = "x-mockserver-edge-cases"
SEED_HEADER = "x-mockserver-seed"
REFUSAL_HEADER = "x-mockserver-refusal"
TOOL_CALLS_HEADER = "x-mockserver-tool-calls"

DEFAULT_REFUSAL = "I'm sorry, but I can't help with that request."
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Directives:
    """What the client asked the mock for, beyond the API request itself."""

    edge_cases: bool = False
    # Seed of edge-case draws (always set when `edge_cases` is on).
    seed: int | None = None
    refusal: str | None = None
    # Tool names to call (`("*",)`: all); None: the default rules decide.
    tool_calls: tuple[str, ...] | None = None
    # What a matching stub says the turn outputs (set by the route); None: the default model.
    stub: StubAnswer | None = None


# Items a model turn leaves in the context that a forcing directive must not fire again after.
TOOL_TURN_ITEMS = frozenset(
    {"function_call", "custom_tool_call", "function_call_output", "custom_tool_call_output"}
)


def is_first_model_turn(context: Sequence[Any]) -> bool:
    """Whether a turn is the first model turn after the last user message: no function or
    custom tool call, and no output of one, follows that message. Directives and stubs that
    force a call apply to this turn only (unless a stub says otherwise)."""
    for item in reversed(context):
        if isinstance(item, str):
            return True
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type", "message")
        if kind == "message" and item.get("role", "user") == "user":
            return True
        if kind in TOOL_TURN_ITEMS:
            return False
    return True


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidRequestError(
        f"Invalid '{name}' header: {raw!r}. Send 1 (on) or 0 (off).", code="invalid_mock_header"
    )


def _seed(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise InvalidRequestError(
            f"Invalid '{SEED_HEADER}' header: {raw!r}. Send a whole number from 0 to {MAX_SEED}, "
            "such as the value an earlier reply reported in its own x-mockserver-seed header.",
            code="invalid_mock_header",
        )
    return value


def from_headers(
    headers: Mapping[str, str], *, edge_default: bool = False, seed_default: int | None = None
) -> Directives:
    """Directives from request headers; ``edge_default``/``seed_default`` are server options."""
    edge = edge_default
    if EDGE_HEADER in headers:
        edge = _flag(EDGE_HEADER, headers[EDGE_HEADER])
    seed: int | None = None
    if SEED_HEADER in headers:
        seed = _seed(headers[SEED_HEADER])
        edge = edge or EDGE_HEADER not in headers
    if edge and seed is None:
        seed = seed_default if seed_default is not None else secrets.randbelow(MAX_SEED + 1)
    refusal = headers.get(REFUSAL_HEADER)
    if refusal is not None and refusal.strip().lower() in ("", *_TRUE):
        refusal = DEFAULT_REFUSAL
    tool_calls = None
    if TOOL_CALLS_HEADER in headers:
        names = [n.strip() for n in headers[TOOL_CALLS_HEADER].split(",")]
        tool_calls = tuple(n for n in names if n)
    return Directives(edge_cases=edge, seed=seed, refusal=refusal, tool_calls=tool_calls)


def reply_headers(directives: Directives) -> dict[str, str]:
    """Headers that tell the client how to replay this reply (the edge-case seed)."""
    if directives.edge_cases and directives.seed is not None:
        return {SEED_HEADER: str(directives.seed)}
    return {}
