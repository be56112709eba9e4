from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _crm_reclassify_customers(self):
        # Confirmation and cancellation (crm_extended's hook) also refresh the
        # value scores of the customers concerned, with the stored model fit.
        result = super()._crm_reclassify_customers()
        if self.env.context.get("crm_skip_reclassify"):
            # The order import: its customers' scores follow with the next
            # scoring run, like the rest of the imported history.
            return result
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id.commercial_partner_id
            partners.with_company(company).sudo()._crm_score_partners_update()
        return result
