from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools import SQL

# An expired contract that was not renewed counts as a churn signal for a year.
EXPIRED_CONTRACT_MEMORY_DAYS = 365


class CrmCustomerScore(models.Model):
    """Feeds the scoring engine from crm_extended's complaints and service
    contracts: one grouped SQL query per source, keyed by commercial partner."""

    _inherit = "crm.customer.score"

    @api.model
    def _crm_score_partner_filter(self, column, partner_ids):
        if partner_ids is None:
            return SQL("TRUE")
        return SQL("%s = ANY(%s)", column, list(partner_ids))

    @api.model
    def _crm_score_until(self):
        """The day after the scoring date: a run as of a past date
        (crm_api_score_as_of) counts nothing dated later."""
        return self._crm_score_today() + relativedelta(days=1)

    @api.model
    def _crm_score_grouped(self, query):
        self.env.cr.execute(query)
        return dict(self.env.cr.fetchall())

    @api.model
    def _crm_score_complaint_costs(self, company, partner_ids, date_from):
        return self._crm_score_grouped(SQL(
            """SELECT c.commercial_partner_id, SUM(c.compensation_cost)
                 FROM crm_complaint c
                WHERE c.company_id = %(company)s AND c.active
                  AND c.compensation_cost > 0 AND c.create_date >= %(since)s
                  AND c.create_date < %(until)s AND %(partners)s
             GROUP BY c.commercial_partner_id""",
            company=company.id, since=date_from, until=self._crm_score_until(),
            partners=self._crm_score_partner_filter(SQL("c.commercial_partner_id"), partner_ids),
        ))

    @api.model
    def _crm_score_service_costs(self, company, partner_ids, date_from):
        # Parts used on done visits; a billable visit is invoiced to the
        # customer, so it is not a cost of serving them.
        return self._crm_score_grouped(SQL(
            """SELECT p.commercial_partner_id, SUM(v.cost)
                 FROM crm_service_visit v
                 JOIN res_partner p ON p.id = v.partner_id
                WHERE v.company_id = %(company)s AND v.state = 'done'
                  AND NOT COALESCE(v.billable, FALSE)
                  AND v.cost > 0 AND v.date >= %(since)s AND v.date < %(until)s
                  AND %(partners)s
             GROUP BY p.commercial_partner_id""",
            company=company.id, since=date_from, until=self._crm_score_until(),
            partners=self._crm_score_partner_filter(SQL("p.commercial_partner_id"), partner_ids),
        ))

    @api.model
    def _crm_score_recent_complaints(self, company, partner_ids, date_from):
        # Complaints only (not praise or questions), cancelled ones excluded.
        cancelled = self.env.ref(
            "crm_extended.crm_complaint_stage_cancelled", raise_if_not_found=False)
        return self._crm_score_grouped(SQL(
            """SELECT c.commercial_partner_id, COUNT(*)
                 FROM crm_complaint c
                WHERE c.company_id = %(company)s AND c.active
                  AND c.complaint_type = 'complaint' AND c.create_date >= %(since)s
                  AND c.create_date < %(until)s AND c.stage_id IS DISTINCT FROM %(cancelled)s AND %(partners)s
             GROUP BY c.commercial_partner_id""",
            company=company.id, since=date_from, until=self._crm_score_until(),
            cancelled=cancelled.id if cancelled else None,
            partners=self._crm_score_partner_filter(SQL("c.commercial_partner_id"), partner_ids),
        ))

    @api.model
    def _crm_score_expired_contracts(self, company, partner_ids, today):
        return self._crm_score_grouped(SQL(
            """SELECT p.commercial_partner_id, COUNT(*)
                 FROM crm_service_contract k
                 JOIN res_partner p ON p.id = k.partner_id
                WHERE k.company_id = %(company)s AND k.state = 'expired'
                  AND NOT EXISTS (SELECT 1 FROM crm_service_contract n
                                   WHERE n.previous_contract_id = k.id
                                     AND n.state != 'cancelled')
                  AND k.date_end >= %(since)s AND k.date_end < %(today)s AND %(partners)s
             GROUP BY p.commercial_partner_id""",
            company=company.id, today=today,
            since=today - relativedelta(days=EXPIRED_CONTRACT_MEMORY_DAYS),
            partners=self._crm_score_partner_filter(SQL("p.commercial_partner_id"), partner_ids),
        ))
