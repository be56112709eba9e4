from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_grade_basis = fields.Selection(
        selection_add=[("value_score", "Value Score (0-100)")],
        ondelete={"value_score": "set default"},
    )
