from odoo import fields, models


class CrmCustomerHandover(models.TransientModel):
    _name = "crm.customer.handover"
    _description = "Hand Customers Over to Another Salesperson"

    from_user_id = fields.Many2one("res.users", string="From", required=True)
    to_user_id = fields.Many2one("res.users", string="To", required=True)
