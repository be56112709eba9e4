from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values_based_on(self, picking):
        # A return opened from a complaint stays linked to it.
        vals = super()._prepare_picking_default_values_based_on(picking)
        if self.env.context.get("crm_complaint_id"):
            vals["crm_complaint_id"] = self.env.context["crm_complaint_id"]
        return vals
