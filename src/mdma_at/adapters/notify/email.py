"""Pages by email over SMTP (smtplib), from `MDMA_AT_SMTP_URL`.

`smtp://[user:password@]host[:port][?from=address]` uses STARTTLS when the server offers it;
`smtps://` connects over TLS from the start (port 465 by default).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from mdma_at.services.ports import DeliveryFailed

TIMEOUT_SECONDS = 10  # a server that does not answer must not hold the paging worker for long
DEFAULT_SENDER = "mdma-at@localhost"


def smtp_url_problem(url: str) -> str | None:
    """Why `url` cannot be an SMTP URL, or None when it can (checked when settings are read)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        return f"does not parse: {error}"
    if parts.scheme not in {"smtp", "smtps"}:
        return f"scheme must be smtp or smtps, not {parts.scheme or 'missing'!r}"
    if not parts.hostname:
        return "names no host (smtp://host:port)"
    return None


class SmtpNotifier:
    channel = "email"

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._tls else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = parse_qs(parts.query).get("from", [DEFAULT_SENDER])[0]

    def send(self, recipient: str, subject: str, body: str, data: Mapping[str, object]) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        try:
            smtp_class = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
            with smtp_class(self._host, self._port, timeout=TIMEOUT_SECONDS) as smtp:
                if not self._tls:
                    smtp.ehlo()
                    if smtp.has_extn("starttls"):
                        smtp.starttls()
                if self._user and self._password:
                    smtp.login(self._user, self._password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"email to {recipient} not sent: {error}") from error
