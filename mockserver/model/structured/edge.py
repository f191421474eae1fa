"""Edge-case answers: JSON values drawn by Hypothesis from the requested schema.

``schema_values(schema)`` turns a schema into a Hypothesis strategy that only produces valid
values and leans on the corners real parsers trip over: empty strings and arrays, very long and
non-ASCII strings (emoji, right-to-left text, combining marks, control characters), extreme and
boundary numbers, arrays at ``minItems``/``maxItems``, every ``enum`` member and ``anyOf``
branch, and recursive schemas followed to the deepest level we allow.

``draw(strategy, seed)`` takes one value from a strategy, reproducibly: it runs a one-example
Hypothesis test under ``@seed(seed)`` with the example database off, so the same seed gives the
same value for the same installed Hypothesis. It is safe in server threads; called from inside a
running ``@given`` test (an in-process app), it draws in a helper thread, since Hypothesis does
not nest. Strategies are cached per schema; a draw costs a few milliseconds.
"""

from __future__ import annotations

import concurrent.futures
import math
import re
import string
from typing import Any

import jsonschema_rs
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.errors import HypothesisException

from mockserver.contract.schema_cache import CACHE
from mockserver.contract.strict_rules import SUPPORTED_FORMATS, resolve_ref, type_names
from mockserver.model.structured.format_strategies import format_strategy
from mockserver.model.structured.json_answers import (
    integer_bounds,
    is_multiple,
    mentions_ref,
    multiples_range,
    number_bounds,
    scaled,
)

# How many `$ref`s deep an edge answer may follow a recursive schema.
MAX_RECURSION = 8
UNBOUNDED_ARRAY_MAX = 12
RECURSIVE_ARRAY_MAX = 3
LONG_TEXT = (200, 1500)

_NASTY_CHARS = (
    "\u00e9\u00df\u00f8\u4e2d\u6587\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u05e2\u05d1"
    "\u0301\u0308\u200b\u200d\u202e\ufeff\U0001f600\U0001f9d1\u200d\U0001f680\U0001f1fa"
    '"\\/\n\t\r\x00\x1f\x7f'
)
_DRAW_SETTINGS = settings(
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
_SALT = st.integers(0, 2**32)
_HELPER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="mock-draw")


def texts(min_size: int = 0, max_size: int | None = None) -> st.SearchStrategy[str]:
    """Strings biased to trouble: empty, long, non-ASCII and control characters."""
    cap = LONG_TEXT[1] if max_size is None else max_size
    options: list[st.SearchStrategy[str]] = []
    if min_size == 0:
        options.append(st.just(""))
    options.append(st.text(min_size=min_size, max_size=min(cap, max(min_size, 40))))
    if cap >= 1:
        options.append(
            st.text(
                alphabet=st.sampled_from(_NASTY_CHARS),
                min_size=max(min_size, 1),
                max_size=min(cap, max(min_size, 60)),
            )
        )
    if max(min_size, LONG_TEXT[0]) <= cap:
        options.append(
            st.text(alphabet=string.printable, min_size=max(min_size, LONG_TEXT[0]), max_size=cap)
        )
    return st.one_of(*options)


def _numbers(node: dict[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    step = node.get("multipleOf")
    if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
        k_lo, k_hi = multiples_range(node, step, integer)
        ends = [k for k in (k_lo, k_hi, 0, 1, -1) if _k_ok(k, k_lo, k_hi)]
        ks = st.integers(k_lo, k_hi)
        if ends:
            ks = st.sampled_from(ends) | ks
        return (
            ks.map(lambda k: scaled(k, step, integer))
            .filter(lambda v: is_multiple(v, step) and (not integer or float(v).is_integer()))
            .map(lambda v: int(v) if integer else v)
        )
    if integer:
        lo, hi = integer_bounds(node)
        edges = [
            v
            for v in (lo, hi, 0, -1, 1, 2**31 - 1, -(2**31), 2**53, -(2**53), 2**63 - 1)
            if v is not None and _k_ok(v, lo, hi)
        ]
        strategy = st.integers(lo, hi)
        return (st.sampled_from(edges) | strategy) if edges else strategy
    low, high, low_ex, high_ex = number_bounds(node)
    floats = st.floats(
        min_value=low,
        max_value=high,
        exclude_min=low_ex and low is not None,
        exclude_max=high_ex and high is not None,
        allow_nan=False,
        allow_infinity=False,
    )
    lo_i = None if low is None else (math.floor(low) + 1 if low_ex else math.ceil(low))
    hi_i = None if high is None else (math.ceil(high) - 1 if high_ex else math.floor(high))
    if lo_i is not None and hi_i is not None and lo_i > hi_i:
        return floats
    return floats | st.integers(lo_i, hi_i)


def _k_ok(k: int | None, lo: int | None, hi: int | None) -> bool:
    return k is not None and (lo is None or k >= lo) and (hi is None or k <= hi)


class _Builder:
    """Schema -> strategy, for one root schema (``$ref``s resolve against it)."""

    def __init__(self, root: dict[str, Any], deep: bool) -> None:
        self.root = root
        self.deep = deep

    def build(self, node: Any, refs: int = 0) -> st.SearchStrategy[Any]:
        if node is True or node == {} or not isinstance(node, dict):
            return json_values()
        if "$ref" in node:
            target = resolve_ref(self.root, node["$ref"]) if isinstance(node["$ref"], str) else None
            if target is None:
                return st.none()
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            if refs >= MAX_RECURSION + 4:  # a schema with no way to stop: give up on validity
                return st.none()
            return st.deferred(lambda: self.build(merged, refs + 1))
        if "const" in node:
            return st.just(node["const"])
        if isinstance(node.get("enum"), list) and node["enum"]:
            return st.sampled_from(node["enum"])
        branches = node.get("anyOf") or node.get("oneOf")
        if isinstance(branches, list) and branches:
            return st.one_of(*[self.build(b, refs) for b in self.viable(branches, refs)])
        types = type_names(node) or (["object"] if "properties" in node else ["string"])
        if refs >= MAX_RECURSION and "null" in types:
            types = ["null"]
        elif self.deep and refs < MAX_RECURSION and len(types) > 1:
            types = [t for t in types if t != "null"] or types
        return st.one_of(*[self.typed(t, node, refs) for t in types])

    def viable(self, branches: list[Any], refs: int) -> list[Any]:
        """At the recursion limit, only branches that end it; when diving, the ones that go on."""
        is_null = [isinstance(b, dict) and type_names(b) == ["null"] for b in branches]
        if refs >= MAX_RECURSION:
            ending = [b for b in branches if not mentions_ref(b)]
            return ending or branches
        if self.deep:
            going = [b for b, null in zip(branches, is_null, strict=True) if not null]
            return going or branches
        return branches

    def typed(self, kind: str, node: dict[str, Any], refs: int) -> st.SearchStrategy[Any]:
        if kind == "null":
            return st.none()
        if kind == "boolean":
            return st.booleans()
        if kind in ("integer", "number"):
            return _numbers(node, kind == "integer")
        if kind == "string":
            fmt = node.get("format")
            if fmt in SUPPORTED_FORMATS:
                return format_strategy(fmt)
            if isinstance(node.get("pattern"), str):
                return pattern_strings(node["pattern"])
            low = node.get("minLength") if isinstance(node.get("minLength"), int) else 0
            high = node.get("maxLength") if isinstance(node.get("maxLength"), int) else None
            return texts(low, high)
        if kind == "array":
            return self.array(node, refs)
        return self.object(node, refs)

    def array(self, node: dict[str, Any], refs: int) -> st.SearchStrategy[list[Any]]:
        low = node.get("minItems") if isinstance(node.get("minItems"), int) else 0
        high = node.get("maxItems") if isinstance(node.get("maxItems"), int) else None
        items = node.get("items", {})
        cap = UNBOUNDED_ARRAY_MAX if high is None else high
        if mentions_ref(items):
            # Recursive items multiply: keep the tree narrow; when diving, one child per level.
            if refs >= MAX_RECURSION:
                cap = low
            elif self.deep and cap >= 1:
                low, cap = max(low, 1), max(low, 1)
            else:
                cap = min(cap, max(low, RECURSIVE_ARRAY_MAX))
            high = min(high, cap) if high is not None else None
        item = self.build(items if isinstance(items, dict) else {}, refs)
        unique = bool(node.get("uniqueItems"))
        sizes = [st.lists(item, min_size=low, max_size=max(low, cap), unique=unique)]
        if high is not None and high <= 64:
            sizes.append(st.lists(item, min_size=high, max_size=high, unique=unique))
        return st.one_of(*sizes)

    def object(self, node: dict[str, Any], refs: int) -> st.SearchStrategy[dict[str, Any]]:
        properties = node.get("properties") or {}
        required = [r for r in node.get("required") or [] if isinstance(r, str)]
        order = [*properties, *[r for r in required if r not in properties]]
        parts = {name: self.build(properties.get(name, {}), refs) for name in order}
        needed = {k: v for k, v in parts.items() if k in required}
        optional = {k: v for k, v in parts.items() if k not in required}
        return st.fixed_dictionaries(needed, optional=optional).map(
            lambda value: {k: value[k] for k in order if k in value}
        )


def json_values() -> st.SearchStrategy[Any]:
    """Any JSON value (for ``json_object`` answers and schemas that allow anything)."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | texts()
        | st.floats(allow_nan=False, allow_infinity=False)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=6) | st.dictionaries(texts(0, 30), inner, max_size=6)
        ),
        max_leaves=25,
    )


def json_objects() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(texts(0, 30), json_values(), max_size=8)


def schema_values(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Valid values of ``schema`` (the strict subset, plus common non-strict keywords), cached."""

    def build() -> st.SearchStrategy[Any]:
        plain = _Builder(schema, deep=False).build(schema)
        if not mentions_ref(schema):
            return plain
        return plain | _Builder(schema, deep=True).build(schema)

    return CACHE.get("strategy", schema, build)


def _run(strategy: st.SearchStrategy[Any], value_seed: int, examples: int) -> Any:
    found: list[Any] = []

    # Hypothesis makes its second example differ from the first at the first choice it meets;
    # a throwaway first choice lets every real choice be drawn at random.
    @settings(_DRAW_SETTINGS, max_examples=examples)
    @seed(value_seed)
    @given(st.tuples(_SALT, strategy))
    def capture(salted: tuple[int, Any]) -> None:
        found.append(salted[1])

    capture()
    if not found:
        raise HypothesisException("no example could be drawn")
    return found[-1]


def draw(strategy: st.SearchStrategy[Any], value_seed: int) -> Any:
    """One value of ``strategy``, the same for the same seed.

    Hypothesis tries the simplest value first (empty strings, zeros, minimum sizes); about one
    seed in five gets it, the others a random, edge-biased one.
    """
    examples = 1 if value_seed % 5 == 0 else 2
    if currently_in_test_context():
        return _HELPER.submit(_run, strategy, value_seed, examples).result()
    return _run(strategy, value_seed, examples)


def pattern_strings(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching a JSON Schema ``pattern``.

    JSON Schema patterns are ECMA-262 regexes: ``\\d`` is ASCII only and ``$`` does not match
    before a final newline. Python's are close once compiled ASCII-only and matched whole; what
    still differs is filtered out by the same validator the answers are checked with.
    """

    def build() -> st.SearchStrategy[str]:
        check = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
        compiled = re.compile(pattern, re.ASCII)
        return st.from_regex(compiled, fullmatch=True).filter(check.is_valid)

    return CACHE.get("pattern-strategy", pattern, build)


def pattern_example(pattern: str) -> str:
    """The simplest string Hypothesis finds for a ``pattern`` (deterministic), cached."""
    return CACHE.get("pattern", pattern, lambda: draw(pattern_strings(pattern), 0))
