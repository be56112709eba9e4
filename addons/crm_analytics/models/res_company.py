from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_grade_basis = fields.Selection(
        selection_add=[("value_score", "Value Score (0-100)")],
        ondelete={"value_score": "set default"},
    )
    # Cross-selling rule mining thresholds (per company)
    crm_xsell_min_support = fields.Float(
        string="Cross-Sell Minimum Support (%)", default=0.5,
        help="Share of the company's orders (bought together) or customers (bought next) "
        "that must contain both products for a rule to be kept.",
    )
    crm_xsell_min_confidence = fields.Float(
        string="Cross-Sell Minimum Confidence (%)", default=10.0,
        help="Share of the buyers of the first product who also bought the second one.",
    )
    crm_xsell_min_lift = fields.Float(
        string="Cross-Sell Minimum Lift", default=1.0,
        help="How many times more often the second product is bought with the first one "
        "than on average; above 1 the products attract each other.",
    )
    crm_xsell_sequence_days = fields.Integer(
        string="Bought Next Window (days)", default=90,
        help="A sequence rule counts a customer who first bought the second product "
        "within this many days after first buying the first one.",
    )
    crm_xsell_computed_at = fields.Datetime(string="Last Rule Mining", readonly=True)
    crm_event_days_ahead = fields.Integer(
        string="Plan Event Activities (days ahead)", default=7,
        help="Birthdays and service contract anniversaries get an activity for the account "
        "manager this many days before the date.",
    )

    @api.constrains("crm_event_days_ahead")
    def _check_crm_event_days_ahead(self):
        for company in self:
            if not 0 <= company.crm_event_days_ahead <= 365:
                raise ValidationError(self.env._(
                    "Event activities are planned between 0 and 365 days ahead."))

    @api.constrains("crm_xsell_min_support", "crm_xsell_min_confidence",
                    "crm_xsell_min_lift", "crm_xsell_sequence_days")
    def _check_crm_xsell_thresholds(self):
        for company in self:
            if not 0 < company.crm_xsell_min_support <= 100:
                raise ValidationError(self.env._(
                    "The cross-sell minimum support must be above 0 and at most 100 percent."))
            if not 0 <= company.crm_xsell_min_confidence <= 100:
                raise ValidationError(self.env._(
                    "The cross-sell minimum confidence must be between 0 and 100 percent."))
            if company.crm_xsell_min_lift < 0:
                raise ValidationError(self.env._("The cross-sell minimum lift cannot be negative."))
            if company.crm_xsell_sequence_days < 1:
                raise ValidationError(self.env._(
                    "The bought next window must be at least one day."))
