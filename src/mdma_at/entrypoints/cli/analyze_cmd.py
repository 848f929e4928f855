"""`mdma-at analyze mmrm DATA.csv --formula ... --json`: fit a mixed model for repeated measures.

Thin: read the CSV (``NA`` and empty cells are missing), call `fit_mmrm`, render. Contract
(issue 6, item 6): JSON keys ``coefficients, covariance, loglik, aic, bic, lsmeans, converged,
n_subjects, n_observations``; exit 0 when fitted (converged or not: ``converged`` says which),
2 on bad input with one line naming the field (``error: formula: column 'X' is not in the data``).
Model, conventions and term naming: docs/analysis/mmrm.md. The statistics stack (pandas, scipy,
formulaic) is imported inside the command so other commands start fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits, render


def _pairs(field: str, values: list[str] | None) -> dict[str, str]:
    """``["ARMCD=PBO", ...]`` -> ``{"ARMCD": "PBO"}``; anything else is bad input."""
    out: dict[str, str] = {}
    for value in values or []:
        column, sep, level = value.partition("=")
        if not sep or not column.strip() or not level.strip():
            bad_input(field, f"{value!r} is not COLUMN=LEVEL")
        out[column.strip()] = level.strip()
    return out


def _read_csv(path: Path) -> Any:
    import pandas as pd

    try:
        # Only NA and empty cells are missing (not pandas' long list of NA spellings).
        return pd.read_csv(path, keep_default_na=False, na_values=["NA", ""])
    except FileNotFoundError:
        bad_input("DATA", f"cannot read {path}: no such file")
    except (OSError, ValueError, pd.errors.ParserError) as error:
        bad_input("DATA", f"cannot read {path} as CSV: {error}")


def _fmt(value: Any, digits: int = 4) -> str:
    return "NA" if value is None else f"{value:.{digits}f}"


def _human(payload: dict[str, Any]) -> None:
    typer.echo(
        f"MMRM: {payload['n_subjects']} subjects, {payload['n_observations']} observations; "
        f"log-likelihood {_fmt(payload['loglik'])}, AIC {_fmt(payload['aic'], 2)}, "
        f"BIC {_fmt(payload['bic'], 2)}; "
        + ("converged" if payload["converged"] else "NOT CONVERGED: do not report these numbers")
    )
    typer.echo("Coefficients (estimate, se, df, t, p, 95% CI):")
    for row in payload["coefficients"]:
        typer.echo(
            f"  {row['term']}: {_fmt(row['estimate'])} se {_fmt(row['se'])} "
            f"df {_fmt(row['df'], 1)} t {_fmt(row['t'], 2)} p {_fmt(row['p'])} "
            f"[{_fmt(row['lower'])}, {_fmt(row['upper'])}]"
        )
    cov = payload["covariance"]
    matrices = cov.get("by_group") or {"": cov["matrix"]}
    for group, matrix in matrices.items():
        label = f", {cov['group']} = {group}" if group else ""
        typer.echo(f"Covariance ({cov['structure']}{label}), visits {', '.join(cov['visits'])}:")
        for visit, row in zip(cov["visits"], matrix, strict=True):
            typer.echo(f"  {visit}: " + "  ".join(_fmt(v, 3) for v in row))
    typer.echo("LS means (estimate, se, df, 95% CI):")
    for row in payload["lsmeans"]:
        arm = f"{row['arm']} " if row["arm"] is not None else ""
        visit = row["visit"] if row["visit"] is not None else "all visits"
        typer.echo(
            f"  {arm}{visit}: {_fmt(row['estimate'])} se {_fmt(row['se'])} "
            f"df {_fmt(row['df'], 1)} [{_fmt(row['lower'])}, {_fmt(row['upper'])}]"
        )


def mmrm_cmd(
    data: Path = typer.Argument(..., help="Long-format CSV: one row per subject and visit."),
    formula: str = typer.Option(
        ...,
        "--formula",
        help='R-style formula, e.g. "FEV1 ~ RACE + SEX + ARMCD*AVISIT + us(AVISIT | USUBJID)"; '
        "covariance: us, cs, csh, ar1, ar1h, toep, toeph, ad, adh, diag, and "
        "sp_exp(TIME | SUBJECT) with the numeric time of each visit; "
        "us(VISIT | ARM / SUBJECT) fits one covariance per arm.",
    ),
    method: str = typer.Option("reml", "--method", help="reml or ml."),
    df: str | None = typer.Option(
        None,
        "--df",
        help="Denominator d.f.: satterthwaite (default), kenward-roger (REML only), residual "
        "or between-within (default with an empirical --vcov).",
    ),
    vcov: str = typer.Option(
        "model",
        "--vcov",
        help="Covariance of the coefficients for every SE, test, CI and LS mean: model "
        "(default), empirical (sandwich CR0) or jackknife (CR3).",
    ),
    weights: str | None = typer.Option(
        None, "--weights", help="Column of positive observation weights."
    ),
    reference: list[str] | None = typer.Option(
        None, "--reference", help="COLUMN=LEVEL: the reference level of a factor (repeatable)."
    ),
    levels: list[str] | None = typer.Option(
        None,
        "--levels",
        help="COLUMN=A,B,C: the full level order of a factor; the first is the reference "
        "(repeatable). Default: natural sort (VIS2 before VIS10).",
    ),
    arm: str | None = typer.Option(None, "--arm", help="Factor the LS means are given for."),
    visit: str | None = typer.Option(
        None,
        "--visit",
        help="Factor whose levels are the LS-means visits (default: the covariance visit; "
        "with sp_exp the time if it is a fixed effect, else one LS mean per arm).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Fit an MMRM to DATA.csv: coefficients, covariance, LS means, log-likelihood, AIC, BIC."""
    references = _pairs("reference", reference)
    orders = {
        column: [v.strip() for v in text.split(",")]
        for column, text in _pairs("levels", levels).items()
    }
    frame = _read_csv(data)
    from mdma_at.analysis.mmrm import fit_mmrm

    with bad_input_exits():
        fit = fit_mmrm(
            frame,
            formula,
            method=method,
            df=df,
            vcov=vcov,
            weights=weights,
            reference=references,
            levels=orders,
            arm=arm,
            visit=visit,
        )
        payload = fit.to_dict()
    render(payload, as_json, _human)


def register(app: typer.Typer) -> None:
    analyze = typer.Typer(
        name="analyze",
        help="Trial statistics on tidy tables (MMRM, ...).",
        no_args_is_help=True,
    )
    analyze.command("mmrm")(mmrm_cmd)
    app.add_typer(analyze, name="analyze")
