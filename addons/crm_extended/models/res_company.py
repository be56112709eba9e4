from odoo import api, fields, models
from odoo.exceptions import ValidationError

# What the value grade ranks customers by; crm_analytics adds its value score.
GRADE_BASES = [
    ("revenue", "Revenue (12 months)"),
]
GRADE_METHODS = [
    ("pareto", "Pareto share of revenue"),
    ("threshold", "Fixed revenue thresholds"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # Value grade (ABC) configuration
    crm_grade_method = fields.Selection(
        GRADE_METHODS, string="Value Grade Method", default="pareto", required=True
    )
    crm_grade_basis = fields.Selection(
        GRADE_BASES, string="Value Grade Basis", default="revenue", required=True,
        help="What customers are ranked by for the value grade (Pareto share, "
        "thresholds and cut-offs apply to it).",
    )
    crm_grade_a_share = fields.Float(
        string="Grade A Revenue Share (%)",
        default=80.0,
        help="Customers who together make this share of trailing-12-month revenue, "
        "largest first, are grade A (VIP).",
    )
    crm_grade_b_share = fields.Float(
        string="Grade B Revenue Share (%)",
        default=15.0,
        help="The customers making the next share of revenue are grade B (important).",
    )
    crm_grade_a_threshold = fields.Monetary(
        string="Grade A Minimum Revenue",
        currency_field="currency_id",
        default=100000.0,
        help="Threshold method: trailing-12-month revenue from which a customer is grade A.",
    )
    crm_grade_b_threshold = fields.Monetary(
        string="Grade B Minimum Revenue",
        currency_field="currency_id",
        default=20000.0,
    )
    # Revenue cut-offs found by the last full recompute, so that the grade of one
    # customer can be refreshed on order confirmation without ranking everyone.
    crm_grade_a_cutoff = fields.Monetary(
        string="Grade A Revenue Cut-off", currency_field="currency_id", readonly=True
    )
    crm_grade_b_cutoff = fields.Monetary(
        string="Grade B Revenue Cut-off", currency_field="currency_id", readonly=True
    )
    crm_classified_at = fields.Datetime(string="Last Full Classification", readonly=True)

    # Lifecycle stage rules
    crm_new_customer_days = fields.Integer(
        string="New Customer Period (days)",
        default=90,
        help="A customer whose first order is younger than this is new.",
    )
    crm_regular_min_orders = fields.Integer(
        string="Regular Customer Minimum Orders",
        default=3,
        help="Orders in the last 12 months from which a customer is regular.",
    )
    crm_old_min_months = fields.Integer(
        string="Old Customer Minimum Relationship (months)",
        default=24,
        help="Months since the first order from which a customer is old.",
    )
    crm_loyal_min_months = fields.Integer(
        string="Loyal Customer Minimum Relationship (months)",
        default=36,
    )
    crm_loyal_min_orders = fields.Integer(
        string="Loyal Customer Minimum Orders (12 months)",
        default=6,
    )
    crm_loyal_min_active_months = fields.Integer(
        string="Loyal Customer Minimum Buying Months (12 months)",
        default=6,
        help="Distinct months with an order in the last 12 months: buying spread "
        "over the year, not in one burst.",
    )
    crm_at_risk_factor = fields.Float(
        string="At Risk Gap Factor",
        default=2.0,
        help="A customer is at risk when the days since the last order exceed this "
        "factor times the customer's own average interval between orders.",
    )
    crm_lost_days = fields.Integer(
        string="Lost After (days without order)",
        default=365,
    )

    # Credit rating
    crm_credit_window_days = fields.Integer(
        string="Credit Rating Window (days)",
        default=365,
        help="Invoices due in this window are used to rate payment behaviour.",
    )

    _crm_grade_share_range = models.Constraint(
        "CHECK (crm_grade_a_share IS NULL OR crm_grade_b_share IS NULL OR "
        "(crm_grade_a_share > 0 AND crm_grade_b_share >= 0 "
        "AND crm_grade_a_share + crm_grade_b_share <= 100))",
        "The grade A share must be positive, the grade B share not negative, and "
        "together they cannot exceed 100%.",
    )
    _crm_lifecycle_positive = models.Constraint(
        "CHECK (COALESCE(crm_new_customer_days, 0) >= 0 "
        "AND COALESCE(crm_regular_min_orders, 0) >= 0 "
        "AND COALESCE(crm_old_min_months, 0) >= 0 "
        "AND COALESCE(crm_loyal_min_months, 0) >= 0 "
        "AND COALESCE(crm_loyal_min_orders, 0) >= 0 "
        "AND COALESCE(crm_loyal_min_active_months, 0) >= 0 "
        "AND COALESCE(crm_at_risk_factor, 0) >= 0 "
        "AND COALESCE(crm_lost_days, 0) >= 0)",
        "The lifecycle stage parameters cannot be negative.",
    )

    @api.constrains("crm_grade_a_threshold", "crm_grade_b_threshold")
    def _check_crm_grade_thresholds(self):
        for company in self:
            if company.crm_grade_b_threshold < 0 or (
                company.crm_grade_a_threshold < company.crm_grade_b_threshold
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the grade A minimum revenue must be at least the "
                        "grade B minimum revenue, and neither can be negative.",
                        company=company.display_name,
                    )
                )

    @api.constrains("crm_loyal_min_active_months")
    def _check_crm_loyal_min_active_months(self):
        for company in self:
            if company.crm_loyal_min_active_months > 12:
                raise ValidationError(
                    self.env._(
                        "%(company)s: a customer cannot buy in more than 12 different "
                        "months of the last 12 months.",
                        company=company.display_name,
                    )
                )
