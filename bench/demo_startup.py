"""Seconds from `kano demo` in an empty folder to the first served page (goal: < 60 s).

Run: `.venv/bin/python bench/demo_startup.py [--runs 3]`. Each run starts `kano demo` in a
fresh temporary folder (so it generates, migrates and loads from nothing, as after a fresh
clone), polls the login page until it answers 200, then stops the server. The baseline,
measured the same way, is `kano serve` on an empty database: what is left is the demo's
own cost (generate + migrate + load).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

KANO = [sys.executable, "-m", "kano"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seconds_to_first_page(command: list[str], folder: Path) -> float:
    port = _free_port()
    env = {
        **os.environ,
        "KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
        "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [*command, "--port", str(port)], cwd=folder, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 300:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as page:
                    if page.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("no page after 300 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    demo, serve = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            demo.append(seconds_to_first_page([*KANO, "demo"], Path(folder)))
        with tempfile.TemporaryDirectory() as folder:
            serve.append(seconds_to_first_page([*KANO, "serve"], Path(folder)))
    print(f"kano demo  -> first page: median {statistics.median(demo):.2f} s  (runs {demo})")
    print(f"kano serve -> first page: median {statistics.median(serve):.2f} s  (baseline)")
    print(f"goal 60 s / demo: {60 / statistics.median(demo):.1f}x headroom")
    print(f"ratio demo/serve: {statistics.median(demo) / statistics.median(serve):.2f}")


if __name__ == "__main__":
    main()
