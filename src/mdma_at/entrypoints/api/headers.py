"""Security headers on every response (issue 10, item 5), as a pure ASGI middleware so that the
refusals of `RequestLimits`, the error pages and the 500s carry them too.

- A strict Content-Security-Policy: scripts and styles only from this origin (no inline script,
  no inline style element or attribute), no plugins, no framing, forms post only here. htmx's
  indicator style, which it would inject inline, is turned off by a meta tag in base.html and
  lives in app.css instead.
- `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin` (the self-report page
  sets `no-referrer` itself: its URL is the patient's credential).
- `Strict-Transport-Security` whenever cookies are secure (the site is served over HTTPS).
- `Cache-Control: no-store` on everything but the static files: pages and API responses carry
  patient data, which no shared or browser cache should keep. A handler's own Cache-Control wins.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
#: One year, the HSTS preload list's minimum (hstspreload.org).
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(*, https: bool, static: bool) -> dict[str, str]:
    """The headers of one response (a handler's own values win over these)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    if not static:
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool, static_prefix: str = "/static/") -> None:
        self.app = app
        self.https = https
        self.static_prefix = static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ours = security_headers(
            https=self.https, static=scope["path"].startswith(self.static_prefix)
        )

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ours.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
