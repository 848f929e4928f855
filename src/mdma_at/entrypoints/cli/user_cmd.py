"""`mdma-at site add`, `mdma-at user add`, `mdma-at user token`."""

from __future__ import annotations

import sys

import typer

from mdma_at.domain.staff import Role
from mdma_at.entrypoints.cli.context import cli_actor, container
from mdma_at.entrypoints.cli.output import bad_input, bad_input_exits
from mdma_at.services.auth import issue_api_token
from mdma_at.services.staff import add_site, add_user

user_app = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)
site_app = typer.Typer(help="Sites (clinics).", no_args_is_help=True)


@site_app.command("add")
def site_add(code: str, name: str) -> None:
    """Add a site, e.g. `mdma-at site add CLINIC-A "Harbour Clinic"`."""
    ctx = container()
    with bad_input_exits():
        site = add_site(ctx.uow(), ctx.clock, cli_actor(), code, name)
    typer.echo(f"site {site.code} added")


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


def _grant(text: str) -> tuple[str, Role]:
    role, _, site = text.partition("@")
    if not site:
        bad_input("role", f"{text!r} must be ROLE@SITE, e.g. physician@CLINIC-A")
    try:
        return site, Role(role)
    except ValueError:
        bad_input("role", f"{role!r} is not one of {', '.join(r.value for r in Role)}")


def register(app: typer.Typer) -> None:
    app.add_typer(site_app, name="site")
    app.add_typer(user_app, name="user")
