from odoo import fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_extended.models.res_partner import LIFECYCLE_STAGES, VALUE_GRADES
from odoo.addons.crm_extended.tools.company_values import company_value

from ..models.crm_customer_score import CHURN_RISKS, RFM_SEGMENTS

R_LEVELS = [
    ("5", "R5 (most recent)"),
    ("4", "R4"),
    ("3", "R3"),
    ("2", "R2"),
    ("1", "R1 (longest ago)"),
]
F_LEVELS = [
    ("1", "F1 (least frequent)"),
    ("2", "F2"),
    ("3", "F3"),
    ("4", "F4"),
    ("5", "F5 (most frequent)"),
]


def scored_customers_query():
    """Scores of the active customers with what the partner carries per
    company (value grade, lifecycle stage: company-dependent, read with
    crm_extended's accessors) and its salesperson. Shared by the reports
    built on the scores."""
    return SQL(
        """
        SELECT s.id, s.partner_id, s.company_id, company.currency_id, p.user_id,
               %(value_grade)s AS value_grade,
               %(lifecycle_stage)s AS lifecycle_stage,
               s.r_score, s.f_score, s.m_score, s.rfm_segment, s.churn_risk,
               s.recency_days, s.frequency,
               COALESCE(s.monetary, 0) AS monetary,
               COALESCE(s.margin, 0) AS margin,
               COALESCE(s.predicted_clv, 0) AS predicted_clv,
               COALESCE(s.revenue_12m, 0) AS revenue_12m,
               s.expected_purchases, s.p_alive, s.value_score
          FROM crm_customer_score s
          JOIN res_partner p ON p.id = s.partner_id
          JOIN res_company company ON company.id = s.company_id
         WHERE p.active
        """,
        value_grade=company_value("p", "crm_value_grade", SQL("s.company_id")),
        lifecycle_stage=company_value("p", "crm_lifecycle_stage", SQL("s.company_id")),
    )


SCORED_CUSTOMERS_DEPENDS = {
    "crm.customer.score": [
        "partner_id", "company_id", "r_score", "f_score", "m_score", "rfm_segment",
        "churn_risk", "recency_days", "frequency", "monetary", "margin", "predicted_clv",
        "revenue_12m", "expected_purchases", "p_alive", "value_score",
    ],
    "res.partner": ["active", "user_id", "crm_value_grade", "crm_lifecycle_stage"],
    "res.company": ["currency_id"],
}


class CrmCustomerReportMixin(models.AbstractModel):
    """Reports with one row per customer: a row opens its customer."""

    _name = "crm.customer.report.mixin"
    _description = "Customer Report Row"

    # The columns every such report has (its SQL view selects them).
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    value_grade = fields.Selection(VALUE_GRADES, readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True, aggregator="sum")

    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }


class CrmRfmReport(models.Model):
    """RFM matrix: one row per scored active customer and company, for pivots
    R score x F score and RFM segment x value grade. A pivot cell opens the
    list of its customers."""

    _name = "crm.rfm.report"
    _inherit = ["crm.customer.report.mixin"]
    _description = "RFM Segment Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "company_id, value_score desc, partner_id"
    _depends = SCORED_CUSTOMERS_DEPENDS

    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    # Scores are dimensions here (rows and columns of the matrix), not measures.
    r_score = fields.Integer(readonly=True, aggregator=None)
    f_score = fields.Integer(readonly=True, aggregator=None)
    m_score = fields.Integer(readonly=True, aggregator=None)
    # The matrix's axes: the same scores, labelled for a reader of the pivot.
    r_level = fields.Selection(R_LEVELS, string="Recency", readonly=True,
                               help="R score: 5 for the customers who ordered most recently.")
    f_level = fields.Selection(F_LEVELS, string="Frequency", readonly=True,
                               help="F score: 5 for the customers who order most often.")
    churn_risk = fields.Selection(CHURN_RISKS, readonly=True)
    recency_days = fields.Integer(string="Days Since Last Order", readonly=True,
                                  aggregator="avg")
    frequency = fields.Integer(string="Orders (RFM window)", readonly=True, aggregator="sum")
    monetary = fields.Monetary(string="Net Revenue (RFM window)", readonly=True,
                               currency_field="currency_id", aggregator="sum")
    margin = fields.Monetary(string="Margin (RFM window)", readonly=True,
                             currency_field="currency_id", aggregator="sum")
    predicted_clv = fields.Monetary(string="Predicted Lifetime Value", readonly=True,
                                    currency_field="currency_id", aggregator="sum")
    value_score = fields.Float(readonly=True, aggregator="avg",
                               digits=(16, 1))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL(
            """CREATE OR REPLACE VIEW %s AS (
                   SELECT c.id, c.partner_id, c.company_id, c.currency_id, c.user_id,
                          c.value_grade, c.lifecycle_stage, c.r_score, c.f_score, c.m_score,
                          c.r_score::varchar AS r_level, c.f_score::varchar AS f_level,
                          c.rfm_segment, c.churn_risk, 1 AS customer_count, c.recency_days,
                          c.frequency, c.monetary, c.margin, c.predicted_clv, c.value_score
                     FROM (%s) c)""",
            SQL.identifier(self._table), scored_customers_query(),
        ))
