"""Offline contract-test and mock server for the OpenAI Responses API.

The package is grouped by layer (see docs/architecture.md); this module is the public API.
"""

from mockserver import _moved
from mockserver.contract.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    InvalidRequestError,
    MockServerError,
    NotFoundError,
    RequestTooLargeError,
)
from mockserver.http.app import create_app
from mockserver.http.replay import ReplayConfig
from mockserver.http.server import MockServer, ServerFailure
from mockserver.recording.cassette import RecordingFormatError
from mockserver.recording.redaction import Redaction
from mockserver.recording.tape import RecordMode
from mockserver.scenarios.clock import Clock, ManualClock, SystemClock
from mockserver.scenarios.faults import Fault, parse_fault
from mockserver.scenarios.journal_query import JournalView
from mockserver.scenarios.pacing import Pacing
from mockserver.scenarios.stubs import Stub, StubRegistry, parse_stub
from mockserver.scenarios.stubs.api import Stubs
from mockserver.state.config import ServerConfig
from mockserver.state.lifecycle import Timeline
from mockserver.state.store import MemoryStore, Store, StoredConversation, StoredResponse

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

_moved.install()
