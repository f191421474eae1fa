"""Default structured answers: a JSON value valid against the requested schema, chosen
deterministically from a seed (the request's digest), so the same request gives the same JSON in
every run and process.

Values are plain and realistic (``"city beta"``, ``42``, ``"2025-03-14"``): strings are built
from the property name, numbers sit inside their bounds and on their ``multipleOf``, arrays have
one to three items within ``minItems``/``maxItems``, nullable fields are mostly filled, and
recursive ``$ref`` chains stop after a few levels (through a ``null`` branch or an empty array).
``pattern``s are filled with the shortest string Hypothesis finds for them (a deterministic draw).

For schemas the real API accepts in strict mode the answer always validates (the test-suite
checks this with Hypothesis). Other schemas (``strict: false``) get a best effort, checked with
``jsonschema_rs`` and retried with other seeds: like a real model without Structured Outputs, the
answer usually but not always validates.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from mockserver.contract.schema_cache import CACHE
from mockserver.contract.strict_rules import SUPPORTED_FORMATS, resolve_ref, type_names
from mockserver.model.structured.formats import default_value

# How many `$ref`s deep a default answer follows a recursive schema before it stops.
RECURSION_DEPTH = 3
# Past this many `$ref`s (a schema with no way to stop), give up on validity.
HARD_RECURSION_LIMIT = 40
NON_STRICT_ATTEMPTS = 8
DEFAULT_SPAN = 100

WORDS = (
    "alpha",
    "beta",
    "gamma",
    "delta",
    "echo",
    "foxtrot",
    "harbor",
    "meadow",
    "summit",
    "river",
    "cedar",
    "comet",
    "ember",
    "lagoon",
    "orbit",
    "prairie",
)


def number_bounds(node: dict[str, Any]) -> tuple[float | None, float | None, bool, bool]:
    """``(low, high, low_exclusive, high_exclusive)``; draft-4 boolean exclusives too."""
    low, high = node.get("minimum"), node.get("maximum")
    low_ex = high_ex = False
    ex_min, ex_max = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if isinstance(ex_min, bool):
        low_ex = ex_min and low is not None
    elif isinstance(ex_min, int | float) and (low is None or ex_min >= low):
        low, low_ex = ex_min, True
    if isinstance(ex_max, bool):
        high_ex = ex_max and high is not None
    elif isinstance(ex_max, int | float) and (high is None or ex_max <= high):
        high, high_ex = ex_max, True
    return low, high, low_ex, high_ex


def is_multiple(value: float, step: float) -> bool:
    """The ``multipleOf`` test validators use (exact for ints, float quotient otherwise)."""
    if isinstance(value, int) and isinstance(step, int):
        return value % step == 0
    quotient = value / step
    return math.isfinite(quotient) and float(quotient).is_integer()


def integer_bounds(node: dict[str, Any]) -> tuple[int | None, int | None]:
    low, high, low_ex, high_ex = number_bounds(node)
    lo = None if low is None else (math.floor(low) + 1 if low_ex else math.ceil(low))
    hi = None if high is None else (math.ceil(high) - 1 if high_ex else math.floor(high))
    return lo, hi


def multiples_range(
    node: dict[str, Any], step: float, integer: bool
) -> tuple[int | None, int | None]:
    """The range of ``k`` such that ``k * step`` is within the node's bounds."""
    low, high, low_ex, high_ex = number_bounds(node)
    if integer:
        low, high = integer_bounds(node)
        low_ex = high_ex = False
    k_lo = None if low is None else math.ceil(low / step)
    k_hi = None if high is None else math.floor(high / step)
    if k_lo is not None and low_ex and k_lo * step <= low:
        k_lo += 1
    if k_hi is not None and high_ex and k_hi * step >= high:
        k_hi -= 1
    return k_lo, k_hi


def scaled(k: int, step: float, integer: bool) -> int | float:
    if integer or isinstance(step, int):
        value = k * step
        return int(value) if float(value).is_integer() else value
    decimals = max(0, -math.floor(math.log10(abs(step)))) + 6 if step else 0
    return round(k * step, decimals)


def mentions_ref(node: Any) -> bool:
    """Whether a sub-schema can lead back into a ``$ref`` (so choosing it may recurse)."""
    if isinstance(node, dict):
        return "$ref" in node or any(mentions_ref(v) for k, v in node.items() if k != "$defs")
    if isinstance(node, list):
        return any(mentions_ref(v) for v in node)
    return False


def _label(name: str) -> str:
    return " ".join(re.sub(r"([a-z])([A-Z])", r"\1 \2", name).replace("_", " ").split()).lower()


@dataclass
class _Generator:
    root: dict[str, Any]
    rng: random.Random
    pattern_example: Callable[[str], str]

    def value(self, node: Any, label: str, refs: int) -> Any:
        if node is True or node == {} or not isinstance(node, dict):
            return f"{label or 'value'} {self.rng.choice(WORDS)}".strip()
        if "$ref" in node:
            target = resolve_ref(self.root, node["$ref"]) if isinstance(node["$ref"], str) else None
            if target is None or refs >= HARD_RECURSION_LIMIT:
                return None
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return self.value(merged, label, refs + 1)
        if "const" in node:
            return node["const"]
        if isinstance(node.get("enum"), list) and node["enum"]:
            return self.rng.choice(node["enum"])
        if isinstance(node.get("allOf"), list):
            return self.value(_merge_all_of(node), label, refs)
        branches = node.get("anyOf") or node.get("oneOf")
        if isinstance(branches, list) and branches:
            return self.value(self.choose(branches, refs), label, refs)
        types = type_names(node) or _implied_types(node)
        return self.typed(self.choose_type(types, refs), node, label, refs)

    def stopping(self, refs: int) -> bool:
        return refs >= RECURSION_DEPTH

    def choose(self, branches: list[Any], refs: int) -> Any:
        """A branch of an ``anyOf``: mostly a non-null one; one that ends recursion when deep."""
        if self.stopping(refs):
            safe = [b for b in branches if not mentions_ref(b)]
            nulls = [b for b in safe if isinstance(b, dict) and type_names(b) == ["null"]]
            if nulls or safe:
                return (nulls or safe)[0]
        filled = [b for b in branches if not (isinstance(b, dict) and type_names(b) == ["null"])]
        if filled and self.rng.random() < 0.85:
            return self.rng.choice(filled)
        return self.rng.choice(branches)

    def choose_type(self, types: list[str], refs: int) -> str:
        if not types:
            return "string"
        if "null" in types and (self.stopping(refs) or len(types) == 1):
            return "null"
        filled = [t for t in types if t != "null"]
        if filled and ("null" not in types or self.rng.random() < 0.85):
            return self.rng.choice(filled)
        return "null"

    def typed(self, kind: str, node: dict[str, Any], label: str, refs: int) -> Any:
        if kind == "null":
            return None
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            return self.number(node, kind == "integer")
        if kind == "string":
            return self.string(node, label)
        if kind == "array":
            return self.array(node, label, refs)
        return self.object(node, refs)

    def number(self, node: dict[str, Any], integer: bool) -> int | float:
        step = node.get("multipleOf")
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
            k_lo, k_hi = multiples_range(node, step, integer)
            k_lo, k_hi = _window(k_lo, k_hi, DEFAULT_SPAN)
            for _ in range(64):
                value = scaled(self.rng.randint(k_lo, k_hi), step, integer)
                if is_multiple(value, step) and (not integer or float(value).is_integer()):
                    return int(value) if integer else value
            return scaled(k_lo, step, integer)
        if integer:
            lo, hi = integer_bounds(node)
            lo, hi = _window(lo, hi, DEFAULT_SPAN)
            return self.rng.randint(lo, hi)
        low, high, low_ex, high_ex = number_bounds(node)
        lo, hi = _window(
            None if low is None else math.floor(low),
            None if high is None else math.ceil(high),
            DEFAULT_SPAN,
        )
        for _ in range(64):
            value = round(self.rng.uniform(lo, hi), 2)
            if _inside(value, low, high, low_ex, high_ex):
                return value
        # A very narrow interval: its midpoint.
        return (low + high) / 2 if low is not None and high is not None else lo

    def string(self, node: dict[str, Any], label: str) -> str:
        fmt = node.get("format")
        if fmt in SUPPORTED_FORMATS:
            return default_value(fmt, self.rng)
        if isinstance(node.get("pattern"), str):
            return self.pattern_example(node["pattern"])
        text = f"{label or 'text'} {self.rng.choice(WORDS)}"
        low, high = node.get("minLength"), node.get("maxLength")
        if isinstance(low, int) and len(text) < low:
            text += "x" * (low - len(text))
        if isinstance(high, int) and len(text) > high:
            text = text[:high]
        return text

    def array(self, node: dict[str, Any], label: str, refs: int) -> list[Any]:
        low = node.get("minItems") if isinstance(node.get("minItems"), int) else 0
        high = node.get("maxItems") if isinstance(node.get("maxItems"), int) else None
        items = node.get("items", {})
        if self.stopping(refs) and mentions_ref(items):
            size = low
        else:
            size = max(low, self.rng.randint(1, 3))
            if high is not None:
                size = min(size, high)
        item_label = label[:-1] if label.endswith("s") else label
        if isinstance(items, list):  # draft-7 tuple form (non-strict schemas only)
            return [self.value(items[i % len(items)], item_label, refs) for i in range(size)]
        values = [self.value(items, item_label, refs) for _ in range(size)]
        if node.get("uniqueItems"):
            values = _unique(values, lambda: self.value(items, item_label, refs))
        return values

    def object(self, node: dict[str, Any], refs: int) -> dict[str, Any]:
        properties = node.get("properties") or {}
        required = node.get("required") or []
        out: dict[str, Any] = {}
        for name, sub in properties.items():
            out[name] = self.value(sub, _label(name), refs)
        for name in required:
            if name not in out and isinstance(name, str):
                extra = node.get("additionalProperties")
                out[name] = self.value(extra if isinstance(extra, dict) else {}, _label(name), refs)
        return out


def _inside(value: float, low: Any, high: Any, low_ex: bool, high_ex: bool) -> bool:
    if low is not None and (value < low or (low_ex and value == low)):
        return False
    return not (high is not None and (value > high or (high_ex and value == high)))


def _window(lo: int | None, hi: int | None, span: int) -> tuple[int, int]:
    """A finite, realistic range inside ``[lo, hi]`` (either may be open)."""
    if lo is None and hi is None:
        return 0, span
    if lo is None:
        assert hi is not None
        return min(0, hi) if hi >= 0 else hi - span, hi
    if hi is None:
        return lo, max(lo, 0) + span
    return (lo, hi) if lo <= hi else (lo, lo)


def _unique(values: list[Any], more: Callable[[], Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        for _ in range(16):
            if value not in seen:
                break
            value = more()
        seen.append(value)
    return seen


def _implied_types(node: dict[str, Any]) -> list[str]:
    if "properties" in node or "required" in node:
        return ["object"]
    if "items" in node:
        return ["array"]
    return []


def _merge_all_of(node: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in node.items() if k != "allOf"}
    for part in node["allOf"]:
        if not isinstance(part, dict):
            continue
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def validator(schema: dict[str, Any]) -> Any | None:
    """A cached ``jsonschema_rs`` validator checking formats too (``None``: unusable schema)."""

    def build() -> Any | None:
        try:
            return jsonschema_rs.validator_for(schema, validate_formats=True)
        except Exception:  # a schema jsonschema_rs cannot compile (non-strict schemas only)
            return None

    return CACHE.get("validator", schema, build)


def default_answer(schema: dict[str, Any], seed: int, pattern_example: Callable[[str], str]) -> Any:
    """A deterministic value for ``schema``: the first of a few seeded tries that validates."""
    check = validator(schema)
    first: Any = None
    for attempt in range(NON_STRICT_ATTEMPTS):
        rng = random.Random(seed * 1_000_003 + attempt)
        value = _Generator(schema, rng, pattern_example).value(schema, "", 0)
        if attempt == 0:
            first = value
        if check is None or check.is_valid(value):
            return value
    return first
