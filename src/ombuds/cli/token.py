"""``ombuds token``: bearer tokens for machines that call the API."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds.accounts import actions, queries
from ombuds.cli.base import JsonOption, console, database, fail, show_rows, when
from ombuds.db import transaction
from ombuds.errors import InvalidInput, OmbudsError
from ombuds.settings import get_settings

app = typer.Typer(help="API tokens for machines.", no_args_is_help=True)


@app.command("create")
def create(
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand the token writes to.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            help="Email of the person the token acts for: it carries their role in the brand. "
            "Without it the token acts as an integration with an agent's rights.",
        ),
    ] = None,
) -> None:
    """Create an API token; it is printed once on stdout and never shown again."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = queries.get_brand_by_slug_or_raise(session, brand)
            person = None
            if user is not None:
                person = queries.get_user_by_email(session, user)
                if person is None or queries.get_role(session, user=person, brand_id=found.id) is None:
                    raise InvalidInput(f"--user: {user} is not a member of brand {brand!r}")
            _, token = actions.create_api_token(session, brand=found, name=name, user=person)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    typer.echo(token)


@app.command("list")
def list_tokens(
    brand: Annotated[str | None, typer.Option("--brand", help="Only this brand's tokens (slug).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Tokens by id with their brand, name, creation, last use and revocation; never the secret."""
    try:
        with database(get_settings()) as factory, factory() as session:
            brand_id = queries.get_brand_by_slug_or_raise(session, brand).id if brand else None
            rows = [
                {
                    "id": token.id,
                    "brand": found.slug,
                    "name": token.name,
                    "created": when(token.created_at),
                    "last_used": when(token.last_used_at),
                    "revoked": when(token.revoked_at),
                }
                for token, found in queries.list_api_tokens(session, brand_id=brand_id)
            ]
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    show_rows(rows, as_json=as_json, nothing="no API tokens yet: create one with `ombuds token create`")


@app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id, from `ombuds token list`.")],
) -> None:
    """Revoke a token: the API refuses it (401) from now on."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            token = queries.get_api_token_by_id_or_raise(session, token_id)
            changed = actions.revoke_api_token(session, token=token)
            revoked_at = token.revoked_at
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if changed:
        console.print(f"token {token_id} ({token.name}) is revoked")
    else:
        console.print(f"token {token_id} ({token.name}) was already revoked on {when(revoked_at)}")
