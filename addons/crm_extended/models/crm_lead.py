from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    crm_value_grade = fields.Selection(
        string="Value Grade",
        related="partner_id.commercial_partner_id.crm_value_grade",
    )
    crm_lifecycle_stage = fields.Selection(
        string="Lifecycle Stage",
        related="partner_id.commercial_partner_id.crm_lifecycle_stage",
    )
    crm_tier_id = fields.Many2one(
        "crm.customer.tier", string="Customer Tier",
        related="partner_id.commercial_partner_id.crm_tier_id",
    )
    crm_is_blacklisted_customer = fields.Boolean(
        related="partner_id.crm_is_blacklisted_customer", string="Customer Blacklisted"
    )
    crm_blacklist_reason = fields.Text(
        related="partner_id.commercial_partner_id.crm_blacklist_reason",
        string="Blacklist Reason",
    )

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
