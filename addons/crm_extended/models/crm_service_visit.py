from odoo import api, fields, models
from odoo.exceptions import UserError

VISIT_STATES = [
    ("planned", "Planned"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]


class CrmServiceVisit(models.Model):
    """A maintenance visit, planned from a contract's frequency or raised by hand.
    A done visit charged to a contract consumes its visit and hour entitlement;
    beyond the entitlement it is flagged billable."""

    _name = "crm.service.visit"
    _description = "Maintenance Visit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    contract_id = fields.Many2one(
        "crm.service.contract", index=True, tracking=True,
        check_company=True, domain="[('state', 'in', ('active', 'expiring', 'renewed'))]",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True,
        compute="_compute_partner_id", store=True, readonly=False, precompute=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        compute="_compute_partner_id", store=True, readonly=False, precompute=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", string="Technician", index=True, tracking=True,
        domain="[('share', '=', False)]",
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, tracking=True, index=True)
    duration = fields.Float(string="Duration (hours)", default=1.0)
    date_stop = fields.Datetime(compute="_compute_date_stop")
    state = fields.Selection(VISIT_STATES, default="planned", required=True, tracking=True)
    product_ids = fields.Many2many("product.product", string="Products", check_company=True)
    lot_ids = fields.Many2many("stock.lot", string="Serial Numbers", check_company=True)
    lot_names = fields.Char(
        string="Serials", compute="_compute_lot_names",
        help="The serial numbers, for those who may not open inventory records.",
    )
    # Internal working data: not readable by portal users.
    checklist = fields.Html(groups="base.group_user")
    report = fields.Html(string="Visit Report", groups="base.group_user")
    part_ids = fields.One2many(
        "crm.service.visit.part", "visit_id", string="Parts Used", groups="base.group_user")
    cost = fields.Monetary(
        compute="_compute_cost", store=True, currency_field="currency_id",
        help="Parts used, at their unit price.", groups="base.group_user",
    )
    billable = fields.Boolean(
        readonly=True, copy=False, groups="base.group_user",
        help="Done after the contract's included visits or hours were used up: "
        "invoice it to the customer.",
    )
    confirmed_by = fields.Char(copy=False)
    signature = fields.Image(string="Customer Signature", max_width=1024, max_height=1024,
                             copy=False)
    date_confirmed = fields.Datetime(string="Confirmed On", readonly=True, copy=False)

    @api.depends("contract_id")
    def _compute_partner_id(self):
        for visit in self:
            if visit.contract_id:
                visit.partner_id = visit.contract_id.partner_id
                visit.company_id = visit.contract_id.company_id
            elif not visit.company_id:
                visit.company_id = self.env.company

    @api.depends("lot_ids")
    def _compute_lot_names(self):
        # sudo: the serials of a visit are shown to whoever sees the visit.
        for visit in self:
            visit.lot_names = ", ".join(visit.sudo().lot_ids.mapped("name"))

    @api.depends("date", "duration")
    def _compute_date_stop(self):
        for visit in self:
            visit.date_stop = visit.date and fields.Datetime.add(
                visit.date, minutes=round((visit.duration or 0.0) * 60))

    @api.depends("part_ids.subtotal")
    def _compute_cost(self):
        for visit in self:
            visit.cost = sum(visit.part_ids.mapped("subtotal"))

    @api.constrains("contract_id", "date", "state")
    def _check_contract_covers(self):
        for visit in self.filtered(lambda v: v.contract_id and v.state != "cancelled"):
            visit.contract_id._crm_check_consumable(
                fields.Date.context_today(visit, visit.date))

    @api.constrains("duration")
    def _check_duration(self):
        if any(visit.duration < 0 for visit in self):
            raise UserError(self.env._("A visit cannot last a negative time."))

    @api.model_create_multi
    def create(self, vals_list):
        self._crm_check_contract_access(vals_list)
        todo = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        if todo:
            # One look-up of the sequence for the batch, then one number each.
            sequence = self.env["ir.sequence"].sudo().search(
                [("code", "=", "crm.service.visit"),
                 ("company_id", "in", [self.env.company.id, False])],
                order="company_id", limit=1,
            )
            for vals in todo:
                vals["name"] = sequence._next() if sequence else "/"
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("contract_id"):
            self._crm_check_contract_access([vals])
        return super().write(vals)

    @api.model
    def _crm_check_contract_access(self, vals_list):
        """A visit is charged only to a contract the user may already read. The
        contract rule lets the technician of one of its visits read it: without
        this check, planning a visit on a colleague's contract would open it."""
        if self.env.su:
            return
        contract_ids = set()
        for vals in vals_list:
            if not vals.get("contract_id"):
                continue
            complaint_id = vals.get("complaint_id")
            if complaint_id:
                # Raised from a complaint the user handles (may change), on the
                # contract that complaint is charged to: the complaint desk
                # sends a technician without reading the contract first.
                complaint = self.env["crm.complaint"].browse(complaint_id)
                complaint.check_access("write")
                if complaint.sudo().contract_id.id == vals["contract_id"]:
                    continue
            contract_ids.add(vals["contract_id"])
        if contract_ids:
            self.env["crm.service.contract"].browse(contract_ids).check_access("read")

    def action_done(self):
        """Mark visits done; those beyond the contract's entitlement become billable."""
        if any(visit.state != "planned" for visit in self):
            raise UserError(self.env._("Only planned visits can be marked done."))
        self.write({"state": "done"})
        contracts = self.contract_id
        consumption = contracts._crm_compute_consumption()
        billable = self.browse()
        for visit in self.filtered("contract_id"):
            contract = visit.contract_id
            used = consumption.get(contract.id, {})
            if (contract.included_visits and used.get("visits", 0) > contract.included_visits) or (
                contract.included_hours and used.get("hours", 0.0) > contract.included_hours
            ):
                billable |= visit
        if billable:
            billable.write({"billable": True})
            for visit in billable:
                visit.message_post(body=self.env._(
                    "The entitlement of contract %(contract)s is used up: this visit is "
                    "billable.", contract=visit.contract_id.name))
        return True

    def action_confirm_customer(self):
        for visit in self:
            if visit.state != "done":
                raise UserError(self.env._("The customer confirms a visit once it is done."))
            if not visit.confirmed_by and not visit.signature:
                raise UserError(self.env._(
                    "Enter who confirmed visit %(visit)s or their signature.", visit=visit.name))
        self.write({"date_confirmed": fields.Datetime.now()})
        return True

    def action_cancel(self):
        if any(visit.state == "done" for visit in self):
            raise UserError(self.env._("A done visit cannot be cancelled."))
        self.write({"state": "cancelled"})
        return True


class CrmServiceVisitPart(models.Model):
    _name = "crm.service.visit.part"
    _description = "Part Used in a Visit"
    _check_company_auto = True

    visit_id = fields.Many2one(
        "crm.service.visit", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="visit_id.company_id", store=True)
    currency_id = fields.Many2one(related="visit_id.currency_id")
    product_id = fields.Many2one("product.product", required=True, check_company=True)
    quantity = fields.Float(default=1.0, digits="Product Unit")
    price_unit = fields.Monetary(
        string="Unit Price", currency_field="currency_id",
        compute="_compute_price_unit", store=True, readonly=False, precompute=True,
    )
    subtotal = fields.Monetary(compute="_compute_subtotal", store=True,
                               currency_field="currency_id")

    def write(self, vals):
        # A part moves only to a visit the user may change (the record rules
        # check the part before the write, not its new visit).
        if vals.get("visit_id") and not self.env.su:
            self.env["crm.service.visit"].browse(vals["visit_id"]).check_access("write")
        return super().write(vals)

    @api.depends("product_id")
    def _compute_price_unit(self):
        for part in self:
            part.price_unit = part.product_id.lst_price

    @api.depends("quantity", "price_unit")
    def _compute_subtotal(self):
        for part in self:
            part.subtotal = part.quantity * part.price_unit

    @api.constrains("quantity", "price_unit")
    def _check_quantity(self):
        if any(part.quantity < 0 or part.price_unit < 0 for part in self):
            raise UserError(self.env._("Parts used cannot have a negative quantity or price."))
