from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_xsell_min_support = fields.Float(
        related="company_id.crm_xsell_min_support", readonly=False)
    crm_xsell_min_confidence = fields.Float(
        related="company_id.crm_xsell_min_confidence", readonly=False)
    crm_xsell_min_lift = fields.Float(related="company_id.crm_xsell_min_lift", readonly=False)
    crm_xsell_sequence_days = fields.Integer(
        related="company_id.crm_xsell_sequence_days", readonly=False)
    crm_xsell_computed_at = fields.Datetime(related="company_id.crm_xsell_computed_at")
    crm_event_days_ahead = fields.Integer(
        related="company_id.crm_event_days_ahead", readonly=False)

    def action_crm_xsell_recompute(self):
        return self.env["crm.cross.sell.rule"].action_recompute()
