"""Everything a handler needs, bundled: settings, store, clock, ids, and server-side failures."""

from __future__ import annotations

import secrets
import threading
import traceback
from dataclasses import dataclass, field

from mockserver.contract.ids import IdFactory
from mockserver.scenarios.clock import Clock, SystemClock
from mockserver.scenarios.journal import Journal
from mockserver.scenarios.stubs.registry import StubRegistry
from mockserver.state.config import ServerConfig
from mockserver.state.store import MemoryStore, Store, StoredConversation, StoredResponse


@dataclass
class MockState:
    config: ServerConfig = field(default_factory=ServerConfig)
    store: Store = field(default_factory=MemoryStore)
    clock: Clock = field(default_factory=SystemClock)
    ids: IdFactory = field(default_factory=IdFactory)
    journal: Journal = field(default_factory=Journal)
    # Scenario stubs, their counters and scenario states (stubs/registry.py).
    stubs: StubRegistry = field(default_factory=StubRegistry)
    # Unexpected exceptions inside handlers; `MockServer` re-raises them in the test that caused
    # them, so a bug in the mock never hides behind a 500.
    failures: list[BaseException] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Key of compaction items' `encrypted_content` (compaction.py): `config.compaction_key` when
    # set, else random, so items made by another server do not verify here.
    compaction_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    # What `reset` restores: the seed file's responses and conversations (seed.py).
    seed_responses: list[StoredResponse] = field(default_factory=list, repr=False)
    seed_conversations: list[StoredConversation] = field(default_factory=list, repr=False)

    # Failures not kept because `config.max_failures` were already waiting.
    failures_dropped: int = 0

    def __post_init__(self) -> None:
        if self.config.compaction_key:
            self.compaction_key = self.config.compaction_key.encode()
        self.journal.max_bytes = self.config.journal_max_bytes
        self.journal.body_bytes = self.config.journal_body_bytes
        # Stub counters and scenario states live in the store, shared by every worker using it.
        self.stubs.tally = self.store

    def plant_seed(self) -> None:
        """Store the seed where it is missing (a restarted worker keeps what others changed)."""
        for response in self.seed_responses:
            self.store.add_response(response)
        for conversation in self.seed_conversations:
            self.store.add_conversation(conversation)

    def reset(self) -> None:
        """Back to the start-up state: the seed and the start-up stubs, nothing else."""
        self.store.clear()
        self.plant_seed()
        self.journal.clear()
        self.stubs.reset()

    def record_failure(self, exc: BaseException) -> None:
        """Keep ``exc`` for ``take_failures``; bounded, since nobody drains it under ``serve``.

        The first failures are the ones worth re-raising (later ones are often consequences), so
        once ``max_failures`` wait, newer ones are only counted. Kept ones drop their frames'
        locals (``clear_frames``): the traceback text survives, the request's objects do not.
        """
        with self._lock:
            if len(self.failures) >= self.config.max_failures:
                self.failures_dropped += 1
                return
            traceback.clear_frames(exc.__traceback__)
            self.failures.append(exc)

    def take_failures(self) -> list[BaseException]:
        with self._lock:
            taken, self.failures = self.failures, []
            self.failures_dropped = 0
            return taken
