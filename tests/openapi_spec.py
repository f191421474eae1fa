"""Test support: validate instances against components of the official OpenAI OpenAPI spec.

The spec lives outside the project (``../shared/openapi/openai-openapi.yaml``, OpenAPI 3.1, whose
schemas are JSON Schema 2020-12); callers skip when :func:`spec_available` is false. It is loaded
once per process (~90k lines of YAML, parsed with libyaml's CSafeLoader when available) and
registered whole, so every ``$ref`` (``#/components/schemas/...``) resolves through ``referencing``.

Known disagreements between the spec and real traffic, and how they are handled here: the spec
types ``user`` (ModelResponseProperties) as a plain string and ``usage`` (Response) as a plain
object, but the real API sends ``"user": null`` on every Response and ``"usage": null`` on
``response.created`` / ``response.in_progress`` / queued background responses; likewise the spec
types a json_schema ``text.format``'s ``description`` as a string, but a Response echoes
``"description": null`` when the request gave none (vercel-ai's structured-output fixtures). The
recordings are the last word, so the in-memory copy of the spec widens exactly those properties to
also accept ``null`` (see ``_NULLABLE_IN_REALITY``); nothing else is relaxed, and the patch fails
loudly if the spec moves those properties.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = (
    Path(__file__).resolve().parents[1].parent / "shared" / "openapi" / "openai-openapi.yaml"
)
SPEC_URI = "urn:openai:openapi"

# JSON pointers (into the spec) of properties real traffic sends as null, against the spec.
_NULLABLE_IN_REALITY = (
    "/components/schemas/ModelResponseProperties/properties/user",
    "/components/schemas/Response/allOf/2/properties/usage",
    "/components/schemas/TextResponseFormatJsonSchema/properties/description",
)


def spec_available() -> bool:
    return SPEC_PATH.is_file()


def _resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for part in pointer.lstrip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed spec, with the documented null-widening applied."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=loader)
    for pointer in _NULLABLE_IN_REALITY:
        parent_pointer, _, key = pointer.rpartition("/")
        parent = _resolve_pointer(spec, parent_pointer)
        if key not in parent:
            raise KeyError(f"spec changed: {pointer} is gone; revisit _NULLABLE_IN_REALITY")
        parent[key] = {"anyOf": [parent[key], {"type": "null"}]}
    return spec


@functools.cache
def _registry() -> Registry:
    resource = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URI, resource)


@functools.cache
def _validator(component_name: str) -> Draft202012Validator:
    if component_name not in load_spec()["components"]["schemas"]:
        raise KeyError(f"no component {component_name!r} in {SPEC_PATH.name}")
    schema = {"$ref": f"{SPEC_URI}#/components/schemas/{component_name}"}
    return Draft202012Validator(schema, registry=_registry())


def spec_errors(component_name: str, instance: Any) -> list[str]:
    """Every problem of ``instance`` against ``#/components/schemas/<component_name>``."""
    errors = _validator(component_name).iter_errors(instance)
    return [f"{error.json_path}: {error.message}" for error in errors]


def validate_against_spec(component_name: str, instance: Any) -> None:
    """Raise AssertionError listing every problem of ``instance`` against the spec component."""
    errors = spec_errors(component_name, instance)
    if errors:
        lines = "\n".join(f"  - {error[:500]}" for error in errors)
        raise AssertionError(
            f"not a valid spec {component_name} ({len(errors)} problems):\n{lines}"
        )
