"""A self-report token never reaches the server's logs (issue 14, item 7; ADR 0141)."""

import logging

from uvicorn.logging import AccessFormatter

from mdma_at.entrypoints.api.observability import configure_logging
from mdma_at.entrypoints.api.redaction import RedactLinkTokens, redact_link_tokens

TOKEN = "q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C"  # 43 URL-safe characters, like a real one


def _access_record(path: str) -> logging.LogRecord:
    # uvicorn's access log passes (client, method, path, http version, status) as arguments
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_the_access_log_line_of_a_link_shows_no_token() -> None:
    record = _access_record(f"/r/{TOKEN}")
    assert RedactLinkTokens().filter(record)
    line = AccessFormatter("%(request_line)s", use_colors=False).format(record)
    assert TOKEN not in line and line == "GET /r/[token] HTTP/1.1"


def test_other_paths_are_left_as_they_are() -> None:
    assert redact_link_tokens("/patients/4/measures") == "/patients/4/measures"
    assert redact_link_tokens(f"POST /r/{TOKEN}?x=1") == "POST /r/[token]?x=1"


def test_the_servers_log_configuration_filters_every_handler() -> None:
    config = configure_logging()
    handlers = config["handlers"]
    assert isinstance(handlers, dict)
    assert all(h["filters"] == ["redact_link_tokens"] for h in handlers.values())
    # what dictConfig builds from it: the filter itself (not applied here: logging is global)
    assert config["filters"] == {"redact_link_tokens": {"()": RedactLinkTokens}}
