from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    crm_contract_ok = fields.Boolean(
        string="Creates a Service Contract",
        help="Confirming an order of this service creates and activates a service contract.",
    )
    crm_contract_months = fields.Integer(string="Contract Duration (months)", default=12)
    crm_contract_visit_months = fields.Integer(
        string="Visit Every (months)", help="Maintenance visit interval of the contracts sold.")
    crm_contract_included_visits = fields.Integer(string="Included Visits")
    crm_contract_included_cases = fields.Integer(string="Included Cases")

    @api.constrains("crm_contract_months", "crm_contract_visit_months",
                    "crm_contract_included_visits", "crm_contract_included_cases")
    def _check_crm_contract_terms(self):
        for template in self.filtered("crm_contract_ok"):
            if template.crm_contract_months <= 0 or min(
                template.crm_contract_visit_months, template.crm_contract_included_visits,
                template.crm_contract_included_cases,
            ) < 0:
                raise UserError(self.env._(
                    "%(product)s: the contract duration must be positive and its visits "
                    "and cases cannot be negative.", product=template.display_name,
                ))


class SaleOrder(models.Model):
    _inherit = "sale.order"

    crm_service_contract_ids = fields.One2many(
        "crm.service.contract", "sale_order_id", string="Service Contracts")
    crm_service_contract_count = fields.Integer(
        string="Contracts", compute="_compute_crm_service_contract_count")

    def _compute_crm_service_contract_count(self):
        rows = self.env["crm.service.contract"]._read_group(
            [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"])
        counts = {order.id: count for order, count in rows}
        for order in self:
            order.crm_service_contract_count = counts.get(order.id, 0)

    def _action_confirm(self):
        result = super()._action_confirm()
        self._crm_confirm_service_contracts()
        return result

    def _crm_confirm_service_contracts(self):
        """Activate the draft contracts these orders sell, and create (active)
        contracts for the contract products of orders that have none."""
        Contract = self.env["crm.service.contract"]
        contracts = Contract.search([("sale_order_id", "in", self.ids)])
        drafts = contracts.filtered(lambda c: c.state == "draft")
        without = self.filtered(
            lambda o: o.id not in contracts.sale_order_id.ids
            and o.order_line.product_id.product_tmpl_id.filtered("crm_contract_ok"))
        new = Contract.create([
            vals for order in without for vals in order._crm_prepare_service_contract_vals()
        ]) if without else Contract
        (drafts | new).action_activate()

    def _crm_prepare_service_contract_vals(self, lines=None):
        """One contract per contract-product line; covered: the goods of the order."""
        self.ensure_one()
        lines = lines or self.order_line.filtered(
            lambda line: line.product_id.product_tmpl_id.crm_contract_ok)
        goods = self.order_line.filtered(
            lambda line: line.product_id.type == "consu" and not line.display_type)
        today = fields.Date.context_today(self)
        vals_list = []
        for line in lines:
            template = line.product_id.product_tmpl_id
            months = template.crm_contract_months or 12
            vals_list.append({
                "partner_id": self.partner_id.commercial_partner_id.id,
                "company_id": self.company_id.id,
                "user_id": (self.partner_id.commercial_partner_id.crm_account_manager_id
                            or self.user_id or self.env.user).id,
                "date_start": today,
                "date_end": today + relativedelta(months=months, days=-1),
                "sale_order_id": self.id,
                "fee_product_id": line.product_id.id,
                "fee_amount": line.price_subtotal,
                "visit_interval_months": template.crm_contract_visit_months,
                "included_visits": template.crm_contract_included_visits,
                "included_cases": template.crm_contract_included_cases,
                "line_ids": [Command.create({"product_id": product.id})
                             for product in goods.product_id],
            })
        return vals_list

    def action_crm_create_service_contract(self):
        """Button on a confirmed order: a contract for its service lines."""
        self.ensure_one()
        if self.state != "sale":
            raise UserError(self.env._("Confirm the order before creating its contract."))
        lines = self.order_line.filtered(
            lambda line: line.product_id.type == "service" and not line.display_type)
        if not lines:
            raise UserError(self.env._(
                "Order %(order)s has no service product to sell as a contract.",
                order=self.name))
        contracts = self.env["crm.service.contract"].create(
            self._crm_prepare_service_contract_vals(lines[:1]))
        return self.action_crm_view_service_contracts(contracts)

    def action_crm_view_service_contracts(self, contracts=None):
        self.ensure_one()
        contracts = contracts or self.crm_service_contract_ids
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_service_contract_action")
        if len(contracts) == 1:
            action.update({"res_id": contracts.id, "view_mode": "form",
                           "views": [(False, "form")]})
        else:
            action["domain"] = [("id", "in", contracts.ids)]
        return action
