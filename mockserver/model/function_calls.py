"""Function and custom tool calls of the mock "model": which tools (``decision.py`` decides),
their arguments, and the call items (the checks and the echo are in ``contract/tool_rules.py``).

Each call is a ``function_call`` item (``fc_`` id, ``call_`` call id, JSON ``arguments`` valid
for the tool's ``parameters``) or a ``custom_tool_call`` item (``ctc_`` id).

Arguments are filled from the last user message where the schema allows it, then checked
against the schema (a value that does not validate is dropped for the default one):

* a string property with an ``enum``: the first of its values the message names;
* a free string property named like a query (``query``, ``q``, ``search``, ``question``,
  ``prompt``, ``text``, ``input``, ``message``, ``topic``, ``expression``...): the message;
* another free string property: the next quoted phrase in the message, else the next
  capitalised name inside a sentence (``Paris`` in "What's the weather in Paris?"), else one
  that opens a sentence with an uncommon word (not ``What``, ``Show``, ``Can``...);
* an ``integer`` or ``number`` property: the next number in the message;
* everything else, and every property the message has nothing for: the deterministic value
  ``json_answer`` makes for the schema (edge mode: the drawn value, untouched).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from mockserver.contract.tool_rules import CALL_OUTPUTS
from mockserver.model.decision import function_tools, words
from mockserver.model.structured import json_answer
from mockserver.model.structured.json_answers import validator
from mockserver.scenarios.directives import Directives

_QUERY_NAMES = """query q search search_query question prompt text input message topic keyword
    keywords term terms expression expr statement request task instruction instructions"""
QUERY_NAMES = frozenset(_QUERY_NAMES.split())
MAX_QUOTED_MESSAGE = 500
# Words that open a question or a request rather than name something.
OPENERS = frozenset(
    {"what", "whats", "how", "hows", "show", "find", "give", "check", "look", "write", "list"}
    | {"hello", "hey", "can", "could", "would", "should", "is", "are", "do", "does"}
)
_QUOTED = re.compile(r"\"([^\"]{1,200})\"|(?<!\w)'([^']{1,200})'(?!\w)|“([^”]{1,200})”")
_NAME = re.compile(r"(?<![\w'])([A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|de|of|la|le|del))*)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")


def tools_to_call(
    params: dict[str, Any], context: Sequence[Any], directives: Directives
) -> list[dict[str, Any]]:
    """The tools this turn calls, in order (empty: answer with a message)."""
    if not params.get("tools") and directives.tool_calls is None:
        return []  # nothing to call: every row of the decision table answers with a message
    return list(function_tools(params, context, directives).tools)


# ---- arguments ----------------------------------------------------------------------------------


def _names(message: str) -> Iterator[str]:
    """Quoted phrases, then capitalised names inside sentences, then those that open one
    (unless the opening word is a common one: ``What``, ``Please``, ``Show``...)."""
    for match in _QUOTED.finditer(message):
        yield next(g for g in match.groups() if g)
    openers = []
    for match in _NAME.finditer(message):
        before = message[: match.start()].rstrip()
        if before and before[-1] not in ".!?:\n":
            if match.group(1) != "I":
                yield match.group(1).rstrip("'")
        elif not words(match.group(1).split()[0]) <= OPENERS:
            openers.append(match.group(1))
    yield from openers


def _string_types(node: Mapping[str, Any]) -> bool:
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return "string" in kinds and not any(k in node for k in ("format", "pattern", "const"))


def _number_types(node: Mapping[str, Any]) -> str | None:
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return next((k for k in ("integer", "number") if k in kinds), None)


def _proposals(schema: Mapping[str, Any], message: str) -> dict[str, Any]:
    """Values the message offers for the schema's top-level properties."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not message.strip():
        return {}
    names = list(dict.fromkeys(_names(message)))
    numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(message)]
    lowered = message.casefold()
    out: dict[str, Any] = {}
    for name, node in properties.items():
        if not isinstance(node, Mapping):
            continue
        enum = node.get("enum")
        if isinstance(enum, list):
            named = [v for v in enum if isinstance(v, str) and v.casefold() in lowered]
            if named:
                out[name] = named[0]
        elif _string_types(node) and str(name).casefold() in QUERY_NAMES:
            out[name] = " ".join(message.split())[:MAX_QUOTED_MESSAGE]
        elif _string_types(node) and names:
            out[name] = names.pop(0)
        elif (kind := _number_types(node)) and numbers:
            number = numbers.pop(0)
            if kind == "integer" and float(number).is_integer():
                out[name] = int(number)
            elif kind == "number":
                out[name] = number
    return out


def function_arguments(schema: dict[str, Any], message: str, *, seed: int, edge: bool) -> Any:
    """A function call's arguments: the schema's answer, filled from the message where valid."""
    value = json_answer(schema, seed=seed, edge=edge)
    if edge or not isinstance(value, dict):
        return value
    check = validator(schema)
    for name, proposal in _proposals(schema, message).items():
        candidate = {**value, name: proposal}
        if check is None or check.is_valid(candidate):
            value = candidate
    return value


# ---- call items -----------------------------------------------------------------------------


def call_item(
    tool: dict[str, Any],
    payload: str,
    new_item_id: Callable[[str], str],
    new_call_id: Callable[[], str],
) -> dict[str, Any]:
    """A finished call item: ``payload`` is the JSON arguments (function) or the input (custom)."""
    if tool.get("type") == "custom":
        return {
            "id": new_item_id("ctc"),
            "type": "custom_tool_call",
            "call_id": new_call_id(),
            "input": payload,
            "name": tool.get("name"),
        }
    return {
        "id": new_item_id("fc"),
        "type": "function_call",
        "status": "completed",
        "arguments": payload,
        "call_id": new_call_id(),
        "name": tool.get("name"),
    }


def tool_outputs_text(context: Sequence[Any]) -> list[str]:
    """The outputs of the tool calls the context ends with (what a final answer reflects)."""
    outputs: list[str] = []
    for item in reversed(context):
        if not isinstance(item, dict) or item.get("type") not in CALL_OUTPUTS.values():
            break
        output = item.get("output")
        if isinstance(output, list):  # content parts: keep their text
            output = " ".join(str(p.get("text", "")) for p in output if isinstance(p, dict))
        outputs.append(str(output if output is not None else ""))
    return outputs[::-1]
