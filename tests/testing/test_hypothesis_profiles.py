"""The ``dev`` and ``ci`` Hypothesis profiles."""

from __future__ import annotations

import pytest
from hypothesis import settings

from mockserver.testing import hypothesis_profiles


def test_profiles_are_registered() -> None:
    dev, ci = settings.get_profile("dev"), settings.get_profile("ci")
    assert dev.max_examples < ci.max_examples
    assert ci.derandomize and ci.database is None and ci.deadline is None


def test_environment_selects_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    before = settings.default
    try:
        monkeypatch.setenv("HYPOTHESIS_PROFILE", "ci")
        assert hypothesis_profiles.load("dev") == "ci"
        assert settings.default.max_examples == settings.get_profile("ci").max_examples
        assert hypothesis_profiles.roundtrip_examples() == 25
        monkeypatch.delenv("HYPOTHESIS_PROFILE")
        assert hypothesis_profiles.load("dev") == "dev"
        assert hypothesis_profiles.roundtrip_examples() == 5
        assert hypothesis_profiles.load(None) is None
    finally:
        settings.register_profile("__restore__", before)
        settings.load_profile("__restore__")
