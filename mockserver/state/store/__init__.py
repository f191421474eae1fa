"""Where state lives. Handlers see only the ``Store`` protocol; memory is the default."""

from mockserver.state.store.base import Store, StoredConversation, StoredResponse
from mockserver.state.store.memory import MemoryStore

__all__ = ["MemoryStore", "Store", "StoredConversation", "StoredResponse"]
