"""First visit of each analysis page on a fresh ``kano serve``, warm-up off vs on.

Builds the demo (``kano demo --no-serve``, size S, SQLite + DuckDB) in a temporary folder,
then for each mode starts ``kano serve``, waits as a user would log in (until the warm-up
reports done, the same wait for both modes), logs in and times the first GET of every page
below, then a second round (warm: what later visits cost). Prints each page's times and
the ratio of the first-visit totals (off / on).

    .venv/bin/python bench/first_visits.py [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PAGES = ("/cx", "/journeys", "/linkage", "/drivers", "/text", "/value/rfm", "/value/matrix",
         "/value/profit", "/value/clv", "/value/churn", "/scorecard", "/pilots")  # fmt: skip
KANO = str(Path(sys.executable).parent / "kano")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def health(base: str) -> dict[str, str] | None:
    try:
        answer = httpx.get(base + "/healthz", timeout=2)
        return answer.json() if answer.status_code == 200 else None
    except httpx.TransportError:
        return None


def logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=300)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on /login"
    answer = client.post("/login", data={"email": "demo@kano.local", "password": "demo",
                                         "csrf_token": token.group(1), "next": "/"})  # fmt: skip
    assert answer.status_code == 200 and "/login" not in str(answer.url), answer.status_code
    return client


def visit_all(
    env: dict[str, str], folder: Path, warm_up: bool, wait: float | None,
    pages: tuple[str, ...] = PAGES,
) -> tuple[dict[str, list[float]], float]:
    """Per page its first and second visit seconds on a fresh server; and how long the wait
    before was (``None``: until the warm-up is done). ``bench/pages_cold.py`` uses it too."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run_env = {**env, "KANO_WARM_UP": "true" if warm_up else "false"}
    log = (folder / f"serve-{'on' if warm_up else 'off'}.log").open("wb")
    server = subprocess.Popen([KANO, "serve", "--no-access-log", "--port", str(port)],
                              cwd=folder, env=run_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while health(base) is None:
            time.sleep(0.05)
        listening = time.perf_counter()
        if wait is None:  # warm-up on: until it is done
            while (health(base) or {}).get("warm_up") != "done":
                time.sleep(0.05)
        else:
            time.sleep(wait)
        waited = time.perf_counter() - listening
        client = logged_in(base)
        times: dict[str, list[float]] = {page: [] for page in pages}
        for _ in range(2):
            for page in pages:
                started = time.perf_counter()
                answer = client.get(page)
                times[page].append(time.perf_counter() - started)
                assert answer.status_code == 200, (page, answer.status_code)
        return times, waited
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="off/on pairs to run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kano-first-visits-") as tmp:
        folder = Path(tmp)
        env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
        env.update({"KANO_DATABASE_URL": f"sqlite:///{folder / 'kano.db'}",
                    "KANO_DEMO_DATA_DIR": str(folder / "demo-data"),
                    "KANO_SECRET_KEY": "first-visits-bench-0123456789abcdef"})  # fmt: skip
        subprocess.run([KANO, "demo", "--no-serve"], cwd=folder, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        for round_ in range(1, args.rounds + 1):
            on, waited = visit_all(env, folder, True, None)
            off, _ = visit_all(env, folder, False, waited)
            print(f"round {round_}: warm-up done {waited:.1f} s after the server listened; "
                  "both servers waited that long before the log-in")  # fmt: skip
            print(f"{'page':16} {'off: 1st':>9} {'on: 1st':>9} {'off: 2nd':>9} {'on: 2nd':>9}")
            for page in PAGES:
                print(f"{page:16} {off[page][0]:9.2f} {on[page][0]:9.2f} "
                      f"{off[page][1]:9.2f} {on[page][1]:9.2f}")  # fmt: skip
            first_off = sum(t[0] for t in off.values())
            first_on = sum(t[0] for t in on.values())
            print(f"first visits of the {len(PAGES)} pages: off {first_off:.2f} s, "
                  f"on {first_on:.2f} s → {first_off / first_on:.2f}× faster with warm-up; "
                  f"slowest first visit off {max(t[0] for t in off.values()):.2f} s, "
                  f"on {max(t[0] for t in on.values()):.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
