"""First render of the API reference (/api/v1/docs) in headless Chromium: main-thread
script time and elements in the page, with api-reference.js as it was at a revision
(``--before``) and as it is in the working tree, the latter in English and in Russian.

Starts ``kano serve`` on a fresh, migrated SQLite database in a temporary folder (the page
shows the OpenAPI document, no data); the script under test is swapped in by Playwright's
request routing, so both versions run against the same server and bundle. A load counts
once every operation and the Schemas section are rendered.

    .venv/bin/python bench/api_reference_render.py --before 2a8aad4 [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "src/kano/adapters/web/static/js/api-reference.js"
KANO = str(Path(sys.executable).parent / "kano")
CHROMIUM = "/usr/bin/chromium"


def serve(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KANO_")}
    env.update({
        "KANO_DATABASE_URL": f"sqlite:///{folder / 'app.db'}",
        "KANO_WAREHOUSE_URL": f"duckdb:///{folder / 'warehouse.duckdb'}",
        "KANO_SECRET_KEY": "bench-api-reference-0123456789abcdef", "KANO_WARM_UP": "false",
    })  # fmt: skip
    subprocess.run([KANO, "db", "upgrade"], cwd=folder, env=env, check=True, capture_output=True)
    return subprocess.Popen([KANO, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git revision of the old script")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=18_631)
    args = parser.parse_args()
    before = subprocess.run(["git", "show", f"{args.before}:{SCRIPT}"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    after = (REPO / SCRIPT).read_text()
    cases = [("before, en", before, "en"), ("after, en", after, "en"), ("after, ru", after, "ru")]
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory(prefix="kano-bench-reference-") as folder:
        server = serve(Path(folder), args.port)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            results: dict[str, list[tuple[float, int, int]]] = {case[0]: [] for case in cases}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                for _ in range(args.runs):
                    for label, body, language in cases:
                        results[label].append(first_render(browser, base, body, language))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for label, rows in results.items():
        scripts = [row[0] for row in rows]
        print(f"{label:11} script median {statistics.median(scripts):.2f} s "
              f"(runs {', '.join(f'{s:.2f}' for s in scripts)}); elements "
              f"{sorted({row[1] for row in rows})}; schemas in the page "
              f"{sorted({row[2] for row in rows})}")  # fmt: skip


def first_render(browser: Browser, base: str, body: str, language: str) -> tuple[float, int, int]:
    context = browser.new_context(viewport={"width": 1360, "height": 860})
    page = context.new_page()
    page.route("**/static/js/api-reference.js",
               lambda route: route.fulfill(body=body, content_type="text/javascript"))  # fmt: skip
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(f"{base}/api/v1/docs?lang={language}")
    page.wait_for_selector(".models .json-schema-2020-12", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.opblock').length > 100", timeout=60_000)
    page.wait_for_timeout(300)
    metrics = {
        entry["name"]: entry["value"] for entry in cdp.send("Performance.getMetrics")["metrics"]
    }
    elements = page.evaluate("document.getElementsByTagName('*').length")
    schemas = page.evaluate(
        "document.querySelectorAll('.models article[data-json-schema-level=\"0\"]').length"
    )
    context.close()
    return metrics["ScriptDuration"], elements, schemas


if __name__ == "__main__":
    main()
