"""Staleness is about content: a new version stamp alone is fresh; a changed type is named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.contract.schema_freshness import (
    SchemaChange,
    compare,
    schema_changes,
    stale_schemas,
    stamped_versions,
    without_version_stamp,
)
from mockserver.contract.schemas import SCHEMA_SOURCES, generate_schemas, write_schemas


@pytest.fixture(scope="module")
def generated() -> dict[str, dict]:
    return generate_schemas()


@pytest.fixture
def written(tmp_path: Path) -> Path:
    write_schemas(tmp_path)
    return tmp_path


def _rewrite(path: Path, change: Any) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def test_a_fresh_generation_has_no_changes(written: Path) -> None:
    assert schema_changes(written) == [] and stale_schemas(written) == []


def test_only_a_new_version_stamp_is_no_change(written: Path) -> None:
    for path in written.glob("*.json"):
        _rewrite(path, lambda schema: schema["x-generated-from"].update(version="3.54.0"))
    assert schema_changes(written) == []
    assert stamped_versions(written) == ["3.54.0"]


def test_the_other_origin_fields_still_count(generated: dict[str, dict]) -> None:
    moved = copy.deepcopy(generated["Response"])
    moved["x-generated-from"]["type"] = "openai.types.responses.Other"
    assert compare("Response", moved, generated["Response"]).changed == ("Response",)


def test_without_version_stamp_keeps_everything_else(generated: dict[str, dict]) -> None:
    schema = generated["ErrorObject"]
    stripped = without_version_stamp(schema)
    origin = {"package": "openai", "type": SCHEMA_SOURCES["ErrorObject"]}
    assert stripped["x-generated-from"] == origin
    assert {k: v for k, v in stripped.items() if k != "x-generated-from"} == {
        k: v for k, v in schema.items() if k != "x-generated-from"
    }
    assert "version" in schema["x-generated-from"]  # the input is not modified


def test_changed_added_and_removed_types_are_named(written: Path) -> None:
    def edit(schema: dict[str, Any]) -> None:
        defs = schema["$defs"]
        defs["ResponseUsage"]["properties"].pop("total_tokens")  # the SDK has it: "changed"
        defs["ObsoleteType"] = {"type": "object"}  # the SDK lacks it: "removed" by the SDK
        defs.pop("ResponseError")  # the SDK has it, the file not: "added" by the SDK
        schema["properties"]["output_text_extra"] = {"type": "string"}  # the top level

    _rewrite(written / "Response.json", edit)
    (change,) = schema_changes(written)
    assert change == SchemaChange(
        "Response",
        "changed",
        added=("ResponseError",),
        removed=("ObsoleteType",),
        changed=("Response", "ResponseUsage"),
    )
    assert change.describe() == (
        "Response: changed Response, ResponseUsage; added ResponseError; removed ObsoleteType"
    )


def test_missing_unreadable_and_unexpected_files(written: Path) -> None:
    (written / "Conversation.json").unlink()
    (written / "ErrorObject.json").write_text("[1, 2]", encoding="utf-8")
    (written / "ErrorBody.json").write_text("{not json", encoding="utf-8")
    (written / "Leftover.json").write_text("{}", encoding="utf-8")
    described = {change.name: change.describe() for change in schema_changes(written)}
    assert described == {
        "Conversation": "Conversation: no file yet",
        "ErrorBody": "ErrorBody: the file is not a JSON object",
        "ErrorObject": "ErrorObject: the file is not a JSON object",
        "Leftover": "Leftover: no SDK type generates this file any more",
    }


def test_an_empty_directory_misses_every_schema(tmp_path: Path) -> None:
    assert stale_schemas(tmp_path / "nowhere") == sorted(SCHEMA_SOURCES)
