"""The application's route table, for the security sweeps (H6) that must cover every route.

A sweep reads the routes here rather than listing them by hand, so a route added later is
swept too; a path parameter the sweep cannot fill fails the sweep (``unfilled``) instead of
leaving the new route out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

API_PREFIX = "/api/v1"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, with {parameters}
    route: APIRoute

    @property
    def parameters(self) -> list[str]:
        return _PARAMETER.findall(self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX + "/")

    def filled(self, value_of: Callable[[Endpoint, str], str | None]) -> str | None:
        """The path with each parameter replaced by ``value_of``'s value; None if one has none."""
        values = {name: value_of(self, name) for name in self.parameters}
        if any(value is None for value in values.values()):
            return None
        return _PARAMETER.sub(lambda match: str(values[match.group(1)]), self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _walk(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif isinstance(route, Mount):
            yield from _walk(list(getattr(route.app, "routes", [])), prefix + route.path)
        elif hasattr(route, "original_router"):  # FastAPI ≥ 0.16x keeps included routers
            context: Any = getattr(route, "include_context", None)
            yield from _walk(list(route.original_router.routes),
                             prefix + (context.prefix if context else ""))


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path) the application answers, the API's included (HEAD left out)."""
    found = [
        Endpoint(method, path, route)
        for path, route in _walk(list(app.router.routes), "")
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
    assert len(found) > 100, "the route table walk found too few routes; has FastAPI changed?"
    return found


def form_fields(route: APIRoute) -> dict[str, str]:
    """A plausible value for each required form field, so a write reaches its handler
    (and its ownership check) instead of stopping at validation."""
    data: dict[str, str] = {}
    for field in route.dependant.body_params:
        if not field.field_info.is_required():
            continue
        annotation = str(field.field_info.annotation)
        if "int" in annotation:
            data[field.alias] = "1"
        elif "float" in annotation or "Decimal" in annotation:
            data[field.alias] = "1.5"
        elif "bool" in annotation:
            data[field.alias] = "true"
        elif "date" in annotation:
            data[field.alias] = "2025-01-01"
        else:
            data[field.alias] = "x"
    return data
