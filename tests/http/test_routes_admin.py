"""The admin API under /__mockserver: stubs, scenarios, journal, reset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver import ManualClock, ServerConfig, create_app

HELLO = {"model": "gpt-4o-mini", "input": "Hello"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(ServerConfig(self_check=True), clock=ManualClock())
    with TestClient(app, headers={"authorization": "Bearer sk-test"}) as test_client:
        yield test_client
    assert app.state.mock.take_failures() == []


def test_stubs_are_added_listed_counted_and_removed(client: TestClient) -> None:
    added = client.post("/__mockserver/stubs", json={"match": {"input": "Hello"}, "answer": "Hi!"})
    assert added.status_code == 200
    (entry,) = added.json()["data"]
    assert entry["id"].startswith("stub_") and entry["source"] == "admin API"
    assert entry["definition"] == {"match": {"input": "Hello"}, "answer": "Hi!"}
    many = client.post("/__mockserver/stubs", json=[{"answer": "a"}, {"answer": "b"}]).json()[
        "data"
    ]
    wrapped = client.post("/__mockserver/stubs", json={"stubs": [{"answer": "c"}]}).json()["data"]
    assert len(many) == 2 and len(wrapped) == 1
    assert (
        client.post("/v1/responses", json=HELLO).json()["output"][0]["content"][0]["text"] == "Hi!"
    )
    listed = client.get("/__mockserver/stubs").json()["data"]
    assert [s["answered"] for s in listed] == [1, 0, 0, 0]
    assert client.get(f"/__mockserver/stubs/{entry['id']}").json()["calls"] == 1
    assert client.delete(f"/__mockserver/stubs/{entry['id']}").json() == {
        "id": entry["id"],
        "deleted": True,
    }
    missing = client.get(f"/__mockserver/stubs/{entry['id']}")
    assert missing.status_code == 404 and entry["id"] in missing.json()["error"]["message"]
    assert client.delete("/__mockserver/stubs").json()["data"] == []


def test_a_bad_stub_is_a_400_naming_the_rule_and_problem(client: TestClient) -> None:
    reply = client.post(
        "/__mockserver/stubs", json=[{"answer": "ok"}, {"answer": {"fault": "boom"}}]
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "invalid_stub"
    assert error["message"].startswith("admin API: stub #2: answer.fault: unknown fault 'boom'")
    assert client.get("/__mockserver/stubs").json()["data"] == []  # all or nothing
    assert (
        client.post("/__mockserver/stubs", content=b"{").json()["error"]["code"] == "invalid_json"
    )


def test_scenarios_can_be_read_and_set(client: TestClient) -> None:
    client.post(
        "/__mockserver/stubs",
        json={"match": {"scenario": "order", "state": "paid"}, "answer": "Shipped."},
    )
    assert (
        client.post("/v1/responses", json=HELLO).json()["output"][0]["content"][0]["text"]
        != "Shipped."
    )
    assert client.put("/__mockserver/scenarios/order", json={"state": "paid"}).json() == {
        "scenario": "order",
        "state": "paid",
    }
    assert client.get("/__mockserver/scenarios").json() == {"scenarios": {"order": "paid"}}
    assert (
        client.post("/v1/responses", json=HELLO).json()["output"][0]["content"][0]["text"]
        == "Shipped."
    )
    bad = client.put("/__mockserver/scenarios/order", json={"state": 3})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "state"


def test_the_journal_lists_api_requests_with_filters(client: TestClient) -> None:
    client.post("/v1/responses", json=HELLO)
    client.get("/v1/responses/resp_missing")
    client.post("/v1/responses", json={**HELLO, "input": "second"})
    data = client.get("/__mockserver/journal").json()["data"]
    assert [(e["method"], e["path"]) for e in data] == [
        ("POST", "/v1/responses"),
        ("GET", "/v1/responses/resp_missing"),
        ("POST", "/v1/responses"),
    ]
    assert data[0]["request_body"] == HELLO and data[0]["status"] == 200
    assert data[0]["request_headers"]["authorization"] == "[REDACTED]"
    posts = client.get("/__mockserver/journal", params={"method": "POST", "limit": 1}).json()[
        "data"
    ]
    assert [e["request_body"]["input"] for e in posts] == ["second"]
    journaled = client.app.state.mock.journal.entries()  # type: ignore[attr-defined]
    assert not [e for e in journaled if e.path.startswith("/__mockserver")]  # kept out
    assert client.delete("/__mockserver/journal").json()["data"] == []
    assert client.get("/__mockserver/journal").json()["data"] == []


def test_reset_forgets_responses_journal_and_runtime_stubs(client: TestClient) -> None:
    created = client.post("/v1/responses", json=HELLO).json()
    client.post("/__mockserver/stubs", json={"answer": "x"})
    assert client.post("/__mockserver/reset").json() == {"reset": True}
    assert client.get(f"/v1/responses/{created['id']}").status_code == 404
    assert client.get("/__mockserver/stubs").json()["data"] == []


def test_admin_paths_need_no_key_when_the_server_has_none_and_unknown_ones_are_404() -> None:
    with TestClient(create_app(ServerConfig())) as bare:
        assert bare.get("/__mockserver/stubs").status_code == 200
        assert bare.get("/__mockserver/nothing").status_code == 404


def test_admin_paths_need_the_api_key_when_the_server_has_one() -> None:
    app = create_app(ServerConfig(api_key="sk-only"))
    with TestClient(app) as bare:
        refused = bare.get("/__mockserver/stubs")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_admin_key"
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert bare.post("/__mockserver/stubs", json={"input": "x", "text": "y"}).status_code == 401
        assert bare.post("/__mockserver/reset").status_code == 401
        assert bare.get("/__mockserver/journal").status_code == 401
        keyed = {"authorization": "Bearer sk-only"}
        assert bare.get("/__mockserver/stubs", headers=keyed).status_code == 200
        assert bare.get("/__mockserver/nothing", headers=keyed).status_code == 404
        assert bare.post("/v1/responses", json=HELLO).status_code == 401
