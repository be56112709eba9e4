from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..tools import api_validation as check

PRICE_CHANGE_MAX = 1000.0


class CrmServiceContractRenew(models.TransientModel):
    """Renew contracts: the next contract starts the day after the old one ends,
    for the same duration, optionally at a changed price, with its quotation;
    the old contract becomes 'renewed'."""

    _name = "crm.service.contract.renew"
    _description = "Renew Service Contracts"

    contract_ids = fields.Many2many(
        "crm.service.contract", string="Contracts", required=True,
        default=lambda self: self._default_contract_ids(),
    )
    price_change_percent = fields.Float(
        string="Price Change (%)", help="E.g. 5 for a 5% increase, -10 for a 10% discount.")
    create_quotation = fields.Boolean(
        default=lambda self: self._default_create_quotation())
    fee_product_id = fields.Many2one(
        "product.product", string="Contract Product",
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        default=lambda self: self._default_fee_product_id(),
        help="Service product that invoices the renewals of the contracts that have no "
        "contract product; it becomes their contract product.",
    )
    missing_product_contract_ids = fields.Many2many(
        "crm.service.contract", string="Contracts Without Product",
        compute="_compute_missing_product_contract_ids",
    )

    @api.model
    def _default_contract_ids(self):
        if self.env.context.get("active_model") == "crm.service.contract":
            return [Command.set(self.env.context.get("active_ids", []))]
        return False

    @api.model
    def _default_fee_product_id(self):
        """A product sold as a service contract, for renewals that have none."""
        return self.env["product.product"].search([
            ("crm_contract_ok", "=", True), ("type", "=", "service"), ("sale_ok", "=", True),
            ("company_id", "in", [False, self.env.company.id]),
        ], limit=1)

    @api.model
    def _default_create_quotation(self):
        """Quote the renewals, unless some contract has no product to quote
        with and none is sold as a service contract: the renewal then works
        with the defaults, without quotation, and the form says how to get one."""
        if self.env.context.get("active_model") != "crm.service.contract":
            return True
        contracts = self.env["crm.service.contract"].browse(
            self.env.context.get("active_ids", []))
        return all(contract.fee_product_id for contract in contracts) or bool(
            self._default_fee_product_id())

    @api.onchange("fee_product_id")
    def _onchange_fee_product_id(self):
        if self.fee_product_id:
            self.create_quotation = True

    @api.depends("contract_ids")
    def _compute_missing_product_contract_ids(self):
        for wizard in self:
            wizard.missing_product_contract_ids = wizard.contract_ids.filtered(
                lambda c: not c.fee_product_id)

    def action_renew(self):
        self.ensure_one()
        contracts = self.contract_ids
        bad = contracts.filtered(
            lambda c: c.state not in ("active", "expiring", "expired") or c.next_contract_id)
        if bad:
            raise UserError(self.env._(
                "Only active, expiring or expired contracts that were not renewed yet can be "
                "renewed: %(contracts)s.", contracts=", ".join(bad.mapped("name"))))
        if self.price_change_percent <= -100:
            raise UserError(self.env._("The price cannot fall by 100% or more."))
        # NaN passes the comparison above; 1,000% is beyond any real price change.
        check.number(self.env, self.price_change_percent,
                     self._fields["price_change_percent"]._description_string(self.env),
                     maximum=PRICE_CHANGE_MAX)
        missing = contracts.filtered(lambda c: not c.fee_product_id)
        if self.create_quotation and missing and not self.fee_product_id:
            raise UserError(self.env._(
                "%(contracts)s: no contract product to quote the renewal with. Choose a "
                "Contract Product in this window (a service product, sold), or untick "
                "Create Quotation to renew without a quotation.",
                contracts=", ".join(missing.mapped("name"))))
        factor = 1 + self.price_change_percent / 100.0
        vals_list = []
        for contract in contracts:
            duration = relativedelta(contract.date_end + relativedelta(days=1),
                                     contract.date_start)
            start = contract.date_end + relativedelta(days=1)
            vals_list.append(contract.copy_data({
                "date_start": start,
                "date_end": start + duration - relativedelta(days=1),
                "fee_amount": contract.currency_id.round(contract.fee_amount * factor),
                "previous_contract_id": contract.id,
                "first_response_hours": contract.first_response_hours,
                "resolution_hours": contract.resolution_hours,
                "resource_calendar_id": contract.resource_calendar_id.id,
                "fee_product_id": (contract.fee_product_id or self.fee_product_id).id,
            })[0])
        new = self.env["crm.service.contract"].create(vals_list)
        contracts.write({"state": "renewed"})
        contracts.activity_feedback(["mail.mail_activity_data_todo"])
        for old, renewal in zip(contracts, new, strict=True):
            old.message_post(body=self.env._(
                "Renewed by %(contract)s.", contract=renewal._get_html_link()))
        if self.create_quotation:
            to_quote = new.filtered("fee_product_id")
            if to_quote:
                to_quote.action_create_quotation()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_service_contract_action")
        if len(new) == 1:
            action.update({"res_id": new.id, "view_mode": "form", "views": [(False, "form")]})
        else:
            action["domain"] = [("id", "in", new.ids)]
        return action
