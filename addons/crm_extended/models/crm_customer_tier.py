from odoo import fields, models

PRIORITIES = [
    ("0", "Normal"),
    ("1", "High"),
    ("2", "Urgent"),
    ("3", "Critical"),
]


class CrmCustomerTier(models.Model):
    """A membership tier reached by yearly qualifying revenue and kept for a grace
    period, like an airline programme. The tier carries the service levels used by
    complaints and service contracts."""

    _name = "crm.customer.tier"
    _description = "Customer Tier"
    _order = "company_id, min_yearly_amount desc, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    min_yearly_amount = fields.Monetary(
        string="Qualifying Yearly Revenue",
        currency_field="currency_id",
        required=True,
        help="Revenue over the last 12 months needed to reach this tier.",
    )
    grace_months = fields.Integer(
        string="Grace Period (months)",
        default=14,
        required=True,
        help="Months a customer keeps the tier after last qualifying for it.",
    )
    first_response_hours = fields.Float(
        string="First Response Time (hours)",
        help="Working hours within which a complaint of a customer in this tier "
        "gets a first response.",
    )
    resolution_hours = fields.Float(string="Resolution Time (hours)")
    priority = fields.Selection(PRIORITIES, default="0", required=True)
    team_id = fields.Many2one(
        "crm.team", string="Serving Team", check_company=True,
        help="Team that serves customers of this tier.",
    )
    color = fields.Integer()
    partner_count = fields.Integer(compute="_compute_partner_count")
    description = fields.Html(translate=True)

    _min_yearly_amount_positive = models.Constraint(
        "CHECK (min_yearly_amount >= 0)",
        "The qualifying yearly revenue of a tier cannot be negative.",
    )
    _grace_months_positive = models.Constraint(
        "CHECK (grace_months >= 0)",
        "The grace period of a tier cannot be negative.",
    )
    _service_hours_positive = models.Constraint(
        "CHECK (coalesce(first_response_hours, 0) >= 0 AND coalesce(resolution_hours, 0) >= 0)",
        "Service level times cannot be negative.",
    )

    def _compute_partner_count(self):
        # crm_tier_id is company dependent: count per tier in its own company.
        for company, tiers in self.grouped("company_id").items():
            rows = (
                self.env["res.partner"]
                .with_company(company)
                ._read_group([("crm_tier_id", "in", tiers.ids)], ["crm_tier_id"], ["__count"])
            )
            counts = {tier.id: count for tier, count in rows}
            for tier in tiers:
                tier.partner_count = counts.get(tier.id, 0)
