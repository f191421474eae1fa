"""SQLite store (``sqlite:///path/state.db``): one file that survives restarts and is shared by
several worker processes on one machine.

WAL journal (readers never wait for the writer), a busy timeout (writers queue instead of failing),
``synchronous=NORMAL`` (a committed write survives the process being killed; only a power cut may
lose the last transactions). Every read-modify-write runs in ``BEGIN IMMEDIATE``, which takes the
write lock first, so two processes appending to one conversation queue up and lose nothing.
Records are ``codec`` blobs; each thread has its own connection.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mockserver.state.store.base import Retention, StoredConversation, StoredResponse
from mockserver.state.store.codec import (
    decode_conversation,
    decode_item,
    decode_response,
    encode_conversation,
    encode_item,
    encode_response,
)

BUSY_TIMEOUT_MS = 30_000
SWEEP_SECONDS = 60.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY, record BLOB NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS responses_expiry ON responses (expires_at);
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_items (
    conversation_id TEXT NOT NULL, position INTEGER NOT NULL, item BLOB NOT NULL,
    PRIMARY KEY (conversation_id, position));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS named_values (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SqliteStore:
    def __init__(self, path: str | Path, *, retention: Retention | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.retention = retention or Retention()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._next_sweep = 0.0
        self._connection().executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                check_same_thread=False,
            )
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # Responses.

    def _sweep(self, db: sqlite3.Connection, now: float) -> None:
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            db.execute("DELETE FROM responses WHERE expires_at <= ?", (now,))

    def put_response(self, stored: StoredResponse) -> None:
        record = encode_response(stored)
        now = time.time()
        with self._write() as db:
            self._sweep(db, now)
            db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?)",
                (stored.id, record, now + self.retention.seconds(stored)),
            )

    def add_response(self, stored: StoredResponse) -> bool:
        record = encode_response(stored)
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM responses WHERE id = ? AND expires_at <= ?", (stored.id, now))
            cursor = db.execute(
                "INSERT OR IGNORE INTO responses VALUES (?, ?, ?)",
                (stored.id, record, now + self.retention.seconds(stored)),
            )
            return cursor.rowcount == 1

    def get_response(self, response_id: str) -> StoredResponse | None:
        row = self._connection().execute(
            "SELECT record FROM responses WHERE id = ? AND expires_at > ?",
            (response_id, time.time()),
        ).fetchone()
        return decode_response(row[0]) if row else None

    def delete_response(self, response_id: str) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "DELETE FROM responses WHERE id = ? AND expires_at > ?", (response_id, time.time())
            )
            return cursor.rowcount == 1

    def list_responses(self) -> list[StoredResponse]:
        rows = self._connection().execute(
            "SELECT record FROM responses WHERE expires_at > ? ORDER BY rowid", (time.time(),)
        ).fetchall()
        return [decode_response(row[0]) for row in rows]

    def update_response(
        self, response_id: str, change: Callable[[StoredResponse], StoredResponse]
    ) -> StoredResponse | None:
        with self._write() as db:
            row = db.execute(
                "SELECT record FROM responses WHERE id = ? AND expires_at > ?",
                (response_id, time.time()),
            ).fetchone()
            if row is None:
                return None
            updated = change(decode_response(row[0]))
            db.execute(
                "UPDATE responses SET record = ? WHERE id = ?",
                (encode_response(updated), response_id),
            )
            return updated

    # Conversations: the object (and pending jobs) in one row, each item in its own, so an append
    # is an INSERT, not a rewrite of the whole list.

    def _items(self, db: sqlite3.Connection, conversation_id: str) -> list[dict[str, Any]]:
        rows = db.execute(
            "SELECT item FROM conversation_items WHERE conversation_id = ? ORDER BY position",
            (conversation_id,),
        ).fetchall()
        return [decode_item(row[0]) for row in rows]

    def _write_conversation(self, db: sqlite3.Connection, stored: StoredConversation) -> None:
        head = StoredConversation(stored.conversation, [], stored.pending)
        db.execute(
            "INSERT OR REPLACE INTO conversations VALUES (?, ?)",
            (stored.id, encode_conversation(head)),
        )
        db.execute("DELETE FROM conversation_items WHERE conversation_id = ?", (stored.id,))
        db.executemany(
            "INSERT INTO conversation_items VALUES (?, ?, ?)",
            [(stored.id, n, encode_item(item)) for n, item in enumerate(stored.items)],
        )

    def _read_conversation(
        self, db: sqlite3.Connection, conversation_id: str
    ) -> StoredConversation | None:
        row = db.execute(
            "SELECT record FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            return None
        head = decode_conversation(row[0])
        head.items = self._items(db, conversation_id)
        return head

    def put_conversation(self, stored: StoredConversation) -> None:
        with self._write() as db:
            self._write_conversation(db, stored)

    def add_conversation(self, stored: StoredConversation) -> bool:
        with self._write() as db:
            if db.execute("SELECT 1 FROM conversations WHERE id = ?", (stored.id,)).fetchone():
                return False
            self._write_conversation(db, stored)
            return True

    def get_conversation(self, conversation_id: str) -> StoredConversation | None:
        db = self._connection()
        db.execute("BEGIN")  # one snapshot for the head and its items
        try:
            return self._read_conversation(db, conversation_id)
        finally:
            db.execute("COMMIT")

    def list_conversations(self) -> list[StoredConversation]:
        db = self._connection()
        db.execute("BEGIN")
        try:
            ids = [row[0] for row in db.execute("SELECT id FROM conversations ORDER BY rowid")]
            found = [self._read_conversation(db, conversation_id) for conversation_id in ids]
        finally:
            db.execute("COMMIT")
        return [stored for stored in found if stored is not None]

    def delete_conversation(self, conversation_id: str) -> bool:
        with self._write() as db:
            cursor = db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            db.execute(
                "DELETE FROM conversation_items WHERE conversation_id = ?", (conversation_id,)
            )
            return cursor.rowcount == 1

    def update_conversation(
        self, conversation_id: str, change: Callable[[StoredConversation], None]
    ) -> StoredConversation | None:
        with self._write() as db:
            stored = self._read_conversation(db, conversation_id)
            if stored is None:
                return None
            change(stored)
            self._write_conversation(db, stored)
            return stored

    def append_items(self, conversation_id: str, items: list[dict[str, Any]]) -> bool:
        records = [encode_item(item) for item in items]  # before taking the write lock
        with self._write() as db:
            if not db.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone():
                return False
            (last,) = db.execute(
                "SELECT COALESCE(MAX(position), -1) FROM conversation_items "
                "WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            db.executemany(
                "INSERT INTO conversation_items VALUES (?, ?, ?)",
                [(conversation_id, last + 1 + n, record) for n, record in enumerate(records)],
            )
            return True

    # Counters and named values.

    def count(self, name: str, by: int = 1) -> int:
        with self._write() as db:
            (value,) = db.execute(
                "INSERT INTO counters VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
                (name, by),
            ).fetchone()
            return value

    def counters(self) -> dict[str, int]:
        return dict(self._connection().execute("SELECT name, value FROM counters").fetchall())

    def set_value(self, name: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO named_values VALUES (?, ?)", (name, value))

    def values(self) -> dict[str, str]:
        return dict(self._connection().execute("SELECT name, value FROM named_values").fetchall())

    def clear_counters(self) -> None:
        with self._write() as db:
            db.execute("DELETE FROM counters")
            db.execute("DELETE FROM named_values")

    def clear(self) -> None:
        with self._write() as db:
            for table in ("responses", "conversations", "conversation_items"):
                db.execute(f"DELETE FROM {table}")
            db.execute("DELETE FROM counters")
            db.execute("DELETE FROM named_values")

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()
