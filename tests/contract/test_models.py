"""The model catalogue."""

from __future__ import annotations

import pytest

from mockserver.contract.errors import InvalidRequestError
from mockserver.contract.models import SNAPSHOTS, resolve_model, sdk_model_names


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
