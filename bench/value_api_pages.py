"""``GET /api/v1/value/rfm`` (and matrix, CLV, churn) at scale: the old whole answer
against the paged one, in one process on one warehouse.

Run: `.venv/bin/python bench/value_api_pages.py --database kano_bench_… [--paths rfm matrix]
[--repeat 3]` on a database a `bench/pages_at_scale.py --keep` run left, read only (the
caller is put in place of the token check, so not even a token is written). The workspace
is loaded into a DuckDB warehouse in a temporary folder (timed), then each path is asked
through the API app in process (Starlette's test client, a read caller):

- ``old``: the handler as it was before paging (``git show BASE:…/routers/value.py`` and
  its schemas, mounted at ``/old/value``): every customer in one answer, computed on every
  request;
- ``first page``: ``limit=1000`` with nothing kept (the analysis computed, as after a load);
- ``next page``: a page from the middle, the analysis kept;
- ``walk``: every page at ``limit=1000``, the analysis kept — and the walked customers are
  checked to be exactly the old answer's, in customer id order.

Each line prints best and median ms and the median's ratio to ``old``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

BASE = "3bc1b6e"  # main before the paging
ROOT = Path(__file__).resolve().parent.parent


def _old_module(name: str, path: str, replace: tuple[str, str] | None = None) -> Any:
    source = subprocess.run(["git", "show", f"{BASE}:{path}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    if replace is not None:
        assert replace[0] in source
        source = source.replace(*replace)
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"{BASE}:{path}", "exec"), module.__dict__)
    return module


def old_router() -> Any:
    """The /value router as it was before paging (include it with a prefix)."""
    _old_module("old_value_schemas", "src/kano/adapters/api/schemas/value.py")
    module = _old_module(
        "old_value_router", "src/kano/adapters/api/routers/value.py",
        ("from kano.adapters.api.schemas.value import", "from old_value_schemas import"))
    return module.router


def timed(work: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    spent, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = work()
        spent.append(time.perf_counter() - started)
    return spent, answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--paths", nargs="*", default=["rfm", "matrix", "clv", "churn"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warehouse", help="a DuckDB file to load into, or reuse if it exists")
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from kano.adapters.api.app import create_api
    from kano.adapters.api.auth import Caller
    from kano.adapters.api.deps import authenticated_caller
    from kano.adapters.db import accounts
    from kano.adapters.db.engine import transaction
    from kano.adapters.db.orm import Customer
    from kano.adapters.warehouse import AppDatabaseSource, load_warehouse, open_store
    from kano.adapters.web.page_figures import PAGE_FIGURES
    from kano.bootstrap import build_container
    from kano.config import Settings
    from kano.domain.workspaces import Scope

    url = make_url(args.url).set(database=args.database).render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory(prefix="H2-value-api-") as folder:
        file = Path(args.warehouse or f"{folder}/kano.duckdb")
        reuse = file.exists()
        settings = Settings(database_url=url, warehouse_url=f"duckdb:///{file}",
                            secret_key="bench-secret-0123456789abcdef", warm_up=False)
        container = build_container(settings)
        with transaction(container.sessions) as session:
            workspace = accounts.get_workspace(session, "bench")
            customers = session.scalar(select(func.count()).select_from(Customer).where(
                Customer.workspace_id == workspace.id))
            workspace_id = workspace.id
        started = time.perf_counter()
        if not reuse:
            store = open_store(settings.resolved_warehouse_url())
            try:
                load_warehouse(store, AppDatabaseSource(container.engine), workspace_id)
            finally:
                store.close()
        print(f"{customers:,} customers; warehouse {'reused' if reuse else 'loaded'} in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        api = create_api(container)
        api.include_router(old_router(), prefix="/old")
        # A read caller of the workspace without a token row: the database stays as it is.
        caller = Caller(token=SimpleNamespace(prefix="bench"),  # type: ignore[arg-type]
                        workspace=SimpleNamespace(id=workspace_id),  # type: ignore[arg-type]
                        scopes=frozenset({Scope.READ}))  # fmt: skip
        api.dependency_overrides[authenticated_caller] = lambda: caller
        client = TestClient(api, base_url="http://127.0.0.1")
        for name in args.paths:
            compare(client, name, args.repeat, PAGE_FIGURES)
        container.close()


def compare(client: Any, name: str, repeat: int, figures: Any) -> None:
    def get(path: str, **params: Any) -> Any:
        answer = client.get(path, params=params)
        assert answer.status_code == 200, (path, answer.text[:300])
        return answer

    def walk() -> list[dict[str, Any]]:
        items, cursor = [], None
        while True:
            body = get(f"/value/{name}", limit=1000,
                       **({} if cursor is None else {"cursor": cursor})).json()
            items += body["items"]
            cursor = body["next_cursor"]
            if cursor is None:
                return items

    def first_page_computed() -> Any:
        figures.clear()
        return get(f"/value/{name}", limit=1000)

    old_times, old = timed(lambda: get(f"/old/value/{name}"), repeat)
    old_items = old.json()["items"]
    rows: dict[str, tuple[list[float], int]] = {"old (whole answer)": (old_times, len(old.content))}
    spent, first = timed(first_page_computed, repeat)
    rows["first page, computed"] = (spent, len(first.content))
    middle = sorted(int(i["customer_id"]) for i in old_items)[len(old_items) // 2]
    from kano.adapters.api.pagination import encode_cursor

    spent, page = timed(lambda: get(f"/value/{name}", limit=1000,
                                    cursor=encode_cursor(middle)), repeat)  # fmt: skip
    rows["next page, kept"] = (spent, len(page.content))
    spent, walked = timed(walk, repeat)
    rows[f"walk all {-(-len(old_items) // 1000)} pages, kept"] = (spent, 0)
    assert [i["customer_id"] for i in walked] == sorted(i["customer_id"] for i in old_items)
    assert sorted(walked, key=lambda i: i["customer_id"]) == sorted(
        old_items, key=lambda i: i["customer_id"]), f"{name}: pages differ from the old answer"
    base = statistics.median(old_times)
    print(f"/api/v1/value/{name}: {len(old_items):,} customers", flush=True)
    for label, (values, size) in rows.items():
        print(f"  {label:<28} best {min(values) * 1000:7.0f} ms  median "
              f"{statistics.median(values) * 1000:7.0f} ms  {statistics.median(values) / base:6.3f}"
              f" × old" + (f"  {size / 1e6:6.2f} MB" if size else ""), flush=True)


if __name__ == "__main__":
    main()
