from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from odoo import Command

from .common import CrmExtendedCase


class ServiceContractCase(CrmExtendedCase):
    """Customers, a contract product, a tier and a delivered serial number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["crm.service.contract"]
        cls.Visit = cls.env["crm.service.visit"]
        cls.customer = cls._crm_customer("Contract Customer", email="customer@example.com")
        cls.other_customer = cls._crm_customer("Other Customer", email="other@example.com")
        cls.tier = cls.env["crm.customer.tier"].create({
            "name": "Contract Gold", "min_yearly_amount": 1000.0,
            "first_response_hours": 4.0, "resolution_hours": 24.0,
        })
        cls.fee_product = cls.env["product.product"].create({
            "name": "Maintenance Plan", "type": "service", "list_price": 1200.0,
            "taxes_id": False, "crm_contract_ok": True, "crm_contract_months": 12,
            "crm_contract_visit_months": 3, "crm_contract_included_visits": 2,
        })
        cls.machine = cls.env["product.product"].create({
            "name": "Boiler X1", "type": "consu", "is_storable": True, "tracking": "serial",
            "list_price": 3000.0, "taxes_id": False,
        })
        cls.part = cls.env["product.product"].create(
            {"name": "Filter", "type": "consu", "list_price": 40.0})
        cls.serial = cls._crm_deliver_serial(cls.customer, cls.machine, "SN-0001")
        cls.calendar_7x24 = cls.env.ref("crm_extended.resource_calendar_7x24")

    @classmethod
    def _crm_deliver_serial(cls, partner, product, serial_name):
        """Sell and deliver one serial-numbered unit to ``partner``."""
        lot = cls.env["stock.lot"].create({"name": serial_name, "product_id": product.id})
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 1, lot_id=lot)
        order = cls.env["sale.order"].create({
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
        })
        order.action_confirm()
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        return lot

    @contextmanager
    def _crm_assert_refused(self, exception, pattern):
        """Odoo's assertRaises (rolls the failed operation back, like a request
        would) plus a check of the message shown to the user."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)

    def _contract(self, partner=None, start=None, months=12, activate=True, **vals):
        start = start or self.today
        contract = self.Contract.create({
            "partner_id": (partner or self.customer).id,
            "date_start": start,
            "date_end": start + relativedelta(months=months, days=-1),
            "fee_product_id": self.fee_product.id,
            "fee_amount": 1200.0,
            **vals,
        })
        if activate:
            contract.action_activate()
        return contract
