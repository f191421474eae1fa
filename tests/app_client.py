"""A TestClient over the app, shared by the route tests (a support module, not a test file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.testclient import TestClient

from mockserver import ManualClock, ServerConfig, create_app

AUTH = {"authorization": "Bearer sk-test"}
HELLO = {"model": "gpt-4o-mini", "input": "Hello, world!"}


def make_client(id_seed: int = 5, **config: Any) -> Iterator[TestClient]:
    """A client over an app with self-check on and a manual clock; after use, asserts that every
    body and event the app emitted conformed and that no handler raised."""
    app = create_app(ServerConfig(self_check=True, id_seed=id_seed, **config), clock=ManualClock())
    with TestClient(app, headers=AUTH) as client:
        yield client
    assert app.state.mock.take_failures() == []
