"""19.0.1.1.0: scores computed from orders holding NaN or Infinity stored them
too (crm_customer_score, its snapshots and aggregates): clean them."""

from odoo.addons.crm_extended.tools.non_finite import clean_non_finite


def migrate(cr, version):
    if version:
        clean_non_finite(cr)
