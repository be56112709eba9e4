from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged, users

from odoo.addons.crm_extended.tests.common import CrmExtendedCase

from .test_customer_score_as_of import AS_OF_DAYS_AGO, HISTORIES


@tagged("post_install", "-at_install")
class TestScoreBacktestReport(CrmExtendedCase):
    """The back-test report an analyst runs from CRM > Reporting: the same
    numbers as crm_api_score_backtest, kept under a name, grouped by repeat
    purchases before the date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.analyst = new_test_user(
            cls.env, login="crm_analyst", name="Analyst",
            groups="crm_analytics.group_crm_analytics_user",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.customers = {}
        for ref, history in HISTORIES.items():
            cls.customers[ref] = cls._crm_customer(f"Back-Test {ref}", crm_external_ref=ref)
            cls._crm_orders(cls.customers[ref], history)
        cls.as_of = cls.today - timedelta(days=AS_OF_DAYS_AGO)
        cls.env["crm.customer.score"]._crm_score_company(cls.company)

    @users("crm_analyst")
    def test_analyst_runs_a_backtest(self):
        form = Form(self.env["crm.score.backtest"])
        form.name = "Last quarter"
        form.as_of = self.as_of
        form.horizon_days = 90
        backtest = form.save()
        self.assertEqual(backtest.until, self.as_of + timedelta(days=90))
        action = backtest.action_run()
        self.assertEqual(action["res_model"], "crm.score.backtest.report")
        api = self.env["crm.customer.score"].with_user(self.manager).crm_api_score_backtest(
            self.as_of.isoformat(), 90)
        summary = api["summary"]
        self.assertEqual(backtest.state, "done")
        self.assertEqual(backtest.customers, summary["customers"])
        self.assertAlmostEqual(backtest.predicted_purchases, summary["predicted_purchases"],
                               places=4)
        self.assertEqual(backtest.actual_purchases, summary["actual_purchases"])
        self.assertAlmostEqual(backtest.mae_purchases, summary["mae_purchases"], places=3)
        self.assertAlmostEqual(backtest.actual_spend, summary["actual_spend"], places=2)
        self.assertAlmostEqual(backtest.mae_spend, summary["mae_spend"], places=2)
        # Per customer, by hand (as in the API test): AS-0 bought on two days
        # for 1,200 after the date; AS-1 nothing; AS-5 was no customer yet.
        lines = {line.partner_id: line for line in backtest.line_ids}
        self.assertNotIn(self.customers["AS-5"], lines)
        as_0 = lines[self.customers["AS-0"]]
        # AS-0's orders before the date: 400, 300, 200 days ago: 2 repeats.
        self.assertEqual((as_0.repeat_purchases, as_0.repeat_group), (2, "2"))
        self.assertEqual((as_0.actual_purchases, as_0.actual_spend), (2, 1200.0))
        self.assertAlmostEqual(as_0.error_purchases, abs(as_0.predicted_purchases - 2))
        self.assertEqual(lines[self.customers["AS-1"]].actual_purchases, 0)
        # The graph's data: per group of repeat purchases, predicted and
        # actual side by side; the actual totals add up.
        Report = self.env["crm.score.backtest.report"]
        groups = Report.formatted_read_group(
            [("backtest_id", "=", backtest.id)], ["repeat_group", "kind"],
            ["purchases_total:sum", "purchases:avg", "__count"])
        actual = sum(g["purchases_total:sum"] for g in groups if g["kind"] == "actual")
        predicted = sum(g["purchases_total:sum"] for g in groups if g["kind"] == "predicted")
        self.assertEqual(actual, summary["actual_purchases"])
        self.assertAlmostEqual(predicted, summary["predicted_purchases"], places=3)
        two = [g for g in groups if g["repeat_group"] == "2" and g["kind"] == "actual"]
        self.assertEqual(two[0]["__count"], sum(1 for line in lines.values()
                                                if line.repeat_group == "2"))
        # Run again: the lines are replaced, not added.
        count = len(backtest.line_ids)
        backtest.action_run()
        self.assertEqual(len(backtest.line_ids), count)

    @users("crm_analyst")
    def test_defaults_run_as_they_are(self):
        """A new back-test with nothing changed runs: the latest period whose
        outcome is known, a year back with a year's horizon, until today."""
        # On the day the histories were made (a run across midnight stays so).
        with freeze_time(self.today):
            backtest = Form(self.env["crm.score.backtest"]).save()
            self.assertEqual((backtest.as_of, backtest.horizon_days, backtest.until),
                             (self.today - timedelta(days=365), 365, self.today))
            backtest.action_run()
        self.assertEqual(backtest.state, "done")
        # AS-0 bought before and after the date: scored and compared.
        self.assertIn(self.customers["AS-0"], backtest.line_ids.partner_id)

    @users("crm_analyst")
    def test_bad_periods_are_refused(self):
        Backtest = self.env["crm.score.backtest"]
        for vals in (
            {"as_of": self.today, "horizon_days": 1},
            {"as_of": self.as_of, "horizon_days": AS_OF_DAYS_AGO + 1},
            {"as_of": self.as_of, "horizon_days": 0},
            {"as_of": self.as_of, "horizon_days": -30},
            {"as_of": self.as_of, "horizon_days": 10**6},
            {"as_of": "1850-01-01", "horizon_days": 30},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                Backtest.create(dict(vals, name="Bad"))
        self.assertFalse(Backtest.search([("name", "=", "Bad")]))

    def test_rights_and_companies(self):
        with self.assertRaises(AccessError):
            self.env["crm.score.backtest"].with_user(self.salesman).create(
                {"name": "No", "as_of": self.as_of, "horizon_days": 30})
        other = self.env["res.company"].create({"name": "Back-Test Company B"})
        theirs = self.env["crm.score.backtest"].with_company(other).create(
            {"name": "Theirs", "as_of": self.as_of, "horizon_days": 30, "company_id": other.id})
        self.assertFalse(self.env["crm.score.backtest"].with_user(self.analyst).search(
            [("id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            self.env["crm.score.backtest.line"].with_user(self.analyst).create(
                {"backtest_id": theirs.id, "partner_id": self.customers["AS-0"].id})
