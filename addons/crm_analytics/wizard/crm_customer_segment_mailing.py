from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError


class CrmCustomerSegmentMailing(models.TransientModel):
    """Puts the customers of a segment with an e-mail address on a mailing list
    of Email Marketing (``mass_mailing``), when that app is installed. This
    module does not depend on it: the list is chosen by id."""

    _name = "crm.customer.segment.mailing"
    _description = "Add a Customer Segment to a Mailing List"

    segment_id = fields.Many2one("crm.customer.segment", required=True,
                                 readonly=True, ondelete="cascade")
    mailing_list = fields.Selection(selection="_selection_mailing_list", required=True)
    customer_count = fields.Integer(related="segment_id.customer_count")

    @api.model
    def _selection_mailing_list(self):
        if "mailing.list" not in self.env:
            return []
        lists = self.env["mailing.list"].search_fetch([], ["display_name"], order="name, id")
        return [(str(mailing_list.id), mailing_list.display_name) for mailing_list in lists]

    @api.model
    def _crm_check_mailing_rights(self):
        if "mailing.list" not in self.env:
            raise UserError(self.env._("Mailing lists need the Email Marketing app: install it first."))
        if not self.env["mailing.contact"].has_access("create"):
            raise AccessError(self.env._(
                "Only Email Marketing users may add customers to a mailing list."))

    def action_add(self):
        self.ensure_one()
        result = self._crm_add_to_list()
        message = self.env._(
            "%(added)s customers added to mailing list %(list)s (%(created)s new contacts); "
            "%(already)s were on it already, %(no_email)s have no e-mail address.",
            added=result["added"], list=result["list"].display_name, created=result["created"],
            already=result["already"], no_email=result["no_email"])
        self.segment_id.message_post(body=message)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _crm_add_to_list(self):
        """Subscribe the segment's customers with an e-mail, each address once:
        an existing mailing contact with the address joins the list, the others
        are created in one ``create``. Returns the counts and the list."""
        self.ensure_one()
        self._crm_check_mailing_rights()
        mailing_list = self.env["mailing.list"].browse(int(self.mailing_list or 0)).exists()
        if not mailing_list:
            raise UserError(self.env._("Choose an existing mailing list."))
        segment = self.segment_id
        segment._crm_check_current_company()
        partners = segment._crm_segment_partners().search_fetch(
            segment._crm_segment_domain(), ["name", "email", "email_normalized", "country_id"])
        by_email = {}
        for partner in partners:
            if partner.email_normalized:
                by_email.setdefault(partner.email_normalized, partner)
        Contact = self.env["mailing.contact"]
        existing = Contact.search_fetch(
            [("email_normalized", "in", list(by_email))], ["email_normalized", "list_ids"])
        on_list = {c.email_normalized for c in existing if mailing_list in c.list_ids}
        to_link = existing.filtered(
            lambda c: c.email_normalized not in on_list)
        # An address already known as a contact joins the list; several
        # contacts with it all join (none is created).
        if to_link:
            to_link.write({"list_ids": [Command.link(mailing_list.id)]})
        known = set(existing.mapped("email_normalized"))
        new = [partner for email, partner in by_email.items() if email not in known]
        created = Contact.create([{
            "name": partner.name,
            "email": partner.email,
            "country_id": partner.country_id.id,
            "list_ids": [Command.link(mailing_list.id)],
        } for partner in new])
        return {
            "list": mailing_list,
            "added": len(by_email) - len(on_list & set(by_email)),
            "created": len(created),
            "already": len(on_list & set(by_email)),
            "no_email": len(partners) - sum(1 for p in partners if p.email_normalized),
        }
