"""The spreadsheet dashboards crm_analytics ships are the ones tools/gen_dashboards.py
writes: an edit of the JSON by hand, or of the script without regenerating, fails
here. Plain Python, no server."""

import json
import os

import pytest

from tools import gen_dashboards

FILES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                     "addons", "crm_analytics", "data", "files")


@pytest.mark.parametrize("name", sorted(gen_dashboards.dashboards()))
def test_shipped_dashboard_is_generated(name):
    with open(os.path.join(FILES, name), encoding="utf-8") as shipped:
        text = shipped.read()
    generated = gen_dashboards.dashboards()[name]
    # The data first, for a readable difference; then byte for byte.
    assert json.loads(text) == json.loads(generated), (
        f"{name} differs from tools/gen_dashboards.py: run `python3 -m tools.gen_dashboards`")
    assert text == generated


def test_every_shipped_dashboard_is_generated():
    shipped = {name for name in os.listdir(FILES) if name.endswith("_dashboard.json")}
    assert shipped == set(gen_dashboards.dashboards())
