from odoo import api, fields, models
from odoo.fields import Domain


class CrmCustomerHandover(models.TransientModel):
    """The hand-over also moves the open complaints the person handles."""

    _inherit = "crm.customer.handover"

    move_complaints = fields.Boolean(
        string="Open Complaints",
        default=True,
        help="Complaints and feedback assigned to this person that are not closed yet.",
    )

    def _get_handover_models(self):
        return super()._get_handover_models() + [
            ("crm.complaint", self._handover_domain_complaints, "user_id"),
        ]

    def _handover_domain_complaints(self):
        if not self.move_complaints:
            return None
        return Domain("user_id", "=", self.from_user_id.id) & Domain("is_closed", "=", False)

    @api.depends("move_complaints")
    def _compute_preview(self):
        return super()._compute_preview()
