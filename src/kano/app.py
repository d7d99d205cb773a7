"""The ASGI application: the REST API under /api/v1 and the web UI at the root."""

from __future__ import annotations

from fastapi import FastAPI

from kano import __version__
from kano.bootstrap import Container, build_container
from kano.config import Settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    from kano.adapters.api.app import api_mount
    from kano.adapters.api.fast_intake import FastIntake
    from kano.adapters.web.app import install_web

    container = container or build_container(settings)
    app = FastAPI(
        title="Kano", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.container = container
    # A mount that owns its whole prefix, so even odd paths under /api/v1 get problem+json.
    app.router.routes.append(api_mount(container))
    # Single responses skip FastAPI's per-request machinery (issue 6, 1,000/s); added
    # before the web UI's headers middleware, which therefore still wraps its answers.
    app.add_middleware(FastIntake, container=container)
    install_web(app, container)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
