from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestAnalyticsReportsTour(HttpCase):
    """The new reports in a real browser: views render with data, and the RFM
    matrix drills down from a cell to its customers and on to a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").group_ids = [
            Command.link(cls.env.ref("crm_analytics.group_crm_analytics_user").id)]
        company = cls.env.ref("base.main_company")
        champion, sleeper = cls.env["res.partner"].create([
            {"name": "Tour Champion", "is_company": True},
            {"name": "Tour Sleeper", "is_company": True},
        ])
        champion.with_company(company).crm_value_grade = "a"
        sleeper.with_company(company).crm_value_grade = "c"
        cls.env["crm.customer.score"].create([
            {"partner_id": champion.id, "company_id": company.id, "r_score": 5, "f_score": 5,
             "m_score": 5, "rfm_segment": "champions", "monetary": 9000.0, "margin": 900.0,
             "predicted_clv": 5000.0},
            {"partner_id": sleeper.id, "company_id": company.id, "r_score": 1, "f_score": 2,
             "m_score": 1, "rfm_segment": "hibernating", "monetary": 100.0, "margin": 10.0,
             "predicted_clv": 20.0},
        ])
        cls.env["crm.classification.history"].create([
            {"partner_id": partner.id, "company_id": company.id,
             "classification": "lifecycle_stage", "old_value": old, "new_value": new}
            for partner, old, new in (
                (champion, "regular", "loyal"), (sleeper, "regular", "at_risk"))
        ])
        cls.env["crm.complaint"].create({
            "name": "Tour complaint", "partner_id": sleeper.id, "channel": "phone",
            "compensation_cost": 50.0,
        })

    def test_rfm_matrix_drills_down_to_customers(self):
        self.start_tour("/odoo/action-crm_analytics.crm_rfm_report_action",
                        "crm_analytics_rfm_drilldown_tour", login="admin")

    def test_report_views_render(self):
        for action in (
            "crm_rfm_segment_grade_action", "crm_pareto_report_action",
            "crm_customer_equity_report_action", "crm_lifecycle_flow_report_action",
            "crm_complaint_report_action",
        ):
            with self.subTest(action=action):
                self.start_tour(f"/odoo/action-crm_analytics.{action}",
                                "crm_analytics_report_views_tour", login="admin")
