from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_extended.models.crm_complaint import (
    CHANNELS,
    COMPLAINT_TYPES,
    ESCALATION_LEVELS,
    SLA_STATUSES,
)
from odoo.addons.crm_extended.models.crm_customer_tier import PRIORITIES
from odoo.addons.crm_extended.models.res_partner import VALUE_GRADES
from odoo.addons.crm_extended.tools.company_values import company_value


class CrmComplaintReport(models.Model):
    """Complaint analysis: one row per active complaint, feedback or inquiry.

    Rates are stored per complaint as 100 (yes), 0 (no) or empty (does not
    apply) and averaged: the average over any group is then exactly the rate of
    that group (the numerator over the denominator), never an average of
    averages. Counts are 0/1 columns summed."""

    _name = "crm.complaint.report"
    _description = "Complaint Analysis"
    _auto = False
    _rec_name = "complaint_id"
    _order = "date desc, complaint_id desc"
    _depends = {
        "crm.complaint": [
            "active", "company_id", "commercial_partner_id", "complaint_type", "channel",
            "priority", "category_id", "root_cause_id", "product_id", "team_id", "user_id",
            "stage_id", "is_closed", "sla_start", "sla_status", "escalation_level",
            "reopen_count", "first_response_date", "resolved_date", "closed_date",
            "time_to_first_response_hours", "time_to_resolution_hours",
            "followup_satisfaction", "rating_last_value", "compensation_cost", "create_date",
        ],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
        "res.partner": ["crm_value_grade"],
        "res.company": ["currency_id"],
    }

    complaint_id = fields.Many2one("crm.complaint", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    value_grade = fields.Selection(VALUE_GRADES, string="Customer Value Grade", readonly=True)
    date = fields.Datetime(string="Received On", readonly=True)
    complaint_type = fields.Selection(COMPLAINT_TYPES, string="Type", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    category_id = fields.Many2one("crm.complaint.category", readonly=True)
    root_cause_id = fields.Many2one(
        "crm.complaint.category", string="Confirmed Root Cause", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True)
    team_id = fields.Many2one("crm.complaint.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True)
    stage_id = fields.Many2one("crm.complaint.stage", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True)
    escalation_level = fields.Selection(
        ESCALATION_LEVELS, readonly=True)

    open_count = fields.Integer(string="Open", readonly=True, aggregator="sum")
    resolved_count = fields.Integer(
        string="Resolved", readonly=True, aggregator="sum",
        help="Complaints resolved or closed.")
    escalated_count = fields.Integer(string="Escalated", readonly=True, aggregator="sum")
    first_response_hours = fields.Float(
        string="Hours to First Response", readonly=True, aggregator="avg", digits=(16, 1),
        help="Working hours of the team from intake to the first response (average of "
        "the complaints answered).")
    resolution_hours = fields.Float(
        string="Hours to Resolution", readonly=True, aggregator="avg", digits=(16, 1),
        help="Working hours of the team from intake to the resolution (average of the "
        "complaints resolved).")
    sla_due_count = fields.Integer(
        string="SLA Outcomes", readonly=True, aggregator="sum",
        help="Complaints under a service level whose outcome is known: resolved, "
        "closed or already breached.")
    sla_met_count = fields.Integer(
        string="SLA Met", readonly=True, aggregator="sum",
        help="Complaints resolved or closed within their deadlines.")
    sla_compliance = fields.Float(
        string="SLA Compliance (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="SLA met divided by the SLA outcomes.")
    reopened_count = fields.Integer(
        string="Reopened", readonly=True, aggregator="sum",
        help="Complaints reopened at least once.")
    reopen_rate = fields.Float(
        string="Reopen Rate (%)", readonly=True, aggregator="avg", digits=(16, 1),
        help="Complaints reopened at least once among those resolved at least once.")
    reopen_count = fields.Integer(string="Reopenings", readonly=True, aggregator="sum")
    satisfaction = fields.Float(
        string="Satisfaction (1-5)", readonly=True, aggregator="avg", digits=(16, 2),
        help="Satisfaction given at the follow-up visit, 1 (very dissatisfied) to 5 "
        "(very satisfied); average of the complaints followed up.")
    satisfaction_count = fields.Integer(
        string="Followed Up", readonly=True, aggregator="sum",
        help="Complaints with a satisfaction from the follow-up.")
    rating = fields.Float(
        string="Customer Rating", readonly=True, aggregator="avg", digits=(16, 2),
        help="Rating the customer gave on the closed complaint (1, 3 or 5); average of "
        "the complaints rated.")
    compensation_cost = fields.Monetary(
        readonly=True, currency_field="currency_id",
        aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """CREATE OR REPLACE VIEW %(view)s AS (
                WITH base AS (
                    SELECT c.id, c.company_id, company.currency_id,
                           c.commercial_partner_id AS partner_id,
                           %(value_grade)s AS value_grade,
                           COALESCE(c.sla_start, c.create_date) AS date,
                           c.complaint_type, c.channel, c.priority, c.category_id,
                           c.root_cause_id, c.product_id, pt.categ_id AS product_categ_id,
                           c.team_id, c.user_id, c.stage_id, COALESCE(c.is_closed, false)
                               AS is_closed,
                           c.sla_status, c.escalation_level,
                           (c.resolved_date IS NOT NULL OR c.closed_date IS NOT NULL)
                               AS is_resolved,
                           c.sla_start IS NOT NULL AND c.sla_status IS NOT NULL
                               AND (c.resolved_date IS NOT NULL OR c.closed_date IS NOT NULL
                                    OR c.sla_status = 'breached') AS sla_due,
                           COALESCE(c.reopen_count, 0) AS reopen_count,
                           -- Hours are counted from the SLA start: none without one.
                           CASE WHEN c.first_response_date IS NOT NULL AND c.sla_start IS NOT NULL
                                THEN c.time_to_first_response_hours END AS first_response_hours,
                           CASE WHEN c.resolved_date IS NOT NULL AND c.sla_start IS NOT NULL
                                THEN c.time_to_resolution_hours END AS resolution_hours,
                           c.followup_satisfaction::int AS satisfaction,
                           NULLIF(c.rating_last_value, 0) AS rating,
                           COALESCE(c.compensation_cost, 0) AS compensation_cost
                      FROM crm_complaint c
                      JOIN res_company company ON company.id = c.company_id
                      LEFT JOIN res_partner p ON p.id = c.commercial_partner_id
                      LEFT JOIN product_product pp ON pp.id = c.product_id
                      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     WHERE c.active
                )
                SELECT b.id, b.id AS complaint_id, b.company_id, b.currency_id, b.partner_id,
                       b.value_grade, b.date, b.complaint_type, b.channel, b.priority,
                       b.category_id, b.root_cause_id, b.product_id, b.product_categ_id,
                       b.team_id, b.user_id, b.stage_id, b.is_closed, b.sla_status,
                       b.escalation_level,
                       (NOT b.is_closed)::int AS open_count,
                       b.is_resolved::int AS resolved_count,
                       (b.escalation_level != '0')::int AS escalated_count,
                       b.first_response_hours, b.resolution_hours,
                       b.sla_due::int AS sla_due_count,
                       (b.sla_due AND b.sla_status != 'breached')::int AS sla_met_count,
                       CASE WHEN b.sla_due THEN
                           CASE WHEN b.sla_status = 'breached' THEN 0.0 ELSE 100.0 END
                       END AS sla_compliance,
                       (b.reopen_count > 0)::int AS reopened_count,
                       CASE WHEN b.is_resolved OR b.reopen_count > 0 THEN
                           CASE WHEN b.reopen_count > 0 THEN 100.0 ELSE 0.0 END
                       END AS reopen_rate,
                       b.reopen_count, b.satisfaction,
                       (b.satisfaction IS NOT NULL)::int AS satisfaction_count,
                       b.rating, b.compensation_cost
                  FROM base b)""",
            view=SQL.identifier(self._table),
            value_grade=company_value("p", "crm_value_grade", SQL("c.company_id")),
        ))
