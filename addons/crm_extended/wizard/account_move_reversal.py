from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def _prepare_default_reversal(self, move):
        # A credit note issued from a complaint stays linked to it.
        vals = super()._prepare_default_reversal(move)
        if self.env.context.get("crm_complaint_id"):
            vals["crm_complaint_id"] = self.env.context["crm_complaint_id"]
        return vals
