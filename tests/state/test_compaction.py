"""Compaction tokens, expansion and the counted window."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.inputs import normalize_input
from mockserver.model.tokens import COMPACTION_ITEM_TOKENS, count_context_tokens
from mockserver.state.compaction import (
    MADE_BY_COMPACT,
    MADE_BY_RESPONSE,
    CompactionError,
    compact,
    expand,
    invalid_encrypted_content,
    make_item,
    restore,
    seal,
    supersedes,
    unseal,
    window,
)

KEY = b"k" * 32
NOW = 1_767_225_600.0
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def ids(tag: str = "") -> Any:
    counter = iter(range(1000))
    return lambda prefix: f"{prefix}_{tag}{next(counter)}"


def history() -> list[dict[str, Any]]:
    return normalize_input(
        [
            {"role": "user", "content": "Remember: my project is called Atlas."},
            {"role": "assistant", "content": "Noted, your project is Atlas. " * 8},
            {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_1", "output": "done " * 20},
            {"role": "user", "content": "What did I name the project?"},
        ],
        ids(),
    )


@given(json_values)
def test_tokens_round_trip(payload: Any) -> None:
    assert unseal(KEY, seal(KEY, payload, NOW)) == payload


def test_tokens_look_like_fernet_tokens() -> None:
    token = seal(KEY, {"v": 1}, NOW)
    assert token.startswith("gAAAAAB")
    raw = base64.urlsafe_b64decode(token)
    assert raw[0] == 0x80 and int.from_bytes(raw[1:9], "big") == int(NOW)


@given(st.data())
def test_any_changed_byte_is_refused(data: st.DataObject) -> None:
    token = seal(KEY, {"items": ["secret"]}, NOW)
    raw = bytearray(base64.urlsafe_b64decode(token))
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(CompactionError):
        unseal(KEY, base64.urlsafe_b64encode(bytes(raw)).decode())


@pytest.mark.parametrize(
    "token",
    ["garbage", "", "gAAAAAB", "!!!!", 7, None, "g" * 200],
)
def test_malformed_tokens_are_refused(token: Any) -> None:
    with pytest.raises(CompactionError):
        unseal(KEY, token)


def test_tokens_from_another_key_or_with_extra_characters_are_refused() -> None:
    token = seal(KEY, {"v": 1}, NOW)
    with pytest.raises(CompactionError):
        unseal(b"another server", token)
    with pytest.raises(CompactionError):
        unseal(KEY, token[:10] + "\n" + token[10:])


def test_the_error_names_the_item_or_the_ends_of_its_content() -> None:
    named = invalid_encrypted_content({"id": "cmp_123", "encrypted_content": "garbage"})
    assert named.status_code == 400
    assert named.body() == {
        "error": {
            "message": "The encrypted content for item cmp_123 could not be verified. Reason: "
            "Encrypted content could not be decrypted or parsed.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_encrypted_content",
        }
    }
    anonymous = invalid_encrypted_content({"type": "compaction", "encrypted_content": "garbage"})
    assert anonymous.message.startswith("The encrypted content garb...bage could not be verified.")


def test_compact_keeps_user_messages_and_seals_the_rest() -> None:
    full = history()
    output = compact(full, key=KEY, now=NOW, new_id=ids("new"))
    kept, item = output[:-1], output[-1]
    assert [m["content"] for m in kept] == [m["content"] for m in full if m.get("role") == "user"]
    assert all(
        m["id"].startswith("msg_") and list(m) == ["id", "type", "status", "content", "role"]
        for m in kept
    )
    assert {m["id"] for m in kept}.isdisjoint(m["id"] for m in full)
    assert item["type"] == "compaction" and item["id"].startswith("cmp_")
    assert list(item) == ["id", "type", "encrypted_content"]
    assert restore(KEY, item) == full
    assert not supersedes(KEY, item)


def test_a_compacted_window_expands_to_the_full_context() -> None:
    full = history()
    compacted = compact(full, key=KEY, now=NOW, new_id=ids())
    assert expand(compacted, KEY) == full
    # Compacting a compacted window again stands for the same full context.
    again = compact(compacted, key=KEY, now=NOW, new_id=ids())
    assert expand(again, KEY) == full
    # A /compact item adds to the history: items before it that it does not contain stay.
    developer = {"id": "msg_dev", "type": "message", "role": "developer", "content": "Be brief."}
    assert expand([developer, *compacted], KEY) == [developer, *full]


def test_a_response_made_item_supersedes_everything_before_it() -> None:
    full = history()
    item = make_item(full, key=KEY, now=NOW, item_id="cmp_9", made_by=MADE_BY_RESPONSE)
    noise = {"id": "msg_x", "type": "message", "role": "user", "content": "ignored"}
    after = {"id": "msg_y", "type": "message", "role": "user", "content": "next"}
    assert supersedes(KEY, item)
    assert expand([noise, item, after], KEY) == [*full, after]
    counted = window([noise, *full, item, after], KEY)
    users = [m for m in full if m.get("role") == "user"]
    assert counted == [*users, item, after]


def test_the_window_counts_a_compaction_item_as_a_small_fixed_cost() -> None:
    full = history()
    compacted = compact(full, key=KEY, now=NOW, new_id=ids())
    users = count_context_tokens([m for m in full if m.get("role") == "user"])
    assert count_context_tokens(window(compacted, KEY)) == users + COMPACTION_ITEM_TOKENS
    assert count_context_tokens(window(compacted, KEY)) < count_context_tokens(full)


def test_expand_and_window_refuse_content_they_cannot_read() -> None:
    bad = {"id": "cmp_1", "type": "compaction", "encrypted_content": "garbage"}
    with pytest.raises(CompactionError, match="for item cmp_1"):
        expand([bad], KEY)
    with pytest.raises(CompactionError, match="for item cmp_1"):
        window([bad], KEY)
    # Authentic tokens whose payload is not a compaction payload are refused too.
    for payload in (
        {"v": 1, "by": "nobody", "items": []},
        {"v": 2},
        [1, 2],
        {"v": 1, "by": MADE_BY_COMPACT, "items": [1]},
    ):
        item = {"type": "compaction", "encrypted_content": seal(KEY, payload, NOW)}
        with pytest.raises(CompactionError):
            restore(KEY, item)
