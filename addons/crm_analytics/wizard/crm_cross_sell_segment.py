from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class CrmCrossSellSegment(models.TransientModel):
    """Answers "which customers bought A but not B?" with the list of their
    commercial customers, to call, mail or export."""

    _name = "crm.cross.sell.segment"
    _description = "Customers Who Bought a Product but Not Another"

    company_id = fields.Many2one(
        "res.company", string="Company", required=True, default=lambda self: self.env.company)
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
        self.env.flush_all()
        date_clause = SQL("AND o.date_order >= %s", self.date_from) if self.date_from else SQL()
        self.env.cr.execute(SQL(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id
              JOIN res_partner p ON p.id = l.order_partner_id
             WHERE l.state = 'sale' AND l.company_id = %(company)s
               AND l.product_id = %(bought)s %(date_clause)s
            EXCEPT
            SELECT p.commercial_partner_id
              FROM sale_order_line l
              JOIN res_partner p ON p.id = l.order_partner_id
             WHERE l.state = 'sale' AND l.company_id = %(company)s
               AND l.product_id = %(not_bought)s
            """,
            company=self.company_id.id, bought=self.bought_product_id.id,
            not_bought=self.not_bought_product_id.id, date_clause=date_clause,
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
