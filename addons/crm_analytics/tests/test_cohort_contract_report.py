from collections import defaultdict
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_extended.tests.common_service_contract import ServiceContractCase


@tagged("post_install", "-at_install")
class TestCohortReport(ServiceContractCase):
    """Cohort retention figures agree with a direct computation from the orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Cohort Other Co"})
        cls.analyst = new_test_user(
            cls.env, login="crm_cohort_analyst", name="Analyst",
            groups="crm_analytics.group_crm_analytics_user")
        first = cls.today.replace(day=1)

        def at(months_ago, day=10):
            date = first - relativedelta(months=months_ago) + timedelta(days=day - 1)
            return datetime.combine(date, datetime.min.time()).replace(hour=10)
        cls.at = staticmethod(at)
        cls.alpha = cls._crm_customer("Cohort Alpha Foods")
        cls.beta = cls._crm_customer("Cohort Beta Bistro")
        cls.gamma = cls._crm_customer("Cohort Gamma 餐饮")
        contact = cls.env["res.partner"].create({"name": "王芳", "parent_id": cls.gamma.id})
        plan = [  # (partner, months ago, amount)
            (cls.alpha, 6, 100.0), (cls.alpha, 6, 50.0), (cls.alpha, 5, 200.0),
            (cls.alpha, 3, 300.0),
            (cls.beta, 6, 1000.0), (cls.beta, 4, 80.0),
            (contact, 5, 400.0), (cls.gamma, 4, 20.0),
        ]
        for partner, months_ago, amount in plan:
            order = cls._crm_orders(partner, [(0, amount)])
            order.date_order = at(months_ago)
        cls._crm_orders(cls.beta, [(0, 999.0)], confirm=False)  # a quotation
        order = cls._crm_orders(cls.alpha, [(0, 77.0)], company=cls.other_company)
        order.date_order = at(1)
        # A materialized view: what the nightly job does.
        cls.env["crm.cohort.report"]._crm_refresh()

    def _direct(self, company):
        orders = self.env["sale.order"].search(
            [("state", "=", "sale"), ("company_id", "=", company.id)])
        months = defaultdict(lambda: [0, 0.0])  # (customer, month) -> orders, revenue
        for order in orders:
            key = (order.partner_id.commercial_partner_id.id,
                   order.date_order.date().replace(day=1))
            months[key][0] += 1
            months[key][1] += order.amount_untaxed
        cohort = {}
        for customer, month in months:
            cohort[customer] = min(cohort.get(customer, month), month)
        cells = defaultdict(lambda: [0, 0, 0.0])
        for (customer, month), (count, revenue) in months.items():
            start = cohort[customer]
            since = (month.year - start.year) * 12 + month.month - start.month
            cell = cells[(start, since)]
            cell[0] += 1
            cell[1] += count
            cell[2] += revenue
        return {key: (customers, orders_, revenue, customers / cells[(key[0], 0)][0])
                for key, (customers, orders_, revenue) in cells.items()}

    def test_cells_match_direct_computation(self):
        self.env.flush_all()
        rows = self.env["crm.cohort.report"].search([("company_id", "=", self.company.id)])
        report = {(r.cohort_month, r.months_since):
                  (r.customer_count, r.order_count, r.revenue, r.retention_rate) for r in rows}
        direct = self._direct(self.company)
        self.assertEqual(set(report), set(direct))
        for key, expected in direct.items():
            self.assertEqual(report[key][:2], expected[:2], key)
            self.assertAlmostEqual(report[key][2], expected[2], places=2, msg=key)
            self.assertAlmostEqual(report[key][3], expected[3], places=4, msg=key)
        # The cohort of 6 months ago: alpha and beta (2), alpha back 1 and 3 months
        # later, beta 2 months later; gamma (ordered through its contact) starts later.
        cohort = self.at(6).date().replace(day=1)
        self.assertEqual(report[(cohort, 0)][:3], (2, 3, 1150.0))
        self.assertEqual(report[(cohort, 1)][:3], (1, 1, 200.0))
        self.assertEqual(report[(cohort, 1)][3], 0.5)
        self.assertEqual(report[(cohort, 2)][:3], (1, 1, 80.0))
        gamma = self.at(5).date().replace(day=1)
        self.assertEqual(report[(gamma, 0)][:3], (1, 1, 400.0))
        self.assertEqual(report[(gamma, 1)][3], 1.0)
        for row in rows.filtered(lambda r: r.cohort_month == cohort):
            self.assertEqual(row.cohort_size, 2)

    def test_refresh_now(self):
        """New orders show after a refresh (nightly, or the manager's button),
        and only then; the refresh time is on every row."""
        Report = self.env["crm.cohort.report"]
        newcomer = self._crm_customer("Cohort Newcomer")
        self._crm_orders(newcomer, [(0, 60.0)])
        this_month = self.today.replace(day=1)
        before = Report.search([("company_id", "=", self.company.id),
                                ("cohort_month", "=", this_month), ("months_since", "=", 0)])
        self.assertEqual(sum(before.mapped("customer_count")),
                         self._direct(self.company)[(this_month, 0)][0] - 1,
                         "not in the report before the refresh")
        # The view holds every company's cells: analysts wait for the nightly
        # refresh, managers may refresh now.
        with self.assertRaises(AccessError):
            Report.with_user(self.analyst).action_crm_refresh()
        action = Report.with_user(self.manager).action_crm_refresh()
        self.assertEqual(action["tag"], "soft_reload")
        after = Report.search([("company_id", "=", self.company.id),
                               ("cohort_month", "=", this_month), ("months_since", "=", 0)])
        self.assertEqual(after.customer_count, self._direct(self.company)[(this_month, 0)][0])
        # Every row says when the cells were computed: by this refresh.
        self.assertTrue(after.refreshed_at)
        self.assertEqual(set(Report.search([]).mapped("refreshed_at")), {after.refreshed_at})
        with self.assertRaises(AccessError):
            Report.with_user(self.salesman).action_crm_refresh()

    def test_first_pivot_level_and_companies(self):
        Report = self.env["crm.cohort.report"].with_user(self.analyst)
        groups = Report.formatted_read_group(
            [("months_since", "=", 0)], ["cohort_month:month"], ["customer_count:sum"])
        direct = self._direct(self.company)
        self.assertEqual(sum(g["customer_count:sum"] for g in groups),
                         sum(v[0] for (_c, since), v in direct.items() if since == 0))
        self.assertEqual(Report.search([]).company_id, self.company,
                         "the analyst only sees the companies they work in")
        other = Report.sudo().search([("company_id", "=", self.other_company.id)])
        self.assertEqual(other.mapped("customer_count"), [1])
        with self.assertRaises(AccessError):
            self.env["crm.cohort.report"].with_user(self.salesman).search([])


@tagged("post_install", "-at_install")
class TestContractReport(ServiceContractCase):
    """Contract figures agree with a direct computation from the contracts and visits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.analyst = new_test_user(
            cls.env, login="crm_contract_analyst", name="Analyst",
            groups="crm_analytics.group_crm_analytics_user")

    def setUp(self):
        super().setUp()
        now = fields.Datetime.now()
        self.running = self._contract(start=self.today - timedelta(days=60), included_visits=4,
                                      included_hours=10.0, visit_interval_months=0)
        self.running.visit_ids.unlink()
        self.Visit.create([
            {"contract_id": self.running.id, "date": now - timedelta(days=20), "duration": 2.0},
            {"contract_id": self.running.id, "date": now - timedelta(days=10), "duration": 1.5},
            {"contract_id": self.running.id, "date": now - timedelta(days=5)},
            {"contract_id": self.running.id, "date": now + timedelta(days=30)},
            {"contract_id": self.running.id, "date": now - timedelta(days=3)},
        ])
        visits = self.running.visit_ids.sorted("date")
        visits[:2].write({"state": "done"})
        visits[3].write({"state": "cancelled"})
        self.expiring = self._contract(partner=self.other_customer, visit_interval_months=0)
        self.expiring.sudo().state = "expiring"
        start = self.today - relativedelta(years=2)
        self.old = self._contract(start=start, visit_interval_months=0, activate=False)
        self.old.sudo().state = "expired"
        self.renewal = self._contract(start=start + relativedelta(years=1), activate=False,
                                      visit_interval_months=0, previous_contract_id=self.old.id)
        self.renewal.sudo().state = "expired"
        self.draft = self._contract(activate=False, partner=self.other_customer)

    def _direct(self, contract):
        now = fields.Datetime.now()
        done = contract.visit_ids.filtered(lambda v: v.state == "done")
        due = contract.visit_ids.filtered(
            lambda v: v.state == "done" or (v.state == "planned" and v.date < now))
        renewed = contract.state == "renewed" or bool(
            contract.renewal_ids.filtered(lambda c: c.state != "cancelled"))
        return {
            "active_count": int(contract.state in ("active", "expiring")),
            "expiring_count": int(contract.state == "expiring"),
            "renewal_due_count": int(contract.state in ("expiring", "expired", "renewed")
                                     or renewed),
            "renewed_count": int(renewed),
            "used_visits": len(done),
            "used_hours": sum(done.mapped("duration")),
            "visits_due": len(due),
            "visits_done": len(done),
            "visits_overdue": len(due - done),
            "visit_completion": len(done) / len(due) if due else False,
            "visit_consumption": (len(done) / contract.included_visits
                                  if contract.included_visits else False),
            "fee_amount": contract.fee_amount,
            "partner_id": contract.partner_id.commercial_partner_id,
        }

    def test_rows_match_direct_computation(self):
        self.env.flush_all()
        contracts = self.running | self.expiring | self.old | self.renewal | self.draft
        rows = self.env["crm.contract.report"].search([("contract_id", "in", contracts.ids)])
        self.assertEqual(rows.contract_id, contracts)
        for row in rows:
            for name, expected in self._direct(row.contract_id).items():
                if isinstance(expected, float):
                    self.assertAlmostEqual(row[name], expected, places=4, msg=name)
                else:
                    self.assertEqual(row[name], expected, f"{row.contract_id.name} {name}")
        running = rows.filtered(lambda r: r.contract_id == self.running)
        # 5 visits: 2 done (3.5 h), 1 cancelled, 1 in the future, 1 planned in the past.
        self.assertEqual((running.visits_done, running.visits_due, running.visits_overdue),
                         (2, 3, 1))
        self.assertAlmostEqual(running.visit_completion, 2 / 3)
        self.assertAlmostEqual(running.visit_consumption, 0.5)
        self.assertAlmostEqual(running.used_hours, 3.5)
        old = rows.filtered(lambda r: r.contract_id == self.old)
        self.assertEqual((old.renewal_due_count, old.renewed_count, old.renewal_rate), (1, 1, 1.0))

    def test_first_pivot_level(self):
        self.env.flush_all()
        contracts = self.running | self.expiring | self.old | self.renewal | self.draft
        Report = self.env["crm.contract.report"].with_user(self.analyst)
        groups = Report.formatted_read_group(
            [("contract_id", "in", contracts.ids)], ["state"],
            ["__count", "active_count:sum", "renewal_due_count:sum", "renewed_count:sum",
             "renewal_rate:avg", "fee_amount:sum"])
        by_state = {g["state"]: g for g in groups}
        self.assertEqual(by_state["active"]["active_count:sum"], 1)
        self.assertEqual(by_state["expiring"]["active_count:sum"], 1)
        self.assertEqual(by_state["draft"]["active_count:sum"], 0)
        # Renewals due: expiring (not renewed), old (renewed), renewal (expired, not renewed).
        due = sum(g["renewal_due_count:sum"] for g in groups)
        renewed = sum(g["renewed_count:sum"] for g in groups)
        self.assertEqual((due, renewed), (3, 1))
        total = Report.formatted_read_group(
            [("contract_id", "in", contracts.ids)], [], ["renewal_rate:avg", "fee_amount:sum"])
        self.assertAlmostEqual(total[0]["renewal_rate:avg"], 1 / 3, places=4)
        self.assertAlmostEqual(total[0]["fee_amount:sum"], sum(contracts.mapped("fee_amount")))
        with self.assertRaises(AccessError):
            self.env["crm.contract.report"].with_user(self.salesman).search([])
