from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .crm_customer_score_api import MAX_HORIZON_DAYS

# Customers are grouped by their repeat purchases before the as-of date, as
# lifetimes' calibration/holdout plot does; the last group is open-ended.
REPEAT_GROUPS = [(str(n), str(n)) for n in range(7)] + [("7", "7 or more")]


class CrmScoreBacktest(models.Model):
    """A back-test of the value scores' forecast, kept under a name: the scores
    as of a past date (nothing else stored, today's scores untouched) against
    what the customers bought over the horizon after it. The computation is
    crm_api_score_backtest's."""

    _name = "crm.score.backtest"
    _description = "Forecast Back-Test"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: self.env._("New Back-Test"))
    company_id = fields.Many2one("res.company", required=True, readonly=True,
                                 default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    # By default a year back with the default horizon of a year: the latest
    # period whose outcome is known, so that a new back-test runs as it is.
    as_of = fields.Date(string="Scored As Of", required=True,
                        default=lambda self: fields.Date.context_today(self) - relativedelta(days=365),
                        help="The scores use the orders and credit notes up to this day only.")
    horizon_days = fields.Integer(
        string="Horizon (days)", required=True, default=365,
        help="The forecast is compared with the purchases made in the days after the "
             "as-of date; the whole period must be past.")
    until = fields.Date(compute="_compute_until", store=True)
    state = fields.Selection([("draft", "Not Run"), ("done", "Done")], default="draft",
                             required=True, readonly=True)
    run_at = fields.Datetime(string="Run On", readonly=True)
    run_by_id = fields.Many2one("res.users", readonly=True)
    customers = fields.Integer(readonly=True)
    predicted_purchases = fields.Float(readonly=True)
    actual_purchases = fields.Integer(readonly=True)
    mae_purchases = fields.Float(string="Mean Absolute Error (purchases)", readonly=True)
    predicted_spend = fields.Monetary(readonly=True)
    actual_spend = fields.Monetary(readonly=True)
    mae_spend = fields.Monetary(string="Mean Absolute Error (spend)", readonly=True)
    line_ids = fields.One2many("crm.score.backtest.line", "backtest_id",
                               string="Customer Lines", readonly=True)

    @api.depends("as_of", "horizon_days")
    def _compute_until(self):
        for backtest in self:
            backtest.until = backtest.as_of and backtest.as_of + relativedelta(
                days=backtest.horizon_days or 0)

    @api.constrains("as_of", "horizon_days")
    def _check_period(self):
        today = fields.Date.context_today(self)
        for backtest in self:
            if not 1 <= backtest.horizon_days <= MAX_HORIZON_DAYS:
                raise ValidationError(self.env._("The horizon is 1 to 36,500 days."))
            if backtest.as_of.year < 1900:
                raise ValidationError(self.env._("The as-of date must be after 1900."))
            if backtest.until > today:
                raise ValidationError(self.env._(
                    "The as-of date plus the horizon (%(until)s) must not be after today: the "
                    "back-test compares the forecast with what happened.", until=backtest.until))

    def action_run(self):
        """Score as of the date and compare: the lines are replaced, the totals
        and errors written. The scoring engine reads the company's orders in
        SQL (sudo); an analytics user may run it, as it stores nothing but
        this back-test."""
        self.ensure_one()
        self.check_access("write")
        self._check_period()
        Score = self.env["crm.customer.score"].sudo()
        result = Score._crm_score_backtest(self.company_id, self.as_of, self.horizon_days)
        summary = result["summary"]
        lines = [{
            "backtest_id": self.id,
            "partner_id": partner_id,
            "repeat_purchases": int(result["repeat"][i]),
            "repeat_group": str(min(int(result["repeat"][i]), 7)),
            "predicted_purchases": float(result["predicted"][i]),
            "actual_purchases": int(result["happened"][i]),
            "predicted_spend": float(result["spend"][i]),
            "actual_spend": float(result["paid"][i]),
        } for i, partner_id in enumerate(result["ids"])]
        # The lines are the back-test's own rows, written with it; nobody
        # writes them otherwise (read-only for everyone).
        self.line_ids.sudo().unlink()
        self.env["crm.score.backtest.line"].sudo().create(lines)
        self.write({
            "state": "done",
            "run_at": fields.Datetime.now(),
            "run_by_id": self.env.uid,
            "customers": summary["customers"],
            "predicted_purchases": summary["predicted_purchases"],
            "actual_purchases": summary["actual_purchases"],
            "mae_purchases": summary["mae_purchases"],
            "predicted_spend": summary["predicted_spend"],
            "actual_spend": summary["actual_spend"],
            "mae_spend": summary["mae_spend"],
        })
        return self.action_open_report()

    def action_open_report(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Predicted vs Actual: %(name)s", name=self.name),
            "res_model": "crm.score.backtest.report",
            "view_mode": "graph,pivot",
            "domain": [("backtest_id", "=", self.id)],
        }

    def action_open_lines(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers: %(name)s", name=self.name),
            "res_model": "crm.score.backtest.line",
            "view_mode": "list,pivot",
            "domain": [("backtest_id", "=", self.id)],
        }


class CrmScoreBacktestLine(models.Model):
    _name = "crm.score.backtest.line"
    _description = "Forecast Back-Test: Customer"
    _order = "backtest_id, repeat_purchases desc, partner_id"

    backtest_id = fields.Many2one("crm.score.backtest", required=True, ondelete="cascade",
                                  index=True)
    company_id = fields.Many2one(related="backtest_id.company_id", store=True)
    currency_id = fields.Many2one(related="backtest_id.currency_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    repeat_purchases = fields.Integer(
        string="Repeat Purchases Before", aggregator="avg",
        help="Purchase days after the first one, up to the as-of date.")
    repeat_group = fields.Selection(REPEAT_GROUPS, string="Repeat Purchases (group)")
    predicted_purchases = fields.Float()
    actual_purchases = fields.Integer()
    predicted_spend = fields.Monetary()
    actual_spend = fields.Monetary()
    error_purchases = fields.Float(
        string="Absolute Error (purchases)", compute="_compute_errors", store=True,
        aggregator="avg",
        help="Grouped: the mean absolute error of the group.")
    error_spend = fields.Monetary(
        string="Absolute Error (spend)", compute="_compute_errors", store=True,
        aggregator="avg")

    @api.depends("predicted_purchases", "actual_purchases", "predicted_spend", "actual_spend")
    def _compute_errors(self):
        for line in self:
            line.error_purchases = abs(line.predicted_purchases - line.actual_purchases)
            line.error_spend = abs(line.predicted_spend - line.actual_spend)


class CrmScoreBacktestReport(models.Model):
    """The lines twice, predicted and actual, so that Odoo's graph and pivot
    put the two side by side per group of repeat purchases."""

    _name = "crm.score.backtest.report"
    _description = "Forecast Back-Test: Predicted vs Actual"
    _auto = False
    _order = "repeat_group, kind desc"

    backtest_id = fields.Many2one("crm.score.backtest", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    repeat_group = fields.Selection(REPEAT_GROUPS, string="Repeat Purchases Before",
                                    readonly=True)
    kind = fields.Selection([("predicted", "Predicted"), ("actual", "Actual")],
                            string="Predicted or Actual", readonly=True)
    purchases = fields.Float(string="Purchases per Customer", aggregator="avg", readonly=True)
    spend = fields.Monetary(string="Spend per Customer", aggregator="avg", readonly=True)
    purchases_total = fields.Float(string="Purchases", readonly=True)
    spend_total = fields.Monetary(string="Spend", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """
            CREATE OR REPLACE VIEW crm_score_backtest_report AS (
                SELECT l.id * 2 AS id, l.backtest_id, l.company_id, l.currency_id, l.partner_id,
                       l.repeat_group, 'predicted'::varchar AS kind,
                       l.predicted_purchases AS purchases, l.predicted_spend AS spend,
                       l.predicted_purchases AS purchases_total, l.predicted_spend AS spend_total
                  FROM crm_score_backtest_line l
                UNION ALL
                SELECT l.id * 2 + 1, l.backtest_id, l.company_id, l.currency_id, l.partner_id,
                       l.repeat_group, 'actual',
                       l.actual_purchases, l.actual_spend, l.actual_purchases, l.actual_spend
                  FROM crm_score_backtest_line l
            )
            """
        ))
