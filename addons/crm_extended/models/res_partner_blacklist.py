from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

BLACKLIST_FIELDS = (
    "crm_commercial_blacklist",
    "crm_blacklist_reason",
    "crm_blacklist_date",
    "crm_blacklist_user_id",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Not mail's is_blacklisted (an e-mail opt-out): this blocks new business.
    crm_commercial_blacklist = fields.Boolean(
        string="Commercial Blacklist",
        copy=False,
        tracking=True,
        help="Blocks confirming sale orders and creating opportunities for this "
        "customer. Only CRM managers set or lift it.",
        groups="base.group_user",
    )
    crm_blacklist_reason = fields.Text(
        string="Blacklist Reason", copy=False, groups="base.group_user"
    )
    crm_blacklist_date = fields.Datetime(
        string="Blacklisted On", copy=False, readonly=True, groups="base.group_user"
    )
    crm_blacklist_user_id = fields.Many2one(
        "res.users", string="Blacklisted By", copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_is_blacklisted_customer = fields.Boolean(
        string="Customer Blacklisted",
        compute="_compute_crm_is_blacklisted_customer",
        search="_search_crm_is_blacklisted_customer",
        help="The commercial partner of this contact is on the commercial blacklist.",
        groups="base.group_user",
    )

    @api.depends("commercial_partner_id.crm_commercial_blacklist")
    def _compute_crm_is_blacklisted_customer(self):
        for partner in self:
            partner.crm_is_blacklisted_customer = (
                partner.commercial_partner_id.crm_commercial_blacklist
            )

    def _search_crm_is_blacklisted_customer(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        return [("commercial_partner_id.crm_commercial_blacklist", operator, value)]

    @api.constrains("crm_key_account", "crm_account_manager_id")
    def _check_crm_key_account_manager(self):
        # A key account is served by a named account manager (see DOMAIN.md).
        for partner in self:
            if partner.crm_key_account == "key" and not partner.crm_account_manager_id:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is a key account: assign an account manager.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("crm_commercial_blacklist", "parent_id", "is_company")
    def _check_crm_blacklist_on_commercial_entity(self):
        # Enforcement looks at the commercial entity only: a flag on a contact
        # would look like a block and block nothing.
        for partner in self:
            if partner.crm_commercial_blacklist and partner.commercial_partner_id != partner:
                raise ValidationError(
                    self.env._(
                        "Put the company %(company)s on the commercial blacklist, not its "
                        "contact %(contact)s.",
                        company=partner.commercial_partner_id.display_name,
                        contact=partner.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get(name) for vals in vals_list for name in BLACKLIST_FIELDS):
            self._crm_check_blacklist_rights()
            for vals in vals_list:
                if vals.get("crm_commercial_blacklist"):
                    vals.setdefault("crm_blacklist_date", fields.Datetime.now())
                    vals.setdefault("crm_blacklist_user_id", self.env.user.id)
        return super().create(vals_list)

    def write(self, vals):
        if any(name in vals for name in BLACKLIST_FIELDS):
            self._crm_check_blacklist_rights()
            # Direct writes (RPC, import) keep the same trail as the wizard.
            if vals.get("crm_commercial_blacklist"):
                vals.setdefault("crm_blacklist_date", fields.Datetime.now())
                vals.setdefault("crm_blacklist_user_id", self.env.user.id)
            elif "crm_commercial_blacklist" in vals:
                vals.update(
                    crm_blacklist_reason=False, crm_blacklist_date=False, crm_blacklist_user_id=False
                )
        return super().write(vals)

    def _crm_check_blacklist_rights(self):
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(
                self.env._("Only CRM managers may put a customer on the commercial "
                           "blacklist or lift it.")
            )

    def _crm_check_not_blacklisted(self, action):
        """Raise a clear error when one of these partners' commercial entity is on
        the commercial blacklist. ``action`` says what was refused."""
        blocked = self.commercial_partner_id.filtered("crm_commercial_blacklist")
        if blocked:
            customer = blocked[0]
            raise UserError(
                self.env._(
                    "%(customer)s is on the commercial blacklist (%(reason)s): you cannot "
                    "%(action)s. Ask a CRM manager to lift the blacklist first.",
                    customer=customer.display_name,
                    reason=customer.crm_blacklist_reason or self.env._("no reason given"),
                    action=action,
                )
            )

    def action_crm_open_blacklist_wizard(self):
        """Open the blacklist wizard on the commercial entity of this contact,
        ready to lift the blacklist when it is set and to set it otherwise."""
        self.ensure_one()
        self._crm_check_blacklist_rights()
        customer = self.commercial_partner_id
        action = "lift" if customer.crm_commercial_blacklist else "set"
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lift Commercial Blacklist")
            if action == "lift"
            else self.env._("Commercial Blacklist"),
            "res_model": "crm.blacklist.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": customer.id, "default_action": action},
        }
