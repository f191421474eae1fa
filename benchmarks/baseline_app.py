"""Bare Starlette baseline for the benchmarks.

It answers ``POST /v1/responses`` with precomputed bytes and does nothing else: no
validation, no ids, no store, no token counting. The bytes are the ones the runner
captured ONCE from our server at the start of a run (``--capture-dir``), so both
servers put identical bodies on the wire:

* ``response.json``  - the non-streaming JSON body, sent as one ``Response``;
* ``stream.sse``     - the full SSE stream, split into frames at ``\\n\\n`` and sent
                        as a ``StreamingResponse`` with one chunk per event, the way
                        a real streaming server flushes events one by one;
* ``headers.json``   - the response headers our server sent with each answer
                        (``content-type``, ``x-request-id`` and the like), replayed
                        so the headers on the wire match too.

The only per-request work is reading the body and parsing it with orjson to decide
between the two answers, which any server has to do for "the same request".

``--sample`` serves a small synthetic response instead, so the runner can be checked
end to end before our server exists (``run.py --ours-cmd ... --sample``).

Run it under uvicorn with the same settings as ours: ``--loop``/``--http`` default to
uvicorn's own defaults (``auto``: uvloop + httptools when installed), one worker,
access log off.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

# Headers that uvicorn/Starlette compute themselves; never replayed from a capture.
_SKIP_HEADERS = frozenset({"content-length", "date", "server", "transfer-encoding", "connection"})


@dataclass(frozen=True)
class Payload:
    """The precomputed answers the baseline serves."""

    json_body: bytes
    sse_frames: tuple[bytes, ...]
    json_headers: dict[str, str] = field(
        default_factory=lambda: {"content-type": "application/json"}
    )
    stream_headers: dict[str, str] = field(
        default_factory=lambda: {"content-type": "text/event-stream; charset=utf-8"}
    )


def split_sse(stream: bytes) -> tuple[bytes, ...]:
    """Split an SSE byte stream into frames, each ending with its blank line."""
    frames: list[bytes] = []
    for part in stream.split(b"\n\n"):
        if part.strip():
            frames.append(part + b"\n\n")
    return tuple(frames)


def sample_payload() -> Payload:
    """A small, plausible Responses API answer for checking the harness alone."""
    text_parts = ["Hello", "!", " How", " can", " I", " help", " you", " today", "?"]
    text = "".join(text_parts)
    msg_id = "msg_sample0001"
    message = {
        "id": msg_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }
    response = {
        "id": "resp_sample0001",
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": "gpt-4o-mini",
        "output": [message],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 8,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": len(text_parts),
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 8 + len(text_parts),
        },
        "user": None,
        "metadata": {},
    }
    in_progress = {**response, "status": "in_progress", "output": [], "usage": None}
    events: list[dict[str, object]] = [
        {"type": "response.created", "response": in_progress},
        {"type": "response.in_progress", "response": in_progress},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        {
            "type": "response.content_part.added",
            "item_id": msg_id,
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
    ]
    for part in text_parts:
        events.append(
            {
                "type": "response.output_text.delta",
                "item_id": msg_id,
                "output_index": 0,
                "content_index": 0,
                "delta": part,
                "logprobs": [],
            }
        )
    events += [
        {
            "type": "response.output_text.done",
            "item_id": msg_id,
            "output_index": 0,
            "content_index": 0,
            "text": text,
            "logprobs": [],
        },
        {
            "type": "response.content_part.done",
            "item_id": msg_id,
            "output_index": 0,
            "content_index": 0,
            "part": message["content"][0],  # type: ignore[index]
        },
        {"type": "response.output_item.done", "output_index": 0, "item": message},
        {"type": "response.completed", "response": response},
    ]
    frames = []
    for seq, event in enumerate(events):
        data = orjson.dumps({**event, "sequence_number": seq})
        frames.append(b"event: %s\ndata: %s\n\n" % (str(event["type"]).encode(), data))
    return Payload(json_body=orjson.dumps(response), sse_frames=tuple(frames))


def load_capture(capture_dir: Path) -> Payload:
    """Load the bytes the runner captured from our server."""
    raw = json.loads((capture_dir / "headers.json").read_text())
    return Payload(
        json_body=(capture_dir / "response.json").read_bytes(),
        sse_frames=split_sse((capture_dir / "stream.sse").read_bytes()),
        json_headers=replayable_headers(raw["json"]),
        stream_headers=replayable_headers(raw["stream"]),
    )


def replayable_headers(headers: dict[str, str]) -> dict[str, str]:
    """Drop the headers uvicorn/Starlette set themselves from a captured set."""
    return {k.lower(): v for k, v in headers.items() if k.lower() not in _SKIP_HEADERS}


def build_app(payload: Payload) -> Starlette:
    """A Starlette app with one route that replays ``payload``."""
    json_body = payload.json_body
    frames = payload.sse_frames
    json_headers = dict(payload.json_headers)
    stream_headers = dict(payload.stream_headers)

    async def _frames() -> AsyncIterator[bytes]:
        for frame in frames:
            yield frame

    async def create_response(request: Request) -> Response:
        body = await request.body()
        try:
            stream = bool(orjson.loads(body).get("stream")) if body else False
        except (orjson.JSONDecodeError, AttributeError):
            stream = False
        if stream:
            return StreamingResponse(_frames(), headers=stream_headers)
        return Response(json_body, headers=json_headers)

    return Starlette(routes=[Route("/v1/responses", create_response, methods=["POST"])])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--capture-dir", type=Path, help="directory written by run.py")
    source.add_argument("--sample", action="store_true", help="serve a built-in sample")
    parser.add_argument("--loop", default="auto", help="uvicorn --loop (default: auto)")
    parser.add_argument("--http", default="auto", help="uvicorn --http (default: auto)")
    args = parser.parse_args(argv)

    payload = sample_payload() if args.sample else load_capture(args.capture_dir)
    uvicorn.run(
        build_app(payload),
        host=args.host,
        port=args.port,
        workers=1,
        loop=args.loop,
        http=args.http,
        access_log=False,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
