"""The inspector: its page and files, its live feed, and its view of the store.

The page itself runs in a real browser in tests/test_browser.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import orjson
import pytest
from starlette.testclient import TestClient

from mockserver import ManualClock, MockServer, ServerConfig, create_app
from mockserver.http.inspector import ASSETS, PREFIX, asset, parse_frames, store_view
from mockserver.http.routes.inspector import event_stream, resume_point
from mockserver.state.lifecycle import BackgroundJob
from mockserver.state.mock_state import MockState
from mockserver.state.store import MemoryStore, StoredConversation, StoredResponse

CREATE = {"model": "gpt-4o-mini", "input": "hi"}
AUTH = {"authorization": "Bearer sk-test"}


def frame(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: ".encode() + orjson.dumps(event) + b"\n\n"


def messages(raw: bytes) -> list[tuple[str, Any]]:
    """(event name, parsed data) of each message in an SSE body; ``id`` lines as ("id", id)."""
    found: list[tuple[str, Any]] = []
    for block in raw.split(b"\n\n"):
        fields = dict(line.split(": ", 1) for line in block.decode().split("\n") if ": " in line)
        if "data" in fields:
            found.append((fields.get("event", "message"), orjson.loads(fields["data"])))
        elif "id" in fields:
            found.append(("id", fields["id"]))
    return found


# ---- the page and its files ------------------------------------------------------------------


def test_page_and_files_need_the_key_and_stay_out_of_the_journal() -> None:
    client = TestClient(create_app(ServerConfig(self_check=True, api_key="sk-only-this")))
    assert client.get(PREFIX).status_code == 401
    assert client.get(f"{PREFIX}/state").status_code == 401
    client.auth = ("", "sk-only-this")  # HTTP basic auth, as a browser sends after its prompt
    page = client.get(PREFIX)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f'src="{PREFIX}/inspector.js"' in page.text
    assert f'href="{PREFIX}/inspector.css"' in page.text
    for name in ("inspector.js", "inspector.css"):
        reply = client.get(f"{PREFIX}/{name}")
        assert reply.status_code == 200
        assert reply.headers["content-type"] == ASSETS[name]
        assert reply.content == asset(name)
    assert client.get(f"{PREFIX}/state").status_code == 200
    assert client.get(f"{PREFIX}/secrets.txt").status_code == 404
    state = client.app.state.mock  # type: ignore[attr-defined]
    assert len(state.journal) == 0
    assert state.take_failures() == []


def test_a_trailing_slash_leads_to_the_page() -> None:
    reply = TestClient(create_app()).get(f"{PREFIX}/", follow_redirects=False)
    assert reply.status_code == 307
    assert reply.headers["location"] == PREFIX


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_the_page_loads_nothing_from_anywhere_else(name: str) -> None:
    text = asset(name).decode()
    assert not re.search(r"https?:|//[a-z]", text, re.I), f"{name} refers to another site"
    if name == "inspector.js":
        for url in re.findall(r"(?:fetch|EventSource)\((`[^`]*`|\"[^\"]*\")", text):
            assert url.startswith("`${PREFIX}/"), url


def test_api_routes_still_answer_like_the_api_under_the_reserved_prefix() -> None:
    reply = TestClient(create_app()).get("/__mockserver/inspectorx")
    assert reply.status_code == 404
    assert reply.json()["error"]["message"] == "Invalid URL (GET /__mockserver/inspectorx)"


# ---- reading a stream as it is written ------------------------------------------------------


def test_parse_frames_leaves_a_frame_being_written_for_later() -> None:
    first, second, third = ({"type": "t", "n": n} for n in range(3))
    body = bytearray(frame(first) + frame(second) + frame(third)[:10])
    events, offset = parse_frames(body)
    assert events == [first, second]
    assert parse_frames(body, offset) == ([], offset)
    body += frame(third)[10:]
    assert parse_frames(body, offset) == ([third], len(body))
    assert parse_frames(b"") == ([], 0)


# ---- the live feed ---------------------------------------------------------------------------


def start(state: MockState, path: str = "/v1/responses") -> Any:
    return state.journal.start(
        request_id="req_x",
        started_at=1.0,
        method="POST",
        path=path,
        query="",
        request_headers={},
        request_body=b'{"stream": true}',
    )


async def next_chunk(feed: AsyncIterator[bytes]) -> list[tuple[str, Any]]:
    return messages(await asyncio.wait_for(anext(feed), 5))


async def test_feed_sends_a_stream_event_by_event_then_ends_when_idle() -> None:
    state = MockState()
    exchange = start(state)
    events = [{"type": f"response.e{n}", "sequence_number": n} for n in range(4)]
    feed = event_stream(state, lifetime=0.2, server="s1")

    hello, (name, view) = await next_chunk(feed)
    assert hello == ("hello", {"server": "s1"})
    assert (name, view["seq"], view["status"], view["finished"]) == ("exchange", 1, None, False)
    assert view["request_body"] == {"stream": True}

    exchange.status = 200
    exchange.response_headers = {"content-type": "text/event-stream; charset=utf-8"}
    exchange.response_body += frame(events[0]) + frame(events[1]) + frame(events[2])[:15]
    [(name, view)] = await next_chunk(feed)
    assert (name, view["status"], view["events"]) == ("exchange", 200, events[:2])

    exchange.response_body += frame(events[2])[15:] + frame(events[3])
    assert await next_chunk(feed) == [("events", {"seq": 1, "start": 2, "events": events[2:]})]

    state.journal.finish(exchange)
    [(name, view), cursor] = await next_chunk(feed)
    assert (name, view["finished"], view["events"]) == ("exchange", True, events)
    assert cursor == ("id", "s1.1")

    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(feed), 5)


async def test_feed_resumes_after_the_last_id() -> None:
    state = MockState()
    for _ in range(3):
        state.journal.finish(start(state))
    feed = event_stream(state, after=2, lifetime=0.05, server="s1")
    sent = await next_chunk(feed)
    assert [data["seq"] for name, data in sent if name == "exchange"] == [3]
    assert sent[-1] == ("id", "s1.3")
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(feed), 5)


async def test_feed_keeps_the_cursor_below_a_reply_still_in_flight() -> None:
    state = MockState()
    slow = start(state)
    state.journal.finish(start(state))
    feed = event_stream(state, lifetime=0.05)
    sent = await next_chunk(feed)
    assert [data["seq"] for name, data in sent if name == "exchange"] == [1, 2]
    assert sent[-1][0] == "exchange", "no id: nothing is complete below seq 1"
    state.journal.finish(slow)
    assert (await next_chunk(feed))[-1] == ("id", ".2")


@pytest.mark.parametrize(
    ("last_event_id", "after"),
    [("s1.7", 7), ("s1.0", 0), ("old.7", 0), ("7", 0), ("", 0), ("s1.x", 0), ("s1.-1", 0)],
)
def test_a_page_resumes_only_on_the_server_it_was_reading(last_event_id: str, after: int) -> None:
    assert resume_point(last_event_id, "s1") == after


def test_feed_over_http_shows_a_request_and_ends_by_itself(
    mock_server: MockServer, openai_client: openai.OpenAI
) -> None:
    with openai_client.responses.with_streaming_response.create(
        model="gpt-4o-mini", input="watch me", stream=True
    ) as raw:
        request_id = raw.headers["x-request-id"]
        received = list(raw.parse())
    url = f"{mock_server.url}{PREFIX}/events"
    with httpx.stream("GET", url, timeout=10) as reply:
        assert reply.headers["content-type"] == "text/event-stream; charset=utf-8"
        sent = messages(reply.read())  # returns: the feed ends once idle
    views = [data for name, data in sent if name == "exchange"]
    [mine] = [view for view in views if view["request_id"] == request_id]
    assert mine["finished"] and mine["status"] == 200
    assert mine["request_body"]["input"] == "watch me"
    assert [e["type"] for e in mine["events"]] == [e.type for e in received]
    assert not [view for view in views if view["path"].startswith("/__mockserver")]
    [hello] = [data for name, data in sent if name == "hello"]
    last_id = [data for name, data in sent if name == "id"][-1]
    assert last_id == f"{hello['server']}.{mine['seq']}"
    with httpx.stream("GET", url, headers={"last-event-id": last_id}, timeout=10) as again:
        assert messages(again.read()) == [("hello", hello)]
    restarted = {"last-event-id": f"another-server.{mine['seq']}"}
    with httpx.stream("GET", url, headers=restarted, timeout=10) as afresh:
        resent = [data for name, data in messages(afresh.read()) if name == "exchange"]
        assert request_id in [view["request_id"] for view in resent]
    assert [entry.path for entry in mock_server.state.journal] == ["/v1/responses"]


# ---- the store -------------------------------------------------------------------------------


def test_state_lists_stored_responses_newest_first_with_their_items() -> None:
    client = TestClient(create_app(ServerConfig(self_check=True)))
    first = client.post("/v1/responses", json={**CREATE, "input": "one"}, headers=AUTH).json()
    second = client.post(
        "/v1/responses",
        json={**CREATE, "input": "two", "previous_response_id": first["id"]},
        headers=AUTH,
    ).json()
    client.post("/v1/responses", json={**CREATE, "store": False}, headers=AUTH)
    state = client.get(f"{PREFIX}/state").json()
    assert [r["response"]["id"] for r in state["responses"]] == [second["id"], first["id"]]
    assert state["responses"][0]["response"] == second
    [item] = state["responses"][0]["input_items"]
    assert item["content"][0]["text"] == "two"
    assert state["background"] == [] and state["conversations"] == []


def test_background_jobs_show_their_state_now() -> None:
    clock = ManualClock()
    client = TestClient(create_app(ServerConfig(self_check=True), clock=clock))
    created = client.post("/v1/responses", json={**CREATE, "background": True}, headers=AUTH).json()
    [job] = client.get(f"{PREFIX}/state").json()["background"]
    assert (job["id"], job["status"]) == (created["id"], "queued")
    clock.advance(60)
    state = client.get(f"{PREFIX}/state").json()
    assert state["background"][0]["status"] == "completed"
    assert state["responses"][0]["response"]["status"] == "completed"


def test_conversations_are_shown_newest_first_with_their_items() -> None:
    store = MemoryStore()
    store.put_conversation(
        StoredConversation({"id": "conv_old", "created_at": 1}, [{"type": "message"}])
    )
    store.put_conversation(StoredConversation({"id": "conv_new", "created_at": 2}, []))
    view = store_view(store, now=0.0)
    assert [c["conversation"]["id"] for c in view["conversations"]] == ["conv_new", "conv_old"]
    assert view["conversations"][1]["items"] == [{"type": "message"}]


# ---- cost (#16: /state serialised a 187k-response store on the event loop, 9-14 s) -----------


def test_state_sends_only_the_newest_n_with_the_totals() -> None:
    client = TestClient(create_app(ServerConfig(self_check=True)))
    ids = [
        client.post("/v1/responses", json={**CREATE, "input": f"n{i}"}, headers=AUTH).json()["id"]
        for i in range(7)
    ]
    state = client.get(f"{PREFIX}/state", params={"limit": 3}).json()
    assert state["limit"] == 3 and state["totals"]["responses"] == 7
    assert [r["response"]["id"] for r in state["responses"]] == ids[:-4:-1]
    assert client.get(f"{PREFIX}/state").json()["limit"] == 50
    for bad in ("0", "501", " +5"):
        assert client.get(f"{PREFIX}/state", params={"limit": bad}).status_code == 400


async def test_state_is_made_off_the_event_loop_so_other_requests_go_on() -> None:
    import threading

    class SlowStore(MemoryStore):
        """A store whose reading blocks until the test lets it go (a slow shared store)."""

        def __init__(self) -> None:
            super().__init__()
            self.release = threading.Event()

        def newest_responses(self, limit: int, before: str | None = None) -> Any:
            self.release.wait(timeout=30)
            return super().newest_responses(limit, before)

    store = SlowStore()
    app = create_app(ServerConfig(self_check=True), store=store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        state = asyncio.create_task(client.get(f"{PREFIX}/state"))
        await asyncio.sleep(0.05)
        created = await client.post("/v1/responses", json=CREATE, headers=AUTH)
        assert created.status_code == 200 and not state.done()  # served while /state works
        store.release.set()
        assert (await state).status_code == 200


def test_the_same_state_is_shared_until_a_new_request_arrives() -> None:
    calls = []

    class CountingStore(MemoryStore):
        def newest_responses(self, limit: int, before: str | None = None) -> Any:
            calls.append(1)
            return super().newest_responses(limit, before)

    client = TestClient(create_app(ServerConfig(), store=CountingStore(), clock=ManualClock()))
    client.get(f"{PREFIX}/state")
    client.get(f"{PREFIX}/state")
    assert len(calls) == 1
    client.post("/v1/responses", json=CREATE, headers=AUTH)
    client.get(f"{PREFIX}/state")
    assert len(calls) == 2


class WholeStoreRefused(MemoryStore):
    """A store that fails the test if anything lists it whole."""

    def list_responses(self) -> Any:
        raise AssertionError("the inspector listed every stored response")

    def list_conversations(self) -> Any:
        raise AssertionError("the inspector listed every stored conversation")


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many records the memory store decodes (what a view costs beyond counters)."""
    from mockserver.state.store import memory

    counts = {"responses": 0, "conversations": 0}
    for name, kind in (("decode_response", "responses"), ("decode_conversation", "conversations")):
        original = getattr(memory, name)

        def counting(blob: bytes, original: Any = original, kind: str = kind) -> Any:
            counts[kind] += 1
            return original(blob)

        monkeypatch.setattr(memory, name, counting)
    return counts


def big_store(responses: int, conversations: int) -> WholeStoreRefused:
    store = WholeStoreRefused()
    for n in range(responses):
        job = BackgroundJob(1.0, 1.0, 2.0, "completed") if n % 10 == 0 else None
        body = {"id": f"resp_{n:05}", "object": "response", "created_at": n, "output": []}
        store.put_response(StoredResponse(body, [{"type": "message"}], job=job))
    for n in range(conversations):
        store.put_conversation(StoredConversation({"id": f"conv_{n:05}", "created_at": n}))
    return store


def test_the_state_view_reads_only_the_newest_whatever_the_store_holds(
    decoded: dict[str, int],
) -> None:
    store = big_store(6000, 3000)
    client = TestClient(create_app(ServerConfig(self_check=True), store=store))
    decoded.update(responses=0, conversations=0)
    state = client.get(f"{PREFIX}/state", params={"limit": 3}).json()
    # 3 responses and 3 background jobs, 3 conversations: not 6,000 and 3,000
    assert decoded == {"responses": 6, "conversations": 3}
    assert state["totals"] == {"responses": 6000, "conversations": 3000, "background": 600}
    assert [r["response"]["id"] for r in state["responses"]] == [
        "resp_05999", "resp_05998", "resp_05997"
    ]
    assert [j["id"] for j in state["background"]] == ["resp_05990", "resp_05980", "resp_05970"]
    assert [c["conversation"]["id"] for c in state["conversations"]] == [
        "conv_02999", "conv_02998", "conv_02997"
    ]


def test_a_page_reads_only_its_own_records(decoded: dict[str, int]) -> None:
    store = big_store(6000, 0)
    client = TestClient(create_app(ServerConfig(self_check=True), store=store))
    decoded.update(responses=0)
    page = client.get(
        f"{PREFIX}/state/responses", params={"limit": 5, "before": "resp_03000"}
    ).json()
    expected = [f"resp_0{n}" for n in range(2999, 2994, -1)]
    assert [r["response"]["id"] for r in page["data"]] == expected
    assert decoded["responses"] == 6  # the page and one more, to know whether there is more


# ---- paging one list -------------------------------------------------------------------------


def test_each_list_pages_newest_first_with_a_cursor() -> None:
    client = TestClient(create_app(ServerConfig(self_check=True)))
    ids = [
        client.post("/v1/responses", json={**CREATE, "input": f"n{i}"}, headers=AUTH).json()["id"]
        for i in range(5)
    ]
    first = client.get(f"{PREFIX}/state/responses", params={"limit": 2}).json()
    assert first["object"] == "list" and first["has_more"] and first["total"] == 5
    assert [r["response"]["id"] for r in first["data"]] == [ids[4], ids[3]]
    assert (first["first_id"], first["last_id"]) == (ids[4], ids[3])
    seen = [r["response"]["id"] for r in first["data"]]
    cursor = first["last_id"]
    while True:
        page = client.get(
            f"{PREFIX}/state/responses", params={"limit": 2, "before": cursor}
        ).json()
        seen += [r["response"]["id"] for r in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["last_id"]
    assert seen == ids[::-1] and page["last_id"] == ids[0]
    last = client.get(f"{PREFIX}/state/responses", params={"before": ids[0]}).json()
    assert last["data"] == [] and not last["has_more"] and last["first_id"] is None


def test_background_and_conversation_pages() -> None:
    clock = ManualClock()
    client = TestClient(create_app(ServerConfig(self_check=True), clock=clock))
    jobs = [
        client.post("/v1/responses", json={**CREATE, "background": True}, headers=AUTH).json()
        for _ in range(3)
    ]
    client.post("/v1/responses", json=CREATE, headers=AUTH)
    page = client.get(f"{PREFIX}/state/background", params={"limit": 2}).json()
    assert [j["id"] for j in page["data"]] == [jobs[2]["id"], jobs[1]["id"]]
    assert page["data"][0]["status"] == "queued" and page["total"] == 3 and page["has_more"]
    conversations = [
        client.post("/v1/conversations", json={}, headers=AUTH).json() for _ in range(3)
    ]
    page = client.get(
        f"{PREFIX}/state/conversations", params={"before": conversations[2]["id"]}
    ).json()
    assert [c["conversation"]["id"] for c in page["data"]] == [
        conversations[1]["id"], conversations[0]["id"]
    ]
    assert page["data"][0]["items"] == [] and not page["has_more"]


def test_bad_paging_gets_the_api_error_shape() -> None:
    client = TestClient(create_app(ServerConfig(self_check=True)))
    client.post("/v1/responses", json=CREATE, headers=AUTH)
    for params, status, param in (
        ({"limit": "0"}, 400, "limit"),
        ({"limit": "501"}, 400, "limit"),
        ({"limit": "x"}, 400, "limit"),
        ({"before": ""}, 400, "before"),
        ({"before": "resp_gone"}, 404, "before"),
    ):
        reply = client.get(f"{PREFIX}/state/responses", params=params)
        assert reply.status_code == status, params
        error = reply.json()["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["param"] == param
    reply = client.get(f"{PREFIX}/state/everything")
    assert reply.status_code == 404
    assert "responses, conversations, background" in reply.json()["error"]["message"]
