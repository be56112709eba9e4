from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.crm_extended.tools import api_validation as check

# Ten years: beyond that an activity deadline is a typo.
MAX_DEADLINE_DAYS = 3650


class CrmCustomerSegmentActivity(models.TransientModel):
    """Plans one activity per customer of a segment ("call every at-risk A
    customer"), for the person who looks after the customer."""

    _name = "crm.customer.segment.activity"
    _description = "Schedule Activities for a Customer Segment"

    segment_id = fields.Many2one("crm.customer.segment", required=True,
                                 readonly=True, ondelete="cascade")
    activity_type_id = fields.Many2one(
        "mail.activity.type", required=True,
        domain="[('res_model', 'in', (False, 'res.partner'))]",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
    )
    summary = fields.Char()
    note = fields.Html(sanitize_style=True)
    deadline_days = fields.Integer(
        string="Due In (days)", default=3,
        help="The activities are due this many days from today.")
    fallback_user_id = fields.Many2one(
        "res.users", string="Otherwise Assign To", required=True,
        domain="[('share', '=', False)]", default=lambda self: self.env.user,
        help="For customers with neither an account manager nor a salesperson.")
    customer_count = fields.Integer(related="segment_id.customer_count")

    def action_schedule(self):
        self.ensure_one()
        result = self._crm_schedule()
        message = self.env._(
            "%(created)s activities scheduled, %(skipped)s customers skipped (they already "
            "have an open activity of this type).",
            created=result["created"], skipped=result["skipped"])
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

    def _crm_schedule(self):
        """Create the activities with one ``create``; returns {"created": n,
        "skipped": n, "activities": mail.activity}."""
        self.ensure_one()
        if self.deadline_days < 0:
            raise UserError(self.env._("The activities cannot be due in the past."))
        check.integer(self.env, self.deadline_days,
                      self._fields["deadline_days"]._description_string(self.env),
                      maximum=MAX_DEADLINE_DAYS)
        segment = self.segment_id
        segment._crm_check_current_company()
        Partner = segment._crm_segment_partners()
        partners = Partner.search_fetch(
            segment._crm_segment_domain(), ["crm_account_manager_id", "user_id"])
        # Customers that already have an open activity of this type: a re-run
        # (or a second campaign the same week) adds nothing twice.
        Activity = self.env["mail.activity"]
        # sudo: an open activity assigned to anyone counts, even one this user
        # may not read; only the customer ids come out.
        busy = {
            res_id for [res_id] in Activity.sudo()._read_group(
                [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids),
                 ("activity_type_id", "=", self.activity_type_id.id)],
                ["res_id"],
            )
        }
        # Archived users cannot work on anything: read once for all assignees.
        (partners.crm_account_manager_id | partners.user_id).fetch(["active"])
        model_id = self.env["ir.model"]._get_id("res.partner")
        deadline = fields.Date.context_today(self) + timedelta(days=self.deadline_days)
        vals_list = []
        for partner in partners:
            if partner.id in busy:
                continue
            vals_list.append({
                "res_model_id": model_id,
                "res_id": partner.id,
                "activity_type_id": self.activity_type_id.id,
                "summary": self.summary,
                "note": self.note,
                "date_deadline": deadline,
                "user_id": self._crm_assignee(partner).id,
            })
        # mail.activity stores the document name, read record by record: in
        # the cache already, it costs no query per customer.
        partners.mapped("display_name")
        # quick_update: no e-mail per activity to the assignees, the activities
        # show in their activity menu.
        activities = Activity.with_context(mail_activity_quick_update=True).create(vals_list)
        return {"created": len(activities), "skipped": len(partners) - len(activities),
                "activities": activities}

    def _crm_assignee(self, partner):
        for user in (partner.crm_account_manager_id, partner.user_id):
            if user and user.active:
                return user
        return self.fallback_user_id
