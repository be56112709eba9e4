from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

CLICKBOT = ("odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
            ".startClickEverywhere('%s');")


@tagged("post_install", "-at_install")
class TestClickEverywhere(HttpCase):
    """Odoo's own clickbot (as in web's test_click_everywhere) over the CRM app
    and the Dashboards app: every menu, every view switcher and every filter
    opens without a client error, for an administrator and for a salesperson
    who only sees their own documents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.env.ref("base.user_admin")
        admin.group_ids = [Command.link(cls.env.ref("crm_analytics.group_crm_analytics_user").id)]
        if "tour_enabled" in admin._fields:
            admin.tour_enabled = False
        cls.salesman = new_test_user(
            cls.env, login="click_salesman", name="Click Salesman",
            groups="sales_team.group_sale_salesman,crm_extended.group_crm_extended_user",
        )
        if "tour_enabled" in cls.salesman._fields:
            cls.salesman.tour_enabled = False
        company = cls.env.ref("base.main_company")
        champion, sleeper = cls.env["res.partner"].create([
            {"name": "Click Champion", "is_company": True, "user_id": cls.salesman.id},
            {"name": "Click Sleeper", "is_company": True},
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
                (champion, False, "loyal"), (sleeper, "regular", "at_risk"))
        ])
        cls.env["crm.complaint"].create({
            "name": "Click complaint", "partner_id": sleeper.id, "channel": "phone",
            "compensation_cost": 50.0,
        })

    def _click_app(self, xmlid, login):
        self.browser_js("/odoo", CLICKBOT % xmlid, "odoo.isReady === true", login=login,
                        timeout=300, success_signal="clickbot test succeeded")

    def test_click_crm_as_admin(self):
        self._click_app("crm.crm_menu_root", "admin")

    def test_click_dashboards_as_admin(self):
        self._click_app("spreadsheet_dashboard.spreadsheet_dashboard_menu_root", "admin")

    def test_click_crm_as_salesman(self):
        self._click_app("crm.crm_menu_root", "click_salesman")

    def test_click_dashboards_as_salesman(self):
        self._click_app("spreadsheet_dashboard.spreadsheet_dashboard_menu_root", "click_salesman")
