"""``ombuds privacy``: a brand's retention and its purge, erasure of one customer, export of one customer."""

from __future__ import annotations

from typing import Annotated

import typer

from ombuds.accounts.queries import get_brand_by_slug_or_raise
from ombuds.cli.base import JsonOption, console, database, fail, print_json, show_rows, when
from ombuds.db import transaction
from ombuds.errors import OmbudsError
from ombuds.privacy import actions, queries
from ombuds.privacy.purge import purge_brand
from ombuds.privacy.queries import get_retention
from ombuds.settings import get_settings

app = typer.Typer(
    help="Privacy: how long a brand keeps messages, erasing and exporting one customer.", no_args_is_help=True
)

BrandOption = Annotated[str, typer.Option("--brand", help="The brand's slug, e.g. larkspur.")]


@app.command("retention")
def retention(
    brand: BrandOption,
    months: Annotated[
        int | None, typer.Option("--months", help="Keep messages this many months; leave out to show it.")
    ] = None,
    forever: Annotated[bool, typer.Option("--forever", help="Keep messages forever (no purge).")] = False,
) -> None:
    """Show or set how long the brand keeps its messages; `ombuds serve` purges older ones daily."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = get_brand_by_slug_or_raise(session, brand)
            if months is not None or forever:
                actions.set_retention(session, brand=found, months=None if forever else months)
            kept = get_retention(session, found.id)
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    typer.echo(
        f"{brand}: " + ("messages are kept forever" if kept is None else f"messages are kept {kept} months")
    )


@app.command("purge")
def purge(
    brand: Annotated[
        str | None, typer.Option("--brand", help="Only this brand (default: every brand with a retention).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would go; delete nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete messages older than each brand's retention, rolling their counts up first."""
    rows = []
    try:
        with database(get_settings()) as factory:
            with factory() as session:
                policies = [
                    (policy.brand_id, policy.months or 0, slug)
                    for policy, slug in queries.list_retentions(session, slug=brand)
                ]
                if brand is not None and not policies:
                    get_brand_by_slug_or_raise(session, brand)
                    raise fail(
                        f"brand {brand!r} keeps its messages forever: set `ombuds privacy retention --months`"
                    )
            for brand_id, months, slug in policies:
                counts = purge_brand(factory, brand_id=brand_id, months=months, dry_run=dry_run)
                rows.append(
                    {
                        "brand": slug,
                        "months": months,
                        "mentions": counts.mentions,
                        "cases": counts.cases,
                        "dry_run": dry_run,
                    }
                )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    show_rows(rows, as_json=as_json, nothing="no brand has a retention: every message is kept")


@app.command("erase")
def erase(
    brand: BrandOption,
    customer: Annotated[int | None, typer.Option("--customer", help="The customer's id.")] = None,
    handle: Annotated[
        str | None,
        typer.Option("--handle", help="CHANNEL:HANDLE of one of their identities, e.g. twitter:mara_lind."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Erase one customer on request: identities, messages, cases, replies, surveys, notes; a record stays."""
    try:
        with database(get_settings()) as factory, transaction(factory) as session:
            found = get_brand_by_slug_or_raise(session, brand)
            target = queries.find_customer(session, brand_id=found.id, customer_id=customer, handle=handle)
            record = actions.erase_customer(session, customer=target, actor_id=None, actor="cli")
            result = {"erasure": record.id, "customer_id": record.customer_id, **record.counts}
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(result)
    else:
        console.print(
            f"customer {result['customer_id']} erased: "
            + ", ".join(f"{v} {k}" for k, v in result.items() if k not in {"erasure", "customer_id"})
        )


@app.command("export")
def export(
    brand: BrandOption,
    customer: Annotated[int | None, typer.Option("--customer", help="The customer's id.")] = None,
    handle: Annotated[
        str | None,
        typer.Option("--handle", help="CHANNEL:HANDLE of one of their identities, e.g. twitter:mara_lind."),
    ] = None,
) -> None:
    """Print everything stored about one customer as one JSON document."""
    try:
        with database(get_settings()) as factory, factory() as session:
            found = get_brand_by_slug_or_raise(session, brand)
            target = queries.find_customer(session, brand_id=found.id, customer_id=customer, handle=handle)
            print_json(queries.export_customer(session, target))
    except OmbudsError as exc:
        raise fail(str(exc)) from exc


@app.command("erasures")
def erasures(brand: BrandOption, as_json: JsonOption = False) -> None:
    """The erasures done in the brand: when, who asked, how many rows went (no personal data)."""
    with database(get_settings()) as factory, factory() as session:
        try:
            found = get_brand_by_slug_or_raise(session, brand)
        except OmbudsError as exc:
            raise fail(str(exc)) from exc
        rows = [
            {"id": r.id, "customer_id": r.customer_id, "by": r.actor, "at": when(r.erased_at), **r.counts}
            for r in queries.list_erasures(session, [found.id])
        ]
    show_rows(rows, as_json=as_json, nothing="no customer of this brand has been erased")
