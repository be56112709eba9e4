from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.res_partner import LIFECYCLE_STAGES, VALUE_GRADES
from ..models.res_partner_credit import CREDIT_RATINGS

OVERRIDABLE_CLASSIFICATIONS = [
    ("value_grade", "Value Grade"),
    ("lifecycle_stage", "Lifecycle Stage"),
    ("credit_rating", "Credit Rating"),
]
OVERRIDE_ACTIONS = [
    ("set", "Set a Value"),
    ("unlock", "Unlock: Return to the Computed Value"),
]
# classification -> (value field, lock field, lock reason field) on res.partner
OVERRIDE_FIELDS = {
    "value_grade": (
        "crm_value_grade", "crm_value_grade_locked", "crm_value_grade_lock_reason"
    ),
    "lifecycle_stage": (
        "crm_lifecycle_stage", "crm_lifecycle_locked", "crm_lifecycle_lock_reason"
    ),
    "credit_rating": (
        "crm_credit_rating", "crm_credit_rating_locked", "crm_credit_rating_lock_reason"
    ),
}


class CrmClassificationOverride(models.TransientModel):
    """A manager sets a customer's value grade or lifecycle stage by hand, with a
    reason, and usually locks it so that the recompute leaves it alone; or
    unlocks it to return to the computed value. Every change is in the history."""

    _name = "crm.classification.override"
    _description = "Override a Customer Classification"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Commercial Entity",
        related="partner_id.commercial_partner_id",
        help="The classification belongs to the company, never to one of its contacts.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
        help="The classification is kept per company.",
    )
    classification = fields.Selection(
        OVERRIDABLE_CLASSIFICATIONS, required=True, default="value_grade"
    )
    action = fields.Selection(OVERRIDE_ACTIONS, required=True, default="set")
    value_grade = fields.Selection(
        VALUE_GRADES, string="New Value Grade",
        compute="_compute_new_value", store=True, readonly=False,
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, string="New Lifecycle Stage",
        compute="_compute_new_value", store=True, readonly=False,
    )
    credit_rating = fields.Selection(
        CREDIT_RATINGS, string="New Credit Rating",
        compute="_compute_new_value", store=True, readonly=False,
    )
    lock = fields.Boolean(
        default=True,
        help="Keep this value: the automatic recompute will not change it until "
        "a manager unlocks it.",
    )
    reason = fields.Char(required=True)
    current_value_grade = fields.Selection(
        VALUE_GRADES, compute="_compute_current"
    )
    current_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, compute="_compute_current"
    )
    current_credit_rating = fields.Selection(
        CREDIT_RATINGS, compute="_compute_current"
    )
    current_locked = fields.Boolean(string="Currently Locked", compute="_compute_current")
    current_lock_reason = fields.Char(
        string="Current Override Reason", compute="_compute_current"
    )

    @api.depends("partner_id", "company_id", "classification")
    def _compute_current(self):
        for wizard in self:
            customer = wizard._customer()
            _value_field, lock_field, reason_field = OVERRIDE_FIELDS[
                wizard.classification or "value_grade"
            ]
            wizard.current_value_grade = customer.crm_value_grade
            wizard.current_lifecycle_stage = customer.crm_lifecycle_stage
            wizard.current_credit_rating = customer.crm_credit_rating
            wizard.current_locked = customer[lock_field] if customer else False
            wizard.current_lock_reason = customer[reason_field] if customer else False

    @api.depends("partner_id", "company_id")
    def _compute_new_value(self):
        for wizard in self:
            customer = wizard._customer()
            wizard.value_grade = customer.crm_value_grade
            wizard.lifecycle_stage = customer.crm_lifecycle_stage
            wizard.credit_rating = customer.crm_credit_rating

    def _customer(self):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        if self.company_id:
            customer = customer.with_company(self.company_id)
        return customer

    @api.model_create_multi
    def create(self, vals_list):
        # The ACL already limits the wizard to managers; say it clearly.
        self.env["res.partner"]._crm_check_classification_rights()
        return super().create(vals_list)

    def action_apply(self):
        self.ensure_one()
        self.env["res.partner"]._crm_check_classification_rights()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give a reason for the override."))
        customer = self._customer().with_context(crm_classification_reason=reason)
        value_field, lock_field, reason_field = OVERRIDE_FIELDS[self.classification]
        if self.action == "set":
            value = self[self.classification]
            if not value:
                raise UserError(
                    self.env._(
                        "Choose the new %(classification)s of %(customer)s.",
                        classification=self._classification_label(),
                        customer=customer.display_name,
                    )
                )
            before = customer[value_field]
            # write() checks the rights again and writes the history row.
            customer.write({
                value_field: value,
                lock_field: self.lock,
                reason_field: reason if self.lock else False,
            })
            if before == value:
                # Locking the current value changes nothing but is a decision.
                self._log_unchanged(customer, value, reason)
        else:
            self._unlock(customer, value_field, lock_field, reason_field, reason)
        return {"type": "ir.actions.act_window_close"}

    def _unlock(self, customer, value_field, lock_field, reason_field, reason):
        if not customer[lock_field]:
            raise UserError(
                self.env._(
                    "The %(classification)s of %(customer)s is not locked.",
                    classification=self._classification_label(),
                    customer=customer.display_name,
                )
            )
        before = customer[value_field]
        customer.write({lock_field: False, reason_field: False})
        # Back to the computed value at once; a change is logged by the
        # recompute with its rule and this reason.
        if self.classification == "credit_rating":
            customer._crm_recompute_credit_rating_partners()
        else:
            customer._crm_recompute_classification_partners()
        after = customer[value_field]
        if before == after:
            # Nothing changed, but the decision to unlock is worth a trace.
            self._log_unchanged(
                customer, after, self.env._("Unlocked: %(reason)s", reason=reason)
            )

    def _log_unchanged(self, customer, value, reason):
        self.env["crm.classification.history"].sudo().create({
            "partner_id": customer.id,
            "company_id": self.company_id.id,
            "classification": self.classification,
            "old_value": value,
            "new_value": value,
            "user_id": self.env.uid,
            "reason": reason,
        })

    def _classification_label(self):
        return dict(self._fields["classification"]._description_selection(self.env))[
            self.classification
        ]
