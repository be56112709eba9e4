from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class CrmExtendedCase(TransactionCase):
    """Users, a product and helpers shared by the crm_extended tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(
            cls.env, login="crm_manager", name="CRM Manager",
            groups="crm_extended.group_crm_extended_manager,sales_team.group_sale_manager",
        )
        cls.salesman = new_test_user(
            cls.env, login="crm_salesman", name="Plain Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Test Widget", "type": "consu", "list_price": 100.0}
        )
        # A service: confirming its orders creates no picking, which keeps the
        # tests that build long order histories fast.
        cls.service_product = cls.env["product.product"].create(
            {"name": "Test Service", "type": "service", "list_price": 100.0, "taxes_id": False}
        )
        cls.today = fields.Date.today()  # the classification counts days in UTC

    # ------------------------------------------------------------
    # Helpers building order histories
    # ------------------------------------------------------------

    @classmethod
    def _crm_customer(cls, name, **vals):
        return cls.env["res.partner"].create({"name": name, "is_company": True, **vals})

    @classmethod
    def _crm_order_vals(cls, partner, amount, company=None, pricelist=None, product=None):
        company = company or cls.company
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [Command.create({
                "product_id": (product or cls.service_product).id,
                "product_uom_qty": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return vals

    @classmethod
    def _crm_orders(cls, partner, days_ago_amounts, company=None, pricelist=None, confirm=True):
        """Create one order per ``(days_ago, amount)``, confirm them all, then
        move each to its date (10:00 UTC, ``days_ago`` days before today)."""
        company = company or cls.company
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        orders = env["sale.order"].with_company(company).create([
            cls._crm_order_vals(partner, amount, company, pricelist)
            for _days_ago, amount in days_ago_amounts
        ])
        if confirm:
            orders.action_confirm()
        for order, (days_ago, _amount) in zip(orders, days_ago_amounts, strict=True):
            order.date_order = cls._crm_datetime(days_ago)
        return orders

    @classmethod
    def _crm_order(cls, partner, amount, days_ago=0, **kwargs):
        return cls._crm_orders(partner, [(days_ago, amount)], **kwargs)

    @classmethod
    def _crm_datetime(cls, days_ago):
        return datetime.combine(cls.today - timedelta(days=days_ago), time(10, 0))

    @classmethod
    def _crm_refund(cls, partner, amount, days_ago=0, company=None):
        """A posted customer credit note of ``amount`` untaxed."""
        company = company or cls.company
        refund = cls.env["account.move"].with_company(company).create({
            "move_type": "out_refund",
            "partner_id": partner.id,
            "company_id": company.id,
            "invoice_date": cls.today - timedelta(days=days_ago),
            "invoice_line_ids": [Command.create({
                "product_id": cls.service_product.id,
                "quantity": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })
        refund.action_post()
        return refund

    def _crm_recompute(self, today=None, company=None):
        partners = self.env["res.partner"]
        if company:
            partners = partners.with_context(allowed_company_ids=[company.id])
        return partners.crm_recompute_classification(today=today or self.today)

    def _crm_history(self, partner, classification=None, company=None):
        domain = [("partner_id", "=", partner.id)]
        if classification:
            domain.append(("classification", "=", classification))
        if company:
            domain.append(("company_id", "=", company.id))
        return self.env["crm.classification.history"].search(domain, order="id")
