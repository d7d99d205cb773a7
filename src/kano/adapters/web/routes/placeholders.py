"""Pages of the navigation that are not built yet: a real page (HTTP 200) that says so.

They keep the menu whole while the modules arrive one by one; a link never leads to a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from fastapi import APIRouter
from starlette.responses import Response

from kano.adapters.web.deps import SignedInPage, SignedInPageContext
from kano.adapters.web.routes.navigation import NAVIGATION, NavItem


def _placeholder_page(item: NavItem) -> Callable[[SignedInPageContext], Response]:
    def not_built_yet(page: SignedInPage) -> Response:
        return page.render("placeholder.html", item=item, active=item.key)

    not_built_yet.__name__ = f"placeholder_{item.key}"
    return not_built_yet


def placeholder_router(served_paths: Collection[str]) -> APIRouter:
    """GET routes for every navigation item whose path no other route serves yet."""
    router = APIRouter()
    for item in NAVIGATION:
        if item.path not in served_paths:
            router.add_api_route(item.path, _placeholder_page(item), methods=["GET"])
    return router
