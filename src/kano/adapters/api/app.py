"""``create_api``: the REST API as its own FastAPI app, mounted by ``kano.app`` at /api/v1.

A separate app keeps the API's error handlers (problem+json) and OpenAPI document apart
from the web UI's HTML pages. FastAPI's own docs pages are off (they load their scripts
from a CDN, which a self-hosted install must not depend on); ``/api/v1/docs`` serves the
vendored Swagger UI instead (``kano.adapters.api.reference``), and
``/api/v1/openapi.json`` works with any OpenAPI viewer or client generator.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount

from kano import __version__
from kano.adapters.api.editing import ROLE_RULES
from kano.adapters.api.errors import install_problem_handlers
from kano.adapters.api.openapi import API_DESCRIPTION, install_openapi
from kano.adapters.api.reference import install_reference
from kano.adapters.api.routers import ROUTERS, case_rules
from kano.bootstrap import Container

API_PREFIX = "/api/v1"

OPENAPI_TAGS = [
    {"name": "workspace", "description": "Who am I: the token's workspace and scopes."},
    {"name": "customers", "description": "Accounts (B2B) and persons (B2C)."},
    {"name": "feedback", "description": "What customers say: survey responses (CX)."},
    {"name": "cases", "description": "The closed loop: cases opened by unhappy responses, "
     "with SLA deadlines in business hours, escalation and root causes."},
    {"name": "transactions", "description": "What customers do: orders (TX)."},
    {
        "name": "metrics",
        "description": "The metric catalogue (CX, TX, OX, EX, financial) and any metric "
        "computed per slice in the analytics warehouse, with its 95 % interval.",
    },
    {
        "name": "strategy",
        "description": "Balanced Scorecard: scorecards, perspectives, objectives, measures "
        "and their values, cause–effect links, initiatives.\n\n" + ROLE_RULES,
    },
    {
        "name": "okr",
        "description": "OKR cycles, objectives, key results and check-ins.\n\n" + ROLE_RULES,
    },
    {"name": "mbo", "description": "MBO review sheets and their weighted objectives.\n\n"
     + ROLE_RULES},
    {"name": "analysis", "description": "The layers linked on the warehouse data: the "
     "service-profit chain, key drivers and the strategy map's tested arrows."},
    {"name": "journeys", "description": "Customer journey maps per segment and their pain "
     "points ranked with the revenue at risk."},
    {"name": "pilots", "description": "Pilots with control groups: the groups, KPIs and "
     "periods, the plan (minimum detectable effect), the difference-in-differences "
     "evaluation with its pre-trend check, the decision and the staged rollout. Writes "
     "take a write token of someone who is not a viewer."},
    {"name": "tokens", "description": "The calling API token itself."},
    {"name": "webhooks", "description": "Where the workspace's events are POSTed, signed "
     "the Standard Webhooks way; admins and owners only.\n\n" + ROLE_RULES},
]


def operation_id(route: APIRoute) -> str:
    """The route function's name (``list_customers``), which generated clients turn into
    method names, instead of FastAPI's default ``list_customers_customers_get``."""
    return route.name


def create_api(container: Container) -> FastAPI:
    api = FastAPI(
        title="Kano",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/openapi.json",
        openapi_tags=OPENAPI_TAGS,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    api.state.container = container
    for router in ROUTERS:
        api.include_router(router)
    api.include_router(case_rules.router)
    install_problem_handlers(api)
    install_openapi(api)
    install_reference(api, API_PREFIX)
    return api


class _WholePrefixMount(Mount):
    """A mount that claims every path under its prefix, newlines included.

    Starlette's mount pattern ends in ``.*``, which stops at a newline, so a request for
    ``/api/v1/responses/%0A`` would fall through to the host app's 404 (HTML or plain
    text) instead of getting the API's problem document.
    """

    def __init__(self, path: str, app: FastAPI) -> None:
        super().__init__(path, app=app)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)


def api_mount(container: Container) -> Mount:
    """The API mounted at ``API_PREFIX``, for a host app's routes:
    ``app.router.routes.append(api_mount(container))``."""
    return _WholePrefixMount(API_PREFIX, app=create_api(container))
