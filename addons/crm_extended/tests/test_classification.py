from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestValueGrade(CrmExtendedCase):
    """Value grade (ABC) by Pareto share or thresholds, on the revenue of the last
    12 months: confirmed orders in company currency net of posted refunds."""

    def test_pareto_edges_and_ties(self):
        # Total 10,000. Revenue of the customers strictly above each one:
        # 4000 -> 0%, 2500 -> 40%, 1000/1000 -> 65% (tie: both A although the
        # second one would start at 75%), 800 -> 85% (B), 500 -> 93% (B),
        # 200 -> 98% (C).
        amounts = [4000, 2500, 1000, 1000, 800, 500, 200]
        customers = [self._crm_customer(f"Pareto {i}") for i in range(len(amounts))]
        for customer, amount in zip(customers, amounts, strict=True):
            self._crm_order(customer, amount, days_ago=30)
        self._crm_recompute()
        self.assertEqual(
            [c.crm_value_grade for c in customers], ["a", "a", "a", "a", "b", "b", "c"]
        )
        # The cut-offs of the run are kept for the incremental recompute.
        self.assertEqual(self.company.crm_grade_a_cutoff, 1000)
        self.assertEqual(self.company.crm_grade_b_cutoff, 500)
        self.assertTrue(self.company.crm_classified_at)

    def test_pareto_exact_boundaries(self):
        # 8000 / 1500 / 500: the second customer starts exactly at 80% (not
        # below): B; the third exactly at 95%: C. The first crosses 80%: A.
        big, middle, small = (self._crm_customer(n) for n in ("Big", "Middle", "Small"))
        self._crm_order(big, 8000, days_ago=5)
        self._crm_order(middle, 1500, days_ago=5)
        self._crm_order(small, 500, days_ago=5)
        self._crm_recompute()
        self.assertEqual(big.crm_value_grade, "a")
        self.assertEqual(middle.crm_value_grade, "b")
        self.assertEqual(small.crm_value_grade, "c")

    def test_pareto_shares_are_configurable(self):
        big, middle, small = (self._crm_customer(n) for n in ("Big", "Middle", "Small"))
        self._crm_order(big, 8000, days_ago=5)
        self._crm_order(middle, 1500, days_ago=5)
        self._crm_order(small, 500, days_ago=5)
        self.company.write({"crm_grade_a_share": 90.0, "crm_grade_b_share": 9.0})
        self._crm_recompute()
        self.assertEqual(middle.crm_value_grade, "a")
        self.assertEqual(small.crm_value_grade, "b")

    def test_zero_and_negative_revenue_are_c(self):
        top = self._crm_customer("Top")
        dormant = self._crm_customer("Dormant")
        refunded = self._crm_customer("Refunded")
        self._crm_order(top, 5000, days_ago=10)
        self._crm_order(dormant, 9000, days_ago=500)  # outside the 12 months
        self._crm_order(refunded, 100, days_ago=10)
        self._crm_refund(refunded, 300, days_ago=5)
        self._crm_recompute()
        self.assertEqual(top.crm_value_grade, "a")
        self.assertEqual(dormant.crm_value_grade, "c")
        self.assertEqual(dormant.crm_revenue_12m, 0.0)
        self.assertEqual(refunded.crm_value_grade, "c")
        self.assertEqual(refunded.crm_revenue_12m, -200.0)

    def test_threshold_method(self):
        self.company.write({
            "crm_grade_method": "threshold",
            "crm_grade_a_threshold": 10000.0,
            "crm_grade_b_threshold": 2000.0,
        })
        amounts = [10000, 9999.99, 2000, 1999.99]
        customers = [self._crm_customer(f"Threshold {i}") for i in range(len(amounts))]
        for customer, amount in zip(customers, amounts, strict=True):
            self._crm_order(customer, amount, days_ago=3)
        self._crm_recompute()
        self.assertEqual([c.crm_value_grade for c in customers], ["a", "b", "b", "c"])
        history = self._crm_history(customers[0], "value_grade")
        self.assertIn("Threshold", history.rule)

    def test_refunds_netted_in_window_only(self):
        customer = self._crm_customer("Refund Customer")
        self._crm_order(customer, 10000, days_ago=20)
        self._crm_refund(customer, 4000, days_ago=10)
        self._crm_refund(customer, 1000, days_ago=400)  # outside the window
        draft = self.env["account.move"].create({
            "move_type": "out_refund",
            "partner_id": customer.id,
            "invoice_date": self.today,
            "invoice_line_ids": [Command.create({
                "product_id": self.service_product.id, "price_unit": 500.0,
                "tax_ids": [Command.clear()],
            })],
        })
        self.assertEqual(draft.state, "draft")
        self._crm_recompute()
        self.assertEqual(customer.crm_revenue_12m, 6000.0)

    def test_foreign_currency_converted(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create({
            "name": self.today - timedelta(days=1000),
            "rate": 2.0,  # 1 company currency unit = 2 EUR
            "currency_id": eur.id,
            "company_id": self.company.id,
        })
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        foreign = self._crm_customer("Foreign Customer")
        order = self._crm_order(foreign, 1000, days_ago=15, pricelist=pricelist)
        self.assertEqual(order.currency_id, eur)
        self.assertEqual(order.amount_untaxed, 1000.0)
        self._crm_recompute()
        self.assertAlmostEqual(foreign.crm_revenue_12m, 500.0, places=2)

    def test_cancelled_and_draft_orders_excluded(self):
        customer = self._crm_customer("Cancelled Orders")
        self._crm_order(customer, 700, days_ago=5)
        cancelled = self._crm_order(customer, 5000, days_ago=4)
        cancelled.action_cancel()
        self._crm_order(customer, 9000, days_ago=3, confirm=False)
        self._crm_recompute()
        self.assertEqual(customer.crm_revenue_12m, 700.0)
        self.assertEqual(customer.crm_order_count, 1)


@tagged("post_install", "-at_install")
class TestOrderStatistics(CrmExtendedCase):

    def test_statistics(self):
        customer = self._crm_customer("Stats Customer")
        # Two orders on the same day count as one buying occasion for the
        # average interval: (400 - 10) / (4 days - 1) = 130 days.
        self._crm_orders(customer, [(400, 1000), (200, 100), (100, 200), (100, 300), (10, 400)])
        self._crm_recompute()
        self.assertEqual(customer.crm_order_count, 5)
        self.assertEqual(customer.crm_order_count_12m, 4)
        self.assertEqual(customer.crm_revenue_12m, 1000.0)
        self.assertEqual(customer.crm_first_order_date, self.today - timedelta(days=400))
        self.assertEqual(customer.crm_last_order_date, self.today - timedelta(days=10))
        self.assertEqual(customer.crm_avg_order_interval, 130.0)
        self.assertTrue(customer.crm_classified_at)

    def test_contact_orders_count_for_commercial_partner(self):
        customer = self._crm_customer("Parent Co")
        contact = self.env["res.partner"].create({"name": "Buyer", "parent_id": customer.id})
        self._crm_order(contact, 1200, days_ago=2)
        self._crm_recompute()
        self.assertEqual(customer.crm_order_count, 1)
        self.assertEqual(customer.crm_revenue_12m, 1200.0)
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertFalse(contact.crm_order_count)
        self.assertFalse(contact.crm_value_grade)

    def test_archived_customer_is_still_classified(self):
        customer = self._crm_customer("Archived Co")
        self._crm_order(customer, 1500, days_ago=2)
        customer.action_archive()
        self._crm_recompute()
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertEqual(customer.crm_revenue_12m, 1500.0)

    def test_second_run_writes_nothing(self):
        customer = self._crm_customer("Stable")
        self._crm_order(customer, 100, days_ago=2)
        self._crm_recompute()
        stamp = customer.crm_classified_at
        history_count = len(self._crm_history(customer))
        result = self._crm_recompute()
        self.assertEqual(result["params"]["changed"], 0)
        self.assertEqual(result["params"]["history"], 0)
        self.assertEqual(customer.crm_classified_at, stamp)
        self.assertEqual(len(self._crm_history(customer)), history_count)


@tagged("post_install", "-at_install")
class TestLifecycleStage(CrmExtendedCase):
    """Default rules: new 90 days, regular 3 orders, old 24 months, loyal 36
    months + 6 orders + 6 months, at risk 2x the own interval, lost 365 days.
    Precedence: lost > at_risk > new > loyal > old > regular > new (fallback)."""

    def _stage(self, days_ago_list, today=None):
        customer = self._crm_customer(f"Stage {days_ago_list}")
        self._crm_orders(customer, [(days, 100) for days in days_ago_list])
        self._crm_recompute(today=today)
        return customer.crm_lifecycle_stage

    def test_potential(self):
        quoted = self._crm_customer("Quoted")
        self._crm_order(quoted, 500, confirm=False)
        opportunity = self._crm_customer("Opportunity")
        self.env["crm.lead"].create({
            "name": "Big deal", "type": "opportunity", "partner_id": opportunity.id,
            "company_id": self.company.id,
        })
        # Web forms and the mail gateway create leads without a company yet.
        web_lead = self._crm_customer("Web Form Lead")
        self.env["crm.lead"].create({
            "name": "Enquiry", "type": "lead", "partner_id": web_lead.id,
            "company_id": False, "team_id": False, "user_id": False,
        })
        nothing = self._crm_customer("Nothing")
        self._crm_recompute()
        self.assertEqual(quoted.crm_lifecycle_stage, "potential")
        self.assertEqual(opportunity.crm_lifecycle_stage, "potential")
        self.assertEqual(web_lead.crm_lifecycle_stage, "potential")
        self.assertFalse(quoted.crm_value_grade, "No order: no value grade yet.")
        self.assertFalse(nothing.crm_lifecycle_stage)
        history = self._crm_history(opportunity, "lifecycle_stage")
        self.assertEqual(history.new_value, "potential")

    def test_new(self):
        self.assertEqual(self._stage([10]), "new")
        # first order less than 90 days ago, buying every 30 days
        self.assertEqual(self._stage([80, 50, 20]), "new")

    def test_lost(self):
        self.assertEqual(self._stage([366]), "lost")
        # lost before at risk: a frequent buyer silent for more than a year
        self.assertEqual(self._stage([420, 410, 400, 390, 380]), "lost")

    def test_lost_days_configurable(self):
        self.company.crm_lost_days = 100
        self.assertEqual(self._stage([150, 101]), "lost")

    def test_at_risk(self):
        # every 10 days, silent for 70 days > 2 x 10
        self.assertEqual(self._stage([100, 90, 80, 70]), "at_risk")
        # at risk before new: first order 60 days ago, silent for 40 > 2 x 10
        self.assertEqual(self._stage([60, 50, 40]), "at_risk")
        # one order only: the usual interval defaults to the new-customer
        # period (90 days): silent for 200 > 180 days
        self.assertEqual(self._stage([200]), "at_risk")
        self.assertEqual(self._stage([170]), "new")

    def test_loyal(self):
        # customer for 40 months, an order every 30 days in the last year
        history = [1220] + list(range(330, 0, -30))
        self.assertEqual(self._stage(history), "loyal")

    def test_loyal_needs_spread_over_months(self):
        # 6 orders in the last year but all in 2 months: old, not loyal
        self.assertEqual(self._stage([1220, 700, 400, 40, 39, 38, 12, 11, 10]), "old")

    def test_old(self):
        # customer for 30 months: old, even with 3 orders in the last 12 months
        self.assertEqual(self._stage([915, 300, 150, 20]), "old")

    def test_regular(self):
        self.assertEqual(self._stage([200, 150, 100, 50, 20]), "regular")

    def test_new_fallback(self):
        # 2 orders, customer for 5 months: not new any more, not yet regular
        self.assertEqual(self._stage([150, 60]), "new")

    def test_stage_moves_with_time(self):
        customer = self._crm_customer("Aging")
        self._crm_order(customer, 100, days_ago=0)
        self._crm_recompute()
        self.assertEqual(customer.crm_lifecycle_stage, "new")
        self._crm_recompute(today=self.today + timedelta(days=200))
        self.assertEqual(customer.crm_lifecycle_stage, "at_risk")
        self._crm_recompute(today=self.today + relativedelta(years=2))
        self.assertEqual(customer.crm_lifecycle_stage, "lost")
        stages = self._crm_history(customer, "lifecycle_stage").mapped("new_value")
        self.assertEqual(stages, ["new", "at_risk", "lost"])


@tagged("post_install", "-at_install")
class TestIncrementalAndCompanies(CrmExtendedCase):

    def _full_run_with_cutoffs(self):
        # A cut-off 1000, B cut-off 500 (see TestValueGrade.test_pareto_edges_and_ties)
        for i, amount in enumerate([4000, 2500, 1000, 1000, 800, 500, 200]):
            self._crm_order(self._crm_customer(f"Base {i}"), amount, days_ago=30)
        self._crm_recompute()
        self.assertEqual(self.company.crm_grade_a_cutoff, 1000)

    def test_first_confirmation_runs_the_full_classification(self):
        self.assertFalse(self.company.crm_classified_at)
        customer = self._crm_customer("First Ever")
        self.env["sale.order"].create(self._crm_order_vals(customer, 300)).action_confirm()
        self.assertTrue(self.company.crm_classified_at)
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertEqual(customer.crm_lifecycle_stage, "new")

    def test_incremental_on_confirm_and_cancel(self):
        self._full_run_with_cutoffs()
        vip, important, ordinary = (self._crm_customer(n) for n in ("VIP", "Important", "Ordinary"))
        orders = self.env["sale.order"].with_user(self.salesman).create([
            self._crm_order_vals(vip, 1200),
            self._crm_order_vals(important, 600),
            self._crm_order_vals(ordinary, 100),
        ])
        # A salesman confirms: the customers are reclassified at once, without
        # ranking everyone, from the stored cut-offs.
        orders.with_user(self.salesman).action_confirm()
        self.assertEqual(vip.crm_value_grade, "a")
        self.assertEqual(important.crm_value_grade, "b")
        self.assertEqual(ordinary.crm_value_grade, "c")
        self.assertEqual(vip.crm_order_count, 1)
        self.assertEqual(vip.crm_lifecycle_stage, "new")
        history = self._crm_history(vip, "value_grade")
        self.assertEqual(history.user_id, self.salesman)
        self.assertIn("cut-off", history.rule)

        orders[0].with_user(self.salesman).action_cancel()
        self.assertFalse(vip.crm_value_grade)
        self.assertFalse(vip.crm_lifecycle_stage)
        self.assertEqual(vip.crm_order_count, 0)
        self.assertEqual(vip.crm_revenue_12m, 0.0)
        last = self._crm_history(vip, "value_grade")[-1]
        self.assertEqual((last.old_value, last.new_value), ("a", False))

    def test_incremental_keeps_other_customers(self):
        self._full_run_with_cutoffs()
        other = self.env["res.partner"].search([("name", "=", "Base 6")])
        other_history = len(self._crm_history(other))
        customer = self._crm_customer("Newcomer")
        self._crm_order(customer, 5000)
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertEqual(other.crm_value_grade, "c")
        self.assertEqual(len(self._crm_history(other)), other_history)

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "CRM Second Company"})
        self.env.user.company_ids |= company_b
        shared = self._crm_customer("Shared Customer")
        whale = self._crm_customer("Whale")
        # Company 1: the shared customer makes 10% of the revenue -> B.
        self._crm_order(whale, 9000, days_ago=10)
        self._crm_order(shared, 1000, days_ago=10)
        # Company B: it is the only customer -> A, and a regular one.
        self._crm_orders(shared, [(200, 500), (100, 500), (20, 500)], company=company_b)
        self.env["res.partner"].with_context(
            allowed_company_ids=[self.company.id, company_b.id]
        ).crm_recompute_classification(today=self.today)
        in_a = shared.with_company(self.company)
        in_b = shared.with_company(company_b)
        self.assertEqual(in_a.crm_value_grade, "b")
        self.assertEqual(in_b.crm_value_grade, "a")
        self.assertEqual(in_a.crm_lifecycle_stage, "new")
        self.assertEqual(in_b.crm_lifecycle_stage, "regular")
        self.assertEqual(in_a.crm_revenue_12m, 1000.0)
        self.assertEqual(in_b.crm_revenue_12m, 1500.0)
        self.assertFalse(whale.with_company(company_b).crm_value_grade)
        # The main company's tiers do not apply in company B.
        self.assertFalse(in_b.crm_tier_id)
        history_b = self._crm_history(shared, "value_grade", company=company_b)
        self.assertEqual(history_b.new_value, "a")
        history_a = self._crm_history(shared, "value_grade", company=self.company)
        self.assertEqual(history_a[-1].new_value, "b")
