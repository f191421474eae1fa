"""``mockserver serve`` options for background jobs, stream resumption and compaction."""

from __future__ import annotations

import argparse
import math
from typing import Any

from mockserver.contract.errors import ConfigurationError
from mockserver.state.config import DEFAULT_STREAM_RESUME_TTL
from mockserver.state.lifecycle import DEFAULT_TIMELINE, Timeline


def add_lifecycle_arguments(serve: argparse.ArgumentParser) -> None:
    group = serve.add_argument_group("background jobs and compaction")
    group.add_argument(
        "--background-queue-ms",
        type=float,
        metavar="MS",
        default=DEFAULT_TIMELINE.queued_seconds * 1000,
        help="how long a background job stays queued (default %(default)g)",
    )
    group.add_argument(
        "--background-run-ms",
        type=float,
        metavar="MS",
        default=DEFAULT_TIMELINE.run_seconds * 1000,
        help="how long a background job runs, plus --background-ms-per-token for each output "
        "token (default %(default)g)",
    )
    group.add_argument(
        "--background-ms-per-token",
        type=float,
        metavar="MS",
        default=DEFAULT_TIMELINE.seconds_per_token * 1000,
        help="running time per output token of a background job (default %(default)g)",
    )
    group.add_argument(
        "--fail-background-jobs",
        action="store_true",
        help="make every background job end as 'failed' (one request can ask for it with the "
        "header x-mockserver-background-outcome: failed)",
    )
    group.add_argument(
        "--stream-resume-ttl",
        type=float,
        metavar="SECONDS",
        default=DEFAULT_STREAM_RESUME_TTL,
        help="how long after creation a background stream can be resumed (default %(default)g, "
        "as the real API)",
    )
    group.add_argument(
        "--compaction-key",
        metavar="SECRET",
        help="secret for compaction items (default: random per start); set it to accept "
        "compaction items made by an earlier run or another server",
    )


def lifecycle_config(args: argparse.Namespace) -> dict[str, Any]:
    """The ``ServerConfig`` fields these options set."""
    try:
        timeline = Timeline(
            queued_seconds=args.background_queue_ms / 1000,
            run_seconds=args.background_run_ms / 1000,
            seconds_per_token=args.background_ms_per_token / 1000,
        )
    except ValueError as exc:
        raise ConfigurationError(
            f"{exc}; pass a number of milliseconds >= 0 to --background-queue-ms, "
            "--background-run-ms and --background-ms-per-token"
        ) from None
    ttl = args.stream_resume_ttl
    if not (math.isfinite(ttl) and ttl > 0):
        raise ConfigurationError(
            f"--stream-resume-ttl must be a positive number of seconds, got {ttl:g}"
        )
    return {
        "background_timeline": timeline,
        "fail_background_jobs": args.fail_background_jobs,
        "stream_resume_ttl": ttl,
        "compaction_key": args.compaction_key,
    }
