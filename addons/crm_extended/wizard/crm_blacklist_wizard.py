from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmBlacklistWizard(models.TransientModel):
    _name = "crm.blacklist.wizard"
    _description = "Set or Lift the Commercial Blacklist"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    commercial_partner_id = fields.Many2one(
        "res.partner",
        string="Commercial Entity",
        related="partner_id.commercial_partner_id",
        help="The blacklist applies to the company, never to one of its contacts.",
    )
    action = fields.Selection(
        [("set", "Blacklist"), ("lift", "Lift Blacklist")], required=True, default="set"
    )
    reason = fields.Text(required=True)
    current_reason = fields.Text(
        string="Current Blacklist Reason",
        related="partner_id.commercial_partner_id.crm_blacklist_reason",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The ACL already limits the wizard to managers; say it clearly.
        self.env["res.partner"]._crm_check_blacklist_rights()
        return super().create(vals_list)

    def action_apply(self):
        self.ensure_one()
        self.env["res.partner"]._crm_check_blacklist_rights()
        customer = self.partner_id.commercial_partner_id
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give a reason."))
        if self.action == "set":
            self._set_blacklist(customer, reason)
        else:
            self._lift_blacklist(customer, reason)
        return {"type": "ir.actions.act_window_close"}

    def _set_blacklist(self, customer, reason):
        if customer.crm_commercial_blacklist:
            raise UserError(
                self.env._(
                    "%(customer)s is already on the commercial blacklist since %(date)s "
                    "(%(reason)s).",
                    customer=customer.display_name,
                    date=fields.Datetime.to_string(customer.crm_blacklist_date) or "-",
                    reason=customer.crm_blacklist_reason or self.env._("no reason given"),
                )
            )
        customer.write({
            "crm_commercial_blacklist": True,
            "crm_blacklist_reason": reason,
            "crm_blacklist_date": fields.Datetime.now(),
            "crm_blacklist_user_id": self.env.uid,
        })
        customer.message_post(
            body=self.env._(
                "Put on the commercial blacklist by %(user)s. Reason: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def _lift_blacklist(self, customer, reason):
        if not customer.crm_commercial_blacklist:
            raise UserError(
                self.env._(
                    "%(customer)s is not on the commercial blacklist: there is nothing "
                    "to lift.",
                    customer=customer.display_name,
                )
            )
        previous_reason = customer.crm_blacklist_reason or self.env._("no reason given")
        # The chatter keeps the record; the partner keeps nothing stale.
        customer.write({
            "crm_commercial_blacklist": False,
            "crm_blacklist_reason": False,
            "crm_blacklist_date": False,
            "crm_blacklist_user_id": False,
        })
        customer.message_post(
            body=self.env._(
                "Commercial blacklist lifted by %(user)s. Reason: %(reason)s "
                "(it was blacklisted for: %(previous)s)",
                user=self.env.user.name,
                reason=reason,
                previous=previous_reason,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
