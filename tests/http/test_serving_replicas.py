"""Several real ``mockserver serve`` processes sharing one store (SQLite file or real Redis):
any replica answers for any other, appends are atomic, background jobs have one fate, state
survives a kill -9 and a restart, and ``reset`` returns to the start-up state everywhere."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson
import pytest
from serve_process import ServeProcess, free_port, serving

AUTH = {"authorization": "Bearer sk-test"}
CREATE = {"model": "gpt-4o-mini", "input": "Hello there"}


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'state.db'}"
    return f"{request.getfixturevalue('redis_url')}?prefix=replicas{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def started_replicas(
    store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    """Two replicas on one store, started once per backend (starting is the slow part)."""
    tmp_path = tmp_path_factory.mktemp("replicas")
    seed = tmp_path / "seed.json"
    seed.write_bytes(
        orjson.dumps(
            {
                "responses": [{"id": "resp_seeded", "output": [], "created_at": 1}],
                "conversations": [
                    {"id": "conv_seeded", "items": [{"role": "user", "content": "x"}]}
                ],
            }
        )
    )
    stubs = tmp_path / "stubs.yaml"
    stubs.write_text("- name: once\n  match: {input: one-shot}\n  times: 1\n  answer: Only once.\n")
    argv = [
        "--store",
        store_url,
        "--seed",
        str(seed),
        "--stubs",
        str(stubs),
        "--background-queue-ms",
        "0",
    ]
    with (
        serving(argv, tmp_path / "a.log") as first,
        serving(argv, tmp_path / "b.log") as second,
    ):
        yield first, second


@pytest.fixture
def replicas(
    started_replicas: tuple[ServeProcess, ServeProcess],
) -> tuple[ServeProcess, ServeProcess]:
    httpx.post(f"{started_replicas[0].url}/__mockserver/reset").raise_for_status()
    return started_replicas


def post(server: ServeProcess, path: str, body: dict, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{path}", json=body, headers={**AUTH, **headers}, timeout=60
    )


def get(server: ServeProcess, path: str) -> httpx.Response:
    return httpx.get(f"{server.base_url}{path}", headers=AUTH, timeout=60)


def all_items(server: ServeProcess, conversation_id: str) -> list[dict]:
    items: list[dict] = []
    after = ""
    while True:
        page = get(server, f"/conversations/{conversation_id}/items?order=asc&limit=100{after}")
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["data"]
        if not body["has_more"]:
            return items
        after = f"&after={body['last_id']}"


def test_any_replica_answers_for_the_other(replicas: tuple[ServeProcess, ServeProcess]) -> None:
    first, second = replicas
    created = post(first, "/responses", CREATE).json()
    assert get(second, f"/responses/{created['id']}").json() == created
    chained = post(second, "/responses", {**CREATE, "previous_response_id": created["id"]})
    assert chained.status_code == 200, chained.text
    items = get(first, f"/responses/{chained.json()['id']}/input_items").json()
    assert [i["content"][0]["text"] for i in items["data"]] == ["Hello there"]
    assert (
        httpx.delete(f"{second.base_url}/responses/{created['id']}", headers=AUTH).status_code
        == 200
    )
    assert get(first, f"/responses/{created['id']}").status_code == 404


def test_200_concurrent_appends_through_two_replicas_lose_nothing(
    replicas: tuple[ServeProcess, ServeProcess],
) -> None:
    first, second = replicas
    conversation = post(first, "/conversations", {}).json()["id"]

    def append(n: int) -> str:
        server = (first, second)[n % 2]
        body = {"items": [{"type": "message", "role": "user", "content": f"item {n}"}]}
        reply = post(server, f"/conversations/{conversation}/items", body)
        assert reply.status_code == 200, reply.text
        return reply.json()["data"][0]["id"]

    def turn(n: int) -> str:
        server = (first, second)[n % 2]
        reply = post(
            server, "/responses", {**CREATE, "input": f"turn {n}", "conversation": conversation}
        )
        assert reply.status_code == 200, reply.text
        return reply.json()["id"]

    with ThreadPoolExecutor(16) as pool:
        appended = list(pool.map(append, range(180)))
        turns = list(pool.map(turn, range(20)))
    items = all_items(second, conversation)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == 180 + 20 * 2  # each turn adds its input and its output
    assert set(appended) <= set(ids)
    texts = [i["content"][0]["text"] for i in items if i.get("role") == "user"]
    assert sorted(texts) == sorted(
        [f"item {n}" for n in range(180)] + [f"turn {n}" for n in range(20)]
    )
    assert len(turns) == len(set(turns)) == 20


def test_a_background_job_has_one_fate_on_every_replica(
    replicas: tuple[ServeProcess, ServeProcess],
) -> None:
    first, second = replicas
    job = post(
        first,
        "/responses",
        {**CREATE, "background": True},
        **{"x-mockserver-background-run-ms": "600000"},
    ).json()
    assert get(second, f"/responses/{job['id']}").json()["status"] in ("queued", "in_progress")
    with ThreadPoolExecutor(8) as pool:
        cancels = list(
            pool.map(
                lambda n: post((first, second)[n % 2], f"/responses/{job['id']}/cancel", {}).json(),
                range(8),
            )
        )
    assert {c["status"] for c in cancels} == {"cancelled"}
    assert get(first, f"/responses/{job['id']}").json()["status"] == "cancelled"
    # The stream, resumed on the other replica, ends where the cancellation cut it.
    resumed = get(second, f"/responses/{job['id']}?stream=true&starting_after=0")
    assert "response.completed" not in resumed.text

    done = post(
        second,
        "/responses",
        {**CREATE, "background": True},
        **{"x-mockserver-background-run-ms": "200"},
    ).json()
    streamed = get(first, f"/responses/{done['id']}?stream=true&starting_after=1")
    assert streamed.status_code == 200 and "event: response.completed" in streamed.text
    assert get(second, f"/responses/{done['id']}").json()["status"] == "completed"


def test_stub_counters_are_shared(replicas: tuple[ServeProcess, ServeProcess]) -> None:
    first, second = replicas
    answers = [
        post(server, "/responses", {**CREATE, "input": "one-shot please"}).json()
        for server in (first, second, first)
    ]
    texts = [a["output"][0]["content"][0]["text"] for a in answers]
    assert texts.count("Only once.") == 1
    stubs = httpx.get(f"{second.url}/__mockserver/stubs").json()["data"]
    assert (stubs[0]["calls"], stubs[0]["answered"]) == (3, 1)


def test_reset_returns_every_replica_to_the_start_up_state(
    replicas: tuple[ServeProcess, ServeProcess],
) -> None:
    first, second = replicas
    created = post(first, "/responses", CREATE).json()
    post(
        first,
        "/conversations/conv_seeded/items",
        {"items": [{"type": "message", "role": "user", "content": "more"}]},
    )
    post(second, "/responses", {**CREATE, "input": "one-shot"})
    assert httpx.post(f"{second.url}/__mockserver/reset").json() == {"reset": True}
    assert get(first, f"/responses/{created['id']}").status_code == 404
    assert get(first, "/responses/resp_seeded").status_code == 200
    assert len(all_items(first, "conv_seeded")) == 1
    stubs = httpx.get(f"{first.url}/__mockserver/stubs").json()["data"]
    assert (stubs[0]["calls"], stubs[0]["answered"]) == (0, 0)


def test_kill_9_and_restart_lose_no_acknowledged_write(
    store_url: str, tmp_path: Path, started_replicas: tuple[ServeProcess, ServeProcess]
) -> None:
    """A replica killed with kill -9 and restarted still has every acknowledged write (the
    other replica keeps serving meanwhile)."""
    argv = ["--store", store_url, "--background-queue-ms", "0", "--background-run-ms", "100"]
    with serving(argv, tmp_path / "a.log") as first:
        conversation = post(first, "/conversations", {}).json()["id"]
        acknowledged: dict[str, list[str]] = {"responses": [], "items": [], "jobs": []}
        for n in range(30):
            acknowledged["responses"].append(post(first, "/responses", CREATE).json()["id"])
            reply = post(
                first,
                f"/conversations/{conversation}/items",
                {"items": [{"type": "message", "role": "user", "content": f"{n}"}]},
            )
            acknowledged["items"].append(reply.json()["data"][0]["id"])
            if n % 5 == 0:
                job = post(first, "/responses", {**CREATE, "background": True}).json()
                acknowledged["jobs"].append(job["id"])
        first.kill()  # kill -9, no shutdown
        first.start()  # the same port, the same store
        time.sleep(0.3)
        for response_id in acknowledged["responses"]:
            assert get(first, f"/responses/{response_id}").status_code == 200
        for job_id in acknowledged["jobs"]:
            assert get(first, f"/responses/{job_id}").json()["status"] == "completed"
        ids = [item["id"] for item in all_items(first, conversation)]
        assert ids == acknowledged["items"]


def test_serve_with_two_workers_answers_from_both(tmp_path: Path) -> None:
    """``--workers 2`` spawns its workers with uvicorn's config, which holds our HTTP protocol
    class: it must pickle (it once did not, and no worker started)."""
    argv = ["--store", f"sqlite:///{tmp_path / 'state.db'}", "--workers", "2"]
    server = ServeProcess(argv, tmp_path / "serve.log", free_port()).start(workers=2)
    try:
        created = httpx.post(
            f"{server.base_url}/responses",
            json={"model": "gpt-4o-mini", "input": "Hello"},
            headers={"authorization": "Bearer sk-test"},
            timeout=30,
        )
        assert created.status_code == 200, created.text
        assert server.workers_ready() == 2
        for _ in range(8):  # whichever worker the kernel hands the connection to
            got = httpx.get(
                f"{server.base_url}/responses/{created.json()['id']}",
                headers={"authorization": "Bearer sk-test"},
                timeout=30,
            )
            assert got.status_code == 200, got.text
    finally:
        server.stop()
