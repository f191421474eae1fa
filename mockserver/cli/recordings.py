"""The record/replay part of the ``mockserver`` command (``cli/main.py`` wires it in).

- ``serve`` gains ``--recordings DIR --record-mode MODE --cassette NAME --replay-speed X ...``;
- ``record``: a recording proxy in front of the real API (or any ``--upstream``);
- ``import``: VCR cassettes -> recordings;
- ``validate``: recordings against ``schemas/``, reporting drift.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.cli.arg_types import MAX_PORT, MIN_PORT, port_number, record_mode
from mockserver.cli.exposure import add_exposure_arguments, allowed_hosts, warn_if_exposed
from mockserver.contract.errors import ConfigurationError
from mockserver.http.serving import run_foreground
from mockserver.recording.modes import DEFAULT_CASSETTE, DEFAULT_UPSTREAM, RecordMode

if TYPE_CHECKING:
    # Loaded when a command records or replays: `serve` without --recordings never needs them.
    from mockserver.http.replay import ReplayConfig
    from mockserver.recording.redaction import Redaction

MODES = ", ".join(mode.value for mode in RecordMode)


def _add_redaction_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("redaction (what may be written to disk)")
    group.add_argument(
        "--redact-header",
        action="append",
        default=[],
        metavar="NAME",
        help="never write this header (Authorization, cookies, OpenAI-Organization/-Project "
        "never are)",
    )
    group.add_argument(
        "--redact-pattern",
        action="append",
        default=[],
        metavar="REGEX",
        help="also scrub strings matching REGEX (API keys, org/project ids, bearer tokens "
        "always are)",
    )
    group.add_argument(
        "--redact-field",
        action="append",
        default=[],
        metavar="PATH",
        help="blank this JSON field in bodies (dotted path, * for any key or index)",
    )
    group.add_argument(
        "--keep-header",
        action="append",
        default=[],
        metavar="NAME",
        help="also write this header (by default only the ones clients read)",
    )


def _redaction(args: argparse.Namespace) -> Redaction:
    from mockserver.recording.redaction import Redaction

    return Redaction().with_rules(
        secret_headers=args.redact_header,
        keep_headers=args.keep_header,
        patterns=args.redact_pattern,
        fields=args.redact_field,
    )


def _add_matching_arguments(parser: argparse.ArgumentParser, *, default_mode: str) -> None:
    parser.add_argument(
        "--record-mode",
        type=record_mode,
        default=default_mode,
        metavar="MODE",
        help=f"{MODES} (default {default_mode}); as in pytest-recording",
    )
    parser.add_argument(
        "--cassette",
        metavar="NAME",
        help="replay and record only DIR/NAME.json (default: replay every cassette in DIR, "
        f"record to {DEFAULT_CASSETTE}.json)",
    )
    parser.add_argument(
        "--match-ignore",
        action="append",
        default=[],
        metavar="FIELD",
        help="leave this body field (dotted path) or query.NAME out of matching (repeatable)",
    )
    parser.add_argument(
        "--source",
        choices=("live", "generated", "unverified"),
        help="label new recordings (default: live for api.openai.com, generated when the mock "
        "itself answers, else unverified)",
    )


def add_replay_arguments(serve: argparse.ArgumentParser) -> None:
    """``serve --recordings DIR``: replay (and optionally record) in front of the mock."""
    group = serve.add_argument_group("record and replay (docs/record-replay.md)")
    group.add_argument(
        "--recordings", type=Path, metavar="DIR", help="replay the recordings in DIR"
    )
    _add_matching_arguments(group, default_mode="none")  # type: ignore[arg-type]
    group.add_argument(
        "--upstream",
        metavar="URL",
        help="where a recording mode forwards misses (default: the mock answers them)",
    )
    group.add_argument(
        "--replay-speed",
        type=float,
        default=0.0,
        metavar="X",
        help="stream replays with the recorded pacing times X (default 0: as fast as possible)",
    )
    _add_redaction_arguments(serve)


def replay_config(args: argparse.Namespace) -> ReplayConfig | None:
    """The serve command's ReplayConfig, or None without ``--recordings``."""
    if args.recordings is None:
        given = [
            flag
            for flag, value in (
                ("--record-mode", args.record_mode != "none"),
                ("--cassette", args.cassette),
                ("--upstream", args.upstream),
                ("--match-ignore", args.match_ignore),
            )
            if value
        ]
        if given:
            flags = given[0] if len(given) == 1 else f"{', '.join(given[:-1])} and {given[-1]}"
            raise ConfigurationError(
                f"{flags} {'needs' if len(given) == 1 else 'need'} --recordings DIR (the "
                "directory of recordings to replay or record into)"
            )
        return None
    from mockserver.http.replay import ReplayConfig

    return ReplayConfig(
        recordings=args.recordings,
        record_mode=args.record_mode,
        upstream=args.upstream,
        cassette=args.cassette,
        replay_speed=args.replay_speed,
        match_ignore=tuple(args.match_ignore),
        redaction=_redaction(args),
        source=args.source,
    )


def add_commands(commands: Any) -> None:
    record = commands.add_parser(
        "record",
        help="record: a proxy that forwards every request to the real API and saves it",
        description="Forward every request to the upstream (the real API by default) with the "
        "client's key (or OPENAI_API_KEY), pass the answer back unchanged (streams event by "
        "event) and save the interaction, secrets scrubbed.",
    )
    record.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    record.add_argument(
        "--port",
        type=port_number,
        default=8000,
        help=f"port, {MIN_PORT}-{MAX_PORT} (default 8000)",
    )
    record.add_argument(
        "--upstream",
        default=DEFAULT_UPSTREAM,
        metavar="URL",
        help=f"the API base URL to record (default {DEFAULT_UPSTREAM})",
    )
    record.add_argument(
        "--recordings", type=Path, required=True, metavar="DIR", help="where to save recordings"
    )
    _add_matching_arguments(record, default_mode="all")
    record.add_argument("--access-log", action="store_true", help="log every request")
    add_exposure_arguments(record)
    _add_redaction_arguments(record)

    importer = commands.add_parser(
        "import", help="convert VCR cassettes (vcrpy / pytest-recording YAML) into recordings"
    )
    importer.add_argument(
        "sources",
        nargs="+",
        type=Path,
        metavar="SRC",
        help="cassette files or folders (searched for *.yaml, *.yml)",
    )
    importer.add_argument(
        "--recordings", type=Path, required=True, metavar="DIR", help="where to write them"
    )
    importer.add_argument("--prefix", default="", help="prepend to every cassette name")
    importer.add_argument("--force", action="store_true", help="overwrite existing recordings")
    _add_redaction_arguments(importer)

    validate = commands.add_parser(
        "validate",
        help="check recordings against schemas/ and report drift; exit 1 when anything is off",
    )
    validate.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="recordings directories or files"
    )
    validate.add_argument(
        "--schemas",
        type=Path,
        metavar="DIR",
        help="schema directory (default: the packaged schemas/)",
    )
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.add_argument("--verbose", action="store_true", help="also list clean recordings")


def run_record(args: argparse.Namespace) -> int:
    from mockserver.http.app import create_app
    from mockserver.http.replay import ReplayConfig
    from mockserver.state.config import ServerConfig

    config = ReplayConfig(
        recordings=args.recordings,
        record_mode=args.record_mode,
        upstream=args.upstream,
        cassette=args.cassette or DEFAULT_CASSETTE,
        match_ignore=tuple(args.match_ignore),
        redaction=_redaction(args),
        source=args.source,
    )
    app = create_app(ServerConfig(allowed_hosts=allowed_hosts(args)), replay=config)
    warn_if_exposed(args.host, None)  # the proxy has no key of its own
    layer = app.state.replay
    target = Path(args.recordings) / f"{config.cassette}.json"

    def banner(url: str) -> list[str]:
        return [
            f"mockserver: recording {layer.upstream.url} (mode {config.record_mode.value}, "
            f"source {layer.source!r}) into {target}; point the SDK at {url}/v1"
        ]

    return run_foreground(app, args, banner)


def run_import(args: argparse.Namespace) -> int:
    from mockserver.recording.vcr_import import import_cassettes

    results = import_cassettes(
        args.sources,
        args.recordings,
        redaction=_redaction(args),
        prefix=args.prefix,
        overwrite=args.force,
    )
    skipped = 0
    for result in results:
        if result.written is None:
            skipped += 1
            print(f"skipped {result.source}: {result.cassette}.json exists (--force overwrites)")
        else:
            print(f"{result.source} -> {result.written} ({result.interactions} interactions)")
    print(f"imported {len(results) - skipped} cassette(s) into {args.recordings}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from mockserver.contract.conformance import Conformance
    from mockserver.recording import persist
    from mockserver.recording.drift import DriftChecker, render

    cassettes = []
    for path in args.paths:
        if path.is_file():
            cassette = persist.read_cassette(path)
            cassette.name = path.stem
            cassettes.append(cassette)
        elif path.is_dir():
            cassettes += persist.load_directory(path)
        else:
            raise ConfigurationError(f"{path} does not exist")
    checker = DriftChecker(Conformance(args.schemas) if args.schemas else None)
    reports = checker.cassettes(cassettes)
    if args.json:
        print(json.dumps([report.to_dict() for report in reports], indent=2))
    else:
        print(render(reports, verbose=args.verbose))
    return 1 if any(report.findings for report in reports) else 0


COMMANDS = {"record": run_record, "import": run_import, "validate": run_validate}
