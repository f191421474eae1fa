"""JSON Schemas for the wire objects, generated from the installed ``openai`` SDK's own types.

``schemas/*.json`` is build output of :func:`write_schemas`, never edited by hand; a test fails when
the checked-in files' content differs from what the installed SDK generates
(``schema_freshness.py``; ``mockserver schemas`` refreshes them). The SDK is imported lazily so
that ``import mockserver.contract.schemas`` stays cheap.
"""

import functools
import importlib
import json
from pathlib import Path
from typing import Any

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Schema name -> dotted path of the SDK type it is generated from (the SDK's public re-exports).
SCHEMA_SOURCES: dict[str, str] = {
    "Response": "openai.types.responses.Response",
    "ResponseStreamEvent": "openai.types.responses.ResponseStreamEvent",
    # What a WebSocket (`client.responses.connect()`) receives: the stream events plus the
    # socket's own `error` and `response.steer.*` events.
    "ResponsesServerEvent": "openai.types.responses.ResponsesServerEvent",
    "ResponseItemList": "openai.types.responses.ResponseItemList",
    "InputTokenCountResponse": "openai.types.responses.InputTokenCountResponse",
    # Union[NonStreaming, Streaming] in the SDK; generated as ONE TypedDict (_merged_create_params).
    "ResponseCreateParams": "openai.types.responses.ResponseCreateParams",
    "InputTokenCountParams": "openai.types.responses.InputTokenCountParams",
    "InputItemListParams": "openai.types.responses.InputItemListParams",
    "CompactedResponse": "openai.types.responses.CompactedResponse",
    "ResponseCompactParams": "openai.types.responses.ResponseCompactParams",
    "Conversation": "openai.types.conversations.Conversation",
    "ConversationDeletedResource": "openai.types.conversations.ConversationDeletedResource",
    "ConversationItem": "openai.types.conversations.ConversationItem",
    "ConversationItemList": "openai.types.conversations.ConversationItemList",
    "ConversationCreateParams": "openai.types.conversations.ConversationCreateParams",
    "ItemCreateParams": "openai.types.conversations.ItemCreateParams",
    "ErrorObject": "openai.types.shared.ErrorObject",
    # {"error": ErrorObject}: the envelope of every non-2xx body (see _error_body).
    "ErrorBody": "openai.types.shared.ErrorObject",
}


def import_type(dotted_path: str) -> Any:
    """Import ``package.module.Name`` and return ``Name``."""
    module_name, _, attr = dotted_path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


@functools.cache
def _generator_class() -> type:
    from pydantic.json_schema import GenerateJsonSchema

    class StrictGenerateJsonSchema(GenerateJsonSchema):
        """Pydantic's generator, except that it never degrades silently.

        By default pydantic only *warns* when it has to leave something out of a schema (a default
        that is not JSON-serialisable, a core schema it skips); those warnings are easy to miss in
        a build step, and a schema missing a piece would make the conformance checks lie.
        """

        schema_dialect = JSON_SCHEMA_DIALECT

        def emit_warning(self, kind: Any, detail: str) -> None:
            raise TypeError(f"pydantic could not fully render a JSON Schema ({kind}): {detail}")

    return StrictGenerateJsonSchema


def _merged_create_params(union: Any) -> Any:
    """One TypedDict for both create variants: the shared base plus ``stream: bool | None``.

    The SDK splits the body into NonStreaming (``stream`` optional, false/null) and Streaming
    (``stream`` required, true) purely for its overloads; the server receives one body, and an
    ``anyOf`` of two 30-key objects would make every validation error unreadable.
    """
    import typing

    members = typing.get_args(union)
    bases = {base for member in members for base in member.__orig_bases__}
    if len(bases) != 1:
        raise TypeError(f"expected the create-params variants to share one base, got {bases}")
    (base,) = bases

    class ResponseCreateParams(base, total=False):  # type: ignore[misc, valid-type]
        stream: bool | None

    for member in members:
        lost = set(member.__annotations__) - set(ResponseCreateParams.__annotations__)
        if lost:
            raise TypeError(f"merging {member.__name__} would drop keys {sorted(lost)}")
    ResponseCreateParams.__doc__ = "Body of POST /v1/responses (streaming or not)."
    return ResponseCreateParams


def _json_schema(sdk_type: Any) -> dict[str, Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(sdk_type).json_schema(mode="validation", schema_generator=_generator_class())


def _error_body(error_object: dict[str, Any]) -> dict[str, Any]:
    inner = dict(error_object)
    defs = inner.pop("$defs", {})
    inner.pop("$schema", None)
    defs["ErrorObject"] = inner
    return {
        "$defs": defs,
        "description": 'Body of every error response: {"error": ErrorObject}.',
        "properties": {"error": {"$ref": "#/$defs/ErrorObject"}},
        "required": ["error"],
        "type": "object",
    }


def generate_schemas() -> dict[str, dict]:
    """Generate every schema in :data:`SCHEMA_SOURCES` from the installed SDK (fresh dicts)."""
    return {name: json.loads(text) for name, text in _generated_texts().items()}


@functools.cache
def _generated_texts() -> dict[str, str]:
    # Generating takes ~2 s and the installed SDK cannot change under a running process.
    import openai

    texts: dict[str, str] = {}
    for name, dotted_path in SCHEMA_SOURCES.items():
        sdk_type = import_type(dotted_path)
        if name == "ResponseCreateParams":
            sdk_type = _merged_create_params(sdk_type)
        schema = _json_schema(sdk_type)
        if name == "ErrorBody":
            schema = _error_body(schema)
        schema["$schema"] = JSON_SCHEMA_DIALECT
        schema["title"] = name
        schema["x-generated-from"] = {
            "package": "openai",
            "version": openai.__version__,
            "type": dotted_path,
        }
        texts[name] = dump_schema(schema)
    return texts


def dump_schema(schema: dict) -> str:
    """The canonical file text of a schema: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_dir() -> Path:
    """``mockserver/_schemas`` in an installed wheel, else the repository's ``schemas/``."""
    packaged = Path(__file__).resolve().parents[1] / "_schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


def write_schemas(directory: Path) -> list[Path]:
    """Write one ``<Name>.json`` per schema into ``directory`` and delete stale ``*.json``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, text in sorted(_generated_texts().items()):
        path = directory / f"{name}.json"
        # Leave unchanged files alone so mtimes (and build caches keyed on them) stay put.
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    for path in directory.glob("*.json"):
        if path.stem not in SCHEMA_SOURCES:
            path.unlink()
    load_schema.cache_clear()
    return written


@functools.cache
def load_schema(name: str) -> dict:
    """The checked-in (or packaged) schema ``name``, parsed once per process."""
    path = schema_dir() / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no schema {name!r} at {path}; run `mockserver schemas`")
    return json.loads(path.read_text(encoding="utf-8"))
