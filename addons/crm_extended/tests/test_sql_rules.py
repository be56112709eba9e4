"""The SQL helpers crm_extended offers its dependants (tools/company_values.py,
tools/revenue.py) against the ORM: what one writes the other reads, and the
revenue rule counts what the orders say."""

from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import SQL

from ..tools.company_values import (
    company_value,
    company_value_differs,
    company_value_exists,
    company_value_set,
)
from ..tools.revenue import confirmed_orders, posted_refunds
from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestSqlRules(CrmExtendedCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "SQL Rules Co"})
        cls.third_company = cls.env["res.company"].create({"name": "SQL Rules Third"})
        cls.customer = cls._crm_customer("SQL Rules Customer")

    def _read(self, expression):
        self.env.flush_all()
        return self.env.execute_query(SQL(
            "SELECT %s FROM res_partner p WHERE p.id = %s", expression, self.customer.id,
        ))[0][0]

    def test_company_value_reads_what_the_orm_wrote(self):
        Partner = self.customer.sudo()
        Partner.with_company(self.company).crm_value_grade = "a"
        Partner.with_company(self.other_company).crm_value_grade = "c"
        Partner.with_company(self.company).crm_order_count = 7
        self.assertEqual(self._read(company_value("p", "crm_value_grade", self.company.id)), "a")
        self.assertEqual(
            self._read(company_value("p", "crm_value_grade", str(self.other_company.id))), "c")
        # The company given row by row, as the reports join res_company.
        self.assertEqual(self._read(company_value(
            "p", "crm_value_grade", SQL("%s::int", self.other_company.id))), "c")
        self.assertIsNone(self._read(company_value("p", "crm_value_grade",
                                                   self.third_company.id)))
        self.assertEqual(self._read(company_value("p", "crm_order_count", self.company.id,
                                                  "int", 0)), 7)
        self.assertEqual(self._read(company_value("p", "crm_order_count",
                                                  self.third_company.id, "int", 0)), 0)
        self.assertTrue(self._read(company_value_exists("p", "crm_value_grade",
                                                        self.other_company.id)))
        self.assertFalse(self._read(company_value_exists("p", "crm_value_grade",
                                                         self.third_company.id)))

    def test_company_value_set_writes_what_the_orm_reads(self):
        Partner = self.customer.sudo()
        Partner.with_company(self.other_company).crm_value_grade = "c"
        self.env.flush_all()

        def update(value, company):
            self.env.cr.execute(SQL(
                "UPDATE res_partner p SET %s WHERE p.id = %s",
                company_value_set("crm_value_grade", company.id, value, alias="p"),
                self.customer.id,
            ))
            self.customer.invalidate_recordset(["crm_value_grade"])

        self.assertTrue(self._read(company_value_differs(
            "p", "crm_value_grade", self.company.id, SQL("'b'::text"))))
        update(SQL("'b'::text"), self.company)
        self.assertEqual(Partner.with_company(self.company).crm_value_grade, "b")
        # The other company's value is left alone.
        self.assertEqual(Partner.with_company(self.other_company).crm_value_grade, "c")
        self.assertFalse(self._read(company_value_differs(
            "p", "crm_value_grade", self.company.id, SQL("'b'::text"))))
        # NULL removes the company's key: no value, as the ORM stores none.
        update(SQL("NULL::text"), self.company)
        self.assertFalse(Partner.with_company(self.company).crm_value_grade)
        self.assertFalse(self._read(company_value_exists("p", "crm_value_grade",
                                                         self.company.id)))
        self.assertEqual(Partner.with_company(self.other_company).crm_value_grade, "c")

    def test_confirmed_orders_are_the_revenue_rule(self):
        contact = self.env["res.partner"].create({
            "name": "SQL Rules Buyer", "parent_id": self.customer.id})
        confirmed = self._crm_orders(self.customer, [(30, 100.0), (5, 250.0)])
        by_contact = self._crm_order(contact, 40.0, days_ago=10)
        self._crm_order(self.customer, 999.0, days_ago=3, confirm=False)  # a quotation
        self._crm_order(self.customer, 500.0, days_ago=20, company=self.other_company)
        # An order at another rate counts in company currency: 90 at 1.5 is 60.
        foreign = self._crm_order(self.customer, 90.0, days_ago=15)
        foreign.currency_rate = 1.5  # as if confirmed in a currency at 1.5
        self.env.flush_all()
        rows = self.env.execute_query(SQL(
            "SELECT order_id, partner_id, amount FROM (%s) o WHERE o.partner_id = %s",
            confirmed_orders(self.company.id), self.customer.id,
        ))
        amounts = {order_id: float(amount) for order_id, partner_id, amount in rows}
        self.assertEqual({partner_id for _o, partner_id, _a in rows}, {self.customer.id})
        self.assertEqual(amounts, {
            confirmed[0].id: 100.0, confirmed[1].id: 250.0, by_contact.id: 40.0,
            foreign.id: 60.0,
        })
        # Dates: from included, to excluded.
        rows = self.env.execute_query(SQL(
            "SELECT order_id FROM (%s) o WHERE o.partner_id = %s",
            confirmed_orders(self.company.id, date_from=self._crm_datetime(15),
                             date_to=self._crm_datetime(5)),
            self.customer.id,
        ))
        self.assertEqual({row[0] for row in rows}, {by_contact.id, foreign.id})
        # Every company without a company filter.
        rows = self.env.execute_query(SQL(
            "SELECT DISTINCT company_id FROM (%s) o WHERE o.partner_id = %s",
            confirmed_orders(), self.customer.id,
        ))
        self.assertEqual({row[0] for row in rows}, {self.company.id, self.other_company.id})

    def test_posted_refunds_take_off_revenue(self):
        self._crm_refund(self.customer, 30.0, days_ago=4)
        self._crm_refund(self.customer, 20.0, days_ago=40)
        rows = self.env.execute_query(SQL(
            "SELECT SUM(amount) FROM (%s) r WHERE r.partner_id = %s",
            posted_refunds(self.company.id, date_from=self.today - timedelta(days=10),
                           date_to=self.today + timedelta(days=1)),
            self.customer.id,
        ))
        self.assertEqual(float(rows[0][0]), -30.0)
