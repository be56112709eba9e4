from odoo import fields, models, tools
from odoo.tools import SQL


class CrmClassificationReport(models.Model):
    _name = "crm.classification.report"
    _description = "Customer Classification Analysis"
    _auto = False
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                SQL("SELECT p.id AS id, p.id AS partner_id, NULL::integer AS company_id "
                    "FROM res_partner p WHERE false"),
            )
        )
