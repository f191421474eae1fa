"""Reasoning items: when, their summary, encrypted content and token counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mockserver.contract.conformance import Conformance
from mockserver.contract.models import resolve_model
from mockserver.model.reasoning import (
    EFFORT_STEPS,
    TOKEN_STEP,
    default_summary,
    encrypted_content,
    reasoning_item,
    reasoning_tokens,
    reasons,
)

CONFORMANCE = Conformance()


def test_only_reasoning_models_reason_and_effort_none_turns_it_off() -> None:
    assert reasons({}, resolve_model("o4-mini"))
    assert reasons({"reasoning": {"effort": "low"}}, resolve_model("gpt-5"))
    assert not reasons({}, resolve_model("gpt-4o-mini"))
    assert not reasons({"reasoning": {"effort": "none"}}, resolve_model("gpt-5"))


@given(
    st.sampled_from(sorted(EFFORT_STEPS)), st.text(max_size=20), st.none() | st.integers(16, 5000)
)
def test_reasoning_tokens_are_multiples_of_64_within_budget(
    effort: str, digest: str, budget: int | None
) -> None:
    tokens = reasoning_tokens({"reasoning": {"effort": effort}}, digest, budget)
    low, high = EFFORT_STEPS[effort]
    assert tokens % TOKEN_STEP == 0
    assert tokens <= high * TOKEN_STEP
    if budget is None:
        assert tokens >= low * TOKEN_STEP
    else:
        assert tokens <= budget // 2
    assert tokens == reasoning_tokens({"reasoning": {"effort": effort}}, digest, budget)


def test_summaries_follow_the_requested_mode() -> None:
    assert default_summary({}, "hi") == []
    assert len(default_summary({"reasoning": {"summary": "auto"}}, "hi")) == 1
    detailed = default_summary({"reasoning": {"summary": "detailed"}}, "Plan my trip")
    assert len(detailed) == 2 and '"Plan my trip"' in detailed[0]


def test_encrypted_content_only_when_included() -> None:
    plain = reasoning_item("rs_1", {}, summary=[], seed="s")
    assert plain == {"id": "rs_1", "type": "reasoning", "content": [], "summary": []}
    included = reasoning_item(
        "rs_1", {"include": ["reasoning.encrypted_content"]}, summary=["Thinking."], seed="s"
    )
    assert list(included) == ["id", "type", "content", "encrypted_content", "summary"]
    assert included["encrypted_content"].startswith("gAAAAAB")
    assert included["encrypted_content"] == encrypted_content("s") != encrypted_content("t")
    assert included["summary"] == [{"type": "summary_text", "text": "Thinking."}]
    done = {"type": "response.output_item.done", "sequence_number": 3, "output_index": 0}
    assert CONFORMANCE.event_errors({**done, "item": included}) == []
