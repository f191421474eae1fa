"""The model catalogue."""

from __future__ import annotations

import pytest

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.models import (
    DEFAULT_REASONING,
    FAMILIES,
    NON_REASONING,
    SNAPSHOTS,
    check_effort,
    resolve_model,
    sdk_model_names,
)


def test_aliases_report_their_dated_snapshot() -> None:
    model = resolve_model("gpt-4o-mini")
    assert (model.requested, model.snapshot, model.reasoning) == (
        "gpt-4o-mini",
        "gpt-4o-mini-2024-07-18",
        False,
    )
    assert resolve_model("gpt-5.6").snapshot == "gpt-5.6-sol"
    for alias, snapshot in SNAPSHOTS.items():
        assert resolve_model(alias).snapshot == snapshot


@pytest.mark.parametrize(
    ("name", "reasoning"),
    [
        ("o3", True),
        ("o4-mini-2025-04-16", True),
        ("gpt-5", True),
        ("gpt-5-mini-2025-08-07", True),
        ("gpt-4.1", False),
        ("gpt-4o-2024-08-06", False),
        ("ft:gpt-4o-mini-2024-07-18:org::abc123", False),
    ],
)
def test_reasoning_models(name: str, reasoning: bool) -> None:
    model = resolve_model(name)
    assert model.reasoning is reasoning
    assert model.requested == name


def test_every_sdk_model_name_resolves() -> None:
    names = sdk_model_names()
    assert {"gpt-4o-mini", "o3", "gpt-4.1"} <= names
    for name in names:
        assert resolve_model(name).requested == name


@pytest.mark.parametrize("name", ["gpt-9-imaginary", "", "GPT-4O-MINI"])
def test_unknown_models_get_model_not_found(name: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        resolve_model(name)
    error = caught.value
    assert error.message == f"The requested model '{name}' does not exist."
    assert (error.param, error.code, error.status_code) == ("model", "model_not_found", 400)


def test_every_family_names_its_evidence() -> None:
    for name, family in FAMILIES:
        assert family.evidence, name


@pytest.mark.parametrize(
    ("name", "default_effort", "phase", "context", "snapshot"),
    [
        ("gpt-4o", None, False, None, "gpt-4o-2024-08-06"),
        ("gpt-5", "medium", False, "current_turn", "gpt-5-2025-08-07"),
        ("gpt-5.1", "none", False, "current_turn", "gpt-5.1-2025-11-13"),
        ("gpt-5.4-nano", "none", True, "current_turn", "gpt-5.4-nano-2026-03-17"),
        ("gpt-5.3-codex", "medium", True, "current_turn", "gpt-5.3-codex"),
        ("gpt-5.6-terra", "medium", True, "all_turns", "gpt-5.6-terra"),
    ],
)
def test_families_from_recorded_traffic(
    name: str, default_effort: str | None, phase: bool, context: str | None, snapshot: str
) -> None:
    model = resolve_model(name)
    family = model.family
    assert (model.default_effort, family.phase, family.context, model.snapshot) == (
        default_effort, phase, context, snapshot,
    )  # fmt: skip


def test_temperature_follows_the_effort() -> None:
    # gpt-5.1 and newer take temperature/top_p at effort none (chatlas, ellmer: 200).
    assert resolve_model("gpt-5.4").allows_sampling(None)
    assert not resolve_model("gpt-5.4").allows_sampling("low")
    assert not resolve_model("gpt-5").allows_sampling(None)
    assert resolve_model("gpt-4o-mini").allows_sampling("high")


def test_unsupported_effort_gets_the_recorded_400() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_effort(resolve_model("o4-mini"), "minimal")
    assert caught.value.message == (
        "Unsupported value: 'minimal' is not supported with the 'o4-mini' model. Supported "
        "values are: 'low', 'medium', and 'high'."
    )
    assert (caught.value.param, caught.value.code) == ("reasoning.effort", "unsupported_value")
    check_effort(resolve_model("gpt-5.6"), "max")


def test_unknown_names_of_a_known_kind_get_the_documented_default() -> None:
    # Names in the SDK's list that no family row matches.
    assert resolve_model("gpt-5.3-chat-latest").family is DEFAULT_REASONING
    assert resolve_model("gpt-4-turbo").family is NON_REASONING
