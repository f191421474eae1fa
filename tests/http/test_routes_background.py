"""Background mode end to end: polling, cancelling, failing, streaming, resuming, concurrency.

Time is a ManualClock throughout (streams included), except one test that runs a short timeline
on the system clock to exercise real waiting.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from mockserver import ManualClock, MockServer, ServerConfig, SystemClock, Timeline, create_app
from mockserver.state.lifecycle import SERVER_ERROR_MESSAGE

AUTH = {"authorization": "Bearer sk-test"}
JOB = {"model": "gpt-4o-mini", "input": "Tell me a bedtime story.", "background": True}
TIMELINE = Timeline(queued_seconds=1, run_seconds=2, seconds_per_token=0.01)


class App:
    def __init__(self, **config: Any) -> None:
        self.clock = ManualClock()
        self.app = create_app(
            ServerConfig(self_check=True, id_seed=11, background_timeline=TIMELINE, **config),
            clock=self.clock,
        )
        self.http = TestClient(self.app, headers=AUTH)

    def post(self, path: str, status: int = 200, **kw: Any) -> Any:
        reply = self.http.post(path, **kw)
        assert reply.status_code == status, reply.text
        return reply.json()

    def get(self, path: str, status: int = 200, **kw: Any) -> Any:
        reply = self.http.get(path, **kw)
        assert reply.status_code == status, reply.text
        return reply.json()


@pytest.fixture
def api() -> Iterator[App]:
    app = App()
    with app.http:
        yield app
    assert app.app.state.mock.take_failures() == []


def test_a_job_is_queued_then_in_progress_then_completed(api: App) -> None:
    reply = api.http.post("/v1/responses", json=JOB)
    created = reply.json()
    assert created["status"] == "queued" and created["background"] is True
    assert created["output"] == [] and created["usage"] is None
    assert created["service_tier"] == "auto" and created["completed_at"] is None
    # Recorded background creates carry no rate-limit headers.
    assert "x-ratelimit-limit-requests" not in reply.headers
    url = f"/v1/responses/{created['id']}"
    assert api.get(url) == created
    api.clock.advance(1)
    running = api.get(url)
    assert running["status"] == "in_progress" and running["output"] == []
    api.clock.advance(60)
    done = api.get(url)
    assert done["status"] == "completed" and done["service_tier"] == "default"
    assert done["output"][0]["content"][0]["text"].startswith('Mock reply to "Tell me a bedtime')
    assert done["usage"]["output_tokens"] > 0
    duration = 1 + 2 + 0.01 * done["usage"]["output_tokens"]
    assert done["completed_at"] == int(1_767_225_600 + duration)
    assert api.get(f"{url}/input_items")["data"][0]["content"][0]["text"] == JOB["input"]
    # The same answer as the same request in the foreground.
    foreground = api.post("/v1/responses", json={**JOB, "background": False})
    assert foreground["output"][0]["content"] == done["output"][0]["content"]


def test_chaining_on_a_running_job_sees_no_output_yet(api: App) -> None:
    job = api.post("/v1/responses", json=JOB)
    early = api.post("/v1/responses", json={"model": "gpt-4o-mini", "input": "And?",
                                            "previous_response_id": job["id"]})  # fmt: skip
    api.clock.advance(60)
    late = api.post("/v1/responses", json={"model": "gpt-4o-mini", "input": "And?",
                                           "previous_response_id": job["id"]})  # fmt: skip
    assert late["usage"]["input_tokens"] > early["usage"]["input_tokens"]


def test_cancel(api: App) -> None:
    job = api.post("/v1/responses", json=JOB)
    url = f"/v1/responses/{job['id']}"
    cancelled = api.post(f"{url}/cancel")
    assert cancelled["status"] == "cancelled" and cancelled["output"] == []
    assert cancelled["usage"] is None and cancelled["background"] is True
    api.clock.advance(60)
    assert api.post(f"{url}/cancel") == cancelled  # idempotent
    assert api.get(url)["status"] == "cancelled"
    running = api.post("/v1/responses", json=JOB)
    api.clock.advance(1.5)
    assert api.post(f"/v1/responses/{running['id']}/cancel")["status"] == "cancelled"
    finished = api.post("/v1/responses", json=JOB)
    api.clock.advance(60)
    # Cancelling a finished job returns it as it is.
    assert api.post(f"/v1/responses/{finished['id']}/cancel") == api.get(
        f"/v1/responses/{finished['id']}"
    )


def test_cancel_errors(api: App) -> None:
    foreground = api.post("/v1/responses", json={**JOB, "background": False})
    assert api.post(f"/v1/responses/{foreground['id']}/cancel", status=400)["error"] == {
        "message": "Cannot cancel a synchronous response.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    missing = api.post("/v1/responses/resp_missing/cancel", status=404)
    assert missing["error"]["message"] == "Response with id 'resp_missing' not found."
    unstored = api.post("/v1/responses", json={**JOB, "store": False}, status=400)
    assert unstored["error"]["param"] == "background"


def test_a_request_header_makes_a_job_fail(api: App) -> None:
    headers = {"x-mockserver-background-outcome": "failed"}
    job = api.post("/v1/responses", json=JOB, headers=headers)
    assert job["status"] == "queued"
    api.clock.advance(1.5)
    assert api.get(f"/v1/responses/{job['id']}")["status"] == "in_progress"
    api.clock.advance(60)
    failed = api.get(f"/v1/responses/{job['id']}")
    assert failed["status"] == "failed" and failed["output"] == [] and failed["usage"] is None
    assert failed["error"] == {"code": "server_error", "message": SERVER_ERROR_MESSAGE}
    wrong = api.post("/v1/responses", json=JOB, headers={"x-mockserver-background-outcome": "x"},
                     status=400)  # fmt: skip
    assert "x-mockserver-background-outcome" in wrong["error"]["message"]
    assert "'failed'" in wrong["error"]["message"]


def test_a_server_option_makes_every_job_fail() -> None:
    app = App(fail_background_jobs=True)
    with app.http:
        job = app.post("/v1/responses", json=JOB)
        app.clock.advance(60)
        assert app.get(f"/v1/responses/{job['id']}")["status"] == "failed"
        normal = app.post(
            "/v1/responses", json=JOB, headers={"x-mockserver-background-outcome": "completed"}
        )
        app.clock.advance(60)
        assert app.get(f"/v1/responses/{normal['id']}")["status"] == "completed"


def test_background_jobs_join_their_conversation_when_they_finish(api: App) -> None:
    conversation = api.post("/v1/conversations", json={})
    items_url = f"/v1/conversations/{conversation['id']}/items"
    job = api.post("/v1/responses", json={**JOB, "conversation": conversation["id"]})
    assert job["conversation"] == {"id": conversation["id"]}
    failing = api.post(
        "/v1/responses",
        json={**JOB, "conversation": conversation["id"]},
        headers={"x-mockserver-background-outcome": "failed"},
    )
    cancelled = api.post("/v1/responses", json={**JOB, "conversation": conversation["id"]})
    api.post(f"/v1/responses/{cancelled['id']}/cancel")
    assert api.get(items_url)["data"] == []
    api.clock.advance(60)
    items = api.get(items_url, params={"order": "asc"})["data"]
    done = api.get(f"/v1/responses/{job['id']}")
    assert [i["role"] for i in items] == ["user", "assistant"]
    assert items[1] == done["output"][0]
    assert api.get(f"/v1/responses/{failing['id']}")["status"] == "failed"
    assert len(api.get(items_url)["data"]) == 2  # settled once


# Streams: a real server on loopback, so that a stream can wait for the clock.


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(clock=ManualClock(), self_check=True, background_timeline=TIMELINE) as running:
        yield running


def sdk(server: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)


def advance_in_background(clock: ManualClock, steps: int, seconds: float) -> threading.Thread:
    def move() -> None:
        for _ in range(steps):
            time.sleep(0.002)
            clock.advance(seconds)

    thread = threading.Thread(target=move, daemon=True)
    thread.start()
    return thread


def test_a_dropped_stream_resumes_with_the_events_produced_meanwhile(server: MockServer) -> None:
    clock: ManualClock = server.state.clock  # type: ignore[assignment]
    client = sdk(server)
    seen = []
    with client.responses.create(**JOB, stream=True) as stream:
        for event in stream:
            seen.append(event)
            if event.type == "response.queued":
                break  # the client drops the connection
    assert [e.type for e in seen] == ["response.created", "response.queued"]
    assert seen[0].response.status == "queued"
    response_id = seen[0].response.id
    clock.advance(2)  # in progress, part of the output produced while nobody listens
    mover = advance_in_background(clock, 40, 0.1)
    resumed = list(client.responses.retrieve(response_id, stream=True, starting_after=1))
    mover.join()
    assert resumed[0].type == "response.in_progress" and resumed[0].sequence_number == 2
    assert [e.sequence_number for e in resumed] == list(range(2, 2 + len(resumed)))
    assert resumed[-1].type == "response.completed"
    whole = list(client.responses.retrieve(response_id, stream=True))
    assert [e.model_dump() for e in whole[2:]] == [e.model_dump() for e in resumed]
    assert resumed[-1].response.model_dump() == client.responses.retrieve(response_id).model_dump()
    # The SDK's own resume helper.
    with client.responses.stream(response_id=response_id, starting_after=5) as helper:
        events = list(helper)
        final = helper.get_final_response()
    assert events[0].sequence_number == 6 and final.status == "completed"


def test_streams_wait_for_events_that_are_not_due_yet(server: MockServer) -> None:
    clock: ManualClock = server.state.clock  # type: ignore[assignment]
    client = sdk(server)
    job = client.responses.create(**JOB)
    with client.responses.retrieve(job.id, stream=True) as stream:
        first = [next(iter(stream)) for _ in range(2)]
        assert [e.type for e in first] == ["response.created", "response.queued"]
        mover = advance_in_background(clock, 40, 0.1)
        rest = list(stream)
    mover.join()
    assert rest[0].type == "response.in_progress" and rest[-1].type == "response.completed"


def test_a_cancelled_stream_ends_without_a_terminal_event(server: MockServer) -> None:
    clock: ManualClock = server.state.clock  # type: ignore[assignment]
    client = sdk(server)
    job = client.responses.create(**JOB)
    clock.advance(1.5)
    client.responses.cancel(job.id)
    clock.advance(60)
    events = list(client.responses.retrieve(job.id, stream=True))
    types = [e.type for e in events]
    assert types[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert not {"response.completed", "response.failed"} & set(types)


def test_a_failed_stream_ends_with_response_failed(server: MockServer) -> None:
    client = sdk(server)
    server.state.clock.advance(0)  # type: ignore[attr-defined]
    job = client.responses.create(
        **JOB, extra_headers={"x-mockserver-background-outcome": "failed"}
    )
    server.state.clock.advance(60)  # type: ignore[attr-defined]
    events = list(client.responses.retrieve(job.id, stream=True))
    assert [e.type for e in events] == [
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.failed",
    ]
    assert events[-1].response.error is not None
    assert events[-1].response.error.code == "server_error"


def test_streams_stop_being_resumable_after_the_ttl(server: MockServer) -> None:
    client = sdk(server)
    job = client.responses.create(**JOB)
    server.state.clock.advance(301)  # type: ignore[attr-defined]
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.retrieve(job.id, stream=True, starting_after=3)
    assert caught.value.body == {
        "message": "This response can no longer be streamed because it is more than 5 minutes old.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    assert client.responses.retrieve(job.id).status == "completed"  # polling still works


def test_the_ttl_is_configurable() -> None:
    with MockServer(clock=ManualClock(), stream_resume_ttl=90) as server:
        client = sdk(server)
        job = client.responses.create(**JOB)
        server.state.clock.advance(91)  # type: ignore[attr-defined]
        with pytest.raises(openai.BadRequestError, match="more than 90 seconds old"):
            client.responses.retrieve(job.id, stream=True)


def test_real_time_streams_on_the_system_clock() -> None:
    quick = Timeline(queued_seconds=0.01, run_seconds=0.02, seconds_per_token=0.0005)
    with MockServer(background_timeline=quick, self_check=True) as server:
        assert isinstance(server.state.clock, SystemClock)
        client = sdk(server)
        with client.responses.stream(model="gpt-4o-mini", input="Hi", background=True) as stream:
            types = [event.type for event in stream]
            final = stream.get_final_response()
        assert types[:3] == ["response.created", "response.queued", "response.in_progress"]
        assert final.status == "completed"
        assert client.responses.retrieve(final.id).status == "completed"


def test_concurrent_jobs_and_appends_lose_nothing_and_all_finish() -> None:
    """200 background creates (half of them in one conversation) and 200 item appends to it, all
    at once; afterwards every job has finished and every item is there exactly once."""
    clock = ManualClock()
    with MockServer(clock=clock, background_timeline=TIMELINE) as server:
        conversation_id = sdk(server).conversations.create().id

        async def run() -> list[str]:
            # Plain httpx: the SDK's per-request overhead would dominate the test's run time.
            limits = httpx.Limits(max_connections=10, max_keepalive_connections=10)
            async with httpx.AsyncClient(
                base_url=server.base_url + "/", headers=AUTH, limits=limits, timeout=60
            ) as http:
                jobs = [
                    http.post(
                        "responses",
                        json={
                            "model": "gpt-4o-mini",
                            "input": f"job {n}",
                            "background": True,
                            **({"conversation": conversation_id} if n % 2 else {}),
                        },
                    )
                    for n in range(200)
                ]
                appends = [
                    http.post(
                        f"conversations/{conversation_id}/items",
                        json={
                            "items": [{"type": "message", "role": "user", "content": f"note {n}"}]
                        },
                    )
                    for n in range(200)
                ]
                replies = await asyncio.gather(*jobs, *appends)
                assert {reply.status_code for reply in replies} == {200}
                assert {reply.json()["status"] for reply in replies[:200]} == {"queued"}
                return [reply.json()["id"] for reply in replies[:200]]

        job_ids = asyncio.run(run())
        assert len(set(job_ids)) == 200
        clock.advance(60)
        client = sdk(server)
        assert {client.responses.retrieve(i).status for i in job_ids} == {"completed"}
        items = list(client.conversations.items.list(conversation_id, limit=100))
        texts = [item.content[0].text for item in items]  # type: ignore[union-attr]
        assert sorted(t for t in texts if t.startswith("note ")) == sorted(
            f"note {n}" for n in range(200)
        )
        assert sorted(t for t in texts if t.startswith("job ")) == sorted(
            f"job {n}" for n in range(1, 200, 2)
        )
        assert len(texts) == 200 + 2 * 100  # notes, then each job's input and answer
        assert len({item.id for item in items}) == len(items)
        server.raise_failures()


def test_background_stream_bodies_conform_to_the_schemas(server: MockServer) -> None:
    clock: ManualClock = server.state.clock  # type: ignore[assignment]
    job = sdk(server).responses.create(**JOB)
    clock.advance(60)
    reply = httpx.get(
        f"{server.base_url}/responses/{job.id}",
        params={"stream": "true", "starting_after": "2", "include_obfuscation": "false"},
        headers=AUTH,
    )
    events = [json.loads(line[6:]) for line in reply.text.splitlines() if line.startswith("data: ")]
    assert events[0]["sequence_number"] == 3
    assert not any("obfuscation" in event for event in events)
    server.raise_failures()


def test_a_request_header_sets_the_running_time(api: App) -> None:
    headers = {"x-mockserver-background-run-ms": "60000"}
    job = api.post("/v1/responses", json=JOB, headers=headers)
    api.clock.advance(30)
    assert api.get(f"/v1/responses/{job['id']}")["status"] == "in_progress"
    api.clock.advance(31)
    assert api.get(f"/v1/responses/{job['id']}")["status"] == "completed"
    for wrong in ("-1", "soon", "1e99"):
        error = api.post(
            "/v1/responses", json=JOB, headers={"x-mockserver-background-run-ms": wrong}, status=400
        )
        assert "x-mockserver-background-run-ms" in error["error"]["message"]
