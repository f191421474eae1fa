"""Token counting: deterministic, consistent, and lossless when text is cut into pieces."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.inputs import item_text
from mockserver.model.tokens import (
    MESSAGE_OVERHEAD,
    REQUEST_OVERHEAD,
    count_context_tokens,
    count_text_tokens,
    split_pieces,
    truncate_to_tokens,
)

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
words = st.text(" abcdefghij_.,!'?0123456789\n\té", max_size=300)
any_text = texts | words


@given(any_text)
def test_pieces_rebuild_the_text(text: str) -> None:
    # Streamed deltas are these pieces: losing a character would corrupt every stream.
    assert "".join(split_pieces(text)) == text


@given(any_text)
def test_count_is_additive_over_the_pieces(text: str) -> None:
    pieces = split_pieces(text)
    assert count_text_tokens(text) == sum(count_text_tokens(piece) for piece in pieces)
    assert all(count_text_tokens(piece) >= 1 for piece in pieces)


@given(any_text, st.integers(min_value=0, max_value=80))
def test_truncation_is_a_prefix_within_the_limit(text: str, limit: int) -> None:
    cut = truncate_to_tokens(text, limit)
    assert text.startswith(cut)
    assert count_text_tokens(cut) <= limit
    if count_text_tokens(text) <= limit:
        assert cut == text
    else:
        # Maximal: the next whole piece would not have fit.
        following = split_pieces(text)[len(split_pieces(cut))]
        assert count_text_tokens(cut) + count_text_tokens(following) > limit


def test_known_counts() -> None:
    assert count_text_tokens("") == 0
    assert split_pieces("Hello, world!") == ["Hello", ",", " world", "!"]
    assert split_pieces("snake_case __init__") == ["snake", "_", "case", " __", "init", "__"]
    assert split_pieces("It's 12345") == ["It", "'s", " 123", "45"]
    # One token per started six characters of a piece.
    assert count_text_tokens("abcdef") == 1
    assert count_text_tokens("abcdefg") == 2
    # "Hello, world!" as one message: 11, as gpt-4o-mini reports it.
    assert count_context_tokens(["Hello, world!"]) == 11


def test_item_text_collects_every_text_an_item_carries() -> None:
    assert item_text("plain") == "plain"
    assert item_text(42) == ""
    assert item_text({"role": "user", "content": "hi"}) == "hi"
    message = {
        "type": "message",
        "content": [
            {"type": "input_text", "text": "a"},
            {"type": "refusal", "refusal": "b"},
            {"type": "input_image", "image_url": "http://x"},
            "junk",
        ],
    }
    assert item_text(message) == "a\nb"
    call = {"type": "function_call", "name": "f", "arguments": '{"x": 1}'}
    assert item_text(call) == '{"x": 1}\nf'
    assert item_text({"type": "function_call_output", "output": "done"}) == "done"
    reasoning = {"type": "reasoning", "summary": [{"text": "s1"}, {"text": "s2"}, "junk"]}
    assert item_text(reasoning) == "s1\ns2"


@given(st.lists(any_text, max_size=5), st.none() | any_text)
def test_context_count_is_the_sum_of_its_messages(
    messages: list[str], instructions: str | None
) -> None:
    expected = REQUEST_OVERHEAD + sum(MESSAGE_OVERHEAD + count_text_tokens(m) for m in messages)
    if instructions:
        expected += MESSAGE_OVERHEAD + count_text_tokens(instructions)
    assert count_context_tokens(messages, instructions) == expected
