from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_extended.models.res_partner import (
    KEY_ACCOUNT_STATES,
    LIFECYCLE_STAGES,
    VALUE_GRADES,
)
from odoo.addons.crm_extended.models.res_partner_credit import CREDIT_RATINGS
from odoo.addons.crm_extended.tools.company_values import company_value, company_value_exists


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
        """One row per customer and company with a lifecycle stage or a value grade (read with crm_extended's
        accessors of the layout)."""
        def own(column, cast=None, default=None):
            return company_value("p", column, SQL("c.id"), cast=cast, default=default)

        return SQL(
            """
            WITH classified AS (
                SELECT p.id AS partner_id,
                       c.id AS company_id,
                       c.currency_id,
                       %(value_grade)s AS value_grade,
                       %(lifecycle_stage)s AS lifecycle_stage,
                       %(tier_id)s AS tier_id,
                       p.user_id,
                       p.crm_account_manager_id AS account_manager_id,
                       p.country_id,
                       %(revenue_12m)s AS revenue_12m,
                       %(order_count_12m)s AS order_count_12m,
                       %(order_count)s AS order_count,
                       %(first_order_date)s AS first_order_date,
                       %(last_order_date)s AS last_order_date,
                       %(credit_rating)s AS credit_rating,
                       p.crm_key_account AS key_account,
                       COALESCE(p.crm_key_account = 'key', false) AS is_key_account,
                       COALESCE(p.crm_commercial_blacklist, false) AS is_blacklisted
                  FROM res_partner p
                  JOIN res_company c
                    ON %(staged)s OR %(graded)s
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
            """,
            value_grade=own("crm_value_grade"),
            lifecycle_stage=own("crm_lifecycle_stage"),
            tier_id=own("crm_tier_id", "int"),
            revenue_12m=own("crm_revenue_12m", "numeric", 0),
            order_count_12m=own("crm_order_count_12m", "int", 0),
            order_count=own("crm_order_count", "int", 0),
            first_order_date=own("crm_first_order_date", "date"),
            last_order_date=own("crm_last_order_date", "date"),
            credit_rating=own("crm_credit_rating"),
            staged=company_value_exists("p", "crm_lifecycle_stage", SQL("c.id")),
            graded=company_value_exists("p", "crm_value_grade", SQL("c.id")),
        )
