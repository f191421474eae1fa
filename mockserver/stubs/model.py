"""Stub rules: what they look like, and parsing with errors that name the file, rule and problem.

A stub is ``{"name", "priority", "times", "match": {...}, "answer": {...}, "set_state"}``; every
key but ``answer`` is optional. The same shape comes from files, the admin API and the Python API
(see ``docs/stubs-faults-tools.md``). Parsing happens when a stub is added, so a bad rule is
reported at load time, never in the middle of a test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigurationError, join_choices
from ..faults import Fault, parse_fault
from ..pacing import Pacing

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
)
ANSWER_KEYS = ("text", "refusal", "output", "response", "error", "fault", "pacing", "reasoning")
CONTENT_KEYS = ("text", "refusal", "output", "response", "error")
TEXT_MATCH_KEYS = ("contains", "equals", "regex", "ignore_case", "scope")
INPUT_SCOPES = ("last_user", "context")
PACING_KEYS = ("first_event_ms", "tokens_per_second", "reply_delay_ms")
ERROR_KEYS = ("status", "body", "headers", "message", "type", "code", "param")

# Output item specs a stub may answer with -> the keys each accepts (beyond `type`).
ITEM_SPECS: dict[str, tuple[str, ...]] = {
    "message": ("text", "content", "annotations", "phase"),
    "refusal": ("refusal",),
    "function_call": ("name", "arguments", "call_id", "namespace"),
    "custom_tool_call": ("name", "input", "call_id"),
    "reasoning": ("summary", "encrypted_content"),
    "web_search_call": ("query", "queries", "sources", "action"),
    "file_search_call": ("queries", "results"),
    "code_interpreter_call": ("code", "outputs", "container_id"),
    "image_generation_call": (
        "result",
        "revised_prompt",
        "size",
        "quality",
        "background",
        "output_format",
    ),
    "mcp_list_tools": ("server_label", "tools"),
    "mcp_call": ("server_label", "name", "arguments", "output", "error"),
    "mcp_approval_request": ("server_label", "name", "arguments"),
}
REQUIRED_ITEM_KEYS: dict[str, tuple[str, ...]] = {
    "refusal": ("refusal",),
    "function_call": ("name",),
    "custom_tool_call": ("name",),
    "mcp_call": ("name",),
    "mcp_approval_request": ("name",),
}


class _Where:
    """Builds error messages: ``<source>: stub #<n> '<name>': <path>: <problem>``."""

    def __init__(self, source: str, index: int, name: str | None) -> None:
        label = f"stub #{index}" + (f" {name!r}" if name else "")
        self.prefix = f"{source}: {label}"

    def error(self, path: str, problem: str) -> ConfigurationError:
        return ConfigurationError(
            f"{self.prefix}: {path}: {problem}" if path else f"{self.prefix}: {problem}"
        )


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
class ErrorAnswer:
    status: int
    body: Mapping[str, Any]
    headers: Mapping[str, str]


@dataclass(frozen=True)
class StubAnswer:
    text: str | None = None
    refusal: str | None = None
    output: tuple[Mapping[str, Any], ...] | None = None
    response: Mapping[str, Any] | None = None
    error: ErrorAnswer | None = None
    fault: Fault | None = None
    pacing: Pacing | None = None
    # None: a reasoning model reasons first, as on the real API; False: never; True: always.
    reasoning: bool | None = None

    @property
    def has_content(self) -> bool:
        return any(v is not None for v in (self.text, self.refusal, self.output, self.response))


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
    where = _Where(source, index, name if isinstance(name, str) else None)
    if not isinstance(data, Mapping):
        raise where.error("", f"a stub must be a mapping, got {type(data).__name__}")
    _check_keys(where, "", data, STUB_KEYS)
    if "answer" not in data:
        raise where.error("", "missing 'answer' (what the stub replies: text, output, error, ...)")
    if name is not None and not isinstance(name, str):
        raise where.error("name", f"expected a string, got {type(name).__name__}")
    priority = _int(where, "priority", data.get("priority", 0))
    times = data.get("times")
    if times is not None and _int(where, "times", times) < 1:
        raise where.error("times", f"must be at least 1 (1 = one-shot), got {times}")
    set_state = data.get("set_state")
    if set_state is not None and not isinstance(set_state, str):
        raise where.error("set_state", f"expected a string, got {type(set_state).__name__}")
    conditions = _conditions(where, data.get("match") or {})
    answer = _answer(where, data["answer"], conditions)
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


def _check_keys(
    where: _Where, path: str, data: Mapping[str, Any], allowed: tuple[str, ...]
) -> None:
    for key in data:
        if key not in allowed:
            raise where.error(
                path or str(key),
                f"unknown key {key!r}"
                + (f" in {path}" if path else "")
                + f"; valid keys are {join_choices(list(allowed))}",
            )


def _int(where: _Where, path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(path, f"expected a whole number, got {value!r}")
    return value


def _str(where: _Where, path: str, value: Any) -> str:
    if not isinstance(value, str):
        raise where.error(path, f"expected a string, got {type(value).__name__}")
    return value


def _mapping(where: _Where, path: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.error(path, f"expected a mapping, got {type(value).__name__}")
    return value


def _str_list(where: _Where, path: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(path, "expected a string or a list of strings")
    return tuple(value)


def _text_match(where: _Where, path: str, value: Any, default: str) -> TextMatch:
    """A string (``default``: contains or equals) or ``{contains, equals, regex, ...}``."""
    if isinstance(value, str):
        return TextMatch(**{default: value})
    spec = _mapping(where, path, value)
    _check_keys(where, path, spec, TEXT_MATCH_KEYS)
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
        pattern = _str(where, f"{path}.regex", spec["regex"])
        try:
            regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise where.error(
                f"{path}.regex", f"invalid regular expression {pattern!r}: {exc}"
            ) from None
    return TextMatch(
        contains=_str(where, f"{path}.contains", spec["contains"]) if "contains" in spec else None,
        equals=_str(where, f"{path}.equals", spec["equals"]) if "equals" in spec else None,
        regex=regex,
        ignore_case=ignore_case,
        scope=scope,
    )


def _conditions(where: _Where, raw: Any) -> Conditions:
    spec = _mapping(where, "match", raw)
    _check_keys(where, "match", spec, MATCH_KEYS)
    fields: dict[str, Any] = {}
    if "method" in spec:
        fields["method"] = _str(where, "match.method", spec["method"]).upper()
    if "path" in spec:
        path = _str(where, "match.path", spec["path"])
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
        fields["input_types"] = _str_list(where, "match.input_types", spec["input_types"])
    if "tools" in spec:
        fields["tools"] = _str_list(where, "match.tools", spec["tools"])
    if "tool_choice" in spec:
        choice = spec["tool_choice"]
        if not isinstance(choice, str | Mapping):
            raise where.error("match.tool_choice", "expected a string or a mapping")
        fields["tool_choice"] = choice
    if "metadata" in spec:
        fields["metadata"] = dict(_mapping(where, "match.metadata", spec["metadata"]))
    if "headers" in spec:
        headers = _mapping(where, "match.headers", spec["headers"])
        fields["headers"] = {
            str(k).lower(): _text_match(where, f"match.headers.{k}", v, "equals")
            for k, v in headers.items()
        }
    if "body" in spec:
        fields["body"] = dict(_mapping(where, "match.body", spec["body"]))
    if "stream" in spec:
        if not isinstance(spec["stream"], bool):
            raise where.error("match.stream", "expected true or false")
        fields["stream"] = spec["stream"]
    if "call" in spec:
        calls = spec["call"] if isinstance(spec["call"], list) else [spec["call"]]
        numbers = [_int(where, "match.call", c) for c in calls]
        if not numbers or min(numbers) < 1:
            raise where.error(
                "match.call", "call numbers count from 1 (1 = first matching request)"
            )
        fields["call"] = frozenset(numbers)
    if "scenario" in spec:
        fields["scenario"] = _str(where, "match.scenario", spec["scenario"])
    if "state" in spec:
        fields["state"] = _str(where, "match.state", spec["state"])
    return Conditions(**fields)


def _answer(where: _Where, raw: Any, conditions: Conditions) -> StubAnswer:
    if isinstance(raw, str):
        raw = {"text": raw}
    spec = _mapping(where, "answer", raw)
    _check_keys(where, "answer", spec, ANSWER_KEYS)
    given = [k for k in CONTENT_KEYS if k in spec]
    if len(given) > 1:
        raise where.error("answer", f"give only one of {join_choices(given)}")
    if not given and "fault" not in spec and "pacing" not in spec:
        raise where.error(
            "answer",
            f"empty; give one of {join_choices(list(CONTENT_KEYS), 'or')}, or a fault or pacing",
        )
    fault = None
    if "fault" in spec:
        fault = parse_fault(spec["fault"], f"{where.prefix}: answer.fault")
        if "error" in spec:
            raise where.error("answer", "give either 'error' or 'fault', not both")
        if not fault.is_http and not conditions.targets_create:
            raise where.error(
                "answer.fault",
                f"{fault.kind!r} changes a model reply; only POST /v1/responses has one "
                "(use an HTTP fault or an error for other paths)",
            )
    if not conditions.targets_create and any(
        k in spec for k in ("text", "refusal", "output", "response")
    ):
        raise where.error(
            "answer",
            f"{conditions.method} {conditions.path} does not return a model reply; answer it "
            "with 'error' or an HTTP fault",
        )
    output = None
    if "output" in spec:
        if not isinstance(spec["output"], list) or not spec["output"]:
            raise where.error("answer.output", "expected a non-empty list of output items")
        output = tuple(
            _item(where, f"answer.output[{i}]", item) for i, item in enumerate(spec["output"])
        )
    response = None
    if "response" in spec:
        response = dict(_mapping(where, "answer.response", spec["response"]))
        if "output" in response:
            items = response["output"]
            if not isinstance(items, list):
                raise where.error("answer.response.output", "expected a list of output items")
            response["output"] = [
                _item(where, f"answer.response.output[{i}]", item) for i, item in enumerate(items)
            ]
    reasoning = spec.get("reasoning")
    if reasoning is not None and not isinstance(reasoning, bool):
        raise where.error("answer.reasoning", "expected true or false")
    return StubAnswer(
        text=_str(where, "answer.text", spec["text"]) if "text" in spec else None,
        refusal=_str(where, "answer.refusal", spec["refusal"]) if "refusal" in spec else None,
        output=output,
        response=response,
        error=_error(where, spec["error"]) if "error" in spec else None,
        fault=fault,
        pacing=_pacing(where, spec["pacing"]) if "pacing" in spec else None,
        reasoning=reasoning,
    )


def _item(where: _Where, path: str, raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, str):
        return {"type": "message", "text": raw}
    spec = _mapping(where, path, raw)
    item_type = spec.get("type", "message")
    if item_type not in ITEM_SPECS:
        raise where.error(
            f"{path}.type",
            f"unknown output item type {item_type!r}; valid types are "
            f"{join_choices(list(ITEM_SPECS))}",
        )
    _check_keys(where, path, spec, ("type", *ITEM_SPECS[item_type]))
    for key in REQUIRED_ITEM_KEYS.get(item_type, ()):
        if key not in spec:
            raise where.error(path, f"a {item_type} item needs {key!r}")
    if item_type == "message" and "text" not in spec and "content" not in spec:
        raise where.error(path, "a message item needs 'text' or 'content'")
    arguments = spec.get("arguments")
    if arguments is not None and not isinstance(arguments, str | Mapping):
        raise where.error(f"{path}.arguments", "expected a JSON string or a mapping")
    return {"type": item_type, **{k: v for k, v in spec.items() if k != "type"}}


def _error(where: _Where, raw: Any) -> ErrorAnswer:
    spec = _mapping(where, "answer.error", raw)
    _check_keys(where, "answer.error", spec, ERROR_KEYS)
    if "status" not in spec:
        raise where.error("answer.error", "needs 'status' (an HTTP status from 400 to 599)")
    status = _int(where, "answer.error.status", spec["status"])
    if not 400 <= status <= 599:
        raise where.error("answer.error.status", f"must be from 400 to 599, got {status}")
    headers = {
        str(k).lower(): str(v)
        for k, v in _mapping(where, "answer.error.headers", spec.get("headers", {})).items()
    }
    if "body" in spec:
        body = dict(_mapping(where, "answer.error.body", spec["body"]))
        if any(k in spec for k in ("message", "type", "code", "param")):
            raise where.error(
                "answer.error", "give either 'body' or message/type/code/param, not both"
            )
        return ErrorAnswer(status, body, headers)
    message = _str(where, "answer.error.message", spec.get("message", f"Mock error {status}."))
    error_type = spec.get("type", "server_error" if status >= 500 else "invalid_request_error")
    body = {
        "error": {
            "message": message,
            "type": _str(where, "answer.error.type", error_type),
            "param": spec.get("param"),
            "code": spec.get("code"),
        }
    }
    return ErrorAnswer(status, body, headers)


def _pacing(where: _Where, raw: Any) -> Pacing:
    spec = _mapping(where, "answer.pacing", raw)
    _check_keys(where, "answer.pacing", spec, PACING_KEYS)
    for key, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise where.error(f"answer.pacing.{key}", f"expected a number, got {value!r}")
    try:
        return Pacing(
            first_event_seconds=spec.get("first_event_ms", 0) / 1000,
            tokens_per_second=spec.get("tokens_per_second"),
            reply_delay_seconds=spec.get("reply_delay_ms", 0) / 1000,
        )
    except ValueError as exc:
        raise where.error("answer.pacing", str(exc)) from None


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
