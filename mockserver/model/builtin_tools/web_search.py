"""``web_search`` (and the ``web_search_preview`` variants): a ``ws_`` call and a cited answer.

Recorded shape (openai-dotnet WebSearchCall*, vercel-ai openai-web-search-tool): the call item is
``{"id", "type": "web_search_call", "status", "action": {"type": "search", "queries", "query"}}``;
``action.sources`` (``[{"type": "url", "url"}]``) only with ``include:
["web_search_call.action.sources"]``; the answer's text ends its claims with a markdown link
``([domain](url?utm_source=openai))`` that a ``url_citation`` annotation spans exactly. Events:
``web_search_call.in_progress`` → ``.searching`` → ``.completed``.

Default content is deterministic: the query is the user's question, the sources are pages on the
reserved ``example.com``/``.org``/``.net`` domains.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.model.builtin_tools.base import Citation, ToolContext, ToolResult, slug

TYPES = (
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
)
CHOICES = ("web_search_preview", "web_search_preview_2025_03_11")
SOURCES_INCLUDE = "web_search_call.action.sources"
DOMAINS = ("example.com", "example.org", "example.net")


def echo(tool: Mapping[str, Any]) -> dict[str, Any]:
    location = tool.get("user_location")
    if location:
        shown = {
            "type": "approximate",
            **{k: location.get(k) for k in ("city", "country", "region", "timezone")},
        }
    else:
        shown = {
            "type": "approximate",
            "city": None,
            "country": "US",
            "region": None,
            "timezone": None,
        }
    out: dict[str, Any] = {"type": tool["type"]}
    for key in ("filters", "external_web_access"):
        if key in tool:
            out[key] = tool[key]
    if tool["type"] == "web_search":
        # Echoed with these defaults since 2026 (shared/wire-2026: braintrust, ellmer, chatlas).
        out["return_token_budget"] = tool.get("return_token_budget") or "default"
        out["search_content_types"] = tool.get("search_content_types") or ["text"]
    elif "search_content_types" in tool:
        out["search_content_types"] = tool["search_content_types"]
    out["search_context_size"] = tool.get("search_context_size") or "medium"
    out["user_location"] = shown
    return out


def sources_for(query: str) -> list[dict[str, Any]]:
    path = slug(query)
    return [
        {"type": "url", "url": f"https://www.{domain}/{section}/{path}"}
        for domain, section in zip(DOMAINS, ("articles", "guides", "news"), strict=True)
    ]


def build_call(ctx: ToolContext, spec: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A finished ``web_search_call``; ``spec`` (from a stub) may set ``query``, ``queries``,
    ``sources`` (urls or ``{"url"}``) or a whole ``action``."""
    spec = spec or {}
    if "action" in spec:
        action = dict(spec["action"])
    else:
        query = spec.get("query") or ctx.snippet() or "mock search"
        action = {"type": "search", "queries": list(spec.get("queries") or [query]), "query": query}
        if SOURCES_INCLUDE in ctx.include:
            raw = spec.get("sources")
            sources = (
                [{"type": "url", "url": s if isinstance(s, str) else s["url"]} for s in raw]
                if raw is not None
                else sources_for(query)
            )
            action["sources"] = sources
    return {
        "id": ctx.new_item_id("ws"),
        "type": "web_search_call",
        "status": "completed",
        "action": action,
    }


def call(tool: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
    item = build_call(ctx)
    query = item["action"]["query"]
    first = sources_for(query)[0]["url"]
    url = f"{first}?utm_source=openai"
    domain = first.split("/")[2].removeprefix("www.")
    citation = Citation(
        "url_citation",
        {"title": f"{query[:60]} | {domain}", "url": url},
        link_text=f"([{domain}]({url}))",
    )
    return ToolResult(calls=[item], citations=[citation])
