"""``mockserver serve`` options for stubs, strict mode and chaos runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mockserver.scenarios.faults import DEFAULT_CHAOS_FAULTS, FAULT_KINDS


def add_stub_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--stubs",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="load stubs from a YAML/JSON file or a directory of them (repeatable)",
    )
    serve.add_argument(
        "--strict-stubs",
        action="store_true",
        help="answer a POST /v1/responses that matches no stub with a 400 naming the nearest stubs",
    )
    serve.add_argument(
        "--chaos-rate",
        type=float,
        default=0.0,
        metavar="RATE",
        help="give this share of API requests a random fault (0 to 1, e.g. 0.1)",
    )
    serve.add_argument(
        "--chaos-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of the chaos draws, to replay a chaos run",
    )
    serve.add_argument(
        "--chaos-faults",
        default=",".join(DEFAULT_CHAOS_FAULTS),
        metavar="LIST",
        help=f"comma-separated faults chaos draws from (any of {', '.join(FAULT_KINDS)})",
    )


def stub_config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "stubs": tuple(args.stubs),
        "strict_stubs": args.strict_stubs,
        "chaos_rate": args.chaos_rate,
        "chaos_seed": args.chaos_seed,
        "chaos_faults": tuple(f.strip() for f in args.chaos_faults.split(",") if f.strip()),
    }
