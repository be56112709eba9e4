from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_extended.tests.common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestClassificationReport(CrmExtendedCase):
    """The report shows what the classification wrote, per customer and company,
    and its Pareto figures agree with a direct computation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Second Meat Co"})
        cls.analyst = new_test_user(
            cls.env, login="crm_analyst", name="Analyst",
            groups="crm_analytics.group_crm_analytics_user",
        )
        cls.other_analyst = new_test_user(
            cls.env, login="crm_other_analyst", name="Other Company Analyst",
            groups="crm_analytics.group_crm_analytics_user",
            company_id=cls.other_company.id, company_ids=[cls.other_company.id],
        )
        cls.country = cls.env.ref("base.cn")
        cls.big = cls._crm_customer(
            "上海华东食品有限公司", country_id=cls.country.id, user_id=cls.salesman.id,
            crm_key_account="key", crm_account_manager_id=cls.manager.id,
        )
        cls.contact = cls.env["res.partner"].create({"name": "张伟", "parent_id": cls.big.id})
        cls.middle = cls._crm_customer("Northwind Traders Ltd", user_id=cls.salesman.id)
        cls.small = cls._crm_customer("Harbor Bistro")
        cls.smaller = cls._crm_customer("Emily Carter", is_company=False)
        cls.lost = cls._crm_customer("Blue Ridge Grill House")
        cls.potential = cls._crm_customer("杭州美味餐饮管理有限公司")
        cls.stranger = cls._crm_customer("Never Bought Anything Ltd")

        # Main company: 30,000 + 6,000 + 2,000 + 1,000 in the last 12 months.
        cls._crm_orders(cls.big, [(20, 18000), (80, 12000)])
        cls._crm_order(cls.contact, 0.0, days_ago=400)  # ordered through the contact
        cls._crm_order(cls.middle, 6000, days_ago=15)
        cls._crm_order(cls.small, 2000, days_ago=120)
        cls._crm_order(cls.smaller, 1000, days_ago=200)
        cls._crm_order(cls.lost, 5000, days_ago=500)
        cls.env["crm.lead"].create({
            "name": "Annual supply contract", "type": "opportunity",
            "partner_id": cls.potential.id, "company_id": cls.company.id,
        })
        # Second company: the big customer buys there too, a little.
        cls._crm_order(cls.big, 700, days_ago=10, company=cls.other_company)
        cls._crm_order(cls.small, 300, days_ago=10, company=cls.other_company)

        cls.lost.sudo().write({
            "crm_commercial_blacklist": True,
            "crm_blacklist_reason": "Unpaid invoices",
        })

    def setUp(self):
        super().setUp()
        self._crm_recompute(company=self.company)
        self._crm_recompute(company=self.other_company)
        self.big.with_company(self.company).sudo().crm_credit_rating = "aa"
        self.Report = self.env["crm.classification.report"]

    def _direct(self, company):
        """The classified commercial customers of ``company``, read from the
        partner fields the way a user of that company sees them."""
        partners = self.env["res.partner"].with_company(company).search(
            [("crm_lifecycle_stage", "!=", False)])
        return partners.filtered(lambda p: p.commercial_partner_id == p)

    def test_rows_match_the_classification(self):
        rows = self.Report.search([("company_id", "=", self.company.id)])
        direct = self._direct(self.company)
        self.assertEqual(rows.partner_id, direct)
        self.assertIn(self.potential, rows.partner_id)
        self.assertNotIn(self.contact, rows.partner_id, "contacts roll up to their company")
        self.assertNotIn(self.stranger, rows.partner_id)
        for row in rows:
            partner = row.partner_id.with_company(self.company)
            self.assertEqual(row.value_grade, partner.crm_value_grade)
            self.assertEqual(row.lifecycle_stage, partner.crm_lifecycle_stage)
            self.assertEqual(row.tier_id, partner.crm_tier_id)
            self.assertAlmostEqual(row.revenue_12m, partner.crm_revenue_12m, places=2)
            self.assertEqual(row.order_count_12m, partner.crm_order_count_12m)
            self.assertEqual(row.order_count, partner.crm_order_count)
            self.assertEqual(row.last_order_date, partner.crm_last_order_date)
            self.assertEqual(row.credit_rating, partner.crm_credit_rating)
            self.assertEqual(row.currency_id, self.company.currency_id)

        big = rows.filtered(lambda r: r.partner_id == self.big)
        self.assertEqual(big.user_id, self.salesman)
        self.assertEqual(big.account_manager_id, self.manager)
        self.assertEqual(big.country_id, self.country)
        self.assertTrue(big.is_key_account)
        self.assertEqual(big.key_account, "key")
        self.assertEqual(big.credit_rating, "aa")
        self.assertEqual(big.revenue_12m, 30000)
        self.assertEqual(big.tier_id, self.env.ref("crm_extended.crm_customer_tier_silver"))
        self.assertEqual(big.order_count, 3)
        lost = rows.filtered(lambda r: r.partner_id == self.lost)
        self.assertTrue(lost.is_blacklisted)
        self.assertEqual(lost.lifecycle_stage, "lost")
        self.assertEqual((lost.revenue_12m, lost.order_count_12m), (0, 0))
        self.assertEqual(rows.filtered("is_blacklisted").partner_id, self.lost)

    def test_counts_and_revenue_per_grade(self):
        groups = self.Report._read_group(
            [("company_id", "=", self.company.id)], ["value_grade"],
            ["__count", "revenue_12m:sum", "revenue_share:sum"])
        report = {grade: (count, revenue, share) for grade, count, revenue, share in groups}
        direct = self._direct(self.company)
        total = sum(direct.mapped("crm_revenue_12m"))
        self.assertEqual(total, 39000)
        expected = {}
        for partner in direct:
            count, revenue = expected.get(partner.crm_value_grade, (0, 0.0))
            expected[partner.crm_value_grade] = (count + 1, revenue + partner.crm_revenue_12m)
        self.assertEqual(set(report), set(expected))
        for grade, (count, revenue) in expected.items():
            self.assertEqual(report[grade][0], count, grade)
            self.assertAlmostEqual(report[grade][1], revenue, places=2)
            self.assertAlmostEqual(report[grade][2], revenue / total, places=4)
        # 30,000 and 6,000 make the first 80%: A; 2,000 the next 15%: B.
        self.assertEqual(report["a"][:2], (2, 36000))
        self.assertEqual(report["b"][:2], (1, 2000))
        stages = dict(self.Report._read_group(
            [("company_id", "=", self.company.id)], ["lifecycle_stage"], ["__count"]))
        self.assertEqual(stages["lost"], 1)
        self.assertEqual(stages["potential"], 1)
        self.assertEqual(sum(stages.values()), len(direct))

    def test_pareto_curve(self):
        rows = self.Report.search([("company_id", "=", self.company.id)])
        revenues = {row.partner_id: row.revenue_12m for row in rows}
        total = sum(revenues.values())
        for row in rows:
            at_least = [r for r in revenues.values() if r >= row.revenue_12m]
            larger = [r for r in revenues.values() if r > row.revenue_12m]
            self.assertEqual(row.pareto_rank, len(larger) + 1)
            self.assertAlmostEqual(row.cumulative_share, sum(at_least) / total, places=6)
            self.assertAlmostEqual(row.revenue_share, row.revenue_12m / total, places=6)
        ranked = rows.sorted("pareto_rank")
        self.assertEqual(ranked[:4].partner_id.ids,
                         [self.big.id, self.middle.id, self.small.id, self.smaller.id])
        self.assertAlmostEqual(ranked[0].cumulative_share, 30000 / 39000, places=6)
        self.assertAlmostEqual(ranked[1].cumulative_share, 36000 / 39000, places=6)
        # Customers without revenue share the last rank and close the curve at 100%.
        tail = rows.filtered(lambda r: not r.revenue_12m)
        self.assertEqual(tail.partner_id, self.lost | self.potential)
        self.assertEqual(set(tail.mapped("pareto_rank")), {5})
        self.assertEqual(set(tail.mapped("cumulative_share")), {1.0})
        top = self.Report.search([("company_id", "=", self.company.id),
                                  ("cumulative_share", "<=", 0.8), ("revenue_12m", ">", 0)])
        self.assertEqual(top.partner_id, self.big)

    def test_one_row_per_company(self):
        rows = self.Report.search([("partner_id", "=", self.big.id)])
        self.assertEqual(rows.company_id, self.company | self.other_company)
        other = rows.filtered(lambda r: r.company_id == self.other_company)
        self.assertEqual(other.revenue_12m, 700)
        self.assertEqual(other.order_count, 1)
        self.assertEqual(other.pareto_rank, 1)
        self.assertAlmostEqual(other.cumulative_share, 0.7, places=6)
        self.assertFalse(other.credit_rating, "the rating was set for the main company only")
        self.assertEqual(len(set(self.Report.search([]).ids)), self.Report.search_count([]))

    def test_access(self):
        # A salesperson without the analytics group cannot read the report.
        with self.assertRaises(AccessError):
            self.Report.with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            self.Report.with_user(self.salesman).check_access("read")
        # Analysts read it but never write.
        rows = self.Report.with_user(self.analyst).search([])
        self.assertTrue(rows)
        self.assertEqual(rows.company_id, self.company)
        with self.assertRaises(AccessError):
            self.Report.with_user(self.analyst).check_access("write")
        # A user of the second company sees that company's rows only.
        other_rows = self.Report.with_user(self.other_analyst).search([])
        self.assertEqual(other_rows.company_id, self.other_company)
        self.assertEqual(other_rows.partner_id, self.big | self.small)
        main_row = self.Report.search(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.big.id)])
        with self.assertRaises(AccessError):
            main_row.with_user(self.other_analyst).read(["revenue_12m"])
