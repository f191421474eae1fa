"""What the mock "model" does in a turn: answer, call which function tools, use which hosted tool.

Pure and deterministic; ``docs/structured-outputs-and-tools.md`` prints the same table. Stubs
replace all of it (``respond.py``). A *user turn* is everything after the last user message; the
*first model turn* of it is the one whose context has no function or custom tool call (or
output) after that message (``scenarios.directives.is_first_model_turn``).

Function and custom tools (``function_tools``), first matching row wins:

======  ============================================  ==========================================
row     when                                          the model calls
======  ============================================  ==========================================
none    ``tool_choice: "none"``                       nothing
named   ``tool_choice`` names a function/custom tool  that tool, on every turn
hosted  ``tool_choice`` names a hosted tool           nothing (the hosted tool is used)
header  ``x-mockserver-tool-calls``, first model turn the tools it names (``*``: all)
req-1   ``required``, first model turn                the most relevant tools but the last
                                                      tool; else the last tool if relevant;
                                                      else the first tool
req-n   ``required``, later turn                      those of them not called yet this user
                                                      turn; else the last tool not called yet;
                                                      else the first tool
auto-0  ``auto``, the message says not to use tools   nothing (``NO_TOOLS``: "do not call any
                                                      tools", "without tools"...)
auto-1  ``auto``, first model turn                    the most relevant tools (none: answer)
auto-h  ``auto``, a hosted tool ran in this turn      nothing: it answers from what it found
auto-n  ``auto``, later turn                          nothing: it answers from the outputs
======  ============================================  ==========================================

``allowed_tools`` first narrows the candidates to its list; its ``mode`` is then ``required`` or
``auto`` as above. ``parallel_tool_calls: false`` keeps the first call of several.

A tool is *relevant* to the last user message when they share a word (``relevance``): a word of
the tool's name (split at ``_``, ``-`` and camelCase) counts 2, a parameter name or description
word 1, the exact tool name 4 more. Words are compared lower-cased, without a plural ``s`` or an
``ing``; short and common words (``the``, ``what``, ``get``...) don't count. The *most* relevant
tools are those scoring more than half the best score: a message about two things calls both,
one that brushes a second tool does not. The last offered tool is the one frameworks add for
the final answer (pydantic-ai's ``final_result``, LangChain's ``ToolStrategy`` tool), so under
``required`` it is held back while another tool is relevant, and it ends the user turn once the
relevant tools have their outputs.

Hosted tools (``builtin_tools.chosen_tools``): a ``tool_choice`` naming one uses it;
``required`` uses the first tool when it is hosted; under ``auto``, when the request starts a
user turn, a hosted tool is used when the message calls for it (``HOSTED_TRIGGERS``; MCP: its
server label, tool names or description). MCP servers list their tools (``mcp_list_tools``) on
the first turn that offers them, whether or not they are called (``builtin_tools/mcp.py``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.contract.errors import InvalidRequestError, join_choices
from mockserver.contract.inputs import last_user_text
from mockserver.contract.tool_rules import CALL_OUTPUTS, CALLABLE_TOOLS, callable_tools
from mockserver.scenarios.directives import TOOL_CALLS_HEADER, Directives, is_first_model_turn

Tool = Mapping[str, Any]

# Words that say nothing about what a tool does.
_STOPWORDS = """
    about above after again all also and any are because been before being below between both
    but call can could did does doing done down during each few for from further get gets had
    has have having her here hers him his how into its itself just let like make may might more
    most much must need not now off once only other our out over own please same she should
    some such tell than that the their them then there these they this those through too tool
    tools under until use used using very want was way were what when where which while who
    whom why will with would yes you your
"""
STOPWORDS = frozenset(_STOPWORDS.split())
MIN_WORD = 3
NAMED_SCORE = 4
# A message that tells the model not to use tools ("Do not call any tools", "without tools").
NO_TOOLS = re.compile(
    r"\b(?:do not|don't|dont|never|no need to|without)\s+(?:call(?:ing)?\s+|us(?:e|ing)\s+)?"
    r"(?:any\s+|the\s+)?(?:tools?|functions?)\b",
    re.IGNORECASE,
)
# Items a hosted tool adds to a turn before the model answers.
HOSTED_CALLS = frozenset(
    {"web_search_call", "file_search_call", "code_interpreter_call", "image_generation_call"}
    | {"mcp_call"}
)

# Hosted tool family -> phrases in the user's message that call for it (whole words, any case).
HOSTED_TRIGGERS: dict[str, tuple[str, ...]] = {
    "web_search": (
        "search", "web", "internet", "online", "look up", "lookup", "google", "latest",
        "news", "today", "today's", "current", "currently", "recent", "recently", "this week",
        "yesterday", "headline", "headlines", "weather", "stock price", "score", "scores",
        "who won", "url", "website", "site", "page", "when was", "when did", "released",
        "release date",
    ),
    "file_search": (
        "file", "files", "document", "documents", "docs", "knowledge base", "vector store",
        "uploaded", "pdf", "according to", "attached", "report", "manual", "policy",
    ),
    "code_interpreter": (
        "code", "python", "calculate", "calculation", "compute", "execute", "run", "plot",
        "chart", "graph", "csv", "spreadsheet", "factorial", "fibonacci", "prime", "primes",
        "square root", "solve", "equation", "sum of", "average", "mean", "median", "histogram",
    ),
    "image_generation": (
        "image", "picture", "draw", "drawing", "illustration", "illustrate", "photo", "logo",
        "sketch", "paint", "painting", "render", "icon", "poster", "wallpaper",
    ),
}  # fmt: skip


# ---- words --------------------------------------------------------------------------------------


def _stem(word: str) -> str:
    """A crude stem: plural ``s``/``ies`` and ``ing`` endings off (``rolling`` -> ``roll``)."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> frozenset[str]:
    """The content words of ``text``: split at non-letters and camelCase, lower-cased."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return frozenset(
        _stem(w)
        for w in re.findall(r"[a-z0-9]+", spaced.casefold())
        if len(w) >= MIN_WORD and w not in STOPWORDS and not w.isdigit()
    )


def _parameter_names(schema: Any) -> list[str]:
    if not isinstance(schema, Mapping):
        return []
    properties = schema.get("properties")
    return [str(name) for name in properties] if isinstance(properties, Mapping) else []


def tool_words(tool: Tool) -> frozenset[str]:
    """What a function or custom tool is about: its name, parameter names and description."""
    parts = [str(tool.get("name") or ""), str(tool.get("description") or "")]
    parts += _parameter_names(tool.get("parameters"))
    return words(" ".join(parts))


def names_tool(tool: Tool, text: str) -> bool:
    """Whether ``text`` names the tool (its exact name as a whole word, any case)."""
    name = re.escape(str(tool.get("name")))
    return re.search(rf"(?<![\w-]){name}(?![\w-])", text, re.I) is not None


def relevance(tool: Tool, question: str) -> int:
    """How much the question is about the tool: shared words, a name word counting twice, and
    the tool's exact name counting most."""
    asked = words(question)
    name = words(str(tool.get("name") or ""))
    score = 2 * len(asked & name) + len(asked & (tool_words(tool) - name))
    return score + (NAMED_SCORE if names_tool(tool, question) else 0)


def is_relevant(tool: Tool, question: str) -> bool:
    return relevance(tool, question) > 0


def most_relevant(tools: Sequence[dict[str, Any]], question: str) -> list[dict[str, Any]]:
    """The relevant tools scoring more than half the best score, in the order offered (a
    message about two things calls both; one that merely brushes a second tool does not)."""
    scores = [relevance(t, question) for t in tools]
    best = max(scores, default=0)
    return [t for t, score in zip(tools, scores, strict=True) if score > 0 and 2 * score > best]


# ---- the turn -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnFacts:
    """What the decision reads from the context."""

    question: str
    first_turn: bool
    # Function and custom tools called since the last user message, by name.
    called: frozenset[str]
    # A hosted tool ran in this very turn (its call item ends the context).
    hosted_now: bool = False


def turn_facts(context: Sequence[Any]) -> TurnFacts:
    called: set[str] = set()
    for item in reversed(context):
        if isinstance(item, str) or (
            isinstance(item, Mapping)
            and item.get("type", "message") == "message"
            and item.get("role", "user") == "user"
        ):
            break
        if isinstance(item, Mapping) and item.get("type") in CALL_OUTPUTS:
            called.add(str(item.get("name")))
    last = context[-1] if context else None
    hosted_now = isinstance(last, Mapping) and last.get("type") in HOSTED_CALLS
    return TurnFacts(
        last_user_text(context), is_first_model_turn(context), frozenset(called), hosted_now
    )


# ---- function and custom tools ------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionDecision:
    """The tools to call (empty: answer) and the row of the table that decided."""

    tools: tuple[dict[str, Any], ...]
    row: str


def _allowed(params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """(the tools the model may call, whether it must call one)."""
    tools = callable_tools(dict(params))
    choice = params.get("tool_choice") or "auto"
    if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        allowed = {(t.get("type"), t.get("name")) for t in choice.get("tools") or []}
        tools = [t for t in tools if (t.get("type"), t.get("name")) in allowed]
        return tools, choice.get("mode") == "required"
    return tools, choice == "required"


def _by_header(tools: Sequence[dict[str, Any]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    """The tools ``x-mockserver-tool-calls`` names; a name not among ``tools`` is an error."""
    if "*" in names:
        return list(tools)
    by_name = {t.get("name"): t for t in tools}
    missing = [n for n in names if n not in by_name]
    if missing:
        available = [str(t.get("name")) for t in tools] or ["(none)"]
        raise InvalidRequestError(
            f"Invalid '{TOOL_CALLS_HEADER}' header: no callable tool named "
            f"{join_choices(missing)} in this request. Name function or custom tools from "
            f"'tools' ({join_choices(available)}), or send '*' for all of them.",
            code="invalid_mock_header",
        )
    return [by_name[n] for n in dict.fromkeys(names)]


def _required(tools: list[dict[str, Any]], facts: TurnFacts) -> tuple[list[dict[str, Any]], str]:
    """Relevant tools first, holding back the last tool (the frameworks' output tool) while
    another is relevant; then the last tool not called yet."""
    relevant = most_relevant(tools, facts.question)
    before_last = [t for t in relevant if t is not tools[-1]] or relevant
    if facts.first_turn:
        return (before_last or tools[:1]), "req-1"
    untried = [t for t in tools if str(t.get("name")) not in facts.called]
    pending = [t for t in before_last if t in untried and t is not tools[-1]]
    if pending:
        return pending, "req-n"
    return (untried[-1:] or tools[:1]), "req-n"


def function_tools(
    params: Mapping[str, Any], context: Sequence[Any], directives: Directives | None = None
) -> FunctionDecision:
    """The function and custom tools this turn calls, by the table in this module's docstring."""
    choice = params.get("tool_choice") or "auto"
    if choice == "none":
        return FunctionDecision((), "none")
    if isinstance(choice, Mapping) and choice.get("type") in CALLABLE_TOOLS:
        named = [
            t
            for t in callable_tools(dict(params))
            if t.get("type") == choice["type"] and t.get("name") == choice.get("name")
        ]
        return FunctionDecision(tuple(named[:1]), "named")
    if isinstance(choice, Mapping) and choice.get("type") != "allowed_tools":
        return FunctionDecision((), "hosted")
    tools, required = _allowed(params)
    facts = turn_facts(context)
    header = directives.tool_calls if directives is not None else None
    forced = _by_header(tools, header) if header is not None else None
    if forced is not None and facts.first_turn:
        chosen, row = forced, "header"
    elif required and tools:
        chosen, row = _required(tools, facts)
    elif facts.first_turn and NO_TOOLS.search(facts.question):
        chosen, row = [], "auto-0"
    elif facts.first_turn and not facts.hosted_now:
        chosen, row = most_relevant(tools, facts.question), "auto-1"
    elif facts.first_turn:
        chosen, row = [], "auto-h"
    else:
        chosen, row = [], "auto-n"
    if params.get("parallel_tool_calls") is False:
        chosen = chosen[:1]
    return FunctionDecision(tuple(chosen), row)


# ---- hosted tools -------------------------------------------------------------------------------


def calls_for(family: str, question: str) -> bool:
    """Whether the question calls for a hosted tool family (``HOSTED_TRIGGERS``)."""
    lowered = question.casefold()
    return any(
        re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered)
        for phrase in HOSTED_TRIGGERS.get(family, ())
    )
