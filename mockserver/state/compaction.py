"""Compaction: a context window -> the kept user messages plus one opaque ``compaction`` item.

``POST /v1/responses/compact`` replaces everything but the user messages of a context by a single
item ``{"id": "cmp_…", "type": "compaction", "encrypted_content": "gAAAAAB…"}``; server-side
compaction (``context_management`` on create) puts such an item first in a response's output.
The real API's ``encrypted_content`` is a Fernet token around a summary only OpenAI can read.
Ours is Fernet-*shaped* (version byte 0x80, 8-byte timestamp, 16-byte IV, ciphertext, 32-byte
HMAC-SHA256, URL-safe base64, so it also starts ``gAAAAAB``) and carries the full context it
stands for, compressed and encrypted with a keyed SHA-256 stream under the server's compaction key
and authenticated with HMAC-SHA256 under a second key derived from it. The key is random per
server unless configured (``ServerConfig.compaction_key``). A token that claims to be ours (its
IV carries our mark and key fingerprint) and was changed does not verify: the request gets the
400 of :func:`invalid_encrypted_content`. A well-formed token we did not seal (the real API's, or
another server's) cannot be read but is accepted as an opaque item (:func:`is_foreign`), so
replayed real windows work; with a shared ``compaction_key`` servers read each other's items.

Two kinds, as the real API behaves (measured by a third-party parity suite, see
docs/conversations-compaction-background.md):

- an item made by ``/responses/compact`` *adds* to the history: items sent before it are still
  read and counted;
- an item a response made (``context_management``) *supersedes* every earlier item: they are
  neither read nor counted; what it keeps is its user messages (counted) and a short summary.

:func:`expand` gives the context the model "reads" (each item replaced by what it stands for), so
answers are the ones the full window would get; :func:`window` gives what is counted, where a
compaction item costs ``tokens.COMPACTION_ITEM_TOKENS``, so usage is smaller than with the full
window.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.inputs import item_text

VERSION = b"\x80"
_HEADER = 1 + 8 + 16
_TAG = 32
PAYLOAD_VERSION = 1


# Who made a compaction item (stored inside its token).
MADE_BY_COMPACT = "compact"
MADE_BY_RESPONSE = "response"


class CompactionError(InvalidRequestError):
    """A compaction item's ``encrypted_content`` did not verify."""


def invalid_encrypted_content(item: Any = None) -> CompactionError:
    """The real 400 for compaction content the API did not produce: the item is named by its id,
    or (without one) by the first and last four characters of its content."""
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        subject = f"for item {item['id']}"
    else:
        token = item.get("encrypted_content") if isinstance(item, dict) else None
        token = token if isinstance(token, str) else ""
        subject = f"{token[:4]}...{token[-4:]}"
    return CompactionError(
        f"The encrypted content {subject} could not be verified. Reason: Encrypted content could "
        "not be decrypted or parsed.",
        code="invalid_encrypted_content",
    )


def _keys(key: bytes) -> tuple[bytes, bytes]:
    return hashlib.sha256(b"mockserver-enc" + key).digest(), hashlib.sha256(
        b"mockserver-mac" + key
    ).digest()


def _keystream(enc_key: bytes, iv: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hashlib.sha256(enc_key + iv + counter.to_bytes(8, "big")).digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


# Our tokens' IV starts with this mark and a fingerprint of the key that sealed them, so a token
# can be told apart: ours (must verify), another server's, or the real API's (opaque; accepted).
MARK = b"mk"


def _fingerprint_of(mac_key: bytes) -> bytes:
    return hashlib.sha256(b"mockserver-key-id" + mac_key).digest()[:6]


def seal(key: bytes, payload: Any, now: float) -> str:
    """An opaque, authenticated token carrying ``payload`` (any JSON value)."""
    enc_key, mac_key = _keys(key)
    plain = zlib.compress(orjson.dumps(payload))
    iv = MARK + _fingerprint_of(mac_key) + hmac.new(mac_key, plain, hashlib.sha256).digest()[:8]
    header = VERSION + int(now).to_bytes(8, "big") + iv
    body = header + _xor(plain, _keystream(enc_key, iv, len(plain)))
    tag = hmac.new(mac_key, body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + tag).decode()


def unseal(key: bytes, token: Any) -> Any:
    """The payload of a token made by :func:`seal` under ``key``; CompactionError otherwise."""
    if not isinstance(token, str):
        raise invalid_encrypted_content()
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise invalid_encrypted_content() from None
    # Decoding skips characters outside the alphabet; a canonical token re-encodes to itself.
    if base64.urlsafe_b64encode(raw).decode() != token:
        raise invalid_encrypted_content()
    if len(raw) < _HEADER + _TAG or raw[:1] != VERSION:
        raise invalid_encrypted_content()
    enc_key, mac_key = _keys(key)
    body, tag = raw[:-_TAG], raw[-_TAG:]
    if not hmac.compare_digest(tag, hmac.new(mac_key, body, hashlib.sha256).digest()):
        raise invalid_encrypted_content()
    iv, cipher = body[9:_HEADER], body[_HEADER:]
    try:
        return orjson.loads(zlib.decompress(_xor(cipher, _keystream(enc_key, iv, len(cipher)))))
    except (zlib.error, orjson.JSONDecodeError):
        raise invalid_encrypted_content() from None


def is_compaction(item: Any) -> bool:
    return isinstance(item, dict) and item.get("type") == "compaction"


def has_compaction(items: Sequence[Any]) -> bool:
    return any(is_compaction(item) for item in items)


def is_foreign(key: bytes, token: Any) -> bool:
    """A well-formed Fernet-shaped token this server did not seal: made by the real API (whose
    windows clients replay) or by another server instance. We cannot read it, and rejecting it
    would break replayed real windows (issue #12), so it is accepted as an opaque item that
    stands for nothing we can read. A token that claims to be ours (our mark and key) must verify.
    """
    if not isinstance(token, str):
        return False
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    if base64.urlsafe_b64encode(raw).rstrip(b"=") != token.encode("ascii").rstrip(b"="):
        return False
    if len(raw) < _HEADER + _TAG or raw[:1] != VERSION:
        return False
    iv = raw[9:_HEADER]
    return not (iv[:2] == MARK and iv[2:8] == _fingerprint_of(_keys(key)[1]))


def _payload(key: bytes, item: dict[str, Any]) -> dict[str, Any]:
    if is_foreign(key, item.get("encrypted_content")):
        return {"v": PAYLOAD_VERSION, "by": MADE_BY_COMPACT, "items": []}
    try:
        payload = unseal(key, item.get("encrypted_content"))
    except CompactionError:
        raise invalid_encrypted_content(item) from None
    items = payload.get("items") if isinstance(payload, dict) else None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != PAYLOAD_VERSION
        or payload.get("by") not in (MADE_BY_COMPACT, MADE_BY_RESPONSE)
        or not isinstance(items, list)
        or not all(isinstance(x, dict) for x in items)
    ):
        raise invalid_encrypted_content(item)
    return payload


def verify(items: Any, key: bytes) -> None:
    """Check the compaction items of a request's ``input`` as sent (so an error names an item by
    the id the client gave it, or by its content when it has none)."""
    for item in items if isinstance(items, list) else []:
        if is_compaction(item):
            _payload(key, item)


def restore(key: bytes, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The items a compaction item stands for."""
    return _payload(key, item)["items"]


def supersedes(key: bytes, item: dict[str, Any]) -> bool:
    """Whether a compaction item replaces everything before it (one a response made)."""
    return _payload(key, item)["by"] == MADE_BY_RESPONSE


def make_item(
    full: list[dict[str, Any]], *, key: bytes, now: float, item_id: str, made_by: str
) -> dict[str, Any]:
    payload = {"v": PAYLOAD_VERSION, "by": made_by, "items": full}
    return {"id": item_id, "type": "compaction", "encrypted_content": seal(key, payload, now)}


def _fingerprint(item: Any) -> tuple[str, str, str]:
    if not isinstance(item, dict):
        return ("message", "user", item_text(item))
    return (str(item.get("type", "message")), str(item.get("role", "")), item_text(item))


def expand(items: Sequence[dict[str, Any]], key: bytes) -> list[dict[str, Any]]:
    """The full context a (possibly compacted) context stands for: what the model reads.

    A compaction item a response made replaces everything before it by what it stands for. One
    made by ``/compact`` is replaced by what it stands for, and the items before it that it
    already contains (the user messages it kept verbatim, an earlier expansion) are dropped, so
    nothing is read twice. Raises CompactionError for content that does not verify.
    """
    result: list[dict[str, Any]] = []
    for item in items:
        if not is_compaction(item):
            result.append(item)
            continue
        payload = _payload(key, item)
        restored = payload["items"]
        if payload["by"] == MADE_BY_RESPONSE:
            result = list(restored)
            continue
        remaining = Counter(_fingerprint(x) for x in restored)
        kept = []
        for earlier in result:
            print_ = _fingerprint(earlier)
            if remaining[print_] > 0:
                remaining[print_] -= 1
            else:
                kept.append(earlier)
        result = [*kept, *restored]
    return result


def window(items: Sequence[dict[str, Any]], key: bytes) -> list[dict[str, Any]]:
    """What is counted for a (possibly compacted) context: everything, except that a compaction
    item a response made stands in for all before it, as its user messages plus itself. Raises
    CompactionError for any compaction item whose content does not verify."""
    start = 0
    kept: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if is_compaction(item):
            payload = _payload(key, item)
            if payload["by"] == MADE_BY_RESPONSE:
                start = index
                kept = [x for x in payload["items"] if is_user_message(x)]
    return [*kept, *items[start:]]


def is_user_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("type", "message") == "message"
        and item.get("role") == "user"
    )


def compact(
    context: Sequence[dict[str, Any]],
    *,
    key: bytes,
    now: float,
    new_id: Callable[[str], str],
) -> list[dict[str, Any]]:
    """The compacted window of ``context``: every user message it stands for, verbatim with a
    new ``msg_`` id, then one compaction item carrying the full context."""
    full = expand(context, key)
    kept = []
    for item in full:
        if is_user_message(item):
            message = copy.deepcopy(item)
            message["id"] = new_id("msg")
            kept.append(
                {k: message[k] for k in ("id", "type", "status", "content", "role") if k in message}
            )
    item = make_item(full, key=key, now=now, item_id=new_id("cmp"), made_by=MADE_BY_COMPACT)
    return [*kept, item]
