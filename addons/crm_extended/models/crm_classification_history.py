from odoo import api, fields, models

CLASSIFICATION_FIELDS = [
    ("value_grade", "Value Grade"),
    ("lifecycle_stage", "Lifecycle Stage"),
    ("tier", "Tier"),
    ("credit_rating", "Credit Rating"),
]
# Selection field of res.partner whose labels translate the stored keys.
CLASSIFICATION_PARTNER_FIELDS = {
    "value_grade": "crm_value_grade",
    "lifecycle_stage": "crm_lifecycle_stage",
    "credit_rating": "crm_credit_rating",
}


class CrmClassificationHistory(models.Model):
    """One row per change of a customer's grade, stage, tier or credit rating:
    who or which rule changed it, when and why. Written in bulk by the
    recompute, never edited.

    ``old_value``/``new_value`` keep the selection key (``a``, ``at_risk``...) so
    that the history can be analysed whatever the language; tiers keep the tier
    name. ``old_label``/``new_label`` show them translated."""

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
    old_label = fields.Char(string="Previous Value", compute="_compute_labels")
    new_label = fields.Char(string="New Value", compute="_compute_labels")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="Changed By", default=lambda self: self.env.user)
    # Translated: the recompute writes the rule in every installed language,
    # each user reads it in theirs.
    rule = fields.Char(
        translate=True,
        help="The automatic rule that made the change, empty for a manual change.",
    )
    reason = fields.Text()

    @api.depends("classification", "old_value", "new_value")
    @api.depends_context("lang")
    def _compute_labels(self):
        partner_model = self.env["res.partner"]
        labels = {}
        for classification, fname in CLASSIFICATION_PARTNER_FIELDS.items():
            field = partner_model._fields.get(fname)
            if field:
                labels[classification] = dict(field._description_selection(self.env))
        for entry in self:
            mapping = labels.get(entry.classification, {})
            entry.old_label = mapping.get(entry.old_value, entry.old_value)
            entry.new_label = mapping.get(entry.new_value, entry.new_value)
