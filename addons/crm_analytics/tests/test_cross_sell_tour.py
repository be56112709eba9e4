from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCrossSellTour(HttpCase):
    """Rule mining, target customers and recommendations in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").group_ids = [
            Command.link(cls.env.ref("crm_extended.group_crm_extended_manager").id)]
        products = {
            code: cls.env["product.product"].create({
                "name": f"Tour Product {code}", "type": "service", "taxes_id": False})
            for code in "XYZ"
        }
        baskets = [("Tour Loyal Customer", "XY"), ("Tour Second Customer", "XY"),
                   ("Tour Target Customer", "X"), ("Tour Other Customer", "Z")]
        orders = cls.env["sale.order"].create([{
            "partner_id": cls.env["res.partner"].create({"name": name, "is_company": True}).id,
            "order_line": [Command.create({
                "product_id": products[code].id, "price_unit": 10.0,
                "tax_ids": [Command.clear()]}) for code in codes],
        } for name, codes in baskets])
        orders.action_confirm()
        cls.env["crm.cross.sell.rule"].search([]).unlink()

    def test_cross_sell_tour(self):
        self.start_tour("/odoo/action-crm_analytics.crm_cross_sell_rule_action",
                        "crm_analytics_cross_sell_tour", login="admin")
