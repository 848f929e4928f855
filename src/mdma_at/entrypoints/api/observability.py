"""Structured logs with a request id, and the Prometheus metrics (issue 18 item 4; ADR 0202).

Every request gets an id (the proxy's `X-Request-ID` when it is a plain token, else a new one),
returned in the response's `X-Request-ID` and bound for the whole request, so every log line any
layer writes while serving it (stdlib `logging` included) carries it. Logs are one JSON object per
line on stderr. Metrics: request latency by route template (never the raw path: a self-report
link's path is the patient's credential), and the clinic's counts read from the database at each
scrape (adapters.db.metrics). With several workers, the latency histograms of all processes are
summed through prometheus-client's multiprocess directory, which `serve --workers` sets up.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mdma_at.entrypoints.api.redaction import RedactLinkTokens

REQUEST_ID_HEADER = "x-request-id"
# A proxy's id is taken as given only when it cannot smuggle anything into a log line.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

REQUEST_SECONDS = Histogram(
    "mdma_at_request_seconds",
    "Time to answer a request, by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

log = structlog.get_logger("mdma_at.request")


def configure_logging(level: int = logging.INFO) -> dict[str, Any]:
    """structlog for the app's own lines and a JSON formatter for every stdlib record (uvicorn's,
    the app's), both with the bound request id; returns a `logging.config` dict for uvicorn."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_link_tokens": {"()": RedactLinkTokens}},
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(),
                ],
                "foreign_pre_chain": [*shared, structlog.stdlib.add_logger_name],
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact_link_tokens"],
            }
        },
        # uvicorn's access log is replaced by the request line below (it has the route and id)
        "loggers": {
            "uvicorn.access": {"handlers": [], "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


class RequestContext:
    """ASGI middleware: the request id, one log line per request, the latency histogram."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = given if _PLAIN_ID.fullmatch(given) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(seconds)
            log.info(
                "request",
                method=scope["method"],
                route=route,
                status=status,
                ms=round(seconds * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()


def _route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/patients/{patient_id}`), or "unmatched"."""
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


def metrics_response(clinic: Any) -> Response:
    """The exposition of this process's (or, with workers, every process's) histograms and the
    clinic's counts from the database."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(clinic)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
