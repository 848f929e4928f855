"""`mdma-at report NAME --from DATE --to DATE [--out FILE.pdf|.html] [--as USER]` (issue 17,
item 4): a report for regulators or an ethics committee, as the staff member who asks. Without
`--out` the HTML goes to stdout. Everything is checked before anything is written: an unknown
report, a bad date, a period that ends before it starts, an output that is neither .pdf nor
.html, a user without permission are exit 2 with one line, and no file appears."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from mdma_at.entrypoints.cli.context import run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input

SUFFIXES = (".pdf", ".html")


def report_cmd(
    name: str = typer.Argument(
        ..., help="authorised-prescriber, session-monitoring, expedited-safety or annual-progress"
    ),
    start: str = typer.Option(..., "--from", help="first day of the period (YYYY-MM-DD)"),
    end: str = typer.Option(..., "--to", help="last day of the period (YYYY-MM-DD)"),
    out: Path | None = typer.Option(None, "--out", help="write FILE.pdf or FILE.html"),
    user: str | None = typer.Option(
        None, "--as", help="your username (password: MDMA_AT_PASSWORD or a prompt)"
    ),
) -> None:
    """A report as a printable HTML page or a PDF, with its period and who generated it."""
    from mdma_at.domain.errors import InvalidInput
    from mdma_at.domain.reports import period
    from mdma_at.entrypoints.web.reports.documents import kind, render

    try:  # all that can be checked without the database, before asking for a password
        kind(name)
        first, last = _date(start, "from"), _date(end, "to")
        period(first, last)
    except InvalidInput as wrong:
        bad_input(wrong.field, wrong.reason)
    if out is not None and out.suffix.lower() not in SUFFIXES:
        bad_input("out", f"{out.name!r} must end in .pdf or .html")
    if out is not None and not out.parent.is_dir():
        bad_input("out", f"{out.parent} is not a directory")
    if not user:
        bad_input("as", "a report runs as the staff member who asks: give --as USER")
    ctx, principal = signed_in(user)
    html = run_service(lambda: render(ctx, principal, name, first, last))
    if out is None:
        typer.echo(html, nl=False)
    elif out.suffix.lower() == ".html":
        out.write_text(html, encoding="utf-8")
    else:
        from mdma_at.adapters.pdf import ChromiumPrinter, PdfFailed

        try:
            pdf = ChromiumPrinter(ctx.settings.chromium).print_pdf(html)
        except PdfFailed as failed:
            bad_input("out", f"the PDF could not be made: {failed}")
        out.write_bytes(pdf)


def _date(value: str, field: str) -> date:
    from mdma_at.domain.errors import InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def register(app: typer.Typer) -> None:
    """Add the `report` command to the root command."""
    app.command("report")(report_cmd)
