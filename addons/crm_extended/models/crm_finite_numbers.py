"""NaN and Infinity refused on every ORM write of the modules' numbers.

The ``crm_api_*`` methods check their numbers (tools/api_validation), but the
plain ORM is public too (``write``/``create`` over XML-RPC or JSON-2): a
``NaN`` written into a float column is stored as such and breaks every later
sum, sort and search on it, and one written into a company-dependent number
makes the jsonb insert fail with a server error (and a NaN monetary fails in
the currency's rounding). The mixin checks the numbers a create or write is
given, before the ORM converts them, with the limits of the API.
"""

from odoo import api, models

from ..tools import api_validation as check

NUMBER_TYPES = ("float", "monetary")


class CrmFiniteNumbersMixin(models.AbstractModel):
    _name = "crm.finite.numbers.mixin"
    _description = "Finite Numbers Check"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._crm_check_numbers(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._crm_check_numbers(vals)
        return super().write(vals)

    @api.model
    def _crm_check_numbers(self, vals):
        """Before the ORM converts them (a NaN monetary fails in the currency's
        rounding, a NaN company-dependent number in the jsonb): the number
        fields of ``vals`` are finite and within the API's bound."""
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None or value is None or isinstance(value, bool):
                continue
            if field.type in ("one2many", "many2many") and isinstance(value, list | tuple):
                # The lines created or updated with the record (an order's
                # amounts are precomputed from them before they are created).
                comodel = self.env[field.comodel_name]
                if isinstance(comodel, CrmFiniteNumbersMixin):
                    for command in value:
                        if (isinstance(command, list | tuple) and len(command) == 3
                                and command[0] in (0, 1) and isinstance(command[2], dict)):
                            comodel._crm_check_numbers(command[2])
                continue
            if field.type not in NUMBER_TYPES:
                continue
            if isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    continue  # not a number at all: the ORM's own error
            if isinstance(value, int | float) and not check.is_number(value):
                check.number(self.env, value, field._description_string(self.env))


# The models whose numbers the modules write or add, the Odoo ones included.
class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.finite.numbers.mixin"]


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "crm.finite.numbers.mixin"]


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "crm.finite.numbers.mixin"]


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "crm.finite.numbers.mixin"]


class CrmComplaint(models.Model):
    _name = "crm.complaint"
    _inherit = ["crm.complaint", "crm.finite.numbers.mixin"]


class CrmComplaintTeam(models.Model):
    _name = "crm.complaint.team"
    _inherit = ["crm.complaint.team", "crm.finite.numbers.mixin"]


class CrmCustomerTier(models.Model):
    _name = "crm.customer.tier"
    _inherit = ["crm.customer.tier", "crm.finite.numbers.mixin"]


class CrmServiceContract(models.Model):
    _name = "crm.service.contract"
    _inherit = ["crm.service.contract", "crm.finite.numbers.mixin"]


class CrmServiceContractLine(models.Model):
    _name = "crm.service.contract.line"
    _inherit = ["crm.service.contract.line", "crm.finite.numbers.mixin"]


class CrmServiceVisit(models.Model):
    _name = "crm.service.visit"
    _inherit = ["crm.service.visit", "crm.finite.numbers.mixin"]


class CrmServiceVisitPart(models.Model):
    _name = "crm.service.visit.part"
    _inherit = ["crm.service.visit.part", "crm.finite.numbers.mixin"]
