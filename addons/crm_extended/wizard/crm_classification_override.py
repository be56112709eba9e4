from odoo import fields, models


class CrmClassificationOverride(models.TransientModel):
    _name = "crm.classification.override"
    _description = "Override a Customer Classification"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    reason = fields.Char(required=True)
