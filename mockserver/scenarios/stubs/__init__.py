"""Scenario stubs: declarative rules that script what the "model" answers to matching requests."""

from mockserver.scenarios.stubs.loader import load_stubs, stubs_from_document
from mockserver.scenarios.stubs.matching import RequestView, unmet
from mockserver.scenarios.stubs.model import (
    Conditions,
    Stub,
    StubAnswer,
    parse_stub,
    stub_definition,
)
from mockserver.scenarios.stubs.registry import Entry, Miss, StubRegistry

__all__ = [
    "Conditions",
    "Entry",
    "Miss",
    "RequestView",
    "Stub",
    "StubAnswer",
    "StubRegistry",
    "load_stubs",
    "parse_stub",
    "stub_definition",
    "stubs_from_document",
    "unmet",
]
