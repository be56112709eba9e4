"""Rendering of results as text, JSON and CSV."""

import csv
import io
import json

from crm_client.output import render

ROWS = [
    {"id": 7, "name": "ACME, Inc.", "grade": "A", "blacklisted": False, "revenue_12m": 12345.5},
    {"id": 8, "name": "Zeta", "grade": None, "blacklisted": True, "revenue_12m": 0.0},
]


def rendered(result, fmt, columns=None):
    stream = io.StringIO()
    render(result, fmt, stream, columns)
    return stream.getvalue()


def test_text_table_is_aligned():
    lines = rendered(ROWS, "text").splitlines()
    assert lines[0].split() == ["id", "name", "grade", "blacklisted", "revenue_12m"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].startswith("7   ACME, Inc.  A")
    assert "ACME, Inc." in lines[2] and "12,345.50" in lines[2] and "no" in lines[2]
    assert "yes" in lines[3]
    # every column starts at the same offset on every line
    start = lines[0].index("grade")
    assert lines[2][start] == "A"


def test_text_record_and_empty_list():
    text = rendered({"id": 7, "reason": None}, "text")
    assert text == "id      7\nreason  \n"
    assert rendered([], "text") == "(no records)\n"


def test_json_keeps_types():
    assert json.loads(rendered(ROWS, "json")) == ROWS


def test_csv_quotes_and_column_order():
    text = rendered(ROWS, "csv", columns=["name", "id", "grade"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "id", "grade"], ["ACME, Inc.", "7", "A"], ["Zeta", "8", ""]]
    assert rendered({"id": 7}, "csv") == "id\n7\n"
