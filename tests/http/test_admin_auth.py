"""The admin API and the inspector need the admin key (admin_auth.py).

Before #16, ``--api-key`` protected only ``/v1/``: anyone could read the journal and every stored
response, reset state or inject a stub that changed what authenticated clients received.
"""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from mockserver import ServerConfig, create_app
from mockserver.http.admin_auth import presented_key

STUB = {"match": {"input": "Hello"}, "answer": "injected"}
HELLO = {"model": "gpt-4o-mini", "input": "Hello"}


def basic(password: str, user: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Bearer sk-admin", "sk-admin"),
        ("bearer  sk-admin ", "sk-admin"),
        (basic("sk-admin"), "sk-admin"),
        (basic("sk-admin", "anyone"), "sk-admin"),
        ("Basic !!!not-base64", None),
        ("Digest whatever", None),
    ],
)
def test_the_key_is_read_from_bearer_or_basic_auth(header: str, key: str | None) -> None:
    scope = {"headers": [(b"authorization", header.encode())]}
    assert presented_key(scope) == key


def test_without_a_key_a_client_cannot_inject_stubs_or_read_state() -> None:
    app = create_app(ServerConfig(self_check=True, api_key="sk-api"))
    outsider = TestClient(app)
    assert outsider.post("/__mockserver/stubs", json=STUB).status_code == 401
    assert outsider.get("/__mockserver/inspector/state").status_code == 401
    assert outsider.get("/__mockserver/inspector/events").status_code == 401
    assert outsider.post("/__mockserver/reset").status_code == 401
    client = TestClient(app, headers={"authorization": "Bearer sk-api"})
    answer = client.post("/v1/responses", json=HELLO).json()
    assert "injected" not in answer["output"][0]["content"][0]["text"]
    assert len(app.state.mock.stubs) == 0


def test_a_separate_admin_key_replaces_the_api_key_for_the_admin_surface() -> None:
    app = create_app(ServerConfig(self_check=True, api_key="sk-api", admin_key="sk-admin"))
    client = TestClient(app)
    api = {"authorization": "Bearer sk-api"}
    assert client.get("/__mockserver/stubs", headers=api).status_code == 401
    refused = client.get("/__mockserver/stubs", headers={"authorization": "Bearer sk-wrong"})
    assert refused.status_code == 401 and "--admin-key" in refused.json()["error"]["message"]
    admin = {"authorization": "Bearer sk-admin"}
    assert client.post("/__mockserver/stubs", json=STUB, headers=admin).status_code == 200
    assert client.post("/v1/responses", json=HELLO, headers=admin).status_code == 401
    assert client.post("/v1/responses", json=HELLO, headers=api).status_code == 200


def test_a_browser_gets_a_basic_auth_prompt_and_then_the_page() -> None:
    client = TestClient(create_app(ServerConfig(admin_key="sk-admin")))
    prompt = client.get("/__mockserver/inspector")
    assert prompt.status_code == 401
    assert prompt.headers["www-authenticate"].startswith('Basic realm="mockserver admin"')
    page = client.get("/__mockserver/inspector", headers={"authorization": basic("sk-admin")})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_with_no_key_at_all_the_admin_surface_stays_open() -> None:
    client = TestClient(create_app(ServerConfig()))
    assert client.post("/__mockserver/stubs", json=STUB).status_code == 200
    assert client.get("/__mockserver/inspector/state").status_code == 200
