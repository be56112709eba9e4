import json
import math
from datetime import timedelta

import numpy as np

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from odoo.addons.crm_extended.tests.common import CrmExtendedCase

from ..scoring import btyd

# Days ago of each customer's orders; the as-of date is 100 days ago, so the
# orders of the last 100 days must not count.
HISTORIES = {
    "AS-0": [(400, 100.0), (300, 120.0), (200, 80.0), (50, 500.0), (10, 700.0)],
    "AS-1": [(380, 200.0), (250, 210.0), (120, 190.0)],
    "AS-2": [(350, 50.0), (340, 60.0), (20, 900.0)],
    "AS-3": [(500, 300.0), (150, 320.0), (110, 310.0), (105, 305.0)],
    "AS-4": [(260, 80.0), (30, 90.0)],
    "AS-5": [(60, 400.0), (5, 400.0)],  # a customer only after the as-of date
    "AS-6": [(450, 150.0), (420, 140.0), (200, 160.0), (130, 170.0)],
}
AS_OF_DAYS_AGO = 100


@tagged("post_install", "-at_install")
class TestCustomerScoreAsOf(CrmExtendedCase):
    """crm_api_score_as_of: the scores as of a past date equal those of a
    database holding only the history up to that date, and nothing stored
    changes; crm_api_score_model and the per-call forecast horizon of
    crm_api_read_scores."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.customer.score"]
        cls.customers = {}
        cls.orders = cls.env["sale.order"]
        for ref, history in HISTORIES.items():
            partner = cls._crm_customer(f"As Of {ref}", crm_external_ref=ref)
            cls.customers[ref] = partner
            cls.orders |= cls._crm_orders(partner, history)
        cls.as_of = cls.today - timedelta(days=AS_OF_DAYS_AGO)
        cls.Score._crm_score_company(cls.company)
        cls.config = cls.env["crm.score.config"]._get_for_company(cls.company)

    def _stored_state(self):
        scores = self.Score.search([("company_id", "=", self.company.id)])
        self.env.cr.execute(
            "SELECT as_of, watermark FROM crm_customer_score_aggregate_state WHERE company_id = %s",
            [self.company.id])
        state = self.env.cr.fetchone()
        self.env.cr.execute(
            "SELECT partner_id, first_day, last_day, purchase_days FROM crm_customer_score_aggregate "
            "WHERE company_id = %s ORDER BY partner_id", [self.company.id])
        aggregate = self.env.cr.fetchall()
        return (
            scores.read(["partner_id", "value_score", "p_alive", "expected_purchases",
                         "computed_at", "recency_days"]),
            self.config.read(["bgnbd_r", "bgnbd_alpha", "gamma_p", "fitted_at", "fit_as_of"]),
            state, aggregate,
        )

    def _as_of_rows(self, answer):
        return {row[0]: dict(zip(answer["columns"], row, strict=True)) for row in answer["rows"]}

    @users("crm_manager")
    def test_as_of_equals_a_history_cut_at_that_date(self):
        before = self._stored_state()
        answer = self.env["crm.customer.score"].crm_api_score_as_of(
            self.as_of.isoformat(), horizon_days=180)
        self.assertEqual(answer["as_of"], self.as_of.isoformat())
        self.assertEqual((answer["horizon_days"], answer["time_unit"]), (180, "days"))
        rows = self._as_of_rows(answer)
        ours = {ref: rows.get(partner.id) for ref, partner in self.customers.items()}
        # A customer whose first order is after the date is no customer yet.
        self.assertIsNone(ours["AS-5"])
        # x, t_x and T by hand for AS-0: purchase days 400, 300, 200 days ago
        # count (50 and 10 do not), T from the first purchase to the date.
        self.assertEqual((ours["AS-0"]["repeat_purchases"], ours["AS-0"]["t_x_days"],
                          ours["AS-0"]["T_days"], ours["AS-0"]["recency_days"]),
                         (2, 200, 300, 100))
        self.assertEqual(ours["AS-0"]["frequency"], 3)
        self.assertAlmostEqual(ours["AS-0"]["monetary"], 300.0, places=2)
        # The forecast is the fitted model's, at the requested horizon.
        model = answer["model"]
        params = btyd.BGNBDParams(**model["bgnbd"])
        self.assertAlmostEqual(
            ours["AS-1"]["expected_purchases"],
            float(btyd.expected_purchases(params, 180, np.array([2.0]), np.array([260.0]),
                                          np.array([280.0]))[0]), places=5)
        self.assertAlmostEqual(ours["AS-1"]["predicted_spend"],
                               ours["AS-1"]["expected_purchases"]
                               * ours["AS-1"]["expected_avg_value"], places=3)
        self.assertLess(model["bgnbd_log_likelihood"], 0)
        # Nothing stored changed: scores, fit, purchase aggregate.
        self.assertEqual(self._stored_state(), before)

        # The same scores from a database holding only the orders up to the
        # date: the later ones cancelled, a full run dated at the as-of day.
        later = self.orders.sudo().filtered(lambda o: o.date_order.date() > self.as_of)
        self.assertTrue(later)
        with self.env.cr.savepoint():
            later.write({"state": "cancel"})
            # ... and no earlier fit to start from (the as-of fit starts fresh).
            self.config.sudo().write({"bgnbd_r": 0.0, "gamma_p": 0.0})
            self.env["crm.customer.score"].sudo().with_context(
                crm_score_today=self.as_of)._crm_score_company(self.company, rebuild=True)
            stored = {s.partner_id.id: s for s in self.env["crm.customer.score"].sudo().search(
                [("company_id", "=", self.company.id)])}
            self.assertEqual(set(stored), set(rows))
            fitted = self.config.sudo()
            for name, value in model["bgnbd"].items():
                self.assertAlmostEqual(fitted[f"bgnbd_{name}"] / value, 1.0, places=6)
            for name, value in model["gamma_gamma"].items():
                self.assertAlmostEqual(fitted[f"gamma_{name}"] / value, 1.0, places=6)
            for partner_id, row in rows.items():
                score = stored[partner_id]
                self.assertEqual((row["rfm_code"], row["rfm_segment"], row["churn_risk"],
                                  row["recency_days"], row["frequency"]),
                                 (score.rfm_code, score.rfm_segment, score.churn_risk,
                                  score.recency_days, score.frequency))
                self.assertAlmostEqual(row["value_score"], score.value_score, places=1)
                self.assertAlmostEqual(row["p_alive"], score.p_alive, places=3)
                self.assertAlmostEqual(row["predicted_clv"], score.predicted_clv, delta=0.05)
                self.assertAlmostEqual(row["monetary"], score.monetary, places=2)
            # The stored expected purchases are over the settings' horizon.
            default = self.env["crm.customer.score"].crm_api_score_as_of(
                self.as_of.isoformat(), partner_ids=[self.customers["AS-1"].id])
            self.assertEqual(default["horizon_days"], self.config.horizon_days)
            self.assertAlmostEqual(default["rows"][0][8],
                                   stored[self.customers["AS-1"].id].expected_purchases, places=2)

    @users("crm_manager")
    def test_partner_filter_and_json_rows(self):
        answer = self.env["crm.customer.score"].crm_api_score_as_of(
            self.as_of.isoformat(), partner_ids=[self.customers["AS-0"].id], rows_as_json=True)
        rows = json.loads(answer["rows"])
        self.assertEqual([row[0] for row in rows], [self.customers["AS-0"].id])
        self.assertEqual(rows[0][2], "AS-0")
        self.assertEqual(answer["total"], 1)
        self.assertGreaterEqual(answer["customers"], 6)

    @users("crm_manager")
    def test_backtest_against_what_happened(self):
        Score = self.env["crm.customer.score"]
        answer = Score.crm_api_score_backtest(self.as_of.isoformat(), 90)
        until = self.as_of + timedelta(days=90)
        self.assertEqual((answer["as_of"], answer["until"]),
                         (self.as_of.isoformat(), until.isoformat()))
        rows = {row[0]: dict(zip(answer["columns"], row, strict=True)) for row in answer["rows"]}
        # By hand: the orders 99 to 10 days ago (after the date, up to 90
        # days later), one purchase day each.
        actual = {"AS-0": (2, 1200.0), "AS-1": (0, 0.0), "AS-2": (1, 900.0), "AS-3": (0, 0.0),
                  "AS-4": (1, 90.0), "AS-6": (0, 0.0)}
        self.assertNotIn(self.customers["AS-5"].id, rows)  # no customer yet on the date
        forecast = self._as_of_rows(Score.crm_api_score_as_of(self.as_of.isoformat(),
                                                              horizon_days=90))
        for ref, (days, amount) in actual.items():
            row = rows[self.customers[ref].id]
            self.assertEqual((row["actual_purchases"], row["actual_spend"]), (days, amount), ref)
            predicted = forecast[self.customers[ref].id]
            self.assertAlmostEqual(row["predicted_purchases"], predicted["expected_purchases"],
                                   places=5)
            self.assertAlmostEqual(row["predicted_spend"], predicted["predicted_spend"], places=1)
        summary = answer["summary"]
        self.assertEqual(summary["customers"], len(rows))
        self.assertEqual(summary["actual_purchases"], sum(r["actual_purchases"] for r in rows.values()))
        self.assertAlmostEqual(summary["actual_spend"], sum(r["actual_spend"] for r in rows.values()),
                               places=2)
        self.assertAlmostEqual(summary["mae_purchases"], sum(
            abs(r["predicted_purchases"] - r["actual_purchases"]) for r in rows.values()) / len(rows),
            places=5)
        self.assertAlmostEqual(summary["mae_spend"], sum(
            abs(r["predicted_spend"] - r["actual_spend"]) for r in rows.values()) / len(rows),
            delta=0.05)
        # The period must be over; the usual checks on the date and horizon.
        for args in ((self.as_of.isoformat(), 101), (self.as_of.isoformat(), 0),
                     (self.as_of.isoformat(), math.nan), ("1899-01-01", 30),
                     (self.as_of.isoformat(), "90")):
            with self.subTest(args=args), self.assertRaises(ValidationError):
                Score.crm_api_score_backtest(*args)
        with self.assertRaises(AccessError):
            Score.with_user(self.salesman).crm_api_score_backtest(self.as_of.isoformat(), 90)

    def test_as_of_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.Score.with_user(self.salesman).crm_api_score_as_of(self.as_of.isoformat())

    @users("crm_manager")
    def test_bad_arguments_refused(self):
        Score = self.env["crm.customer.score"]
        tomorrow = (self.today + timedelta(days=1)).isoformat()
        for kwargs in (
            {"as_of": "1899-12-31"}, {"as_of": "2101-01-01"}, {"as_of": tomorrow},
            {"as_of": "yesterday"}, {"as_of": 20250101}, {"as_of": math.nan}, {"as_of": None},
            {"as_of": "2025-02-30"}, {"as_of": "2025-01-01\x00"},
            {"as_of": "2025-01-01", "horizon_days": 0},
            {"as_of": "2025-01-01", "horizon_days": -5},
            {"as_of": "2025-01-01", "horizon_days": 10**9},
            {"as_of": "2025-01-01", "horizon_days": 1.5},
            {"as_of": "2025-01-01", "horizon_days": math.nan},
            {"as_of": "2025-01-01", "horizon_days": True},
            {"as_of": "2025-01-01", "horizon_days": "365"},
            {"as_of": "2025-01-01", "partner_ids": [0]},
            {"as_of": "2025-01-01", "partner_ids": "all"},
            {"as_of": "2025-01-01", "rows_as_json": "yes"},
        ):
            with self.subTest(kwargs=kwargs), self.assertRaises(ValidationError):
                Score.crm_api_score_as_of(**kwargs)
        for horizon in (0, -1, 36_501, 2.5, math.inf, False, "30"):
            with self.subTest(horizon=horizon), self.assertRaises(ValidationError):
                Score.crm_api_read_scores(limit=1, horizon_days=horizon)

    @users("crm_salesman")
    def test_model_and_forecast_horizon(self):
        Score = self.env["crm.customer.score"]
        model = Score.crm_api_score_model()
        config = self.config.sudo()
        self.assertEqual(model["time_unit"], "days")
        self.assertEqual(model["bgnbd"], {"r": config.bgnbd_r, "alpha": config.bgnbd_alpha,
                                          "a": config.bgnbd_a, "b": config.bgnbd_b})
        self.assertEqual(model["gamma_gamma"]["v"], config.gamma_v)
        self.assertEqual(model["as_of"], self.today.isoformat())
        self.assertEqual(model["customers"], config.fit_customers)
        self.assertTrue(math.isfinite(model["bgnbd_log_likelihood"]))
        self.assertLess(model["bgnbd_log_likelihood"], 0)
        self.assertEqual(config.with_user(self.env.user).time_unit, "days")

        ours = [("partner_id", "in", [p.id for p in self.customers.values()])]
        columns = ["partner_id", "expected_purchases", "expected_avg_value", "predicted_spend"]
        stored = Score.crm_api_read_scores(domain=ours, columns=columns)["rows"]
        same = Score.crm_api_read_scores(domain=ours, columns=columns,
                                         horizon_days=config.horizon_days)["rows"]
        month = Score.crm_api_read_scores(domain=ours, columns=columns, horizon_days=30)["rows"]
        self.assertEqual([row[0] for row in stored], [row[0] for row in month])
        params = btyd.BGNBDParams(config.bgnbd_r, config.bgnbd_alpha, config.bgnbd_a,
                                  config.bgnbd_b)
        scores = {s.partner_id.id: s for s in Score.search(ours)}
        for old, again, short in zip(stored, same, month, strict=True):
            self.assertAlmostEqual(old[1], again[1], places=2)
            self.assertAlmostEqual(old[3], old[1] * old[2], places=2)
            score = scores[short[0]]
            x = score.repeat_purchases
            t_x = (score.last_order_date - score.first_order_date).days
            by_hand = float(btyd.expected_purchases(params, 30, np.array([float(x)]),
                                                    np.array([float(t_x)]),
                                                    np.array([float(score.tenure_days)]))[0])
            self.assertAlmostEqual(short[1], by_hand, places=5)
            self.assertLessEqual(short[1], again[1])
            self.assertAlmostEqual(short[3], short[1] * short[2], places=3)


@tagged("post_install", "-at_install")
class TestCustomerScoreCompanies(CrmExtendedCase):
    """Company scoping of the score API: the current company unless the call
    names companies; a company column when it names more than one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.customer.score"]
        cls.other = cls.env["res.company"].create({"name": "Scoped Scoring Company"})
        cls.manager.company_ids |= cls.other
        cls.salesman.company_ids |= cls.other
        cls.home_customer = cls._crm_customer("Scoped Home Buyer")
        cls._crm_orders(cls.home_customer, [(40, 100.0), (10, 150.0)])
        cls.away_customer = cls._crm_customer("Scoped Away Buyer")
        cls._crm_orders(cls.away_customer, [(30, 900.0), (5, 800.0)], company=cls.other)
        cls.ours = [("partner_id", "in", [cls.home_customer.id, cls.away_customer.id])]

    @users("crm_manager")
    def test_recompute_a_named_company(self):
        Score = self.env["crm.customer.score"]
        # Confirming the orders scored their customers already: start without.
        Score.sudo().search(self.ours).unlink()
        answer = Score.crm_api_recompute_scores(company=self.other.name)
        self.assertEqual(answer["company"], self.other.name)
        self.assertGreaterEqual(answer["customers"], 1)
        stored = Score.sudo().search(self.ours)
        self.assertEqual(stored.mapped("company_id"), self.other)
        Score.crm_api_recompute_scores()
        self.assertEqual(Score.sudo().search(self.ours).mapped("company_id"),
                         self.company | self.other)
        for company in ("No Such Company", 2**31 - 1, 0, True, ["x"], "x" * 300):
            with self.subTest(company=company), self.assertRaises(ValidationError):
                Score.crm_api_recompute_scores(company=company)

    def test_recompute_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.Score.with_user(self.salesman).crm_api_recompute_scores(company=self.company.id)

    def test_read_current_or_named_companies(self):
        self.Score._crm_score_company(self.company)
        self.Score._crm_score_company(self.other)
        Score = self.env["crm.customer.score"].with_user(self.salesman)
        current = Score.crm_api_read_scores(domain=self.ours)
        self.assertNotIn("company", current["columns"])
        self.assertEqual([row[0] for row in current["rows"]], [self.home_customer.id])
        both = Score.crm_api_read_scores(domain=self.ours,
                                         companies=[self.company.id, self.other.name])
        self.assertEqual(both["columns"][-1], "company")
        self.assertEqual({(row[0], row[-1]) for row in both["rows"]}, {
            (self.home_customer.id, self.company.name), (self.away_customer.id, self.other.name)})
        away = Score.crm_api_read_scores(domain=self.ours, companies=[self.other.id],
                                         columns=["partner_id", "expected_purchases"],
                                         horizon_days=30)
        self.assertEqual([row[0] for row in away["rows"]], [self.away_customer.id])
        for companies in ([], "all", [self.company.id, 2**31 - 1], [None], [1.5]):
            with self.subTest(companies=companies), self.assertRaises(ValidationError):
                Score.crm_api_read_scores(domain=self.ours, companies=companies)
        # A company the user does not belong to is refused like a missing one.
        stranger = self.env["res.company"].create({"name": "Not The Salesman's"})
        with self.assertRaises(ValidationError):
            Score.crm_api_read_scores(companies=[stranger.id])
