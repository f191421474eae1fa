"""``mockserver serve`` options for background jobs, stream resumption and compaction."""

from __future__ import annotations

import pytest

from mockserver.cli.lifecycle_options import lifecycle_config
from mockserver.cli.main import build_parser
from mockserver.contract.errors import ConfigurationError
from mockserver.state.config import ServerConfig
from mockserver.state.lifecycle import DEFAULT_TIMELINE, Timeline


def options(*argv: str) -> dict:
    return lifecycle_config(build_parser().parse_args(["serve", *argv]))


def test_defaults_are_the_documented_ones() -> None:
    fields = options()
    assert fields == {
        "background_timeline": DEFAULT_TIMELINE,
        "fail_background_jobs": False,
        "stream_resume_ttl": 300.0,
        "compaction_key": None,
    }
    assert ServerConfig(**fields) == ServerConfig()


def test_every_option_reaches_the_config() -> None:
    fields = options(
        "--background-queue-ms", "50",
        "--background-run-ms", "1000",
        "--background-ms-per-token", "20",
        "--fail-background-jobs",
        "--stream-resume-ttl", "60",
        "--compaction-key", "s3cret",
    )  # fmt: skip
    assert fields["background_timeline"] == Timeline(0.05, 1.0, 0.02)
    assert fields["fail_background_jobs"] is True
    assert fields["stream_resume_ttl"] == 60
    assert fields["compaction_key"] == "s3cret"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--background-queue-ms", "-1"], "queued_seconds must be a number >= 0, got -0.001"),
        (["--background-ms-per-token", "nan"], "--background-ms-per-token"),
        (["--stream-resume-ttl", "0"], "--stream-resume-ttl must be a positive number"),
    ],
)
def test_bad_values_name_the_option(argv: list[str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        options(*argv)
