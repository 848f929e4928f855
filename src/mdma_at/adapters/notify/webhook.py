"""Pages as a JSON POST to `MDMA_AT_PAGE_WEBHOOK_URL` (a pager gateway, Teams or Slack relay).

The body is `{"text": ..., "subject": ..., "recipient": ..., **data}`: `text` is what Slack and
Teams incoming webhooks display; the rest is for gateways that route by recipient.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Mapping
from urllib.error import URLError
from urllib.parse import urlsplit

from mdma_at.services.ports import DeliveryFailed

TIMEOUT_SECONDS = 10


def webhook_url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook URL, or None when it can (checked when settings are read)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        return f"does not parse: {error}"
    if parts.scheme not in {"http", "https"}:
        return f"scheme must be http or https, not {parts.scheme or 'missing'!r}"
    if not parts.hostname:
        return "names no host (https://host/path)"
    return None


class WebhookNotifier:
    channel = "webhook"

    def __init__(self, url: str) -> None:
        self._url = url

    def send(self, recipient: str, subject: str, body: str, data: Mapping[str, object]) -> None:
        payload: dict[str, object] = {
            "text": f"{subject}\n{body}",
            "subject": subject,
            "recipient": recipient,
            **data,
        }
        request = urllib.request.Request(
            self._url,
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        except (URLError, OSError) as error:
            raise DeliveryFailed(f"webhook not reached: {error}") from error
        if not 200 <= status < 300:
            raise DeliveryFailed(f"webhook answered HTTP {status}")
