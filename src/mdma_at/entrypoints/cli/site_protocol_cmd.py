"""`mdma-at site protocol show | set | reset`: a site's own values for its protocol's site defaults
(ADR 0090). Bad input exits 2 with one line naming the key (or ``reason``) and stores nothing."""

from __future__ import annotations

from typing import Any

import typer

from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.entrypoints.cli.output import bad_input_exits, render
from mdma_at.protocols import DEFAULT_PROTOCOL
from mdma_at.services.access.site_protocol import (
    SettingRow,
    SiteProtocol,
    reset_site_value,
    set_site_value,
    show_site_protocol,
)

protocol_app = typer.Typer(
    help="A site's own values for the protocol's site defaults (sessions started from then on).",
    no_args_is_help=True,
)
PROTOCOL = typer.Option(DEFAULT_PROTOCOL, "--protocol", help="the protocol whose values are set")
REASON = typer.Option(..., "--reason", help="why the site sets it (kept in the audit trail)")


@protocol_app.command("show")
def show(
    site: str, protocol: str = PROTOCOL, as_json: bool = typer.Option(False, "--json")
) -> None:
    """Each value a site may set: the protocol's, its source, the allowed range, the site's."""
    ctx = container()
    with bad_input_exits():
        shown = show_site_protocol(ctx.uow(), ctx.clock, cli_actor(), site, protocol)
    render(_payload(shown), as_json, lambda _: _print(shown))


@protocol_app.command("set")
def set_value(
    site: str, key: str, value: str, reason: str = REASON, protocol: str = PROTOCOL
) -> None:
    """Set the site's value, e.g. `mdma-at site protocol set CLINIC-A
    thresholds.caution.heart_rate 110 --reason "..."`."""
    ctx = container()
    with bad_input_exits():
        change = set_site_value(
            ctx.uow(), ctx.clock, cli_actor(), site, key, value, reason, protocol
        )
    typer.echo(f"site {site}: {key} is {change.value:g} for sessions started from now on")


@protocol_app.command("reset")
def reset(site: str, key: str, reason: str = REASON, protocol: str = PROTOCOL) -> None:
    """Go back to the protocol's value for KEY."""
    ctx = container()
    with bad_input_exits():
        reset_site_value(ctx.uow(), ctx.clock, cli_actor(), site, key, reason, protocol)
    typer.echo(f"site {site}: {key} is the protocol's value for sessions started from now on")


def _row(row: SettingRow) -> dict[str, Any]:
    latest = row.latest
    return {
        "key": row.setting.key,
        "label": row.setting.label,
        "unit": str(row.setting.unit),
        "default": row.default,
        "source": str(row.source),
        "allowed": {
            "low": row.setting.allowed.low,
            "high": row.setting.allowed.high,
            "source": str(row.setting.allowed.source),
        },
        "site_value": row.site_value,
        "in_force": row.in_force,
        "changed_by": latest.changed_by if latest else None,
        "changed_at": f"{latest.changed_at:%Y-%m-%dT%H:%M:%SZ}" if latest else None,
        "reason": latest.reason if latest else None,
    }


def _payload(shown: SiteProtocol) -> dict[str, Any]:
    return {
        "site": shown.site.code,
        "protocol": shown.protocol.name,
        "values": [_row(row) for row in shown.rows],
    }


def _print(shown: SiteProtocol) -> None:
    typer.echo(f"site {shown.site.code}, protocol {shown.protocol.name}")
    for row in shown.rows:
        unit = row.setting.unit
        site = "protocol's" if row.site_value is None else f"site {row.site_value:g}"
        if row.refused:
            site += " (no longer allowed: the protocol's applies)"
        typer.echo(
            f"  {row.setting.key}: {row.in_force:g} {unit} [{site}; protocol {row.default:g}, "
            f"allowed {row.setting.allowed.describe(unit)}]"
        )
