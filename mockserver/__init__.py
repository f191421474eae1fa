"""Offline contract-test and mock server for the OpenAI Responses API."""

from .app import create_app
from .cassettes import RecordMode
from .clock import Clock, ManualClock, SystemClock
from .config import ServerConfig
from .errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    InvalidRequestError,
    MockServerError,
    NotFoundError,
    RequestTooLargeError,
)
from .faults import Fault, parse_fault
from .journal_query import JournalView
from .lifecycle import Timeline
from .pacing import Pacing
from .recordings import RecordingFormatError
from .redaction import Redaction
from .replay import ReplayConfig
from .server import MockServer, ServerFailure
from .store import MemoryStore, Store, StoredConversation, StoredResponse
from .stubs import Stub, StubRegistry, parse_stub
from .stubs.api import Stubs

__all__ = [
    "APIError",
    "AuthenticationError",
    "Clock",
    "ConfigurationError",
    "Fault",
    "InternalServerError",
    "InvalidRequestError",
    "JournalView",
    "ManualClock",
    "MemoryStore",
    "MockServer",
    "MockServerError",
    "NotFoundError",
    "Pacing",
    "RecordMode",
    "RecordingFormatError",
    "Redaction",
    "ReplayConfig",
    "RequestTooLargeError",
    "ServerConfig",
    "ServerFailure",
    "Store",
    "StoredConversation",
    "StoredResponse",
    "Stub",
    "StubRegistry",
    "Stubs",
    "SystemClock",
    "Timeline",
    "create_app",
    "parse_fault",
    "parse_stub",
]
