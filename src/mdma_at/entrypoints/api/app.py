"""The application factory: API, pages, static files, error handling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from mdma_at import __version__
from mdma_at.bootstrap import Container
from mdma_at.entrypoints import permissions
from mdma_at.entrypoints.api import errors
from mdma_at.entrypoints.api.blinding import disclose_every_response
from mdma_at.entrypoints.api.deps import ids_in_range
from mdma_at.entrypoints.api.fhir_routes import router as fhir_api_router
from mdma_at.entrypoints.api.headers import SecurityHeaders
from mdma_at.entrypoints.api.health import router as health_router
from mdma_at.entrypoints.api.instruments_routes import router as instruments_api_router
from mdma_at.entrypoints.api.limits import RequestLimits
from mdma_at.entrypoints.api.observability import RequestContext
from mdma_at.entrypoints.api.register_routes import router as register_api_router
from mdma_at.entrypoints.api.routes import router as api_router
from mdma_at.entrypoints.api.screening_routes import router as screening_api_router
from mdma_at.entrypoints.api.session_routes import router as session_api_router
from mdma_at.entrypoints.api.therapy_routes import router as therapy_api_router
from mdma_at.entrypoints.api.trial_routes import router as trial_api_router
from mdma_at.entrypoints.api.worklist_routes import router as worklist_api_router
from mdma_at.entrypoints.api.workup_routes import router as workup_api_router
from mdma_at.entrypoints.web.access.admin import router as admin_pages_router
from mdma_at.entrypoints.web.access.site_protocol import router as site_protocol_pages_router
from mdma_at.entrypoints.web.alerts.pages import router as alert_pages_router
from mdma_at.entrypoints.web.measurement.pages import router as instruments_pages_router
from mdma_at.entrypoints.web.pages import router as pages_router
from mdma_at.entrypoints.web.register.pages import router as register_pages_router
from mdma_at.entrypoints.web.rendering import error_page, page
from mdma_at.entrypoints.web.reports.pages import router as report_pages_router
from mdma_at.entrypoints.web.screening.pages import router as screening_pages_router
from mdma_at.entrypoints.web.screening.workup_pages import router as workup_pages_router
from mdma_at.entrypoints.web.sessions.pages import router as session_pages_router
from mdma_at.entrypoints.web.therapy.pages import router as therapy_pages_router
from mdma_at.entrypoints.web.trials.pages import router as trial_pages_router
from mdma_at.entrypoints.web.worklist.pages import router as worklist_pages_router

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def app_from_environment() -> FastAPI:
    """The app of one server process, configured from MDMA_AT_* (each of `serve --workers N`'s
    processes builds its own: nothing that matters lives in one process's memory, ADR 0201)."""
    from mdma_at.bootstrap import bootstrap
    from mdma_at.config import get_settings

    return create_app(bootstrap(get_settings()))


def create_app(container: Container) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        """The paging worker lives as long as the server (ADR 0121)."""
        container.pager.start()
        yield
        container.pager.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="mdma-at",
        version=__version__,
        description=(
            "The open clinic and trial platform for MDMA-assisted therapy. Clinical decision "
            "support for supervised, licensed settings only: it never replaces the clinician's "
            "judgment. Authenticate with `Authorization: Bearer <token>` (`mdma-at user token`)."
        ),
        docs_url=None,  # served below from the vendored Swagger UI, never from a CDN
        redoc_url=None,
        dependencies=[Depends(ids_in_range)],
    )
    app.state.container = container
    # made now, not by the first sign-in of an unknown name, which would then answer slower
    _ = container.hasher.dummy_hash
    app.add_middleware(RequestLimits, max_body_bytes=container.settings.max_body_bytes)
    # added after these, so outside them: every response gets the headers, refusals and errors
    # included, and every request its id, its log line and its latency (ADR 0202)
    app.add_middleware(SecurityHeaders, https=container.settings.secure_cookies)
    app.add_middleware(RequestContext)
    errors.install(app, error_page)
    app.include_router(api_router)
    app.include_router(session_api_router)
    app.include_router(pages_router)
    app.include_router(session_pages_router)
    app.include_router(screening_api_router)
    app.include_router(workup_api_router)
    app.include_router(screening_pages_router)
    app.include_router(workup_pages_router)
    app.include_router(instruments_pages_router)
    app.include_router(instruments_api_router)
    app.include_router(admin_pages_router)
    app.include_router(site_protocol_pages_router)
    app.include_router(alert_pages_router)
    app.include_router(register_api_router)
    app.include_router(register_pages_router)
    app.include_router(therapy_api_router)
    app.include_router(therapy_pages_router)
    app.include_router(trial_api_router)
    app.include_router(trial_pages_router)
    app.include_router(worklist_pages_router)
    app.include_router(worklist_api_router)
    app.include_router(fhir_api_router)
    app.include_router(health_router)
    app.include_router(report_pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        """Swagger UI from static/vendor (docs/adr/0102)."""
        return page(request, "api_docs.html", title=app.title, openapi_url=app.openapi_url)

    permissions.bind(app)
    # last, over every route: the trial blind is applied to whatever any route answers (ADR 0165)
    disclose_every_response(app)
    return app
