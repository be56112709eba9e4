from odoo import api, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.customer.info.mixin"]

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads.filtered(lambda lead: lead.type == "opportunity").partner_id._crm_check_not_blacklisted(
            self.env._("create an opportunity")
        )
        return leads

    def write(self, vals):
        result = super().write(vals)
        if vals.get("type") == "opportunity" or (
            "partner_id" in vals and vals["partner_id"]
        ):
            self.filtered(lambda lead: lead.type == "opportunity").partner_id._crm_check_not_blacklisted(
                self.env._("create an opportunity")
            )
        return result
