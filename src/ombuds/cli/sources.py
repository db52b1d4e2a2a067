"""``ombuds source add`` and ``ombuds sources``: configure connectors, poll them, see their health."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Annotated, Any

import typer

from ombuds.cli.base import console, database, fail, print_json, show_rows, when
from ombuds.clock import utcnow
from ombuds.errors import OmbudsError
from ombuds.settings import get_settings

source_app = typer.Typer(
    help="Add a data source (a connector: rss, webhook, email, ...).", no_args_is_help=True
)
sources_app = typer.Typer(
    help="Poll the data sources, list their health, pause and resume them.", no_args_is_help=True
)


def _pairs(values: list[str] | None, *, option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise fail(f"{option} {value.split('=')[0][:40]!r}: give KEY=VALUE")
        pairs[key.strip()] = rest
    return pairs


@source_app.command("add")
def add(
    kind: Annotated[
        str, typer.Argument(help="The kind of connector: rss, webhook, or another installed kind.")
    ],
    brand: Annotated[str, typer.Option("--brand", help="Slug of the brand.")],
    name: Annotated[str, typer.Option("--name", help="The source's name, unique in the brand.")],
    url: Annotated[
        str | None, typer.Option("--url", help="The address to read (an RSS or Atom feed).")
    ] = None,
    every: Annotated[
        int | None, typer.Option("--every", help="Poll every SECONDS (default 300).", metavar="SECONDS")
    ] = None,
    setting: Annotated[
        list[str] | None, typer.Option("--set", help="A config value, KEY=VALUE (repeatable).")
    ] = None,
    setting_env: Annotated[
        list[str] | None,
        typer.Option(
            "--set-from-env",
            help="A config value read from an environment variable, KEY=VARIABLE (for secrets: "
            "they stay out of the shell's history).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Answer with one JSON object.")] = False,
) -> None:
    """Add a source; a webhook source gets a new signing secret, printed this once."""
    from ombuds.accounts.queries import get_brand_by_slug_or_raise
    from ombuds.connectors.registry import get_kind
    from ombuds.connectors.secrets import secret_box
    from ombuds.connectors.webhook import new_secret
    from ombuds.sources.actions import add_source

    settings = get_settings()
    values: dict[str, Any] = _pairs(setting, option="--set")
    for key, variable in _pairs(setting_env, option="--set-from-env").items():
        if variable not in os.environ:
            raise fail(f"--set-from-env {key}: the environment variable {variable!r} is not set")
        values[key] = os.environ[variable]
    if url is not None:
        values["url"] = url
    try:
        found = get_kind(kind)
        generated = None
        if "secret" in found.secret_fields and "secret" not in values:
            generated = values["secret"] = new_secret()
        with database(settings) as factory, factory.begin() as session:
            owner = get_brand_by_slug_or_raise(session, brand)
            source = add_source(
                session,
                brand_id=owner.id,
                kind=found,
                name=name,
                config=values,
                box=secret_box(settings.resolved_secret_key()),
                every_seconds=every,
            )
            answer: dict[str, object] = {"id": source.id, "kind": source.kind, "name": source.name}
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    if generated is not None:
        answer["secret"] = generated
    if as_json:
        print_json(answer)
        return
    console.print(f"Source {answer['id']} ({kind}) {name!r} is added.", highlight=False)
    if generated is not None:
        console.print(
            f"Sign each POST /api/v1/hooks/{answer['id']} with this secret (shown once): {generated}",
            highlight=False,
            soft_wrap=True,
        )


@sources_app.command("poll")
def poll(
    source: Annotated[int | None, typer.Option("--source", help="Poll only this source (its id).")] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Poll each running source once now and stop (else: keep polling).")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds a channel may take to answer.")] = 30.0,
    as_json: Annotated[bool, typer.Option("--json", help="Answer with one JSON object.")] = False,
) -> None:
    """Fetch new mentions from the sources that poll (feeds, mailboxes, social searches)."""
    from ombuds.connectors.secrets import secret_box
    from ombuds.sources.scheduler import Scheduler, poll_all_once

    settings = get_settings()
    box = secret_box(settings.resolved_secret_key())
    with database(settings) as factory:
        if not once:
            console.print("Polling each source on its interval; Ctrl-C stops.")
            scheduler = Scheduler(factory, box=box, timeout=timeout)
            try:
                scheduler.run_forever()
            except KeyboardInterrupt:
                scheduler.stop()
            return
        try:
            outcomes = poll_all_once(factory, box=box, timeout=timeout, source_id=source)
        except OmbudsError as exc:
            raise fail(str(exc)) from exc
    if as_json:
        print_json({"sources": [outcome.as_json() for outcome in outcomes]})
    else:
        show_rows(
            [outcome.as_json() for outcome in outcomes], as_json=False, nothing="No running source polls."
        )
    if any(outcome.failure for outcome in outcomes):
        raise typer.Exit(1)


def _lag(value: timedelta | None) -> str | None:
    if value is None:
        return None
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _shown(kind_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """A source's settings as a person may see them: secrets read "set"."""
    from ombuds.connectors.registry import installed_kinds
    from ombuds.connectors.secrets import shown_config

    kind = installed_kinds().get(kind_name)
    return shown_config(kind, config) if kind is not None else dict(config)


@sources_app.command("list")
def list_sources(
    brand: Annotated[str | None, typer.Option("--brand", help="Only this brand's sources.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Answer with a JSON array.")] = False,
) -> None:
    """Every source with its health (last success, last error, failures, next poll, items per hour, lag)
    and its settings, secrets shown as "set"."""
    from ombuds.accounts.queries import get_brand_by_slug_or_raise
    from ombuds.sources.queries import list_health

    settings = get_settings()
    now = utcnow()
    try:
        with database(settings) as factory, factory() as session:
            brand_id = get_brand_by_slug_or_raise(session, brand).id if brand else None
            rows = []
            for health in list_health(session, brand_id=brand_id):
                source, state = health.source, health.state
                rows.append(
                    {
                        "id": source.id,
                        "name": source.name,
                        "kind": source.kind,
                        "state": "paused" if source.paused_at else "running",
                        "every_seconds": state.every_seconds if state else None,
                        "last_success_at": when(state.last_success_at) if state else None,
                        "last_error": state.last_error if state else None,
                        "last_error_at": when(state.last_error_at) if state else None,
                        "failures": state.consecutive_failures if state else 0,
                        "next_poll_at": when(state.next_poll_at) if state else None,
                        "items_per_hour": state.items_per_hour if state else None,
                        "lag": _lag(health.lag(now)),
                        "dead_letters": health.open_dead_letters,
                        "config": _shown(source.kind, source.config),
                    }
                )
    except OmbudsError as exc:
        raise fail(str(exc)) from exc
    show_rows(rows, as_json=as_json, nothing="No sources yet: add one with `ombuds source add`.")


def _set_paused(source_id: int, *, paused: bool) -> None:
    from ombuds.mentions.actions import set_source_paused
    from ombuds.mentions.models import Source

    settings = get_settings()
    with database(settings) as factory, factory.begin() as session:
        found = session.get(Source, source_id)
        if found is None:
            raise fail(f"source {source_id}: no such source")
        changed = set_source_paused(session, source=found, paused=paused, at=utcnow())
        name = found.name
    state = "paused" if paused else "running"
    console.print(f"Source {source_id} ({name}) is {state}{'' if changed else ' already'}.", highlight=False)


@sources_app.command("pause")
def pause(source_id: Annotated[int, typer.Argument(help="The source's id.")]) -> None:
    """Stop polling a source (a webhook source answers 503 until resumed)."""
    _set_paused(source_id, paused=True)


@sources_app.command("resume")
def resume(source_id: Annotated[int, typer.Argument(help="The source's id.")]) -> None:
    """Poll a paused source again."""
    _set_paused(source_id, paused=False)
