"""Offline contract-test and mock server for the OpenAI Responses API.

The package is grouped by layer (see docs/architecture.md); this module is the public API. Its
names are imported on first use (PEP 562), so ``mockserver serve`` loads only what serving needs:
``MockServer`` alone would bring uvicorn's h11 protocol, recording and replay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mockserver import _moved

if TYPE_CHECKING:
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

# Public name -> the module that defines it.
_EXPORTS = {
    "APIError": "mockserver.contract.errors",
    "AuthenticationError": "mockserver.contract.errors",
    "Clock": "mockserver.scenarios.clock",
    "ConfigurationError": "mockserver.contract.errors",
    "Fault": "mockserver.scenarios.faults",
    "InternalServerError": "mockserver.contract.errors",
    "InvalidRequestError": "mockserver.contract.errors",
    "JournalView": "mockserver.scenarios.journal_query",
    "ManualClock": "mockserver.scenarios.clock",
    "MemoryStore": "mockserver.state.store",
    "MockServer": "mockserver.http.server",
    "MockServerError": "mockserver.contract.errors",
    "NotFoundError": "mockserver.contract.errors",
    "Pacing": "mockserver.scenarios.pacing",
    "RecordMode": "mockserver.recording.tape",
    "RecordingFormatError": "mockserver.recording.cassette",
    "Redaction": "mockserver.recording.redaction",
    "ReplayConfig": "mockserver.http.replay",
    "RequestTooLargeError": "mockserver.contract.errors",
    "ServerConfig": "mockserver.state.config",
    "ServerFailure": "mockserver.http.server",
    "Store": "mockserver.state.store",
    "StoredConversation": "mockserver.state.store",
    "StoredResponse": "mockserver.state.store",
    "Stub": "mockserver.scenarios.stubs",
    "StubRegistry": "mockserver.scenarios.stubs",
    "Stubs": "mockserver.scenarios.stubs.api",
    "SystemClock": "mockserver.scenarios.clock",
    "Timeline": "mockserver.state.lifecycle",
    "create_app": "mockserver.http.app",
    "parse_fault": "mockserver.scenarios.faults",
    "parse_stub": "mockserver.scenarios.stubs",
}

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



def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


_moved.install()
