"""How our server scales: cost of a create deep in a history, memory per stored response, and
cold start. Side by side with the same server's own figures in the same run, reported as ratios.

Usage::

    .venv/bin/python benchmarks/scaling.py [--turns 400] [--depths 10,100] [--samples 40]
                                           [--stores memory,sqlite,redis] [--responses 50000]
                                           [--skip history,memory,cold]

* **history**: builds a ``previous_response_id`` chain of ``--turns`` turns and a conversation
  per depth (``--depths`` and ``--turns``: 10, 100 and 400 turns), then times creates at each
  depth, interleaved (ABC CBA ...), on one keep-alive connection. A chain create branches off
  the turn's response (the chain itself stays as long); a conversation create appends, so the
  conversations grow by ``--samples`` turns while measured. Reports the median and p90 latency
  per depth and the ratio deepest / shallowest, once per store backend in ``--stores``.
* **memory**: the server's RSS (``/proc/<pid>/status`` VmRSS) before and after
  ``--responses`` stored non-streamed creates (wrk, c=8, after a warm-up that fills the bounded
  request journal), and the growth per response.
* **cold**: spawn ``python -m mockserver serve`` and poll a fresh connection every 5 ms until a
  create answers 200; the time from spawn to that answer, best and median of ``--cold-runs``,
  and the CPU time the server used until then; the same for the bare baseline app
  (``baseline_app.py --sample``), and the ratios. ``mockserver/`` is byte-compiled first, as
  ``pip install`` leaves it (``--no-compile``: not).

Servers are pinned to CPU 0 and the clients to the others (as in ``run.py``). Nothing here
asserts on timings; the run writes ``benchmarks/results/scaling-<stamp>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import run  # noqa: E402

HOST = run.HOST
HEADERS = {"Authorization": run.AUTH, "Content-Type": "application/json"}


DEFAULT_SERVE_CMD = "{python} -m mockserver serve --host {host} --port {port}"
# Cold start is put next to the bare baseline's (uvicorn + Starlette + orjson, nothing else).
BASELINE_SERVE_CMD = "{python} benchmarks/baseline_app.py --host {host} --port {port} --sample"


def _serve_cmd(template: str, port: int, store: str = "memory://") -> list[str]:
    """The command; ``--store URL`` appended unless the template places ``{store}`` itself (as a
    ``sh -c '...'`` template must) or the store is the default."""
    cmd = template.format(python=sys.executable, host=HOST, port=port, store=shlex.quote(store))
    extra = ["--store", store] if "{store}" not in template and store != "memory://" else []
    return [*shlex.split(cmd), *extra]


class Client:
    """One keep-alive HTTP/1.1 connection (stdlib: little client overhead per request)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def post(self, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
        data = json.dumps(body).encode()
        started = time.perf_counter()
        self.conn.request("POST", path, data, HEADERS)
        resp = self.conn.getresponse()
        raw = resp.read()
        elapsed = time.perf_counter() - started
        if resp.status != 200:
            raise RuntimeError(f"POST {path}: HTTP {resp.status}: {raw[:300]!r}")
        return json.loads(raw), elapsed


def _turn_body(turn: int, **fields: Any) -> dict[str, Any]:
    text = f"Turn {turn}: please summarise what we said so far and suggest the next step."
    return {"model": run.MODEL, "input": text, **fields}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _summary(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "p50_ms": round(run.median(samples) * 1000, 3),
        "p90_ms": round(_pct(samples, 0.9) * 1000, 3),
    }


def measure_history(port: int, depths: list[int], samples: int) -> dict[str, Any]:
    client = Client(port)
    shallow_at, turns = depths[0], depths[-1]
    # A chain: r1 <- r2 <- ... <- r_turns.
    chain: dict[int, str] = {}
    previous: str | None = None
    for turn in range(1, turns + 1):
        fields = {"previous_response_id": previous} if previous else {}
        body, _ = client.post("/v1/responses", _turn_body(turn, **fields))
        previous = chain[turn] = body["id"]
    # One conversation per depth.
    conversations = {}
    for depth in depths:
        conv, _ = client.post("/v1/conversations", {})
        for turn in range(1, depth + 1):
            client.post("/v1/responses", _turn_body(turn, conversation=conv["id"]))
        conversations[depth] = conv["id"]
    timings: dict[str, dict[int, list[float]]] = {
        "chain": {depth: [] for depth in depths},
        "conversation": {depth: [] for depth in depths},
    }
    for i in range(samples):
        order = depths if i % 2 == 0 else depths[::-1]
        for depth in order:
            body = _turn_body(depth + 1, previous_response_id=chain[depth])
            timings["chain"][depth].append(client.post("/v1/responses", body)[1])
            body = _turn_body(depth + 1, conversation=conversations[depth])
            timings["conversation"][depth].append(client.post("/v1/responses", body)[1])
    out: dict[str, Any] = {"turns": turns, "samples": samples, "shallow_turn": shallow_at}
    for kind, by_depth in timings.items():
        summaries = {depth: _summary(by_depth[depth]) for depth in depths}
        shallow = summaries[shallow_at]
        out[kind] = {f"turn_{depth}": summary for depth, summary in summaries.items()}
        out[kind]["ratio_p50"] = round(summaries[turns]["p50_ms"] / shallow["p50_ms"], 3)
        for depth in depths[1:-1]:
            ratio = round(summaries[depth]["p50_ms"] / shallow["p50_ms"], 3)
            out[kind][f"ratio_p50_turn_{depth}"] = ratio
    return out


@contextmanager
def store_url(kind: str, directory: Path) -> Iterator[str]:
    """A ``--store`` URL of the kind named (Redis: a real redis-server on a free port)."""
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        yield f"sqlite:///{directory / f'history-{time.monotonic_ns()}.db'}"
    elif kind == "redis":
        sys.path.insert(0, str(HERE.parent / "tests"))
        from redis_server import running_redis

        with running_redis() as url:
            yield url
    else:
        raise SystemExit(f"--stores: unknown store {kind!r}; choose from memory, sqlite, redis")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/<pid>/status")


def measure_memory(wrk: str, server: run.Server, responses: int) -> dict[str, Any]:
    assert server.proc is not None
    with tempfile.TemporaryDirectory() as tmp:
        body_file = Path(tmp) / "body.json"
        body_file.write_text(json.dumps(run.NON_STREAM_BODY))
        # Warm-up: fills the request journal (bounded at 1000 exchanges) and the allocator.
        warm = loadgen.run_wrk(wrk, server.url, body_file, connections=8, duration_s=2)
        time.sleep(0.5)
        before = rss_kib(server.proc.pid)
        stored = 0
        rounds = 0
        while stored < responses and rounds < 200:
            result = loadgen.run_wrk(wrk, server.url, body_file, connections=8, duration_s=3)
            stored += result.requests
            rounds += 1
        time.sleep(0.5)
        after = rss_kib(server.proc.pid)
    per = (after - before) * 1024 / stored if stored else 0.0
    return {
        "warmup_requests": warm.requests,
        "stored_responses": stored,
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "bytes_per_response": round(per),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compile_bytecode() -> None:
    """Byte-compile the package, as ``pip install`` does: an editable checkout run with
    ``PYTHONDONTWRITEBYTECODE=1`` would otherwise compile every module from source on every
    start, while the baseline's packages (uvicorn, Starlette) come compiled."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(run.REPO / "mockserver")], check=True
    )


def measure_cold_start(template: str, runs: int, pin: bool) -> dict[str, Any]:
    body = json.dumps(run.NON_STREAM_BODY).encode()
    times = []
    cpu = []
    for _ in range(runs):
        port = run.free_port()
        started = time.perf_counter()
        proc = subprocess.Popen(
            _serve_cmd(template, port),
            cwd=run.REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=run._pin_to({run.SERVER_CPU}) if pin else None,
        )
        try:
            deadline = started + 30
            while time.perf_counter() < deadline:
                try:
                    conn = http.client.HTTPConnection(HOST, port, timeout=2)
                    conn.request("POST", run.PATH, body, HEADERS)
                    if conn.getresponse().status == 200:
                        times.append(time.perf_counter() - started)
                        cpu.append(cpu_seconds(proc.pid))
                        break
                except OSError:
                    time.sleep(0.005)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return {
        "runs": runs,
        "best_s": round(min(times), 3) if times else None,
        "median_s": round(run.median(times), 3) if times else None,
        "all_s": [round(t, 3) for t in times],
        # CPU the server process used up to its first 200: less sensitive than the wall time
        # to other load on a shared machine (it leaves out time spent waiting for a CPU).
        "cpu_median_s": round(run.median(cpu), 3) if cpu else None,
    }


def _history_table(history: dict[str, Any], depths: list[int]) -> str:
    head = " | ".join(f"turn {d} p50 ms" for d in depths)
    lines = [f"| store | kind | {head} | turn {depths[-1]} / turn {depths[0]} |"]
    lines.append("|---" * (len(depths) + 3) + "|")
    for store, found in history.items():
        for kind in ("chain", "conversation"):
            cells = " | ".join(str(found[kind][f"turn_{d}"]["p50_ms"]) for d in depths)
            lines.append(f"| {store} | {kind} | {cells} | {found[kind]['ratio_p50']}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument(
        "--depths",
        default="10,100",
        help="comma-separated turns, besides --turns, at which history creates are timed "
        "(the first is the one ratios are taken against)",
    )
    parser.add_argument(
        "--stores",
        default="memory",
        help="comma-separated --store kinds the history scenario runs on: memory, sqlite, redis "
        "(redis starts a real redis-server on a free loopback port)",
    )
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--skip", default="", help="comma-separated: history,memory,cold")
    parser.add_argument(
        "--serve-cmd",
        default=DEFAULT_SERVE_CMD,
        help="how to start the server; placeholders {python} {host} {port} (e.g. to measure "
        "another checkout: 'sh -c \"cd ../old && exec {python} -m mockserver serve "
        "--host {host} --port {port}\"')",
    )
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument(
        "--no-compile",
        action="store_true",
        help="cold start: do not byte-compile mockserver/ first (measures compiling from source "
        "too, as an editable checkout does with PYTHONDONTWRITEBYTECODE=1)",
    )
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    if pin:
        os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)))
    wrk = loadgen.check_wrk() if "memory" not in skip else None
    if wrk is None and "memory" not in skip:
        return 2
    started_at = dt.datetime.now(dt.UTC)
    report: dict[str, Any] = {
        "started_at": started_at.isoformat(),
        "serve_cmd": args.serve_cmd,
        "load_before": os.getloadavg(),
    }
    depths = sorted({*(int(d) for d in args.depths.split(",") if d.strip()), args.turns})
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("history", kind) for kind in stores] if "history" not in skip else []
        if "memory" not in skip:
            runs.append(("memory", "memory"))
        for scenario, kind in runs:
            with store_url(kind, Path(tmp)) as url:
                port = run.free_port()
                cmd = _serve_cmd(args.serve_cmd, port, url)
                server = run.Server("ours", cmd, port, Path(tmp) / f"{scenario}-{kind}.log")
                with run.running([server]):
                    run.start_server(server, pin)
                    run.wait_ready(server)
                    print(f"{scenario}: server {shlex.join(server.cmd)}", flush=True)
                    if scenario == "history":
                        found = measure_history(port, depths, args.samples)
                        report.setdefault("history", {})[kind] = found
                    else:
                        assert wrk is not None
                        found = report["memory"] = measure_memory(wrk, server, args.responses)
            print(json.dumps(found, indent=2), flush=True)
        if "history" in report:
            print(_history_table(report["history"], depths), flush=True)
    if "cold" not in skip:
        if not args.no_compile:
            compile_bytecode()
        ours = measure_cold_start(args.serve_cmd, args.cold_runs, pin)
        bare = measure_cold_start(BASELINE_SERVE_CMD, args.cold_runs, pin)
        both = ours["median_s"] and bare["median_s"]
        ratio = round(ours["median_s"] / bare["median_s"], 2) if both else None
        both_cpu = ours["cpu_median_s"] and bare["cpu_median_s"]
        cpu_ratio = round(ours["cpu_median_s"] / bare["cpu_median_s"], 2) if both_cpu else None
        report["cold_start"] = {
            "ours": ours,
            "baseline": bare,
            "ratio_median": ratio,
            "ratio_cpu_median": cpu_ratio,
            "bytecode_compiled": not args.no_compile,
        }
        print("cold start:", json.dumps(report["cold_start"]), flush=True)
    report["load_after"] = os.getloadavg()
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"scaling-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"load average before/after: {report['load_before']} / {report['load_after']}")
    print(f"results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
