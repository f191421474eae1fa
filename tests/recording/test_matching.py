"""Matching requests to recordings, and saying what differed when none matches."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.errors import ConfigurationError
from mockserver.recording.matching import (
    MatchRules,
    differences,
    nearest,
    parse_paths,
    remove_fields,
    replace_fields,
    request_differences,
    view,
)

NO_RULES = MatchRules()


def post(body: object, rules: MatchRules = NO_RULES, query: str = ""):
    return view("POST", "/v1/responses", query, json.dumps(body).encode(), rules)


def test_key_order_whitespace_and_number_spelling_do_not_matter() -> None:
    one = view(
        "POST", "/v1/responses", "", b'{"model":"m","temperature":1,"input":"hi"}', MatchRules()
    )
    two = view(
        "post",
        "/v1/responses/",
        "",
        b'{\n "input": "hi",\n "temperature": 1.0, "model": "m"}',
        MatchRules(),
    )
    assert one.key() == two.key()


def test_different_values_types_and_lengths_do_not_match() -> None:
    base = post({"input": "hi", "store": True})
    assert base.key() != post({"input": "hi", "store": 1}).key()
    assert base.key() != post({"input": "hi"}).key()
    assert post({"input": [1]}).key() != post({"input": [1, 1]}).key()


def test_query_parameters_match_in_any_order() -> None:
    one = view("GET", "/v1/responses/r/input_items", "limit=2&order=asc", b"", MatchRules())
    two = view("GET", "/v1/responses/r/input_items", "order=asc&limit=2", b"", MatchRules())
    assert one.key() == two.key()
    assert (
        one.key()
        != view("GET", "/v1/responses/r/input_items", "limit=3&order=asc", b"", MatchRules()).key()
    )


def test_ignored_fields_and_query_parameters_are_left_out() -> None:
    rules = MatchRules(("metadata.run_id", "input.*.id", "query.after"))
    one = post(
        {"input": [{"id": "a", "text": "x"}], "metadata": {"run_id": "1", "k": "v"}},
        rules,
        "after=a",
    )
    two = post(
        {"input": [{"id": "b", "text": "x"}], "metadata": {"run_id": "2", "k": "v"}},
        rules,
        "after=b",
    )
    assert one.key() == two.key()
    assert (
        one.key()
        != post(
            {"input": [{"id": "b", "text": "y"}], "metadata": {"run_id": "2", "k": "v"}}, rules
        ).key()
    )


def test_a_body_that_is_not_json_matches_on_its_text() -> None:
    one = view("POST", "/v1/files", "", b"--boundary\r\nabc", MatchRules())
    assert one.body == {"$text": "--boundary\r\nabc"}
    assert one.key() != view("POST", "/v1/files", "", b"--boundary\r\nabd", MatchRules()).key()


def test_field_paths_are_validated() -> None:
    assert parse_paths(["a.b", "input.*.id"]) == (("a", "b"), ("input", "*", "id"))
    with pytest.raises(ConfigurationError, match=r"'a\.\.b' is not a field path.*metadata\.run_id"):
        parse_paths(["a..b"])


def test_remove_and_replace_fields_leave_the_original_alone() -> None:
    value = {"input": [{"id": "a"}, {"id": "b"}], "user": "u"}
    assert remove_fields(value, parse_paths(["input.1.id", "user"])) == {"input": [{"id": "a"}, {}]}
    assert replace_fields(value, parse_paths(["input.*.id"]), "X") == {
        "input": [{"id": "X"}, {"id": "X"}],
        "user": "u",
    }
    assert value == {"input": [{"id": "a"}, {"id": "b"}], "user": "u"}


def test_differences_name_every_field_that_differs() -> None:
    recorded = {"input": [{"content": "Hello"}], "temperature": 0.2, "store": True}
    requested = {"input": [{"content": "Hi"}], "store": True, "top_p": 1}
    found = {diff.field: diff for diff in differences(recorded, requested)}
    assert set(found) == {"$.input[0].content", "$.temperature", "$.top_p"}
    assert (
        found["$.input[0].content"].describe()
        == '$.input[0].content: recorded "Hello", requested "Hi"'
    )
    assert found["$.temperature"].describe() == "$.temperature: recorded 0.2, not in the request"
    assert found["$.top_p"].describe() == "$.top_p: not in the recording, requested 1"


def test_request_differences_cover_route_and_query() -> None:
    recorded = view("GET", "/v1/responses/a/input_items", "limit=2", b"", MatchRules())
    requested = view("GET", "/v1/responses/a/input_items", "limit=3&order=asc", b"", MatchRules())
    described = [diff.describe() for diff in request_differences(recorded, requested)]
    assert described == [
        '?limit: recorded "2", requested "3"',
        '?order: not in the recording, requested "asc"',
    ]


def test_nearest_prefers_the_same_route_then_fewer_differences() -> None:
    requested = post({"model": "m", "input": "hi", "temperature": 0.5})
    candidates = [
        view("GET", "/v1/responses/x", "", b"", MatchRules()),
        post({"model": "m", "input": "other", "temperature": 0.1}),
        post({"model": "m", "input": "hi"}),
    ]
    ranked = nearest(requested, candidates, limit=2)
    assert [index for index, _ in ranked] == [2, 1]
    assert [diff.field for diff in ranked[0][1]] == ["$.temperature"]


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6))
def test_a_value_never_differs_from_itself_and_matches_itself(body: dict) -> None:
    assert differences(body, body) == []
    assert post(body).key() == post(dict(reversed(list(body.items())))).key()
