"""SQLite store (``sqlite:///path/state.db``): one file that survives restarts and is shared by
several worker processes on one machine.

WAL journal (readers never wait for the writer), a busy timeout (writers queue instead of failing),
``synchronous=NORMAL`` (a committed write survives the process being killed; only a power cut may
lose the last transactions). Every read-modify-write runs in ``BEGIN IMMEDIATE``, which takes the
write lock first, so two processes appending to one conversation queue up and lose nothing.
Records are ``codec`` blobs; each thread has its own connection. The inspector's views read the
newest rows by ``rowid`` and counts kept by triggers (``VIEWS_SCHEMA``): O(limit), not O(rows).
Item references and deletes read indexes (``INDEX_SCHEMA``): rows written with the response in
its transaction, an index on the conversation items' ids.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mockserver.state.store.base import (
    ConversationTail,
    Retention,
    StoredConversation,
    StoredResponse,
    StoreTotals,
    item_ids,
    item_with_id,
)
from mockserver.state.store.codec import (
    conversation_head,
    decode_conversation,
    decode_item,
    decode_response,
    encode_conversation,
    encode_item,
    encode_response,
)

BUSY_TIMEOUT_MS = 30_000
# A writer that finds the write lock taken retries after these pauses (seconds), doubling up to
# the last: a write holds the lock for a fraction of a millisecond, and SQLite's own busy handler
# first sleeps a whole millisecond, then 2, 5, 10 ms (its event loop blocked meanwhile).
FIRST_PAUSE, LONGEST_PAUSE = 0.00002, 0.0005
SWEEP_SECONDS = 60.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY, record BLOB NOT NULL, expires_at REAL NOT NULL,
    background INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS responses_expiry ON responses (expires_at);
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS conversation_items (
    conversation_id TEXT NOT NULL, position INTEGER NOT NULL, item BLOB NOT NULL,
    PRIMARY KEY (conversation_id, position));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS named_values (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# The inspector's bounded views (``newest_*``, ``totals``): newest first is ``rowid`` descending
# (rewrites are upserts, so a record keeps its rowid); background jobs have a partial index; the
# counts are kept by triggers in ``tallies`` (counted from the tables once, when a file first gets
# them).
VIEWS_SCHEMA = """
CREATE INDEX IF NOT EXISTS responses_background ON responses (background) WHERE background = 1;
CREATE TABLE IF NOT EXISTS tallies (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS responses_added AFTER INSERT ON responses BEGIN
    UPDATE tallies SET n = n + 1 WHERE name = 'responses';
    UPDATE tallies SET n = n + new.background WHERE name = 'background';
END;
CREATE TRIGGER IF NOT EXISTS responses_removed AFTER DELETE ON responses BEGIN
    UPDATE tallies SET n = n - 1 WHERE name = 'responses';
    UPDATE tallies SET n = n - old.background WHERE name = 'background';
END;
CREATE TRIGGER IF NOT EXISTS responses_reflagged AFTER UPDATE OF background ON responses BEGIN
    UPDATE tallies SET n = n + new.background - old.background WHERE name = 'background';
END;
CREATE TRIGGER IF NOT EXISTS conversations_added AFTER INSERT ON conversations BEGIN
    UPDATE tallies SET n = n + 1 WHERE name = 'conversations';
END;
CREATE TRIGGER IF NOT EXISTS conversations_removed AFTER DELETE ON conversations BEGIN
    UPDATE tallies SET n = n - 1 WHERE name = 'conversations';
END;
"""
# Run once, when ``tallies`` is new: a count of what the file held before it.
TALLIES_SEED = """
INSERT INTO tallies SELECT 'responses', COUNT(*) FROM responses;
INSERT INTO tallies SELECT 'background', COUNT(*) FROM responses WHERE background = 1;
INSERT INTO tallies SELECT 'conversations', COUNT(*) FROM conversations;
"""
# The item index and the continuation index (``find_item``, ``continuations_of``): for a
# response, rows written in its transaction (``_index_response``; a record is an opaque blob),
# removed with it by a trigger (a rewrite only adds rows: those it no longer holds are passed over
# on reading); for a conversation item, an index on the id inside the item's JSON, so every write
# of ``conversation_items`` keeps it (``codec.encode_item`` is plain JSON).
# Rows name responses by rowid and items by an 8-byte digest of their id (``item_key``: equal ids,
# equal keys, in every process; a collision only makes a lookup read one record more): small
# keys, and every index but the item keys' grows at its end, so a create's extra writes touch few
# pages (random 60-character keys in three indexes made an SQLite create 2.5 times as costly).
CONVERSATION_ITEM_ID = "json_extract(CAST(item AS TEXT), '$.id')"
INDEX_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS response_items (
    item_key INTEGER NOT NULL, response_rowid INTEGER NOT NULL,
    PRIMARY KEY (item_key, response_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS response_items_owner ON response_items (response_rowid);
CREATE TABLE IF NOT EXISTS continuations (
    base_rowid INTEGER NOT NULL, response_rowid INTEGER NOT NULL,
    PRIMARY KEY (base_rowid, response_rowid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS continuations_owner ON continuations (response_rowid);
CREATE TRIGGER IF NOT EXISTS responses_unindexed AFTER DELETE ON responses BEGIN
    DELETE FROM response_items WHERE response_rowid = old.rowid;
    DELETE FROM continuations WHERE response_rowid = old.rowid OR base_rowid = old.rowid;
END;
CREATE INDEX IF NOT EXISTS conversation_items_by_id ON conversation_items ({CONVERSATION_ITEM_ID});
"""


def item_key(item_id: str) -> int:
    """The ``response_items`` key of an item id: a stable 64-bit digest (not ``hash()``, which
    differs between processes sharing the file)."""
    digest = hashlib.blake2b(item_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# Rewrites keep the row (and so its place in the newest-first views and the triggers' counts).
_UPSERT_RESPONSE = (
    "INSERT INTO responses VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
    "record = excluded.record, expires_at = excluded.expires_at, background = excluded.background"
)


def _statements(script: str) -> list[str]:
    """A schema script's statements (``executescript`` would commit the open transaction)."""
    statements, pending = [], ""
    for line in script.strip().splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements


class SqliteStore:
    def __init__(self, path: str | Path, *, retention: Retention | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.retention = retention or Retention()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._next_sweep = 0.0
        self._create_schema()

    def _create_schema(self) -> None:
        """The tables, then in one write transaction (no write lands between counting and the
        triggers) what later versions added: a file made before them is upgraded, counted and
        indexed once; opening an up-to-date file reads no rows."""
        db = self._connection()
        db.executescript(SCHEMA)
        with self._write():
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            columns = {row[1] for row in db.execute("PRAGMA table_info(responses)")}
            if "background" not in columns:  # a file made before the column existed
                db.execute(
                    "ALTER TABLE responses ADD COLUMN background INTEGER NOT NULL DEFAULT 0"
                )
            for statement in _statements(VIEWS_SCHEMA + INDEX_SCHEMA):
                db.execute(statement)
            if "tallies" not in tables:
                for statement in _statements(TALLIES_SEED):
                    db.execute(statement)
            if "response_items" not in tables:
                for (record,) in db.execute("SELECT record FROM responses").fetchall():
                    self._index_response(db, decode_response(record))

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
            # In WAL mode only taking the write lock waits on others; ``_begin_immediate`` does
            # that waiting itself, in finer steps than SQLite's busy handler.
            connection.execute("PRAGMA busy_timeout = 0")
            # A REPLACE's implicit delete fires the delete triggers too, so `tallies` stay right.
            connection.execute("PRAGMA recursive_triggers = ON")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        _begin_immediate(db)
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
                _UPSERT_RESPONSE,
                (stored.id, record, now + self.retention.seconds(stored), stored.job is not None),
            )
            self._index_response(db, stored)

    @staticmethod
    def _index_response(db: sqlite3.Connection, stored: StoredResponse) -> None:
        (rowid,) = db.execute("SELECT rowid FROM responses WHERE id = ?", (stored.id,)).fetchone()
        db.executemany(
            "INSERT OR IGNORE INTO response_items VALUES (?, ?)",
            [(item_key(item_id), rowid) for item_id in item_ids(stored.held_items())],
        )
        if stored.context_base is not None:  # (no row when the base is not stored)
            db.execute(
                "INSERT OR IGNORE INTO continuations "
                "SELECT rowid, ? FROM responses WHERE id = ?",
                (rowid, stored.context_base),
            )

    def add_response(self, stored: StoredResponse) -> bool:
        record = encode_response(stored)
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM responses WHERE id = ? AND expires_at <= ?", (stored.id, now))
            cursor = db.execute(
                "INSERT OR IGNORE INTO responses VALUES (?, ?, ?, ?)",
                (stored.id, record, now + self.retention.seconds(stored), stored.job is not None),
            )
            if cursor.rowcount != 1:
                return False
            self._index_response(db, stored)
            return True

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

    def _newest_responses(
        self, limit: int, before: str | None, background: bool
    ) -> list[StoredResponse]:
        where = "expires_at > ?"
        args: list[Any] = [time.time()]
        if background:
            where += " AND background = 1"
        if before is not None:  # no such live row: `rowid < NULL`, nothing
            where += " AND rowid < (SELECT rowid FROM responses WHERE id = ? AND expires_at > ?)"
            args += [before, args[0]]
        rows = self._connection().execute(
            f"SELECT record FROM responses WHERE {where} ORDER BY rowid DESC LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [decode_response(row[0]) for row in rows]

    def newest_responses(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        return self._newest_responses(limit, before, background=False)

    def newest_background(self, limit: int, before: str | None = None) -> list[StoredResponse]:
        return self._newest_responses(limit, before, background=True)

    def totals(self) -> StoreTotals:
        """The triggers' counts, less the rows expired but not swept yet (an index range)."""
        db = self._connection()
        db.execute("BEGIN")
        try:
            tallies = dict(db.execute("SELECT name, n FROM tallies").fetchall())
            expired, expired_jobs = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(background), 0) FROM responses "
                "WHERE expires_at <= ?",
                (time.time(),),
            ).fetchone()
        finally:
            db.execute("COMMIT")
        return StoreTotals(
            responses=tallies.get("responses", 0) - expired,
            conversations=tallies.get("conversations", 0),
            background=tallies.get("background", 0) - expired_jobs,
        )

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
                "UPDATE responses SET record = ?, background = ? WHERE id = ?",
                (encode_response(updated), updated.job is not None, response_id),
            )
            self._index_response(db, updated)
            return updated

    def find_item(self, item_id: str) -> dict[str, Any] | None:
        with self._snapshot() as db:
            rows = db.execute(
                "SELECT r.record FROM response_items i JOIN responses r "
                "ON r.rowid = i.response_rowid WHERE i.item_key = ? AND r.expires_at > ? "
                "ORDER BY r.rowid",
                (item_key(item_id), time.time()),
            )
            for (record,) in rows:
                found = item_with_id(decode_response(record).held_items(), item_id)
                if found is not None:
                    return found
            row = db.execute(
                f"SELECT item FROM conversation_items WHERE {CONVERSATION_ITEM_ID} = ? LIMIT 1",
                (item_id,),
            ).fetchone()
            return decode_item(row[0]) if row is not None else None

    def continuations_of(self, response_id: str) -> list[str]:
        rows = self._connection().execute(
            "SELECT r.id, r.record FROM continuations c "
            "JOIN responses r ON r.rowid = c.response_rowid "
            "WHERE c.base_rowid = (SELECT rowid FROM responses WHERE id = ?) "
            "AND r.expires_at > ? ORDER BY r.rowid",
            (response_id, time.time()),
        ).fetchall()
        return [
            found_id
            for found_id, record in rows
            if decode_response(record).context_base == response_id
        ]

    # Conversations: the object (and pending jobs, tally) in one row, each item in its own, so an
    # append is an INSERT, not a rewrite of the whole list, and a turn reads only the last items.

    def _item_rows(self, db: sqlite3.Connection, conversation_id: str) -> list[bytes]:
        rows = db.execute(
            "SELECT item FROM conversation_items WHERE conversation_id = ? ORDER BY position",
            (conversation_id,),
        ).fetchall()
        return [row[0] for row in rows]

    def _head(self, db: sqlite3.Connection, conversation_id: str) -> StoredConversation | None:
        row = db.execute(
            "SELECT record FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return decode_conversation(row[0]) if row is not None else None

    def _write_head(self, db: sqlite3.Connection, stored: StoredConversation) -> None:
        db.execute(
            "INSERT INTO conversations VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET record = excluded.record",
            (stored.id, encode_conversation(conversation_head(stored))),
        )

    def _insert_items(
        self, db: sqlite3.Connection, conversation_id: str, first: int, blobs: list[bytes]
    ) -> None:
        db.executemany(
            "INSERT INTO conversation_items VALUES (?, ?, ?)",
            [(conversation_id, first + n, blob) for n, blob in enumerate(blobs)],
        )

    def _write_conversation(self, db: sqlite3.Connection, stored: StoredConversation) -> None:
        self._write_head(db, stored)
        db.execute("DELETE FROM conversation_items WHERE conversation_id = ?", (stored.id,))
        self._insert_items(db, stored.id, 0, [encode_item(item) for item in stored.items])

    def _read_conversation(
        self, db: sqlite3.Connection, conversation_id: str
    ) -> StoredConversation | None:
        head = self._head(db, conversation_id)
        if head is not None:
            head.items = [decode_item(blob) for blob in self._item_rows(db, conversation_id)]
        return head

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN")  # one snapshot for the head and its items
        try:
            yield db
        finally:
            db.execute("COMMIT")

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
        with self._snapshot() as db:
            return self._read_conversation(db, conversation_id)

    def list_conversations(self) -> list[StoredConversation]:
        with self._snapshot() as db:
            ids = [row[0] for row in db.execute("SELECT id FROM conversations ORDER BY rowid")]
            found = [self._read_conversation(db, conversation_id) for conversation_id in ids]
        return [stored for stored in found if stored is not None]

    def newest_conversations(
        self, limit: int, before: str | None = None
    ) -> list[StoredConversation]:
        where = ""
        args: tuple[str, ...] = ()
        if before is not None:
            where = "WHERE rowid < (SELECT rowid FROM conversations WHERE id = ?)"
            args = (before,)
        with self._snapshot() as db:
            ids = [
                row[0]
                for row in db.execute(
                    f"SELECT id FROM conversations {where} ORDER BY rowid DESC LIMIT ?",
                    (*args, limit),
                )
            ]
            found = [self._read_conversation(db, conversation_id) for conversation_id in ids]
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
            stored = self._head(db, conversation_id)
            if stored is None:
                return None
            before = self._item_rows(db, conversation_id)
            stored.items = [decode_item(blob) for blob in before]
            change(stored)
            after = [encode_item(item) for item in stored.items]
            self._write_head(db, stored)
            if after[: len(before)] == before:  # unchanged, or only appended to
                self._insert_items(
                    db,
                    conversation_id,
                    self._next_position(db, conversation_id),
                    after[len(before) :],
                )
            else:
                db.execute(
                    "DELETE FROM conversation_items WHERE conversation_id = ?", (conversation_id,)
                )
                self._insert_items(db, conversation_id, 0, after)
            return stored

    @staticmethod
    def _next_position(db: sqlite3.Connection, conversation_id: str) -> int:
        (last,) = db.execute(
            "SELECT COALESCE(MAX(position), -1) FROM conversation_items WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        return int(last) + 1

    def append_items(
        self,
        conversation_id: str,
        items: list[dict[str, Any]],
        *,
        after: int | None = None,
        tally: list[Any] | None = None,
        last_response: str | None = None,
    ) -> bool:
        blobs = [encode_item(item) for item in items]
        with self._write() as db:
            if after is None:
                if not db.execute(
                    "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone():
                    return False
            else:
                head = self._head(db, conversation_id)
                if head is None:
                    return False
                (length,) = db.execute(
                    "SELECT COUNT(*) FROM conversation_items WHERE conversation_id = ?",
                    (conversation_id,),
                ).fetchone()
                current = length == after
                head.tally = tally if current else None
                head.last_response = last_response if current else None
                self._write_head(db, head)
            self._insert_items(db, conversation_id, self._next_position(db, conversation_id), blobs)
            return True

    def conversation_tail(self, conversation_id: str, count: int) -> ConversationTail | None:
        with self._snapshot() as db:
            head = self._head(db, conversation_id)
            if head is None:
                return None
            (length,) = db.execute(
                "SELECT COUNT(*) FROM conversation_items WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            rows = db.execute(
                "SELECT item FROM conversation_items WHERE conversation_id = ? "
                "ORDER BY position DESC LIMIT ?",
                (conversation_id, count),
            ).fetchall()
        items = [decode_item(row[0]) for row in reversed(rows)]
        return ConversationTail(
            head.conversation, head.pending, head.tally, head.last_response, length, items
        )

    def conversation_items(
        self, conversation_id: str, start: int = 0, stop: int | None = None
    ) -> list[dict[str, Any]]:
        limit = -1 if stop is None else max(0, stop - start)
        rows = (
            self._connection()
            .execute(
                "SELECT item FROM conversation_items WHERE conversation_id = ? "
                "ORDER BY position LIMIT ? OFFSET ?",
                (conversation_id, limit, start),
            )
            .fetchall()
        )
        return [decode_item(row[0]) for row in rows]

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


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


def _begin_immediate(db: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, retried after short pauses while another writer holds the lock (at
    most ``BUSY_TIMEOUT_MS`` in all, then SQLite's "database is locked")."""
    try:
        db.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as error:
        if not _is_busy(error):
            raise
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = FIRST_PAUSE
    while True:
        time.sleep(pause)
        try:
            db.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() > deadline:
                raise
        pause = min(pause * 2, LONGEST_PAUSE)
