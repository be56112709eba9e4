from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestServiceContractTour(HttpCase):
    def test_quotation_to_active_contract_tour(self):
        customer = self.env["res.partner"].create({"name": "Tour Contract Co", "is_company": True})
        product = self.env["product.product"].create({
            "name": "Tour Maintenance Plan", "type": "service", "list_price": 800.0,
            "taxes_id": False,
        })
        today = fields.Date.today()
        contract = self.env["crm.service.contract"].create({
            "partner_id": customer.id,
            "date_start": today,
            "date_end": today + relativedelta(years=1, days=-1),
            "fee_product_id": product.id,
            "fee_amount": 800.0,
            "visit_interval_months": 3,
        })
        self.start_tour(f"/odoo/action-crm_extended.crm_service_contract_action/{contract.id}",
                        "crm_extended_service_contract_tour", login="admin")
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.sale_order_id.state, "sale")
        self.assertEqual(contract.sale_order_id.amount_untaxed, 800.0)
        self.assertEqual(len(contract.visit_ids), 1)
