"""Stub rules: what they look like, and parsing with errors that name the file, rule and problem.

A stub is ``{"name", "priority", "times", "match": {...}, "answer": {...}, "set_state"}``; every
key but ``answer`` is optional. The same shape comes from files, the admin API and the Python API
(see ``docs/stubs-faults-tools.md``). Parsing happens when a stub is added, so a bad rule is
reported at load time, never in the middle of a test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from mockserver.contract.errors import ConfigurationError, join_choices
from mockserver.scenarios.faults import Fault
from mockserver.scenarios.stubs.answers import ANSWER_KEYS, StubAnswer, parse_answer
from mockserver.scenarios.stubs.parsing import (
    Where,
    as_int,
    as_mapping,
    as_str,
    as_str_list,
    check_keys,
)

CREATE_METHOD = "POST"
CREATE_PATH = "/v1/responses"
INITIAL_STATE = "start"
DEFAULT_SCENARIO = "default"

STUB_KEYS = ("name", "priority", "times", "match", "answer", "set_state")
MATCH_KEYS = (
    "method",
    "path",
    "model",
    "input",
    "input_types",
    "tools",
    "tool_choice",
    "metadata",
    "headers",
    "body",
    "stream",
    "call",
    "scenario",
    "state",
    "turn",
)
# `match.turn`: which model turns of a user turn the stub answers (see `answer_turn`).
TURNS = ("first", "any")
CALL_ITEMS = ("function_call", "custom_tool_call")
OUTPUT_ITEMS = ("function_call_output", "custom_tool_call_output")
TEXT_MATCH_KEYS = ("contains", "equals", "regex", "ignore_case", "scope")
INPUT_SCOPES = ("last_user", "context")


@dataclass(frozen=True)
class TextMatch:
    contains: str | None = None
    equals: str | None = None
    regex: re.Pattern[str] | None = None
    ignore_case: bool = False
    scope: str = "last_user"

    def test(self, text: str) -> bool:
        folded = text.casefold() if self.ignore_case else text
        if self.contains is not None:
            needle = self.contains.casefold() if self.ignore_case else self.contains
            if needle not in folded:
                return False
        if self.equals is not None:
            wanted = self.equals.casefold() if self.ignore_case else self.equals
            if folded != wanted:
                return False
        return self.regex is None or self.regex.search(text) is not None

    def describe(self) -> str:
        parts = []
        if self.contains is not None:
            parts.append(f"contain {self.contains!r}")
        if self.equals is not None:
            parts.append(f"equal {self.equals!r}")
        if self.regex is not None:
            parts.append(f"match /{self.regex.pattern}/")
        text = " and ".join(parts)
        return text + " (ignoring case)" if self.ignore_case else text


@dataclass(frozen=True)
class Conditions:
    method: str = CREATE_METHOD
    path: str = CREATE_PATH
    model: TextMatch | None = None
    input: TextMatch | None = None
    input_types: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    tool_choice: Any = None
    metadata: Mapping[str, Any] | None = None
    headers: Mapping[str, TextMatch] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    stream: bool | None = None
    call: frozenset[int] | None = None
    scenario: str = DEFAULT_SCENARIO
    state: str | None = None
    # "first": only the first model turn after a user message; "any": every turn.
    turn: str = "any"

    @property
    def targets_create(self) -> bool:
        return self.method == CREATE_METHOD and self.path == CREATE_PATH

    @property
    def specificity(self) -> int:
        """How many conditions the rule sets (a specific rule beats a catch-all on ties)."""
        count = sum(
            value is not None
            for value in (
                self.model,
                self.input,
                self.tool_choice,
                self.metadata,
                self.body,
                self.stream,
                self.call,
                self.state,
            )
        )
        return count + len(self.input_types) + len(self.tools) + len(self.headers)


@dataclass(frozen=True)
class Stub:
    name: str
    source: str
    conditions: Conditions
    answer: StubAnswer
    priority: int = 0
    times: int | None = None
    set_state: str | None = None
    # The rule as written, for listings.
    definition: Mapping[str, Any] = field(default_factory=dict)


def parse_stub(data: Any, *, source: str, index: int) -> Stub:
    """A validated stub, or a ConfigurationError naming the source, the rule and the problem."""
    name = data.get("name") if isinstance(data, Mapping) else None
    where = Where(source, index, name if isinstance(name, str) else None)
    if not isinstance(data, Mapping):
        raise where.error("", f"a stub must be a mapping, got {type(data).__name__}")
    check_keys(where, "", data, STUB_KEYS)
    if "answer" not in data:
        raise where.error("", "missing 'answer' (what the stub replies: text, output, error, ...)")
    if name is not None and not isinstance(name, str):
        raise where.error("name", f"expected a string, got {type(name).__name__}")
    priority = as_int(where, "priority", data.get("priority", 0))
    times = data.get("times")
    if times is not None and as_int(where, "times", times) < 1:
        raise where.error("times", f"must be at least 1 (1 = one-shot), got {times}")
    set_state = data.get("set_state")
    if set_state is not None and not isinstance(set_state, str):
        raise where.error("set_state", f"expected a string, got {type(set_state).__name__}")
    conditions = _conditions(where, data.get("match") or {})
    answer = parse_answer(where, data["answer"], conditions)
    if "turn" not in (data.get("match") or {}):
        conditions = replace(conditions, turn=answer_turn(conditions, answer))
    return Stub(
        name=name or f"{source}#{index}",
        source=source,
        conditions=conditions,
        answer=answer,
        priority=priority,
        times=times,
        set_state=set_state,
        definition=dict(data),
    )


def answer_turn(conditions: Conditions, answer: StubAnswer) -> str:
    """The default ``match.turn``: a stub that answers with a function or custom tool call
    answers only the first model turn after a user message (``"first"``), so that the turn after
    the tool outputs gets an answer and an agent's loop ends, as with a real model; unless it
    asks for tool outputs in ``input_types``. Every other stub answers any turn (``"any"``)."""
    items = list(answer.output or ())
    if answer.response is not None:
        items += list(answer.response.get("output") or [])
    calls = any(item.get("type") in CALL_ITEMS for item in items)
    wants_outputs = any(t in OUTPUT_ITEMS for t in conditions.input_types)
    return "first" if calls and not wants_outputs else "any"


def _text_match(where: Where, path: str, value: Any, default: str) -> TextMatch:
    """A string (``default``: contains or equals) or ``{contains, equals, regex, ...}``."""
    if isinstance(value, str):
        return TextMatch(**{default: value})
    spec = as_mapping(where, path, value)
    check_keys(where, path, spec, TEXT_MATCH_KEYS)
    if not any(k in spec for k in ("contains", "equals", "regex")):
        raise where.error(path, "needs at least one of 'contains', 'equals' or 'regex'")
    scope = spec.get("scope", "last_user")
    if scope not in INPUT_SCOPES:
        raise where.error(
            f"{path}.scope", f"{scope!r} is not one of {join_choices(list(INPUT_SCOPES))}"
        )
    ignore_case = spec.get("ignore_case", False)
    if not isinstance(ignore_case, bool):
        raise where.error(f"{path}.ignore_case", "expected true or false")
    regex = None
    if "regex" in spec:
        pattern = as_str(where, f"{path}.regex", spec["regex"])
        try:
            regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise where.error(
                f"{path}.regex", f"invalid regular expression {pattern!r}: {exc}"
            ) from None
    return TextMatch(
        contains=as_str(where, f"{path}.contains", spec["contains"])
        if "contains" in spec
        else None,
        equals=as_str(where, f"{path}.equals", spec["equals"]) if "equals" in spec else None,
        regex=regex,
        ignore_case=ignore_case,
        scope=scope,
    )


def _conditions(where: Where, raw: Any) -> Conditions:
    spec = as_mapping(where, "match", raw)
    check_keys(where, "match", spec, MATCH_KEYS)
    fields: dict[str, Any] = {}
    if "method" in spec:
        fields["method"] = as_str(where, "match.method", spec["method"]).upper()
    if "path" in spec:
        path = as_str(where, "match.path", spec["path"])
        if not path.startswith("/v1/"):
            raise where.error(
                "match.path", f"{path!r} is not an API path; stubs answer /v1/... requests"
            )
        fields["path"] = path
    if "model" in spec:
        fields["model"] = _text_match(where, "match.model", spec["model"], "equals")
    if "input" in spec:
        fields["input"] = _text_match(where, "match.input", spec["input"], "contains")
    if "input_types" in spec:
        fields["input_types"] = as_str_list(where, "match.input_types", spec["input_types"])
    if "tools" in spec:
        fields["tools"] = as_str_list(where, "match.tools", spec["tools"])
    if "tool_choice" in spec:
        choice = spec["tool_choice"]
        if not isinstance(choice, str | Mapping):
            raise where.error("match.tool_choice", "expected a string or a mapping")
        fields["tool_choice"] = choice
    if "metadata" in spec:
        fields["metadata"] = dict(as_mapping(where, "match.metadata", spec["metadata"]))
    if "headers" in spec:
        headers = as_mapping(where, "match.headers", spec["headers"])
        fields["headers"] = {
            str(k).lower(): _text_match(where, f"match.headers.{k}", v, "equals")
            for k, v in headers.items()
        }
    if "body" in spec:
        fields["body"] = dict(as_mapping(where, "match.body", spec["body"]))
    if "stream" in spec:
        if not isinstance(spec["stream"], bool):
            raise where.error("match.stream", "expected true or false")
        fields["stream"] = spec["stream"]
    if "call" in spec:
        calls = spec["call"] if isinstance(spec["call"], list) else [spec["call"]]
        numbers = [as_int(where, "match.call", c) for c in calls]
        if not numbers or min(numbers) < 1:
            raise where.error(
                "match.call", "call numbers count from 1 (1 = first matching request)"
            )
        fields["call"] = frozenset(numbers)
    if "scenario" in spec:
        fields["scenario"] = as_str(where, "match.scenario", spec["scenario"])
    if "state" in spec:
        fields["state"] = as_str(where, "match.state", spec["state"])
    if "turn" in spec:
        turn = spec["turn"]
        if turn not in TURNS:
            raise where.error("match.turn", f"{turn!r} is not one of {join_choices(list(TURNS))}")
        fields["turn"] = turn
    return Conditions(**fields)


def stub_definition(
    match: Mapping[str, Any] | None = None,
    answer: Any = None,
    **fields: Any,
) -> dict[str, Any]:
    """A stub mapping from Python keywords: rule keys (``name``, ``priority``, ``times``,
    ``set_state``), match keys (``input=``, ``model=``, ``call=``...) and answer keys (``text=``,
    ``output=``, ``fault=``...) may be given flat; ``match=`` and ``answer=`` mappings as well."""
    definition: dict[str, Any] = {}
    conditions = dict(match or {})
    reply: dict[str, Any] = {"text": answer} if isinstance(answer, str) else dict(answer or {})
    for key, value in fields.items():
        if key in ("name", "priority", "times", "set_state"):
            definition[key] = value
        elif key in MATCH_KEYS:
            conditions[key] = value
        elif key in ANSWER_KEYS:
            reply[key] = value
        else:
            valid = [
                "name",
                "priority",
                "times",
                "set_state",
                "match",
                "answer",
                *MATCH_KEYS,
                *ANSWER_KEYS,
            ]
            raise ConfigurationError(
                f"stub(): unknown keyword {key!r}; valid keywords are {join_choices(valid)}"
            )
    if isinstance(reply.get("fault"), Fault):
        reply["fault"] = reply["fault"].to_dict()
    if conditions:
        definition["match"] = conditions
    definition["answer"] = reply
    return definition
