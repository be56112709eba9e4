from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_extended.models.res_partner import (
    KEY_ACCOUNT_STATES,
    LIFECYCLE_STAGES,
    VALUE_GRADES,
)
from odoo.addons.crm_extended.models.res_partner_credit import CREDIT_RATINGS


class CrmClassificationReport(models.Model):
    """One row per commercial customer and company in which the customer is
    classified, read from the company-dependent columns the classification
    recompute writes, with its rank in the company's Pareto curve."""

    _name = "crm.classification.report"
    _description = "Customer Classification Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "company_id, pareto_rank, partner_id"
    # Flushed before the view is read, so that a classification written in the
    # same transaction shows at once.
    _depends = {
        "res.partner": [
            "active", "commercial_partner_id", "country_id", "user_id",
            "crm_value_grade", "crm_lifecycle_stage", "crm_tier_id", "crm_revenue_12m",
            "crm_order_count_12m", "crm_order_count", "crm_first_order_date",
            "crm_last_order_date", "crm_credit_rating", "crm_key_account",
            "crm_account_manager_id", "crm_commercial_blacklist",
        ],
        "res.company": ["currency_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    value_grade = fields.Selection(VALUE_GRADES, readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    tier_id = fields.Many2one("crm.customer.tier", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    account_manager_id = fields.Many2one("res.users", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    revenue_12m = fields.Monetary(
        string="Revenue (12 months)", currency_field="currency_id", readonly=True,
        aggregator="sum",
    )
    order_count_12m = fields.Integer(string="Orders (12 months)", readonly=True, aggregator="sum")
    order_count = fields.Integer(string="Orders (all time)", readonly=True, aggregator="sum")
    first_order_date = fields.Date(string="First Order", readonly=True)
    last_order_date = fields.Date(string="Last Order", readonly=True)
    days_since_last_order = fields.Integer(
        readonly=True, aggregator="avg")
    credit_rating = fields.Selection(CREDIT_RATINGS, readonly=True)
    key_account = fields.Selection(KEY_ACCOUNT_STATES, string="Key Account Status", readonly=True)
    is_key_account = fields.Boolean(string="Key Account", readonly=True)
    is_blacklisted = fields.Boolean(string="Blacklisted", readonly=True)
    pareto_rank = fields.Integer(
        readonly=True, aggregator="min",
        help="Rank of the customer by revenue of the last 12 months in the company, "
        "largest first; equal revenues share a rank.",
    )
    revenue_share = fields.Float(
        readonly=True, aggregator="sum", digits=(16, 4),
        help="Share of the company's revenue of the last 12 months made by this "
        "customer (summed over a group: the group's share).",
    )
    cumulative_share = fields.Float(
        string="Cumulative Revenue Share", readonly=True, aggregator="max", digits=(16, 4),
        help="Share of the company's revenue of the last 12 months made by the "
        "customers with at least this customer's revenue: the Pareto curve.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )

    def _query(self):
        """Company-dependent values are jsonb keyed by company id: one row per
        company whose key is present in the lifecycle stage or the value grade."""
        return SQL(
            """
            WITH classified AS (
                SELECT p.id AS partner_id,
                       c.id AS company_id,
                       c.currency_id,
                       p.crm_value_grade ->> c.id::text AS value_grade,
                       p.crm_lifecycle_stage ->> c.id::text AS lifecycle_stage,
                       (p.crm_tier_id ->> c.id::text)::int AS tier_id,
                       p.user_id,
                       p.crm_account_manager_id AS account_manager_id,
                       p.country_id,
                       COALESCE((p.crm_revenue_12m ->> c.id::text)::numeric, 0) AS revenue_12m,
                       COALESCE((p.crm_order_count_12m ->> c.id::text)::int, 0) AS order_count_12m,
                       COALESCE((p.crm_order_count ->> c.id::text)::int, 0) AS order_count,
                       (p.crm_first_order_date ->> c.id::text)::date AS first_order_date,
                       (p.crm_last_order_date ->> c.id::text)::date AS last_order_date,
                       p.crm_credit_rating ->> c.id::text AS credit_rating,
                       p.crm_key_account AS key_account,
                       COALESCE(p.crm_key_account = 'key', false) AS is_key_account,
                       COALESCE(p.crm_commercial_blacklist, false) AS is_blacklisted
                  FROM res_partner p
                  JOIN res_company c
                    ON p.crm_lifecycle_stage ? c.id::text OR p.crm_value_grade ? c.id::text
                 WHERE p.active
                   AND p.id = p.commercial_partner_id
            )
            SELECT cl.partner_id::bigint * 100000 + cl.company_id AS id,
                   cl.partner_id, cl.company_id, cl.currency_id, cl.value_grade,
                   cl.lifecycle_stage, cl.tier_id, cl.user_id, cl.account_manager_id,
                   cl.country_id, cl.revenue_12m, cl.order_count_12m, cl.order_count,
                   cl.first_order_date, cl.last_order_date,
                   (CURRENT_DATE - cl.last_order_date) AS days_since_last_order,
                   cl.credit_rating, cl.key_account, cl.is_key_account, cl.is_blacklisted,
                   rank() OVER company_curve AS pareto_rank,
                   COALESCE(cl.revenue_12m
                            / NULLIF(sum(cl.revenue_12m) OVER company, 0), 0) AS revenue_share,
                   COALESCE(sum(cl.revenue_12m) OVER company_curve
                            / NULLIF(sum(cl.revenue_12m) OVER company, 0), 0) AS cumulative_share
              FROM classified cl
            WINDOW company AS (PARTITION BY cl.company_id),
                   company_curve AS (PARTITION BY cl.company_id ORDER BY cl.revenue_12m DESC)
            """
        )
