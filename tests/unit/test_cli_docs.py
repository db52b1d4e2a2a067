"""The command-line reference in docs/cli/ says what the commands really do today."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from ombuds.settings import Settings

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_cli_docs.py"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_has_a_current_reference_page(generator: ModuleType) -> None:
    stale = generator.stale_pages(generator.render_pages())
    assert not stale, (
        f"docs/cli/ is out of date for {stale}: run `make docs` "
        "(.venv/bin/python scripts/gen_cli_docs.py) and commit docs/cli/"
    )


def test_every_command_says_what_it_is_for(generator: ModuleType) -> None:
    silent = [" ".join(path) for path, command in generator.commands() if not generator.summary(command)]
    assert not silent, f"commands without a help text (give them a docstring): {silent}"


def test_the_index_links_every_command_page(generator: ModuleType) -> None:
    pages = generator.render_pages()
    index = pages["index.md"]
    for name in pages:
        if name != "index.md":
            assert f"]({name})" in index, f"index.md does not link {name}"


def test_every_setting_is_documented_with_its_variable(generator: ModuleType) -> None:
    page = generator.render_settings()
    undocumented = [name for name, field in Settings.model_fields.items() if not field.description]
    assert not undocumented, f"settings without a description: {undocumented}"
    for name in Settings.model_fields:
        assert f"`OMBUDS_{name.upper()}`" in page
    assert "`OMBUDS_ALERTS_SMTP_HOST`" in page, "alert delivery is configured with the other settings"
