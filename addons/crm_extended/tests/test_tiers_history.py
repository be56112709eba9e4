from datetime import timedelta
from unittest.mock import patch

from dateutil.relativedelta import relativedelta
from psycopg2.errors import CheckViolation

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestTiers(CrmExtendedCase):
    """Default tiers: Silver 25,000, Gold 50,000, Platinum 100,000 a year, each
    kept 14 months after last qualifying."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.silver = cls.env.ref("crm_extended.crm_customer_tier_silver")
        cls.gold = cls.env.ref("crm_extended.crm_customer_tier_gold")
        cls.platinum = cls.env.ref("crm_extended.crm_customer_tier_platinum")

    def test_qualification(self):
        amounts = [24999.99, 25000, 60000, 100000]
        customers = [self._crm_customer(f"Tier {i}") for i in range(len(amounts))]
        for customer, amount in zip(customers, amounts, strict=True):
            self._crm_order(customer, amount, days_ago=10)
        self._crm_recompute()
        self.assertEqual(
            [c.crm_tier_id for c in customers],
            [self.env["crm.customer.tier"], self.silver, self.gold, self.platinum],
        )
        self.assertEqual(customers[2].crm_tier_valid_until, self.today + relativedelta(months=14))
        self.assertFalse(customers[0].crm_tier_valid_until)
        self.assertEqual(self.gold.partner_count, 1)

    def test_upgrade_applies_at_once(self):
        customer = self._crm_customer("Climber")
        self._crm_order(customer, 30000, days_ago=40)
        self._crm_recompute()
        self.assertEqual(customer.crm_tier_id, self.silver)
        self._crm_order(customer, 80000, days_ago=1)
        self._crm_recompute()
        self.assertEqual(customer.crm_tier_id, self.platinum)
        self.assertEqual(customer.crm_tier_valid_until, self.today + relativedelta(months=14))
        history = self._crm_history(customer, "tier")
        self.assertEqual(history.mapped("new_value"), ["Silver", "Platinum"])
        self.assertEqual(history[-1].old_value, "Silver")

    def test_grace_period_keeps_the_tier_then_drops(self):
        customer = self._crm_customer("Fading")
        self._crm_order(customer, 60000, days_ago=10)
        self._crm_recompute()
        valid_until = self.today + relativedelta(months=14)
        self.assertEqual(customer.crm_tier_valid_until, valid_until)

        # 13 months later the order left the 12-month window: no longer
        # qualifies, but the grace period runs until valid_until.
        self._crm_recompute(today=self.today + relativedelta(months=13))
        self.assertEqual(customer.crm_revenue_12m, 0.0)
        self.assertEqual(customer.crm_tier_id, self.gold)
        self.assertEqual(customer.crm_tier_valid_until, valid_until)

        # On the last day of grace still Gold, the day after it is gone.
        self._crm_recompute(today=valid_until)
        self.assertEqual(customer.crm_tier_id, self.gold)
        self._crm_recompute(today=valid_until + timedelta(days=1))
        self.assertFalse(customer.crm_tier_id)
        self.assertFalse(customer.crm_tier_valid_until)
        last = self._crm_history(customer, "tier")[-1]
        self.assertEqual((last.old_value, last.new_value), ("Gold", False))
        self.assertIn("Grace period over", last.rule)

    def test_drop_after_grace_to_the_tier_still_reached(self):
        customer = self._crm_customer("Shrinking")
        # 60,000 now, 30,000 in a year (dated in the future of today).
        self._crm_orders(customer, [(10, 60000), (-365, 30000)])
        self._crm_recompute()
        self.assertEqual(customer.crm_tier_id, self.gold)
        later = self.today + relativedelta(months=15)
        self._crm_recompute(today=later)
        self.assertEqual(customer.crm_revenue_12m, 30000.0)
        self.assertEqual(customer.crm_tier_id, self.silver)
        self.assertEqual(customer.crm_tier_valid_until, later + relativedelta(months=14))

    def test_requalifying_extends_the_grace_period(self):
        # Both orders together (as seen at confirmation) stay below Platinum.
        self.platinum.min_yearly_amount = 500000
        customer = self._crm_customer("Faithful")
        # 60,000 now and again in 300 days: 13 months on, only the second order
        # is in the window and it qualifies again for Gold.
        self._crm_orders(customer, [(10, 60000), (-300, 60000)])
        self._crm_recompute()
        later = self.today + relativedelta(months=13)
        self._crm_recompute(today=later)
        self.assertEqual(customer.crm_tier_id, self.gold)
        self.assertEqual(customer.crm_tier_valid_until, later + relativedelta(months=14))

    def test_tier_granted_by_hand_lasts_its_grace_period(self):
        """A manager grants Gold to a small customer: it is kept for the tier's
        grace period, then the revenue decides again."""
        customer = self._crm_customer("Strategic Newcomer")
        self._crm_order(customer, 1000, days_ago=5)
        customer.with_user(self.manager).crm_tier_id = self.gold
        self.assertEqual(customer.crm_tier_valid_until, self.today + relativedelta(months=14))
        self._crm_recompute()
        self.assertEqual(customer.crm_tier_id, self.gold)
        self._crm_recompute(today=self.today + relativedelta(months=15))
        self.assertFalse(customer.crm_tier_id)

    def test_archived_tier_is_left(self):
        customer = self._crm_customer("Orphan")
        self._crm_order(customer, 60000, days_ago=10)
        self._crm_recompute()
        self.gold.action_archive()
        self._crm_recompute()
        self.assertEqual(customer.crm_tier_id, self.silver)


@tagged("post_install", "-at_install")
class TestHistoryAndOverride(CrmExtendedCase):

    def _override(self, partner, user=None, **vals):
        wizard = self.env["crm.classification.override"].with_user(user or self.manager).create(
            {"partner_id": partner.id, **vals}
        )
        wizard.action_apply()
        return wizard

    def _vip(self, name="VIP", amount=1000):
        customer = self._crm_customer(name)
        self._crm_order(customer, amount, days_ago=5)
        self._crm_recompute()
        self.assertEqual(customer.crm_value_grade, "a")
        return customer

    def test_automatic_history_rows(self):
        customer = self._crm_customer("Logged")
        order = self.env["sale.order"].with_user(self.manager).create(
            self._crm_order_vals(customer, 60000)
        )
        order.action_confirm()
        grade = self._crm_history(customer, "value_grade")
        stage = self._crm_history(customer, "lifecycle_stage")
        tier = self._crm_history(customer, "tier")
        self.assertEqual((grade.old_value, grade.new_value), (False, "a"))
        self.assertEqual(grade.new_label, "A - VIP")
        self.assertIn("Pareto: A", grade.rule)
        self.assertEqual(grade.user_id, self.manager)
        self.assertEqual(grade.company_id, self.company)
        self.assertTrue(grade.date)
        self.assertEqual(stage.new_value, "new")
        self.assertEqual(stage.new_label, "New Customer")
        self.assertIn("New: first order", stage.rule)
        self.assertEqual((tier.old_value, tier.new_value), (False, "Gold"))
        self.assertIn("Tier reached", tier.rule)
        self.assertEqual(customer.crm_classification_history_ids, grade | stage | tier)

    def test_change_rows_old_and_new(self):
        customer = self._vip("Overtaken")
        self._crm_order(self._crm_customer("Giant"), 9000, days_ago=5)
        self._crm_recompute()
        self.assertEqual(customer.crm_value_grade, "b")
        last = self._crm_history(customer, "value_grade")[-1]
        self.assertEqual((last.old_value, last.new_value), ("a", "b"))
        self.assertIn("Pareto: B", last.rule)
        self.assertEqual(last.old_label, "A - VIP")

    def test_override_locks_and_recompute_respects_it(self):
        customer = self._vip()
        self._override(customer, classification="value_grade", value_grade="c",
                       lock=True, reason="Pays late, no VIP treatment")
        self.assertEqual(customer.crm_value_grade, "c")
        self.assertTrue(customer.crm_value_grade_locked)
        self.assertEqual(customer.crm_value_grade_lock_reason, "Pays late, no VIP treatment")
        manual = self._crm_history(customer, "value_grade")[-1]
        self.assertEqual((manual.old_value, manual.new_value), ("a", "c"))
        self.assertEqual(manual.user_id, self.manager)
        self.assertFalse(manual.rule)
        self.assertEqual(manual.reason, "Pays late, no VIP treatment")
        rows = len(self._crm_history(customer, "value_grade"))

        # Neither the full run nor a confirmation changes a locked grade; the
        # statistics still follow.
        self._crm_recompute()
        self._crm_order(customer, 500, days_ago=1)
        self._crm_recompute()
        self.assertEqual(customer.crm_value_grade, "c")
        self.assertEqual(customer.crm_order_count, 2)
        self.assertEqual(len(self._crm_history(customer, "value_grade")), rows)

        # Unlocking returns to the computed grade at once, logged with its rule.
        self._override(customer, classification="value_grade", action="unlock",
                       reason="Paid everything")
        self.assertFalse(customer.crm_value_grade_locked)
        self.assertFalse(customer.crm_value_grade_lock_reason)
        self.assertEqual(customer.crm_value_grade, "a")
        back = self._crm_history(customer, "value_grade")[-1]
        self.assertEqual((back.old_value, back.new_value), ("c", "a"))
        self.assertEqual(back.reason, "Paid everything")
        self.assertEqual(back.user_id, self.manager)
        self.assertTrue(back.rule)

    def test_override_lifecycle_stage(self):
        customer = self._vip()
        self.assertEqual(customer.crm_lifecycle_stage, "new")
        self._override(customer, classification="lifecycle_stage",
                       lifecycle_stage="loyal", lock=True, reason="Framework contract")
        self._crm_recompute()
        self.assertEqual(customer.crm_lifecycle_stage, "loyal")
        self.assertTrue(customer.crm_lifecycle_locked)
        manual = self._crm_history(customer, "lifecycle_stage")[-1]
        self.assertEqual((manual.old_value, manual.new_value, manual.reason),
                         ("new", "loyal", "Framework contract"))

    def test_override_credit_rating(self):
        """Managers override the credit rating from the same wizard; the credit
        recompute keeps a locked rating and unlocking returns to the computed one
        (no invoice history: no rating)."""
        customer = self._vip()
        self.assertFalse(customer.crm_credit_rating)
        self._override(customer, classification="credit_rating", credit_rating="bb",
                       lock=True, reason="Known payment trouble")
        self.assertEqual(customer.crm_credit_rating, "bb")
        self.assertTrue(customer.crm_credit_rating_locked)
        self.env["res.partner"].with_user(self.manager).crm_recompute_credit_rating()
        self.assertEqual(customer.crm_credit_rating, "bb")
        manual = self._crm_history(customer, "credit_rating")[-1]
        self.assertEqual((manual.new_value, manual.reason), ("bb", "Known payment trouble"))
        self._override(customer, classification="credit_rating", action="unlock",
                       reason="Trouble solved")
        self.assertFalse(customer.crm_credit_rating_locked)
        self.assertFalse(customer.crm_credit_rating)

    def test_override_without_lock_is_recomputed(self):
        customer = self._vip()
        self._override(customer, classification="value_grade", value_grade="b",
                       lock=False, reason="Try")
        self.assertEqual(customer.crm_value_grade, "b")
        self.assertFalse(customer.crm_value_grade_locked)
        self._crm_recompute()
        self.assertEqual(customer.crm_value_grade, "a")

    def test_locking_the_current_value_is_logged(self):
        customer = self._vip()
        self._override(customer, classification="value_grade", value_grade="a",
                       lock=True, reason="Keep as VIP")
        self.assertTrue(customer.crm_value_grade_locked)
        row = self._crm_history(customer, "value_grade")[-1]
        self.assertEqual((row.old_value, row.new_value, row.reason), ("a", "a", "Keep as VIP"))

    def test_override_bad_input(self):
        customer = self._vip()
        with self.assertRaises(UserError):
            self._override(customer, classification="value_grade", action="unlock",
                           reason="Not locked")
        with self.assertRaises(UserError):
            self._override(customer, classification="value_grade", value_grade=False,
                           reason="No value")
        with self.assertRaises(UserError):
            self._override(customer, classification="value_grade", value_grade="c",
                           reason="   ")
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertFalse(customer.crm_value_grade_locked)

    def test_wizard_defaults_to_current_values(self):
        customer = self._vip()
        contact = self.env["res.partner"].create({"name": "Contact", "parent_id": customer.id})
        action = contact.with_user(self.manager).with_context(
            crm_classification="lifecycle_stage"
        ).action_crm_open_override_wizard()
        self.assertEqual(action["res_model"], "crm.classification.override")
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"]["default_partner_id"], customer.id)
        self.assertEqual(action["context"]["default_classification"], "lifecycle_stage")
        wizard = self.env["crm.classification.override"].with_user(self.manager).with_context(
            **action["context"]
        ).create({"reason": "Check"})
        self.assertEqual(wizard.classification, "lifecycle_stage")
        self.assertEqual(wizard.value_grade, "a")
        self.assertEqual(wizard.lifecycle_stage, "new")
        self.assertEqual(wizard.current_value_grade, "a")
        self.assertFalse(wizard.current_locked)

    def test_non_manager_cannot_override(self):
        customer = self._vip()
        as_salesman = customer.with_user(self.salesman)
        for vals in (
            {"crm_value_grade": "c"},
            {"crm_value_grade_locked": True},
            {"crm_lifecycle_stage": "loyal"},
            {"crm_lifecycle_locked": True},
            {"crm_tier_id": self.env.ref("crm_extended.crm_customer_tier_gold").id},
        ):
            with self.assertRaisesRegex(AccessError, "CRM managers"):
                as_salesman.write(vals)
        with self.assertRaises(AccessError):
            self._override(customer, user=self.salesman, classification="value_grade",
                           value_grade="c", reason="No right")
        with self.assertRaisesRegex(AccessError, "CRM managers"):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Self-made VIP", "crm_value_grade": "a"}
            )
        with self.assertRaisesRegex(AccessError, "CRM managers"):
            self.env["res.partner"].with_user(self.salesman).crm_recompute_classification()
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertFalse(customer.crm_value_grade_locked)

    def test_manager_direct_edit_is_logged(self):
        customer = self._vip()
        gold = self.env.ref("crm_extended.crm_customer_tier_gold")
        customer.with_user(self.manager).with_context(
            crm_classification_reason="Goodwill"
        ).write({"crm_tier_id": gold.id, "crm_tier_valid_until": self.today + timedelta(days=30)})
        row = self._crm_history(customer, "tier")[-1]
        self.assertEqual((row.old_value, row.new_value, row.reason), (False, "Gold", "Goodwill"))
        self.assertEqual(row.user_id, self.manager)
        # A tier given by hand lasts until its end date.
        self._crm_recompute()
        self.assertEqual(customer.crm_tier_id, gold)
        self._crm_recompute(today=self.today + timedelta(days=31))
        self.assertFalse(customer.crm_tier_id)

    def test_full_recompute_returns_counts(self):
        self._crm_order(self._crm_customer("Counted"), 100, days_ago=400)
        result = self.env["res.partner"].with_user(self.manager).crm_recompute_classification(
            today=self.today
        )
        self.assertEqual(result["tag"], "display_notification")
        self.assertGreaterEqual(result["params"]["customers"], 1)
        self.assertGreaterEqual(result["params"]["changed"], 1)

    def test_cron(self):
        cron = self.env.ref("crm_extended.ir_cron_crm_recompute_classification")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertEqual(cron.code.strip(), "model._cron_crm_recompute_classification()")
        customer = self._crm_customer("Cron Customer")
        self._crm_order(customer, 1000, days_ago=5)
        # A stale grade and a company last classified yesterday: the nightly run
        # must classify the company again, and only once a day.
        customer.sudo().crm_value_grade = "c"
        self.company.sudo().crm_classified_at = fields.Datetime.now() - timedelta(days=1)
        commits = []
        # Tests may not commit: count the cron's commits instead.
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress",
            lambda cron_self, processed=0, **kwargs: commits.append(processed) or float("inf"),
        ):
            first = self.env["res.partner"]._cron_crm_recompute_classification()
            second = self.env["res.partner"]._cron_crm_recompute_classification()
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertGreaterEqual(first["customers"], 1)
        self.assertEqual(second["customers"], 0, "a company is classified once a day")
        self.assertIn(1, commits, "progress is committed after each company")


@tagged("post_install", "-at_install")
class TestCompanySettings(CrmExtendedCase):

    def test_invalid_settings_refused(self):
        with self.assertRaises(ValidationError):
            self.company.write({"crm_grade_a_threshold": 100.0, "crm_grade_b_threshold": 500.0})
        with self.assertRaises(ValidationError):
            self.company.write({"crm_loyal_min_active_months": 13})
        self.assertEqual(self.company.crm_loyal_min_active_months, 6)

    @mute_logger("odoo.sql_db")
    def test_invalid_shares_refused(self):
        with self.assertRaises(CheckViolation), self.cr.savepoint():
            self.company.write({"crm_grade_a_share": 90.0, "crm_grade_b_share": 20.0})
            self.company.flush_recordset()
        with self.assertRaises(CheckViolation), self.cr.savepoint():
            self.env["res.config.settings"].create({"crm_lost_days": -1}).execute()
            self.company.flush_recordset()


@tagged("post_install", "-at_install")
class TestHistoryOrm(CrmExtendedCase):

    def test_history_rows_readable_by_salesman(self):
        customer = self._crm_customer("Visible")
        self._crm_order(customer, 100, days_ago=1)
        rows = self.env["crm.classification.history"].with_user(self.salesman).search(
            [("partner_id", "=", customer.id)]
        )
        self.assertEqual(set(rows.mapped("classification")), {"value_grade", "lifecycle_stage"})
        self.assertEqual(rows.create_uid, self.env.user)
        with self.assertRaises(AccessError):
            rows.with_user(self.salesman).write({"reason": "edited"})
        with self.assertRaises(AccessError):
            self.env["crm.classification.history"].with_user(self.salesman).create({
                "partner_id": customer.id, "company_id": self.company.id,
                "classification": "value_grade", "new_value": "a",
            })

    def test_history_cannot_be_forged_by_a_manager(self):
        """The trail is written by the code only: even a CRM manager cannot add,
        edit or delete rows over RPC."""
        customer = self._crm_customer("Audited")
        History = self.env["crm.classification.history"].with_user(self.manager)
        with self.assertRaises(AccessError):
            History.create({
                "partner_id": customer.id, "company_id": self.company.id,
                "classification": "value_grade", "new_value": "a", "rule": "forged",
            })
        self._crm_order(customer, 100, days_ago=1)
        rows = History.search([("partner_id", "=", customer.id)])
        self.assertTrue(rows)
        with self.assertRaises(AccessError):
            rows.write({"reason": "edited"})
        with self.assertRaises(AccessError):
            rows.unlink()
