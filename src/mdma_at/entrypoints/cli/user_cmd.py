"""`mdma-at site add | set-tz | set-on-call | protocol ...`;
`mdma-at user add | token | deactivate | reactivate | tokens | revoke`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import typer

from mdma_at.domain.errors import NotFound
from mdma_at.domain.staff import Role
from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits, emit_json
from mdma_at.entrypoints.cli.site_protocol_cmd import protocol_app
from mdma_at.services.access.accounts import (
    account_tokens,
    deactivate_user,
    reactivate_user,
    revoke_api_token,
)
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.access.staff import add_site, add_user, set_on_call, set_site_timezone

user_app = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)
site_app = typer.Typer(help="Sites (clinics).", no_args_is_help=True)


@site_app.command("add")
def site_add(
    code: str,
    name: str,
    tz: str | None = typer.Option(
        None, "--tz", help="IANA time zone, e.g. Europe/London (default: the server's)"
    ),
) -> None:
    """Add a site, e.g. `mdma-at site add CLINIC-A "Harbour Clinic" --tz Europe/London`."""
    ctx = container()
    with bad_input_exits():
        site = add_site(
            ctx.uow(),
            ctx.clock,
            cli_actor(),
            code,
            name,
            ctx.settings.default_timezone if tz is None else tz,
        )
    typer.echo(f"site {site.code} added ({site.timezone})")


@site_app.command("set-tz")
def site_set_tz(code: str, tz: str) -> None:
    """Change a site's time zone, e.g. `mdma-at site set-tz CLINIC-A America/New_York`."""
    ctx = container()
    with bad_input_exits():
        site = set_site_timezone(ctx.uow(), ctx.clock, cli_actor(), code, tz)
    typer.echo(f"site {site.code} now shows and reads times in {site.timezone}")


@site_app.command("set-on-call")
def site_set_on_call(
    code: str,
    name: str = typer.Option(..., "--name", help="the on-call physician's name"),
    email: str | None = typer.Option(None, "--email", help="where email pages go"),
    repage_minutes: int | None = typer.Option(
        None, "--repage-minutes", help="page again after this long unacknowledged (default 5)"
    ),
) -> None:
    """Set who is paged at a site, e.g. `mdma-at site set-on-call CLINIC-A --name "Dr Ray"
    --email ray@clinic.org`."""
    ctx = container()
    with bad_input_exits():
        site = set_on_call(
            ctx.uow(),
            ctx.clock,
            cli_actor(),
            code,
            name=name,
            email=email,
            repage_minutes=repage_minutes,
        )
    typer.echo(
        f"site {site.code}: {site.on_call_name} is paged"
        f"{f' at {site.on_call_email}' if site.on_call_email else ''}, "
        f"again every {site.repage_minutes} min until acknowledged"
    )


@user_app.command("add")
def user_add(
    username: str,
    full_name: str = typer.Option(..., "--name", help="the person's full name"),
    roles: list[str] = typer.Option(..., "--role", help="ROLE@SITE, repeatable"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read it from stdin"),
) -> None:
    """Create a staff account (the first admin included); asks for the password."""
    grants = [_grant(text) for text in roles]
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    ctx = container()
    with bad_input_exits():
        member = add_user(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            cli_actor(),
            username=username,
            full_name=full_name,
            password=password,
            grants=grants,
        )
    typer.echo(f"user {member.username} added")


@user_app.command("token")
def user_token(username: str, name: str = typer.Option(..., "--name")) -> None:
    """Issue a bearer API token for a script; it is printed once."""
    ctx = container()
    with bad_input_exits():
        token, expires = issue_api_token(
            ctx.uow(), ctx.clock, cli_actor(), username, name, ctx.auth_policy
        )
    typer.echo(token)
    typer.echo(f"expires {expires:%Y-%m-%d %H:%M} UTC; it will not be shown again", err=True)


REASON = typer.Option(None, "--reason", help="why (kept in the audit trail)")


@contextmanager
def _refusals(field: str) -> Iterator[None]:
    """Bad input, conflicts and unknown names or ids: exit 2 with one line naming `field`."""
    with bad_input_exits():
        try:
            yield
        except NotFound as error:
            bad_input(field, str(error))


@user_app.command("deactivate")
def user_deactivate(username: str, reason: str | None = REASON) -> None:
    """Stop an account at once: its sessions and API tokens are revoked, sign-in refused."""
    ctx = container()
    with _refusals("username"):
        member = deactivate_user(ctx.uow(), ctx.clock, cli_actor(), username, reason)
    typer.echo(f"user {member.username} deactivated; its sessions and API tokens are revoked")


@user_app.command("reactivate")
def user_reactivate(username: str, reason: str | None = REASON) -> None:
    """Let a deactivated account sign in again (revoked tokens stay revoked)."""
    ctx = container()
    with _refusals("username"):
        member = reactivate_user(ctx.uow(), ctx.clock, cli_actor(), username, reason)
    typer.echo(f"user {member.username} reactivated")


@user_app.command("tokens")
def user_tokens(username: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """List a user's API tokens (id, name, issued, expires, revoked); never the secrets."""
    ctx = container()
    with _refusals("username"):
        account = account_tokens(ctx.uow(), ctx.clock, cli_actor(), username)
    now = ctx.clock.now()
    rows = [
        {
            "id": token.id,
            "name": token.name,
            "created_at": _stamp(token.created_at),
            "expires_at": _stamp(token.expires_at),
            "revoked_at": _stamp(token.revoked_at) if token.revoked_at else None,
            "status": _status(token.revoked_at, token.expires_at, now),
        }
        for token in account.tokens
    ]
    if as_json:
        emit_json(
            {"user": account.member.username, "active": account.member.active, "tokens": rows}
        )
        return
    state = "active" if account.member.active else "deactivated"
    typer.echo(f"user {account.member.username} ({state}): {len(rows)} API token(s)")
    for row in rows:
        typer.echo(
            f"  {row['id']:>5}  {row['status']:<8} expires {row['expires_at']}  {row['name']}"
        )


@user_app.command("revoke")
def user_revoke(token_id: int, reason: str | None = REASON) -> None:
    """Revoke one API token by its id (from `mdma-at user tokens USERNAME`)."""
    ctx = container()
    with _refusals("token_id"):
        token = revoke_api_token(ctx.uow(), ctx.clock, cli_actor(), token_id, reason)
    typer.echo(f"API token {token.id} ({token.name}) revoked")


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def _status(revoked_at: datetime | None, expires_at: datetime, now: datetime) -> str:
    if revoked_at is not None:
        return "revoked"
    return "expired" if now >= expires_at else "valid"


def _grant(text: str) -> tuple[str, Role]:
    role, _, site = text.partition("@")
    if not site:
        bad_input("role", f"{text!r} must be ROLE@SITE, e.g. physician@CLINIC-A")
    try:
        return site, Role(role)
    except ValueError:
        bad_input("role", f"{role!r} is not one of {', '.join(r.value for r in Role)}")


def register(app: typer.Typer) -> None:
    site_app.add_typer(protocol_app, name="protocol")
    app.add_typer(site_app, name="site")
    app.add_typer(user_app, name="user")
