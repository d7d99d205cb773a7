"""Start-up must not import the scientific stack: every ``kano serve`` worker, ``kano demo``
and every CLI command pays for what building the app or the CLI imports, and scipy,
statsmodels and sklearn alone were about 4 s of a 10 s ``create_app`` on a slow 2-core
machine (bench/RESULTS.md, "Start-up, session 11"); pandas and openpyxl added about 1 s
more, and the metric engine's Ibis, sqlglot, pyarrow and numpy more again ("Start-up,
session 12"). They are imported by the request or command that uses them; these tests
fail as soon as a module-level import pulls one back in.

Each check runs in a fresh interpreter: the test process itself has long since imported
everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: Loaded only by the analyses that need them (linkage, journeys, value, intervals).
HEAVY = ("scipy", "statsmodels", "sklearn", "pingouin", "lifetimes", "pyspark")
#: Loaded only by the warehouse loader, a query on the warehouse (the metric compiler and
#: the star schema: Ibis, sqlglot, pyarrow), the analyses (numpy) and the XLSX exports.
#: ``kano.metrics`` names its public objects lazily; a module that only names a metric,
#: a row or the warehouse errors imports ``definitions``, ``request``, ``warehouse_errors``.
APP_DEFERS = ("pandas", "duckdb", "openpyxl", "ibis", "sqlglot", "pyarrow", "numpy")
#: Besides, the CLI's own start-up (``kano --help``) needs no data stack at all.
DATA_STACK = ("ibis", "duckdb", "pandas", "pyarrow", "numpy")

_REPORT = """
import json, sys
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


def _loaded_after(code: str, cwd: Path) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", code + _REPORT],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return set(loaded)


def test_building_the_app_imports_no_scientific_library(tmp_path: Path) -> None:
    loaded = _loaded_after(
        "from kano.app import create_app\n"
        "from kano.config import Settings\n"
        f"app = create_app(Settings(database_url='sqlite:///{tmp_path / 'kano.db'}', "
        f"warehouse_url='duckdb:///{tmp_path / 'kano.duckdb'}'))\n"
        "assert app.router.routes\n",
        tmp_path,
    )
    assert "fastapi" in loaded  # the app was really built
    assert sorted(loaded.intersection(HEAVY + APP_DEFERS)) == []


def test_cli_help_imports_no_data_library(tmp_path: Path) -> None:
    loaded = _loaded_after(
        "import sys\n"
        "from kano.adapters.cli.main import run\n"
        "sys.argv = ['kano', '--help']\n"
        "try:\n"
        "    run()\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n",
        tmp_path,
    )
    assert "typer" in loaded or "click" in loaded  # the help was really produced
    assert sorted(loaded.intersection(HEAVY + DATA_STACK)) == []
