"""Every CSV download defuses cells a spreadsheet would run as formulas."""

import pytest

from config.spreadsheets import csv_response, formula_safe, without_formula_guard
from tests.downloads import csv_rows


@pytest.mark.parametrize("text", ["=1+2", "+81-3", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_get_an_apostrophe_and_lose_it_on_import(text):
    assert formula_safe(text) == "'" + text
    assert without_formula_guard(formula_safe(text)) == text


@pytest.mark.parametrize("value", ["普通の文章", "'引用", "", 3, None, "a=b"])
def test_other_cells_are_left_alone(value):
    assert formula_safe(value) == value
    if isinstance(value, str):
        assert without_formula_guard(value) == value


def test_csv_response_is_excel_ready():
    def response():
        return csv_response("x.csv", ["見出し", "数"], [["=危険", 1], ["安全", -1]])

    assert response()["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert csv_rows(response()) == [["見出し", "数"], ["'=危険", "1"], ["安全", "-1"]]
