"""Complaints charged to service contracts: coverage, service level,
entitlement consumption and visits raised from a complaint.

The two features were built apart and meet here only, through the hooks each
left for the other: ``crm.complaint._crm_get_sla_policy`` and
``crm.service.contract._crm_count_cases``."""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools.sql import column_exists, create_column, table_exists

from .crm_complaint import PRIORITY_SLA_FACTOR
from .crm_service_contract import COVERING_STATES

# Feedback types that are service cases and consume a contract's included cases:
# a complaint or an inquiry asks the desk for work; a suggestion or praise does not.
CASE_TYPES = ("complaint", "inquiry")


class CrmComplaint(models.Model):
    _inherit = "crm.complaint"

    contract_id = fields.Many2one(
        "crm.service.contract", string="Service Contract", index="btree_not_null",
        tracking=True, check_company=True, copy=False,
        compute="_compute_contract_id", store=True, readonly=False,
        domain=f"[('partner_id', '=', commercial_partner_id), ('state', 'in', {COVERING_STATES})]",
        help="Contract the complaint is charged to. Set at intake from the contract "
        "covering the customer (its serial number first, then its product, then a "
        "contract without covered products); it sets the service level.",
    )
    # Internal (see crm.complaint's routing fields): portal users read neither.
    billable = fields.Boolean(
        readonly=True, copy=False, groups="base.group_user",
        help="Charged to a contract after its included cases were used up: "
        "invoice this case to the customer.",
    )
    visit_ids = fields.One2many("crm.service.visit", "complaint_id", string="Visits",
                                groups="base.group_user")
    visit_count = fields.Integer(compute="_compute_visit_count", groups="base.group_user")

    def _auto_init(self):
        # Complaints already there when this is installed are not charged to
        # contracts after the fact: creating the column first keeps the ORM
        # from computing it over the whole table.
        cr = self.env.cr
        if table_exists(cr, "crm_complaint") and not column_exists(
            cr, "crm_complaint", "contract_id"
        ):
            create_column(cr, "crm_complaint", "contract_id", "int4")
        return super()._auto_init()

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("partner_id", "product_id", "lot_id", "company_id")
    def _compute_contract_id(self):
        """Most specific covering contract on the complaint's date. A contract
        already set is kept while it still covers the complaint. sudo: the
        complaint desk must see the coverage of customers whose contracts it
        does not manage; only ids leave this method."""
        Contract = self.env["crm.service.contract"].sudo()
        covering_by_key = {}
        for complaint in self:
            customer = complaint.partner_id.commercial_partner_id
            if not customer:
                complaint.contract_id = False
                continue
            date = complaint._crm_case_date()
            key = (customer.id, complaint.product_id.id, complaint.lot_id.id,
                   complaint.company_id.id, date)
            if key not in covering_by_key:
                company = complaint.company_id
                covering_by_key[key] = Contract._crm_get_covering_contracts(
                    customer, product=complaint.product_id, lot=complaint.lot_id, date=date,
                ).filtered(lambda c, company=company: c.company_id == company)
            covering = covering_by_key[key]
            if complaint.contract_id not in covering:
                complaint.contract_id = covering[:1].id

    def _compute_visit_count(self):
        # Counts only; sudo so the desk sees that a technician was sent.
        rows = self.env["crm.service.visit"].sudo()._read_group(
            [("complaint_id", "in", self.ids)], ["complaint_id"], ["__count"]
        )
        counts = {complaint.id: count for complaint, count in rows}
        for complaint in self:
            complaint.visit_count = counts.get(complaint.id, 0)

    def _crm_case_date(self):
        """The day the case came in (its intake): the contract must cover that day."""
        self.ensure_one()
        return fields.Date.context_today(
            self, self.sla_start or self.create_date or fields.Datetime.now())

    @api.model
    def _crm_case_domain(self):
        """Complaints that count as cases of a contract: service requests
        (``CASE_TYPES``) that were not cancelled (closed without resolution)."""
        return Domain("complaint_type", "in", CASE_TYPES) & (
            Domain("is_closed", "=", False) | Domain("stage_id.is_resolved", "=", True)
        )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("contract_id", "partner_id")
    def _check_contract_id(self):
        for complaint in self.filtered("contract_id"):
            # sudo: the contract's state and dates decide, whoever charges it.
            contract = complaint.contract_id.sudo()
            if contract.partner_id != complaint.partner_id.commercial_partner_id:
                raise ValidationError(self.env._(
                    "Contract %(contract)s belongs to %(owner)s, not to the customer of "
                    "%(complaint)s.", contract=contract.name,
                    owner=contract.partner_id.display_name, complaint=complaint.display_name,
                ))
            contract._crm_check_consumable(complaint._crm_case_date())

    # ------------------------------------------------------------
    # SERVICE LEVEL
    # ------------------------------------------------------------

    def _crm_get_sla_policy(self):
        """A complaint charged to a contract follows the contract's service
        level (its hours, in its coverage calendar); the priority still
        shortens them. Without a contract, or for what the contract leaves
        empty, the tier and team rules apply. Escalation stays the team's."""
        policy = super()._crm_get_sla_policy()
        if not self.contract_id:
            return policy
        terms = self.contract_id.sudo()._crm_get_sla_policy()
        factor = PRIORITY_SLA_FACTOR.get(self.priority or "0", 1.0)
        for key in ("first_response_hours", "resolution_hours"):
            if terms[key]:
                policy[key] = terms[key] * factor
        if terms["calendar"]:
            policy["calendar"] = terms["calendar"].with_env(self.env)
        return policy

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        complaints = super().create(vals_list)
        complaints.filtered("contract_id")._crm_flag_billable()
        return complaints

    def write(self, vals):
        if "contract_id" not in vals:
            return super().write(vals)
        changed = self.filtered(lambda c: c.contract_id.id != vals["contract_id"])
        result = super().write(vals)
        if changed:
            changed.filtered("billable").with_context(crm_complaint_sla_system=True).write(
                {"billable": False})
            changed.filtered("contract_id")._crm_flag_billable()
            # A running case follows the service level of its new contract,
            # counted from its intake.
            running = changed.filtered(
                lambda c: c.sla_start and not (c.resolved_date or c.is_closed
                                               or c.sla_paused_since))
            for start, complaints in running.grouped("sla_start").items():
                complaints._crm_set_sla_deadlines(start=start)
        return result

    def _crm_flag_billable(self):
        """Flag the cases of ``self`` that go beyond their contract's included
        cases, in charging order: the contract's count (one query for all
        contracts) minus this batch is what was used before it."""
        cases = self.filtered_domain(self._crm_case_domain())
        if not cases:
            return
        contracts = cases.contract_id.sudo()
        counts = contracts._crm_count_cases()
        billable = self.browse()
        for contract, complaints in cases.grouped("contract_id").items():
            included = contract.sudo().included_cases
            if not included:
                continue
            used_before = counts.get(contract.id, 0) - len(complaints)
            for rank, complaint in enumerate(complaints.sorted("id"), start=1):
                if used_before + rank > included:
                    billable |= complaint
        if not billable:
            return
        billable.with_context(crm_complaint_sla_system=True).write({"billable": True})
        for complaint in billable:
            complaint.message_post(body=self.env._(
                "The included cases of contract %(contract)s are used up: this case is "
                "billable.", contract=complaint.contract_id.sudo().name,
            ), subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _prepare_visit_vals(self):
        self.ensure_one()
        return {
            "complaint_id": self.id,
            "contract_id": self.contract_id.id,
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "user_id": (self.user_id or self.env.user).id,
            "product_ids": [Command.set(self.product_id.ids)],
        }

    def action_crm_create_visit(self):
        """Send a technician: open a new visit on the complaint's contract
        (charged to it when done), for the complaint's product and serial, for
        the user to choose its date and technician before saving it."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(self.env._("Set the customer of the complaint before planning a visit."))
        if self.is_closed:
            raise UserError(self.env._(
                "%(complaint)s is closed: reopen it before planning a visit.",
                complaint=self.display_name,
            ))
        # The contract must still cover the service: said now, not at saving.
        self.contract_id._crm_check_consumable()
        context = {f"default_{fname}": value
                   for fname, value in self._prepare_visit_vals().items()}
        context["default_product_ids"] = self.product_id.ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan a Visit for %(complaint)s", complaint=self.display_name),
            "res_model": "crm.service.visit",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_crm_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_service_visit_action")
        action["domain"] = [("complaint_id", "=", self.id)]
        action["context"] = {"default_complaint_id": self.id,
                             "default_contract_id": self.contract_id.id}
        return action

    def action_crm_view_contract(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.service.contract",
            "res_id": self.contract_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }


class CrmServiceContract(models.Model):
    _inherit = "crm.service.contract"

    complaint_count = fields.Integer(compute="_compute_complaint_count")

    def _compute_complaint_count(self):
        # All feedback charged to the contract; the entitlement counts only cases.
        rows = self.env["crm.complaint"].sudo()._read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
        )
        counts = {contract.id: count for contract, count in rows}
        for contract in self:
            contract.complaint_count = counts.get(contract.id, 0)

    def _crm_count_cases(self):
        """Cases charged to the contracts in ONE query: complaints and inquiries
        (``CASE_TYPES``), archived and cancelled ones excluded. sudo: the
        consumption is the contract's, whoever reads it."""
        counts = super()._crm_count_cases()
        Complaint = self.env["crm.complaint"].sudo()
        rows = Complaint._read_group(
            Domain("contract_id", "in", self.ids) & Complaint._crm_case_domain(),
            ["contract_id"], ["__count"],
        )
        for contract, count in rows:
            counts[contract.id] = counts.get(contract.id, 0) + count
        return counts

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_complaint_action")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_contract_id": self.id,
                             "default_partner_id": self.partner_id.id}
        return action


class CrmServiceVisit(models.Model):
    _inherit = "crm.service.visit"

    complaint_id = fields.Many2one(
        "crm.complaint", index="btree_not_null", copy=False,
        check_company=True, tracking=True,
        help="The complaint this visit was raised from.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        for visit in visits.filtered("complaint_id"):
            complaint = visit.complaint_id
            if complaint.lot_id and not visit.lot_ids:
                # The complaint desk may lack inventory rights to link serials
                # itself; the serial is the complaint's, already visible on it.
                visit.sudo().lot_ids = complaint.lot_id
            complaint.message_post(body=self.env._(
                "Visit %(visit)s planned.", visit=visit._get_html_link(title=visit.name),
            ), subtype_xmlid="mail.mt_note")
        return visits

    def action_crm_view_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.complaint",
            "res_id": self.complaint_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
