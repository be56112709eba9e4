from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged, users

from ..tools import api_validation as check
from .common import CrmExtendedCase

NAN, INF = float("nan"), float("inf")


@tagged("post_install", "-at_install")
class TestApiValidation(CrmExtendedCase):
    """The shared checks of tools/api_validation and the HTTP 500s they closed:
    every refusal is a ValidationError naming the field, and writes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="crm_integration_v", name="Web Shop",
            groups="crm_extended.group_crm_extended_integration",
        )
        cls.service_product.default_code = "VAL-SERVICE"
        cls.customer = cls._crm_customer("Validated Customer", crm_external_ref="VAL-C1")
        # A fixed past date: the checks refuse future dates, whatever day it is.
        cls.past = "2026-01-15 10:00:00"

    def assertRefused(self, pattern, call, *args, **kwargs):
        with self.assertRaisesRegex(ValidationError, pattern):
            call(*args, **kwargs)

    # ------------------------------------------------------------
    # The helper itself
    # ------------------------------------------------------------

    def test_numbers(self):
        env = self.env
        self.assertEqual(check.number(env, 3, "quantity", positive=True), 3.0)
        self.assertEqual(check.number(env, 2.0, "count", integer=True), 2)
        for value, pattern in (
            (NAN, "quantity must be a finite number"),
            (INF, "quantity must be a finite number"),
            (-INF, "quantity must be a finite number"),
            (1e13, "at most 1e\\+12 in absolute value"),
            (-1e13, "at most 1e\\+12 in absolute value"),
            (True, "quantity must be a number, not True"),
            ("3", "quantity must be a number"),
            ([3], "quantity must be a number"),
            (0, "quantity must be greater than 0"),
            (-1, "quantity must be greater than 0"),
        ):
            with self.subTest(value=value):
                self.assertRefused(pattern, check.number, env, value, "quantity", positive=True)
        self.assertRefused("price_unit must be 0 or more", check.number, env, -0.5,
                           "price_unit", minimum=0)
        self.assertRefused("Line 2: quantity must be a finite number", check.number, env, NAN,
                           "quantity", where="Line 2")
        self.assertTrue(check.is_number(1e12))
        self.assertFalse(any(check.is_number(v) for v in (NAN, INF, 1e12 + 1, False, "1", None)))

    def test_integers_ids_texts_lists_dates(self):
        env = self.env
        self.assertEqual(check.integer(env, 2**31 - 1, "offset"), 2**31 - 1)
        self.assertRefused("offset must be between 0 and 2147483647", check.integer, env,
                           10**20, "offset")
        self.assertRefused("offset must be a whole number", check.integer, env, 1.5, "offset")
        self.assertRefused("offset must be a whole number", check.integer, env, True, "offset")
        self.assertRefused("must be a record id", check.record_id, env, 2**31, "customer_id")
        self.assertRefused("must be a record id", check.record_id, env, 0, "customer_id")
        self.assertEqual(check.text(env, "  Shop  ", "name"), "Shop")
        self.assertFalse(check.text(env, "  ", "name"))
        self.assertRefused("name is required", check.text, env, None, "name", required=True)
        self.assertRefused("name must not contain NUL", check.text, env, "a\x00b", "name")
        self.assertRefused("name is longer than 256", check.text, env, "x" * 257, "name")
        self.assertEqual(len(check.text(env, "x" * 65536, "note", size=check.TEXT_SIZE)), 65536)
        self.assertRefused("name must be text", check.text, env, ["a"], "name")
        self.assertRefused("partner_ids must be a list, not 5", check.id_list, env, 5,
                           "partner_ids")
        self.assertRefused("partner_ids must be a record id", check.id_list, env, ["abc"],
                           "partner_ids")
        self.assertRefused("refs must be a list of texts", check.text_list, env, [1], "refs")
        self.assertRefused("at most 10000 items", check.listing, env, [1] * 10001, "ids")
        self.assertEqual(check.date_value(env, "2024-02-29", "day").day, 29)
        for value in ("1899-12-31", "2101-01-01"):
            self.assertRefused("must be between 1900 and 2100", check.date_value, env, value,
                               "day")
        for value in ("2024-13-01", "soon", 20240101, "2024-01-01\x00"):
            self.assertRefused("is not a date", check.date_value, env, value, "day")
        self.assertEqual(check.echo("a\x00"), False)
        self.assertEqual(check.echo(2**40), False)
        self.assertEqual(check.echo("R-1"), "R-1")

    def test_domains(self):
        env, Partner = self.env, self.env["res.partner"]
        self.assertEqual(check.domain(env, [["id", "in", [1, 2]], "|", ["name", "=", "a"],
                                            ["name", "=", False]], Partner)[0], ["id", "in", [1, 2]])
        for domain, pattern in (
            ([["id", "in", "abc"]], "id must be a list"),
            ([["id", "=", "abc"]], "id must be compared with whole numbers"),
            ([["id", "in", [2**40]]], "whole numbers up to 2147483647"),
            ([["parent_id", "=", 2**40]], "whole numbers up to 2147483647"),
            ([["name", "ilike", "a\x00"]], "name must not contain NUL"),
            ([["create_date", ">", "1066-10-14"]], "must be between 1900 and 2100"),
            ([["credit_limit", ">", NAN]], "finite number"),
            ([["credit_limit", ">", "many"]], "must be compared with numbers"),
            ([["name", "=", {"a": 1}]], "is not a value a condition can compare with"),
            ([["id", "~", 1]], "unknown operator"),
            ([["id", "=", 1, 2]], "is not a condition"),
            ([42], "is not a condition"),
            ("[]", "domain must be a list"),
            ([["child_ids", "any", [["id", "=", "x"]]]], "child_ids condition 1"),
            ([["parent_id.id", "=", "abc"]], "parent_id.id must be compared with whole numbers"),
            ([["parent_id.child_ids", "any", [["id", "=", "x"]]]],
             "parent_id.child_ids condition 1"),
            ([["parent_id.create_date", "<", "1800-01-01"]], "between 1900 and 2100"),
        ):
            with self.subTest(domain=domain):
                self.assertRefused(pattern, check.domain, env, domain, Partner)
        nested = [["id", "=", 1]]
        for _level in range(7):
            nested = [["child_ids", "any", nested]]
        self.assertRefused("deeper than 5 levels", check.domain, env, nested, Partner)

    # ------------------------------------------------------------
    # The public methods (known HTTP 500s before)
    # ------------------------------------------------------------

    def _order(self, ref="VAL-O1", **line):
        return {"ref": ref, "customer_ref": "VAL-C1", "date_order": self.past,
                "lines": [{"product_code": "VAL-SERVICE", "quantity": 1, **line}]}

    @users("crm_integration_v")
    def test_import_orders_refuses_non_finite_numbers(self):
        Order = self.env["sale.order"]
        count = Order.search_count([])
        for line, field in (
            ({"quantity": NAN}, "quantity"),
            ({"quantity": INF}, "quantity"),
            ({"price_unit": INF}, "price_unit"),
            ({"price_unit": -INF}, "price_unit"),
            ({"price_unit": NAN}, "price_unit"),
            ({"quantity": 1e15}, "quantity"),
            ({"quantity": True}, "quantity"),
        ):
            with self.subTest(line=line):
                [result] = Order.crm_api_import_orders([self._order(**line)])
                self.assertEqual(result["status"], "error")
                self.assertIn(f"Line 1: {field}", result["message"])
        for order, message in (
            (dict(self._order(), ref="VAL\x00"), "ref must not contain NUL"),
            (dict(self._order(), date_order="1850-01-01"), "must be between 1900 and 2100"),
            (dict(self._order(), date_order="2999-01-01"), "is in the future"),
            (dict(self._order(), client_order_ref="PO\x00"), "client_order_ref must not"),
        ):
            [result] = Order.crm_api_import_orders([order])
            self.assertEqual(result["status"], "error")
            self.assertIn(message, result["message"])
            self.assertIsNot(result["ref"], "VAL\x00", "a NUL byte is not sent back")
        self.assertRefused("dry_run must be true or false", Order.crm_api_import_orders,
                           [self._order()], dry_run="no")
        self.assertEqual(Order.search_count([]), count, "nothing written")
        # The same order with sane values goes through.
        [result] = Order.crm_api_import_orders([self._order(quantity=2, price_unit=9.5)])
        self.assertEqual(result["status"], "created", result["message"])
        self.assertEqual(Order.browse(result["id"]).amount_untaxed, 19.0)

    @users("crm_integration_v")
    def test_upsert_refuses_nul_and_long_text(self):
        Partner = self.env["res.partner"]
        count = Partner.with_context(active_test=False).search_count([])
        results = Partner.crm_api_upsert_customers([
            {"ref": "VAL-N1", "name": "Nul\x00Shop"},
            {"ref": "VAL-N2", "name": "x" * 300},
            {"ref": "VAL-N3\x00", "name": "Shop"},
            {"ref": "VAL-N4", "name": "Shop", "city": "c" * 257},
        ])
        self.assertEqual([r["status"] for r in results], ["error"] * 4)
        self.assertIn("name must not contain NUL", results[0]["message"])
        self.assertIn("name is longer than 256", results[1]["message"])
        self.assertIn("ref must not contain NUL", results[2]["message"])
        self.assertFalse(results[2]["ref"])
        self.assertIn("city is longer than 256", results[3]["message"])
        self.assertEqual(Partner.with_context(active_test=False).search_count([]), count)

    def test_summary_refuses_scalars_for_lists(self):
        Partner = self.env["res.partner"].with_user(self.salesman)
        self.assertRefused("partner_ids must be a list, not 7", Partner.crm_api_customer_summary,
                           partner_ids=7)
        self.assertRefused("external_refs must be a list, not 7",
                           Partner.crm_api_customer_summary, external_refs=7)
        self.assertRefused("partner_ids must be a record id", Partner.crm_api_customer_summary,
                           partner_ids=[2**40])
        self.assertRefused("external_refs must not contain NUL",
                           Partner.crm_api_customer_summary, external_refs=["a\x00"])
        self.assertRefused("keys must be a list of summary keys",
                           Partner.crm_api_customer_summary, partner_ids=[self.customer.id],
                           keys=[["name"]])
        summary = Partner.crm_api_customer_summary(partner_ids=[self.customer.id], keys=["name"])
        self.assertEqual(summary["customers"], [{"id": self.customer.id,
                                                 "name": "Validated Customer"}])

    def test_complaint_api_refuses_nul_bytes_and_huge_ids(self):
        Complaint = self.env["crm.complaint"].with_user(self.salesman)
        count = Complaint.search_count([])
        for values, pattern in (
            ({"subject": "Broken\x00", "customer_id": self.customer.id},
             "subject must not contain NUL"),
            ({"subject": "Broken", "customer_id": 2**40}, "customer_id must be a record id"),
            ({"subject": "Broken", "customer_id": self.customer.id, "category": 2**40},
             "category must be a record id"),
            ({"subject": "Broken", "customer_id": self.customer.id,
              "description": "d" * 70000}, "description is longer than 65536"),
            ({"subject": "Broken", "customer_ref": "VAL\x00"}, "customer_ref must not"),
            ({"subject": NAN, "customer_id": self.customer.id}, "subject must be text"),
        ):
            with self.subTest(values=values):
                self.assertRefused(pattern, Complaint.crm_api_create_complaint, values)
        self.assertEqual(Complaint.search_count([]), count)
        complaint = Complaint.crm_api_create_complaint(
            {"subject": "Broken", "customer_id": self.customer.id})
        record = Complaint.browse(complaint["id"])
        self.assertRefused("stage must be a record id", record.crm_api_update, stage=2**40)
        self.assertRefused("message must not contain NUL", record.crm_api_update,
                           message="hi\x00")
        self.assertRefused("message_type must be one of", record.crm_api_update,
                           message="hi", message_type=["note"])
        self.assertRefused("ids must be a record id", Complaint.browse(2**40).crm_api_update,
                           message="hi")
        self.assertEqual(record.message_ids.filtered(lambda m: m.body and "hi" in m.body),
                         self.env["mail.message"])

    def test_orm_writes_refuse_non_finite_numbers(self):
        """The plain ORM is public too: NaN and Infinity are refused on the
        modules' numbers and on the order lines, before anything is stored."""
        complaint = self.env["crm.complaint"].with_user(self.salesman).create(
            {"name": "Numbers", "partner_id": self.customer.id})
        with self.assertRaisesRegex(ValidationError, "must be a finite number, not nan"):
            complaint.write({"compensation_cost": NAN})
        with self.assertRaisesRegex(ValidationError, "at most 1e\\+12"):
            complaint.write({"compensation_cost": 1e13})
        complaint.write({"compensation_cost": 120.5})
        self.assertEqual(complaint.compensation_cost, 120.5)
        Order = self.env["sale.order"].with_user(self.salesman)
        with self.assertRaisesRegex(ValidationError, "must be a finite number, not inf"):
            Order.create({"partner_id": self.customer.id, "order_line": [
                fields.Command.create({"product_id": self.service_product.id,
                                       "product_uom_qty": 1, "price_unit": INF})]})
        # A company-dependent number (jsonb): NaN is not even valid JSON.
        partner = self.customer.with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "must be a finite number"):
            partner.write({"crm_overdue_amount": NAN})
            partner.flush_recordset()
        self.assertEqual(self.customer.crm_overdue_amount, 0.0)
