from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Value score component -> weight field on crm.score.config.
WEIGHT_FIELDS = {
    "rfm": "weight_rfm",
    "clv": "weight_clv",
    "profit": "weight_profit",
    "loyalty": "weight_loyalty",
    "alive": "weight_alive",
}


class CrmScoreConfig(models.Model):
    """Customer value scoring settings and the last model fit, one per company.
    Readable by every CRM user (the scores explain themselves with it), editable
    by CRM managers only."""

    _name = "crm.score.config"
    _description = "Customer Value Scoring Settings"
    _check_company_auto = True

    name = fields.Char(related="company_id.name", string="Company Name")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True,
        default=lambda self: self.env.company, ondelete="cascade",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    rfm_window_months = fields.Integer(
        string="RFM Window (months)", default=12, required=True,
        help="Frequency and monetary value count the orders and net revenue of this "
        "many months up to today; recency looks at the whole history.",
    )
    horizon_days = fields.Integer(
        string="Purchase Forecast Horizon (days)", default=365, required=True,
        help="Expected purchases are forecast over this many days.",
    )
    clv_months = fields.Integer(
        string="Lifetime Value Horizon (months)", default=12, required=True,
        help="Predicted lifetime value sums the expected value of this many 30-day periods.",
    )
    discount_rate = fields.Float(
        string="Yearly Discount Rate (%)", default=10.0, required=True,
        help="Future value is discounted at this yearly rate (applied monthly).",
    )
    churn_medium_below = fields.Float(
        string="Medium Churn Risk Below (P alive)", default=0.7, required=True,
        help="A probability of still being active below this is a medium churn risk.",
    )
    churn_high_below = fields.Float(
        string="High Churn Risk Below (P alive)", default=0.3, required=True,
        help="A probability of still being active below this is a high churn risk.",
    )
    churn_falling_trend = fields.Float(
        string="Falling Spend Trend (%)", default=-30.0, required=True,
        help="A spend change against the previous 12 months at or below this raises "
        "the churn risk by one level.",
    )
    weight_rfm = fields.Float(string="RFM Weight", default=30.0)
    weight_clv = fields.Float(string="Lifetime Value Weight", default=30.0)
    weight_profit = fields.Float(string="Profitability Weight", default=20.0)
    weight_loyalty = fields.Float(string="Loyalty Weight", default=10.0)
    weight_alive = fields.Float(string="Activity Weight", default=10.0,
                                help="Weight of the probability of still being active.")

    # Last fit, written by the full recompute and used by incremental updates.
    bgnbd_r = fields.Float(string="BG/NBD r", readonly=True)
    bgnbd_alpha = fields.Float(string="BG/NBD alpha", readonly=True)
    bgnbd_a = fields.Float(string="BG/NBD a", readonly=True)
    bgnbd_b = fields.Float(string="BG/NBD b", readonly=True)
    gamma_p = fields.Float(string="Gamma-Gamma p", readonly=True)
    gamma_q = fields.Float(string="Gamma-Gamma q", readonly=True)
    gamma_v = fields.Float(string="Gamma-Gamma v", readonly=True)
    bgnbd_log_likelihood = fields.Float(string="BG/NBD Log-Likelihood", readonly=True,
                                        digits=(16, 4))
    gamma_log_likelihood = fields.Float(string="Gamma-Gamma Log-Likelihood", readonly=True,
                                        digits=(16, 4))
    time_unit = fields.Char(
        string="Model Time Unit", compute="_compute_time_unit",
        help="BG/NBD measures time (recency, age, horizon, alpha) in days.",
    )
    fit_as_of = fields.Date(string="Fitted As Of", readonly=True,
                            help="The reference date of the orders the last fit used.")
    fitted_at = fields.Datetime(string="Last Full Recompute", readonly=True)
    fit_customers = fields.Integer(string="Customers Scored", readonly=True)
    fit_message = fields.Char(string="Model Fit", readonly=True)

    _company_unique = models.UniqueIndex(
        "(company_id)", "There is one value scoring configuration per company."
    )

    def _compute_time_unit(self):
        self.time_unit = self.env._("days")

    @api.constrains(
        "weight_rfm", "weight_clv", "weight_profit", "weight_loyalty", "weight_alive",
        "rfm_window_months", "horizon_days", "clv_months", "discount_rate",
        "churn_medium_below", "churn_high_below",
    )
    def _check_values(self):
        for config in self:
            weights = [config[name] for name in WEIGHT_FIELDS.values()]
            if min(weights) < 0 or sum(weights) <= 0:
                raise ValidationError(self.env._(
                    "The value score weights cannot be negative and at least one must "
                    "be positive."
                ))
            if min(config.rfm_window_months, config.horizon_days, config.clv_months) <= 0:
                raise ValidationError(self.env._(
                    "The RFM window and the forecast horizons must be positive."
                ))
            if config.discount_rate < 0:
                raise ValidationError(self.env._("The discount rate cannot be negative."))
            if not 0 <= config.churn_high_below <= config.churn_medium_below <= 1:
                raise ValidationError(self.env._(
                    "The churn thresholds must lie between 0 and 1, the high risk "
                    "threshold not above the medium one."
                ))

    @api.model
    def _get_for_company(self, company):
        """The configuration of ``company``, created with the defaults on first use."""
        config = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not config:
            config = self.sudo().create({"company_id": company.id})
        return config

    def _weights(self):
        self.ensure_one()
        return {key: self[name] for key, name in WEIGHT_FIELDS.items()}

    def action_crm_recompute_scores(self):
        scores = self.env["crm.customer.score"].with_company(self.company_id)
        return scores.action_crm_recompute_scores()

    @api.model
    def action_crm_open_config(self):
        """Menu: the settings form of the current company. Only for those who
        may read the settings: the first opening creates them (with sudo)."""
        self.check_access("read")
        config = self._get_for_company(self.env.company)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Value Scoring"),
            "res_model": "crm.score.config",
            "res_id": config.id,
            "views": [(False, "form")],
            "target": "current",
        }
