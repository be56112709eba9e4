from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import create_report_customers

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
        create_report_customers(cls.env, "Click", salesman=cls.salesman)

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
