from datetime import date, timedelta
from unittest.mock import patch

import numpy as np

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.crm_analytics.models.crm_customer_score import CrmCustomerScore
from odoo.addons.crm_analytics.models.crm_customer_score_aggregate import (
    AGGREGATE_COLUMNS,
)
from odoo.addons.crm_extended.tests.common import CrmExtendedCase

# Score columns that depend only on the order history and the date (not on the
# model fit, which may move in the last digits from one start to another).
DATA_COLUMNS = (
    "recency_days", "frequency", "monetary", "first_order_date", "last_order_date",
    "purchase_days", "repeat_purchases", "avg_repeat_value", "revenue_12m",
    "revenue_prev_12m", "margin", "tenure_days", "persistence", "stability", "spend_trend",
)


@tagged("post_install", "-at_install")
class TestScoreAggregate(CrmExtendedCase):
    """The maintained purchase aggregate gives what a rebuild from the orders
    gives: after confirmations, cancellations, credit notes, orders in another
    currency, archived customers, writes that no hook sees, moving to a later
    day, and a run that stops half way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.customer.score"]
        cls.service_product.standard_price = 60.0
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.env["res.currency.rate"].create({
            "currency_id": cls.eur.id, "rate": 2.0, "name": "2015-01-01",
            "company_id": cls.company.id,
        })
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": cls.eur.id, "company_id": cls.company.id}
        )
        # Orders on both sides of every window boundary over the next weeks:
        # 12 months (RFM window and revenue) and 24 months ago.
        cls.customers = cls.env["res.partner"]
        for index in range(6):
            partner = cls._crm_customer(f"Aggregate Buyer {index}")
            cls._crm_orders(partner, [
                (3 + index, 100.0 + index), (40 + 7 * index, 250.0),
                (352 + 4 * index, 400.0 + 10 * index), (360 + 3 * index, 80.0),
                (716 + 5 * index, 900.0), (728 + index, 35.5),
            ])
            cls.customers |= partner
        cls.euro = cls._crm_customer("Aggregate Euro Buyer")
        cls._crm_orders(cls.euro, [(10, 400.0), (361, 400.0), (725, 400.0)],
                        pricelist=cls.eur_pricelist)
        cls._crm_refund(cls.customers[0], 120.0, days_ago=358)
        cls._crm_refund(cls.customers[1], 60.0, days_ago=20)
        cls.config = cls.env["crm.score.config"]._get_for_company(cls.company)
        cls.Score._crm_score_company(cls.company)

    def aggregate(self):
        self.env.cr.execute(SQL(
            "SELECT partner_id, %s FROM crm_customer_score_aggregate "
            "WHERE company_id = %s ORDER BY partner_id",
            SQL(", ").join(SQL.identifier(name) for name in AGGREGATE_COLUMNS), self.company.id,
        ))
        return self.env.cr.fetchall()

    def scores(self):
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "SELECT partner_id, %s FROM crm_customer_score "
            "WHERE company_id = %s ORDER BY partner_id",
            SQL(", ").join(SQL.identifier(name) for name in DATA_COLUMNS), self.company.id,
        ))
        return self.env.cr.fetchall()

    def assertSameAsRebuild(self, day=None, compare_scores=True):
        """The stored aggregate (and scores) equal those of a rebuild from the
        orders (on ``day``, default today)."""
        Score = self.Score.with_context(crm_score_today=day) if day else self.Score
        maintained, scores = self.aggregate(), self.scores()
        self.assertTrue(maintained)
        result = Score._crm_score_company(self.company, rebuild=True)
        self.assertEqual(result["aggregate"], "rebuild")
        self.assertEqual(maintained, self.aggregate(), "aggregate moved forward = rebuilt")
        if not compare_scores:
            return
        rebuilt = self.scores()
        self.assertEqual(len(scores), len(rebuilt))
        for mine, theirs in zip(scores, rebuilt, strict=True):
            for name, a, b in zip(("partner_id",) + DATA_COLUMNS, mine, theirs, strict=True):
                if isinstance(a, (int, str, date)) or a is None or b is None:
                    self.assertEqual(a, b, f"{name} of partner {mine[0]}")
                else:
                    self.assertAlmostEqual(float(a), float(b), places=6,
                                           msg=f"{name} of partner {mine[0]}")

    def set_watermark(self, seconds):
        """The last full run's watermark, ``seconds`` after this transaction's
        start (all rows written in a test share that write date)."""
        self.env.cr.execute(
            "UPDATE crm_customer_score_aggregate_state "
            "SET watermark = (now() AT TIME ZONE 'UTC') + %s * interval '1 second' "
            "WHERE company_id = %s", [seconds, self.company.id])

    def test_first_run_builds_then_updates(self):
        self.env.cr.execute(
            "SELECT as_of, rebuilt_on FROM crm_customer_score_aggregate_state "
            "WHERE company_id = %s", [self.company.id])
        self.assertEqual(self.env.cr.fetchone(), (self.today, self.today))
        self.assertEqual(len(self.aggregate()), 7)
        self.set_watermark(1)
        result = self.Score._crm_score_company(self.company)
        self.assertEqual((result["aggregate"], result["aggregated_customers"]), ("update", 0),
                         "nothing changed: nothing re-aggregated")
        self.assertEqual(result["customers"], 7)
        self.config.rfm_window_months = 6
        result = self.Score._crm_score_company(self.company)
        self.assertEqual(result["aggregate"], "rebuild", "another window rebuilds")
        self.assertEqual(self.score_of(self.customers[0]).frequency, 2)

    def score_of(self, partner):
        return self.Score.search([("partner_id", "=", partner.id),
                                  ("company_id", "=", self.company.id)])

    def test_hooks_follow_changes(self):
        """Confirm, cancel, credit note, another currency, an archived
        customer: the incremental updates keep the aggregate as a rebuild
        makes it."""
        self.set_watermark(1)
        first, second, third, fourth, fifth, __ = self.customers
        self._crm_order(first, 777.0, days_ago=0)
        self.assertEqual(self.score_of(first).recency_days, 0, "incremental update")
        latest = self.env["sale.order"].search([("partner_id", "=", second.id)],
                                               order="date_order desc", limit=1)
        latest._action_cancel()
        self._crm_refund(third, 500.0, days_ago=1)
        monetary = self.score_of(fourth).monetary
        self._crm_orders(fourth, [(0, 300.0)], pricelist=self.eur_pricelist)
        self.assertAlmostEqual(self.score_of(fourth).monetary, monetary + 150.0,
                               msg="300 EUR at 2 EUR per USD")
        fifth.active = False
        self.assertSameAsRebuild()
        self.assertTrue(self.score_of(fifth), "archived customers keep their score")

    def test_full_run_finds_writes_without_hook(self):
        """An order moved by a plain write after the last full run (no hook):
        the next full run finds it by its write date and re-aggregates its
        customer only."""
        self.set_watermark(1)
        sixth = self.customers[5]
        moved = self.env["sale.order"].search([("partner_id", "=", sixth.id)],
                                              order="date_order", limit=1)
        moved.date_order = fields.Datetime.now() - timedelta(days=1)
        # As if written by a transaction after the last full run.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE sale_order SET write_date = (now() AT TIME ZONE 'UTC') "
            "+ interval '2 seconds' WHERE id = %s", [moved.id])
        result = self.Score._crm_score_company(self.company)
        self.assertEqual(result["aggregate"], "update")
        self.assertEqual(result["aggregated_customers"], 1, "only the moved order's customer")
        self.assertEqual(self.score_of(sixth).recency_days, 1)
        self.assertSameAsRebuild()

    def test_next_days_move_the_windows(self):
        """Moving the aggregate forward day by day and by several days at once
        subtracts what left each window; an order dated in the days in between
        (confirmed in advance) is counted from its day on."""
        self.set_watermark(1)
        future = self._crm_orders(self.customers[2], [(0, 640.0)])
        future.date_order = fields.Datetime.now() + timedelta(days=5)
        self.env.flush_all()
        for days in (1, 2, 3, 9, 20):
            day = self.today + timedelta(days=days)
            result = self.Score._crm_score_aggregate_sync(self.company, self.config, day,
                                                          partner_ids=[])
            self.assertEqual(result["mode"], "update")
        self.assertSameAsRebuild(self.today + timedelta(days=20), compare_scores=False)

    def test_stopped_run_leaves_the_previous_state(self):
        """A run that fails after re-aggregating (as when the server stops)
        is undone with its transaction (the engine writes aggregate, watermark
        and scores in the caller's transaction and never commits on its own);
        the next run completes from the state before it."""
        self.set_watermark(1)
        before = self.aggregate(), self.scores()
        order = self._crm_orders(self.customers[3], [(0, 5000.0)], confirm=False)
        order.action_confirm()
        after_confirm = self.aggregate(), self.scores()
        self.assertNotEqual(after_confirm, before)
        self.env.flush_all()
        self.env.cr.execute("UPDATE sale_order SET write_date = (now() AT TIME ZONE 'UTC') "
                            "+ interval '2 seconds' WHERE id = %s", [order.id])
        day = self.today + timedelta(days=1)
        with (
            patch.object(CrmCustomerScore, "_crm_score_write",
                         side_effect=RuntimeError("server stopped")),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            self.Score.with_context(crm_score_today=day)._crm_score_company(self.company)
        self.env.invalidate_all()
        result = self.Score.with_context(crm_score_today=day)._crm_score_company(self.company)
        # (The first run of a month rebuilds anyway.)
        self.assertEqual(result["aggregate"],
                         "update" if day.month == self.today.month else "rebuild")
        self.assertEqual(self.score_of(self.customers[3]).recency_days, 1)
        self.assertSameAsRebuild(day)

    def test_confirmation_does_not_rebuild(self):
        """An order confirmed while the aggregate cannot be moved to today (it
        is missing, or at a later day) aggregates only its customer; the next
        full run rebuilds."""
        self.Score.with_context(crm_score_today=self.today + timedelta(days=1))._crm_score_company(
            self.company)
        self._crm_order(self.customers[0], 50.0, days_ago=0)
        self.env.cr.execute(
            "SELECT setup FROM crm_customer_score_aggregate_state WHERE company_id = %s",
            [self.company.id])
        self.assertEqual(self.env.cr.fetchone()[0], "", "marked for a rebuild")
        self.assertEqual(self.score_of(self.customers[0]).recency_days, 0)
        result = self.Score._crm_score_company(self.company)
        self.assertEqual(result["aggregate"], "rebuild")
        self.env.cr.execute("DELETE FROM crm_customer_score_aggregate_state")
        self._crm_order(self.customers[1], 50.0, days_ago=0)
        self.assertEqual(self.score_of(self.customers[1]).recency_days, 0)
        self.assertEqual(self.Score._crm_score_company(self.company)["aggregate"], "rebuild")
        self.assertSameAsRebuild()

    def test_numeric_encoding(self):
        """Scores travel as fixed-width binary numerics: 6 decimals, sign, NaN
        (NULL in the table); too large values make the caller send float8."""
        values = np.array([0.0, 1.5, -1234.5678914, 0.000001, 99999999.999999, np.nan])
        encoded = CrmCustomerScore._crm_score_numeric_digits(values)
        digits = encoded["digits"].astype(np.int64)
        decoded = sum(digits[:, i] * 10000.0 ** (3 - i) for i in range(6))
        decoded = np.where(encoded["sign"] == 0x4000, -decoded, decoded)
        np.testing.assert_allclose(decoded[:5], [0.0, 1.5, -1234.567891, 0.000001,
                                                 99999999.999999], rtol=0, atol=1e-9)
        self.assertEqual(encoded["sign"][5], 0xC000, "NaN")
        self.assertIsNone(CrmCustomerScore._crm_score_numeric_digits([1e10]))
        # Stored as sent: a refund larger than the sales gives a negative value.
        self._crm_refund(self.customers[4], 100000.0, days_ago=1)
        score = self.score_of(self.customers[4])
        self.env.cr.execute("SELECT monetary FROM crm_customer_score WHERE id = %s", [score.id])
        self.assertLess(self.env.cr.fetchone()[0], -90000)
