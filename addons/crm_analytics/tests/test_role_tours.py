from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoleTours(HttpCase):
    """The manager's and the salesperson's day in a real browser, each as a
    user with only their role's groups."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="tour_crm_manager", password="tour_crm_manager_pw",
            name="Manager Li",
            groups="crm_extended.group_crm_extended_manager,sales_team.group_sale_manager",
        )
        cls.salesperson = new_test_user(
            cls.env, login="tour_own_salesperson", password="tour_own_salesperson_pw",
            name="Salesperson Chen", groups="sales_team.group_sale_salesman",
        )
        cls.buyer = cls.env["res.partner"].create({
            "name": "Tour Regular Buyer", "is_company": True, "email": "buyer@regular.example.com",
            "user_id": cls.salesperson.id,
        })

    def _escalated_complaints(self):
        """A team whose leader and escalation manager is the manager; one
        complaint left unanswered for three weeks (escalated by the scheduled
        job at a fixed moment), one received just before that moment."""
        agent = new_test_user(self.env, login="tour_escalation_agent", name="Agent Wu",
                              groups="sales_team.group_sale_salesman")
        team = self.env["crm.complaint.team"].create({
            "name": "Tour Escalations", "sequence": 0, "assignment_mode": "manual",
            "member_ids": [Command.set(agent.ids)], "leader_id": agent.id,
            "escalation_manager_id": self.manager.id,
        })
        Complaint = self.env["crm.complaint"]
        with freeze_time("2026-11-02 09:00:00"):
            breached = Complaint.create({
                "name": "Tour: late delivery of cans", "partner_id": self.buyer.id,
                "team_id": team.id, "user_id": agent.id, "channel": "phone",
            })
        moment = datetime(2026, 11, 23, 10, 0)
        with freeze_time(moment - timedelta(hours=1)):
            on_time = Complaint.create({
                "name": "Tour: question on time", "partner_id": self.buyer.id,
                "team_id": team.id, "user_id": agent.id, "channel": "phone",
            })
        with freeze_time(moment):
            Complaint._cron_escalate(now=moment)
        self.assertEqual((breached.escalation_level, breached.sla_status), ("2", "breached"))
        self.assertEqual(on_time.escalation_level, "0")
        return breached

    def test_manager_day(self):
        breached = self._escalated_complaints()
        # Scores to recompute: the buyer's orders.
        product = self.env["product.product"].create({
            "name": "Tour Service", "type": "service", "list_price": 100.0, "taxes_id": False})
        orders = self.env["sale.order"].create([{
            "partner_id": self.buyer.id,
            "order_line": [Command.create({"product_id": product.id, "price_unit": amount,
                                           "tax_ids": [Command.clear()]})],
        } for amount in (400.0, 600.0)])
        orders.action_confirm()
        Score = self.env["crm.customer.score"]
        Score.action_crm_recompute_scores()
        score = Score.search([("partner_id", "=", self.buyer.id)])
        self.assertEqual(len(score), 1)
        score.computed_at = datetime(2026, 1, 1)
        # An expiring contract without a contract product, and none sold as a
        # contract (the case that failed): renewed with the wizard's defaults.
        self.env["product.product"].search([("crm_contract_ok", "=", True)]).active = False
        # It ends in ten days, within the company's 30 days of reminder.
        self.env.company.crm_contract_reminder_days = 30
        end = fields.Date.today() + timedelta(days=10)
        contract_customer = self.env["res.partner"].create(
            {"name": "Tour Contract Co", "is_company": True})
        contract = self.env["crm.service.contract"].create({
            "partner_id": contract_customer.id,
            "date_start": end - relativedelta(years=1, days=-1),
            "date_end": end,
            "fee_amount": 800.0,
        })
        contract.action_activate()
        self.assertEqual(contract.state, "expiring")

        self.start_tour("/odoo", "crm_analytics_role_manager_tour", login="tour_crm_manager")

        self.assertEqual(breached.escalation_level, "2")
        score.invalidate_recordset()
        self.assertGreater(score.computed_at, datetime(2026, 1, 1))
        self.assertEqual(score.frequency, 2)
        self.assertEqual(contract.state, "renewed")
        renewal = contract.next_contract_id
        self.assertTrue(renewal)
        self.assertEqual(renewal.previous_contract_id, contract)
        self.assertEqual(renewal.state, "draft")
        self.assertEqual(renewal.date_start, contract.date_end + timedelta(days=1))
        self.assertEqual(renewal.fee_amount, 800.0)
        self.assertFalse(renewal.sale_order_id, "renewed without quotation, as the wizard said")

    def test_salesperson_day(self):
        company = self.env.company
        # A customer of the salesperson: one confirmed order of theirs.
        product = self.env["product.product"].create({
            "name": "Tour Service", "type": "service", "list_price": 100.0, "taxes_id": False})
        self.env["sale.order"].create({
            "partner_id": self.buyer.id, "user_id": self.salesperson.id,
            "order_line": [Command.create({"product_id": product.id, "price_unit": 900.0,
                                           "tax_ids": [Command.clear()]})],
        }).action_confirm()
        # Its score, as the last run left it (the figures the page must show).
        Score = self.env["crm.customer.score"]
        values = {
            "r_score": 5, "f_score": 5, "m_score": 5, "rfm_segment": "champions",
            "value_score": 87.5, "churn_risk": "low", "monetary": 9000.0,
            "predicted_clv": 5000.0,
        }
        score = Score.search([("partner_id", "=", self.buyer.id), ("company_id", "=", company.id)])
        if score:
            score.write(values)
        else:
            Score.create({"partner_id": self.buyer.id, "company_id": company.id, **values})
        buyer = self.buyer.with_user(self.salesperson)
        self.assertEqual((buyer.crm_value_score, buyer.crm_rfm_code, buyer.crm_churn_risk),
                         (87.5, "555", "low"))
        self.start_tour("/odoo", "crm_analytics_role_salesperson_tour",
                        login="tour_own_salesperson")
