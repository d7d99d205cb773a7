"""Every operation of the API is fuzzed: each path and method the OpenAPI document lists is
in some schemathesis run (``schemathesis_run.RUNS``) whose token holds the scope the
operation declares, so generated input reaches the route and not only its 403. A new
endpoint that no run drives fails here, naming it; add it to a run (or a new one).

Every run names the test that performs it, and that test exists and takes ``host_app``,
so it runs on SQLite and on PostgreSQL like every API test.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from starlette.testclient import TestClient

from kano.domain.workspaces import Scope
from tests.integration.api.schemathesis_run import RUNS, FuzzRun, needed_scope


def declared_operations(api: TestClient) -> list[tuple[str, str, Scope]]:
    """(method, path, scope the operation needs) for every operation in the document."""
    document = api.get("openapi.json").json()
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            operations.append((method.upper(), path, needed_scope(operation)))
    return operations


def unfuzzed(operations: list[tuple[str, str, Scope]], runs: dict[str, FuzzRun]) -> list[str]:
    return [
        f"{method} {path} (needs {needed.value})"
        for method, path, needed in operations
        if not any(run.may_call(method, path, needed) for run in runs.values())
    ]


def test_every_operation_is_fuzzed_with_a_token_that_may_call_it(api: TestClient) -> None:
    operations = declared_operations(api)
    assert len(operations) > 100, "the whole document was read"

    assert unfuzzed(operations, RUNS) == [], (
        "no schemathesis run drives these operations past the scope check: add them to a "
        "run in tests/integration/api/schemathesis_run.py"
    )


def test_a_new_write_without_a_run_is_reported(api: TestClient) -> None:
    """The check above would catch an endpoint added tomorrow."""
    operations = [*declared_operations(api), ("POST", "/refunds", Scope.WRITE)]

    assert unfuzzed(operations, RUNS) == ["POST /refunds (needs write)"]
    without_writes = {name: run for name, run in RUNS.items() if name != "writes"}
    assert "PATCH /cases/{case_id} (needs write)" in unfuzzed(operations, without_writes)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_every_run_is_a_test_on_both_engines(name: str) -> None:
    module_file, _, function = RUNS[name].test.partition("::")
    module = importlib.import_module(f"tests.integration.api.{module_file.removesuffix('.py')}")
    test = getattr(module, function, None)
    assert test is not None, f"{RUNS[name].test} does not exist"
    assert "host_app" in inspect.signature(test).parameters, "runs on the engine fixtures"
