from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestCreditRating(CrmExtendedCase):
    """Credit rating derived from real posted invoices and real payments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Salespeople usually edit contacts: with that right, only our own check
        # stands between them and the protected fields.
        cls.salesman.group_ids += cls.env.ref("base.group_partner_manager")
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.company.crm_credit_window_days = 365
        Partner = cls.env["res.partner"]
        cls.p_aaa, cls.p_aa, cls.p_a, cls.p_bbb, cls.p_bb, cls.p_b, cls.p_c, cls.p_c_old = (
            Partner.create([{"name": f"Credit {name}", "is_company": True} for name in (
                "AAA", "AA", "A", "BBB", "BB", "B", "C", "C old",
            )])
        )
        cls.p_none, cls.p_outside, cls.p_future = Partner.create([
            {"name": "No invoices", "is_company": True},
            {"name": "Only old invoices", "is_company": True},
            {"name": "Nothing due yet", "is_company": True},
        ])
        cls.contact = Partner.create({"name": "Contact of BB", "parent_id": cls.p_bb.id})

        # (partner, days the invoice is due before today, days paid after due or
        # None when still open)
        plan = [
            # AAA: everything paid on or before the due date
            (cls.p_aaa, 100, 0), (cls.p_aaa, 60, -5), (cls.p_aaa, 20, 0),
            # AA: one invoice paid 2 days late, within the tolerance
            (cls.p_aa, 50, 2),
            # A: ten on time, one open 10 days past due (9% late, avg 0.9 days)
            *[(cls.p_a, 20 + 10 * i, 0) for i in range(10)], (cls.p_a, 10, None),
            # BBB: one of four paid 40 days late (25% late, avg 10 days)
            (cls.p_bbb, 200, 40), (cls.p_bbb, 150, 0), (cls.p_bbb, 100, 0), (cls.p_bbb, 50, 0),
            # BB: both invoices paid 10 days late (100% late, avg 10 days); one
            # of them was invoiced to a contact of the company
            (cls.p_bb, 120, 10), (cls.contact, 60, 10),
            # B: open 70 days past due, three on time (avg 17.5 days)
            (cls.p_b, 70, None), (cls.p_b, 150, 0), (cls.p_b, 120, 0), (cls.p_b, 100, 0),
            # C: open 120 days past due
            (cls.p_c, 120, None),
            # C: still open, due long before the rating window
            (cls.p_c_old, 400, None),
            # Paid on time, but due before the rating window: no rating
            (cls.p_outside, 500, 0),
            # Not due yet: no rating
            (cls.p_future, -10, None),
        ]
        cls.invoices = cls._create_invoices(
            [(partner, cls.today - timedelta(days=due_ago)) for partner, due_ago, _paid in plan]
        )
        # Invoices paid on time are paid together, early enough for all of them;
        # late ones one by one on their own date.
        on_time = cls.env["account.move"]
        for invoice, (_partner, _due_ago, paid_after) in zip(cls.invoices, plan, strict=True):
            if paid_after is not None and paid_after <= 0:
                on_time |= invoice
            elif paid_after is not None:
                cls._pay(invoice, invoice.invoice_date_due + timedelta(days=paid_after))
        cls._pay(on_time, min(on_time.mapped("invoice_date_due")))
        cls.History = cls.env["crm.classification.history"]

    @classmethod
    def _create_invoices(cls, partner_dues, amount=100.0, company=None):
        company = company or cls.company
        invoices = cls.env["account.move"].with_company(company).create([
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": min(due, cls.today) - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    fields.Command.create({
                        "product_id": cls.product.id,
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [fields.Command.clear()],
                    })
                ],
            }
            for partner, due in partner_dues
        ])
        invoices.action_post()
        return invoices

    @classmethod
    def _pay(cls, invoices, date):
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"payment_date": date})._create_payments()

    def _history(self, partner):
        return self.History.search([
            ("partner_id", "=", partner.id), ("classification", "=", "credit_rating"),
        ])

    # ------------------------------------------------------------------

    def test_invoices_setup(self):
        """The fixture is what the ratings below rely on."""
        self.assertEqual(self.invoices[0].invoice_date_due, self.today - timedelta(days=100))
        self.assertEqual(self.invoices[0].payment_state, "paid")
        self.assertEqual(self.invoices.filtered(lambda m: m.partner_id == self.p_c).payment_state,
                         "not_paid")

    def test_scoring_table(self):
        self.env["res.partner"].crm_recompute_credit_rating()
        expected = {
            self.p_aaa: "aaa", self.p_aa: "aa", self.p_a: "a", self.p_bbb: "bbb",
            self.p_bb: "bb", self.p_b: "b", self.p_c: "c", self.p_c_old: "c",
            self.p_none: False, self.p_outside: False, self.p_future: False,
        }
        for partner, rating in expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.crm_credit_rating, rating)

    def test_statistics(self):
        self.env["res.partner"].crm_recompute_credit_rating()
        self.assertEqual(self.p_aaa.crm_credit_invoice_count, 3)
        self.assertEqual(self.p_aaa.crm_avg_days_late, 0.0)
        self.assertEqual(self.p_aaa.crm_late_invoice_ratio, 0.0)

        self.assertEqual(self.p_a.crm_credit_invoice_count, 11)
        self.assertAlmostEqual(self.p_a.crm_avg_days_late, 0.91, places=2)
        self.assertAlmostEqual(self.p_a.crm_late_invoice_ratio, 9.09, places=2)
        self.assertEqual(self.p_a.crm_overdue_amount, 100.0)
        self.assertEqual(self.p_a.crm_max_days_overdue, 10)

        self.assertEqual(self.p_bbb.crm_avg_days_late, 10.0)
        self.assertEqual(self.p_bbb.crm_late_invoice_ratio, 25.0)
        self.assertEqual(self.p_bbb.crm_overdue_amount, 0.0)

        # The contact's invoice counts for its company, not for the contact.
        self.assertEqual(self.p_bb.crm_credit_invoice_count, 2)
        self.assertEqual(self.p_bb.crm_late_invoice_ratio, 100.0)
        self.assertFalse(self.contact.crm_credit_rating)

        self.assertEqual(self.p_b.crm_max_days_overdue, 70)
        self.assertEqual(self.p_b.crm_avg_days_late, 17.5)

        # Outside the window: no invoice counted, the overdue amount still is.
        self.assertEqual(self.p_c_old.crm_credit_invoice_count, 0)
        self.assertEqual(self.p_c_old.crm_max_days_overdue, 400)
        self.assertEqual(self.p_c_old.crm_overdue_amount, 100.0)

    def test_payment_improves_rating_and_logs_history(self):
        Partner = self.env["res.partner"]
        Partner.crm_recompute_credit_rating()
        history = self._history(self.p_c)
        self.assertEqual(len(history), 1)
        self.assertEqual((history.old_value, history.new_value), (False, "c"))
        self.assertFalse(history.user_id, "a rule made the change, not a person")
        self.assertIn("90", history.rule)
        self.assertIn("120", history.reason)
        self.assertEqual(history.company_id, self.company)

        # A second run without news changes nothing and logs nothing.
        self.assertEqual(Partner._crm_recompute_credit_rating_company(self.company), 0)
        self.assertEqual(len(self._history(self.p_c)), 1)

        # Paid today, 120 days late: C by the average delay alone.
        invoice = self.invoices.filtered(lambda m: m.partner_id == self.p_c)
        self._pay(invoice, self.today)
        Partner.crm_recompute_credit_rating()
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertEqual(self.p_c.crm_overdue_amount, 0.0)
        self.assertEqual(self.p_c.crm_avg_days_late, 120.0)

        # The open invoice of the A customer gets paid 3 days after its due date:
        # no late invoice beyond the tolerance any more, average below 3 days.
        invoice = self.invoices.filtered(
            lambda m: m.partner_id == self.p_a and m.payment_state == "not_paid"
        )
        self._pay(invoice, invoice.invoice_date_due + timedelta(days=3))
        Partner.crm_recompute_credit_rating()
        self.assertEqual(self.p_a.crm_credit_rating, "aa")
        history = self._history(self.p_a).sorted("id")
        self.assertEqual(history.mapped("new_value"), ["a", "aa"])
        self.assertEqual(history[-1].old_value, "a")

    def test_rating_cleared_when_history_leaves_window(self):
        Partner = self.env["res.partner"]
        Partner.crm_recompute_credit_rating()
        self.assertEqual(self.p_aaa.crm_credit_rating, "aaa")
        self.company.crm_credit_window_days = 10
        Partner.crm_recompute_credit_rating()
        self.assertFalse(self.p_aaa.crm_credit_rating)
        self.assertEqual(self.p_aaa.crm_credit_invoice_count, 0)
        self.assertEqual(self._history(self.p_aaa).sorted("id")[-1].old_value, "aaa")
        # Open overdue invoices keep counting whatever the window.
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertEqual(self.p_a.crm_credit_rating, "bb",
                         "only the open invoice is left in a 10-day window")

    def test_locked_rating_is_kept(self):
        Partner = self.env["res.partner"]
        customer = self.p_c.with_user(self.manager)
        customer.write({
            "crm_credit_rating": "a",
            "crm_credit_rating_locked": True,
            "crm_credit_rating_lock_reason": "Payment plan agreed with the CFO",
        })
        manual = self._history(self.p_c)
        self.assertEqual(len(manual), 1)
        self.assertEqual(manual.user_id, self.manager)
        self.assertFalse(manual.rule)
        self.assertEqual(manual.reason, "Payment plan agreed with the CFO")
        self.assertEqual((manual.old_value, manual.new_value), (False, "a"))

        Partner.crm_recompute_credit_rating()
        self.assertEqual(self.p_c.crm_credit_rating, "a")
        self.assertEqual(self.p_c.crm_max_days_overdue, 120, "statistics still refresh")
        self.assertEqual(len(self._history(self.p_c)), 1, "no rule change logged")

        customer.crm_credit_rating_locked = False
        Partner.crm_recompute_credit_rating()
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertEqual(self._history(self.p_c).sorted("id")[-1].old_value, "a")

    def test_lock_needs_reason(self):
        with self.assertRaises(ValidationError):
            self.p_aaa.with_user(self.manager).write({"crm_credit_rating_locked": True})
        with self.assertRaises(ValidationError):
            self.p_aaa.with_user(self.manager).write({
                "crm_credit_rating_locked": True, "crm_credit_rating_lock_reason": "  ",
            })
        self.assertFalse(self.p_aaa.crm_credit_rating_locked)

    def test_only_managers_change_the_rating(self):
        as_salesman = self.p_aaa.with_user(self.salesman)
        self.assertFalse(as_salesman.crm_credit_rating)  # can read it
        for vals in (
            {"crm_credit_rating": "c"},
            {"crm_credit_rating_locked": True, "crm_credit_rating_lock_reason": "x"},
            {"crm_credit_rating_lock_reason": "x"},
            {"crm_avg_days_late": 3.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_salesman.write(vals)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Rated at birth", "crm_credit_rating": "aaa"}
            )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).crm_recompute_credit_rating()
        self.assertFalse(self.p_aaa.crm_credit_rating)
        as_salesman.write({"phone": "+1 555 0100"})  # the rest stays editable
        # The superuser (crons, server code) is not a CRM manager but may write.
        self.p_aaa.with_user(self.salesman).sudo().crm_credit_rating = "b"
        self.assertEqual(self.p_aaa.crm_credit_rating, "b")
        self.env["res.partner"].with_user(self.manager).crm_recompute_credit_rating()
        self.assertEqual(self.p_aaa.crm_credit_rating, "aaa")

    def test_partner_subset_recompute(self):
        self.p_c._crm_recompute_credit_rating_partners()
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertFalse(self.p_aaa.crm_credit_rating, "other customers are left alone")
        # Called on a contact, it rates the company.
        self.contact._crm_recompute_credit_rating_partners()
        self.assertEqual(self.p_bb.crm_credit_rating, "bb")
        self.assertFalse(self.p_aaa.crm_credit_rating)

    def test_company_dependent(self):
        company_b = self.env["res.company"].create({"name": "Credit Company B"})
        self.env["res.partner"].with_company(company_b)._crm_recompute_credit_rating_company(
            company_b
        )
        self.env["res.partner"]._crm_recompute_credit_rating_company(self.company)
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertFalse(self.p_c.with_company(company_b).crm_credit_rating)
        self.assertEqual(self.p_c.with_company(company_b).crm_max_days_overdue, 0)
        self.p_c.with_company(company_b).write({
            "crm_credit_rating": "aaa",
            "crm_credit_rating_locked": True,
            "crm_credit_rating_lock_reason": "Group guarantee",
        })
        self.env["res.partner"]._crm_recompute_credit_rating_company(company_b)
        self.env["res.partner"]._crm_recompute_credit_rating_company(self.company)
        self.assertEqual(self.p_c.with_company(company_b).crm_credit_rating, "aaa")
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertFalse(self.p_c.crm_credit_rating_locked)
        history_b = self.History.search([
            ("partner_id", "=", self.p_c.id), ("company_id", "=", company_b.id),
        ])
        self.assertEqual(history_b.new_value, "aaa")

    def test_query_count_does_not_grow_with_customers(self):
        Partner = self.env["res.partner"]
        Partner.crm_recompute_credit_rating()
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        Partner._crm_recompute_credit_rating_company(self.company)
        few = self.env.cr.sql_log_count - start

        more = Partner.create([{"name": f"Bulk {i}", "is_company": True} for i in range(30)])
        self._create_invoices([(partner, self.today - timedelta(days=100)) for partner in more])
        self.env.flush_all()
        start = self.env.cr.sql_log_count
        changed = Partner._crm_recompute_credit_rating_company(self.company)
        many = self.env.cr.sql_log_count - start
        self.assertEqual(changed, 30)
        self.assertEqual(set(more.mapped("crm_credit_rating")), {"c"})
        self.assertLessEqual(many, few + 3, "one update and one history insert, whatever the size")

    def test_credit_limit_flag_uses_odoo_limit(self):
        customer = self.p_c  # 100.0 open
        self.company.account_use_credit_limit = False
        customer.sudo().credit_limit = 50.0
        self.assertFalse(customer.crm_credit_limit_exceeded)
        self.company.account_use_credit_limit = True
        customer.invalidate_recordset(["crm_credit_limit_exceeded"])
        self.assertTrue(customer.with_user(self.salesman).crm_credit_limit_exceeded)
        customer.sudo().credit_limit = 1000.0
        customer.invalidate_recordset(["crm_credit_limit_exceeded"])
        self.assertFalse(customer.crm_credit_limit_exceeded)

    def test_daily_cron(self):
        cron = self.env.ref("crm_extended.ir_cron_crm_credit_rating")
        self.assertTrue(cron.active)
        self.assertEqual(cron.code.strip(), "model._cron_crm_recompute_credit_rating()")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        self.assertTrue(hasattr(self.env[cron.model_id.model], "_cron_crm_recompute_credit_rating"))

    def test_manual_recompute_action(self):
        action = self.env.ref("crm_extended.res_partner_action_crm_recompute_credit_rating")
        # The selected customers only (a contact stands for its company), and
        # a notification that counts them.
        result = action.with_user(self.manager).with_context(
            active_model="res.partner", active_ids=(self.p_c | self.contact).ids).run()
        self.assertEqual(self.p_c.crm_credit_rating, "c")
        self.assertEqual(self.p_bb.crm_credit_rating, "bb")
        self.assertFalse(self.p_aaa.crm_credit_rating, "not selected: left alone")
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["message"], "Customers rated: 2. Ratings changed: 2.")
        result = action.with_user(self.manager).with_context(
            active_model="res.partner", active_ids=self.p_c.ids).run()
        self.assertEqual(result["params"]["message"], "Customers rated: 1. Ratings changed: 0.")
        with self.assertRaises(AccessError):
            action.with_user(self.salesman).with_context(
                active_model="res.partner", active_ids=self.p_aaa.ids).run()
        self.assertFalse(self.p_aaa.crm_credit_rating)
