"""``text.format``: the echo, the strict check and JSON mode's "json" rule."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.text_format import check_json_mode, check_text_format, echo_text

STRICT = {
    "type": "object",
    "properties": {"a": {"type": "string"}},
    "required": ["a"],
    "additionalProperties": False,
}
LOOSE = {"type": "object", "properties": {"a": {"type": "string"}}}


def fmt(**fields: Any) -> dict[str, Any]:
    return {"text": {"format": {"type": "json_schema", "name": "out", **fields}}}


def test_echo_of_each_format_type() -> None:
    assert echo_text(None) == {"format": {"type": "text"}, "verbosity": "medium"}
    assert echo_text({"format": {"type": "json_object"}, "verbosity": "low"}) == {
        "format": {"type": "json_object"},
        "verbosity": "low",
    }
    echoed = echo_text(fmt(schema=STRICT)["text"])["format"]
    # The recorded key order, with `description` and `strict` filled in.
    assert list(echoed) == ["type", "description", "name", "schema", "strict"]
    assert echoed["strict"] is True and echoed["description"] is None


@pytest.mark.parametrize(
    ("strict", "schema", "echoed"),
    [(None, STRICT, True), (None, LOOSE, False), (False, STRICT, False), (True, STRICT, True)],
)
def test_strict_left_out_follows_the_schema(strict: Any, schema: Any, echoed: bool) -> None:
    fields = {"schema": schema} if strict is None else {"schema": schema, "strict": strict}
    assert echo_text(fmt(**fields)["text"])["format"]["strict"] is echoed


def test_only_strict_true_is_checked() -> None:
    check_text_format(fmt(schema=LOOSE))
    check_text_format(fmt(schema=LOOSE, strict=False))
    with pytest.raises(InvalidRequestError) as raised:
        check_text_format(fmt(schema=LOOSE, strict=True))
    error = raised.value
    assert error.message == (
        "Invalid schema for response_format 'out': In context=(), 'additionalProperties' is "
        "required to be supplied and to be false."
    )
    assert (error.param, error.code) == ("text.format.schema", "invalid_json_schema")


def test_format_name_rules() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        check_text_format(
            {"text": {"format": {"type": "json_schema", "name": "a b", "schema": STRICT}}}
        )
    assert raised.value.param == "text.format.name"


def user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_json_mode_needs_the_word_json_in_the_input() -> None:
    params = {"text": {"format": {"type": "json_object"}}, "instructions": "Reply in JSON."}
    check_json_mode(params, [user("Answer as JSON please")])
    check_json_mode(params, ["a bare json string"])
    check_json_mode({}, [user("no word needed")])
    with pytest.raises(InvalidRequestError) as raised:
        check_json_mode(params, [user("hello")])
    assert raised.value.message == (
        "Response input messages must contain the word 'json' in some form to use "
        "'text.format' of type 'json_object'."
    )
    assert (raised.value.param, raised.value.code) == ("text.format", None)
