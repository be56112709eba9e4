"""The add-ons' own tests can be picked one by one with pytest-odoo, the way
Odoo developers do (README, "Run one module test"), on the suite's database."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_pick_one_module_test_with_pytest_odoo(odoo_server):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"--odoo-database={odoo_server.db}",
         "addons/crm_extended/tests/test_complaint_sla.py", "-k", "pause"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # One test selected by -k, run in-process by pytest-odoo, and passed.
    assert re.search(r"^1 passed, \d+ deselected", output, re.M), output[-3000:]
