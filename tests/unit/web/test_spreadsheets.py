"""Cells a spreadsheet would run as formulas are exported as text."""

from __future__ import annotations

import csv
import io

import pytest

from ombuds.web.spreadsheets import SpreadsheetWriter, safe_cell


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("https://evil.example")'],
)
def test_text_that_starts_like_a_formula_gets_a_leading_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Bags arrive with you", "", "a=b", " =1", 0.42, -0.3, 12, None])
def test_plain_text_and_numbers_pass_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_the_writer_escapes_every_cell_and_keeps_numbers() -> None:
    out = io.StringIO()
    writer = SpreadsheetWriter(out)

    writer.writerow(["=cmd|' /C calc'!A0", -0.25, "fine"])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=cmd|' /C calc'!A0", "-0.25", "fine"]]
