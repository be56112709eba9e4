from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCustomerSegmentTour(HttpCase):
    """The segment form, its customers and the activity wizard in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").group_ids = [
            Command.link(cls.env.ref("crm_extended.group_crm_extended_manager").id)]
        Partner = cls.env["res.partner"]
        customers = Partner.create([
            {"name": f"Tour Segment Customer {n}", "is_company": True, "customer_rank": 1}
            for n in (1, 2)])
        Partner.create({"name": "Tour Segment Outsider", "is_company": True, "customer_rank": 1})
        grade_a = cls.env.ref("crm_analytics.crm_segment_option_grade_a")
        customers.write({"crm_value_grade": "a"})
        cls.env["crm.customer.segment"].search([]).action_archive()
        cls.env["crm.customer.segment"].create({
            "name": "Tour Segment",
            "value_grade_ids": [Command.set(grade_a.ids)],
            "partner_domain": "[('name', '=like', 'Tour Segment %')]",
        })

    def test_customer_segment_tour(self):
        self.start_tour("/odoo/action-crm_analytics.crm_customer_segment_action",
                        "crm_analytics_customer_segment_tour", login="admin")
        activities = self.env["mail.activity"].search([("summary", "=", "Call about the renewal")])
        self.assertEqual(sorted(activities.mapped("res_name")),
                         ["Tour Segment Customer 1", "Tour Segment Customer 2"])
