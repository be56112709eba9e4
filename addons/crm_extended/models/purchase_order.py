from odoo import fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    crm_complaint_count = fields.Integer(
        string="Customer Complaints", compute="_compute_crm_complaint_count",
        groups="crm_extended.group_crm_extended_user",
    )

    def _compute_crm_complaint_count(self):
        rows = self.env["crm.complaint"]._read_group(
            [("purchase_order_id", "in", self.ids)], ["purchase_order_id"], ["__count"]
        )
        counts = {order.id: count for order, count in rows}
        for order in self:
            order.crm_complaint_count = counts.get(order.id, 0)

    def action_crm_view_complaints(self):
        return self.env["crm.complaint"]._crm_action_list(
            [("purchase_order_id", "in", self.ids)]
        )
