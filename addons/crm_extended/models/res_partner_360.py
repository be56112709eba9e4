from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.revenue import in_company_currency

# Messages that a person wrote or an activity marked as done: the automatic
# tracking notifications ("Stage changed", "Contact created") are not an
# interaction with the customer.
INTERACTION_MESSAGE_TYPES = ("email", "comment")


class ResPartner(models.Model):
    """The 360-degree customer view: live figures about the commercial partner
    (the company a contact belongs to), read from orders, deliveries and invoices
    of the current company.

    Every counter is computed for the whole recordset at once: one ``_read_group``
    per source grouped by commercial partner, so that a list of customers costs
    the same few queries as one form. Contacts show the figures of their company.
    """

    _inherit = "res.partner"

    crm_360_currency_id = fields.Many2one(
        "res.currency", string="360 Currency", compute="_compute_crm_360_currency_id",
        groups="base.group_user",
    )
    crm_360_sale_order_count = fields.Integer(
        string="Confirmed Orders",
        compute="_compute_crm_360_sales",
        help="Confirmed sale orders of this customer and its contacts in the current company.",
        groups="base.group_user",
    )
    crm_360_sale_amount = fields.Monetary(
        string="Confirmed Revenue",
        currency_field="crm_360_currency_id",
        compute="_compute_crm_360_sales",
        help="Untaxed total of the confirmed sale orders, in the company currency.",
        groups="base.group_user",
    )
    crm_360_delivery_count = fields.Integer(
        string="Deliveries",
        compute="_compute_crm_360_delivery_count",
        help="Outgoing transfers (deliveries) to this customer and its contacts, "
        "cancelled ones excepted.",
        groups="base.group_user",
    )
    crm_360_open_invoice_count = fields.Integer(
        string="Open Invoices",
        compute="_compute_crm_360_invoices",
        help="Posted customer invoices not fully paid.",
        groups="base.group_user",
    )
    crm_360_open_invoice_amount = fields.Monetary(
        string="Open Invoices Amount",
        currency_field="crm_360_currency_id",
        compute="_compute_crm_360_invoices",
        help="Amount still due on the open invoices, in the company currency.",
        groups="base.group_user",
    )
    crm_360_overdue_invoice_count = fields.Integer(
        string="Overdue Invoices",
        compute="_compute_crm_360_invoices",
        help="Open invoices whose due date has passed.",
        groups="base.group_user",
    )
    crm_360_overdue_invoice_amount = fields.Monetary(
        string="Overdue Invoices Amount",
        currency_field="crm_360_currency_id",
        compute="_compute_crm_360_invoices",
        groups="base.group_user",
    )
    crm_360_last_interaction_date = fields.Datetime(
        string="Last Interaction",
        compute="_compute_crm_360_last_interaction",
        help="Latest of: the date of the last quotation or order (cancelled ones "
        "excepted), the last e-mail or note on the customer or one of its contacts, "
        "and the last activity marked as done on them.",
        groups="base.group_user",
    )
    crm_customer_blacklist_reason = fields.Text(
        string="Customer Blacklist Reason",
        related="commercial_partner_id.crm_blacklist_reason",
        help="Why the commercial partner of this contact is on the commercial blacklist.",
        groups="base.group_user",
    )
    crm_is_commercial_entity = fields.Boolean(
        string="Is Commercial Entity",
        compute="_compute_crm_is_commercial_entity",
        help="The classification, credit rating and blacklist are kept on the "
        "commercial entity (the company), not on its contacts.",
        groups="base.group_user",
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends_context("company")
    def _compute_crm_360_currency_id(self):
        self.crm_360_currency_id = self.env.company.currency_id

    @api.depends("commercial_partner_id")
    def _compute_crm_is_commercial_entity(self):
        for partner in self:
            partner.crm_is_commercial_entity = bool(
                partner._origin.id
                and partner.commercial_partner_id._origin.id == partner._origin.id
            )

    def _crm_360_commercial_ids(self):
        """Ids of the commercial partners of ``self`` that exist in the database."""
        return list({partner.commercial_partner_id._origin.id for partner in self} - {False})

    def _crm_360_assign(self, values_by_commercial, defaults):
        """Give every partner of ``self`` the values of its commercial partner."""
        for partner in self:
            values = values_by_commercial.get(partner.commercial_partner_id._origin.id, {})
            for fname, default in defaults.items():
                partner[fname] = values.get(fname, default)

    @api.depends_context("company", "uid")
    def _compute_crm_360_sales(self):
        defaults = {"crm_360_sale_order_count": 0, "crm_360_sale_amount": 0.0}
        commercial_ids = self._crm_360_commercial_ids()
        values = defaultdict(lambda: dict(defaults))
        if commercial_ids and self.env["sale.order"].has_access("read"):
            # Each order at its own confirmation rate (stored currency_rate), like
            # the classification: one aggregate, record rules applied by _search.
            query = self.env["sale.order"]._search([
                ("partner_id.commercial_partner_id", "in", commercial_ids),
                ("state", "=", "sale"),
                ("company_id", "=", self.env.company.id),
            ])
            customer = query.make_alias("sale_order", "crm_360_customer")
            query.add_join("JOIN", customer, "res_partner", SQL(
                "%s = %s", SQL.identifier(customer, "id"),
                SQL.identifier("sale_order", "partner_id"),
            ))
            commercial = SQL.identifier(customer, "commercial_partner_id")
            query.groupby = commercial
            rows = self.env.execute_query(query.select(
                commercial,
                SQL("COUNT(*)"),
                SQL("SUM(%s)", in_company_currency(
                    SQL.identifier("sale_order", "amount_untaxed"),
                    SQL.identifier("sale_order", "currency_rate"))),
            ))
            for commercial_id, count, amount in rows:
                values[commercial_id]["crm_360_sale_order_count"] = count
                values[commercial_id]["crm_360_sale_amount"] = self.env.company.currency_id.round(
                    float(amount or 0.0)
                )
        self._crm_360_assign(values, defaults)

    @api.depends_context("company", "uid")
    def _compute_crm_360_delivery_count(self):
        defaults = {"crm_360_delivery_count": 0}
        commercial_ids = self._crm_360_commercial_ids()
        values = {}
        if commercial_ids and self.env["stock.picking"].has_access("read"):
            rows = self.env["stock.picking"]._read_group(
                [
                    ("partner_id.commercial_partner_id", "in", commercial_ids),
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "!=", "cancel"),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id.commercial_partner_id"],
                ["__count"],
            )
            values = {
                commercial.id: {"crm_360_delivery_count": count} for commercial, count in rows
            }
        self._crm_360_assign(values, defaults)

    def _crm_360_open_invoice_domain(self, commercial_ids):
        return Domain(
            [
                ("commercial_partner_id", "in", commercial_ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("company_id", "=", self.env.company.id),
            ]
        )

    def _crm_360_overdue_invoice_domain(self, commercial_ids):
        return self._crm_360_open_invoice_domain(commercial_ids) & Domain(
            "invoice_date_due", "<", fields.Date.to_string(fields.Date.context_today(self))
        )

    @api.depends_context("company", "uid")
    def _compute_crm_360_invoices(self):
        defaults = {
            "crm_360_open_invoice_count": 0,
            "crm_360_open_invoice_amount": 0.0,
            "crm_360_overdue_invoice_count": 0,
            "crm_360_overdue_invoice_amount": 0.0,
        }
        commercial_ids = self._crm_360_commercial_ids()
        values = defaultdict(dict)
        for commercial_id, totals in (self._crm_360_invoice_totals(commercial_ids) or {}).items():
            for key, value in totals.items():
                values[commercial_id][f"crm_360_{key}"] = value
        self._crm_360_assign(values, defaults)

    @api.model
    def _crm_360_invoice_totals(self, commercial_ids):
        """``{commercial id: {"open_invoice_count", "open_invoice_amount",
        "overdue_invoice_count", "overdue_invoice_amount"}}`` of the current
        company, or None when the user may not know balances.

        The one rule for the 360 fields and the summary API: users who may read
        invoices get the totals of the invoices they may read (record rules
        apply); the integration user gets the two aggregates without reading any
        invoice (docs/SECURITY.md); anyone else (an employee without sales or
        accounting rights) gets nothing."""
        Move = self.env["account.move"]
        if not Move.has_access("read"):
            if not self.env.user.has_group("crm_extended.group_crm_extended_integration"):
                return None
            # sudo: the integration user's documented right to the open balance
            # of customers it can read (commercial_ids), as two aggregates.
            Move = Move.sudo()
        totals = {}
        if not commercial_ids:
            return totals
        for prefix, domain in (
            ("open", self._crm_360_open_invoice_domain(commercial_ids)),
            ("overdue", self._crm_360_overdue_invoice_domain(commercial_ids)),
        ):
            # amount_residual_signed is in the company currency.
            for commercial, count, amount in Move._read_group(
                domain, ["commercial_partner_id"], ["__count", "amount_residual_signed:sum"]
            ):
                totals.setdefault(commercial.id, {}).update({
                    f"{prefix}_invoice_count": count,
                    f"{prefix}_invoice_amount": amount,
                })
        return totals

    @api.depends_context("company", "uid")
    def _compute_crm_360_last_interaction(self):
        defaults = {"crm_360_last_interaction_date": False}
        commercial_ids = self._crm_360_commercial_ids()
        last_dates = defaultdict(list)
        if commercial_ids:
            if self.env["sale.order"].has_access("read"):
                rows = self.env["sale.order"]._read_group(
                    [
                        ("partner_id.commercial_partner_id", "in", commercial_ids),
                        ("state", "!=", "cancel"),
                        ("company_id", "=", self.env.company.id),
                    ],
                    ["partner_id.commercial_partner_id"],
                    ["date_order:max"],
                )
                for commercial, date_order in rows:
                    last_dates[commercial.id].append(date_order)
            # The customer and all its contacts, archived ones included.
            contacts = self.with_context(active_test=False).search_fetch(
                [("commercial_partner_id", "in", commercial_ids)], ["commercial_partner_id"]
            )
            commercial_of = {contact.id: contact.commercial_partner_id.id for contact in contacts}
            # sudo: the messages of partners the user can read (self) are
            # readable by them; mail.message's per-document access filter is
            # not set-based and would only re-check that.
            rows = (
                self.env["mail.message"]
                .sudo()
                ._read_group(
                    Domain("model", "=", "res.partner")
                    & Domain("res_id", "in", list(commercial_of))
                    & (
                        Domain("message_type", "in", INTERACTION_MESSAGE_TYPES)
                        | Domain("mail_activity_type_id", "!=", False)
                    ),
                    ["res_id"],
                    ["date:max"],
                )
            )
            for res_id, date in rows:
                last_dates[commercial_of[res_id]].append(date)
        values = {
            commercial_id: {
                "crm_360_last_interaction_date": max(filter(None, dates), default=False)
            }
            for commercial_id, dates in last_dates.items()
        }
        self._crm_360_assign(values, defaults)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def _crm_360_action(self, xml_id, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(xml_id)
        action["domain"] = domain
        action["context"] = dict(context or {})
        action["display_name"] = self.env._(
            "%(what)s: %(customer)s",
            what=action.get("name"),
            customer=self.commercial_partner_id.display_name,
        )
        return action

    def action_crm_360_view_orders(self):
        """The confirmed orders counted by the Customer 360 view."""
        return self._crm_360_action(
            "sale.action_orders",
            [
                ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
                ("state", "=", "sale"),
                ("company_id", "=", self.env.company.id),
            ],
            {"default_partner_id": self.id},
        )

    def action_crm_360_view_deliveries(self):
        return self._crm_360_action(
            "stock.action_picking_tree_all",
            [
                ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
                ("picking_type_code", "=", "outgoing"),
                ("state", "!=", "cancel"),
                ("company_id", "=", self.env.company.id),
            ],
            {"contact_display": "partner_address", "create": False},
        )

    def action_crm_360_view_open_invoices(self):
        return self._crm_360_action(
            "account.action_move_out_invoice_type",
            list(self._crm_360_open_invoice_domain(self.commercial_partner_id.ids)),
            {"default_move_type": "out_invoice", "create": False},
        )

    def action_crm_360_view_overdue_invoices(self):
        return self._crm_360_action(
            "account.action_move_out_invoice_type",
            list(self._crm_360_overdue_invoice_domain(self.commercial_partner_id.ids)),
            {"default_move_type": "out_invoice", "create": False},
        )
