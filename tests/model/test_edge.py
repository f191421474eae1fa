"""Edge-case answers: valid, reproducible from their seed, and biased to the nasty corners."""

from __future__ import annotations

import json
import threading
from typing import Any

import jsonschema_rs
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.contract.schema_cache import CACHE
from mockserver.model.structured import json_answer
from mockserver.model.structured.edge import MAX_RECURSION, draw, pattern_strings, schema_values
from mockserver.testing import strategies


def valid(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)


def values(schema: dict[str, Any], seeds: int = 60) -> list[Any]:
    strategy = schema_values(schema)
    return [draw(strategy, seed) for seed in range(seeds)]


@settings(max_examples=settings.default.max_examples // 2 + 1)
@given(strategies.strict_schemas(), st.integers(0, 2**32 - 1))
def test_edge_answers_validate_and_replay(schema: dict[str, Any], seed: int) -> None:
    # Drawing inside a running @given test goes through the helper thread.
    first = json_answer(schema, seed=seed, edge=True)
    assert valid(schema, first), (schema, first)
    assert json_answer(schema, seed=seed, edge=True) == first


def test_strings_reach_empty_long_and_non_ascii() -> None:
    found = [v["s"] for v in values(obj(s={"type": "string"}), 100)]
    assert "" in found
    assert any(len(s) >= 200 for s in found)
    assert any(any(ord(c) > 127 for c in s) for s in found)
    assert any(any(ord(c) < 32 for c in s) for s in found)


def test_every_enum_member_and_both_bounds_show_up() -> None:
    schema = obj(
        e={"type": "string", "enum": ["a", "b", "c", "d"]},
        n={"type": "integer", "minimum": -5, "maximum": 5},
        xs={"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 4},
    )
    found = values(schema, 80)
    assert {v["e"] for v in found} == {"a", "b", "c", "d"}
    assert {-5, 5} <= {v["n"] for v in found}
    assert {1, 4} <= {len(v["xs"]) for v in found}


def test_unbounded_numbers_get_extremes() -> None:
    found = values(obj(i={"type": "integer"}, f={"type": "number"}), 100)
    assert max(abs(v["i"]) for v in found) >= 2**31
    assert max(abs(v["f"]) for v in found) >= 1e15


def test_recursive_schemas_reach_the_deepest_level() -> None:
    schema = obj(v={"type": "string"}, next={"anyOf": [{"$ref": "#"}, {"type": "null"}]})

    def depth(value: Any) -> int:
        return 0 if value is None else 1 + depth(value["next"])

    depths = [depth(v["next"]) for v in values(schema, 40)]
    assert all(valid(schema, v) for v in values(schema, 40))
    assert max(depths) >= MAX_RECURSION - 1
    assert min(depths) == 0


def test_patterns_follow_json_schema_semantics() -> None:
    # `\d` is ASCII-only and `$` does not allow a final newline in JSON Schema.
    strategy = pattern_strings(r"^\d{2,3}$")
    for seed in range(40):
        text = draw(strategy, seed)
        assert text.isascii() and text.isdigit() and 2 <= len(text) <= 3


def test_draws_work_from_many_threads_at_once() -> None:
    schema = obj(a={"type": "string"}, n={"type": "number"})
    expected = {seed: json_answer(schema, seed=seed, edge=True) for seed in range(8)}
    got: dict[int, Any] = {}

    def work(seed: int) -> None:
        got[seed] = json_answer(schema, seed=seed, edge=True)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_strategies_are_cached_per_schema() -> None:
    schema = obj(k={"type": "boolean"})
    assert schema_values(schema) is schema_values(json.loads(json.dumps(schema)))
    hits = CACHE.hits
    schema_values(schema)
    assert CACHE.hits == hits + 1


def obj(**properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
