from odoo import api, fields, models
from odoo.fields import Domain


class CrmCustomerHandover(models.TransientModel):
    _inherit = "crm.customer.handover"

    move_service_contracts = fields.Boolean(
        string="Live Service Contracts",
        default=True,
        help="Draft, active and expiring service contracts this person is account manager of.",
    )

    def _get_handover_models(self):
        return super()._get_handover_models() + [
            ("crm.service.contract", self._handover_domain_service_contracts, "user_id"),
        ]

    def _handover_domain_service_contracts(self):
        if not self.move_service_contracts:
            return None
        return Domain("user_id", "=", self.from_user_id.id) & Domain(
            "state", "in", ["draft", "active", "expiring"]
        )

    @api.depends("move_service_contracts")
    def _compute_preview(self):
        return super()._compute_preview()
