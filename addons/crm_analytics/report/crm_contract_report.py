from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_extended.models.crm_service_contract import CONTRACT_STATES


class CrmContractReport(models.Model):
    """One row per service contract with its renewal, entitlement consumption
    and visit completion figures, for pivots by state, customer, account
    manager and term."""

    _name = "crm.contract.report"
    _description = "Service Contract Analysis"
    _auto = False
    _rec_name = "contract_id"
    _order = "date_end desc, contract_id desc"
    _depends = {
        "crm.service.contract": [
            "company_id", "partner_id", "user_id", "state", "date_start", "date_end",
            "fee_amount", "included_visits", "included_hours", "previous_contract_id",
        ],
        "crm.service.visit": ["contract_id", "state", "date", "duration"],
        "res.partner": ["commercial_partner_id"],
        "res.company": ["currency_id"],
    }

    contract_id = fields.Many2one("crm.service.contract", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Account Manager", readonly=True)
    state = fields.Selection(CONTRACT_STATES, string="Status", readonly=True)
    date_start = fields.Date(string="Start Date", readonly=True)
    date_end = fields.Date(string="End Date", readonly=True)
    fee_amount = fields.Monetary(string="Contract Fee", currency_field="currency_id",
                                 readonly=True, aggregator="sum")
    active_count = fields.Integer(
        string="Active Contracts", readonly=True, aggregator="sum",
        help="Contracts active or expiring soon.")
    expiring_count = fields.Integer(string="Expiring Contracts", readonly=True, aggregator="sum")
    renewal_due_count = fields.Integer(
        string="Renewals Due", readonly=True, aggregator="sum",
        help="Contracts expiring soon, expired or renewed: those that could be renewed.")
    renewed_count = fields.Integer(string="Renewed Contracts", readonly=True, aggregator="sum")
    renewal_rate = fields.Float(
        readonly=True, aggregator="avg", digits=(16, 4),
        help="Renewed contracts among the renewals due (empty for the others).")
    included_visits = fields.Integer(readonly=True, aggregator="sum")
    used_visits = fields.Integer(readonly=True, aggregator="sum",
                                 help="Done visits charged to the contract.")
    included_hours = fields.Float(readonly=True, aggregator="sum")
    used_hours = fields.Float(readonly=True, aggregator="sum")
    visit_consumption = fields.Float(
        string="Visit Entitlement Used", readonly=True, aggregator="avg", digits=(16, 4),
        help="Done visits divided by the included visits (empty when visits are not limited).")
    visits_due = fields.Integer(
        readonly=True, aggregator="sum",
        help="Visits planned or done whose date has passed.")
    visits_done = fields.Integer(readonly=True, aggregator="sum")
    visits_overdue = fields.Integer(
        readonly=True, aggregator="sum",
        help="Planned visits whose date has passed.")
    visit_completion = fields.Float(
        readonly=True, aggregator="avg", digits=(16, 4),
        help="Done visits among the visits due (empty when none is due).")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )

    def _query(self):
        return SQL(
            """
            WITH visits AS (
                SELECT contract_id,
                       count(*) FILTER (WHERE state = 'done') AS done,
                       COALESCE(sum(duration) FILTER (WHERE state = 'done'), 0) AS hours,
                       count(*) FILTER (WHERE state = 'planned' AND date < now() AT TIME ZONE 'UTC')
                           AS overdue,
                       count(*) FILTER (WHERE state = 'done'
                                           OR (state = 'planned'
                                               AND date < now() AT TIME ZONE 'UTC')) AS due
                  FROM crm_service_visit
                 WHERE contract_id IS NOT NULL
                 GROUP BY contract_id
            ), renewed AS (
                SELECT DISTINCT previous_contract_id AS contract_id
                  FROM crm_service_contract
                 WHERE previous_contract_id IS NOT NULL AND state != 'cancelled'
            ), base AS (
                SELECT c.id, c.company_id, company.currency_id,
                       p.commercial_partner_id AS partner_id, c.user_id, c.state,
                       c.date_start, c.date_end, COALESCE(c.fee_amount, 0) AS fee_amount,
                       (c.state IN ('active', 'expiring'))::int AS active_count,
                       (c.state = 'expiring')::int AS expiring_count,
                       (c.state IN ('expiring', 'expired', 'renewed') OR r.contract_id IS NOT NULL)::int
                           AS renewal_due_count,
                       (c.state = 'renewed' OR r.contract_id IS NOT NULL)::int AS renewed_count,
                       COALESCE(c.included_visits, 0) AS included_visits,
                       COALESCE(v.done, 0) AS used_visits,
                       COALESCE(c.included_hours, 0) AS included_hours,
                       COALESCE(v.hours, 0) AS used_hours,
                       COALESCE(v.due, 0) AS visits_due,
                       COALESCE(v.done, 0) AS visits_done,
                       COALESCE(v.overdue, 0) AS visits_overdue
                  FROM crm_service_contract c
                  JOIN res_partner p ON p.id = c.partner_id
                  JOIN res_company company ON company.id = c.company_id
                  LEFT JOIN visits v ON v.contract_id = c.id
                  LEFT JOIN renewed r ON r.contract_id = c.id
            )
            SELECT b.id, b.id AS contract_id, b.company_id, b.currency_id, b.partner_id,
                   b.user_id, b.state, b.date_start, b.date_end, b.fee_amount,
                   b.active_count, b.expiring_count, b.renewal_due_count, b.renewed_count,
                   CASE WHEN b.renewal_due_count = 1 THEN b.renewed_count::float END
                       AS renewal_rate,
                   b.included_visits, b.used_visits, b.included_hours, b.used_hours,
                   CASE WHEN b.included_visits > 0
                        THEN b.used_visits::float / b.included_visits END AS visit_consumption,
                   b.visits_due, b.visits_done, b.visits_overdue,
                   CASE WHEN b.visits_due > 0 THEN b.visits_done::float / b.visits_due END
                       AS visit_completion
              FROM base b
            """
        )
