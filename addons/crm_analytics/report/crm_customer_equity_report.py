from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_extended.models.res_partner import LIFECYCLE_STAGES

from ..models.crm_customer_score import CHURN_RISKS
from .crm_rfm_report import SCORED_CUSTOMERS_DEPENDS, scored_customers_query


class CrmCustomerEquityReport(models.Model):
    """Customer equity: the predicted lifetime values (BG/NBD and Gamma-Gamma,
    from the value scores) of the active customers, summed by value grade, RFM
    segment, salesperson and company. One row per customer and company, so that
    every group sums exactly and opens the list of its customers."""

    _name = "crm.customer.equity.report"
    _inherit = ["crm.customer.report.mixin"]
    _description = "Customer Equity"
    _auto = False
    _rec_name = "partner_id"
    _order = "company_id, predicted_clv desc, partner_id"
    _depends = SCORED_CUSTOMERS_DEPENDS

    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    churn_risk = fields.Selection(CHURN_RISKS, readonly=True)
    predicted_clv = fields.Monetary(
        string="Customer Equity", readonly=True, currency_field="currency_id",
        aggregator="sum",
        help="Predicted lifetime value of the customers (discounted margin of the "
        "expected future orders), summed over the group.")
    equity_share = fields.Float(
        string="Share of Equity", readonly=True, aggregator="sum", digits=(16, 4),
        help="Part of the company's customer equity held by the group.")
    revenue_12m = fields.Monetary(
        string="Net Revenue (12 months)", readonly=True, currency_field="currency_id",
        aggregator="sum")
    expected_purchases = fields.Float(
        readonly=True, aggregator="sum", digits=(16, 2))
    p_alive = fields.Float(string="Probability Active", readonly=True, aggregator="avg",
                           digits=(16, 3))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """CREATE OR REPLACE VIEW %s AS (
                   SELECT c.id, c.partner_id, c.company_id, c.currency_id, c.user_id,
                          c.value_grade, c.lifecycle_stage, c.rfm_segment, c.churn_risk,
                          1 AS customer_count, c.predicted_clv,
                          COALESCE(c.predicted_clv / NULLIF(
                              sum(c.predicted_clv) OVER (PARTITION BY c.company_id), 0), 0)
                              AS equity_share,
                          c.revenue_12m, COALESCE(c.expected_purchases, 0) AS expected_purchases,
                          c.p_alive
                     FROM (%s) c)""",
            SQL.identifier(self._table), scored_customers_query(),
        ))
