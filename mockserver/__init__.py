"""Offline contract-test and mock server for the OpenAI Responses API."""

from .app import create_app
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
from .server import MockServer, ServerFailure
from .store import MemoryStore, Store, StoredResponse

__all__ = [
    "APIError",
    "AuthenticationError",
    "Clock",
    "ConfigurationError",
    "InternalServerError",
    "InvalidRequestError",
    "ManualClock",
    "MemoryStore",
    "MockServer",
    "MockServerError",
    "NotFoundError",
    "RequestTooLargeError",
    "ServerConfig",
    "ServerFailure",
    "Store",
    "StoredResponse",
    "SystemClock",
    "create_app",
]
