"""The statistics' tests run without Odoo.

pytest-odoo, when installed, adds autouse fixtures that load an Odoo registry
for every session and need --odoo-database: here they do nothing (scoring/
imports no Odoo)."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="session", autouse=True)
def load_http():
    yield


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    yield
