"""An in-process pytester run must not unload the SDK's HTTP stack (see ``tests/conftest.py``).

The first two tests are the sequence that broke ``contract_tests/test_faults.py`` whenever an
inline run came first in the same process: the third runs them, in that order, in a fresh
interpreter, where nothing else has loaded the SDK's transport before the inline run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openai
import pytest

from mockserver import MockServer

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).relative_to(ROOT).as_posix()

INLINE_SDK_USER = """
import openai, pytest

def test_a_client_whose_request_fails():
    client = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        client.responses.create(model="gpt-4o-mini", input="Hello")
"""


def test_an_inline_run_uses_the_sdk(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_inline=INLINE_SDK_USER)
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_afterwards_a_cut_reply_is_still_a_connection_error() -> None:
    with (
        MockServer(self_check=True) as server,
        openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client,
        pytest.raises(openai.APIConnectionError),
    ):
        client.responses.create(
            model="gpt-4o-mini", input="Hello", extra_headers={"x-mockserver-fault": "cut_stream"}
        )


def test_the_two_in_order_in_a_fresh_interpreter() -> None:
    options = ["-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    tests = [
        f"{THIS}::test_an_inline_run_uses_the_sdk",
        f"{THIS}::test_afterwards_a_cut_reply_is_still_a_connection_error",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *options, *tests],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout
