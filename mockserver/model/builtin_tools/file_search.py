"""``file_search``: an ``fs_`` call over the request's vector stores, and a cited answer.

Recorded shape (openai-dotnet FileSearch*, vercel-ai openai-file-search-tool): ``{"id",
"type": "file_search_call", "status", "queries": [...], "results": null}``; ``results``
(``[{"attributes", "file_id", "filename", "score", "text"}]``) only with ``include:
["file_search_call.results"]``; the answer carries a ``file_citation`` (``file_id``,
``filename``, ``index`` = where the cited sentence ends). The call is added with ``queries: []``
and ``status: "in_progress"``; events ``file_search_call.in_progress`` → ``.searching`` →
``.completed``. ``vector_store_ids`` is required (the SDK's schema says so; the request is
rejected with the real missing-parameter 400 otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.model.builtin_tools.base import Citation, ToolContext, ToolResult, base62

TYPES = ("file_search",)
CHOICES = ("file_search",)
RESULTS_INCLUDE = "file_search_call.results"
DEFAULT_FILENAME = "mock-document.txt"


def echo(tool: Mapping[str, Any]) -> dict[str, Any]:
    ranking = {"ranker": "auto", "score_threshold": 0.0, **(tool.get("ranking_options") or {})}
    return {
        "type": "file_search",
        "filters": tool.get("filters"),
        "max_num_results": tool.get("max_num_results") or 20,
        "ranking_options": ranking,
        "vector_store_ids": list(tool.get("vector_store_ids") or []),
    }


def file_id(ctx: ToolContext, store: str) -> str:
    return "file-" + base62(ctx.digest("file", store), 22)


def default_results(ctx: ToolContext, tool: Mapping[str, Any]) -> list[dict[str, Any]]:
    stores = list(tool.get("vector_store_ids") or ["vs_default"])
    limit = tool.get("max_num_results") or 20
    results = []
    for rank, store in enumerate(stores[:limit]):
        results.append(
            {
                "attributes": {},
                "file_id": file_id(ctx, store),
                "filename": DEFAULT_FILENAME,
                "score": round(0.9312 - 0.05 * rank, 4),
                "text": f"Mock document text about {ctx.snippet(60) or 'the question'}, "
                f"stored in vector store {store}.",
            }
        )
    return results


def build_call(
    ctx: ToolContext, tool: Mapping[str, Any], spec: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    spec = spec or {}
    question = ctx.snippet() or "mock search"
    queries = list(spec.get("queries") or [question, f"{question} details"])
    results = None
    if RESULTS_INCLUDE in ctx.include:
        results = (
            [dict(r) for r in spec["results"]] if "results" in spec else default_results(ctx, tool)
        )
    return {
        "id": ctx.new_item_id("fs"),
        "type": "file_search_call",
        "status": "completed",
        "queries": queries,
        "results": results,
    }


def call(tool: Mapping[str, Any], ctx: ToolContext) -> ToolResult:
    item = build_call(ctx, tool)
    store = (list(tool.get("vector_store_ids") or []) or ["vs_default"])[0]
    citation = Citation(
        "file_citation", {"file_id": file_id(ctx, store), "filename": DEFAULT_FILENAME}
    )
    return ToolResult(calls=[item], citations=[citation])
