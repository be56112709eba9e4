from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestComplaintTour(HttpCase):
    """From intake to close in a real browser."""

    def test_complaint_tour(self):
        admin = self.env.ref("base.user_admin")
        self.env["crm.complaint.team"].create({
            "name": "Tour After-sales", "member_ids": [Command.set(admin.ids)],
            "leader_id": admin.id, "sequence": 0,
        })
        customer = self.env["res.partner"].create({
            "name": "Tour Canning Factory", "is_company": True,
            "email": "tour@canning.example.com",
        })
        self.start_tour("/odoo", "crm_extended_complaint_tour", login="admin")
        complaint = self.env["crm.complaint"].search([("name", "=", "Tour: lids do not close")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.commercial_partner_id, customer)
        self.assertEqual(complaint.stage_id, self.env.ref("crm_extended.crm_complaint_stage_closed"))
        self.assertEqual(complaint.root_cause_id,
                         self.env.ref("crm_extended.crm_complaint_category_core_service"))
        self.assertEqual(complaint.compensation_cost, 120)
        self.assertEqual((complaint.followup_method, complaint.followup_satisfaction),
                         ("phone", "5"))
        self.assertTrue(complaint.resolved_date)
        self.assertTrue(complaint.closed_date)
        self.assertLessEqual(complaint.resolved_date, complaint.closed_date)
