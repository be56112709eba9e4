from datetime import timedelta

from lxml import etree

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import call_kw
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from odoo.addons.crm_analytics.scoring import btyd
from odoo.addons.crm_extended.tests.common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestCustomerScore(CrmExtendedCase):
    """The engine on real orders: aggregates, currencies, refunds, archived and
    one-time customers, incremental updates, the lock, the snapshot, access."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.customer.score"]
        # Margin (sale_margin): the price minus a cost of 60 (940 on an order of 1000).
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
        # Regular monthly buyer, recent.
        cls.regular = cls._crm_customer("Regular Buyer")
        cls._crm_orders(cls.regular, [(d, 1000.0) for d in range(5, 330, 30)])
        # Bought once, long ago.
        cls.once = cls._crm_customer("One Time Buyer")
        cls._crm_order(cls.once, 500.0, days_ago=500)
        # Bought in EUR: 400 EUR at 2 EUR per USD = 200 USD each.
        cls.foreign = cls._crm_customer("Euro Buyer")
        cls._crm_orders(cls.foreign, [(20, 400.0), (80, 400.0), (140, 400.0)],
                        pricelist=cls.eur_pricelist)
        # Bought a lot last year, little this year: spend falling.
        cls.falling = cls._crm_customer("Falling Buyer")
        cls._crm_orders(cls.falling, [(400, 5000.0), (450, 5000.0), (500, 5000.0), (60, 100.0)])
        # Archived customer with orders.
        cls.archived = cls._crm_customer("Archived Buyer")
        cls._crm_orders(cls.archived, [(100, 300.0), (200, 300.0)])
        cls.archived.active = False
        # Only a cancelled order: no score.
        cls.cancelled = cls._crm_customer("Cancelled Buyer")
        cls._crm_order(cls.cancelled, 700.0, days_ago=10)._action_cancel()
        cls.others = cls.env["res.partner"]
        for index in range(6):
            partner = cls._crm_customer(f"Other Buyer {index}")
            cls._crm_orders(partner, [(15 + 40 * k + index, 200.0 + 50 * index)
                                      for k in range(index + 1)])
            cls.others |= partner
        cls.Score._crm_score_company(cls.company)

    def score(self, partner):
        return self.Score.search([("partner_id", "=", partner.id),
                                  ("company_id", "=", self.company.id)])

    def test_full_recompute(self):
        scored = self.Score.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(scored.partner_id.ids),
                         set((self.regular | self.once | self.foreign | self.falling
                              | self.archived | self.others).ids),
                         "customers with confirmed orders are scored, archived ones too, "
                         "cancelled-only ones not")
        regular = self.score(self.regular)
        self.assertEqual(regular.frequency, 11)
        self.assertEqual(regular.recency_days, 5)
        self.assertAlmostEqual(regular.monetary, 11000.0)
        self.assertAlmostEqual(regular.margin, 11 * 940.0)
        self.assertEqual((regular.r_score, regular.f_score, regular.m_score), (5, 5, 5))
        self.assertEqual(regular.rfm_segment, "champions")
        self.assertEqual(regular.rfm_code, "555")
        self.assertAlmostEqual(regular.stability, 1.0, places=3,
                               msg="orders exactly every 30 days")
        self.assertGreater(regular.p_alive, 0.9)
        self.assertGreater(regular.expected_purchases, 1.0)
        self.assertGreater(regular.predicted_clv, 0.0)
        self.assertEqual(regular.churn_risk, "low")
        self.assertTrue(0 <= regular.value_score <= 100)
        self.assertEqual(regular.value_score, max(scored.mapped("value_score")))
        config = self.env["crm.score.config"]._get_for_company(self.company)
        self.assertTrue(config.fitted_at)
        self.assertGreater(config.bgnbd_r, 0)
        self.assertEqual(config.fit_customers, len(scored))

    def test_one_time_buyer_and_foreign_currency(self):
        once = self.score(self.once)
        self.assertEqual((once.purchase_days, once.repeat_purchases), (1, 0))
        self.assertEqual(once.frequency, 0, "the order is older than the 12-month window")
        self.assertEqual(once.p_alive, 1.0, "BG/NBD: no repeat purchase, no dropout yet")
        self.assertEqual(once.churn_risk, "high")
        self.assertIn("No order for 500 days", once.churn_reasons)
        foreign = self.score(self.foreign)
        self.assertAlmostEqual(foreign.monetary, 600.0, msg="3 x 400 EUR at 2 EUR/USD")
        self.assertAlmostEqual(foreign.avg_repeat_value, 200.0)
        self.assertTrue(self.score(self.archived))

    def test_falling_spend_raises_churn_risk(self):
        falling = self.score(self.falling)
        self.assertLess(falling.spend_trend, -0.9)
        self.assertIn("Spend fell by", falling.churn_reasons)
        self.assertIn(falling.churn_risk, ("medium", "high"))

    def test_incremental_update_on_confirm_and_cancel(self):
        before = {score.partner_id.id: score.computed_at for score in self.Score.search([])}
        config = self.env["crm.score.config"]._get_for_company(self.company)
        fitted = (config.bgnbd_r, config.gamma_p)
        order = self._crm_order(self.once, 800.0, days_ago=0)
        once = self.score(self.once)
        self.assertEqual(once.purchase_days, 2)
        self.assertEqual(once.recency_days, 0)
        self.assertAlmostEqual(once.monetary, 800.0)
        self.assertEqual((config.bgnbd_r, config.gamma_p), fitted, "stored fit reused")
        params = self.Score._crm_score_stored_params(config)["bgnbd"]
        self.assertAlmostEqual(
            once.p_alive, btyd.probability_alive(params, 1, 500.0, 500.0), places=4,
            msg="P(alive) from the stored BG/NBD parameters: one repeat purchase after 500 days",
        )
        unchanged = self.score(self.regular)
        self.assertEqual(unchanged.computed_at, before[self.regular.id])
        order._action_cancel()
        once = self.score(self.once)
        self.assertEqual(once.purchase_days, 1)
        # Cancelling the only order removes the score.
        self.cancelled_score = self._crm_order(self.cancelled, 100.0)
        self.assertTrue(self.score(self.cancelled))
        self.cancelled_score._action_cancel()
        self.assertFalse(self.score(self.cancelled))

    def test_refund_lowers_revenue_and_margin(self):
        regular = self.score(self.regular)
        monetary, margin = regular.monetary, regular.margin
        refund = self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": self.regular.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({
                "product_id": self.service_product.id, "quantity": 1, "price_unit": 1000.0,
                "tax_ids": [Command.clear()],
            })],
        })
        refund.action_post()
        regular = self.score(self.regular)
        self.assertAlmostEqual(regular.monetary, monetary - 1000.0)
        self.assertAlmostEqual(regular.margin, margin - 940.0,
                               msg="the refunded sales lose their margin rate (94%)")

    def test_refunds_larger_than_sales(self):
        refund = self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": self.foreign.id,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({
                "product_id": self.service_product.id, "quantity": 1, "price_unit": 5000.0,
                "tax_ids": [Command.clear()],
            })],
        })
        refund.action_post()
        foreign = self.score(self.foreign)
        self.assertAlmostEqual(foreign.monetary, -4400.0)
        self.assertEqual(foreign.m_score, 1)
        self.assertTrue(0 <= foreign.value_score <= 100)

    def test_profitability_and_churn_from_complaints_and_contracts(self):
        """Complaint compensation and visit parts are costs; recent complaints and
        a contract that ended without renewal are churn signals: all read from
        crm_extended's own records."""
        Complaint = self.env["crm.complaint"]
        for cost in (300.0, 0.0):
            Complaint.create({
                "name": "Broken on arrival", "partner_id": self.regular.id,
                "complaint_type": "complaint", "compensation_cost": cost,
            })
        # Praise is neither a cost nor a churn signal.
        Complaint.create({"name": "Thanks", "partner_id": self.regular.id,
                          "complaint_type": "praise"})
        Contract = self.env["crm.service.contract"]
        today = fields.Date.today()
        active = Contract.create({
            "partner_id": self.regular.id, "date_start": today.replace(day=1),
            "date_end": today.replace(day=1).replace(year=today.year + 1),
        })
        active.action_activate()
        visit = self.env["crm.service.visit"].create({
            "contract_id": active.id, "date": fields.Datetime.now(),
            "part_ids": [Command.create({"product_id": self.service_product.id,
                                         "quantity": 2, "price_unit": 100.0})],
        })
        visit.action_done()
        self.assertEqual(visit.cost, 200.0)
        ended = Contract.create({
            "partner_id": self.regular.id, "date_start": today - timedelta(days=400),
            "date_end": today - timedelta(days=30),
        })
        ended.action_activate()
        self.assertEqual(ended.state, "expired", "ended before today")
        self.Score._crm_score_company(self.company)
        score = self.score(self.regular)
        self.assertAlmostEqual(score.complaint_cost, 300.0)
        self.assertAlmostEqual(score.service_cost, 200.0)
        self.assertAlmostEqual(score.profit, 11 * 940.0 - 500.0)
        self.assertEqual(score.churn_risk, "high", "two signals on top of a low risk")
        self.assertIn("Recent complaints", score.churn_reasons)
        self.assertIn("Contract ended without renewal", score.churn_reasons)
        # Renewing the ended contract removes that signal.
        Contract.create({
            "partner_id": self.regular.id, "previous_contract_id": ended.id,
            "date_start": ended.date_end + timedelta(days=1), "date_end": today,
        })
        self.Score._crm_score_company(self.company)
        self.assertNotIn("Contract ended without renewal", self.score(self.regular).churn_reasons)

    def test_weights_change_the_value_score(self):
        config = self.env["crm.score.config"]._get_for_company(self.company)
        config.write({"weight_rfm": 1.0, "weight_clv": 0.0, "weight_profit": 0.0,
                      "weight_loyalty": 0.0, "weight_alive": 0.0})
        self.Score._crm_score_company(self.company)
        for score in self.Score.search([]):
            self.assertAlmostEqual(score.value_score, score.rfm_component, places=1)
        self.assertEqual(self.score(self.regular).value_score, 100.0)

    def test_concurrent_run_skips(self):
        """While one transaction scores a company (and holds its advisory lock
        until it ends), a run in another database session skips it and writes
        nothing, the button says so; the lock is per company."""
        self.assertTrue(self.Score._crm_score_lock(self.company))  # held by this test's transaction
        other_company = self.env["res.company"].create({"name": "Other Scoring Company"})
        with self.registry.cursor() as other_cr:
            other_env = api.Environment(other_cr, SUPERUSER_ID, {}, su=True)
            other = other_env["crm.customer.score"]
            company = other_env["res.company"].browse(self.company.id)
            self.assertIsNone(other._crm_score_company(company))
            with self.assertRaises(UserError):
                other.with_company(company).action_crm_recompute_scores()
            other_cr.execute(
                "SELECT count(*) FROM crm_customer_score WHERE write_date > now() - interval '1 hour'"
            )
            self.assertEqual(other_cr.fetchone()[0], 0, "the skipped run wrote nothing")
            other_cr.rollback()
        # The other company is not locked (it is not committed, so only this
        # session can score it: nothing to score, but the run is not skipped).
        self.assertEqual(self.Score._crm_score_company(other_company)["customers"], 0)

    def test_monthly_snapshot(self):
        """The first full run of a month files the last scores of the month
        before; the month in progress is the score table itself."""
        Snapshot = self.env["crm.customer.score.snapshot"]
        month = fields.Date.today().replace(day=1)
        self.assertFalse(Snapshot.search_count([("month", "=", month)]))
        values = {score.partner_id: score.value_score for score in self.Score.search([])}
        next_month = fields.Date.add(month, months=1)
        self.Score.with_context(crm_score_today=next_month)._crm_score_company(self.company)
        snapshots = Snapshot.search([("month", "=", month)])
        self.assertEqual(len(snapshots), 11)
        for snapshot in snapshots:
            self.assertEqual(snapshot.value_score, values[snapshot.partner_id])
        self.Score.with_context(crm_score_today=next_month)._crm_score_company(self.company)
        self.assertEqual(Snapshot.search_count([]), 11, "one snapshot per customer and month")

    def test_value_grade_by_value_score(self):
        """crm_extended's value grade can rank customers by the value score."""
        self.company.write({
            "crm_grade_basis": "value_score", "crm_grade_method": "threshold",
            "crm_grade_a_threshold": 60.0, "crm_grade_b_threshold": 30.0,
        })
        self.env["res.partner"].crm_recompute_classification()
        checked = 0
        for score in self.Score.search([]):
            if score.revenue_12m <= 0:
                continue  # no revenue in 12 months: C whatever the basis
            expected = "a" if score.value_score >= 60 else "b" if score.value_score >= 30 else "c"
            self.assertEqual(score.partner_id.crm_value_grade, expected, score.partner_id.name)
            checked += 1
        self.assertGreater(checked, 5)
        grades = set(self.Score.search([("revenue_12m", ">", 0)]).partner_id.mapped("crm_value_grade"))
        self.assertGreater(len(grades), 1, "the scores spread over more than one grade")

    def test_partner_form_fields(self):
        self.assertEqual(self.regular.crm_score_id, self.score(self.regular))
        self.assertEqual(self.regular.crm_rfm_segment, "champions")
        self.assertFalse(self.cancelled.crm_score_id)
        action = self.regular.action_crm_open_score()
        self.assertEqual(action["res_id"], self.score(self.regular).id)

    @users("crm_salesman")
    def test_access_sales_user_reads_scores(self):
        scores = self.env["crm.customer.score"].search([])
        self.assertEqual(len(scores), 11)
        self.assertTrue(scores[0].value_score >= 0)
        config = self.env["crm.score.config"].search([])
        self.assertTrue(config.weight_rfm)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            config.write({"weight_rfm": 90.0})
        with self.assertRaises(AccessError):
            self.env["crm.customer.score"].action_crm_recompute_scores()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            scores[0].write({"value_score": 1.0})

    @users("crm_manager")
    def test_access_manager_edits_weights(self):
        action = self.env["crm.score.config"].action_crm_open_config()
        config = self.env["crm.score.config"].browse(action["res_id"])
        self.assertEqual(config.company_id, self.company)
        config.write({"weight_rfm": 50.0})
        self.assertEqual(config.weight_rfm, 50.0)
        with self.assertRaises(ValidationError):
            config.write({"weight_rfm": 0.0, "weight_clv": 0.0, "weight_profit": 0.0,
                          "weight_loyalty": 0.0, "weight_alive": 0.0})
        with self.assertRaises(ValidationError):
            config.write({"churn_high_below": 0.9, "churn_medium_below": 0.5})
        result = self.env["crm.customer.score"].action_crm_recompute_scores()
        self.assertEqual(result["params"]["customers"], 11)

    def _list_header_button(self):
        arch = self.env["crm.customer.score"].get_views([(False, "list")])["views"]["list"]["arch"]
        tree = etree.fromstring(arch)
        buttons = tree.xpath("//header/button[@string='Recompute Scores']")
        self.assertEqual(len(buttons), 1)
        return buttons[0].get("name")

    @users("crm_manager")
    def test_list_button_as_the_web_client_calls_it(self):
        """The header button of Customer Value Scores, called as the web client
        does (/web/dataset/call_button: the selected ids first, none when
        nothing is selected) by the least-privileged role that sees it."""
        name = self._list_header_button()
        scores = self.env["crm.customer.score"].search([], limit=2)
        for ids in (scores.ids, []):
            result = call_kw(self.env["crm.customer.score"], name, [ids], {})
            self.assertEqual(result["tag"], "display_notification")
            self.assertEqual(result["params"]["customers"], 11)

    @users("crm_salesman")
    def test_list_button_refused_to_sales_users(self):
        arch = self.env["crm.customer.score"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertNotIn("action_crm_recompute_scores_button", arch, "not shown to them")
        with self.assertRaises(AccessError):
            call_kw(self.env["crm.customer.score"], "action_crm_recompute_scores_button",
                    [[]], {})

    @users("crm_salesman")
    def test_partner_form_shows_score_and_recommendations(self):
        """Both blocks of crm_analytics on the customer form: the value score
        group and the recommended products page, from two distinct views."""
        self.assertNotEqual(
            self.env.ref("crm_analytics.res_partner_view_form_inherit_crm_analytics_score"),
            self.env.ref("crm_analytics.res_partner_view_form_inherit_crm_analytics_xsell"),
        )
        arch = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        tree = etree.fromstring(arch)
        # On the Customer 360 page, the one that opens first.
        self.assertTrue(tree.xpath("//page[@name='crm_customer_360']/group[@name='crm_value_score']"
                                   "//field[@name='crm_value_score']"))
        self.assertTrue(tree.xpath("//field[@name='crm_churn_risk']"))
        self.assertTrue(tree.xpath("//page[@name='crm_xsell_recommendations']"))
        form = Form(self.regular.with_user(self.env.user))
        self.assertEqual(form.crm_rfm_segment, "champions")
