"""Start ``mockserver serve`` as the README's first command does, send it one request, stop it.

Usage: ``python .ci/serve_smoke.py PATH/TO/mockserver`` (with the ``python`` of the same
virtualenv, whose ``openai`` SDK sends the request). Loopback only; bounded in time.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import openai

STARTUP_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(command: str) -> int:
    port = free_port()
    server = subprocess.Popen(
        [command, "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True
    )
    client = openai.OpenAI(
        base_url=f"http://127.0.0.1:{port}/v1", api_key="sk-smoke", max_retries=0, timeout=30
    )
    reply = None
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while reply is None and server.poll() is None and time.monotonic() < deadline:
            try:
                reply = client.responses.create(model="gpt-4o-mini", input="Are you there?")
            except openai.APIConnectionError:
                time.sleep(0.1)
    finally:
        server.terminate()
        try:
            _, log = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            _, log = server.communicate()
    print(log, end="")
    if reply is None or reply.status != "completed":
        print(f"serve_smoke: no answer on port {port}", file=sys.stderr)
        return 1
    print(f"serve_smoke: port {port} answered {reply.status}: {reply.output_text[:40]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
