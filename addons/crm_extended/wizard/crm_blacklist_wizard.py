from odoo import fields, models


class CrmBlacklistWizard(models.TransientModel):
    _name = "crm.blacklist.wizard"
    _description = "Set or Lift the Commercial Blacklist"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    action = fields.Selection(
        [("set", "Blacklist"), ("lift", "Lift Blacklist")], required=True, default="set"
    )
    reason = fields.Text(required=True)
