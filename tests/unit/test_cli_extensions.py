"""Command groups from other packages join ``ombuds`` through entry points; the product never needs them."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import EntryPoint, entry_points

import pytest
import typer
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.cli.extensions import GROUP, add_command_groups


def _app_with_db_group() -> typer.Typer:
    product = typer.Typer()
    product.add_typer(typer.Typer(help="Database schema."), name="db")
    return product


def test_eval_and_bench_come_from_the_lab_through_entry_points() -> None:
    found = {entry.name: entry.value for entry in entry_points(group=GROUP)}
    assert found.get("eval", "").startswith("ombuds_lab.")
    assert found.get("bench", "").startswith("ombuds_lab.")
    runner = CliRunner()
    evaluate = runner.invoke(app, ["eval", "--help"], terminal_width=100)
    assert evaluate.exit_code == 0, evaluate.output
    for command in ("sentiment", "category", "promises"):
        assert command in evaluate.output
    bench = runner.invoke(app, ["bench", "enrichment", "--help"], terminal_width=100)
    assert bench.exit_code == 0, bench.output
    assert "--workers" in bench.output


def test_an_extension_that_cannot_be_imported_is_left_out_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    product = _app_with_db_group()
    broken = EntryPoint("broken", "ombuds_no_such_module:app", GROUP)
    assert add_command_groups(product, [broken]) == []
    warning = capsys.readouterr().err
    assert "'broken'" in warning
    assert "ombuds_no_such_module:app" in warning
    assert "ModuleNotFoundError" in warning


def test_an_extension_cannot_replace_a_product_command(capsys: pytest.CaptureFixture[str]) -> None:
    product = _app_with_db_group()
    impostor = EntryPoint("db", "ombuds_lab.cli.bench:app", GROUP)
    assert add_command_groups(product, [impostor]) == []
    assert "`ombuds db` already exists" in capsys.readouterr().err
    assert [group.name for group in product.registered_groups] == ["db"]


def test_an_extension_that_is_not_a_typer_app_is_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    product = _app_with_db_group()
    assert add_command_groups(product, [EntryPoint("version", "ombuds:__version__", GROUP)]) == []
    assert "not a typer.Typer" in capsys.readouterr().err


def test_an_extension_joins_under_its_entry_point_name() -> None:
    product = _app_with_db_group()
    assert add_command_groups(product, [EntryPoint("measure", "ombuds_lab.cli.bench:app", GROUP)]) == [
        "measure"
    ]
    result = CliRunner().invoke(product, ["measure", "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "enrichment" in result.output


def test_the_web_app_and_the_pipeline_run_without_loading_the_lab() -> None:
    probe = (
        "import sys, ombuds.web.app, ombuds.serve, ombuds.pipeline.runner_inline, ombuds.pipeline.replay; "
        "print(sorted(name for name in sys.modules if name.startswith('ombuds_lab')))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
