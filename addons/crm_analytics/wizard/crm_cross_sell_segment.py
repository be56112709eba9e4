from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL


class CrmCrossSellSegment(models.TransientModel):
    """Answers "which customers bought A but not B?" with the list of their
    commercial customers, to call, mail or export."""

    _name = "crm.cross.sell.segment"
    _description = "Customers Who Bought a Product but Not Another"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company)
    bought_product_id = fields.Many2one(
        "product.product", string="Bought", required=True, check_company=True)
    not_bought_product_id = fields.Many2one(
        "product.product", string="But Not", required=True, check_company=True)
    date_from = fields.Date(
        string="Bought Since", help="Only count purchases of the first product from this date.")

    def _segment_partner_ids(self):
        self.ensure_one()
        if self.bought_product_id == self.not_bought_product_id:
            raise UserError(self.env._("Choose two different products."))
        if self.company_id not in self.env.companies:
            raise UserError(self.env._("Choose one of your selected companies."))
        # Among the orders the user may read (a salesperson of own documents:
        # their own customers), as the orders list would show them.
        Partner = self.env["res.partner"].with_company(self.company_id)
        bought_domain = [("product_id", "=", self.bought_product_id.id)]
        if self.date_from:
            bought_domain.append(("order_id.date_order", ">=", self.date_from))
        bought = Partner._crm_readable_sale_lines(bought_domain)
        not_bought = Partner._crm_readable_sale_lines(
            [("product_id", "=", self.not_bought_product_id.id)])
        if bought is None:
            raise AccessError(self.env._(
                "Only users who may read sales orders can list who bought a product."))
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM sale_order_line l
              JOIN res_partner p ON p.id = l.order_partner_id
             WHERE l.id IN %(bought)s
            EXCEPT
            SELECT p.commercial_partner_id
              FROM sale_order_line l
              JOIN res_partner p ON p.id = l.order_partner_id
             WHERE l.id IN %(not_bought)s
            """,
            bought=bought, not_bought=not_bought,
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    def action_open_partners(self):
        ids = self._segment_partner_ids()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Bought %(bought)s but not %(not_bought)s",
                bought=self.bought_product_id.display_name,
                not_bought=self.not_bought_product_id.display_name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", ids)],
            "context": {"create": False},
        }
