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

import pytest

from tools.common import dev_config


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    if (config.getoption("odoo_database", None) and not config.getoption("odoo_config", None)
            and not os.environ.get("ODOO_RC") and not os.environ.get("OPENERP_SERVER")):
        config.option.odoo_config = dev_config()
    yield
