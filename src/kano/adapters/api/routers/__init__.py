"""The API's routers, one per bounded context, in the order the OpenAPI lists them."""

from __future__ import annotations

from fastapi import APIRouter

from kano.adapters.api.routers import customers, responses, tokens, transactions, workspace

ROUTERS: tuple[APIRouter, ...] = (
    workspace.router,
    customers.router,
    responses.router,
    transactions.router,
    tokens.router,
)
