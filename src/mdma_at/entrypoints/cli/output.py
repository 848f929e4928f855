"""The command-line contract of DESIGN.md §5, in one place.

Exit 0 when the command answered (whatever the answer), 1 only when a check the command exists to
make failed, 2 on bad input with a one-line reason on stderr naming the field. `exit_code_of` is
the single guard every run goes through (the root command calls it), so no input, however
malformed, ends in a traceback; the readers here refuse what no command can use (a file too large,
not UTF-8, JSON nested too deep or with non-finite numbers) before any command sees it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer

# Typer vendors click (since 0.2x); its usage errors are click's classes under this name.
from typer._click import exceptions as click_errors

from mdma_at.domain.blinding import disclose
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.staff import Principal
from mdma_at.entrypoints.json_numbers import first_non_finite

EXIT_ANSWERED = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2

#: The largest input file a command reads. An intake or a session timeline is a few kilobytes and
#: a trial's long-format CSV a few megabytes; anything near this cap is a wrong file, refused
#: before it is read into memory (site default).
MAX_INPUT_BYTES = 64 * 1024 * 1024


def emit_json(payload: Any, viewer: Principal | None = None) -> None:
    """Print `payload` as JSON on stdout (dates and decimals as strings), as `viewer` may see it:
    a concealed value (an arm, a kit's contents) only for a viewer its blind admits, so without
    a viewer none (ADR 0165)."""
    shown = disclose(payload, viewer)
    typer.echo(json.dumps(shown, indent=2, default=str, ensure_ascii=False))


def _say(field: str, reason: str) -> None:
    """The one line of the contract; newlines in a library's message are folded into it."""
    typer.echo(f"error: {' '.join(field.split())}: {' '.join(str(reason).split())}", err=True)


def bad_input(field: str, reason: str) -> NoReturn:
    """One line on stderr naming the field, then exit 2."""
    _say(field, reason)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def bad_input_exits() -> Iterator[None]:
    """Turn `InvalidInput` (and a `Conflict` with stored data) into the exit-2 contract.

    `exit_code_of` does the same for a whole run; this keeps a command's own mapping explicit.
    """
    try:
        yield
    except InvalidInput as error:
        bad_input(error.field, error.reason)
    except Conflict as error:
        bad_input("conflict", str(error))


def exit_code_of(run: Callable[[], object]) -> int:
    """Run a command line (click's ``main`` with ``standalone_mode=False``) under the contract.

    Returns:
        The exit code: the command's own, 2 for a usage error, an `InvalidInput` or `Conflict`
        that escaped the command (e.g. invalid settings), or a database the command cannot use
        (a malformed URL, a server that does not answer, tables not yet created); 1 with one
        ``error: internal:`` line for any other exception, which is a defect of mdma-at
        (``MDMA_AT_DEBUG=1`` lets its traceback through instead).
    """
    try:
        result = run()
    except click_errors.NoArgsIsHelpError as error:
        # `mdma-at` or a command group alone: the help (Typer's rich help is already printed).
        if error.format_message().strip():
            error.show()
        return EXIT_BAD_INPUT
    except click_errors.UsageError as error:
        _say(_usage_field(error), error.format_message())
        return EXIT_BAD_INPUT
    except click_errors.ClickException as error:
        _say("arguments", error.format_message())
        return EXIT_BAD_INPUT
    except InvalidInput as error:
        _say(error.field, error.reason)
        return EXIT_BAD_INPUT
    except Conflict as error:
        _say("conflict", str(error))
        return EXIT_BAD_INPUT
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        return EXIT_CHECK_FAILED
    except Exception as error:
        problem = _database_problem(error)
        if problem is not None:
            _say(*problem)
            return EXIT_BAD_INPUT
        if os.environ.get("MDMA_AT_DEBUG"):
            raise
        # A defect of mdma-at, not of the input: one line, and the way to the traceback.
        _say(
            "internal",
            f"{type(error).__name__}: {error} (a defect of mdma-at; "
            "run again with MDMA_AT_DEBUG=1 for the traceback and report it)",
        )
        return EXIT_CHECK_FAILED
    return result if isinstance(result, int) else EXIT_ANSWERED


def _usage_field(error: click_errors.UsageError) -> str:
    """The snake_case name of the parameter a usage error is about (``arguments`` if none)."""
    param = getattr(error, "param", None)
    options: list[str] = list(getattr(param, "opts", None) or [])
    if getattr(param, "param_type_name", None) == "option" and options:
        return max(options, key=len).lstrip("-").replace("-", "_")
    name = getattr(param, "name", None)
    return name if isinstance(name, str) and name else "arguments"


def _database_problem(error: Exception) -> tuple[str, str] | None:
    """Field and reason why the database cannot be used, if `error` says so; else None.

    SQLAlchemy is looked up, not imported: the pure commands never load it, and then no database
    error can have happened.
    """
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None:
        return None
    if isinstance(error, sa_exc.ArgumentError):  # includes NoSuchModuleError (unknown dialect)
        return "MDMA_AT_DATABASE_URL", f"not a usable SQLAlchemy URL: {error}"
    if isinstance(error, sa_exc.OperationalError):  # refused, unreachable, missing tables
        cause = str(getattr(error, "orig", None) or error).strip()
        return "database", cause.splitlines()[0] if cause else type(error).__name__
    return None


def read_text_file(path: Path, field: str) -> str:
    """Read a UTF-8 text file (``-`` for stdin) of at most `MAX_INPUT_BYTES`.

    Missing, unreadable, too large or not UTF-8 is bad input naming `field` and the file.
    """
    source = "stdin" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with path.open("rb") as file:
                data = file.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        bad_input(field, f"cannot read {source}: {error.strerror or error}")
    if len(data) > MAX_INPUT_BYTES:
        bad_input(field, f"{source} is larger than {MAX_INPUT_BYTES // 2**20} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad_input(field, f"{source} is not UTF-8 text (byte {error.start} cannot be decoded)")


#: The largest integer JSON keeps exactly everywhere (RFC 8259 §6: integers in
#: [-(2**53)+1, 2**53-1] are interoperable); no count, dose or reading comes near it.
MAX_JSON_INTEGER = 2**53 - 1


class _NotANumber(ValueError):
    """A JSON number no command can use; the message says which and why."""


def _interoperable(text: str) -> int:
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_JSON_INTEGER:
        raise _NotANumber(f"{text[:20]}{'…' if len(text) > 20 else ''} is beyond ±(2^53 − 1)")
    return int(text)


def read_json_file(path: Path, field: str = "file") -> Any:
    """Read a JSON document; a missing file or malformed JSON is bad input naming the place.

    Python's ``json`` accepts ``NaN`` and ``Infinity``, turns ``1e999`` into infinity and reads
    integers of any size; no clinical value is infinite or beyond 2^53, so those are refused here,
    for every command at once, before a parser meets them. A non-finite number is named by its
    field path, as the command's own parser would name it (issue 10: a NaN temperature).
    """
    text = read_text_file(path, field)
    source = "stdin" if str(path) == "-" else str(path)
    try:
        document = json.loads(text, parse_int=_interoperable)
    except json.JSONDecodeError as error:
        bad_input(field, f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}")
    except _NotANumber as error:
        bad_input(field, f"{source}: {error}")
    except RecursionError:
        bad_input(field, f"{source} nests JSON arrays or objects too deeply")
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        bad_input(field, f"{source} cannot be read as JSON: {error}")
    non_finite = first_non_finite(document)
    if non_finite is not None:
        where, value = non_finite
        bad_input(where or field, f"{value} is not a finite number")
    return document


def render(payload: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    """JSON on stdout with --json, else the command's human-readable rendering."""
    if as_json:
        emit_json(payload)
    else:
        human(payload)
