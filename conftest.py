"""Repository-wide pytest settings.

The add-ons' own tests run in Odoo's runner (``python3 tools/dev.py test``) and
can also be picked one by one with pytest-odoo, as Odoo developers do::

    pytest --odoo-database=DB addons/crm_extended/tests/test_complaint_sla.py -k pause

Without ``--odoo-config`` (or ``ODOO_RC``) pytest-odoo would start Odoo with its
default addons path, where these add-ons are not: the project's odoo.conf plus
the development add-ons (var/odoo-dev.conf: a database made by tools/dev.py has
the demo data generator installed) is the default here.
"""

import os
import sys
import types

import pytest

from tools.common import dev_config

ROOT = os.path.dirname(os.path.abspath(__file__))
# Add-ons with plain-Python tests (no Odoo): crm_analytics/scoring/tests.
PLAIN_PYTHON_ADDONS = ("crm_analytics",)


def _register_addon_namespaces():
    """pytest imports a test module with its parent packages, and sets up each
    package on the way: for ``addons/crm_analytics/scoring/tests`` that is
    ``crm_analytics.scoring`` (plain Python) and ``crm_analytics``, whose
    ``__init__`` loads Odoo models (importable only as ``odoo.addons.<name>``).
    The add-on is registered as a bare namespace of its directory instead, so
    that ``pytest addons/crm_analytics/scoring`` runs without Odoo. At import:
    pytest loads this file before the conftest files below it. pytest-odoo
    (``--odoo-database``) imports the add-ons as ``odoo.addons.<name>`` and
    never uses these."""
    for name in PLAIN_PYTHON_ADDONS:
        module = types.ModuleType(name)
        module.__path__ = [os.path.join(ROOT, "addons", name)]
        sys.modules.setdefault(name, module)


_register_addon_namespaces()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    if (config.getoption("odoo_database", None) and not config.getoption("odoo_config", None)
            and not os.environ.get("ODOO_RC") and not os.environ.get("OPENERP_SERVER")):
        config.option.odoo_config = dev_config()
    yield
