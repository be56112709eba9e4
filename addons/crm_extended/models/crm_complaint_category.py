from odoo import fields, models


class CrmComplaintCategory(models.Model):
    """Root cause of a complaint. The default list is Keaveney's eight reasons why
    customers switch; companies add or rename their own."""

    _name = "crm.complaint.category"
    _description = "Complaint Root Cause"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", index=True)

    _name_uniq = models.Constraint(
        "UNIQUE (name, company_id)", "A root cause with this name already exists."
    )
