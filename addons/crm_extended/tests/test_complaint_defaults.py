from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import Form, new_test_user, tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestComplaintDefaults(CrmExtendedCase):
    """A fresh database, nothing configured: the Customer Service team the
    module ships takes the complaints in, assigns them, sets both deadlines in
    the company's working hours and escalates breaches."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shipped = cls.env.ref("crm_extended.crm_complaint_team_customer_service")
        cls.admin = cls.env.ref("base.user_admin")
        cls.agent = new_test_user(cls.env, login="cmp_plain_agent", name="Plain Agent",
                                  groups="crm_extended.group_crm_extended_user")
        cls.customer = cls._crm_customer("Fresh Customer", email="fresh@example.com")

    def test_shipped_team(self):
        self.assertEqual(self.shipped.company_id, self.env.ref("base.main_company"))
        self.assertEqual(self.shipped.resource_calendar_id,
                         self.shipped.company_id.resource_calendar_id)
        self.assertEqual(self.shipped.member_ids, self.admin)
        self.assertEqual(self.shipped.leader_id, self.admin)
        self.assertTrue(self.shipped.first_response_hours)
        self.assertTrue(self.shipped.resolution_hours)

    @freeze_time("2026-03-02 08:00:00")  # a Monday, before the working day
    def test_complaint_with_no_configuration(self):
        # The only team of the company is the shipped one (as after install).
        self.env["crm.complaint.team"].search([("id", "!=", self.shipped.id)]).active = False
        form = Form(self.env["crm.complaint"].with_user(self.agent))
        form.name = "Nothing configured"
        form.partner_id = self.customer
        complaint = form.save()
        self.assertEqual(complaint.team_id, self.shipped)
        self.assertEqual(complaint.user_id, self.admin)
        self.assertEqual(complaint.stage_id,
                         self.env.ref("crm_extended.crm_complaint_stage_assigned"))
        self.assertTrue(complaint.first_response_deadline)
        self.assertTrue(complaint.resolution_deadline)
        self.assertLess(complaint.first_response_deadline, complaint.resolution_deadline)
        self.assertGreater(complaint.first_response_deadline, datetime(2026, 3, 2, 8, 0))
        # An urgent one gets shorter deadlines (the priority policy).
        urgent = self.env["crm.complaint"].with_user(self.agent).create({
            "name": "Urgent, nothing configured", "partner_id": self.customer.id,
            "priority": "3",
        })
        self.assertLess(urgent.resolution_deadline, complaint.resolution_deadline)
        # Past the deadlines the breach escalates to the shipped team's leader.
        with freeze_time(complaint.resolution_deadline + timedelta(minutes=1)):
            self.env["crm.complaint"]._cron_escalate()
        self.assertEqual(complaint.escalation_level, "1")
        self.assertIn(self.admin, complaint.activity_ids.user_id)
