from odoo import fields, models

from .crm_customer_score import CHURN_RISKS, RFM_SEGMENTS


class CrmCustomerScoreSnapshot(models.Model):
    """Monthly copy of the scores, for trends: the first full recompute of a
    month files the scores of the month before (their last state) here."""

    _name = "crm.customer.score.snapshot"
    _description = "Customer Value Score Snapshot"
    _order = "month desc, value_score desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True,
                                 readonly=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(required=True, readonly=True)
    value_score = fields.Float(readonly=True, aggregator="avg",
                               digits=(16, 1))
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)
    r_score = fields.Integer(readonly=True, aggregator="avg")
    f_score = fields.Integer(readonly=True, aggregator="avg")
    m_score = fields.Integer(readonly=True, aggregator="avg")
    monetary = fields.Monetary(string="Net Revenue (RFM window)", readonly=True)
    predicted_clv = fields.Monetary(string="Predicted Lifetime Value", readonly=True)
    p_alive = fields.Float(string="Probability Active", readonly=True, aggregator="avg",
                           digits=(16, 4))
    churn_risk = fields.Selection(CHURN_RISKS, readonly=True)
    profit = fields.Monetary(readonly=True)

    _partner_company_month_unique = models.UniqueIndex(
        "(partner_id, company_id, month)", "One snapshot per customer, company and month."
    )
