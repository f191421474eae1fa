"""The model catalogue: which names the API accepts, their dated snapshots, reasoning or not.

Accepted names are the ones the installed SDK lists (read from the generated
``ResponseCreateParams`` schema, so it follows the SDK), fine-tuned names (``ft:...``) and the
snapshots below. Any other name gets the real ``model_not_found`` 400.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from mockserver.contract.errors import InvalidRequestError

# Alias -> the dated snapshot the real API reports in `model` (seen in recorded traffic).
SNAPSHOTS: dict[str, str] = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "gpt-5.5": "gpt-5.5-2026-04-23",
    # Not in the SDK's list; the real API accepts it (openai-dotnet ResponsesWithReasoning).
    "gpt-5.6": "gpt-5.6-sol",
    "o3": "o3-2025-04-16",
    "o3-mini": "o3-mini-2025-01-31",
    "o4-mini": "o4-mini-2025-04-16",
}

_REASONING = re.compile(r"^(o\d|gpt-5|codex)")
_DATED = re.compile(r"^(?P<alias>.+)-\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Model:
    requested: str
    snapshot: str
    reasoning: bool


@functools.cache
def sdk_model_names() -> frozenset[str]:
    from mockserver.contract.schemas import load_schema

    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                names.update(v for v in node["enum"] if isinstance(v, str))
            if isinstance(node.get("const"), str):
                names.add(node["const"])
            for key in ("anyOf", "oneOf", "allOf"):
                for sub in node.get(key, []):
                    walk(sub)
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                walk(schema["$defs"][ref.removeprefix("#/$defs/")])

    schema = load_schema("ResponseCreateParams")
    walk(schema["properties"]["model"])
    return frozenset(names)


def resolve_model(name: str) -> Model:
    known = name in SNAPSHOTS or name in sdk_model_names() or name.startswith("ft:")
    if not known:
        raise InvalidRequestError(
            f"The requested model '{name}' does not exist.", param="model", code="model_not_found"
        )
    snapshot = SNAPSHOTS.get(name, name)
    dated = _DATED.match(name)
    base = dated.group("alias") if dated else name
    return Model(requested=name, snapshot=snapshot, reasoning=bool(_REASONING.match(base)))
