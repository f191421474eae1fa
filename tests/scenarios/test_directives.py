"""``x-mockserver-*`` request headers -> what the mock is asked to do."""

from __future__ import annotations

import pytest

from mockserver.contract.errors import InvalidRequestError
from mockserver.scenarios.directives import DEFAULT_REFUSAL, Directives, from_headers, reply_headers


def test_no_headers_no_directives() -> None:
    assert from_headers({}) == Directives()
    assert reply_headers(Directives()) == {}


def test_edge_mode_gets_a_seed_and_reports_it() -> None:
    first = from_headers({"x-mockserver-edge-cases": "1"})
    assert first.edge_cases and first.seed is not None
    assert reply_headers(first) == {"x-mockserver-seed": str(first.seed)}
    chosen = from_headers({"x-mockserver-edge-cases": "true", "x-mockserver-seed": "42"})
    assert chosen.seed == 42


def test_a_seed_alone_turns_edge_mode_on_unless_told_otherwise() -> None:
    assert from_headers({"x-mockserver-seed": "5"}) == Directives(edge_cases=True, seed=5)
    off = from_headers({"x-mockserver-seed": "5", "x-mockserver-edge-cases": "0"})
    assert not off.edge_cases and reply_headers(off) == {}


def test_server_wide_edge_mode_and_seed() -> None:
    assert from_headers({}, edge_default=True, seed_default=9) == Directives(True, 9)
    assert not from_headers({"x-mockserver-edge-cases": "off"}, edge_default=True).edge_cases
    assert from_headers({"x-mockserver-seed": "3"}, edge_default=True, seed_default=9).seed == 3


def test_refusal_and_tool_calls() -> None:
    assert from_headers({"x-mockserver-refusal": "Nope."}).refusal == "Nope."
    assert from_headers({"x-mockserver-refusal": "1"}).refusal == DEFAULT_REFUSAL
    assert from_headers({"x-mockserver-refusal": ""}).refusal == DEFAULT_REFUSAL
    calls = from_headers({"x-mockserver-tool-calls": " a, b ,,c"}).tool_calls
    assert calls == ("a", "b", "c")


@pytest.mark.parametrize(
    "headers",
    [
        {"x-mockserver-edge-cases": "maybe"},
        {"x-mockserver-seed": "abc"},
        {"x-mockserver-seed": "-1"},
        {"x-mockserver-seed": str(2**32)},
    ],
)
def test_bad_header_values_are_explained(headers: dict[str, str]) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        from_headers(headers)
    assert raised.value.code == "invalid_mock_header"
    assert next(iter(headers)) in raised.value.message
