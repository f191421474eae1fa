"""Record modes and the tape: what replays, what records, in which order, and misses."""

from __future__ import annotations

import json

import pytest

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.cassette import Cassette, Interaction, RecordedRequest, RecordedResponse
from mockserver.recording.matching import MatchRules
from mockserver.recording.tape import RecordMode, Tape, parse_record_mode, view_of


def interaction(text: str, answer: str = "a") -> Interaction:
    return Interaction(
        RecordedRequest("POST", "/v1/responses", body=json.dumps({"input": text}).encode()),
        RecordedResponse(200, {}, json.dumps({"answer": answer}).encode()),
        recorded_at=None,
        source="generated",
    )


def tape(mode: str, *interactions: Interaction, existed: bool = True) -> Tape:
    return Tape(parse_record_mode(mode), Cassette("c", list(interactions)), existed)


def request(text: str):
    return view_of(interaction(text).request, MatchRules())


def test_a_misspelt_mode_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigurationError) as error:
        parse_record_mode("new_episode")
    assert str(error.value) == (
        "'new_episode' is not a valid record mode. Valid modes are: 'none', 'once', "
        "'new_episodes', 'all' (the meanings pytest-recording uses; see docs/record-replay.md)."
    )
    assert parse_record_mode("once") is RecordMode.ONCE


@pytest.mark.parametrize(
    ("mode", "existed", "replays", "records"),
    [
        ("none", True, True, False),
        ("none", False, True, False),
        ("once", True, True, False),
        ("once", False, False, True),
        ("new_episodes", True, True, True),
        ("all", True, False, True),
    ],
)
def test_what_each_mode_does(mode: str, existed: bool, replays: bool, records: bool) -> None:
    current = tape(mode, existed=existed)
    assert (current.replays, current.records) == (replays, records)


def test_identical_requests_replay_in_recorded_order_each_once() -> None:
    current = tape(
        "none", interaction("hi", "first"), interaction("other"), interaction("hi", "second")
    )
    answers = [current.take(request("hi")) for _ in range(3)]
    assert [json.loads(slot.interaction.response.body)["answer"] for slot in answers[:2]] == [
        "first",
        "second",
    ]
    assert answers[2] is None
    miss = current.miss(request("hi"))
    assert miss.exhausted == 2
    assert "All 2 recording(s) of this exact request were already replayed" in miss.message()
    current.rewind()
    assert current.take(request("hi")).index == 0


def test_a_miss_names_the_nearest_recordings_and_the_differences() -> None:
    current = tape("none", interaction("Hello there"), interaction("Goodbye"))
    message = current.miss(request("Hello thera")).message()
    assert message.startswith(
        "No recording matches POST /v1/responses (record mode 'none'; cassettes: 'c')."
    )
    assert (
        "Nearest recordings: c#0 differs in 1 field(s): "
        '$.input: recorded "Hello there", requested "Hello thera"' in message
    )
    assert "--match-ignore" in message and "new_episodes" in message


def test_a_miss_on_another_route_says_so() -> None:
    current = tape("none", interaction("hi"))
    get = view_of(RecordedRequest("GET", "/v1/responses/resp_1"), MatchRules())
    message = current.miss(get).message()
    assert (
        "No recording of GET /v1/responses/resp_1 at all; "
        "nearest recordings are other routes: c#0 (POST /v1/responses)" in message
    )


def test_new_episodes_appends_and_all_replaces_the_cassette() -> None:
    kept = tape("new_episodes", interaction("old"))
    assert [i.request.body for i in kept.add(interaction("new")).interactions] == [
        b'{"input": "old"}',
        b'{"input": "new"}',
    ]
    replaced = tape("all", interaction("old"))
    assert replaced.take(request("old")) is None  # `all` never replays
    saved = replaced.add(interaction("new"))
    saved = replaced.add(interaction("newer"))
    assert [i.request.body for i in saved.interactions] == [
        b'{"input": "new"}',
        b'{"input": "newer"}',
    ]


def test_recorded_interactions_are_not_replayed_in_the_same_session() -> None:
    current = tape("new_episodes")
    current.add(interaction("hi"))
    assert current.take(request("hi")) is None
    current.rewind()
    assert current.take(request("hi")) is not None


def test_several_cassettes_replay_as_one_pool() -> None:
    pool = Tape(
        RecordMode.NONE,
        Cassette("target"),
        True,
        [Cassette("a", [interaction("x")]), Cassette("b", [interaction("y")])],
    )
    assert pool.take(request("y")).label() == "b#0"
    assert pool.cassette_names == ("a", "b", "target")


def test_a_cassette_without_a_file_says_how_to_record_it() -> None:
    message = tape("none", existed=False).miss(request("hi")).message()
    assert "The cassette 'c' has no file yet: record it (record mode 'once' records" in message
