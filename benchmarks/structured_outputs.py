"""How long the mock takes to produce a structured answer, by schema size and depth.

Usage::

    .venv/bin/python benchmarks/structured_outputs.py [--repeats N] [--quick]

For each schema (objects ``width`` properties wide, nested ``depth`` levels, leaves of every
supported kind: strings, formats, patterns, enums, bounded numbers, nullable fields, arrays)
it times, in process and without HTTP:

* cold: the first request with that schema (schema cache empty): the strict-rules check, the
  validator compile, the Hypothesis strategy build (edge mode) and the answer;
* warm: the same schema again, with a different seed each time (what a test suite sending one
  schema many times costs): only the answer is made, the rest comes from the cache.

It prints p50/p99 in milliseconds for default and edge mode and the cold/warm ratio, i.e. how
much the per-schema cache saves. Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

from mockserver.contract.schema_cache import CACHE
from mockserver.contract.text_format import check_text_format
from mockserver.model.structured import json_answer

LEAVES: tuple[dict[str, Any], ...] = (
    {"type": "string"},
    {"type": "string", "format": "date-time"},
    {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2,4}$"},
    {"type": "string", "enum": ["red", "green", "blue"]},
    {"type": "integer", "minimum": 0, "maximum": 1000},
    {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.01},
    {"type": ["boolean", "null"]},
    {"type": "array", "items": {"type": "string"}, "maxItems": 5},
)
SIZES = ((5, 1), (5, 2), (5, 3), (8, 3), (4, 5), (3, 8))
QUICK_SIZES = ((5, 1), (5, 3), (3, 8))


def build_schema(width: int, depth: int, salt: str = "") -> dict[str, Any]:
    """An object ``width`` wide; the first property nests the next level, down to ``depth``."""
    leaves = itertools.cycle(LEAVES)
    properties: dict[str, Any] = {}
    for index in range(width):
        if index == 0 and depth > 1:
            properties[f"child{salt}"] = build_schema(width, depth - 1, salt)
        else:
            properties[f"field_{index}{salt}"] = next(leaves)
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def count_properties(schema: dict[str, Any]) -> int:
    inner = schema.get("properties", {})
    return len(inner) + sum(
        count_properties(s) for s in inner.values() if s.get("type") == "object"
    )


def one_request(schema: dict[str, Any], seed: int, edge: bool) -> None:
    body = {
        "text": {"format": {"type": "json_schema", "name": "b", "schema": schema, "strict": True}}
    }
    check_text_format(body)
    json_answer(schema, seed=seed, edge=edge)


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def measure(width: int, depth: int, edge: bool, repeats: int) -> dict[str, float]:
    cold: list[float] = []
    for run in range(max(3, repeats // 10)):
        CACHE.clear()
        # A fresh schema each run, so nothing (not even Hypothesis' own caches) is shared.
        schema = build_schema(width, depth, salt=f"_{run}")
        cold.append(timed(lambda schema=schema, run=run: one_request(schema, run, edge)))
    schema = build_schema(width, depth)
    one_request(schema, 0, edge)
    warm = [
        timed(lambda seed=seed: one_request(schema, seed, edge)) for seed in range(1, repeats + 1)
    ]
    cold_p50, cold_p99 = percentiles(cold)
    warm_p50, warm_p99 = percentiles(warm)
    return {
        "cold_p50": cold_p50,
        "cold_p99": cold_p99,
        "warm_p50": warm_p50,
        "warm_p99": warm_p99,
        "ratio": cold_p50 / warm_p50 if warm_p50 else float("inf"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=200, help="warm requests per schema")
    parser.add_argument("--quick", action="store_true", help="three sizes, 50 repeats")
    args = parser.parse_args()
    sizes, repeats = (QUICK_SIZES, 50) if args.quick else (SIZES, args.repeats)
    header = (
        f"{'mode':<8}{'width':>6}{'depth':>6}{'props':>7}"
        f"{'cold p50':>10}{'cold p99':>10}{'warm p50':>10}{'warm p99':>10}{'cold/warm':>11}"
    )
    print(header)
    print("-" * len(header))
    for edge in (False, True):
        for width, depth in sizes:
            row = measure(width, depth, edge, repeats)
            props = count_properties(build_schema(width, depth))
            print(
                f"{'edge' if edge else 'default':<8}{width:>6}{depth:>6}{props:>7}"
                f"{row['cold_p50']:>10.2f}{row['cold_p99']:>10.2f}"
                f"{row['warm_p50']:>10.2f}{row['warm_p99']:>10.2f}{row['ratio']:>10.1f}x"
            )
    print(f"\ntimes in ms; cache: {CACHE.hits} hits, {CACHE.misses} misses in the last run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
