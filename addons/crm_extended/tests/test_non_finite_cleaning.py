import importlib.util
import math

from odoo.tests import tagged
from odoo.tools import SQL
from odoo.tools.misc import file_path

from ..tools.non_finite import clean_non_finite
from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestNonFiniteCleaning(CrmExtendedCase):
    """The 19.0.1.1.0 migration: NaN and Infinity stored by older versions are
    cleaned so that sums and searches work again; finite values stay."""

    def _corrupt(self):
        """Orders and a customer as an old import could leave them. Written with
        SQL on purpose: the ORM now refuses these values, and the rows stand for
        data an older version stored (no parity with the ORM to keep)."""
        customer = self._crm_customer("Corrupted Customer")
        clean = self._crm_customer("Clean Customer")
        bad, good = self._crm_orders(customer, [(3, 100.0), (2, 250.0)])
        self.env.flush_all()
        key = str(self.company.id)
        cr = self.env.cr
        cr.execute(SQL("UPDATE sale_order_line SET price_unit = 'NaN', product_uom_qty = "
                       "'Infinity' WHERE order_id = %s", bad.id))
        cr.execute(SQL("UPDATE sale_order SET amount_total = '-Infinity', amount_untaxed = 'NaN' "
                       "WHERE id = %s", bad.id))
        cr.execute(SQL(
            "UPDATE res_partner SET crm_revenue_12m = jsonb_build_object(%s, 'NaN'::text, "
            "'999999', 12.5) WHERE id = %s", key, customer.id))
        cr.execute(SQL("UPDATE res_partner SET crm_revenue_12m = jsonb_build_object(%s, 40.0) "
                       "WHERE id = %s", key, clean.id))
        self.env.invalidate_all()
        return customer, clean, bad, good

    def test_cleaning_function(self):
        customer, clean, bad, good = self._corrupt()
        Order = self.env["sale.order"]
        self.assertTrue(math.isnan(bad.amount_untaxed), "the corruption is real")
        # The administrator is told, in the server log, what was repaired.
        with self.assertLogs("odoo.addons.crm_extended.tools.non_finite", "WARNING") as logs:
            cleaned = clean_non_finite(self.env.cr)
        self.assertIn("in sale_order.amount_total", "\n".join(logs.output))
        self.env.invalidate_all()
        self.assertEqual(cleaned["sale_order.amount_total"], 1)
        self.assertEqual(cleaned["sale_order_line.price_unit"], 1)
        self.assertEqual(cleaned["res_partner.crm_revenue_12m"], 1)
        self.assertEqual(bad.amount_total, 0.0)
        self.assertEqual(bad.order_line.price_unit, 0.0)
        self.assertEqual(good.amount_untaxed, 250.0, "finite values are left alone")
        key = str(self.company.id)
        revenue = dict(self.env.execute_query(SQL(
            "SELECT id, crm_revenue_12m FROM res_partner WHERE id IN %s",
            (customer.id, clean.id))))
        self.assertEqual(revenue[customer.id], {"999999": 12.5}, "the other key stays")
        self.assertEqual(revenue[clean.id], {key: 40.0})
        # Sums and searches behave again.
        [[total]] = Order._read_group([("id", "in", (bad | good).ids)], [],
                                      ["amount_untaxed:sum"])
        self.assertEqual(total, 250.0)
        self.assertEqual(Order.search([("id", "in", (bad | good).ids),
                                       ("amount_untaxed", ">", 100)]), good)
        self.assertEqual(clean_non_finite(self.env.cr), {}, "a second run finds nothing")

    def test_migration_scripts_clean(self):
        self._corrupt()
        with self.assertLogs("odoo.addons.crm_extended.tools.non_finite", "WARNING"):
            for module in ("crm_extended", "crm_analytics"):
                path = file_path(f"{module}/migrations/19.0.1.1.0/post-migrate.py")
                spec = importlib.util.spec_from_file_location(f"{module}_post_migrate", path)
                script = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(script)
                script.migrate(self.env.cr, "19.0.1.0.0")
        [[remaining]] = self.env.execute_query(SQL(
            "SELECT COUNT(*) FROM sale_order WHERE amount_total::text = ANY(%s) "
            "OR amount_untaxed::text = ANY(%s)", ["NaN", "Infinity", "-Infinity"],
            ["NaN", "Infinity", "-Infinity"]))
        self.assertEqual(remaining, 0)
