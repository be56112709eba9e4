from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_contract_reminder_days = fields.Integer(
        string="Contract Renewal Window (days)",
        default=30,
        help="Service contracts ending within this many days become 'expiring soon': "
        "the account manager gets an activity and the customer a reminder email.",
    )

    @api.constrains("crm_contract_reminder_days")
    def _check_crm_contract_reminder_days(self):
        if any(company.crm_contract_reminder_days < 0 for company in self):
            raise ValidationError(
                self.env._("The contract renewal window cannot be negative."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_contract_reminder_days = fields.Integer(
        related="company_id.crm_contract_reminder_days", readonly=False)
