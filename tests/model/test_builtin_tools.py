"""Built-in tools: when they are called, their echo, their items, citations and usage."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

from mockserver.contract.errors import InvalidRequestError
from mockserver.model import builtin_tools
from mockserver.model.builtin_tools import (
    ToolContext,
    add_tool_usage,
    chosen_tools,
    decorate,
    echo_tool,
    image_generation,
    mcp,
    run_tools,
)
from mockserver.model.synthesis import message_item
from mockserver.model.turn import empty_tool_usage

WEB = {"type": "web_search"}
FILES = {"type": "file_search", "vector_store_ids": ["vs_1"]}
CODE = {"type": "code_interpreter", "container": {"type": "auto"}}
IMAGE = {"type": "image_generation"}
DICE = {"type": "mcp", "server_label": "dice", "server_url": "https://example.com/mcp"}
FUNCTION = {"type": "function", "name": "get_weather"}


def context_for(
    params: dict[str, Any], question: str, context: list[Any] | None = None
) -> ToolContext:
    counter = iter(range(1000))
    items = (
        context
        if context is not None
        else [{"type": "message", "role": "user", "content": question}]
    )
    return ToolContext(params, question, items, lambda p: f"{p}_{next(counter)}", "seed")


def chosen(params: dict[str, Any], question: str = "hello", new_turn: bool = True) -> list[str]:
    return [t["type"] for t in chosen_tools(params, question, new_turn)]


def test_auto_calls_the_tools_the_question_mentions() -> None:
    tools = [WEB, FILES, CODE, IMAGE, DICE, FUNCTION]
    assert chosen({"tools": tools}, "hello there") == []
    assert chosen({"tools": tools}, "Search the web for cats") == ["web_search"]
    assert chosen({"tools": tools}, "check my documents") == ["file_search"]
    assert chosen({"tools": tools}, "Run some Python") == ["code_interpreter"]
    assert chosen({"tools": tools}, "draw a picture") == ["image_generation"]
    assert chosen({"tools": tools}, "roll with dice") == ["mcp"]
    assert chosen({"tools": tools}, "searching") == []  # whole words only
    assert chosen({"tools": tools}, "search and draw") == ["web_search", "image_generation"]
    assert chosen({"tools": tools, "max_tool_calls": 1}, "search and draw") == ["web_search"]
    assert chosen({"tools": tools}, "search", new_turn=False) == []


def test_tool_choice_forces_or_forbids() -> None:
    tools = [WEB, FILES, DICE, {**DICE, "server_label": "other"}]
    assert chosen({"tools": tools, "tool_choice": {"type": "web_search_preview"}}) == ["web_search"]
    assert chosen({"tools": tools, "tool_choice": {"type": "file_search"}}, new_turn=False) == [
        "file_search"
    ]
    forced = chosen_tools(
        {"tools": tools, "tool_choice": {"type": "mcp", "server_label": "other"}}, "", True
    )
    assert [t["server_label"] for t in forced] == ["other"]
    assert chosen({"tools": tools, "tool_choice": "required"}) == ["web_search"]
    assert chosen({"tools": [FUNCTION, WEB], "tool_choice": "required"}) == []
    assert chosen({"tools": tools, "tool_choice": "none"}, "search") == []
    assert (
        chosen({"tools": tools, "tool_choice": {"type": "function", "name": "f"}}, "search") == []
    )
    assert chosen({"tools": tools, "tool_choice": {"type": "image_generation"}}) == []


def test_echoes_fill_in_the_recorded_defaults() -> None:
    assert echo_tool(dict(WEB)) == {
        "type": "web_search",
        # 2026 defaults (shared/wire-2026: braintrust, ellmer, chatlas).
        "return_token_budget": "default",
        "search_content_types": ["text"],
        "search_context_size": "medium",
        "user_location": {
            "type": "approximate",
            "city": None,
            "country": "US",
            "region": None,
            "timezone": None,
        },
    }
    located = echo_tool(
        {"type": "web_search", "user_location": {"type": "approximate", "city": "Redmond"}}
    )
    assert (
        located["user_location"]["city"] == "Redmond"
        and located["user_location"]["country"] is None
    )
    assert echo_tool(dict(FILES)) == {
        "type": "file_search",
        "filters": None,
        "max_num_results": 20,
        "ranking_options": {"ranker": "auto", "score_threshold": 0.0},
        "vector_store_ids": ["vs_1"],
    }
    assert echo_tool(dict(IMAGE)) == {
        "type": "image_generation",
        "background": "auto",
        "moderation": "auto",
        "n": 1,
        "output_compression": 100,
        "output_format": "png",
        "quality": "auto",
        "size": "auto",
    }
    assert echo_tool({**DICE, "allowed_tools": {"tool_names": ["roll"]}}) == {
        "type": "mcp",
        "allowed_tools": {"read_only": None, "tool_names": ["roll"]},
        "headers": None,
        "require_approval": "always",
        "server_description": None,
        "server_label": "dice",
        "server_url": "https://example.com/mcp",
    }
    assert echo_tool(dict(FUNCTION)) == FUNCTION


def test_web_search_cites_a_source_and_lists_sources_only_when_included() -> None:
    params = {"tools": [WEB]}
    result = run_tools(params, context_for(params, "search cats"), True)
    (call,) = result.calls
    assert call["id"].startswith("ws_")
    assert call["action"] == {"type": "search", "queries": ["search cats"], "query": "search cats"}
    with_sources = {"tools": [WEB], "include": ["web_search_call.action.sources"]}
    (sourced,) = run_tools(with_sources, context_for(with_sources, "search cats"), True).calls
    first_source = sourced["action"]["sources"][0]
    assert first_source == {"type": "url", "url": "https://www.example.com/articles/search-cats"}
    message = message_item("msg_1", "Cats are great.")
    added = decorate(message, result.citations)
    part = message["content"][0]
    (annotation,) = part["annotations"]
    assert part["text"][annotation["start_index"] : annotation["end_index"]] == (
        "([example.com](https://www.example.com/articles/search-cats?utm_source=openai))"
    )
    assert annotation["url"].endswith("?utm_source=openai") and added > 0


def test_file_search_results_and_citation() -> None:
    params = {"tools": [FILES], "include": ["file_search_call.results"]}
    result = run_tools(params, context_for(params, "check my files"), True)
    (call,) = result.calls
    assert call["id"].startswith("fs_") and call["queries"][0] == "check my files"
    (hit,) = call["results"]
    assert set(hit) == {"attributes", "file_id", "filename", "score", "text"}
    assert hit["file_id"].startswith("file-") and len(hit["file_id"]) == 27
    (plain,) = run_tools({"tools": [FILES]}, context_for({"tools": [FILES]}, "files"), True).calls
    assert plain["results"] is None
    message = message_item("msg_1", "It is pizza.")
    decorate(message, result.citations)
    (annotation,) = message["content"][0]["annotations"]
    assert annotation == {
        "type": "file_citation",
        "file_id": hit["file_id"],
        "filename": "mock-document.txt",
        "index": 11,
    }


def test_code_interpreter_containers_and_outputs() -> None:
    params = {"tools": [CODE], "include": ["code_interpreter_call.outputs"]}
    (call,) = run_tools(params, context_for(params, "run code"), True).calls
    assert call["id"].startswith("ci_") and call["container_id"].startswith("cntr_")
    assert len(call["container_id"]) == 5 + 48
    assert call["outputs"] == [{"type": "logs", "logs": "Mock output for: run code"}]
    assert "print('Mock output for: run code')" in call["code"]
    pinned = {"tools": [{"type": "code_interpreter", "container": "cntr_mine"}]}
    (own,) = run_tools(pinned, context_for(pinned, "run code"), True).calls
    assert own["container_id"] == "cntr_mine" and own["outputs"] is None


def decode_png(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    idat_length = struct.unpack(">I", raw[33:37])[0]
    pixels = zlib.decompress(raw[41 : 41 + idat_length])
    assert len(pixels) == height * (1 + 3 * width)
    return width, height


def test_image_generation_makes_a_real_png_of_the_reported_size() -> None:
    tool = {"type": "image_generation", "size": "1024x1536", "quality": "low"}
    params = {"tools": [tool]}
    (call,) = run_tools(params, context_for(params, "draw a cat"), True).calls
    assert call["id"].startswith("ig_")
    assert (call["size"], call["quality"], call["background"], call["output_format"]) == (
        "1024x1536",
        "low",
        "opaque",
        "png",
    )
    assert decode_png(call["result"]) == (1024, 1536)
    usage = add_tool_usage(empty_tool_usage(), [call, {"type": "web_search_call"}])
    assert usage["web_search"] == {"num_requests": 1}
    assert usage["image_gen"]["output_tokens"] == image_generation.IMAGE_TOKENS["low"] * 3 // 2
    assert usage["image_gen"]["total_tokens"] == (
        usage["image_gen"]["input_tokens"] + usage["image_gen"]["output_tokens"]
    )


def test_mcp_lists_once_then_asks_for_approval_and_calls_when_approved() -> None:
    params = {"tools": [DICE]}
    first = run_tools(params, context_for(params, "roll with dice"), True)
    (listing,) = first.listings
    (request,) = first.calls
    assert listing["id"].startswith("mcpl_") and [t["name"] for t in listing["tools"]] == ["search"]
    assert request["type"] == "mcp_approval_request" and request["id"].startswith("mcpr_")
    assert first.stop
    history = [listing, request]
    approve = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    second = run_tools(params, context_for(params, "roll with dice", [*history, approve]), False)
    assert second.listings == [] and not second.stop
    (call,) = second.calls
    assert call["type"] == "mcp_call" and call["approval_request_id"] == request["id"]
    assert call["output"] and call["arguments"] == request["arguments"]
    again = run_tools(params, context_for(params, "x", [*history, approve, call]), False)
    assert again.calls == []
    deny = {**approve, "approve": False}
    assert run_tools(params, context_for(params, "x", [*history, deny]), False).calls == []
    with pytest.raises(InvalidRequestError, match="No MCP approval request with id 'mcpr_x'"):
        run_tools(
            params, context_for(params, "x", [{**approve, "approval_request_id": "mcpr_x"}]), False
        )


def test_mcp_without_approval_calls_at_once_with_the_allowed_tool() -> None:
    tool = {**DICE, "require_approval": "never", "allowed_tools": ["roll"]}
    result = run_tools({"tools": [tool]}, context_for({"tools": [tool]}, "please roll"), True)
    (call,) = result.calls
    assert call["name"] == "roll" and call["approval_request_id"] is None and not result.stop
    assert (
        mcp.needs_approval({"require_approval": {"never": {"tool_names": ["roll"]}}}, "roll")
        is False
    )
    assert (
        mcp.needs_approval({"require_approval": {"never": {"tool_names": ["roll"]}}}, "x") is True
    )


def test_stub_specs_build_items_with_defaults() -> None:
    params = {"tools": [DICE, CODE]}
    ctx = context_for(params, "q")
    listing = builtin_tools.build_item({"type": "mcp_list_tools"}, ctx)
    assert listing["server_label"] == "dice" and listing["tools"]
    failed = builtin_tools.build_item(
        {"type": "mcp_call", "name": "roll", "arguments": {"n": 2}, "error": "boom"}, ctx
    )
    assert (
        failed["status"] == "failed"
        and failed["arguments"] == '{"n":2}'
        and failed["output"] is None
    )
    code = builtin_tools.build_item({"type": "code_interpreter_call", "code": "1+1"}, ctx)
    assert code["code"] == "1+1"
    search = builtin_tools.build_item(
        {"type": "web_search_call", "action": {"type": "open_page", "url": "u"}}, ctx
    )
    assert search["action"] == {"type": "open_page", "url": "u"}


def test_mcp_servers_list_their_tools_on_the_first_turn_even_when_not_called() -> None:
    params = {"tools": [DICE, WEB]}
    first = run_tools(params, context_for(params, "hello there"), True)
    assert [i["type"] for i in first.listings] == ["mcp_list_tools"] and first.calls == []
    later = context_for(params, "hello again", [*first.listings, {"role": "user", "content": "x"}])
    assert run_tools(params, later, True).listings == []
