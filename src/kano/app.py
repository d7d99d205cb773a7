"""The ASGI application: the REST API under /api/v1 and the web UI at the root."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp

from kano import __version__
from kano.bootstrap import Container, build_container
from kano.config import Settings


class KanoApp(FastAPI):
    """FastAPI with the fast intake of single responses in front of its whole stack.

    Why outside FastAPI's own middleware (error page, telemetry, body limit) and the web
    UI's security headers: each layer wraps every request and its ``send``, about a fifth
    of a server process's CPU at 1,000 responses/s (py-spy, issue 6). The fast intake sets
    the security headers on its own 201s and hands everything else, untouched, to the
    stack, so every other answer is the stack's as before."""

    def build_middleware_stack(self) -> ASGIApp:
        from kano.adapters.api.fast_intake import FastIntake

        return FastIntake(super().build_middleware_stack(), container=self.state.container)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    from kano.adapters.api.app import api_mount
    from kano.adapters.web.app import install_web

    container = container or build_container(settings)
    app = KanoApp(
        title="Kano", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.container = container
    # A mount that owns its whole prefix, so even odd paths under /api/v1 get problem+json.
    app.router.routes.append(api_mount(container))
    install_web(app, container)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        from kano.adapters.web.warm_up import warm_up_state

        return {"status": "ok", "version": __version__, "warm_up": warm_up_state()}

    return app
