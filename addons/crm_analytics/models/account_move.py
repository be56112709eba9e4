from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A posted credit note lowers the customer's net revenue and margin.
        refunds = posted.filtered(lambda move: move.move_type == "out_refund")
        for company, moves in refunds.grouped("company_id").items():
            moves.commercial_partner_id.with_company(company).sudo()._crm_score_partners_update()
        return posted
