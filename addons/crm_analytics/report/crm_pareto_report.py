from odoo import fields, models, tools
from odoo.tools import SQL

from .crm_rfm_report import SCORED_CUSTOMERS_DEPENDS, scored_customers_query


class CrmParetoReport(models.Model):
    """Pareto curve of revenue and margin: one row per active customer and
    company, ranked by net revenue in the RFM window, with its share and the
    cumulative share of the company's revenue and margin.

    Built on the value scores rather than the order lines: the scoring engine
    already holds each customer's net revenue (credit notes deducted, company
    currency) and margin over the RFM window in one row, so the report ranks
    100,000 rows with window functions instead of aggregating a million order
    lines each time it opens, and its figures agree with the M score."""

    _name = "crm.pareto.report"
    _inherit = ["crm.customer.report.mixin"]
    _description = "Revenue and Margin Pareto Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "company_id, revenue_rank, partner_id"
    _depends = SCORED_CUSTOMERS_DEPENDS

    customer_share = fields.Float(
        string="Share of Customers", readonly=True, aggregator="sum", digits=(16, 4),
        help="Part of the company's customers in the group.")
    revenue = fields.Monetary(
        string="Net Revenue (RFM window)", readonly=True, currency_field="currency_id",
        aggregator="sum")
    margin = fields.Monetary(
        string="Margin (RFM window)", readonly=True, currency_field="currency_id",
        aggregator="sum")
    revenue_rank = fields.Integer(
        readonly=True, aggregator="max",
        help="Position of the customer by net revenue in the company, largest first "
        "(equal revenues ordered by customer).")
    margin_rank = fields.Integer(
        readonly=True, aggregator="max",
        help="Position of the customer by margin in the company, largest first.")
    revenue_share = fields.Float(
        readonly=True, aggregator="sum", digits=(16, 4),
        help="Part of the company's net revenue made by the customer (summed over a "
        "group: the group's part). Customers with no or negative revenue count as 0.")
    margin_share = fields.Float(
        readonly=True, aggregator="sum", digits=(16, 4),
        help="Part of the company's margin made by the customer (summed over a group: "
        "the group's part).")
    cumulative_revenue_share = fields.Float(
        readonly=True, aggregator="max", digits=(16, 4),
        help="Part of the revenue made by the customers ranked up to this one: the "
        "Pareto curve.")
    cumulative_margin_share = fields.Float(
        readonly=True, aggregator="max", digits=(16, 4),
        help="Part of the margin made by the customers ranked by margin up to this one.")
    in_top_80 = fields.Boolean(
        string="Makes 80% of Revenue", readonly=True,
        help="Among the fewest customers, ranked by revenue, who together make 80% of "
        "the company's revenue: their count is how many customers make 80%.")
    pareto_group = fields.Selection(
        [("top", "Makes 80% of Revenue"), ("rest", "Other Customers")],
        readonly=True,
        help="Makes 80% of Revenue: the fewest customers, ranked by revenue, who "
        "together make 80% of the company's revenue; Other Customers: the rest.")
    in_top_80_margin = fields.Boolean(
        string="Makes 80% of Margin", readonly=True,
        help="Among the fewest customers, ranked by margin, who together make 80% of "
        "the company's margin.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # A customer belongs to the 80% when the customers ranked before it
        # make less than 80%: the one that crosses the line counts too.
        self.env.cr.execute(SQL(
            """CREATE OR REPLACE VIEW %(view)s AS (
                WITH base AS (
                    SELECT c.id, c.partner_id, c.company_id, c.currency_id, c.user_id,
                           c.value_grade, c.rfm_segment, c.monetary AS revenue, c.margin,
                           GREATEST(c.monetary, 0) AS revenue_basis,
                           GREATEST(c.margin, 0) AS margin_basis
                      FROM (%(scored)s) c
                ), curve AS (
                    SELECT b.*,
                           row_number() OVER by_revenue AS revenue_rank,
                           row_number() OVER by_margin AS margin_rank,
                           count(*) OVER company AS company_customers,
                           NULLIF(sum(b.revenue_basis) OVER company, 0) AS revenue_total,
                           NULLIF(sum(b.margin_basis) OVER company, 0) AS margin_total,
                           sum(b.revenue_basis) OVER by_revenue AS revenue_running,
                           sum(b.margin_basis) OVER by_margin AS margin_running
                      FROM base b
                    WINDOW company AS (PARTITION BY b.company_id),
                           by_revenue AS (PARTITION BY b.company_id
                                          ORDER BY b.revenue_basis DESC, b.partner_id
                                          ROWS UNBOUNDED PRECEDING),
                           by_margin AS (PARTITION BY b.company_id
                                         ORDER BY b.margin_basis DESC, b.partner_id
                                         ROWS UNBOUNDED PRECEDING)
                )
                SELECT id, partner_id, company_id, currency_id, user_id, value_grade,
                       rfm_segment, 1 AS customer_count,
                       1.0 / company_customers AS customer_share,
                       revenue, margin, revenue_rank, margin_rank,
                       COALESCE(revenue_basis / revenue_total, 0) AS revenue_share,
                       COALESCE(margin_basis / margin_total, 0) AS margin_share,
                       COALESCE(revenue_running / revenue_total, 0) AS cumulative_revenue_share,
                       COALESCE(margin_running / margin_total, 0) AS cumulative_margin_share,
                       COALESCE(revenue_basis > 0
                                AND (revenue_running - revenue_basis) / revenue_total < 0.8,
                                false) AS in_top_80,
                       CASE WHEN revenue_basis > 0
                                 AND (revenue_running - revenue_basis) / revenue_total < 0.8
                            THEN 'top' ELSE 'rest' END AS pareto_group,
                       COALESCE(margin_basis > 0
                                AND (margin_running - margin_basis) / margin_total < 0.8,
                                false) AS in_top_80_margin
                  FROM curve)""",
            view=SQL.identifier(self._table), scored=scored_customers_query(),
        ))
