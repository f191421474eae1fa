"""Benchmark our mock server against a bare Starlette baseline, side by side.

Usage::

    .venv/bin/python benchmarks/run.py [--duration SECONDS] [--quick] [--ours-cmd CMD]

Starts our server (``python -m mockserver serve``) and the baseline
(``benchmarks/baseline_app.py``) on free 127.0.0.1 ports, captures one JSON answer and
one SSE stream from ours and hands them to the baseline, warms both up, then for each
scenario (non-stream c=1, non-stream c=32, stream c=1, stream c=32) runs wrk against
ours and then the baseline, and for the stream scenarios measures time to first event
with the httpx probe. Prints a table with the ours/baseline ratios, writes a JSON file
to benchmarks/results/, stops both servers and exits 0. Nothing here asserts on timings.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import ttfe_probe  # noqa: E402

HOST = "127.0.0.1"
PATH = "/v1/responses"
MODEL = "gpt-4o-mini"
AUTH = "Bearer sk-test"
NON_STREAM_BODY: dict[str, Any] = {"model": MODEL, "input": "Hello"}
STREAM_BODY: dict[str, Any] = {"model": MODEL, "input": "Hello", "stream": True}
DEFAULT_OURS_CMD = "{python} -m mockserver serve --host {host} --port {port}"
BASELINE_CMD = "{python} {baseline} --host {host} --port {port} --capture-dir {capture}"
AIM_RATIO = 0.6  # issue #14: ours >= 0.6 x baseline req/s, non-stream c=32 (not asserted)
SERVER_CPU = 0  # with >= 2 CPUs the servers get CPU 0, wrk and the probe the others


@dataclass(frozen=True)
class Scenario:
    name: str
    stream: bool
    concurrency: int


SCENARIOS = (
    Scenario("non-stream c=1", False, 1),
    Scenario("non-stream c=32", False, 32),
    Scenario("stream c=1", True, 1),
    Scenario("stream c=32", True, 32),
)


@dataclass
class Server:
    name: str
    cmd: list[str]
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    exit_code: int | None = None
    stopped_by: str = "not started"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{PATH}"


@dataclass
class Settings:
    duration_s: int  # wrk seconds per server per scenario, split into ``rounds``
    rounds: int
    warmup_s: int
    ttfe_rounds: int
    ttfe_c1_seconds: float  # per server per TTFE round
    ttfe_c32_seconds: float
    ttfe_max_requests: int
    pin: bool
    quick: bool
    ours_cmd: str
    results_dir: Path
    extra_body: dict[str, Any]


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _pin_to(cpus: set[int]) -> Callable[[], None]:
    def pin() -> None:
        os.sched_setaffinity(0, cpus)

    return pin


def start_server(server: Server, pin: bool) -> None:
    log = server.log_path.open("wb")
    server.proc = subprocess.Popen(
        server.cmd,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so a Ctrl-C here is ours to handle
        preexec_fn=_pin_to({SERVER_CPU}) if pin else None,
    )
    log.close()


def log_tail(server: Server, lines: int = 30) -> str:
    try:
        text = server.log_path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def wait_ready(server: Server, timeout_s: float = 30.0) -> None:
    """Poll POST /v1/responses until it answers 200 (bounded in time)."""
    assert server.proc is not None
    deadline = time.monotonic() + timeout_s
    last_error = "no answer"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.proc.poll() is not None:
                raise RuntimeError(
                    f"{server.name} exited with {server.proc.returncode} before answering:\n"
                    f"{log_tail(server)}"
                )
            try:
                resp = client.post(
                    server.url, json=NON_STREAM_BODY, headers={"Authorization": AUTH}
                )
                if resp.status_code == 200:
                    return
                last_error = f"HTTP {resp.status_code}: {resp.text[:200]}"
            except httpx.HTTPError as exc:
                last_error = repr(exc)
            time.sleep(0.1)
    raise RuntimeError(
        f"{server.name} did not answer within {timeout_s:.0f}s ({last_error}):\n{log_tail(server)}"
    )


def stop_server(server: Server, timeout_s: float = 10.0) -> None:
    """SIGTERM (uvicorn's graceful shutdown), then SIGKILL to its own group if it hangs."""
    proc = server.proc
    if proc is None:
        return
    if proc.poll() is not None:
        server.stopped_by = "had already exited"
    else:
        proc.send_signal(signal.SIGTERM)
        server.stopped_by = "SIGTERM (graceful)"
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group we created for it
            server.stopped_by = f"SIGKILL after {timeout_s:.0f}s without exiting on SIGTERM"
            proc.wait(timeout=timeout_s)
    server.exit_code = proc.returncode


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[None]:
    try:
        yield
    finally:
        for server in servers:
            stop_server(server)


# --------------------------------------------------------------------------- capture


def capture(server: Server, capture_dir: Path) -> dict[str, Any]:
    """Fetch one JSON answer and one SSE stream from ``server`` and store them."""
    headers = {"Authorization": AUTH}
    with httpx.Client(timeout=10.0) as client:
        resp = client.post(server.url, json=NON_STREAM_BODY, headers=headers)
        if resp.status_code != 200:
            raise RuntimeError(f"non-stream create: HTTP {resp.status_code}: {resp.text[:300]}")
        json_body = resp.content
        json_headers = dict(resp.headers)
        json.loads(json_body)  # must be JSON
        with client.stream("POST", server.url, json=STREAM_BODY, headers=headers) as sresp:
            if sresp.status_code != 200:
                sresp.read()
                raise RuntimeError(f"stream create: HTTP {sresp.status_code}: {sresp.text[:300]}")
            sse = b"".join(sresp.iter_raw())
            stream_headers = dict(sresp.headers)
    frames = [f for f in sse.split(b"\n\n") if f.strip()]
    event_names = [
        line[len(b"event:") :].strip().decode()
        for frame in frames
        for line in frame.split(b"\n")
        if line.startswith(b"event:")
    ]
    if not frames or b"response.completed" not in frames[-1]:
        print("warning: the captured stream does not end with response.completed", file=sys.stderr)
    if not stream_headers.get("content-type", "").startswith("text/event-stream"):
        print("warning: the stream's content-type is not text/event-stream", file=sys.stderr)
    capture_dir.mkdir(parents=True, exist_ok=True)
    (capture_dir / "response.json").write_bytes(json_body)
    (capture_dir / "stream.sse").write_bytes(sse)
    (capture_dir / "headers.json").write_text(
        json.dumps({"json": json_headers, "stream": stream_headers}, indent=2)
    )
    return {
        "json_bytes": len(json_body),
        "sse_bytes": len(sse),
        "sse_events": len(frames),
        "sse_event_types": event_names,
        "json_headers": json_headers,
        "stream_headers": stream_headers,
    }


def check_baseline_matches(baseline: Server, capture_dir: Path) -> None:
    """The baseline must send exactly the captured bytes."""
    headers = {"Authorization": AUTH}
    with httpx.Client(timeout=10.0) as client:
        body = client.post(baseline.url, json=NON_STREAM_BODY, headers=headers).content
        with client.stream("POST", baseline.url, json=STREAM_BODY, headers=headers) as sresp:
            sse = b"".join(sresp.iter_raw())
    if body != (capture_dir / "response.json").read_bytes():
        raise RuntimeError("baseline JSON body differs from the captured one")
    if sse != (capture_dir / "stream.sse").read_bytes():
        raise RuntimeError("baseline SSE stream differs from the captured one")


# --------------------------------------------------------------------------- measuring


def warm_up(wrk: str, servers: list[Server], bodies: dict[bool, Path], seconds: int) -> None:
    """Short wrk runs at c=32, both servers at once (results discarded)."""
    for stream in (False, True):
        procs = [
            loadgen.start_wrk(wrk, s.url, bodies[stream], connections=32, duration_s=seconds)
            for s in servers
        ]
        for proc in procs:
            loadgen.finish_wrk(proc, 32, seconds)


def alternating(ours: Server, baseline: Server, round_index: int) -> tuple[Server, Server]:
    """ABBA order: ours first in even rounds, the baseline first in odd ones."""
    return (ours, baseline) if round_index % 2 == 0 else (baseline, ours)


def probe_once(
    wrk: str, server: Server, body_file: Path, concurrency: int, seconds: float, max_requests: int
) -> tuple[ttfe_probe.ProbeResult, loadgen.WrkResult | None]:
    """One TTFE round: the probe alone (c=1), or the probe + (c-1) wrk streams."""
    body = body_file.read_bytes()
    if concurrency <= 1:
        result = ttfe_probe.probe(
            server.url, body, max_requests=max_requests, max_seconds=seconds, auth=AUTH
        )
        return result, None
    wrk_seconds = max(1, round(seconds))
    background = loadgen.start_wrk(wrk, server.url, body_file, concurrency - 1, wrk_seconds)
    try:
        time.sleep(0.3)  # let wrk open its connections and get going
        result = ttfe_probe.probe(
            server.url,
            body,
            max_requests=max_requests,
            max_seconds=max(0.2, wrk_seconds - 0.5),  # stop before wrk does
            auth=AUTH,
        )
    finally:
        load = loadgen.finish_wrk(background, concurrency - 1, wrk_seconds)
    return result, load


def ratio(ours: float | None, base: float | None) -> float | None:
    if ours is None or base is None or base == 0:
        return None
    return ours / base


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def combine_wrk(rounds: list[loadgen.WrkResult]) -> dict[str, Any]:
    """Pool the rounds: req/s over the summed time; latency percentiles as the median round."""
    requests = sum(r.requests for r in rounds)
    duration = sum(r.duration_s for r in rounds)
    return {
        "rounds": len(rounds),
        "requests": requests,
        "duration_s": round(duration, 3),
        "requests_per_s": requests / duration if duration else 0.0,
        "latency_p50_ms": median([r.latency_p50_ms for r in rounds]),
        "latency_p90_ms": median([r.latency_p90_ms for r in rounds]),
        "latency_p99_ms": median([r.latency_p99_ms for r in rounds]),
        "latency_max_ms": max(r.latency_max_ms for r in rounds),
        "errors": sum(r.errors for r in rounds),
        "per_round": [r.to_dict() for r in rounds],
    }


def measure_scenario(
    wrk: str, sc: Scenario, ours: Server, baseline: Server, body: Path, settings: Settings
) -> dict[str, Any]:
    """wrk (and for streams the TTFE probe) against both servers, rounds interleaved."""
    runs: dict[str, list[loadgen.WrkResult]] = {"ours": [], "baseline": []}
    rounds = max(1, min(settings.rounds, settings.duration_s))
    per_round = max(1, settings.duration_s // rounds)
    print(f"  {sc.name:<16} wrk, {rounds} x {per_round}s per server ...", flush=True)
    for i in range(rounds):
        for server in alternating(ours, baseline, i):
            runs[server.name].append(
                loadgen.run_wrk(wrk, server.url, body, sc.concurrency, per_round)
            )
    entry: dict[str, Any] = {"name": sc.name, "stream": sc.stream, "concurrency": sc.concurrency}
    for name in ("ours", "baseline"):
        entry[name] = {"wrk": combine_wrk(runs[name])}
    rps_ratios = [
        o.requests_per_s / b.requests_per_s
        for o, b in zip(runs["ours"], runs["baseline"], strict=True)
        if b.requests_per_s
    ]
    o_w, b_w = entry["ours"]["wrk"], entry["baseline"]["wrk"]
    ratios: dict[str, Any] = {
        "requests_per_s": ratio(o_w["requests_per_s"], b_w["requests_per_s"]),
        "requests_per_s_round_min": min(rps_ratios) if rps_ratios else None,
        "requests_per_s_round_max": max(rps_ratios) if rps_ratios else None,
        "latency_p50": ratio(o_w["latency_p50_ms"], b_w["latency_p50_ms"]),
        "latency_p99": ratio(o_w["latency_p99_ms"], b_w["latency_p99_ms"]),
    }
    if sc.stream:
        seconds = settings.ttfe_c1_seconds if sc.concurrency <= 1 else settings.ttfe_c32_seconds
        probes = {"ours": ttfe_probe.ProbeResult(), "baseline": ttfe_probe.ProbeResult()}
        loads: dict[str, list[dict[str, object]]] = {"ours": [], "baseline": []}
        print(
            f"  {sc.name:<16} TTFE probe, {settings.ttfe_rounds} x {seconds:g}s per server ...",
            flush=True,
        )
        for i in range(settings.ttfe_rounds):
            for server in alternating(ours, baseline, i):
                result, load = probe_once(
                    wrk, server, body, sc.concurrency, seconds, settings.ttfe_max_requests
                )
                probes[server.name].extend(result)
                if load is not None:
                    loads[server.name].append(load.to_dict())
        method = "httpx probe on 1 connection"
        if sc.concurrency > 1:
            method += f", while wrk keeps {sc.concurrency - 1} other streams in flight"
        for name in ("ours", "baseline"):
            entry[name]["ttfe"] = {"method": method, **probes[name].summary()}
            if loads[name]:
                entry[name]["ttfe"]["background_wrk"] = loads[name]
        ratios["ttfe_p50"] = ratio(
            entry["ours"]["ttfe"]["ttfe_p50_ms"], entry["baseline"]["ttfe"]["ttfe_p50_ms"]
        )
        ratios["ttfe_p99"] = ratio(
            entry["ours"]["ttfe"]["ttfe_p99_ms"], entry["baseline"]["ttfe"]["ttfe_p99_ms"]
        )
    entry["ratio_ours_over_baseline"] = ratios
    return entry


def run_scenarios(
    wrk: str, ours: Server, baseline: Server, bodies: dict[bool, Path], settings: Settings
) -> list[dict[str, Any]]:
    return [
        measure_scenario(wrk, sc, ours, baseline, bodies[sc.stream], settings) for sc in SCENARIOS
    ]


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def render_table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'scenario':<16} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'TTFE p50':>9} {'TTFE p99':>9} {'TTFE n':>7} {'errors':>7}"
    )
    lines = [head, "-" * len(head)]
    for entry in results:
        for name in ("ours", "baseline"):
            w = entry[name]["wrk"]
            t = entry[name].get("ttfe", {})
            errors = w["errors"] + t.get("errors", 0) + t.get("incomplete_streams", 0)
            lines.append(
                f"{entry['name'] if name == 'ours' else '':<16} {name:<9} "
                f"{w['requests_per_s']:>9.1f} {w['latency_p50_ms']:>8.2f} "
                f"{w['latency_p99_ms']:>8.2f} {_fmt(t.get('ttfe_p50_ms')):>9} "
                f"{_fmt(t.get('ttfe_p99_ms')):>9} {t.get('samples', '-'):>7} {errors:>7d}"
            )
        r = entry["ratio_ours_over_baseline"]
        spread = ""
        if r["requests_per_s_round_min"] is not None and entry["ours"]["wrk"]["rounds"] > 1:
            spread = (
                f"  req/s ratio per round: {r['requests_per_s_round_min']:.2f}"
                f"-{r['requests_per_s_round_max']:.2f}"
            )
        lines.append(
            f"{'':<16} {'ours/base':<9} {_fmt(r['requests_per_s'], 'x'):>9} "
            f"{_fmt(r['latency_p50'], 'x'):>8} {_fmt(r['latency_p99'], 'x'):>8} "
            f"{_fmt(r.get('ttfe_p50'), 'x'):>9} {_fmt(r.get('ttfe_p99'), 'x'):>9}{'':>8}{spread}"
        )
        lines.append("")
    return "\n".join(lines)


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("uvicorn", "starlette", "httpx", "orjson", "uvloop", "httptools"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_commit() -> str | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        description="Benchmark our mock server against a bare Starlette baseline (uses wrk)."
    )
    parser.add_argument(
        "--duration",
        type=int,
        default=None,
        help="wrk seconds per server per scenario (default 8; 2 with --quick)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="split each wrk measurement into this many rounds, alternating ours and "
        "the baseline (default 4; 2 with --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="short run, under ~30 s in all")
    parser.add_argument(
        "--ours-cmd",
        default=DEFAULT_OURS_CMD,
        help="command that starts 'our' server; placeholders {python} {host} {port} "
        f"{{baseline}} (default: {DEFAULT_OURS_CMD!r})",
    )
    parser.add_argument(
        "--extra-body",
        type=json.loads,
        default={},
        metavar="JSON",
        help="fields merged into both request bodies, e.g. '{\"store\": false}' (default none)",
    )
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="do not pin the servers to CPU 0 and the load generator to the other CPUs",
    )
    parser.add_argument(
        "--results-dir", type=Path, default=HERE / "results", help="where the JSON goes"
    )
    args = parser.parse_args(argv)
    duration = args.duration if args.duration is not None else (2 if args.quick else 8)
    if duration < 1 or duration > 120:
        parser.error("--duration must be between 1 and 120 seconds")
    rounds = args.rounds if args.rounds is not None else (2 if args.quick else 4)
    if rounds < 1 or rounds > 20:
        parser.error("--rounds must be between 1 and 20")
    return Settings(
        duration_s=duration,
        rounds=rounds,
        warmup_s=1,
        ttfe_rounds=1 if args.quick else 2,
        ttfe_c1_seconds=1.0 if args.quick else 1.5,
        ttfe_c32_seconds=2.0 if args.quick else 4.0,
        ttfe_max_requests=5000,
        pin=not args.no_pin and (os.cpu_count() or 1) >= 2,
        quick=args.quick,
        ours_cmd=args.ours_cmd,
        results_dir=args.results_dir,
        extra_body=args.extra_body,
    )


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1


def _main(argv: list[str] | None) -> int:
    settings = parse_args(argv)
    if not isinstance(settings.extra_body, dict):
        print("--extra-body must be a JSON object", file=sys.stderr)
        return 2
    NON_STREAM_BODY.update(settings.extra_body)
    STREAM_BODY.update({**settings.extra_body, "stream": True})
    wrk = loadgen.check_wrk()
    if wrk is None:
        return 2
    started = time.monotonic()
    started_at = dt.datetime.now(dt.UTC)
    if settings.pin:
        others = (os.sched_getaffinity(0) - {SERVER_CPU}) or {SERVER_CPU}
        os.sched_setaffinity(0, others)  # wrk and the probe inherit this

    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as tmp_name:
        tmp = Path(tmp_name)
        capture_dir = tmp / "capture"
        bodies = {False: tmp / "body.json", True: tmp / "body-stream.json"}
        bodies[False].write_text(json.dumps(NON_STREAM_BODY))
        bodies[True].write_text(json.dumps(STREAM_BODY))
        fields = {
            "python": shlex.quote(sys.executable),
            "host": HOST,
            "baseline": shlex.quote(str(HERE / "baseline_app.py")),
            "capture": shlex.quote(str(capture_dir)),
        }
        ours = Server(
            "ours",
            shlex.split(settings.ours_cmd.format(**fields, port=(p := free_port()))),
            p,
            tmp / "ours.log",
        )
        baseline = Server(
            "baseline",
            shlex.split(BASELINE_CMD.format(**fields, port=(q := free_port()))),
            q,
            tmp / "baseline.log",
        )
        with running([ours, baseline]):
            print(f"starting ours: {shlex.join(ours.cmd)}", flush=True)
            start_server(ours, settings.pin)
            wait_ready(ours)
            cap = capture(ours, capture_dir)
            print(
                f"captured from ours: JSON {cap['json_bytes']} B, "
                f"SSE {cap['sse_bytes']} B in {cap['sse_events']} events",
                flush=True,
            )
            print(f"starting baseline: {shlex.join(baseline.cmd)}", flush=True)
            start_server(baseline, settings.pin)
            wait_ready(baseline)
            check_baseline_matches(baseline, capture_dir)
            print(f"warming up ({2 * settings.warmup_s}s) ...", flush=True)
            warm_up(wrk, [ours, baseline], bodies, settings.warmup_s)
            results = run_scenarios(wrk, ours, baseline, bodies, settings)
        server_logs = {s.name: log_tail(s, 20) for s in (ours, baseline)}
        settings.results_dir.mkdir(parents=True, exist_ok=True)
        stem = f"bench-{started_at.strftime('%Y%m%dT%H%M%SZ')}"
        kept_capture = settings.results_dir / f"{stem}.capture"
        shutil.copytree(capture_dir, kept_capture, dirs_exist_ok=True)

    elapsed = time.monotonic() - started
    table = render_table(results)
    print()
    print(table)
    aim_ratio = next(
        e["ratio_ours_over_baseline"]["requests_per_s"]
        for e in results
        if e["name"] == "non-stream c=32"
    )
    aim_met = aim_ratio is not None and aim_ratio >= AIM_RATIO
    print(
        f"aim (informational, not asserted): non-stream c=32 req/s ratio >= {AIM_RATIO:.2f}: "
        f"{_fmt(aim_ratio, 'x')} -> {'met' if aim_met else 'NOT met'}"
    )
    print(
        "latency = whole response (last byte) as timed by wrk; TTFE = time to the first "
        "complete SSE frame, timed by the httpx probe (c=32: probe + 31 wrk streams)."
    )
    for s in (ours, baseline):
        print(f"{s.name} stopped: {s.stopped_by}, exit code {s.exit_code}")
    print(f"servers pinned to CPU {SERVER_CPU}: {settings.pin}; total {elapsed:.1f}s")

    report = {
        "schema": 1,
        "started_at": started_at.isoformat(),
        "elapsed_s": round(elapsed, 2),
        "settings": {
            "duration_s": settings.duration_s,
            "rounds": settings.rounds,
            "warmup_s": settings.warmup_s,
            "ttfe_rounds": settings.ttfe_rounds,
            "ttfe_c1_seconds": settings.ttfe_c1_seconds,
            "ttfe_c32_seconds": settings.ttfe_c32_seconds,
            "quick": settings.quick,
            "pinned": settings.pin,
            "request_bodies": {"non_stream": NON_STREAM_BODY, "stream": STREAM_BODY},
        },
        "environment": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "wrk": loadgen.wrk_version(wrk),
            "packages": versions(),
            "git_commit": git_commit(),
        },
        "commands": {"ours": ours.cmd, "baseline": baseline.cmd},
        "stopped": {
            s.name: {"by": s.stopped_by, "exit_code": s.exit_code} for s in (ours, baseline)
        },
        "server_log_tails": server_logs,
        "capture": {**cap, "kept_in": str(kept_capture)},
        "scenarios": results,
        "aim": {
            "description": "non-stream create c=32: ours req/s >= 0.6 x baseline req/s",
            "ratio": aim_ratio,
            "met": aim_met,
        },
    }
    out = settings.results_dir / f"{stem}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results written to {out} (captured bytes in {kept_capture.name}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
