"""The API's routers, one per bounded context, in the order the OpenAPI lists them."""

from __future__ import annotations

from fastapi import APIRouter

from kano.adapters.api.routers import (
    analysis,
    bounces,
    cases,
    check_ins,
    customers,
    initiatives,
    invitations,
    journeys,
    key_results,
    mbo,
    measures,
    metrics,
    objectives,
    okr,
    pilots,
    quotas,
    requirements,
    responses,
    strategy,
    tokens,
    transactions,
    value,
    webhooks,
    workspace,
)

ROUTERS: tuple[APIRouter, ...] = (
    workspace.router,
    customers.router,
    requirements.router,
    responses.router,
    invitations.router,
    bounces.router,
    webhooks.router,
    quotas.router,
    cases.router,
    transactions.router,
    metrics.router,
    analysis.router,
    journeys.router,
    value.router,
    pilots.router,
    strategy.router,
    objectives.router,
    measures.router,
    initiatives.router,
    okr.router,
    key_results.router,
    check_ins.router,
    mbo.router,
    tokens.router,
)
