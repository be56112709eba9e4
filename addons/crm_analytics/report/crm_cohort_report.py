from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.crm_extended.tools.revenue import confirmed_orders


class CrmCohortReport(models.Model):
    """Cohort retention: commercial customers grouped by the month of their
    first confirmed order in a company (the cohort), against the months since.
    One row per company, cohort month and month since the first order in which
    at least one customer of the cohort ordered again.

    A materialized view: computing the cells groups every confirmed order into
    customer-months (1,000,000 orders: 4-5 s), too slow to redo each time the
    report opens. The cells only move month by month, so they are refreshed
    every night by a scheduled action and on demand (Refresh button), and every
    row says when (``refreshed_at``)."""

    _name = "crm.cohort.report"
    _description = "Customer Cohort Retention"
    _auto = False
    _order = "company_id, cohort_month desc, months_since"
    _depends = {
        "sale.order": ["state", "date_order", "partner_id", "company_id", "amount_untaxed",
                       "currency_rate"],
        "res.partner": ["commercial_partner_id"],
        "res.company": ["currency_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    cohort_month = fields.Date(string="First Order Month", readonly=True)
    months_since = fields.Integer(
        string="Months Since First Order", readonly=True, aggregator=None,
        help="0 is the month of the first order.")
    customer_count = fields.Integer(
        string="Active Customers", readonly=True, aggregator="sum",
        help="Customers of the cohort with a confirmed order in that month.")
    cohort_size = fields.Integer(
        readonly=True, aggregator="max",
        help="Customers whose first order is in the cohort month.")
    retention_rate = fields.Float(
        readonly=True, aggregator="avg", digits=(16, 4),
        help="Active customers divided by the cohort size (averaged over the cohorts "
        "of a group).")
    order_count = fields.Integer(string="Orders", readonly=True, aggregator="sum")
    refreshed_at = fields.Datetime(string="Data as of", readonly=True, aggregator="max")
    revenue = fields.Monetary(
        currency_field="currency_id", readonly=True, aggregator="sum",
        help="Untaxed amount of the cohort's confirmed orders in that month, in the "
        "company currency.")

    def init(self):
        cr = self.env.cr
        table = SQL.identifier(self._table)
        # An upgrade recreates it (the query may have changed); a plain view
        # of an older version of the module is replaced too.
        cr.execute(SQL("SELECT relkind FROM pg_class WHERE relname = %s", self._table))
        kind = (cr.fetchone() or [None])[0]
        if kind == "v":
            cr.execute(SQL("DROP VIEW %s CASCADE", table))
        elif kind == "m":
            cr.execute(SQL("DROP MATERIALIZED VIEW %s CASCADE", table))
        cr.execute(SQL("CREATE MATERIALIZED VIEW %s AS (%s)", table, self._query()))
        # A unique index lets the refresh run CONCURRENTLY: readers are not
        # blocked while it runs.
        cr.execute(SQL("CREATE UNIQUE INDEX %s ON %s (id)",
                       SQL.identifier(f"{self._table}_id_uniq"), table))

    @api.model
    def _crm_refresh(self):
        """Recompute the cells from the confirmed orders (nightly and on demand)."""
        self.env.flush_all()
        self.env.cr.execute(SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY %s",
                                SQL.identifier(self._table)))
        self.env.invalidate_all()

    @api.model
    def action_crm_refresh(self):
        """The Refresh button: managers recompute the cells now. The view holds
        every company's cells and is refreshed as a whole, so an analytics user
        (who reads their companies' cells) waits for the nightly refresh."""
        user = self.env.user
        if not (user.has_group("crm_extended.group_crm_extended_manager")
                or user.has_group("sales_team.group_sale_manager")):
            raise AccessError(self.env._(
                "Only CRM managers and sales managers may refresh the cohort retention now; "
                "it is refreshed every night."))
        self._crm_refresh()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_crm_refresh_cohorts(self):
        self._crm_refresh()

    def _query(self):
        return SQL(
            """
            WITH monthly AS (
                SELECT o.company_id, o.partner_id AS customer_id,
                       date_trunc('month', o.date_order)::date AS month,
                       count(*) AS orders,
                       sum(o.amount) AS revenue
                  FROM (%(orders)s) o
                 GROUP BY o.company_id, o.partner_id, 3
            ), cohorts AS (
                SELECT m.*, min(m.month) OVER (PARTITION BY m.company_id, m.customer_id) AS cohort
                  FROM monthly m
            ), cells AS (
                SELECT company_id, cohort,
                       ((extract(year FROM month) - extract(year FROM cohort)) * 12
                        + extract(month FROM month) - extract(month FROM cohort))::int AS months_since,
                       count(*) AS customers, sum(orders) AS orders, sum(revenue) AS revenue
                  FROM cohorts
                 GROUP BY company_id, cohort, 3
            )
            SELECT c.company_id::bigint * 1000000000
                   + (extract(year FROM c.cohort) * 12 + extract(month FROM c.cohort))::bigint * 1000
                   + c.months_since AS id,
                   c.company_id, company.currency_id, c.cohort AS cohort_month, c.months_since,
                   c.customers AS customer_count, size.customers AS cohort_size,
                   c.customers::float / size.customers AS retention_rate,
                   c.orders AS order_count, c.revenue,
                   now() AT TIME ZONE 'UTC' AS refreshed_at
              FROM cells c
              JOIN cells size
                ON size.company_id = c.company_id AND size.cohort = c.cohort
               AND size.months_since = 0
              JOIN res_company company ON company.id = c.company_id
            """,
            orders=confirmed_orders(),
        )
