"""Where state lives. Handlers see only the ``Store`` protocol; memory is the default."""

from .base import Store, StoredConversation, StoredResponse
from .memory import MemoryStore

__all__ = ["MemoryStore", "Store", "StoredConversation", "StoredResponse"]
