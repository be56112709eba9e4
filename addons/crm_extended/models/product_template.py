from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    crm_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_crm_complaint_count",
        groups="crm_extended.group_crm_extended_user",
    )

    def _compute_crm_complaint_count(self):
        rows = self.env["crm.complaint"]._read_group(
            [("product_id.product_tmpl_id", "in", self.ids)],
            ["product_id"], ["__count"],
        )
        counts = {}
        for product, count in rows:
            counts[product.product_tmpl_id.id] = counts.get(product.product_tmpl_id.id, 0) + count
        for template in self:
            template.crm_complaint_count = counts.get(template.id, 0)

    def action_crm_view_complaints(self):
        return self.env["crm.complaint"]._crm_action_list(
            [("product_id.product_tmpl_id", "in", self.ids)]
        )
