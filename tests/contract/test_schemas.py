"""schemas/ is generated from the installed openai SDK and must be up to date."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema_rs
import openai
import pytest

from mockserver.contract.schema_freshness import schema_changes, stale_schemas
from mockserver.contract.schemas import (
    JSON_SCHEMA_DIALECT,
    SCHEMA_SOURCES,
    dump_schema,
    generate_schemas,
    schema_dir,
    write_schemas,
)

REPO_SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.fixture(scope="module")
def generated() -> dict[str, dict]:
    return generate_schemas()


def _files() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in REPO_SCHEMAS.glob("*.json")}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node))
    return set()


def test_checked_in_schemas_are_up_to_date() -> None:
    changes = schema_changes(REPO_SCHEMAS)
    assert changes == [], (
        f"schemas/ differs in content from what the installed openai {openai.__version__} "
        "generates:\n" + "\n".join(change.describe() for change in changes) + "\nregenerate "
        "with `mockserver schemas` and commit the result (docs/schemas.md)"
    )


def test_every_source_has_a_file() -> None:
    assert sorted(_files()) == sorted(SCHEMA_SOURCES)
    assert schema_dir() in (
        REPO_SCHEMAS,
        Path(__file__).resolve().parents[2] / "mockserver" / "_schemas",
    )


def test_files_record_their_origin_and_are_self_contained() -> None:
    # The version stamp says which SDK generated the files (all of them at once); that it equals
    # the *locked* SDK is tests/test_lock.py's business, and a newer installed SDK whose types are
    # the same does not make the files stale (tests/contract/test_schema_freshness.py).
    versions = {schema["x-generated-from"]["version"] for schema in _files().values()}
    assert len(versions) == 1, f"schemas/ mixes generations: {sorted(versions)}"
    (stamp,) = versions
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", stamp), stamp
    for name, schema in _files().items():
        assert schema["$schema"] == JSON_SCHEMA_DIALECT
        assert schema["title"] == name
        assert schema["x-generated-from"] == {
            "package": "openai",
            "version": stamp,
            "type": SCHEMA_SOURCES[name],
        }
        for ref in _refs(schema):
            assert ref.startswith("#/$defs/"), f"{name}: non-local $ref {ref}"
            assert ref.removeprefix("#/$defs/") in schema["$defs"], f"{name}: dangling {ref}"
        assert jsonschema_rs.meta.is_valid(schema), f"{name} is not a valid 2020-12 schema"


def test_generation_is_deterministic(generated: dict[str, dict]) -> None:
    # A fresh interpreter with another hash seed must produce byte-identical output.
    script = (
        "import hashlib; from mockserver.contract.schemas import generate_schemas, dump_schema;"
        "print(hashlib.sha256(''.join(dump_schema(s) for _, s in sorted("
        "generate_schemas().items())).encode()).hexdigest())"
    )
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    mine = "".join(dump_schema(s) for _, s in sorted(generated.items()))
    assert out.stdout.strip() == hashlib.sha256(mine.encode()).hexdigest()
    # Callers get fresh dicts, so mutating one cannot corrupt later generations.
    generated["Response"]["title"] = "mutated"
    assert generate_schemas()["Response"]["title"] == "Response"


def test_import_is_cheap() -> None:
    script = "import sys, mockserver.contract.schemas; print('openai' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr or "importing the schemas loaded openai"


def test_write_and_stale_detect_missing_changed_and_extra(tmp_path: Path) -> None:
    assert stale_schemas(tmp_path) == sorted(SCHEMA_SOURCES)
    (tmp_path / "Obsolete.json").write_text("{}\n")
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.json" for n in SCHEMA_SOURCES)
    assert not (tmp_path / "Obsolete.json").exists()
    assert stale_schemas(tmp_path) == []
    text = (tmp_path / "Conversation.json").read_text()
    assert text.endswith("}\n") and text.startswith('{\n  "')
    (tmp_path / "Conversation.json").write_text(text.replace('"conversation"', '"convo"'))
    (tmp_path / "Extra.json").write_text("{}\n")
    assert stale_schemas(tmp_path) == ["Conversation", "Extra"]


def test_create_params_cover_streaming_and_non_streaming(generated: dict[str, dict]) -> None:
    schema = generated["ResponseCreateParams"]
    assert schema["type"] == "object"
    assert "stream" not in schema.get("required", [])
    validator = jsonschema_rs.validator_for(schema)
    for stream in (True, False, None):
        assert validator.is_valid({"model": "gpt-4o", "input": "hi", "stream": stream})
    assert validator.is_valid({"model": "gpt-4o", "input": "hi"})
    assert not validator.is_valid({"model": "gpt-4o", "stream": "yes"})


def test_error_body_wraps_error_object(generated: dict[str, dict]) -> None:
    body, error_object = generated["ErrorBody"], generated["ErrorObject"]
    assert body["required"] == ["error"]
    wrapped = body["$defs"]["ErrorObject"]
    assert wrapped["properties"] == error_object["properties"]
    assert wrapped["required"] == error_object["required"]
    validator = jsonschema_rs.validator_for(body)
    envelope = {"message": "Not found.", "type": "invalid_request_error", "param": None}
    assert validator.is_valid({"error": envelope | {"code": None}})
    assert not validator.is_valid(envelope)


def test_stream_event_union_is_tagged_by_type(generated: dict[str, dict]) -> None:
    union = generated["ResponseStreamEvent"]
    tags = [
        union["$defs"][branch["$ref"].removeprefix("#/$defs/")]["properties"]["type"]["const"]
        for branch in union["anyOf"]
    ]
    assert len(tags) == len(set(tags)) > 50
    assert {"response.created", "response.output_text.delta", "error"} <= set(tags)
