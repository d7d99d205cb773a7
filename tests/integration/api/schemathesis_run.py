"""One way to fuzz the API with schemathesis, and the list of every fuzz run.

Each schemathesis test declares in ``RUNS`` which operations it drives and with which
token scope, and calls :func:`fuzz` with that run. ``test_fuzz_coverage`` reads the
OpenAPI document and fails when an operation is in no run whose token may call it, so a
new endpoint cannot ship unfuzzed.

:func:`fuzz` draws cases operation by operation (a ``one_of`` over 140 operations would
leave many of them undrawn in a CI-sized budget), in process against the ASGI app, with
the same settings everywhere: derandomized (the same cases on every CI run, so a red run
is reproducible), no deadline (the machine is shared), and every schemathesis check —
no 5xx, and status, media type, headers and body as the document declares them. The
"schema-valid input is accepted" check is left out where the schema cannot judge the
input (an unknown key, a rule across two parameters); each run says where.

``KANO_FUZZ_SCALE=10`` multiplies every budget and draws fresh random cases: an
exploratory run on a developer's machine. Schemathesis' own pytest plugin
(``schema.parametrize``) fails on pytest 9.2 (it reads ``Function._nodeid``), so the
cases are drawn with ``as_strategy`` under plain Hypothesis.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from starlette.applications import Starlette

from kano.adapters.api.app import API_PREFIX
from kano.domain.workspaces import Scope

MODES = pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    ids=["valid-input", "invalid-input"],
)  # fmt: skip
"""Every fuzz test runs twice: with schema-valid and with schema-invalid input."""

SCALE = float(os.environ.get("KANO_FUZZ_SCALE", "1"))

Draw = Callable[[st.SearchStrategy[Any]], Any]
"""Hypothesis' ``data.draw``, for a run that draws more than the case (a real id)."""


@dataclass(frozen=True)
class FuzzRun:
    """The operations one schemathesis test drives and the scope of the token it sends.

    ``paths`` is a regular expression matched from the start of the path as the
    document writes it (``/customers/{customer_id}``); ``methods`` empty means all;
    ``writes_only``: only the operations that declare the write scope (the read run
    drives the others). ``examples`` is the budget per operation and per generation mode.
    """

    test: str
    scope: Scope
    paths: str
    methods: frozenset[str] = frozenset()
    writes_only: bool = False
    examples: int = 5

    def selects(self, method: str, path: str, needed: Scope) -> bool:
        return (
            bool(re.match(self.paths, path))
            and (not self.methods or method.upper() in self.methods)
            and (needed is Scope.WRITE or not self.writes_only)
        )

    def may_call(self, method: str, path: str, needed: Scope) -> bool:
        """True when this run drives the operation with a token allowed to call it, so
        generated input gets past the scope check into the route."""
        return self.selects(method, path, needed) and self.scope.covers(needed)


def needed_scope(operation: Mapping[str, Any]) -> Scope:
    """The scope an operation of the OpenAPI document declares in its security."""
    scopes = {s for need in operation.get("security", []) for s in need.get("bearerAuth", [])}
    return Scope.WRITE if Scope.WRITE.value in scopes else Scope.READ


RUNS: dict[str, FuzzRun] = {
    # Every operation with a read token: every GET in full, every write up to its 403.
    "read": FuzzRun("test_schemathesis.py::test_api_never_errors_and_conforms_to_its_openapi",
                    Scope.READ, r"/", examples=3),
    # The metric endpoints again, on a loaded warehouse (the run above has none: 409).
    "metrics": FuzzRun("test_metrics_api.py::test_metric_endpoints_never_error_on_generated_input",
                       Scope.READ, r"/metrics", examples=60),
    # The analyses, value and text reads on that loaded warehouse too (drivers, links, RFM,
    # CLV, churn, themes, sentiment): the read run stops them at the 409 as well.
    "warehouse-reads": FuzzRun(
        "test_metrics_api.py::test_warehouse_analyses_never_error_on_generated_input",
        Scope.READ, r"/(analysis|value|text)/", examples=3),
    "responses": FuzzRun(
        "test_responses_schemathesis.py::test_response_intake_never_errors_and_conforms_to_the_openapi",
        Scope.WRITE, r"/responses", writes_only=True, examples=80),
    "customer-edit": FuzzRun(
        "test_customer_edit_schemathesis.py::test_customer_changes_never_error_and_conform_to_the_openapi",
        Scope.WRITE, r"/customers/\{customer_id\}$", frozenset({"PATCH"}), examples=120),
    "products": FuzzRun(
        "test_products_api.py::test_product_writes_never_error_and_conform_to_the_openapi",
        Scope.WRITE, r"/products", examples=60),
    "strategy": FuzzRun(
        "test_strategy_schemathesis.py::test_strategy_writes_never_error_and_conform_to_the_openapi",
        Scope.WRITE, r"/(scorecards|objectives|links|measures|initiatives|okr|mbo)(/|$)",
        writes_only=True, examples=3),
    "writes": FuzzRun(
        "test_write_schemathesis.py::test_writes_never_error_and_conform_to_the_openapi",
        Scope.WRITE,
        r"/(workspace|requirements|invitations|bounces|webhooks|surveys|cases|journeys"
        r"|pilots|case-rules|segments)(/|$)",
        writes_only=True, examples=5),
    # Revocation is destructive: each case revokes a token minted for it alone.
    "token-revocation": FuzzRun(
        "test_write_schemathesis.py::test_token_revocation_never_errors_and_conforms",
        Scope.WRITE, r"/tokens/current$", frozenset({"DELETE"}), examples=10),
}  # fmt: skip


PAIRED_PARAMETERS = (("since", "until"), ("min_nps", "max_nps"))


def schema_can_judge(case: schemathesis.Case[Any]) -> bool:
    """For runs whose schema says what is valid: False when validity depends on more than
    each parameter's own schema — a ``cursor`` is opaque (only one the API issued is
    valid), ``until`` before ``since`` is a rule across two parameters, and a metric's
    slices depend on its table, and a segment rule's value depends on its field and
    operator (``kano.domain.customers.segments``)."""
    query = case.query or {}
    if "cursor" in query or case.path.startswith("/metrics/") or case.path.endswith(":preview"):
        return False
    return not any(low in query and high in query for low, high in PAIRED_PARAMETERS)


def refuse_any(case: schemathesis.Case[Any]) -> bool:
    """For runs where valid-looking input may name what does not exist (a 404 or 422)."""
    return False


def fuzz(
    host_app: Starlette | str,
    run: FuzzRun,
    headers: Mapping[str, str] | Callable[[], Mapping[str, str]],
    mode: GenerationMode,
    *,
    schema_judges: Callable[[schemathesis.Case[Any]], bool] = refuse_any,
    prepare: Callable[[schemathesis.Case[Any], Draw], None] | None = None,
) -> list[str]:
    """Drive every operation ``run`` selects with ``run.examples`` generated cases each and
    check every response; returns the operations driven (``"GET /customers"``).

    ``host_app`` is the app, called in process, or the URL of a running server's API
    (``http://127.0.0.1:8000/api/v1``), called over HTTP. ``headers`` carry the token
    (a function: called for each case, for a run that spends a token per case).
    ``schema_judges(case)`` says whether a schema-valid case must be accepted (the
    positive-data check); ``prepare(case, draw)`` may replace generated parts with real
    ones (an existing id) before the call.
    """
    config = schemathesis.Config.from_dict({
        # Unknown query parameters are ignored on purpose, so none are invented.
        "generation": {"with-security-parameters": False, "allow-extra-parameters": False},
    })  # fmt: skip
    if isinstance(host_app, str):
        schema = schemathesis.openapi.from_url(f"{host_app}/openapi.json", config=config,
                                               timeout=300)  # fmt: skip
    else:
        schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", host_app,
                                                config=config)  # fmt: skip
    paths = schema.raw_schema["paths"]
    schema = schema.include(
        lambda context: run.selects(
            context.operation.method, context.operation.path,
            needed_scope(paths[context.operation.path][context.operation.method.lower()]),
        )
    )  # fmt: skip
    # Over HTTP an analysis of a demo-sized company may take longer than requests' 10 s.
    over_http: dict[str, Any] = {"timeout": 300} if isinstance(host_app, str) else {}
    driven = []
    for result in schema.get_all_operations():
        operation = result.ok()
        declared = paths[operation.path][operation.method.lower()]
        if mode is GenerationMode.NEGATIVE and not (
            declared.get("parameters") or declared.get("requestBody")
        ):
            continue  # it takes no input, so there is none to make invalid

        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        @settings(
            max_examples=max(1, round(run.examples * SCALE)), derandomize=SCALE == 1,
            deadline=None, database=None, suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def call_and_validate(case: schemathesis.Case[Any], data: st.DataObject) -> None:
            if prepare is not None:
                prepare(case, data.draw)
            excluded = [] if schema_judges(case) else [positive_data_acceptance]
            # Every request carries the token (given here, so schemathesis knows it is
            # valid and checks that the operation refuses a request without it), so
            # invalid input is tested past the auth check.
            token = headers() if callable(headers) else headers
            case.call_and_validate(headers=dict(token), excluded_checks=excluded, **over_http)

        try:
            call_and_validate()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            continue  # schemathesis cannot make this operation's input invalid
        driven.append(f"{operation.method.upper()} {operation.path}")
    assert driven or mode is GenerationMode.NEGATIVE, f"{run.test} drives no operation"
    return driven


def with_known(
    mode: GenerationMode, values: Mapping[str, list[Any]]
) -> Callable[[schemathesis.Case[Any], Draw], None]:
    """A ``prepare`` that, for valid input, often puts a real value into a path parameter
    (an existing customer id, the seeded survey's key) so the body reaches the route's
    checks past the 404. Invalid input keeps its generated path: which part was made
    invalid is the generator's to know."""

    def prepare(case: schemathesis.Case[Any], draw: Draw) -> None:
        if mode is not GenerationMode.POSITIVE or not case.path_parameters:
            return
        for name in case.path_parameters:
            if values.get(name):
                chosen = draw(st.sampled_from([None, *values[name], *values[name]]))
                if chosen is not None:
                    case.path_parameters[name] = chosen

    return prepare
