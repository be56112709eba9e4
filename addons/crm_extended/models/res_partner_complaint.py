from odoo import fields, models


class ResPartner(models.Model):
    """Complaints in the Customer 360: counted on the commercial partner, so
    every contact of a company shows the company's complaints."""

    _inherit = "res.partner"

    crm_360_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_crm_360_complaints",
        groups="crm_extended.group_crm_extended_user",
    )
    crm_360_open_complaint_count = fields.Integer(
        string="Open Complaints", compute="_compute_crm_360_complaints",
        groups="crm_extended.group_crm_extended_user",
    )
    crm_360_breached_complaint_count = fields.Integer(
        string="Complaints Past Deadline", compute="_compute_crm_360_complaints",
        groups="crm_extended.group_crm_extended_user",
    )

    def _compute_crm_360_complaints(self):
        rows = self.env["crm.complaint"]._read_group(
            [("commercial_partner_id", "in", self.commercial_partner_id.ids)],
            ["commercial_partner_id", "is_closed", "sla_status"], ["__count"],
        )
        total, open_, breached = {}, {}, {}
        for customer, is_closed, status, count in rows:
            total[customer.id] = total.get(customer.id, 0) + count
            if not is_closed:
                open_[customer.id] = open_.get(customer.id, 0) + count
                if status == "breached":
                    breached[customer.id] = breached.get(customer.id, 0) + count
        for partner in self:
            key = partner.commercial_partner_id.id
            partner.crm_360_complaint_count = total.get(key, 0)
            partner.crm_360_open_complaint_count = open_.get(key, 0)
            partner.crm_360_breached_complaint_count = breached.get(key, 0)

    def action_crm_360_view_complaints(self):
        return self._crm_360_action(
            "crm_extended.crm_complaint_action",
            [("commercial_partner_id", "=", self.commercial_partner_id.id)],
            {"default_partner_id": self.id},
        )
