from odoo import api, models

# What a changed score carries (crm_api_read_scores columns).
SCORE_CHANGE_COLUMNS = (
    "partner_id", "external_ref", "value_score", "rfm_code", "rfm_segment", "churn_risk",
    "p_alive", "predicted_clv", "expected_purchases", "expected_avg_value", "predicted_spend",
    "recency_days", "frequency", "monetary", "margin", "profit", "computed_at",
)


class CrmChangeLog(models.Model):
    _inherit = "crm.change.log"

    @api.model
    def _crm_change_sources(self):
        # A score is keyed by its customer; the run time alone (every night)
        # is no change of the score.
        return {
            **super()._crm_change_sources(),
            "scores": {"table": "crm_customer_score", "key": "partner_id",
                       "company": "company_id", "ignore": ("computed_at",)},
        }

    @api.model
    def _crm_change_model(self, kind):
        if kind == "scores":
            return "crm.customer.score"
        return super()._crm_change_model(kind)

    @api.model
    def _crm_change_read(self, kind, ids, company):
        if kind != "scores":
            return super()._crm_change_read(kind, ids, company)
        table = self.env["crm.customer.score"].crm_api_read_scores(
            domain=[("partner_id", "in", ids)], columns=list(SCORE_CHANGE_COLUMNS),
            companies=[company.id])
        return [dict(zip(table["columns"], row, strict=True), company_id=company.id)
                for row in table["rows"]]
