from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged, users

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestApiProducts(CrmExtendedCase):
    """product.template.crm_api_import_products as the integration user:
    upsert by internal reference, vendors, and refused values writing
    nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="crm_products", name="ERP Products",
            groups="crm_extended.group_crm_extended_integration",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.category = cls.env["product.category"].create({"name": "Sync Spares"})
        cls.vendor = cls._crm_customer("Spare Vendor", crm_external_ref="V-1")
        cls.kg = cls.env.ref("uom.product_uom_kgm")

    def _products(self, refs):
        return self.env["product.template"].with_context(active_test=False).search(
            [("default_code", "in", refs)])

    @users("crm_products")
    def test_create_update_unchanged(self):
        Template = self.env["product.template"]
        rows = [
            {"ref": "SP-1", "name": "Valve", "price": 12.5, "cost": 7.0,
             "category": "Sync Spares", "uom": "kg", "type": "goods",
             "supplier_ref": "V-1", "supplier_price": 6.5},
            {"ref": "SP-2", "name": "Repair hour", "price": 80, "type": "service"},
        ]
        results = Template.crm_api_import_products(rows)
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        valve = Template.browse(results[0]["id"]).sudo()
        self.assertEqual((valve.default_code, valve.list_price, valve.standard_price),
                         ("SP-1", 12.5, 7.0))
        self.assertEqual((valve.categ_id, valve.uom_id, valve.type),
                         (self.category, self.kg, "consu"))
        self.assertEqual(valve.seller_ids.partner_id, self.vendor)
        self.assertEqual(valve.seller_ids.price, 6.5)
        self.assertEqual(Template.browse(results[1]["id"]).type, "service")
        again = Template.crm_api_import_products(rows)
        self.assertEqual([r["status"] for r in again], ["unchanged", "unchanged"])
        changed = Template.crm_api_import_products([{"ref": "SP-1", "price": 13.0,
                                                     "supplier_ref": "V-1",
                                                     "supplier_price": 6.0}])
        self.assertEqual(changed[0]["status"], "updated")
        self.assertEqual((valve.list_price, valve.name, len(valve.seller_ids),
                          valve.seller_ids.price), (13.0, "Valve", 1, 6.0))
        # The historical order import finds the product by its reference.
        self.assertEqual(self.env["product.product"].search(
            [("default_code", "=", "SP-1")]).product_tmpl_id, valve)

    @users("crm_products")
    def test_bad_values_write_nothing(self):
        Template = self.env["product.template"]
        bad_rows = [
            {"ref": "BAD-1", "name": "Nan", "price": float("nan")},
            {"ref": "BAD-2", "name": "Inf", "cost": float("inf")},
            {"ref": "BAD-3", "name": "Huge", "price": 1e300},
            {"ref": "BAD-4", "name": "Negative", "price": -1},
            {"ref": "BAD-5", "name": "Nul\x00"},
            {"ref": "BAD-6", "name": "Text price", "price": "12"},
            {"ref": "BAD-7", "name": "Bool price", "price": True},
            {"ref": "BAD-8", "name": "Kind", "type": "combo"},
            {"ref": "BAD-9", "name": "Unknown", "colour": "red"},
            {"ref": "BAD-10", "name": "Category", "category": "No Such Category"},
            {"ref": "BAD-11", "name": "Unit", "uom": "parsec"},
            {"ref": "BAD-12", "name": "Vendor", "supplier_ref": "NOBODY"},
            {"ref": "BAD-13"},
            {"ref": "x" * 65, "name": "Long ref"},
            {"ref": 12, "name": "Int ref"},
            {"name": "No ref"},
            {"ref": "BAD-14", "name": "Price only", "supplier_price": 3.0},
            {"ref": "BAD-15", "name": "x" * 300},
            "not a dict",
        ]
        results = Template.crm_api_import_products(bad_rows)
        self.assertEqual({r["status"] for r in results}, {"error"})
        self.assertTrue(all(r["message"] for r in results))
        self.assertFalse(self._products([f"BAD-{n}" for n in range(1, 16)]))
        for value in (None, "rows", [{}] * 10001):
            with self.assertRaises(ValidationError):
                Template.crm_api_import_products(value)
        with self.assertRaises(ValidationError):
            Template.crm_api_import_products([], dry_run="yes")

    @users("crm_products")
    def test_categories_and_units_found_once_per_call(self):
        """A file names the same category and unit on every row: each is
        searched once per call (not once a row), and a bad one is refused on
        every row that names it."""
        Template = self.env["product.template"]

        def queries(rows):
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            results = Template.crm_api_import_products(rows, dry_run=True)
            return self.env.cr.sql_log_count - before, results

        plain, _results = queries([{"ref": f"PLAIN-{n}", "name": f"Plain {n}"}
                                   for n in range(20)])
        named, results = queries(
            [{"ref": f"LOOK-{n}", "name": f"Look {n}", "category": "sync spares", "uom": "kg"}
             for n in range(20)]
            + [{"ref": f"LOOK-BAD-{n}", "name": "Bad", "category": "No Such Category"}
               for n in range(2)])
        # Searched once a row, the same file takes 31 queries more than the
        # plain one; searched once per call, fewer.
        self.assertLess(named - plain, 10)
        self.assertEqual([r["status"] for r in results], ["created"] * 20 + ["error"] * 2)
        self.assertEqual(results[-1]["message"], results[-2]["message"])
        self.assertIn("No Such Category", results[-1]["message"])

    @users("crm_products")
    def test_dry_run_and_duplicates(self):
        Template = self.env["product.template"]
        results = Template.crm_api_import_products(
            [{"ref": "DRY-1", "name": "Dry"}, {"ref": "DRY-1", "name": "Twice"}], dry_run=True)
        self.assertEqual([r["status"] for r in results], ["created", "error"])
        self.assertFalse(self._products(["DRY-1"]))

    def test_other_users_may_not(self):
        with self.assertRaises(AccessError):
            self.env["product.template"].with_user(self.salesman).crm_api_import_products(
                [{"ref": "NO-1", "name": "No"}])
        self.assertFalse(self._products(["NO-1"]))
