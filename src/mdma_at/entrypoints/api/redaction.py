"""Keeping self-report tokens out of the server's logs (issue 14, item 7; ADR 0141).

A self-report link's path, `/r/{token}`, is the patient's credential: the clinic stores only its
SHA-256. The request log and the error log would write it in clear, so both go through
`redact_link_tokens`: the server's one log handler gets `RedactLinkTokens` as a filter
(`observability.configure_logging`), and request lines name the route template, not the path.
"""

from __future__ import annotations

import logging
import re

# the token is URL-safe base64 (secrets.token_urlsafe), so it ends at the first other character
LINK_PATH = re.compile(r"/r/[A-Za-z0-9_-]+")
REDACTED = "/r/[token]"


def redact_link_tokens(text: str) -> str:
    """`text` with every self-report token replaced by "[token]"."""
    return LINK_PATH.sub(REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message and its text arguments (uvicorn's access log passes the path
    as an argument) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_link_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_link_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
