"""The external load generator: wrk (https://github.com/wg/wrk), driven from Python.

wrk is not our code: it is a C load generator shipped by Debian (``apt-get install -y
wrk``). We only hand it a Lua script (``wrk_post.lua``) that sets the POST body and
headers and prints a one-line JSON summary in ``done()``.

Run this file on its own to check that wrk is installed::

    .venv/bin/python benchmarks/loadgen.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA_SCRIPT = HERE / "wrk_post.lua"

INSTALL_HINT = """\
wrk was not found on PATH. It is the load generator these benchmarks use.
Install it with one of:
    apt-get update && apt-get install -y wrk        (Debian/Ubuntu, as root)
    sudo apt-get install -y wrk                     (Debian/Ubuntu, as a user)
    brew install wrk                                (macOS)
or run benchmarks/install_tools.sh. The test suite does not need it."""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured. Latencies are milliseconds."""

    connections: int
    duration_s: float
    requests: int
    requests_per_s: float
    bytes_read: int
    latency_p50_ms: float
    latency_p90_ms: float
    latency_p99_ms: float
    latency_max_ms: float
    latency_mean_ms: float
    errors_connect: int
    errors_read: int
    errors_write: int
    errors_timeout: int
    non_2xx_3xx: int

    @property
    def errors(self) -> int:
        """All failed or non-2xx/3xx requests."""
        return (
            self.errors_connect
            + self.errors_read
            + self.errors_write
            + self.errors_timeout
            + self.non_2xx_3xx
        )

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = asdict(self)
        data["errors"] = self.errors
        return data


def find_wrk() -> str | None:
    """Path of the wrk executable, or None when it is not installed."""
    return shutil.which("wrk")


def wrk_version(wrk: str) -> str:
    """wrk's own version line (wrk has no --version; it prints it in its usage)."""
    proc = subprocess.run(
        [wrk, "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


def check_wrk() -> str | None:
    """Return wrk's path, or print how to install it (to stderr) and return None."""
    wrk = find_wrk()
    if wrk is None:
        print(INSTALL_HINT, file=sys.stderr)
    return wrk


def build_command(
    wrk: str, url: str, connections: int, duration_s: int, timeout_s: int = 10
) -> list[str]:
    """The wrk command line for one run: one thread, ``connections`` keep-alive connections."""
    if duration_s < 1:
        raise ValueError("wrk takes whole seconds; duration must be >= 1")
    return [
        wrk,
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{duration_s}s",
        "--timeout",
        f"{timeout_s}s",
        "--latency",
        "--script",
        str(LUA_SCRIPT),
        url,
    ]


def wrk_env(body_file: Path, auth: str = "Bearer sk-test") -> dict[str, str]:
    """Environment for wrk_post.lua."""
    return {**os.environ, "BENCH_BODY_FILE": str(body_file), "BENCH_AUTH": auth}


def parse_output(stdout: str, connections: int) -> WrkResult:
    """Parse the ``WRK_JSON`` line that wrk_post.lua prints."""
    for line in stdout.splitlines():
        if line.startswith("WRK_JSON "):
            data = json.loads(line[len("WRK_JSON ") :])
            break
    else:
        raise RuntimeError(f"wrk printed no WRK_JSON line:\n{stdout}")
    duration_s = data["duration_us"] / 1e6
    lat = data["latency_us"]
    err = data["errors"]
    return WrkResult(
        connections=connections,
        duration_s=duration_s,
        requests=data["requests"],
        requests_per_s=data["requests"] / duration_s if duration_s > 0 else 0.0,
        bytes_read=data["bytes"],
        latency_p50_ms=lat["p50"] / 1000,
        latency_p90_ms=lat["p90"] / 1000,
        latency_p99_ms=lat["p99"] / 1000,
        latency_max_ms=lat["max"] / 1000,
        latency_mean_ms=lat["mean"] / 1000,
        errors_connect=err["connect"],
        errors_read=err["read"],
        errors_write=err["write"],
        errors_timeout=err["timeout"],
        non_2xx_3xx=err["status"],
    )


def start_wrk(
    wrk: str, url: str, body_file: Path, connections: int, duration_s: int
) -> subprocess.Popen[str]:
    """Start wrk in the background; finish it with ``finish_wrk``."""
    return subprocess.Popen(
        build_command(wrk, url, connections, duration_s),
        env=wrk_env(body_file),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_wrk(proc: subprocess.Popen[str], connections: int, duration_s: int) -> WrkResult:
    """Wait (bounded) for a wrk started by ``start_wrk`` and parse its report."""
    try:
        stdout, stderr = proc.communicate(timeout=duration_s + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate(timeout=10)
        raise RuntimeError("wrk did not finish in time") from None
    except BaseException:  # e.g. Ctrl-C: do not leave wrk running
        proc.kill()
        proc.wait(timeout=10)
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited with {proc.returncode}:\n{stdout}\n{stderr}")
    return parse_output(stdout, connections)


def run_wrk(wrk: str, url: str, body_file: Path, connections: int, duration_s: int) -> WrkResult:
    """Run wrk in the foreground for ``duration_s`` seconds and return its figures."""
    proc = start_wrk(wrk, url, body_file, connections, duration_s)
    return finish_wrk(proc, connections, duration_s)


def main() -> int:
    wrk = check_wrk()
    if wrk is None:
        return 1
    print(f"wrk found: {wrk} ({wrk_version(wrk)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
