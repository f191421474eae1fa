"""Run an app under uvicorn in the foreground (the CLI's `serve` and `record`)."""

from __future__ import annotations

import argparse
from typing import Any


def run_foreground(app: Any, args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="info" if args.access_log else "warning",
    )
    return 0
