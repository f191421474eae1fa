"""SqliteStore: what is particular to it (what every backend does is in test_store_contract.py):
how writers share the file (one short transaction per create; a writer killed in the middle of
its transaction frees the others and leaves nothing half-done), and the bounded views keep
working on a file made before they existed and read by index."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from app_client import HELLO, make_client

from mockserver.state.lifecycle import BackgroundJob
from mockserver.state.store import StoredResponse, StoreTotals, sqlite_store
from mockserver.state.store.codec import encode_response
from mockserver.state.store.sqlite_store import SqliteStore

# The schema before the bounded views (no `background` column, no `tallies`, no triggers).
OLD_SCHEMA = """
CREATE TABLE responses (id TEXT PRIMARY KEY, record BLOB NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX responses_expiry ON responses (expires_at);
CREATE TABLE conversations (id TEXT PRIMARY KEY, record BLOB NOT NULL);
"""
JOB = BackgroundJob(created_at=1.0, started_at=1.0, done_at=2.0, outcome="completed")


def response(n: int) -> StoredResponse:
    return StoredResponse({"id": f"resp_{n}", "object": "response", "output": []}, [])


def test_a_file_from_before_the_views_is_upgraded_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.executemany(
            "INSERT INTO responses VALUES (?, ?, 4e9)",
            [(f"resp_{n}", encode_response(response(n))) for n in range(3)],
        )
    store = SqliteStore(path)
    try:
        assert store.totals() == StoreTotals(responses=3)
        assert [s.id for s in store.newest_responses(2)] == ["resp_2", "resp_1"]
        store.put_response(replace(response(3), job=JOB))
        assert store.totals() == StoreTotals(responses=4, background=1)
        assert [s.id for s in store.newest_background(9)] == ["resp_3"]
        assert SqliteStore(path).totals() == StoreTotals(responses=4, background=1)  # reopened
    finally:
        store.close()


def test_the_views_read_by_index_not_by_scanning(tmp_path: Path) -> None:
    """The statements the views really run: none sorts (a TEMP B-TREE) or scans an index; the
    newest come by walking rowids backwards from the end or from the cursor (stopping at the
    limit), jobs and expired rows by their indexes."""
    store = SqliteStore(tmp_path / "state.db")
    db = store._connection()
    ran: list[str] = []
    db.set_trace_callback(ran.append)
    store.newest_responses(5)
    store.newest_responses(5, before="resp_1")
    store.newest_background(5)
    store.newest_conversations(5, before="conv_1")
    store.totals()
    db.set_trace_callback(None)
    plans = [
        " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in ran
        if sql.startswith("SELECT") and "FROM tallies" not in sql
    ]
    store.close()
    assert len(plans) == 5 and not any("TEMP B-TREE" in plan for plan in plans), plans
    newest, paged, jobs, conversations, expired = plans
    assert newest.startswith("SCAN") and "INDEX" not in newest  # the table, by rowid, backwards
    for plan in (paged, conversations):
        assert plan.startswith("SEARCH") and "PRIMARY KEY (rowid<?)" in plan
    assert "INDEX responses_background (background=?)" in jobs
    assert "INDEX responses_expiry (expires_at<?)" in expired


# A write that has the lock finishes well within this; waiting it out means it is queued.
QUEUED_SECONDS = 0.3
# A bound on a queued write finishing once the lock is free, on a busy machine.
FINISH_SECONDS = 30.0


def response_named(response_id: str, text: str = "hello") -> StoredResponse:
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
        inside = statements[1:-1]  # the record (traced once more per trigger it fires)
        assert inside and inside[0].startswith("INSERT INTO responses ")
        # ... and its index rows: all inside this one transaction
        assert not any(s.startswith(("BEGIN", "COMMIT", "ROLLBACK")) for s in inside)

        statements.clear()
        chained = {**HELLO, "previous_response_id": first["id"]}
        client.post("/v1/responses", json=chained).raise_for_status()
        writes = _writes(statements)  # reads need no lock: one write transaction, inserts only
        assert writes[0] == "BEGIN" and writes[-1] == "COMMIT" and set(writes[1:-1]) == {"INSERT"}
        assert writes.count("BEGIN") == 1


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
    store.put_response(response_named("resp_1", "before"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(store.path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        done = threading.Event()

        def write() -> None:
            store.put_response(response_named("resp_2"))
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


def test_a_file_from_before_the_item_index_is_indexed_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    chained = StoredResponse(
        {"id": "resp_2", "output": [{"id": "msg_out", "type": "message"}]},
        [{"id": "msg_in", "type": "message"}],
        context_base="resp_1",
    )
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO responses VALUES ('resp_1', ?, 4e9)", (encode_response(response(1)),)
        )
        db.execute("INSERT INTO responses VALUES ('resp_2', ?, 4e9)", (encode_response(chained),))
        db.execute(
            "CREATE TABLE conversation_items (conversation_id TEXT NOT NULL, position INTEGER "
            "NOT NULL, item BLOB NOT NULL, PRIMARY KEY (conversation_id, position))"
        )
        db.execute("INSERT INTO conversations VALUES ('conv_1', ?)", (b"j{}",))
        db.execute("INSERT INTO conversation_items VALUES ('conv_1', 0, ?)", (b'{"id":"m_c"}',))
    store = SqliteStore(path)
    try:
        assert store.find_item("msg_in") == {"id": "msg_in", "type": "message"}
        assert store.find_item("msg_out") == {"id": "msg_out", "type": "message"}
        assert store.find_item("m_c") == {"id": "m_c"}
        assert store.continuations_of("resp_1") == ["resp_2"]
        store.delete_response("resp_2")
        reopened = SqliteStore(path)  # not indexed again: the rows went with the response
        assert reopened.find_item("msg_in") is None and reopened.continuations_of("resp_1") == []
        reopened.close()
    finally:
        store.close()


def test_lookups_read_by_index_not_by_scanning(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db")
    db = store._connection()
    ran: list[str] = []
    db.set_trace_callback(ran.append)
    store.find_item("msg_1")
    store.continuations_of("resp_1")
    db.set_trace_callback(None)
    plans = [
        " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in ran
        if sql.startswith("SELECT")
    ]
    store.close()
    assert len(plans) == 3, plans
    responses, conversation_items, continuations = plans
    assert "SEARCH i USING PRIMARY KEY (item_key=?)" in responses
    assert "INDEX conversation_items_by_id (<expr>=?)" in conversation_items
    assert "SEARCH c USING PRIMARY KEY (base_rowid=?)" in continuations
    assert not any(plan.startswith("SCAN") or " SCAN " in plan for plan in plans), plans


def test_a_writer_waits_for_the_lock_in_short_steps_then_gives_up(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store takes the write lock itself (``busy_timeout`` is 0): it retries while another
    writer holds it, writes once it is free, and after ``BUSY_TIMEOUT_MS`` says it is locked."""
    other = sqlite3.connect(tmp_path / "state.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.2, other.execute, ("COMMIT",))
    release.start()
    store.put_response(response_named("resp_waited"))  # blocked until the timer commits
    release.join()
    assert store.get_response("resp_waited") is not None

    other.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 100)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.put_response(response_named("resp_never"))
    other.execute("ROLLBACK")
    other.close()
    assert store.get_response("resp_never") is None


def test_opening_an_up_to_date_file_counts_and_indexes_nothing(
    tmp_path: Path, statements: list[str]
) -> None:
    SqliteStore(tmp_path / "state.db").close()
    statements.clear()
    SqliteStore(tmp_path / "state.db").close()
    assert not [s for s in statements if "COUNT(*)" in s or s.startswith("SELECT record FROM")]
