"""Limits on what one request may send, checked before anything parses it (issue 10, item 3).

A pure ASGI middleware, so that nothing upstream has read the body yet:

- a body longer than `max_body_bytes` is 413: refused on its Content-Length before a byte is read,
  and counted as it streams when there is no Content-Length (chunked uploads);
- a JSON body nested deeper than `MAX_JSON_DEPTH` is 400 (Python's parser recurses, and a body
  100,000 levels deep broke it);
- a JSON body with NaN or ±Infinity (not JSON, but Python's parser accepts them) is 422 naming the
  field that holds it;
- the NUL character, which PostgreSQL cannot store in text, is refused in JSON and form bodies and
  in query strings (422), and in paths (404).

Every refusal is problem+json (RFC 9457), like every other API error. The body, at most
`max_body_bytes`, is buffered and handed on unchanged.
"""

from __future__ import annotations

import json
import re
from typing import Any

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mdma_at.entrypoints.api.errors import PROBLEM_BASE
from mdma_at.entrypoints.json_numbers import first_non_finite

#: Deeper than any document the API takes (an intake is 3 levels deep) and far below the depth at
#: which Python's recursive JSON parser fails.
MAX_JSON_DEPTH = 64
#: Bodies larger than this are scanned in a worker thread rather than on the event loop.
_SCAN_ON_LOOP_BYTES = 64 * 1024

# A JSON string (escapes included), to set strings aside before looking at the structure.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
# An escaped NUL inside a JSON string: \u0000 after an even number of backslashes.
_ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_NON_FINITE = re.compile(rb"NaN|Infinity")
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class Refusal(Exception):
    """A request refused by a limit, with its problem details."""

    def __init__(self, status: int, slug: str, title: str, field: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.field, self.detail = (
            status,
            slug,
            title,
            field,
            detail,
        )


def check_json(body: bytes) -> None:
    """Refuse JSON nested too deep, with a non-finite number, or with a NUL character.

    Raises:
        Refusal: 400 for the nesting, 422 for NaN/Infinity and NUL.
    """
    if b"\x00" in body or _ESCAPED_NUL.search(body):
        raise _nul("body")
    structure = _STRING.sub(b'""', body)
    depth = deepest = 0
    for bracket in structure.translate(None, _NOT_A_BRACKET):
        depth += 1 if bracket in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                raise Refusal(
                    400,
                    "too-deep",
                    "JSON nested too deep",
                    "body",
                    f"body: JSON nested more than {MAX_JSON_DEPTH} levels deep",
                )
    if _NON_FINITE.search(structure):  # parsed only now: the nesting is known to be shallow
        _refuse_non_finite(body)


def _refuse_non_finite(body: bytes) -> None:
    """422 naming the field that holds NaN or ±Infinity (a body that is not JSON at all is left
    to the route's own parser, which says so)."""
    try:
        found = first_non_finite(json.loads(body))
    except ValueError:
        return
    if found is not None:
        field = found[0] or "body"
        raise Refusal(
            422,
            "invalid-input",
            "Invalid input",
            field,
            f"{field}: {found[1]} is not a finite number (send a finite number)",
        )


def _nul(field: str) -> Refusal:
    return Refusal(
        422, "invalid-input", "Invalid input", field, f"{field}: text may not contain NUL (\\u0000)"
    )


class RequestLimits:
    """The middleware; `max_body_bytes` comes from the settings (MDMA_AT_MAX_BODY_BYTES)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            body = await self._checked_body(scope, receive)
        except Refusal as refused:
            await _problem(scope, send, refused)
            return
        if body is None:  # the client went away
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # http.disconnect, for streaming responses
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _checked_body(self, scope: Scope, receive: Receive) -> bytes | None:
        if "\x00" in scope["path"]:
            raise Refusal(404, "not-found", "Not found", "path", "no such page")
        if b"%00" in scope.get("query_string", b""):
            raise _nul("query")
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            raise self._too_large()
        chunks = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks += message.get("body", b"")
            if len(chunks) > self.max_body_bytes:
                raise self._too_large()
            more = message.get("more_body", False)
        body = bytes(chunks)
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if body and (kind == b"application/json" or kind.endswith(b"+json")):
            if len(body) > _SCAN_ON_LOOP_BYTES:
                await to_thread.run_sync(check_json, body)
            else:
                check_json(body)
        elif kind == b"application/x-www-form-urlencoded" and b"%00" in body:
            raise _nul("form")
        return body

    def _too_large(self) -> Refusal:
        return Refusal(
            413,
            "too-large",
            "Request body too large",
            "body",
            f"the request body is over the limit of {self.max_body_bytes} bytes",
        )


async def _problem(scope: Scope, send: Send, refused: Refusal) -> None:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + refused.slug,
        "title": refused.title,
        "status": refused.status,
        "detail": refused.detail,
        "instance": scope["path"].replace("\x00", ""),
        "field": refused.field,
    }
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
