"""SqliteStore: how writers share the file (one short transaction per create; a writer killed in
the middle of its transaction frees the others and leaves nothing half-done).

What every backend does is in test_store_contract.py."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_client import HELLO, make_client

from mockserver.state.store import StoredResponse, sqlite_store
from mockserver.state.store.sqlite_store import SqliteStore

# A write that has the lock finishes well within this; waiting it out means it is queued.
QUEUED_SECONDS = 0.3
# A bound on a queued write finishing once the lock is free, on a busy machine.
FINISH_SECONDS = 30.0


def response(response_id: str, text: str = "hello") -> StoredResponse:
    body = {"id": response_id, "object": "response", "status": "completed", "output": [text]}
    return StoredResponse(body, [], [], [])


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement that any store connection opened from now on runs, in order."""
    seen: list[str] = []
    connect = sqlite3.connect

    def traced(*args: object, **kwargs: object) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)  # type: ignore[arg-type]
        connection.set_trace_callback(seen.append)
        return connection

    monkeypatch.setattr(sqlite_store.sqlite3, "connect", traced)
    return seen


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "state.db")
    yield opened
    opened.close()


def _writes(statements: list[str]) -> list[str]:
    return [s.split()[0] for s in statements if not s.startswith("SELECT")]


def test_a_create_is_one_short_write_transaction(statements: list[str], tmp_path: Path) -> None:
    for client in make_client(store_url=f"sqlite:///{tmp_path / 'state.db'}"):
        first = client.post("/v1/responses", json=HELLO).json()  # (also the expiry sweep)
        statements.clear()
        client.post("/v1/responses", json=HELLO).raise_for_status()
        assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "COMMIT"
        assert len(statements) == 3 and statements[1].startswith("INSERT OR REPLACE INTO")

        statements.clear()
        chained = {**HELLO, "previous_response_id": first["id"]}
        client.post("/v1/responses", json=chained).raise_for_status()
        assert _writes(statements) == ["BEGIN", "INSERT", "COMMIT"]  # reads need no lock


HOLD_THE_LOCK = textwrap.dedent(
    """
    import sys, time
    from mockserver.state.store.sqlite_store import SqliteStore

    def hang(stored):
        print("holding", flush=True)
        time.sleep(600)
        return stored

    SqliteStore(sys.argv[1]).update_response("resp_1", hang)
    """
)


def test_a_writer_killed_in_its_transaction_frees_the_others(store: SqliteStore) -> None:
    """kill -9 in the middle of a write transaction: the lock goes with the process, the others
    carry on, and the half-done change is not there."""
    store.put_response(response("resp_1", "before"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(store.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        done = threading.Event()

        def write() -> None:
            store.put_response(response("resp_2"))
            done.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert not done.wait(QUEUED_SECONDS)
    finally:
        holder.kill()
        holder.wait()
    writer.join(FINISH_SECONDS)
    assert done.is_set()
    first = store.get_response("resp_1")
    assert first is not None and first.response["output"] == ["before"]
    assert store.get_response("resp_2") is not None
