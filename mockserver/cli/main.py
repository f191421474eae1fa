"""The ``mockserver`` command: the only place that parses argv or exits."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import orjson

from mockserver.cli.arg_types import MAX_PORT, MIN_PORT, port_number
from mockserver.cli.exposure import add_exposure_arguments, allowed_hosts, warn_if_exposed
from mockserver.cli.lifecycle_options import add_lifecycle_arguments, lifecycle_config
from mockserver.cli.recordings import COMMANDS as RECORDING_COMMANDS
from mockserver.cli.recordings import add_commands as add_recording_commands
from mockserver.cli.recordings import add_replay_arguments, replay_config
from mockserver.cli.store_options import add_store_arguments, store_config
from mockserver.cli.stubs import add_stub_arguments, stub_config
from mockserver.contract.errors import ConfigurationError
from mockserver.http.serving import (
    WORKER_ARGV_VARIABLE,
    redact_access_log,
    run_foreground,
    run_workers,
    tune_gc,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class CommandLineParser(argparse.ArgumentParser):
    """Reports arguments no option takes with the usage of the subcommand they were given to.

    argparse hands a subcommand's leftovers back to the top-level parser, whose error shows only
    ``usage: mockserver [-h] COMMAND ...``; ``serve --porrt 9000`` should show ``serve``'s usage.
    """

    commands: dict[str, argparse.ArgumentParser] | None = None

    def add_subparsers(self, **kwargs: Any) -> Any:
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices
        return action

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            name = getattr(parsed, "command", None)
            parser = (self.commands or {}).get(name, self) if name else self
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = CommandLineParser(
        prog="mockserver",
        description="Offline contract-test and mock server for the OpenAI Responses API.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the mock server")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})"
    )
    serve.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port, {MIN_PORT}-{MAX_PORT} (default {DEFAULT_PORT})",
    )
    serve.add_argument("--seed", type=Path, metavar="FILE", help="JSON file that preloads state")
    serve.add_argument(
        "--api-key",
        metavar="KEY",
        help="accept only this bearer key (default: any key); others get the real 401",
    )
    serve.add_argument(
        "--admin-key",
        metavar="KEY",
        help="the key the admin API and the inspector need (default: --api-key; with neither, "
        "they are open, which is fine on loopback only)",
    )
    add_exposure_arguments(serve)
    serve.add_argument(
        "--journal-max-bytes", type=int, default=None, metavar="N",
        help="body bytes the request journal holds in all, oldest dropped first (default 64 MiB)",
    )
    serve.add_argument(
        "--journal-body-bytes", type=int, default=None, metavar="N",
        help="bytes kept of each request or reply body in the journal (default 1 MiB)",
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
        "--check",
        action="store_true",
        help="only compare: exit 1 when a schema's content differs from what the installed SDK "
        "generates (the version stamp alone does not count), naming the types that changed",
    )
    schemas.add_argument(
        "--against-installed",
        action="store_true",
        help="with --check: only report what the installed SDK (say, the newest release in a "
        "virtualenv without the lock) would change; always exit 0",
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
    journal_bounds = {
        name: value
        for name, value in (
            ("journal_max_bytes", args.journal_max_bytes),
            ("journal_body_bytes", args.journal_body_bytes),
        )
        if value is not None
    }
    config = ServerConfig(
        pacing=pacing,
        api_key=args.api_key,
        admin_key=args.admin_key,
        allowed_hosts=allowed_hosts(args),
        **journal_bounds,
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


def serving_banner(url: str) -> list[str]:
    return [
        f"mockserver: serving the Responses API at {url}/v1",
        f"mockserver: inspector at {url}/__mockserver/inspector",
    ]


def worker_app() -> object:
    """The app of one ``--workers`` process (uvicorn calls this factory in each of them)."""
    argv = orjson.loads(os.environ[WORKER_ARGV_VARIABLE])
    app = serve_app(build_parser().parse_args(argv))
    redact_access_log()
    tune_gc()
    print(f"mockserver: worker {os.getpid()} ready", file=sys.stderr, flush=True)
    return app


def run_serve(args: argparse.Namespace, argv: list[str]) -> int:
    app = serve_app(args)  # also checks the options and the store, and plants the seed once
    warn_if_exposed(args.host, app.state.mock.config.admin_key or app.state.mock.config.api_key)
    if args.workers > 1:
        app.state.mock.store.close()  # type: ignore[attr-defined]

        def banner(url: str) -> list[str]:
            shared = f"mockserver: {args.workers} workers sharing {args.store}"
            return [*serving_banner(url), shared]

        return run_workers("mockserver.cli.main:worker_app", argv, args, banner)
    return run_foreground(app, args, serving_banner)


def run_schemas(args: argparse.Namespace) -> int:
    from mockserver.cli.schema_report import check_schemas, report_schemas, write_and_report

    if args.against_installed:
        return report_schemas(args.dir)
    if args.check:
        return check_schemas(args.dir)
    return write_and_report(args.dir)


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
