#!/usr/bin/env bash
# Regenerate requirements/test.txt, the pinned test environment that .ci/run and the README's test
# command install from (`pip install -c requirements/test.txt -e ".[test]"`). It pins everything
# `pyproject.toml` asks for with the `test` extra, for every platform and Python >= 3.11 (uv's
# universal resolution), from PyPI.
#
#   requirements/lock.sh                          # after editing dependencies: keep the other pins
#   requirements/lock.sh --upgrade-package openai # take a new SDK on purpose (then `mockserver schemas`)
#   requirements/lock.sh --upgrade                # move every pin to the newest allowed release
#
# uv comes from PyPI into a private virtualenv (.venv-lock/, git-ignored); nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"
if [ ! -x .venv-lock/bin/uv ] || [ "$(.venv-lock/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  python3 -m venv .venv-lock
  .venv-lock/bin/pip install -q "uv==$UV_VERSION"
fi
# The machine's trust store, so a TLS-inspecting proxy that pip trusts is trusted by uv as well.
export UV_NATIVE_TLS=1
.venv-lock/bin/uv pip compile pyproject.toml --extra test \
  --universal --python-version 3.11 \
  --custom-compile-command "requirements/lock.sh" \
  --quiet --output-file requirements/test.txt "$@"
echo "wrote requirements/test.txt"
