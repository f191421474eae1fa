"""The README's examples run, and its quick-start test command is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver import MockServer

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLE = re.compile(
    r"<!-- readme-example: (?P<name>[\w-]+) -->\n```python\n(?P<code>.*?)```", re.S
)


def examples() -> dict[str, str]:
    return {m["name"]: m["code"] for m in EXAMPLE.finditer(README)}


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, re.S)


def test_quick_start_is_two_commands_and_ci_runs_the_test_command() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    install_and_serve, install_and_test = commands
    assert "mockserver serve" in install_and_serve
    assert "pytest" in install_and_test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines(), "`.ci/run` must run the README's test command"


@pytest.mark.parametrize("name", sorted(examples()))
def test_readme_example_runs(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with MockServer(self_check=True) as server:
        code = examples()[name].replace("http://127.0.0.1:8000/v1", server.base_url)
        exec(compile(code, f"README.md:{name}", "exec"), {"__name__": "readme_example"})
    assert capsys.readouterr().out or name == "mockserver"


def test_readme_pytest_example_runs(pytester: pytest.Pytester) -> None:
    snippet = re.search(r"```python\n(def test_my_agent.*?)```", README, re.S)
    assert snippet, "the README's pytest plugin example is missing"
    pytester.makepyfile(test_example=snippet.group(1))
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_readme_names_every_runtime_dependency() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=\[ ]", dep)[0] for dep in project["dependencies"]]
    names += [re.split(r"[<>=\[ ]", dep)[0] for dep in project["optional-dependencies"]["test"]]
    table = README.split("## Dependencies, and why", 1)[1]
    missing = [name for name in names if f"`{name}" not in table]
    assert not missing, f"README's dependency table does not explain: {missing}"
