"""Target selection for ``contract_tests/``: each target, the skip reasons, and the seams.

Each case runs a small pytest session (in process) with copies of ``contract_tests/``'s support
modules (``conftest.py``, ``targets.py``, ...) in a package of another name, next to a tiny test
file: the real selection code runs without touching this session's ``contract_tests`` modules.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CONTRACT_TESTS = Path(__file__).resolve().parents[1] / "contract_tests"

PROBE = """
import openai
import pytest

created: list[str] = []


def test_a_creates(client, model, target, on_mock):
    print(f"TARGET={target} ON_MOCK={on_mock} MODEL={model}")
    created.append(client.responses.create(model=model, input="hi").id)


def test_b_state_was_reset(client):
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created[0])


@pytest.mark.mock_only
def test_c_mock_only(client):
    pass


@pytest.mark.live_only
def test_d_live_only(client):
    pass
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    package = pytester.mkpydir("probe_contract")
    for source in CONTRACT_TESTS.glob("*.py"):
        if not source.name.startswith("test_") and source.name != "__init__.py":
            shutil.copy(source, package / source.name)
    (package / "test_probe.py").write_text(PROBE)
    pytester.makeini(
        """
        [pytest]
        asyncio_mode = auto
        asyncio_default_fixture_loop_scope = function
        testpaths = probe_contract
        """
    )
    return pytester


def run(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str):
    for name in ("MOCKSERVER_TARGET", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return project.runpytest_inprocess("-rs", "-s", "-p", "no:cacheprovider", *args)


def test_mock_is_the_default_and_state_is_reset_per_test(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(project, monkeypatch, MOCKSERVER_CONTRACT_MODEL="gpt-4.1-mini")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "contract target: mock",
            "*TARGET=mock ON_MOCK=True MODEL=gpt-4.1-mini*",
            "*live_only: needs the real API; the target is 'mock'*",
        ]
    )


def test_live_without_a_key_skips_everything(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(project, monkeypatch, MOCKSERVER_TARGET="live")
    result.assert_outcomes(skipped=4)
    skips = [line for line in result.outlines if line.startswith("SKIPPED")]
    assert len(skips) == 4
    assert all(line.endswith(": live target needs OPENAI_API_KEY") for line in skips), skips


def test_replay_skips_without_recordings(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(project, monkeypatch, "--target=replay")
    result.assert_outcomes(skipped=4)
    result.stdout.fnmatch_lines(["*replay target: no recordings*"])


def test_unknown_target_is_a_usage_error(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(project, monkeypatch, "--target=staging")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*unknown contract target 'staging'*valid targets: live, mock, replay*"]
    )


def test_a_module_can_register_a_target_and_the_hook_can_provide_one(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A root conftest stands in for the later replay module: it registers a new target (a
    # second name for the built-in mock) and answers the hook for `replay`.
    project.makeconftest(
        """
        import pytest
        from probe_contract import targets

        def staging(config):
            built = targets.mock_target(config)
            built.name = "staging"
            return built

        targets.register_target("staging", staging)

        @pytest.hookimpl(optionalhook=True)
        def pytest_contract_target(name, config):
            if name == "replay":
                return targets.ContractTarget(name="replay", skip_reason="from the hook")
        """
    )
    staged = run(project, monkeypatch, "--target=staging")
    staged.assert_outcomes(passed=3, skipped=1)
    staged.stdout.fnmatch_lines(["*TARGET=staging ON_MOCK=True*"])
    hooked = run(project, monkeypatch, "--target=replay")
    hooked.assert_outcomes(skipped=4)
    hooked.stdout.fnmatch_lines(["*from the hook*"])
