from odoo import fields, models
from odoo.fields import Domain


class StockPicking(models.Model):
    _inherit = "stock.picking"

    crm_complaint_id = fields.Many2one(
        "crm.complaint", string="Complaint", index="btree_not_null", copy=False,
        readonly=True, help="The complaint this return was made for.",
    )
    crm_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_crm_complaint_count",
        groups="crm_extended.group_crm_extended_user",
    )

    def _crm_complaint_domain(self):
        return Domain("picking_id", "in", self.ids) | Domain(
            "id", "in", self.crm_complaint_id.ids
        )

    def _compute_crm_complaint_count(self):
        rows = self.env["crm.complaint"]._read_group(
            [("picking_id", "in", self.ids)], ["picking_id"], ["__count"]
        )
        counts = {picking.id: count for picking, count in rows}
        for picking in self:
            picking.crm_complaint_count = counts.get(picking.id, 0) + (
                1 if picking.crm_complaint_id else 0
            )

    def action_crm_view_complaints(self):
        return self.env["crm.complaint"]._crm_action_list(self._crm_complaint_domain())
