"""Record mode against local upstreams only: the mock over HTTP, and small Starlette apps."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import openai
import pytest
from asgi_server import serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from mockserver import MockServer
from mockserver.recording.cassette import loads_cassette
from mockserver.recording.upstream import HTTPUpstream

CANARY = "sk-canary-7f3a9c2e4b1d8f6a0c5e9b2d7a4f1c8e"
CANARY_ORG = "org-CanaryOrganization0123"
CANARY_PROJECT = "proj_CanaryProject0123456"
FRAMES = [
    b'event: response.created\ndata: {"type":"response.created","sequence_number":0}',
    b"event: response.output_text.delta\n"
    b'data: {"type":"response.output_text.delta","delta":"Hi","sequence_number":1}',
    b'event: response.completed\ndata: {"type":"response.completed","sequence_number":2}',
]


def saved(recordings: Path, name: str = "c"):
    return loads_cassette((recordings / f"{name}.json").read_bytes(), name).interactions


def test_secrets_never_reach_disk(tmp_path: Path) -> None:
    with (
        MockServer() as upstream,
        MockServer(
            recordings=tmp_path, record_mode="all", upstream=upstream.base_url, cassette="c"
        ) as proxy,
    ):
        sdk = openai.OpenAI(
            base_url=proxy.base_url,
            api_key=CANARY,
            organization=CANARY_ORG,
            project=CANARY_PROJECT,
            max_retries=0,
        )
        answer = sdk.responses.create(
            model="gpt-4o-mini",
            input=f"my key is {CANARY}",
            metadata={"key": CANARY},
            user=CANARY_ORG,
        )
        with sdk.responses.stream(model="gpt-4o-mini", input=f"again {CANARY}") as stream:
            streamed = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        httpx.get(
            f"{proxy.base_url}/responses/{answer.id}",
            headers={"Authorization": f"Bearer {CANARY}", "Cookie": "s=1"},
        )
    assert (
        CANARY in answer.output_text and CANARY in streamed
    )  # the client got the answers unchanged
    files = list(tmp_path.rglob("*"))
    assert files == [tmp_path / "c.json"]
    written = (tmp_path / "c.json").read_text()
    for secret in (CANARY, CANARY_ORG, CANARY_PROJECT, CANARY[3:20], "Bearer", "s=1"):
        assert secret not in written
    assert written.count("[REDACTED]") > 5
    assert [i.source for i in saved(tmp_path)] == ["unverified"] * 3


def test_recording_our_own_server_over_http_replays_byte_for_byte(tmp_path: Path) -> None:
    body = {"model": "gpt-4o-mini", "input": "Hello", "stream": True}
    with (
        MockServer() as upstream,
        MockServer(
            recordings=tmp_path,
            record_mode="all",
            upstream=upstream.base_url,
            cassette="c",
            source="generated",
        ) as proxy,
    ):
        direct = httpx.post(
            f"{proxy.base_url}/responses", json=body, headers={"Authorization": "Bearer sk-x"}
        )
    [interaction] = saved(tmp_path)
    assert interaction.source == "generated"
    assert interaction.upstream == upstream.base_url
    assert interaction.response.content() == direct.content
    with MockServer(recordings=tmp_path, cassette="c") as replay:
        again = httpx.post(
            f"{replay.base_url}/responses", json=body, headers={"Authorization": "Bearer sk-x"}
        )
    assert again.content == direct.content
    assert again.headers["x-request-id"] == direct.headers["x-request-id"]


def gated_upstream(gate: threading.Event, finished: threading.Event) -> Starlette:
    async def create(request: Request) -> Response:
        async def frames() -> AsyncIterator[bytes]:
            yield FRAMES[0] + b"\n\n"
            # The rest only after the test has seen the first event arrive through the proxy.
            assert await asyncio.to_thread(gate.wait, 10), "the client never saw the first event"
            for frame in FRAMES[1:]:
                yield frame + b"\n\n"
            finished.set()

        return StreamingResponse(frames(), media_type="text/event-stream; charset=utf-8")

    return Starlette(routes=[Route("/v1/responses", create, methods=["POST"])])


def test_a_stream_passes_through_event_by_event(tmp_path: Path) -> None:
    gate, finished = threading.Event(), threading.Event()
    with (
        serve_app(gated_upstream(gate, finished)) as upstream,
        MockServer(
            recordings=tmp_path, record_mode="all", upstream=f"{upstream}/v1", cassette="c"
        ) as proxy,
    ):
        with httpx.stream(
            "POST",
            f"{proxy.base_url}/responses",
            json={"stream": True},
            headers={"Authorization": "Bearer k"},
        ) as reply:
            lines = reply.iter_lines()
            first_event = [next(lines), next(lines)]
            assert first_event == FRAMES[0].decode().split("\n")
            assert not finished.is_set()
            gate.set()
            rest = list(lines)
        assert finished.is_set()
    assert [line for line in rest if line.startswith("data: ")] == [
        f.split(b"\n")[1].decode() for f in FRAMES[1:]
    ]
    [interaction] = saved(tmp_path)
    assert [event.raw for event in interaction.response.events] == FRAMES
    first, *later = [event.at_ms for event in interaction.response.events]
    assert all(first <= at for at in later)


def test_an_unreachable_upstream_is_a_502_and_nothing_is_recorded(tmp_path: Path) -> None:
    with MockServer() as dead:
        url = dead.base_url
    with MockServer(recordings=tmp_path, record_mode="all", upstream=url, cassette="c") as proxy:
        answer = httpx.post(
            f"{proxy.base_url}/responses", json={}, headers={"Authorization": "Bearer k"}
        )
    assert answer.status_code == 502
    assert answer.json()["error"]["type"] == "mockserver_upstream_error"
    assert "could not reach the upstream" in answer.json()["error"]["message"]
    assert not (tmp_path / "c.json").exists()


def test_the_key_comes_from_the_client_or_else_from_openai_api_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    async def echo(request: Request) -> Response:
        seen.append(request.headers.get("authorization"))
        return JSONResponse({"ok": True})

    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    app = Starlette(routes=[Route("/v1/models", echo)])
    with (
        serve_app(app) as upstream,
        MockServer(
            recordings=tmp_path, record_mode="all", upstream=f"{upstream}/v1", cassette="c"
        ) as proxy,
    ):
        httpx.get(
            f"{proxy.base_url}/models", headers={"Authorization": "Bearer sk-client-key-0123456789"}
        )
        httpx.get(f"{proxy.base_url}/models")
    assert seen == ["Bearer sk-client-key-0123456789", f"Bearer {CANARY}"]
    assert CANARY not in (tmp_path / "c.json").read_text()


def test_the_real_api_is_labelled_live_and_other_upstreams_unverified() -> None:
    assert HTTPUpstream("https://api.openai.com/v1").default_source == "live"
    assert HTTPUpstream("http://127.0.0.1:9/v1").default_source == "unverified"
    assert HTTPUpstream("https://api.openai.com/v1").target("/v1/responses", "a=1") == (
        "https://api.openai.com/v1/responses?a=1"
    )


# --- real recorded traffic, served by a small upstream ------------------------------------------

WIRE = Path(__file__).resolve().parents[2].parent / "shared" / "wire"


def wire_cassettes() -> list[Path]:
    roots = [WIRE / "opentelemetry-python-contrib", WIRE / "llm-openai-plugin"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*.yaml"))


def test_real_recorded_traffic_records_and_replays_unchanged(tmp_path: Path) -> None:
    if not wire_cassettes():
        pytest.skip(f"no real recordings at {WIRE} (shared/wire is not part of this checkout)")
    from mockserver.recording.vcr_import import read_cassette

    # What the real API sent (bodies decompressed), in the order the cassettes hold them.
    real = [i for path in wire_cassettes() for i in read_cassette(path)]
    replies = [
        (i.response.status, i.response.headers.get("content-type", ""), i.response.content())
        for i in real
    ]
    served = iter(replies)

    async def answer(request: Request) -> Response:
        status, content_type, content = next(served)
        if content_type.startswith("text/event-stream"):
            frames = [frame + b"\n\n" for frame in content.split(b"\n\n") if frame]

            async def chunks() -> AsyncIterator[bytes]:
                for frame in frames:
                    yield frame

            return StreamingResponse(chunks(), status_code=status, media_type=content_type)
        return Response(content, status_code=status, media_type=content_type)

    app = Starlette(routes=[Route("/v1/responses", answer, methods=["POST"])])
    requests = [(i.request.path, i.request.body) for i in real]
    with (
        serve_app(app) as upstream,
        MockServer(
            recordings=tmp_path, record_mode="all", upstream=f"{upstream}/v1", cassette="c"
        ) as proxy,
    ):
        through = [
            httpx.post(
                f"http://127.0.0.1:{proxy.port}{path}",
                content=body,
                headers={"Authorization": "Bearer k"},
            )
            for path, body in requests
        ]
    assert [r.content for r in through] == [content for _, _, content in replies]
    with MockServer(recordings=tmp_path, cassette="c") as replay:
        again = [
            httpx.post(
                f"http://127.0.0.1:{replay.port}{path}",
                content=body,
                headers={"Authorization": "Bearer k"},
            )
            for path, body in requests
        ]
    assert [(r.status_code, r.content) for r in again] == [(s, c) for s, _, c in replies]
