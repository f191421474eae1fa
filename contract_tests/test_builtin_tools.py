"""Built-in tools and reasoning items: ids, fields, ``include[]`` and event order.

Tests that need no private resources run on every target (the tool is forced with
``tool_choice`` so the real model calls it too); file search needs real vector stores and MCP a
real server, so those are ``mock_only``.
"""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest

from .helpers import collapse_runs

REASONING_MODEL = "gpt-5-mini"


def inner_events(events: list[Any], item_id: str) -> list[str]:
    """The collapsed event types of one output item, from its ``added`` to its ``done``."""
    types: list[str] = []
    inside = False
    for event in events:
        item = getattr(event, "item", None)
        if event.type == "response.output_item.added" and item is not None and item.id == item_id:
            inside = True
        if inside and (getattr(event, "item_id", None) == item_id or item is not None):
            types.append(event.type)
        if event.type == "response.output_item.done" and item is not None and item.id == item_id:
            break
    return collapse_runs(types)


def test_web_search_then_an_answer_citing_its_sources(client: openai.OpenAI, model: str) -> None:
    reply = client.responses.create(
        model=model,
        input="Search the web: what is the tallest mountain in Africa?",
        tools=[{"type": "web_search"}],
        tool_choice={"type": "web_search_preview"},
        include=["web_search_call.action.sources"],
    )
    calls = [item for item in reply.output if item.type == "web_search_call"]
    assert calls and all(c.id.startswith("ws_") and c.status == "completed" for c in calls)
    searches = [c.action for c in calls if c.action.type == "search"]
    assert searches and all(s.sources for s in searches)  # type: ignore[union-attr]
    message = reply.output[-1]
    assert message.type == "message"
    (part,) = message.content
    citations = [a for a in part.annotations if a.type == "url_citation"]  # type: ignore[union-attr]
    assert citations
    for citation in citations:
        assert citation.url in part.text[citation.start_index : citation.end_index]  # type: ignore[union-attr]
    assert reply.tools[0].type == "web_search"
    assert reply.tools[0].search_context_size == "medium"  # type: ignore[union-attr]


def test_web_search_sources_only_when_included_and_the_event_order(
    client: openai.OpenAI, model: str
) -> None:
    with client.responses.stream(
        model=model,
        input="Search the web for today's top science headline.",
        tools=[{"type": "web_search"}],
        tool_choice={"type": "web_search_preview"},
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    call = next(item for item in final.output if item.type == "web_search_call")
    if call.action.type == "search":
        assert not call.action.sources  # type: ignore[union-attr]
    assert inner_events(events, call.id) == [
        "response.output_item.added",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
        "response.output_item.done",
    ]
    message = next(item for item in final.output if item.type == "message")
    if message.content[0].annotations:  # type: ignore[union-attr]
        assert "response.output_text.annotation.added" in [e.type for e in events]


def test_code_interpreter_runs_code_in_a_container(client: openai.OpenAI, model: str) -> None:
    with client.responses.stream(
        model=model,
        input="Use Python to compute 6 * 7 and print the result.",
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
        tool_choice={"type": "code_interpreter"},
        include=["code_interpreter_call.outputs"],
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    call = next(item for item in final.output if item.type == "code_interpreter_call")
    assert call.id.startswith("ci_") and call.container_id.startswith("cntr_")
    assert call.code and call.outputs and call.outputs[0].type == "logs"
    assert inner_events(events, call.id) == [
        "response.output_item.added",
        "response.code_interpreter_call.in_progress",
        "response.code_interpreter_call_code.delta",
        "response.code_interpreter_call_code.done",
        "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed",
        "response.output_item.done",
    ]
    without = client.responses.create(
        model=model,
        input="Use Python to compute 2 + 2.",
        tools=[{"type": "code_interpreter", "container": {"type": "auto"}}],
        tool_choice={"type": "code_interpreter"},
    )
    plain = next(item for item in without.output if item.type == "code_interpreter_call")
    assert plain.outputs is None


def test_image_generation_returns_a_decodable_image_with_partial_images(
    client: openai.OpenAI, model: str
) -> None:
    with client.responses.stream(
        model=model,
        input="Draw a small red circle on white.",
        tools=[
            {"type": "image_generation", "size": "1024x1024", "quality": "low", "partial_images": 1}
        ],
        tool_choice={"type": "image_generation"},
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    call = next(item for item in final.output if item.type == "image_generation_call")
    assert call.id.startswith("ig_") and call.status == "completed"
    assert base64.b64decode(call.result or "")[:8] == b"\x89PNG\r\n\x1a\n"
    assert call.size == "1024x1024"  # type: ignore[attr-defined]
    partials = [e for e in events if e.type == "response.image_generation_call.partial_image"]
    assert partials and partials[0].partial_image_index == 0
    types = inner_events(events, call.id)
    assert types[:3] == [
        "response.output_item.added",
        "response.image_generation_call.in_progress",
        "response.image_generation_call.generating",
    ]
    assert types[-2:] == ["response.image_generation_call.completed", "response.output_item.done"]


@pytest.mark.mock_only
def test_file_search_over_vector_stores(client: openai.OpenAI, model: str) -> None:
    tools: list[Any] = [{"type": "file_search", "vector_store_ids": ["vs_contract"]}]
    reply = client.responses.create(
        model=model,
        input="What do my documents say?",
        tools=tools,
        include=["file_search_call.results"],
    )
    call, message = reply.output
    assert call.type == "file_search_call" and call.id.startswith("fs_") and call.queries
    assert call.results and call.results[0].file_id.startswith("file-")  # type: ignore[union-attr]
    citation = message.content[0].annotations[0]  # type: ignore[union-attr]
    assert citation.type == "file_citation" and citation.file_id == call.results[0].file_id  # type: ignore[union-attr]
    assert reply.tools[0].max_num_results == 20  # type: ignore[union-attr]
    plain = client.responses.create(model=model, input="Search my files", tools=tools)
    assert plain.output[0].results is None  # type: ignore[union-attr]
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=model, input="x", tools=[{"type": "file_search"}])  # type: ignore[list-item]
    assert caught.value.param == "tools[0].vector_store_ids"


MCP = {
    "type": "mcp",
    "server_label": "dice",
    "server_url": "https://dice.example.com/mcp",
    "require_approval": "always",
}


@pytest.mark.mock_only
def test_mcp_approval_request_then_call_once_approved(client: openai.OpenAI) -> None:
    first = client.responses.create(
        model="gpt-5", input="Roll 2d6 with the dice server.", tools=[MCP]
    )  # type: ignore[list-item]
    assert [item.type for item in first.output] == [
        "mcp_list_tools",
        "reasoning",
        "mcp_approval_request",
    ]
    listing, _, request = first.output
    assert listing.id.startswith("mcpl_") and listing.server_label == "dice"  # type: ignore[union-attr]
    assert request.id.startswith("mcpr_")
    approved = client.responses.create(
        model="gpt-5",
        previous_response_id=first.id,
        tools=[MCP],  # type: ignore[list-item]
        input=[
            {"type": "mcp_approval_response", "approval_request_id": request.id, "approve": True}
        ],
    )
    call = next(item for item in approved.output if item.type == "mcp_call")
    assert call.id.startswith("mcp_") and call.approval_request_id == request.id
    assert call.output and call.arguments == request.arguments  # type: ignore[union-attr]
    assert approved.output[-1].type == "message"
    assert not [item for item in approved.output if item.type == "mcp_list_tools"]


@pytest.mark.mock_only
def test_mcp_without_approval_streams_the_call(client: openai.OpenAI, model: str) -> None:
    tool = {**MCP, "require_approval": "never"}
    with client.responses.stream(model=model, input="Roll dice", tools=[tool]) as stream:  # type: ignore[list-item]
        events = list(stream)
        final = stream.get_final_response()
    listing, call, _ = final.output
    assert inner_events(events, listing.id) == [
        "response.output_item.added",
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.output_item.done",
    ]
    assert inner_events(events, call.id) == [
        "response.output_item.added",
        "response.mcp_call.in_progress",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.completed",
        "response.output_item.done",
    ]


def test_reasoning_models_reason_first(client: openai.OpenAI, on_mock: bool) -> None:
    with client.responses.stream(
        model=REASONING_MODEL,
        input="What is 17 * 23? Think it through.",
        reasoning={"effort": "low", "summary": "auto"},
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    reasoning = final.output[0]
    assert reasoning.type == "reasoning" and reasoning.id.startswith("rs_")
    assert reasoning.encrypted_content is None
    assert final.usage is not None
    if reasoning.summary:
        types = inner_events(events, reasoning.id)
        assert types[:2] == ["response.output_item.added", "response.reasoning_summary_part.added"]
        assert types[-3:] == [
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
            "response.output_item.done",
        ]
    if on_mock:
        hidden = final.usage.output_tokens_details.reasoning_tokens
        assert reasoning.summary and hidden > 0 and hidden % 64 == 0


def test_encrypted_reasoning_only_when_included(client: openai.OpenAI) -> None:
    reply = client.responses.create(
        model=REASONING_MODEL,
        input="Hello, world!",
        include=["reasoning.encrypted_content"],
        store=False,
    )
    reasoning = reply.output[0]
    assert reasoning.type == "reasoning"
    assert isinstance(reasoning.encrypted_content, str) and reasoning.encrypted_content
