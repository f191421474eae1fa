"""Stored records <-> bytes, one format for every backend (memory, SQLite, Redis).

A record is one orjson document of its dataclass fields, generic over them (``dataclasses.fields``),
so a field added to ``StoredResponse`` is stored by every backend without changes here; it must
hold JSON data. Two things keep it small, because a busy server stores tens of thousands:

- the chaining ``context`` of a response is usually exactly its input items followed by its output;
  that case is stored as a flag and rebuilt on reading;
- documents over ``COMPRESS_ABOVE`` bytes are zlib-compressed (level 1: fast, and JSON with its
  repeated keys shrinks to a third or less).

The first byte says which: ``j`` plain JSON, ``z`` zlib-compressed JSON.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import Any

import orjson

from mockserver.state.lifecycle import BackgroundJob
from mockserver.state.store.base import StoredConversation, StoredResponse

COMPRESS_ABOVE = 200
# A 4 KiB window and a small hash table (zlib's defaults: 32 KiB and 256 KiB of state): records
# are a few KB, and setting up the default state cost more than compressing (measured: 2-5x the
# time of a 2 KB record). Still the zlib format, which `zlib.decompress` reads as before.
_WINDOW_BITS, _MEM_LEVEL = 12, 6
_PLAIN, _ZLIB = b"j", b"z"
# Marks a `context` that is `input_items + response["output"]`.
_DERIVED_CONTEXT = "=input+output"
_RESPONSE_FIELDS = tuple(f.name for f in dataclasses.fields(StoredResponse))
_CONVERSATION_FIELDS = tuple(f.name for f in dataclasses.fields(StoredConversation))


def pack(document: Any) -> bytes:
    data = orjson.dumps(document)
    if len(data) > COMPRESS_ABOVE:
        packer = zlib.compressobj(1, zlib.DEFLATED, _WINDOW_BITS, _MEM_LEVEL)
        return _ZLIB + packer.compress(data) + packer.flush()
    return _PLAIN + data


def unpack(blob: bytes) -> Any:
    kind, data = blob[:1], blob[1:]
    if kind == _ZLIB:
        data = zlib.decompress(data)
    elif kind != _PLAIN:
        raise ValueError(f"not a stored record (starts with {kind!r}, expected b'j' or b'z')")
    return orjson.loads(data)


def response_document(stored: StoredResponse) -> dict[str, Any]:
    document = {name: getattr(stored, name) for name in _RESPONSE_FIELDS}
    output = stored.response.get("output") or []
    if stored.context and stored.context == [*stored.input_items, *output]:
        document["context"] = _DERIVED_CONTEXT
    if stored.job is not None:
        document["job"] = dataclasses.asdict(stored.job)
    return document


def response_from_document(document: dict[str, Any]) -> StoredResponse:
    fields = {name: document[name] for name in _RESPONSE_FIELDS if name in document}
    if fields.get("context") == _DERIVED_CONTEXT:
        fields["context"] = [*fields["input_items"], *(fields["response"].get("output") or [])]
    if fields.get("job") is not None:
        fields["job"] = BackgroundJob(**fields["job"])
    return StoredResponse(**fields)


def encode_response(stored: StoredResponse) -> bytes:
    return pack(response_document(stored))


def decode_response(blob: bytes) -> StoredResponse:
    return response_from_document(unpack(blob))


def encode_conversation(stored: StoredConversation) -> bytes:
    return pack({name: getattr(stored, name) for name in _CONVERSATION_FIELDS})


def decode_conversation(blob: bytes) -> StoredConversation:
    document = unpack(blob)
    return StoredConversation(
        **{name: document[name] for name in _CONVERSATION_FIELDS if name in document}
    )


def conversation_head(stored: StoredConversation) -> StoredConversation:
    """``stored`` without its items: what every backend keeps in one record, the items apart."""
    return dataclasses.replace(stored, items=[])


def encode_item(item: dict[str, Any]) -> bytes:
    return orjson.dumps(item)


def decode_item(blob: bytes) -> dict[str, Any]:
    return orjson.loads(blob)
