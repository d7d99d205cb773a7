"""The README's first command, verbatim, as a new user runs it: set up, build the demo, serve."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import httpx

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_demo_script_serves_the_demo_and_prints_url_and_login(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "KANO_DATABASE_URL": f"sqlite:///{tmp_path / 'kano.db'}",
        "KANO_DEMO_DATA_DIR": str(tmp_path / "demo-data"),
        "COLUMNS": "200",
    }
    log = tmp_path / "demo.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "demo.sh"), "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 240  # includes a no-op `pip install -e .` check
        answered = None
        while time.monotonic() < deadline and answered is None:
            assert server.poll() is None, log.read_text()
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            except httpx.TransportError:
                time.sleep(0.5)
        assert answered is not None and answered.status_code == 200, log.read_text()
        printed = log.read_text()
        assert f"http://127.0.0.1:{port}/" in printed
        assert "demo@kano.local" in printed
        # the comments are analysed and stored, as the worker does after a load
        assert re.search(r"Analysed [\d,]+ comments in", printed), printed
        login = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/customers", timeout=5
        )  # the API is up too (and refuses anonymous calls)
        assert login.status_code in {401, 405}
    finally:
        server.terminate()
        server.wait(timeout=30)
