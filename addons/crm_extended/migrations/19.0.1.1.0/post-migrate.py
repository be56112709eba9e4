"""19.0.1.1.0: the API refuses NaN and Infinity; clean those stored before."""

from odoo.addons.crm_extended.tools.non_finite import clean_non_finite


def migrate(cr, version):
    if version:
        clean_non_finite(cr)
