#!/usr/bin/env bash
# Create .venv (if missing) and install Kano into it. Run by demo.sh and test.sh.
# Usage: bash scripts/setup.sh [extras]   e.g. "test"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
  echo "==> creating $ROOT/.venv"
  "$PYTHON" -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip
fi
extras="${1:-}"
target="$ROOT"
[ -n "$extras" ] && target="$ROOT[$extras]"
# Skip the (slow) resolver when pyproject.toml has not changed since the last install.
stamp="$ROOT/.venv/.kano-installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  echo "==> installing kano${extras:+[$extras]} into .venv"
  "$ROOT/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target"
  touch "$stamp"
fi
