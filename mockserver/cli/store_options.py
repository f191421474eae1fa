"""``mockserver serve`` options for where state lives and how many worker processes serve it."""

from __future__ import annotations

import argparse
import math
from typing import Any

from mockserver.contract.errors import ConfigurationError
from mockserver.state.store import DEFAULT_STORE_URL, is_shared


def add_store_arguments(serve: argparse.ArgumentParser) -> None:
    group = serve.add_argument_group("state and workers (docs/deploy.md)")
    group.add_argument(
        "--store",
        metavar="URL",
        default=DEFAULT_STORE_URL,
        help="where responses, conversations and background jobs live: memory:// (default; "
        "bounded, e.g. memory://?max_responses=100000&max_mb=512), sqlite:///state.db (one "
        "file, survives restarts, shared by --workers) or redis://host:6379/0 (shared by "
        "replicas on many machines)",
    )
    group.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default 1); more than one needs a sqlite:// or redis:// store",
    )
    group.add_argument(
        "--retention-scale",
        type=float,
        default=1.0,
        metavar="X",
        help="multiply the documented retention (stored responses 30 days, background "
        "responses 10 minutes) by X (default 1)",
    )


def store_config(args: argparse.Namespace) -> dict[str, Any]:
    """The ``ServerConfig`` fields these options set (after checking they fit together)."""
    if args.workers < 1:
        raise ConfigurationError(f"--workers must be 1 or more, got {args.workers}")
    if args.workers > 1 and not is_shared(args.store):
        raise ConfigurationError(
            f"--workers {args.workers} needs a shared store, but --store is {args.store}: each "
            "worker would see only the responses it created itself. Use --store "
            "sqlite:///state.db (workers on one machine) or --store redis://host:6379/0."
        )
    if args.workers > 1 and getattr(args, "id_seed", None) is not None:
        raise ConfigurationError(
            f"--id-seed with --workers {args.workers}: every worker would make the same ids "
            "and overwrite each other's responses; drop --id-seed, or run one worker"
        )
    scale = args.retention_scale
    if not (math.isfinite(scale) and scale > 0):
        raise ConfigurationError(f"--retention-scale must be a number > 0, got {scale:g}")
    return {"store_url": args.store, "retention_scale": scale}
