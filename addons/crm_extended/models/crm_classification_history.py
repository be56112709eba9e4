from odoo import fields, models

CLASSIFICATION_FIELDS = [
    ("value_grade", "Value Grade"),
    ("lifecycle_stage", "Lifecycle Stage"),
    ("tier", "Tier"),
    ("credit_rating", "Credit Rating"),
]


class CrmClassificationHistory(models.Model):
    """One row per change of a customer's grade, stage, tier or credit rating:
    who or which rule changed it, when and why. Written in bulk by the
    recompute, never edited."""

    _name = "crm.classification.history"
    _description = "Customer Classification Change"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    classification = fields.Selection(CLASSIFICATION_FIELDS, required=True)
    old_value = fields.Char(string="From")
    new_value = fields.Char(string="To")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="Changed By", default=lambda self: self.env.user)
    rule = fields.Char(help="The automatic rule that made the change, empty for a manual change.")
    reason = fields.Text()
