#!/usr/bin/env bash
# Set up Kano and run the demo company on the embedded default (SQLite + DuckDB).
# Extra arguments go to `kano demo` (e.g. --host 0.0.0.0 --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/kano demo "$@"
