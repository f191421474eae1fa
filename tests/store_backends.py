"""Every store backend for route tests, behind a guard that fails the test if anything lists the
store whole (a support module, not a test file)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.state.store import Retention, Store, open_store

BACKENDS = ("memory", "sqlite", "redis")


class ListingRefused:
    """A store (any backend) on which ``list_responses`` and ``list_conversations`` fail: what
    a request costs must not grow with the whole store."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("list_"):
            raise AssertionError(f"{name}() read the whole store during a request")
        return getattr(self.inner, name)


def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "memory":
        return "memory://"
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    redis_url = request.getfixturevalue("redis_url")
    return f"{redis_url}?prefix=test{uuid.uuid4().hex[:12]}"


def opened(url: str, retention: Retention | None = None) -> Iterator[ListingRefused]:
    store = open_store(url, retention)
    yield ListingRefused(store)
    store.clear()
    store.close()
