"""Does a request meet a stub's conditions? Pure functions over a ``RequestView``.

``unmet(conditions, view)`` lists every condition the request misses, in words; an empty list is
a match. The same words explain, in strict mode, why the nearest stubs did not answer.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mockserver.contract.inputs import item_text, last_user_text
from mockserver.scenarios.directives import is_first_model_turn
from mockserver.scenarios.stubs.model import Conditions, TextMatch

SNIPPET = 60


@dataclass
class RequestView:
    """What matching looks at: the request line, headers (lower-case names), JSON body, and the
    conversation it continues (``context``: earlier turns plus this request's input items)."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    context: Sequence[Any] = ()
    input_items: Sequence[Any] = ()

    @property
    def streaming(self) -> bool:
        return bool((self.body or {}).get("stream"))

    @functools.cached_property
    def last_user(self) -> str:
        return last_user_text(list(self.context))

    @functools.cached_property
    def whole_context(self) -> str:
        instructions = (self.body or {}).get("instructions")
        texts = [instructions] if isinstance(instructions, str) else []
        return "\n".join([*texts, *(item_text(item) for item in self.context)])

    @functools.cached_property
    def tool_names(self) -> frozenset[str]:
        names: set[str] = set()
        for tool in (self.body or {}).get("tools") or []:
            if isinstance(tool, Mapping):
                names.update(
                    str(tool[key]) for key in ("type", "name", "server_label") if key in tool
                )
        return frozenset(names)


def subset(expected: Any, actual: Any) -> bool:
    """``expected`` is contained in ``actual``: mappings key by key, anything else equal."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and subset(value, actual[key]) for key, value in expected.items()
        )
    return expected == actual


def path_matches(pattern: str, path: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern) if "*" in pattern else pattern == path


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


def _text_problem(what: str, match: TextMatch, text: str) -> str | None:
    if match.test(text):
        return None
    return f"{what} is {_snippet(text)!r}, wanted it to {match.describe()}"


def unmet(conditions: Conditions, view: RequestView) -> list[str]:
    """Every condition (except call number and scenario state) the request does not meet."""
    problems: list[str] = []
    if conditions.method != view.method or not path_matches(conditions.path, view.path):
        problems.append(
            f"request is {view.method} {view.path}, not {conditions.method} {conditions.path}"
        )
        return problems
    body = view.body or {}
    if conditions.model is not None:
        problem = _text_problem("model", conditions.model, str(body.get("model", "")))
        if problem:
            problems.append(problem)
    if conditions.input is not None:
        if conditions.input.scope == "context":
            problem = _text_problem("the context", conditions.input, view.whole_context)
        else:
            problem = _text_problem("the last user message", conditions.input, view.last_user)
        if problem:
            problems.append(problem)
    present = {
        item.get("type", "message") for item in view.input_items if isinstance(item, Mapping)
    }
    for wanted in conditions.input_types:
        if wanted not in present:
            problems.append(f"input has no {wanted!r} item")
    for tool in conditions.tools:
        if tool not in view.tool_names:
            problems.append(f"tools has no {tool!r}")
    if conditions.tool_choice is not None:
        actual = body.get("tool_choice") or "auto"
        if not subset(conditions.tool_choice, actual):
            problems.append(f"tool_choice is {actual!r}, not {conditions.tool_choice!r}")
    if conditions.metadata is not None and not subset(
        conditions.metadata, body.get("metadata") or {}
    ):
        problems.append(
            f"metadata {body.get('metadata') or {}!r} lacks {dict(conditions.metadata)!r}"
        )
    for name, match in conditions.headers.items():
        if name not in view.headers:
            problems.append(f"header {name!r} is missing")
        else:
            problem = _text_problem(f"header {name!r}", match, view.headers[name])
            if problem:
                problems.append(problem)
    if conditions.body is not None and not subset(conditions.body, body):
        problems.append(f"body does not contain {dict(conditions.body)!r}")
    if conditions.turn == "first" and not is_first_model_turn(view.context):
        problems.append(
            "request follows tool calls of this user turn, and this stub (a tool call) answers "
            "only the first model turn after a user message; add match.turn: any to answer "
            "later turns too"
        )
    if conditions.stream is not None and conditions.stream != view.streaming:
        problems.append("request streams" if view.streaming else "request does not stream")
    return problems
