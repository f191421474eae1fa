"""The ``mockserver`` command: the only place that parses argv or exits."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import orjson

from mockserver.cli.lifecycle_options import add_lifecycle_arguments, lifecycle_config
from mockserver.cli.recordings import COMMANDS as RECORDING_COMMANDS
from mockserver.cli.recordings import add_commands as add_recording_commands
from mockserver.cli.recordings import add_replay_arguments, replay_config
from mockserver.cli.store_options import add_store_arguments, store_config
from mockserver.cli.stubs import add_stub_arguments, stub_config
from mockserver.contract.errors import ConfigurationError
from mockserver.http.serving import WORKER_ARGV_VARIABLE, run_foreground, run_workers, tune_gc

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockserver",
        description="Offline contract-test and mock server for the OpenAI Responses API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument("--seed", type=Path, metavar="FILE", help="JSON file that preloads state")
    serve.add_argument(
        "--api-key",
        metavar="KEY",
        help="accept only this bearer key (default: any key); others get the real 401",
    )
    serve.add_argument("--id-seed", type=int, metavar="N", help="make ids reproducible")
    serve.add_argument(
        "--edge-cases", action="store_true",
        help="answer structured requests with Hypothesis-drawn edge cases (see "
        "docs/structured-outputs-and-tools.md)",
    )
    serve.add_argument(
        "--edge-seed", type=int, metavar="N", help="make edge-case answers reproducible"
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=None,
        metavar="N",
        help="reject larger request bodies with 413 (default 50 MiB)",
    )
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument(
        "--first-event-ms", type=float, default=0.0, metavar="MS",
        help="delay before the first SSE event (frontend work: try 300)",
    )
    serve.add_argument(
        "--tokens-per-second", type=float, default=None, metavar="N",
        help="stream text deltas at this rate (frontend work: try 50)",
    )
    serve.add_argument(
        "--reply-delay-ms", type=float, default=0.0, metavar="MS",
        help="delay before a non-streaming reply",
    )
    serve.add_argument(
        "--cors-origin", action="append", default=[], metavar="ORIGIN", dest="cors_origins",
        help="also let pages from this origin call the server (repeatable; * for any); "
        "local origins (localhost, 127.0.0.1, [::1], any port) are always allowed",
    )
    add_replay_arguments(serve)
    add_lifecycle_arguments(serve)
    add_stub_arguments(serve)
    add_store_arguments(serve)

    schemas = commands.add_parser(
        "schemas", help="generate schemas/ from the installed openai SDK's types"
    )
    schemas.add_argument("--dir", type=Path, default=Path("schemas"), help="output directory")
    schemas.add_argument(
        "--check", action="store_true", help="only report stale schemas; exit 1 if any"
    )
    add_recording_commands(commands)
    return parser


def serve_app(args: argparse.Namespace) -> object:
    """The app ``serve`` runs, from its parsed arguments."""
    from mockserver.http.app import create_app
    from mockserver.scenarios.pacing import Pacing
    from mockserver.state.config import DEFAULT_MAX_BODY_BYTES, ServerConfig

    try:
        pacing = Pacing(
            first_event_seconds=args.first_event_ms / 1000,
            tokens_per_second=args.tokens_per_second,
            reply_delay_seconds=args.reply_delay_ms / 1000,
        )
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None
    config = ServerConfig(
        pacing=pacing,
        api_key=args.api_key,
        seed_file=args.seed,
        id_seed=args.id_seed,
        max_body_bytes=args.max_body_bytes or DEFAULT_MAX_BODY_BYTES,
        cors_origins=tuple(args.cors_origins),
        **lifecycle_config(args),
        **stub_config(args),
        **store_config(args),
        edge_cases=args.edge_cases,
        edge_seed=args.edge_seed,
    )
    replay = replay_config(args)
    if replay is not None and args.workers > 1:
        raise ConfigurationError(
            "--recordings works with one worker only (recording writes cassette files from "
            "one process); drop --workers or --recordings"
        )
    return create_app(config, replay=replay)


def worker_app() -> object:
    """The app of one ``--workers`` process (uvicorn calls this factory in each of them)."""
    argv = orjson.loads(os.environ[WORKER_ARGV_VARIABLE])
    app = serve_app(build_parser().parse_args(argv))
    tune_gc()
    print(f"mockserver: worker {os.getpid()} ready", file=sys.stderr, flush=True)
    return app


def run_serve(args: argparse.Namespace, argv: list[str]) -> int:
    app = serve_app(args)  # also checks the options and the store, and plants the seed once
    print(
        f"mockserver: serving the Responses API at http://{args.host}:{args.port}/v1",
        file=sys.stderr,
    )
    print(
        f"mockserver: inspector at http://{args.host}:{args.port}/__mockserver/inspector",
        file=sys.stderr,
    )
    if args.workers > 1:
        app.state.mock.store.close()  # type: ignore[attr-defined]
        print(f"mockserver: {args.workers} workers sharing {args.store}", file=sys.stderr)
        return run_workers("mockserver.cli.main:worker_app", argv, args)
    return run_foreground(app, args)


def run_schemas(args: argparse.Namespace) -> int:
    from mockserver.contract.schemas import stale_schemas, write_schemas

    if args.check:
        stale = stale_schemas(args.dir)
        if stale:
            print(
                f"stale schemas in {args.dir}: {', '.join(stale)}; run `mockserver schemas`",
                file=sys.stderr,
            )
            return 1
        print(f"{args.dir} is up to date with the installed openai SDK")
        return 0
    written = write_schemas(args.dir)
    print(f"wrote {len(written)} schemas to {args.dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return run_serve(args, argv)
        if args.command in RECORDING_COMMANDS:
            return RECORDING_COMMANDS[args.command](args)
        return run_schemas(args)
    except ConfigurationError as exc:
        print(f"mockserver: {exc}", file=sys.stderr)
        return 2
