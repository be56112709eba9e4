from odoo import fields, models

VALUE_GRADES = [
    ("a", "A - VIP"),
    ("b", "B - Important"),
    ("c", "C - Ordinary"),
]
LIFECYCLE_STAGES = [
    ("potential", "Potential"),
    ("new", "New"),
    ("regular", "Regular"),
    ("old", "Old"),
    ("loyal", "Loyal"),
    ("at_risk", "At Risk"),
    ("lost", "Lost"),
]
KEY_ACCOUNT_STATES = [
    ("potential", "Potential Key Account"),
    ("key", "Key Account"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Classification lives on the commercial partner and is company dependent:
    # the same customer can be a VIP of one company and ordinary for another.
    crm_value_grade = fields.Selection(
        VALUE_GRADES, string="Value Grade", company_dependent=True, copy=False
    )
    crm_value_grade_locked = fields.Boolean(
        string="Value Grade Locked",
        company_dependent=True,
        copy=False,
        help="Set by a manual override: the recompute leaves the grade alone.",
    )
    crm_value_grade_lock_reason = fields.Char(
        string="Value Grade Override Reason", company_dependent=True, copy=False
    )
    crm_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, string="Lifecycle Stage", company_dependent=True, copy=False
    )
    crm_lifecycle_locked = fields.Boolean(
        string="Lifecycle Stage Locked", company_dependent=True, copy=False
    )
    crm_lifecycle_lock_reason = fields.Char(
        string="Lifecycle Stage Override Reason", company_dependent=True, copy=False
    )
    crm_tier_id = fields.Many2one(
        "crm.customer.tier", string="Tier", company_dependent=True, copy=False
    )
    crm_tier_valid_until = fields.Date(
        string="Tier Valid Until",
        company_dependent=True,
        copy=False,
        help="End of the grace period: the tier is kept until then even if the "
        "customer no longer qualifies.",
    )

    # Order statistics written by the recompute (company currency, confirmed
    # orders net of refunds).
    crm_revenue_12m = fields.Float(
        string="Revenue (12 months)", company_dependent=True, copy=False, readonly=True
    )
    crm_order_count = fields.Integer(
        string="Orders (all time)", company_dependent=True, copy=False, readonly=True
    )
    crm_order_count_12m = fields.Integer(
        string="Orders (12 months)", company_dependent=True, copy=False, readonly=True
    )
    crm_first_order_date = fields.Date(
        string="First Order", company_dependent=True, copy=False, readonly=True
    )
    crm_last_order_date = fields.Date(
        string="Last Order", company_dependent=True, copy=False, readonly=True
    )
    crm_avg_order_interval = fields.Float(
        string="Average Days Between Orders", company_dependent=True, copy=False, readonly=True
    )
    crm_classified_at = fields.Datetime(
        string="Classified On", company_dependent=True, copy=False, readonly=True
    )

    # Key accounts
    crm_key_account = fields.Selection(
        KEY_ACCOUNT_STATES, string="Key Account", tracking=True, copy=False
    )
    crm_account_manager_id = fields.Many2one(
        "res.users", string="Account Manager", tracking=True, copy=False,
        domain="[('share', '=', False)]",
    )

    crm_classification_history_ids = fields.One2many(
        "crm.classification.history", "partner_id", string="Classification History"
    )
