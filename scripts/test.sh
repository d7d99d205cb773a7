#!/usr/bin/env bash
# Set up Kano with its test tools and run every check: ruff, mypy, the whole pytest suite
# (SQLite and PostgreSQL at 127.0.0.1:5432/test, Chromium browser tests).
# Extra arguments go to pytest (e.g. -k nps, or tests/unit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$PWD/.venv/bin:$PATH"
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
echo "==> ruff"
ruff check src tests bench
echo "==> mypy (domain packages)"
mypy
echo "==> pytest"
# Two processes (pytest-xdist), each its own databases (tests/databases.py names them per
# worker): one pytest process keeps about one core busy with its PostgreSQL backends, and
# on a 2-core machine as slow as some CI hosts the serial suite took over 100 minutes.
# A test file stays on one worker (its module fixtures are built once).
# --durations: the slowest tests, to keep the whole run well inside the CI time limit.
exec python -m pytest -n 2 --dist loadfile --durations=40 "$@"
