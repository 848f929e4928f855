"""The command-line contract of DESIGN.md §5, in one place.

Exit 0 when the command answered (whatever the answer), 1 only when a check the command exists to
make failed, 2 on bad input with a one-line reason on stderr naming the field.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

from mdma_at.domain.errors import Conflict, InvalidInput

EXIT_ANSWERED = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


def emit_json(payload: Any) -> None:
    """Print `payload` as JSON on stdout (dates and decimals as strings)."""
    typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))


def bad_input(field: str, reason: str) -> NoReturn:
    """One line on stderr naming the field, then exit 2."""
    typer.echo(f"error: {field}: {reason}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def bad_input_exits() -> Iterator[None]:
    """Turn `InvalidInput` (and a `Conflict` with stored data) into the exit-2 contract."""
    try:
        yield
    except InvalidInput as error:
        bad_input(error.field, error.reason)
    except Conflict as error:
        bad_input("conflict", str(error))


def read_json_file(path: Path, field: str = "file") -> Any:
    """Read a JSON document; a missing file or malformed JSON is bad input naming the place."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as error:
        bad_input(field, f"cannot read {path}: {error.strerror}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        bad_input(field, f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}")


def render(payload: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    """JSON on stdout with --json, else the command's human-readable rendering."""
    if as_json:
        emit_json(payload)
    else:
        human(payload)
