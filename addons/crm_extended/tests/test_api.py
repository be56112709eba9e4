from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import mute_logger

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestApi(CrmExtendedCase):
    """The public API for external systems: customer upsert, historical order
    import, 360 summary, and the integration group's rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="crm_integration", name="Web Shop",
            groups="crm_extended.group_crm_extended_integration",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.product.default_code = "API-WIDGET"
        cls.service_product.default_code = "API-SERVICE"
        cls.Partner = cls.env["res.partner"]
        cls.past = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=40))

    def _order(self, ref, customer_ref, lines=None, **vals):
        return {
            "ref": ref, "customer_ref": customer_ref, "date_order": self.past,
            "lines": lines or [{"product_code": "API-SERVICE", "quantity": 2, "price_unit": 50.0}],
            **vals,
        }

    # ------------------------------------------------------------------
    # Customers
    # ------------------------------------------------------------------

    @users("crm_integration")
    def test_upsert_creates_then_updates_then_nothing(self):
        Partner = self.env["res.partner"]
        rows = [
            {"ref": "C-1", "name": "Shop One", "email": "one@example.com", "country_code": "us",
             "state_code": "ca", "city": "San Francisco"},
            {"ref": "C-2", "name": "Shop Two", "is_company": False},
        ]
        results = Partner.crm_api_upsert_customers(rows)
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        one = Partner.browse(results[0]["id"])
        self.assertEqual(one.crm_external_ref, "C-1")
        self.assertEqual(one.country_id, self.env.ref("base.us"))
        self.assertEqual(one.state_id, self.env.ref("base.state_us_5"))
        self.assertEqual(one.company_id, self.company)
        self.assertEqual(one.customer_rank, 1)
        # What create() would have given: defaults, computed columns, constraints.
        self.assertEqual(one.commercial_partner_id, one)
        self.assertEqual(one.complete_name, "Shop One")
        self.assertEqual(one.commercial_company_name, "Shop One")
        self.assertEqual(one.email_normalized, "one@example.com")
        self.assertEqual(one.lang, Partner.create({"name": "By create()"}).lang)
        self.assertEqual(one.type, "contact")
        self.assertTrue(one.active)
        self.assertTrue(one.is_company)
        self.assertFalse(Partner.browse(results[1]["id"]).is_company)

        again = Partner.crm_api_upsert_customers(rows)
        self.assertEqual([r["status"] for r in again], ["unchanged", "unchanged"])
        self.assertEqual([r["id"] for r in again], [r["id"] for r in results])

        changed = Partner.crm_api_upsert_customers([{"ref": "C-1", "city": "Shanghai", "email": ""}])
        self.assertEqual(changed[0]["status"], "updated")
        self.assertEqual(one.city, "Shanghai")
        self.assertFalse(one.email)
        self.assertEqual(one.name, "Shop One", "absent keys are left alone")
        self.assertEqual(Partner.search_count([("crm_external_ref", "in", ["C-1", "C-2"])]), 2)

    @users("crm_integration")
    def test_invalid_rows_change_nothing(self):
        Partner = self.env["res.partner"]
        Partner.crm_api_upsert_customers([{"ref": "K-1", "name": "Kept", "city": "Xi'an"}])
        rows = [
            {"ref": "K-1", "name": "Renamed", "email": "not-an-email"},
            {"ref": "", "name": "No ref"},
            {"ref": "K-2"},
            {"ref": "K-3", "name": "Bad country", "country_code": "XX"},
            {"ref": "K-4", "name": "Bad state", "country_code": "US", "state_code": "ZZ"},
            {"ref": "K-5", "name": 42},
            {"ref": "K-6", "name": "Typo", "emial": "x@example.com"},
            {"ref": "K-7", "name": "Good"},
            {"ref": "K-7", "name": "Twice"},
            "not a row",
            {"ref": "K-8", "name": "Flag", "is_company": "yes"},
        ]
        results = Partner.crm_api_upsert_customers(rows)
        statuses = [r["status"] for r in results]
        self.assertEqual(statuses, ["error"] * 7 + ["created"] + ["error"] * 3)
        messages = [r["message"] for r in results]
        self.assertIn("not-an-email is not a valid e-mail address", messages[0])
        self.assertIn("ref is required", messages[1])
        self.assertIn("name is required", messages[2])
        self.assertIn("Unknown country code XX", messages[3])
        self.assertIn("Unknown state code ZZ", messages[4])
        self.assertIn("name must be text", messages[5])
        self.assertIn("Unknown field(s): emial", messages[6])
        self.assertIn("more than once", messages[8])
        self.assertIn("mapping", messages[9])
        self.assertIn("is_company must be true or false", messages[10])
        kept = Partner.search([("crm_external_ref", "=", "K-1")])
        self.assertEqual((kept.name, kept.city), ("Kept", "Xi'an"))
        self.assertEqual(
            sorted(Partner.search([("crm_external_ref", "like", "K-")]).mapped("crm_external_ref")),
            ["K-1", "K-7"],
        )

    @users("crm_integration")
    def test_dry_run_writes_nothing(self):
        Partner = self.env["res.partner"]
        results = Partner.crm_api_upsert_customers([{"ref": "D-1", "name": "Dry"}], dry_run=True)
        self.assertEqual(results[0]["status"], "created")
        self.assertFalse(results[0]["id"])
        self.assertFalse(Partner.search([("crm_external_ref", "=", "D-1")]))

    def test_batch_argument_is_checked(self):
        with self.assertRaises(ValidationError):
            self.Partner.crm_api_upsert_customers("C-1")

    def test_external_ref_unique_per_company(self):
        company_b = self.env["res.company"].create({"name": "API Company B"})
        self.Partner.create({"name": "A", "crm_external_ref": "U-1", "company_id": self.company.id})
        # Another company may use the same reference for its own customer.
        self.Partner.create({"name": "B", "crm_external_ref": "U-1", "company_id": company_b.id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), \
                self.env.cr.savepoint():
            self.Partner.create({"name": "A2", "crm_external_ref": "U-1",
                                 "company_id": self.company.id})
        result = self.Partner.with_company(company_b).crm_api_upsert_customers(
            [{"ref": "U-1", "city": "Hangzhou"}])
        self.assertEqual(result[0]["status"], "updated")
        self.assertEqual(self.Partner.browse(result[0]["id"]).name, "B")

    # ------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------

    @users("crm_integration")
    def test_import_orders_is_idempotent(self):
        self.env["res.partner"].crm_api_upsert_customers([{"ref": "O-C1", "name": "Order Co"}])
        SaleOrder = self.env["sale.order"]
        orders = [
            self._order("SO-EXT-1", "O-C1", [
                {"product_code": "API-SERVICE", "quantity": 3, "price_unit": 10.0},
                {"product_code": "API-WIDGET", "quantity": 1, "description": "Blue widget"},
            ]),
            self._order("SO-EXT-2", "O-C1", state="sale", client_order_ref="PO-7"),
        ]
        results = SaleOrder.crm_api_import_orders(orders)
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        self.assertEqual([r["lines"] for r in results], [2, 1])
        first, second = SaleOrder.browse([r["id"] for r in results])
        self.assertEqual(first.state, "sale")
        self.assertTrue(first.locked)
        self.assertFalse(second.locked)
        self.assertEqual(second.client_order_ref, "PO-7")
        self.assertEqual(first.crm_external_ref, "SO-EXT-1")
        self.assertEqual(first.partner_id.crm_external_ref, "O-C1")
        self.assertEqual(fields.Datetime.to_string(first.date_order), self.past)
        self.assertEqual(first.order_line[0].price_subtotal, 30.0)
        self.assertEqual(first.order_line[1].price_unit, 100.0, "list price by default")
        self.assertEqual(first.order_line[1].name, "Blue widget")
        self.assertEqual(first.amount_untaxed, sum(first.order_line.mapped("price_subtotal")))
        self.assertTrue(first.name.startswith("S"))
        # The customer is classified from the imported history.
        self.assertEqual(first.partner_id.crm_order_count, 2)
        self.assertEqual(first.partner_id.crm_lifecycle_stage, "new")

        again = SaleOrder.crm_api_import_orders(orders)
        self.assertEqual([r["status"] for r in again], ["unchanged", "unchanged"])
        self.assertEqual([r["id"] for r in again], [r["id"] for r in results])
        self.assertEqual(SaleOrder.search_count([("crm_external_ref", "like", "SO-EXT-")]), 2)

    @users("crm_integration")
    def test_bad_orders_write_nothing(self):
        self.env["res.partner"].crm_api_upsert_customers([{"ref": "B-C1", "name": "Bad Co"}])
        future = fields.Datetime.to_string(fields.Datetime.now() + timedelta(days=2))
        orders = [
            self._order("B-1", "NOBODY"),
            self._order("B-2", "B-C1", [{"product_code": "NOPE", "quantity": 1}]),
            self._order("B-3", "B-C1", [{"product_code": "API-SERVICE", "quantity": "two"}]),
            self._order("B-4", "B-C1", [{"product_code": "API-SERVICE", "quantity": 0}]),
            self._order("B-5", "B-C1", date_order=future),
            self._order("B-6", "B-C1", date_order="yesterday"),
            {**self._order("B-7", "B-C1"), "lines": []},
            self._order("B-8", "B-C1", state="draft"),
            {"customer_ref": "B-C1", "date_order": self.past, "lines": []},
            self._order("B-9", "B-C1", [{"product_code": "API-SERVICE", "quantity": 1},
                                         {"product_code": "API-SERVICE", "qty": 1}]),
        ]
        results = self.env["sale.order"].crm_api_import_orders(orders)
        self.assertEqual({r["status"] for r in results}, {"error"})
        messages = [r["message"] for r in results]
        self.assertIn("Unknown customer NOBODY", messages[0])
        self.assertIn("unknown product NOPE", messages[1])
        self.assertIn("quantity must be a number", messages[2])
        self.assertIn("quantity must be a number greater than 0", messages[3])
        self.assertIn("in the future", messages[4])
        self.assertIn("is not a date", messages[5])
        self.assertIn("at least one line", messages[6])
        self.assertIn("state must be done or sale", messages[7])
        self.assertIn("ref is required", messages[8])
        self.assertIn("Line 2: unknown field(s) qty", messages[9])
        self.assertFalse(self.env["sale.order"].search([("partner_id.crm_external_ref", "=", "B-C1")]))

    def test_blacklisted_customer_orders_are_refused(self):
        self.Partner.crm_api_upsert_customers([{"ref": "BL-1", "name": "Blocked"}])
        customer = self.Partner.search([("crm_external_ref", "=", "BL-1")])
        customer.write({"crm_commercial_blacklist": True, "crm_blacklist_reason": "fraud"})
        result = self.env["sale.order"].crm_api_import_orders([self._order("BL-O", "BL-1")])
        self.assertEqual(result[0]["status"], "error")
        self.assertIn("commercial blacklist", result[0]["message"])

    @users("crm_salesman")
    def test_salesman_cannot_import_history(self):
        with self.assertRaises(AccessError):
            self.env["sale.order"].crm_api_import_orders([])

    # ------------------------------------------------------------------
    # Summary
    # ------------------------------------------------------------------

    @users("crm_integration")
    def test_summary_by_id_and_ref(self):
        Partner = self.env["res.partner"]
        Partner.crm_api_upsert_customers([{"ref": "S-1", "name": "Summary Co"}])
        self.env["sale.order"].crm_api_import_orders([self._order("S-O1", "S-1")])
        customer = Partner.search([("crm_external_ref", "=", "S-1")])
        contact = Partner.create({"name": "Summary Contact", "parent_id": customer.id})
        invoice = self.env["account.move"].sudo().create({
            "move_type": "out_invoice", "partner_id": customer.id,
            "invoice_line_ids": [Command.create({"product_id": self.service_product.id, "quantity": 1,
                                                 "price_unit": 80.0, "tax_ids": []})],
        })
        invoice.action_post()
        with self.assertQueryCount(crm_integration=5):
            summary = Partner.crm_api_customer_summary(
                partner_ids=[contact.id, 999999999], external_refs=["S-1", "S-404"])
        self.assertEqual(len(summary["customers"]), 1)
        row = summary["customers"][0]
        self.assertEqual(row["id"], customer.id)
        self.assertEqual(row["external_ref"], "S-1")
        self.assertEqual(row["order_count"], 1)
        self.assertEqual(row["lifecycle_stage"], "new")
        self.assertEqual(row["open_invoice_count"], 1)
        self.assertEqual(row["open_invoice_amount"], 80.0)
        self.assertIs(row["blacklisted"], False)
        self.assertEqual(summary["not_found"],
                         {"partner_ids": [999999999], "external_refs": ["S-404"]})
        with self.assertRaises(ValidationError):
            Partner.crm_api_customer_summary()
        with self.assertRaises(ValidationError):
            Partner.crm_api_customer_summary(partner_ids=["1"])
        only = Partner.crm_api_customer_summary(external_refs=["S-1"],
                                                keys=["value_grade", "lifecycle_stage"])
        self.assertEqual(only["customers"], [
            {"id": customer.id, "value_grade": row["value_grade"], "lifecycle_stage": "new"}])
        with self.assertRaises(ValidationError):
            Partner.crm_api_customer_summary(partner_ids=[customer.id], keys=["password"])

    # ------------------------------------------------------------------
    # The integration group: what it may not do
    # ------------------------------------------------------------------

    @users("crm_integration")
    def test_integration_user_limits(self):
        Partner = self.env["res.partner"]
        customer = Partner.create({"name": "Limits Co", "is_company": True})
        with self.assertRaises(AccessError):
            customer.write({"crm_commercial_blacklist": True, "crm_blacklist_reason": "x"})
        with self.assertRaises(AccessError):
            customer.write({"crm_value_grade": "a"})
        with self.assertRaises(AccessError):
            customer.unlink()
        with self.assertRaises(AccessError):
            Partner.crm_recompute_classification()
        with self.assertRaises(AccessError):
            self.env["account.move"].search([])
        with self.assertRaises(AccessError):
            self.env["res.users"].create({"name": "Intruder", "login": "intruder"})
        with self.assertRaises(AccessError):
            self.env.ref("base.group_system").sudo(False).write(
                {"user_ids": [(4, self.env.uid)]})
        with self.assertRaises(AccessError):
            self.env["crm.customer.tier"].create({"name": "Free Gold", "min_yearly_amount": 1})
        self.assertFalse(self.env.user.has_group("base.group_system"))
        self.assertFalse(self.env.user.has_group("sales_team.group_sale_salesman"))

    def test_shared_customer_is_found_not_duplicated(self):
        shared = self.Partner.create({"name": "Shared", "crm_external_ref": "SH-1",
                                      "company_id": False})
        result = self.Partner.crm_api_upsert_customers([{"ref": "SH-1", "city": "Suzhou"}])
        self.assertEqual((result[0]["status"], result[0]["id"]), ("updated", shared.id))
        self.assertEqual(shared.city, "Suzhou")

    def test_integration_user_stays_in_its_company(self):
        company_b = self.env["res.company"].create({"name": "API Company B2"})
        other = self.Partner.create({"name": "B only", "crm_external_ref": "MC-1",
                                     "company_id": company_b.id})
        Partner = self.Partner.with_user(self.integration)
        summary = Partner.crm_api_customer_summary(partner_ids=[other.id], external_refs=["MC-1"])
        self.assertEqual(summary["customers"], [])
        # Upserting the same reference makes a customer of its own company.
        result = Partner.crm_api_upsert_customers([{"ref": "MC-1", "name": "A's own"}])
        self.assertEqual(result[0]["status"], "created")
        self.assertNotEqual(result[0]["id"], other.id)
        self.assertEqual(other.name, "B only")
