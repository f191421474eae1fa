"""Replay end to end: record with the mock as upstream, replay offline, state and misses."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from mockserver import ConfigurationError, MockServer
from mockserver.recording.cassette import loads_cassette

KEY = "sk-mockserver-test"
AUTH = {"authorization": f"Bearer {KEY}"}


def client(server: MockServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key=KEY, max_retries=0)


def exchange(
    server: MockServer, method: str, path: str, body: dict | None = None
) -> httpx.Response:
    return httpx.request(method, f"{server.base_url}{path}", json=body, headers=AUTH, timeout=10)


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
def replay(recordings: Path) -> Iterator[MockServer]:
    with MockServer(
        recordings=recordings, record_mode="none", cassette="c", self_check=True
    ) as server:
        yield server


def record(recordings: Path, *calls: tuple[str, str, dict | None]) -> list[httpx.Response]:
    with MockServer(
        recordings=recordings, record_mode="all", cassette="c", self_check=True
    ) as server:
        return [exchange(server, *call) for call in calls]


CREATE = ("POST", "/responses", {"model": "gpt-4o-mini", "input": "Hello there"})
STREAM = ("POST", "/responses", {"model": "gpt-4o-mini", "input": "Stream me", "stream": True})


def test_replay_gives_the_same_bytes_and_events_as_the_recording(recordings: Path) -> None:
    originals = record(recordings, CREATE, STREAM)
    saved = loads_cassette((recordings / "c.json").read_bytes(), "c.json")
    assert [i.source for i in saved.interactions] == ["generated", "generated"]
    with MockServer(recordings=recordings, cassette="c") as server:
        replayed = [exchange(server, *CREATE), exchange(server, *STREAM)]
    for original, again in zip(originals, replayed, strict=True):
        assert again.status_code == original.status_code
        assert again.content == original.content
        for name in ("content-type", "x-request-id", "openai-processing-ms", "openai-version"):
            assert again.headers[name] == original.headers[name]
    assert originals[1].headers["content-type"].startswith("text/event-stream")


def test_the_sdk_sees_the_recorded_answers(recordings: Path, replay: MockServer) -> None:
    with MockServer(recordings=recordings, record_mode="all", cassette="c") as recorder:
        sdk = client(recorder)
        first = sdk.responses.create(model="gpt-4o-mini", input="Hello there")
        with sdk.responses.stream(model="gpt-4o-mini", input="Stream me") as stream:
            recorded_events = [event.model_dump(mode="json", warnings=False) for event in stream]
    replay.replay.use_cassette("c")
    sdk = client(replay)
    assert sdk.responses.create(model="gpt-4o-mini", input="Hello there").model_dump(
        mode="json", warnings=False
    ) == first.model_dump(mode="json", warnings=False)
    with sdk.responses.stream(model="gpt-4o-mini", input="Stream me") as stream:
        assert [
            event.model_dump(mode="json", warnings=False) for event in stream
        ] == recorded_events


def test_a_miss_is_a_422_naming_the_nearest_recording(recordings: Path, replay: MockServer) -> None:
    record(recordings, CREATE)
    replay.replay.use_cassette("c")
    answer = exchange(
        replay, "POST", "/responses", {"model": "gpt-4o-mini", "input": "Hello thera"}
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["type"] == "mockserver_replay_miss"
    assert error["code"] == "replay_miss"
    assert error["param"] is None
    assert (
        'c#0 differs in 1 field(s): $.input: recorded "Hello there", requested "Hello thera"'
        in error["message"]
    )
    assert error["replay"]["nearest"][0]["differences"] == [
        {
            "field": "$.input",
            "kind": "changed",
            "recorded": "Hello there",
            "requested": "Hello thera",
        }
    ]
    with pytest.raises(
        openai.UnprocessableEntityError, match="No recording matches POST /v1/responses"
    ):
        client(replay).responses.create(model="gpt-4o-mini", input="Hello thera")
    assert len(replay.replay.take_misses()) == 2
    assert replay.replay.take_misses() == []


def test_requests_without_a_key_get_the_real_401_not_a_miss(
    recordings: Path, replay: MockServer
) -> None:
    record(recordings, CREATE)
    replay.replay.use_cassette("c")
    answer = httpx.post(f"{replay.base_url}/responses", json=CREATE[2])
    assert answer.status_code == 401
    assert answer.json()["error"]["message"].startswith("You didn't provide an API key.")
    assert replay.replay.take_misses() == []


def test_replayed_responses_can_be_read_listed_resumed_and_deleted(
    recordings: Path, replay: MockServer
) -> None:
    record(recordings, CREATE, STREAM)
    replay.replay.use_cassette("c")
    sdk = client(replay)
    created = sdk.responses.create(model="gpt-4o-mini", input="Hello there")
    # None of these were recorded: the mock answers from what the replay handed out.
    assert sdk.responses.retrieve(created.id).model_dump(
        mode="json", warnings=False
    ) == created.model_dump(mode="json", warnings=False)
    items = sdk.responses.input_items.list(created.id).data
    assert [item.content[0].text for item in items] == ["Hello there"]
    with sdk.responses.stream(model="gpt-4o-mini", input="Stream me") as stream:
        streamed = [event for event in stream]
    response_id = streamed[-1].response.id
    resumed = list(sdk.responses.retrieve(response_id, stream=True, starting_after=3))
    assert [event.sequence_number for event in resumed] == list(range(4, len(streamed)))
    sdk.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        sdk.responses.retrieve(created.id)
    assert replay.replay.take_misses() == []


def test_recorded_state_requests_replay_in_order(recordings: Path, replay: MockServer) -> None:
    with MockServer(recordings=recordings, record_mode="all", cassette="c") as recorder:
        sdk = client(recorder)
        created = sdk.responses.create(model="gpt-4o-mini", input="Hello there")
        sdk.responses.retrieve(created.id)
        sdk.responses.delete(created.id)
        with pytest.raises(openai.NotFoundError):
            sdk.responses.retrieve(created.id)
    replay.replay.use_cassette("c")
    sdk = client(replay)
    assert sdk.responses.create(model="gpt-4o-mini", input="Hello there").id == created.id
    assert sdk.responses.retrieve(created.id).id == created.id
    sdk.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError, match=f"Response with id '{created.id}' not found"):
        sdk.responses.retrieve(created.id)


def test_new_episodes_chains_on_a_replayed_response_and_records_it(recordings: Path) -> None:
    record(recordings, CREATE)
    with MockServer(recordings=recordings, record_mode="new_episodes", cassette="c") as server:
        sdk = client(server)
        first = sdk.responses.create(model="gpt-4o-mini", input="Hello there")
        second = sdk.responses.create(
            model="gpt-4o-mini", input="And now?", previous_response_id=first.id
        )
        assert second.usage.input_tokens > first.usage.input_tokens  # the replayed turn is context
    saved = loads_cassette((recordings / "c.json").read_bytes(), "c.json")
    bodies = [i.request.json() for i in saved.interactions]
    assert bodies == [
        CREATE[2],
        {"model": "gpt-4o-mini", "input": "And now?", "previous_response_id": first.id},
    ]


def test_once_records_a_new_cassette_then_only_replays_it(recordings: Path) -> None:
    with MockServer(recordings=recordings, record_mode="once", cassette="c") as server:
        first = exchange(server, *CREATE)
    with MockServer(recordings=recordings, record_mode="once", cassette="c") as server:
        assert exchange(server, *CREATE).content == first.content
        assert (
            exchange(
                server, "POST", "/responses", {"model": "gpt-4o-mini", "input": "new"}
            ).status_code
            == 422
        )
    assert len(loads_cassette((recordings / "c.json").read_bytes(), "c").interactions) == 1


def test_all_re_records_and_replaces_the_cassette(recordings: Path) -> None:
    record(recordings, CREATE, STREAM)
    record(recordings, CREATE)
    saved = loads_cassette((recordings / "c.json").read_bytes(), "c.json")
    assert [i.request.json() for i in saved.interactions] == [CREATE[2]]


def test_without_a_cassette_every_file_in_the_directory_replays(recordings: Path) -> None:
    with MockServer(recordings=recordings, record_mode="all", cassette="one") as server:
        one = exchange(server, *CREATE)
    with MockServer(recordings=recordings, record_mode="all", cassette="sub/two") as server:
        two = exchange(server, *STREAM)
    with MockServer(recordings=recordings) as server:
        assert exchange(server, *STREAM).content == two.content
        assert exchange(server, *CREATE).content == one.content


def test_recorded_pacing_is_replayed_scaled(recordings: Path) -> None:
    record(recordings, STREAM)
    saved = loads_cassette((recordings / "c.json").read_bytes(), "c.json").interactions[0].response
    with MockServer(recordings=recordings, cassette="c", replay_speed=2.0) as server:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        server.replay.sleep = sleep
        exchange(server, *STREAM)
    times = [0.0, *(event.at_ms for event in saved.events)]
    expected = [saved.elapsed_ms / 2000] + [
        (later - earlier) / 2000 for earlier, later in itertools.pairwise(times) if later > earlier
    ]
    assert waits == pytest.approx(expected)


def test_replays_appear_in_the_journal(recordings: Path, replay: MockServer) -> None:
    record(recordings, CREATE)
    replay.replay.use_cassette("c")
    answer = exchange(replay, *CREATE)
    [entry] = replay.state.journal.entries()
    assert (entry.method, entry.path, entry.status) == ("POST", "/v1/responses", 200)
    assert entry.request_id == answer.headers["x-request-id"]
    assert bytes(entry.response_body) == answer.content


def test_an_ejected_replay_lets_the_mock_answer(recordings: Path, replay: MockServer) -> None:
    replay.replay.eject()
    assert exchange(replay, *CREATE).status_code == 200
    assert not (recordings / "c.json").exists()


def test_configuration_errors_are_clear(recordings: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"'nonee' is not a valid record mode.*'new_episodes'"
    ):
        MockServer(recordings=recordings, record_mode="nonee")
    with pytest.raises(ConfigurationError, match="record_mode given without recordings=DIR"):
        MockServer(record_mode="all")
    with pytest.raises(ConfigurationError, match="replay speed -1 is negative"):
        MockServer(recordings=recordings, replay_speed=-1)
    (recordings / "broken.json").parent.mkdir(parents=True)
    (recordings / "broken.json").write_text(json.dumps({"format_version": 9, "interactions": []}))
    with pytest.raises(ConfigurationError, match="format_version 9"):
        MockServer(recordings=recordings)


def test_a_bug_in_record_or_replay_is_re_raised_in_the_test(
    recordings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockserver import ServerFailure
    from mockserver.recording import persist

    def broken_disk(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(persist, "append_interaction", broken_disk)
    with (
        pytest.raises(ServerFailure) as failure,
        MockServer(recordings=recordings, record_mode="all", cassette="c") as server,
    ):
        assert exchange(server, *CREATE).status_code == 200  # the client got its answer
    assert str(failure.value.__cause__) == "disk on fire"


def test_misses_appear_in_the_journal(replay: MockServer) -> None:
    assert exchange(replay, *CREATE).status_code == 422
    [entry] = replay.state.journal.entries()
    assert (entry.method, entry.status) == ("POST", 422)


def test_recordings_keep_no_key_from_the_query_string_or_the_path(recordings: Path) -> None:
    """#16: record mode kept ``?api_key=sk-…`` and keys in the path verbatim."""
    secret = "sk-proj-abcdefghijklmnopqrstuvwxyz"
    created = record(recordings, CREATE)[0].json()
    with MockServer(recordings=recordings, record_mode="new_episodes", cassette="c") as server:
        for path in (
            f"/responses/{created['id']}?api_key={secret}&include[]=x",
            f"/responses/{secret}",
        ):
            httpx.get(f"{server.base_url}{path}", headers=AUTH, timeout=10)
    written = (recordings / "c.json").read_text()
    assert secret not in written
    assert "api_key=[REDACTED]" in written and "/v1/responses/[REDACTED]" in written
