"""Seed files: preload responses, with clear errors for bad files."""

# ruff: noqa: E501  (tables of verbatim real messages read best one case per line)

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver import ServerConfig, create_app
from mockserver.contract.errors import ConfigurationError
from mockserver.state.mock_state import MockState
from mockserver.state.seed import load_seed, parse_seed

AUTH = {"authorization": "Bearer sk-test"}

SEEDED = {
    "id": "resp_my_fixture",
    "object": "response",
    "created_at": 1_767_225_600,
    "status": "completed",
    "model": "gpt-4o-mini-2024-07-18",
    "output": [
        {
            "id": "msg_fixture_out",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Hi Bob!", "annotations": []}],
        }
    ],
    "input_items": [
        {
            "id": "msg_fixture_in",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_text", "text": "I am Bob."}],
        }
    ],
}


def write(tmp_path: Path, data: object, name: str = "seed.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_parse_fills_defaults_and_splits_off_input_items() -> None:
    [stored] = parse_seed({"responses": [{"id": "resp_a"}, SEEDED]}, "f.json")[:1]
    assert stored.response == {
        "id": "resp_a",
        "object": "response",
        "status": "completed",
        "output": [],
        "store": True,
    }
    assert stored.input_items == [] and stored.context == []
    full = parse_seed({"responses": [SEEDED]}, "f.json")[0]
    assert "input_items" not in full.response
    assert full.input_items == SEEDED["input_items"]
    assert full.context == [*SEEDED["input_items"], *SEEDED["output"]]
    assert parse_seed({}, "f.json") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "f.json: a seed file holds a JSON object like {\"responses\": [...]}, not list"),
        ({"responses": [], "files": []}, "unknown top-level key(s) ['files']; valid keys are ['responses', 'conversations']"),
        ({"responses": [{"object": "response"}]}, "f.json: responses[0] needs a string 'id'"),
        ({"responses": ["resp_1"]}, "f.json: responses[0] needs a string 'id'"),
        ({"responses": [{"id": "x", "object": "conversation"}]}, "responses[0]: 'object' must be 'response', got 'conversation'"),
    ],
)  # fmt: skip
def test_bad_seed_data_names_the_problem(data: object, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_seed(data, "f.json")
    assert message in str(caught.value)


def test_load_seed_errors_name_the_file(tmp_path: Path) -> None:
    state = MockState()
    missing = tmp_path / "missing.json"
    with pytest.raises(ConfigurationError, match=f"seed file {missing} does not exist"):
        load_seed(state, missing)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=f"seed file {broken} is not valid JSON"):
        load_seed(state, broken)
    assert load_seed(state, write(tmp_path, {"responses": [SEEDED]})) == 1
    assert state.store.get_response("resp_my_fixture") is not None


def test_a_seeded_server_serves_and_continues_the_fixture(tmp_path: Path) -> None:
    config = ServerConfig(seed_file=write(tmp_path, {"responses": [SEEDED]}))
    client = TestClient(create_app(config), headers=AUTH)
    got = client.get("/v1/responses/resp_my_fixture")
    assert got.status_code == 200
    assert got.json()["output"][0]["content"][0]["text"] == "Hi Bob!"
    items = client.get("/v1/responses/resp_my_fixture/input_items").json()
    assert [item["id"] for item in items["data"]] == ["msg_fixture_in"]
    follow_up = client.post(
        "/v1/responses",
        json={
            "model": "gpt-4o-mini",
            "input": "Who am I?",
            "previous_response_id": "resp_my_fixture",
        },
    )
    assert follow_up.status_code == 200
    body = follow_up.json()
    assert body["previous_response_id"] == "resp_my_fixture"
    # The chain (seeded input + output + new input) is what the answer is counted over.
    tokens = client.post(
        "/v1/responses/input_tokens",
        json={
            "model": "gpt-4o-mini",
            "input": "Who am I?",
            "previous_response_id": "resp_my_fixture",
        },
    ).json()["input_tokens"]
    assert body["usage"]["input_tokens"] == tokens


def test_a_bad_seed_file_stops_the_app_from_being_made(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        create_app(ServerConfig(seed_file=write(tmp_path, {"responses": [{}]})))


def test_seeded_conversations_get_item_ids_and_keep_readable_ones(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "conversations": [
                    {"id": "conv_demo", "metadata": {"topic": "demo"},
                     "items": [{"role": "user", "content": "Hi"},
                               {"id": "msg_mine", "type": "message", "role": "user",
                                "content": "Again"}]},
                    {"id": "conv_6a3f193a23f08197a8aaeee38622750f0903dc172c433d83"},
                ]
            }
        )
    )  # fmt: skip
    state = MockState()
    assert load_seed(state, seed) == 2
    demo = state.store.get_conversation("conv_demo")
    assert demo is not None
    assert demo.conversation["metadata"] == {"topic": "demo"}
    assert isinstance(demo.conversation["created_at"], int)
    assert demo.items[0]["id"].startswith("msg_") and demo.items[1]["id"] == "msg_mine"
    assert demo.items[0]["content"] == [{"type": "input_text", "text": "Hi"}]
    real = state.store.get_conversation("conv_6a3f193a23f08197a8aaeee38622750f0903dc172c433d83")
    assert real is not None and real.items == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"metadata": {}}, "conversations[0] needs a string 'id'"),
        ({"id": "c", "object": "response"}, "'object' must be 'conversation'"),
        ({"id": "c", "title": "x"}, "unknown key(s) ['title']; valid keys are"),
        ({"id": "c", "items": "hi"}, "'items' must be a list of item objects"),
        ({"id": "c", "metadata": {"k": 1}}, "'metadata' must map strings to strings"),
        ({"id": "c", "metadata": {f"k{n}": "v" for n in range(17)}}, "too many properties"),
        ({"id": "c", "created_at": "today"}, "'created_at' must be a unix time"),
    ],
)
def test_bad_seeded_conversations_name_the_problem(
    tmp_path: Path, entry: dict, message: str
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"conversations": [entry]}))
    with pytest.raises(ConfigurationError) as caught:
        load_seed(MockState(), seed)
    assert message in str(caught.value)
