from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("expiring", "Expiring Soon"),
    ("expired", "Expired"),
    ("renewed", "Renewed"),
    ("cancelled", "Cancelled"),
]
# States in which a contract covers its customer (within its dates).
COVERING_STATES = ("active", "expiring", "renewed")
ENTITLEMENTS = ("cases", "visits", "hours")
# Renewal reminders and planned visits made per run of the scheduled action.
REMINDER_BATCH = 200
VISIT_BATCH = 1000


class CrmServiceContract(models.Model):
    """An after-sales promise: what is covered (lines), with which service level,
    until when, and how much of the included service has been used.

    Consumption is counted in one place, ``_crm_compute_consumption``: visits
    charged to the contract, plus the cases returned by ``_crm_count_cases``
    (the complaint workflow extends that hook)."""

    _name = "crm.service.contract"
    _description = "Service Contract"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, tracking=True,
        domain="[('is_company', '=', True)]", check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Account Manager", index=True, tracking=True,
        default=lambda self: self.env.user, domain="[('share', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_start = fields.Date(
        string="Start Date", required=True, tracking=True,
        default=fields.Date.context_today,
    )
    date_end = fields.Date(
        string="End Date", required=True, tracking=True,
        default=lambda self: fields.Date.context_today(self) + relativedelta(years=1, days=-1),
    )
    state = fields.Selection(
        CONTRACT_STATES, default="draft", required=True, tracking=True, index=True, copy=False
    )
    line_ids = fields.One2many(
        "crm.service.contract.line", "contract_id", string="Covered Products", copy=True
    )
    note = fields.Html(string="Terms")
    # Fee, sold through Odoo's sales flow
    fee_product_id = fields.Many2one(
        "product.product", string="Contract Product", check_company=True,
        domain="[('type', '=', 'service'), ('sale_ok', '=', True)]",
        help="Service product invoiced for this contract.",
    )
    fee_amount = fields.Monetary(string="Contract Fee", currency_field="currency_id")
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", copy=False, index="btree_not_null",
        check_company=True, tracking=True,
    )
    previous_contract_id = fields.Many2one(
        "crm.service.contract", string="Renewal Of", copy=False, index="btree_not_null",
        readonly=True,
    )
    renewal_ids = fields.One2many("crm.service.contract", "previous_contract_id")
    next_contract_id = fields.Many2one(
        "crm.service.contract", string="Renewed By", compute="_compute_next_contract_id"
    )
    # Service level
    first_response_hours = fields.Float(
        string="First Response Time (hours)", compute="_compute_service_level",
        store=True, readonly=False, precompute=True,
    )
    resolution_hours = fields.Float(
        string="Resolution Time (hours)", compute="_compute_service_level",
        store=True, readonly=False, precompute=True,
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar", string="Coverage Hours", check_company=True,
        compute="_compute_service_level", store=True, readonly=False, precompute=True,
        help="Working time in which the response and resolution times run, "
        "e.g. 5x8 office hours or 7x24.",
    )
    # Entitlements over the contract term; 0 means not limited.
    included_cases = fields.Integer()
    included_visits = fields.Integer()
    included_hours = fields.Float()
    used_cases = fields.Integer(compute="_compute_consumption")
    used_visits = fields.Integer(compute="_compute_consumption")
    used_hours = fields.Float(compute="_compute_consumption")
    remaining_cases = fields.Integer(compute="_compute_consumption")
    remaining_visits = fields.Integer(compute="_compute_consumption")
    remaining_hours = fields.Float(compute="_compute_consumption")
    entitlement_exhausted = fields.Boolean(
        compute="_compute_consumption",
        help="An included entitlement is used up: further cases or visits are billable.",
    )
    # Maintenance visits
    visit_interval_months = fields.Integer(
        string="Visit Every (months)",
        help="Planned maintenance visits are generated at this interval; 0 for none.",
    )
    visit_ids = fields.One2many("crm.service.visit", "contract_id", string="Visits")
    visit_count = fields.Integer(compute="_compute_visit_count")
    date_reminder_sent = fields.Date(string="Renewal Reminder Sent", copy=False, readonly=True)

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("renewal_ids")
    def _compute_next_contract_id(self):
        for contract in self:
            contract.next_contract_id = contract.renewal_ids[:1]

    @api.depends("partner_id", "company_id")
    def _compute_service_level(self):
        for company, contracts in self.grouped("company_id").items():
            default_calendar = company.resource_calendar_id
            for contract in contracts.with_company(company):
                tier = contract.partner_id.commercial_partner_id.crm_tier_id
                contract.first_response_hours = tier.first_response_hours
                contract.resolution_hours = tier.resolution_hours
                contract.resource_calendar_id = default_calendar

    @api.depends("included_cases", "included_visits", "included_hours")
    def _compute_consumption(self):
        consumption = self._crm_compute_consumption()
        for contract in self:
            used = consumption.get(contract.id, {})
            exhausted = False
            for kind in ENTITLEMENTS:
                included = contract[f"included_{kind}"]
                value = used.get(kind, 0)
                contract[f"used_{kind}"] = value
                contract[f"remaining_{kind}"] = max(included - value, 0) if included else 0
                exhausted = exhausted or bool(included and value >= included)
            contract.entitlement_exhausted = exhausted

    def _compute_visit_count(self):
        rows = self.env["crm.service.visit"]._read_group(
            [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
        )
        counts = {contract.id: count for contract, count in rows}
        for contract in self:
            contract.visit_count = counts.get(contract.id, 0)

    # ------------------------------------------------------------
    # HOOKS: service level and consumption (complaints extend these)
    # ------------------------------------------------------------

    def _crm_get_sla_policy(self):
        """The service level a case against this contract follows."""
        self.ensure_one()
        return {
            "first_response_hours": self.first_response_hours,
            "resolution_hours": self.resolution_hours,
            "calendar": self.resource_calendar_id,
        }

    def _crm_count_cases(self):
        """{contract_id: number of cases charged to it}. Complaints extend this."""
        return {}

    def _crm_compute_consumption(self):
        """{contract_id: {"cases": n, "visits": n, "hours": h}} in a few queries for
        the whole recordset: done visits charged to the contract (count and
        duration) plus the cases counted by ``_crm_count_cases``."""
        ids = [cid for cid in self.ids if cid]
        if not ids:
            return {}
        result = {cid: {"cases": 0, "visits": 0, "hours": 0.0} for cid in ids}
        rows = self.env["crm.service.visit"].sudo()._read_group(
            [("contract_id", "in", ids), ("state", "=", "done")],
            ["contract_id"], ["__count", "duration:sum"],
        )
        for contract, count, hours in rows:
            result[contract.id]["visits"] = count
            result[contract.id]["hours"] = hours or 0.0
        for contract_id, count in self.browse(ids)._crm_count_cases().items():
            if contract_id in result:
                result[contract_id]["cases"] += count
        return result

    def _crm_check_consumable(self, date=None):
        """Refuse charging service to a contract that does not cover ``date``."""
        date = date or fields.Date.context_today(self)
        for contract in self:
            if contract.state not in COVERING_STATES:
                raise ValidationError(self.env._(
                    "Contract %(contract)s is %(state)s: nothing can be charged to it.",
                    contract=contract.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        contract.state],
                ))
            if not contract.date_start <= date <= contract.date_end:
                raise ValidationError(self.env._(
                    "Contract %(contract)s covers %(start)s to %(end)s, not %(date)s.",
                    contract=contract.name, start=contract.date_start,
                    end=contract.date_end, date=date,
                ))

    @api.model
    def _crm_covering_domain(self, partner, date=None):
        """The contracts of ``partner`` (its commercial entity) in force on
        ``date`` (today by default)."""
        date = date or fields.Date.context_today(self)
        return Domain([
            ("partner_id", "=", partner.commercial_partner_id.id),
            ("state", "in", COVERING_STATES),
            ("date_start", "<=", date),
            ("date_end", ">=", date),
        ])

    @api.model
    def _crm_get_covering_contracts(self, partner, product=None, lot=None, date=None):
        """Contracts covering ``partner`` (its commercial entity) on ``date``,
        for ``product``/``lot`` when given; most specific first (serial, then
        product, then contracts without lines)."""
        contracts = self.search(self._crm_covering_domain(partner, date))
        if lot:
            by_lot = contracts.filtered(lambda c: lot in c.line_ids.lot_id)
            if by_lot:
                return by_lot
        if product:
            by_product = contracts.filtered(lambda c: product in c.line_ids.product_id)
            if by_product:
                return by_product
        return contracts.filtered(lambda c: not c.line_ids)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end < contract.date_start:
                raise ValidationError(self.env._(
                    "Contract %(contract)s ends (%(end)s) before it starts (%(start)s).",
                    contract=contract.name, end=contract.date_end, start=contract.date_start,
                ))

    @api.constrains("included_cases", "included_visits", "included_hours",
                    "first_response_hours", "resolution_hours", "visit_interval_months",
                    "fee_amount")
    def _check_entitlements(self):
        for contract in self:
            if min(contract.included_cases, contract.included_visits, contract.included_hours,
                   contract.first_response_hours, contract.resolution_hours,
                   contract.visit_interval_months) < 0:
                raise ValidationError(self.env._(
                    "Contract %(contract)s: entitlements, service times and the visit "
                    "interval cannot be negative.", contract=contract.name,
                ))
            if contract.fee_amount < 0:
                raise ValidationError(self.env._(
                    "Contract %(contract)s: the fee cannot be negative.", contract=contract.name
                ))

    @api.constrains("state", "date_start", "date_end", "line_ids")
    def _check_serial_overlap(self):
        self.env["crm.service.contract.line"].flush_model()
        self.flush_model(["state", "date_start", "date_end"])
        # One query: a serial covered by two live contracts whose terms overlap.
        self.env.cr.execute(SQL(
            """
            SELECT c1.name, c2.name, lot.name
              FROM crm_service_contract_line l1
              JOIN crm_service_contract c1 ON c1.id = l1.contract_id
              JOIN crm_service_contract_line l2
                ON l2.lot_id = l1.lot_id AND l2.contract_id != l1.contract_id
              JOIN crm_service_contract c2 ON c2.id = l2.contract_id
              JOIN stock_lot lot ON lot.id = l1.lot_id
             WHERE l1.contract_id IN %(ids)s
               AND c1.state IN %(states)s AND c2.state IN %(states)s
               AND c1.date_start <= c2.date_end AND c2.date_start <= c1.date_end
             LIMIT 1
            """,
            ids=tuple(self.ids) or (0,), states=COVERING_STATES,
        ))
        row = self.env.cr.fetchone()
        if row:
            raise ValidationError(self.env._(
                "Serial number %(serial)s is already covered by contract %(other)s over "
                "the same period as contract %(contract)s.",
                serial=row[2], other=row[1], contract=row[0],
            ))

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id)
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "crm.service.contract") or "/"
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(contract.state not in ("draft", "cancelled") for contract in self):
            raise UserError(self.env._(
                "Only draft or cancelled contracts can be deleted; cancel it instead."))

    def _compute_access_url(self):  # pylint: disable=missing-return  # computes return nothing
        super()._compute_access_url()
        for contract in self:
            contract.access_url = f"/my/contracts/{contract.id}"

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_activate(self):
        if any(contract.state != "draft" for contract in self):
            raise UserError(self.env._("Only draft contracts can be activated."))
        self.write({"state": "active"})
        self._crm_update_expiry_states()
        self._crm_generate_visits()
        return True

    def action_cancel(self):
        if any(contract.state in ("renewed", "expired") for contract in self):
            raise UserError(self.env._("Expired or renewed contracts cannot be cancelled."))
        self.write({"state": "cancelled"})
        self.visit_ids.filtered(lambda v: v.state == "planned").write({"state": "cancelled"})
        return True

    def action_draft(self):
        if any(contract.state != "cancelled" for contract in self):
            raise UserError(self.env._("Only cancelled contracts can be reset to draft."))
        self.write({"state": "draft"})
        return True

    def action_open_renew_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Renew Contract"),
            "res_model": "crm.service.contract.renew",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_service_visit_action")
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_contract_id": self.id}
        return action

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_create_quotation(self):
        """The contract creates the quotation that sells it; confirming the
        quotation activates the contract."""
        contracts = self.filtered(lambda c: not c.sale_order_id)
        if not contracts:
            raise UserError(self.env._(
                "These contracts already have a sales order: %(orders)s.",
                orders=", ".join(self.sale_order_id.mapped("name"))))
        for contract in contracts:
            if not contract.fee_product_id:
                raise UserError(self.env._(
                    "Set the Contract Product of %(contract)s (a service product, in the "
                    "Fee section of the contract) before creating its quotation.",
                    contract=contract.name,
                ))
        orders = self.env["sale.order"].create(
            [contract._prepare_sale_order_vals() for contract in contracts])
        for contract, order in zip(contracts, orders, strict=True):
            contract.sale_order_id = order
        if len(orders) == 1:
            return contracts.action_view_sale_order()
        return True

    def _prepare_sale_order_vals(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "user_id": self.user_id.id,
            "origin": self.name,
            "order_line": [Command.create({
                "product_id": self.fee_product_id.id,
                "product_uom_qty": 1.0,
                "price_unit": self.fee_amount,
                "name": self.env._(
                    "%(product)s: contract %(contract)s, %(start)s to %(end)s",
                    product=self.fee_product_id.display_name, contract=self.name,
                    start=self.date_start, end=self.date_end,
                ),
            })],
        }

    # ------------------------------------------------------------
    # SCHEDULED ACTION (set-based)
    # ------------------------------------------------------------

    @api.model
    def _cron_crm_service_contracts(self, today=None):
        """Daily: expire and flag expiring contracts, remind, plan visits.

        Only the contracts that change are loaded: the selections are SQL
        searches, the writes and creates are one per state and model."""
        today = today or fields.Date.context_today(self)
        # Automatic date transitions of thousands of contracts are not tracked in
        # the chatter (a tracking message costs ~10 ms per record); expiring
        # contracts get their activity and reminder instead.
        Contract = self.with_context(mail_notrack=True)
        live = Domain("state", "in", ["active", "expiring"])
        Contract.search(live & Domain("date_end", "<", today)).write({"state": "expired"})
        expiring = Contract.browse()
        # pylint: disable-next=no-search-all  # every company: the cron covers them all, one at a time
        for company in self.env["res.company"].search([]):
            limit = today + relativedelta(days=company.crm_contract_reminder_days)
            expiring |= Contract.search([
                ("state", "=", "active"), ("company_id", "=", company.id),
                ("date_end", "<=", limit),
            ])
        expiring.write({"state": "expiring"})
        # Reminders render one email each and visits are full records: a bounded
        # batch per run, the rest in a run triggered right after (only a backlog,
        # e.g. at go-live, needs more than one run).
        pending = Contract.search(
            [("state", "=", "expiring"), ("date_reminder_sent", "=", False)],
            order="date_end, id", limit=REMINDER_BATCH + 1,
        )
        pending[:REMINDER_BATCH]._crm_send_renewal_reminders(today)
        _visits, more = Contract.search(
            live & Domain("visit_interval_months", ">", 0)
        )._crm_generate_visits(today, limit=VISIT_BATCH)
        if more or len(pending) > REMINDER_BATCH:
            self.env.ref("crm_extended.ir_cron_crm_service_contracts")._trigger()

    def _crm_update_expiry_states(self, today=None):
        """The same rules for a few contracts (e.g. on activation)."""
        today = today or fields.Date.context_today(self)
        live = self.filtered(lambda c: c.state in ("active", "expiring"))
        expired = live.filtered(lambda c: c.date_end < today)
        expired.write({"state": "expired"})
        expiring = (live - expired).filtered(lambda c: c.state == "active" and c.date_end <= (
            today + relativedelta(days=c.company_id.crm_contract_reminder_days)))
        expiring.write({"state": "expiring"})
        expiring._crm_send_renewal_reminders(today)

    def _crm_send_renewal_reminders(self, today):
        """One activity for the account manager and one email to the customer per
        contract, once: ``date_reminder_sent`` guards against duplicates."""
        todo = self.filtered(lambda c: not c.date_reminder_sent)
        if not todo:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        # In the language of the account manager who reads it.
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create([{
            "res_model_id": model_id,
            "res_id": contract.id,
            "activity_type_id": activity_type.id,
            "user_id": (contract.user_id or self.env.user).id,
            "date_deadline": contract.date_end,
            "summary": self.with_context(
                lang=(contract.user_id or self.env.user).lang or "en_US"
            ).env._("Renew contract %(contract)s", contract=contract.name),
        } for contract in todo])
        template = self.env.ref("crm_extended.mail_template_service_contract_reminder")
        template.sudo().send_mail_batch(todo.ids)
        todo.write({"date_reminder_sent": today})

    def _crm_generate_visits(self, today=None, limit=None):
        """Keep the next planned visit of each live contract with a visit interval:
        one query finds the contracts without a planned visit and the date of
        their next one (last done visit or start, plus the interval, never in
        the past, within the contract), one create makes them. With ``limit``,
        the earliest first; returns the visits and whether more are due."""
        today = today or fields.Date.context_today(self)
        Visit = self.env["crm.service.visit"]
        if not self:
            return Visit, False
        Visit.flush_model(["contract_id", "state", "date"])
        self.flush_model(["state", "visit_interval_months", "date_start", "date_end"])
        self.env.cr.execute(SQL(
            """
            SELECT id, next_date FROM (
                SELECT c.id, c.date_end, GREATEST(
                           (COALESCE(max(v.date) FILTER (WHERE v.state = 'done')::date,
                                     c.date_start)
                            + make_interval(months => c.visit_interval_months))::date,
                           %(today)s::date, c.date_start) AS next_date
                  FROM crm_service_contract c
                  LEFT JOIN crm_service_visit v
                    ON v.contract_id = c.id AND v.state IN ('done', 'planned')
                 WHERE c.id = ANY(%(ids)s) AND c.state IN ('active', 'expiring')
                   AND c.visit_interval_months > 0
                 GROUP BY c.id
                HAVING count(v.id) FILTER (WHERE v.state = 'planned') = 0
            ) due
             WHERE next_date <= date_end
             ORDER BY next_date, id
             LIMIT %(limit)s
            """,
            ids=list(self.ids), today=today, limit=limit + 1 if limit else None,
        ))
        rows = self.env.cr.fetchall()
        more = bool(limit and len(rows) > limit)
        rows = rows[:limit] if limit else rows
        contracts = self.browse([contract_id for contract_id, _date in rows])
        vals_list = [contract._prepare_visit_vals(next_date)
                     for contract, (_id, next_date) in zip(contracts, rows, strict=True)]
        # Planned by the system: no creation message nor follower per visit.
        visits = Visit.sudo().with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True,
        ).create(vals_list)
        return visits, more

    def _prepare_visit_vals(self, date):
        self.ensure_one()
        return {
            "contract_id": self.id,
            "date": fields.Datetime.to_datetime(date).replace(hour=9),
            "product_ids": [Command.set(self.line_ids.product_id.ids)],
            "lot_ids": [Command.set(self.line_ids.lot_id.ids)],
        }
