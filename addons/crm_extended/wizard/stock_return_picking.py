from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values_based_on(self, picking):
        # A return opened from a complaint stays linked to it.
        vals = super()._prepare_picking_default_values_based_on(picking)
        if self.env.context.get("crm_complaint_id"):
            vals["crm_complaint_id"] = self.env.context["crm_complaint_id"]
        return vals

    def _create_return(self):
        # ... and is logged on it, with a link to the return.
        new_picking = super()._create_return()
        complaint = new_picking.crm_complaint_id
        if complaint:
            complaint.message_post(body=self.env._(
                "Return %(picking)s created from %(origin)s.",
                picking=new_picking._get_html_link(), origin=self.picking_id.name,
            ), subtype_xmlid="mail.mt_note")
        return new_picking
