from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_grade_method = fields.Selection(related="company_id.crm_grade_method", readonly=False)
    crm_grade_basis = fields.Selection(related="company_id.crm_grade_basis", readonly=False)
    crm_grade_a_share = fields.Float(related="company_id.crm_grade_a_share", readonly=False)
    crm_grade_b_share = fields.Float(related="company_id.crm_grade_b_share", readonly=False)
    crm_grade_a_threshold = fields.Monetary(
        related="company_id.crm_grade_a_threshold", readonly=False
    )
    crm_grade_b_threshold = fields.Monetary(
        related="company_id.crm_grade_b_threshold", readonly=False
    )
    crm_new_customer_days = fields.Integer(
        related="company_id.crm_new_customer_days", readonly=False
    )
    crm_regular_min_orders = fields.Integer(
        related="company_id.crm_regular_min_orders", readonly=False
    )
    crm_old_min_months = fields.Integer(related="company_id.crm_old_min_months", readonly=False)
    crm_loyal_min_months = fields.Integer(
        related="company_id.crm_loyal_min_months", readonly=False
    )
    crm_loyal_min_orders = fields.Integer(
        related="company_id.crm_loyal_min_orders", readonly=False
    )
    crm_loyal_min_active_months = fields.Integer(
        related="company_id.crm_loyal_min_active_months", readonly=False
    )
    crm_at_risk_factor = fields.Float(related="company_id.crm_at_risk_factor", readonly=False)
    crm_lost_days = fields.Integer(related="company_id.crm_lost_days", readonly=False)
    crm_credit_window_days = fields.Integer(
        related="company_id.crm_credit_window_days", readonly=False
    )
