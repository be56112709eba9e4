from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import create_report_customers


@tagged("post_install", "-at_install")
class TestAnalyticsReportsTour(HttpCase):
    """The new reports in a real browser: views render with data, and the RFM
    matrix drills down from a cell to its customers and on to a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").group_ids = [
            Command.link(cls.env.ref("crm_analytics.group_crm_analytics_user").id)]
        create_report_customers(cls.env, "Tour", champion_from="regular")

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
