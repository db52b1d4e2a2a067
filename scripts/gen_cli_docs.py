"""Write docs/cli/: one Markdown page per ``ombuds`` command, taken from its ``--help``, and settings.md.

The pages are reference generated from the code, so they cannot drift from it: the test
``tests/unit/test_cli_docs.py`` fails when a command changed and the pages were not regenerated.

    .venv/bin/python scripts/gen_cli_docs.py          # rewrite docs/cli/
    .venv/bin/python scripts/gen_cli_docs.py --check  # exit 1 and name the stale pages
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer.main
import typer.rich_utils
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli"
WIDTH = 100
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
GENERATED = "Generated from `ombuds {command} --help` by `scripts/gen_cli_docs.py`; do not edit by hand."


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every visible command under ``command`` with its path of names, groups before their members."""
    yield path, command
    members = getattr(command, "commands", None)
    if not members:
        return
    for name in sorted(members):
        member = members[name]
        if not getattr(member, "hidden", False):
            yield from walk(member, (*path, name))


def commands() -> list[tuple[tuple[str, ...], Any]]:
    """The leaf commands of the ``ombuds`` app (the ones that do something), by path."""
    root = typer.main.get_command(app)
    return [
        (path, command) for path, command in walk(root) if path and not getattr(command, "commands", None)
    ]


def groups() -> list[tuple[tuple[str, ...], Any]]:
    root = typer.main.get_command(app)
    return [(path, command) for path, command in walk(root) if getattr(command, "commands", None)]


@contextmanager
def plain_rich_output() -> Iterator[None]:
    """Fixed width and no colours whatever the terminal or CI says; restored afterwards."""
    names = ("MAX_WIDTH", "FORCE_TERMINAL", "COLOR_SYSTEM")
    saved = {name: getattr(typer.rich_utils, name) for name in names}
    typer.rich_utils.MAX_WIDTH = WIDTH
    typer.rich_utils.FORCE_TERMINAL = False
    typer.rich_utils.COLOR_SYSTEM = None
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(typer.rich_utils, name, value)


def help_text(path: tuple[str, ...]) -> str:
    """``ombuds PATH --help`` as a plain, fixed-width text, the same on every machine."""
    with plain_rich_output():
        result = CliRunner().invoke(
            app,
            [*path, "--help"],
            prog_name="ombuds",
            env={"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"},
            terminal_width=WIDTH,
        )
    if result.exit_code != 0:
        raise RuntimeError(f"`ombuds {' '.join(path)} --help` failed:\n{result.output}")
    lines = [line.rstrip() for line in ANSI.sub("", result.output).splitlines()]
    return "\n".join(lines).strip("\n")


def summary(command: Any) -> str:
    text = (getattr(command, "help", None) or getattr(command, "short_help", None) or "").strip()
    return text.split("\n\n")[0].replace("\n", " ").strip()


def page_name(path: tuple[str, ...]) -> str:
    return "-".join(path) + ".md"


def render_pages() -> dict[str, str]:
    """File name → content of every page docs/cli/ should hold."""
    pages: dict[str, str] = {}
    for path, command in commands():
        name = " ".join(path)
        pages[page_name(path)] = (
            f"# ombuds {name}\n\n{summary(command)}\n\n```text\n{help_text(path)}\n```\n\n"
            f"{GENERATED.format(command=name)}\n"
        )
    pages["index.md"] = render_index()
    pages["settings.md"] = render_settings()
    return pages


def render_settings() -> str:
    """Every field of ``Settings`` with its environment variable, default and description."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    lines = [
        "# Settings",
        "",
        "Ombuds reads its settings from the environment when a command starts; nothing else",
        "configures it. Unset variables take the default.",
        "",
        "| variable | default | what it does |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if "shown_default" in extra:  # computed per machine: described, not printed
            default = str(extra["shown_default"])
        else:
            default = "(unset)" if field.default is None else f"`{field.default}`"
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{prefix}{name.upper()}` | {default} | {description} |")
    lines += [
        "",
        GENERATED.format(command="...").replace("`ombuds ... --help`", "`ombuds.settings.Settings`"),
    ]
    return "\n".join(lines) + "\n"


def render_index() -> str:
    lines = [
        "# Command-line reference",
        "",
        "Every `ombuds` command, one page each, generated from its `--help`.",
        "Settings come from the environment (`OMBUDS_DATA_DIR`, `OMBUDS_DATABASE_URL`, ...): see",
        "[every setting](settings.md).",
        "",
    ]
    leaves = commands()
    for group_path, group in groups():
        members = [(path, command) for path, command in leaves if path[:-1] == group_path]
        if not members:
            continue
        title = "ombuds " + " ".join(group_path) if group_path else "ombuds"
        lines += [f"## {title}", ""]
        if group_path:
            lines += [summary(group), ""]
        lines += [
            f"* [`ombuds {' '.join(path)}`]({page_name(path)}): {summary(command)}"
            for path, command in members
        ]
        lines.append("")
    lines.append(GENERATED.format(command="...").replace("`ombuds ... --help`", "each command's `--help`"))
    return "\n".join(lines) + "\n"


def stale_pages(pages: dict[str, str]) -> list[str]:
    """Pages that differ from what is written, are missing, or describe a command that is gone."""
    present = {path.name for path in DOCS.glob("*.md")} if DOCS.exists() else set()
    changed = [
        name for name, text in pages.items() if name not in present or (DOCS / name).read_text() != text
    ]
    gone = sorted(present - set(pages))
    return sorted(changed) + gone


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="report stale pages instead of writing")
    args = parser.parse_args(argv)
    pages = render_pages()
    stale = stale_pages(pages)
    if args.check:
        for name in stale:
            print(f"stale: docs/cli/{name}")
        return 1 if stale else 0
    DOCS.mkdir(parents=True, exist_ok=True)
    for name in stale:
        if name in pages:
            (DOCS / name).write_text(pages[name])
        else:
            (DOCS / name).unlink()
        print(f"wrote docs/cli/{name}" if name in pages else f"removed docs/cli/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
