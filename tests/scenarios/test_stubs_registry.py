"""Choosing the stub that answers: call numbers, scenario states, one-shot rules, priorities."""

from __future__ import annotations

from typing import Any

from mockserver.scenarios.stubs.matching import RequestView
from mockserver.scenarios.stubs.model import parse_stub
from mockserver.scenarios.stubs.registry import LocalTally, StubRegistry


def add(registry: StubRegistry, permanent: bool = False, **rule: Any) -> str:
    stub = parse_stub({"answer": "x", **rule}, source="t", index=len(registry) + 1)
    return registry.add(stub, permanent=permanent).id


def request(text: str = "hello") -> RequestView:
    item = {"type": "message", "role": "user", "content": text}
    return RequestView("POST", "/v1/responses", {}, {"model": "m", "input": text}, [item], [item])


def answers(registry: StubRegistry, *texts: str) -> list[str | None]:
    found = []
    for text in texts:
        entry = registry.select(request(text))
        found.append(entry.id if entry else None)
    return found


def test_call_numbers_count_the_requests_of_a_shape() -> None:
    registry = StubRegistry()
    first = add(registry, match={"input": "weather", "call": 1})
    second = add(registry, match={"input": "weather", "call": [2, 4]})
    assert answers(registry, "weather?", "hi", "weather?", "weather?", "weather?") == [
        first,
        None,
        second,
        None,
        second,
    ]
    entry = registry.get(second)
    assert entry is not None and (entry.calls, entry.answered) == (4, 2)


def test_times_makes_one_shot_rules_and_the_fallback_answers_afterwards() -> None:
    registry = StubRegistry()
    fallback = add(registry)
    once = add(registry, times=1, match={"input": "go"})
    assert answers(registry, "go", "go", "go") == [once, fallback, fallback]


def test_priority_then_specificity_then_the_latest_wins() -> None:
    registry = StubRegistry()
    low = add(registry, match={"input": "a"})
    catch_all = add(registry)
    assert answers(registry, "a") == [low]  # more specific beats a later catch-all
    high = add(registry, priority=10)
    assert answers(registry, "a") == [high]
    newer = add(registry, priority=10)
    assert answers(registry, "a", "b") == [newer, newer]
    registry.remove(high)
    registry.remove(newer)
    assert answers(registry, "b") == [catch_all]


def test_scenario_states_move_on_with_set_state() -> None:
    registry = StubRegistry()
    start = add(registry, match={"scenario": "s", "state": "start"}, set_state="asked")
    asked = add(registry, match={"scenario": "s", "state": "asked"}, set_state="done")
    other = add(registry, match={"scenario": "t"})
    assert answers(registry, "1", "2") == [start, asked]
    assert registry.states() == {"s": "done"}
    assert answers(registry, "3") == [other]
    registry.set_state("s", "asked")
    assert answers(registry, "4") == [asked]


def test_reset_keeps_start_up_stubs_and_clears_counters_and_states() -> None:
    registry = StubRegistry()
    kept = add(registry, permanent=True, match={"call": 1}, set_state="x")
    add(registry)
    assert answers(registry, "a") == [kept]
    registry.reset()
    assert [e.id for e in registry.entries()] == [kept]
    assert registry.states() == {}
    assert answers(registry, "a") == [kept]
    registry.clear()
    assert len(registry) == 0


def test_a_miss_explains_the_nearest_stubs() -> None:
    registry = StubRegistry()
    add(registry, name="weather", match={"input": "weather", "model": "o3"})
    add(registry, name="second", match={"call": 2})
    add(registry, name="far", match={"input": "x", "model": "y", "metadata": {"a": "b"}})
    view = request("hello")
    assert registry.select(view) is None
    miss = registry.miss(view, limit=2)
    assert [name for name, _ in miss.nearest] == ["second", "weather"]
    assert miss.nearest[0][1] == ["this was call 1 of its shape, it answers call 2"]
    text = miss.describe()
    assert text.startswith("No stub matches POST /v1/responses. Nearest stubs:")
    assert "weather: model is 'm', wanted it to equal 'o3'" in text
    assert registry.misses == [miss]
    assert StubRegistry().miss(view).describe().endswith("no stub is defined.")


def test_registries_sharing_a_tally_count_together() -> None:
    """Workers and replicas load the same stubs and share one tally (the store): call numbers,
    one-shot rules and scenario states hold across them."""
    tally = LocalTally()
    first, second = StubRegistry(tally), StubRegistry(tally)
    for registry in (first, second):
        add(registry, match={"input": "pay", "scenario": "checkout"}, times=1, set_state="paid")
        add(registry, match={"input": "pay", "call": 3, "state": "paid", "scenario": "checkout"})
    assert answers(first, "pay") == ["stub_1"]
    assert answers(second, "pay") == [None]  # the one-shot stub answered in the other process
    assert second.states() == {"checkout": "paid"}
    assert answers(second, "pay") == ["stub_2"]  # the third call of this shape, in any process
    assert [(e.calls, e.answered) for e in first.entries()] == [(3, 1), (3, 1)]
    second.reset()
    assert [(e.calls, e.answered) for e in first.entries()] == [(0, 0), (0, 0)]
    assert first.states() == {}
