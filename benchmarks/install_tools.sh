#!/usr/bin/env sh
# Install the external load generator the benchmarks use (wrk, from Debian).
# Not needed by the test suite. Run as root, or it uses sudo when available.
set -eu
if command -v wrk >/dev/null 2>&1; then
    echo "wrk already installed: $(command -v wrk)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get not found: install wrk with your package manager (e.g. 'brew install wrk')." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
$SUDO apt-get install -y wrk
command -v wrk
