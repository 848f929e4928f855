"""The trial report as one document (issue 19, items 3 and 6; ADR 0215, 0216): one renderer for
the page, the file, the PDF and the demo, so every way out shows the same thing.

`trial_report_html` gathers the study through the trial services as the reader (only a reader the
study's blind admits gets past `trial_records`), builds the research tables, runs the analyses
(`mdma_at.analysis.trial_report`) and renders `reports/trial.html`. A file or PDF carries its
style inline and its figures as inline SVG: no request leaves it. `build_trial_report` is what
`mdma-at report --study` and the simulator's `mdma-at demo` call.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from mdma_at.bootstrap import Container
from mdma_at.domain.staff import Principal
from mdma_at.entrypoints.web.rendering import templates
from mdma_at.services.trials.report import trial_records

STATIC = Path(__file__).parent.parent / "static"
STYLES = (STATIC / "report.css", STATIC / "trial-report.css")
FILE_NAME = "trial-report"


def trial_report_html(
    ctx: Container, principal: Principal, study_id: int, *, web: bool = False
) -> str:
    """The report as one HTML document (`web`: the page, with its toolbar and linked styles,
    as the Content-Security-Policy refuses inline ones; otherwise self-contained).

    Raises:
        NotFound: no such study.
        PermissionDenied: the reader may not see the study's arms (audited).
    """
    # Imported here: pandas and scipy would double every server's start-up (ADR 0070).
    from mdma_at.analysis.trial_report import analyse
    from mdma_at.interop.research.tables import build

    records = trial_records(ctx.uow(), ctx.clock, principal, study_id)
    report = analyse(records, build(records.export))
    inline = None if web else "\n".join(p.read_text(encoding="utf-8") for p in STYLES)
    return templates.env.get_template("reports/trial.html").render(
        r=report,
        figures={k: Markup(v) for k, v in report.figures.items()},  # our own escaped SVG
        web=web,
        study_id=study_id,
        inline_css=inline,
    )


def build_trial_report(
    ctx: Container, principal: Principal, study_id: int, out_dir: Path, pdf: bool = False
) -> Path:
    """Write ``out_dir/trial-report.html`` (and ``trial-report.pdf`` with `pdf`, printed by the
    headless browser, ADR 0188); return the HTML file's path. Nothing is written when the
    report cannot be made.

    Raises:
        NotFound: no such study. PermissionDenied: the reader may not see arms (audited).
        mdma_at.adapters.pdf.PdfFailed: the browser did not produce the PDF (the HTML is not
            written either).
    """
    html = trial_report_html(ctx, principal, study_id)
    document = None
    if pdf:
        from mdma_at.adapters.pdf import ChromiumPrinter

        document = ChromiumPrinter(ctx.settings.chromium).print_pdf(html)
    target = out_dir / f"{FILE_NAME}.html"
    target.write_text(html, encoding="utf-8")
    if document is not None:
        (out_dir / f"{FILE_NAME}.pdf").write_bytes(document)
    return target
