"""Where state lives. Handlers see only the ``Store`` protocol; memory is the default, SQLite and
Redis share state between workers and replicas (``open_store``)."""

from mockserver.state.store.base import (
    ConversationTail,
    Retention,
    Store,
    StoredConversation,
    StoredResponse,
    StoreTotals,
)
from mockserver.state.store.memory import MemoryStore
from mockserver.state.store.open import DEFAULT_STORE_URL, is_shared, open_store

__all__ = [
    "DEFAULT_STORE_URL",
    "ConversationTail",
    "MemoryStore",
    "Retention",
    "Store",
    "StoreTotals",
    "StoredConversation",
    "StoredResponse",
    "is_shared",
    "open_store",
]
