from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .crm_customer_tier import PRIORITIES

COMPLAINT_TYPES = [
    ("complaint", "Complaint"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
    ("inquiry", "Inquiry"),
]
CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("portal", "Web Portal"),
    ("in_person", "In Person"),
    ("social", "Social Media"),
    ("other", "Other"),
]
SLA_STATUSES = [
    ("on_time", "On Time"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
]
ESCALATION_LEVELS = [
    ("0", "None"),
    ("1", "Team Leader"),
    ("2", "Manager"),
]
FOLLOWUP_METHODS = [
    ("phone", "Phone Call"),
    ("visit", "Visit"),
    ("email", "Email"),
    ("other", "Other"),
]
SATISFACTION = [
    ("1", "Very Dissatisfied"),
    ("2", "Dissatisfied"),
    ("3", "Neutral"),
    ("4", "Satisfied"),
    ("5", "Very Satisfied"),
]
# Urgent complaints get a fraction of the tier's or team's time.
PRIORITY_SLA_FACTOR = {"0": 1.0, "1": 0.75, "2": 0.5, "3": 0.25}
# "At risk" when less than this share of the time window is left.
AT_RISK_SHARE = 0.25


class CrmComplaint(models.Model):
    """One customer feedback record (complaint, suggestion, praise or inquiry)
    carried from intake through resolution to the follow-up visit (回访)."""

    _name = "crm.complaint"
    _description = "Complaint and Feedback"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin", "rating.mixin"]
    _order = "priority desc, id desc"
    _rec_names_search = ["name", "code", "partner_id.name"]
    _check_company_auto = True
    _mail_post_access = "read"
    _primary_email = "email_from"

    code = fields.Char(
        string="Reference", readonly=True, copy=False, index="trigram", default="/"
    )
    name = fields.Char(string="Subject", required=True, tracking=True)
    complaint_type = fields.Selection(
        COMPLAINT_TYPES, string="Type", required=True, default="complaint", tracking=True
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Contact", index=True, tracking=True, check_company=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True,
        string="Customer",
    )
    email_from = fields.Char(
        string="Email", compute="_compute_email_from", store=True, readonly=False
    )
    tier_id = fields.Many2one(
        "crm.customer.tier", readonly=True, copy=False,
        help="The customer's tier when the complaint came in; it set the service level.",
        groups="base.group_user",
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    priority = fields.Selection(PRIORITIES, default="0", required=True, tracking=True)
    category_id = fields.Many2one(
        "crm.complaint.category", index=True, tracking=True,
        check_company=True,
    )
    description = fields.Html()
    # What the complaint is about
    sale_order_id = fields.Many2one(
        "sale.order", string="Sales Order", index="btree_not_null", check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", check_company=True,
        domain="[('order_id', '=', sale_order_id)]",
    )
    product_id = fields.Many2one(
        "product.product", index="btree_not_null",
        compute="_compute_product_id", store=True, readonly=False, check_company=True,
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial Number", check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", index="btree_not_null", check_company=True,
        domain="[('sale_id', '=', sale_order_id)]",
    )
    invoice_id = fields.Many2one(
        "account.move", index="btree_not_null", check_company=True,
        domain="[('move_type', '=', 'out_invoice'), "
        "('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    # Actions taken (linked both ways)
    supplier_id = fields.Many2one(
        "res.partner", copy=False, groups="purchase.group_purchase_user",
        help="Vendor the goods came from: found by the Supplier Claim from the purchases "
        "or the product's vendors, or chosen here when none is known.",
    )
    purchase_order_id = fields.Many2one(
        "purchase.order", copy=False, index="btree_not_null",
        groups="purchase.group_purchase_user", check_company=True,
    )
    return_picking_ids = fields.One2many(
        "stock.picking", "crm_complaint_id", string="Returns", groups="base.group_user",
    )
    credit_note_ids = fields.One2many(
        "account.move", "crm_complaint_id", string="Credit Notes", groups="base.group_user",
    )
    replacement_order_ids = fields.One2many(
        "sale.order", "crm_complaint_id", string="Replacement Quotations",
        groups="base.group_user",
    )
    return_count = fields.Integer(compute="_compute_action_counts", groups="base.group_user")
    credit_note_count = fields.Integer(compute="_compute_action_counts", groups="base.group_user")
    replacement_count = fields.Integer(compute="_compute_action_counts", groups="base.group_user")
    similar_complaint_ids = fields.Many2many(
        "crm.complaint", string="Similar Resolved Complaints",
        compute="_compute_similar_complaint_ids",
        help="Resolved complaints about the same product with the same root cause: "
        "how they were solved before.",
        groups="base.group_user",
    )
    # Routing. Every field from here to the follow-up outcome is internal
    # (groups=base.group_user): a portal customer reads their complaint through
    # the portal pages (rendered with sudo), never its team, handler,
    # deadlines, escalation, root cause or cost over RPC.
    team_id = fields.Many2one(
        "crm.complaint.team", index=True, tracking=True,
        check_company=True, default=lambda self: self._default_team_id(),
        groups="base.group_user",
    )
    user_id = fields.Many2one(
        "res.users", string="Assigned To", index=True, tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        groups="base.group_user",
    )
    stage_id = fields.Many2one(
        "crm.complaint.stage", index=True, tracking=True, copy=False,
        group_expand="_read_group_expand_stage_ids", ondelete="restrict",
        default=lambda self: self._default_stage_id(),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, index=True)
    is_resolved = fields.Boolean(related="stage_id.is_resolved")
    sla_paused = fields.Boolean(related="stage_id.sla_pause", string="Waiting on Customer")
    reopen_count = fields.Integer(readonly=True, copy=False, groups="base.group_user")
    color = fields.Integer(groups="base.group_user")
    # Service level
    sla_start = fields.Datetime(
        string="SLA Start", readonly=True, copy=False, groups="base.group_user",
    )
    first_response_deadline = fields.Datetime(copy=False, tracking=True, groups="base.group_user")
    resolution_deadline = fields.Datetime(copy=False, tracking=True, groups="base.group_user")
    escalation_deadline = fields.Datetime(
        string="Manager Escalation Deadline", copy=False,
        help="If still unresolved then, the complaint escalates to the manager.",
        groups="base.group_user",
    )
    sla_paused_since = fields.Datetime(
        string="Waiting Since", readonly=True, copy=False, groups="base.group_user",
    )
    sla_status = fields.Selection(
        SLA_STATUSES, string="SLA Status", compute="_compute_sla_status", store=True,
        index=True, copy=False,
        groups="base.group_user",
    )
    escalation_level = fields.Selection(
        ESCALATION_LEVELS, default="0", required=True, readonly=True, copy=False,
        tracking=True, index=True,
        groups="base.group_user",
    )
    escalated_date = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    # Resolution
    resolution = fields.Html(copy=False)
    root_cause_id = fields.Many2one(
        "crm.complaint.category", string="Confirmed Root Cause", copy=False,
        check_company=True,
        groups="base.group_user",
    )
    compensation_cost = fields.Monetary(
        currency_field="currency_id", copy=False, groups="base.group_user",
    )
    first_response_date = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    resolved_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)
    time_to_first_response_hours = fields.Float(
        string="Hours to First Response", compute="_compute_time_to", store=True,
        aggregator="avg", help="Working hours of the team from intake to first response.",
        groups="base.group_user",
    )
    time_to_resolution_hours = fields.Float(
        string="Hours to Resolution", compute="_compute_time_to", store=True,
        aggregator="avg", help="Working hours of the team from intake to resolution.",
        groups="base.group_user",
    )
    # Follow-up visit (回访)
    followup_date = fields.Datetime(string="Follow-up Date", copy=False, groups="base.group_user")
    followup_method = fields.Selection(
        FOLLOWUP_METHODS, string="Follow-up Method", copy=False, groups="base.group_user",
    )
    followup_outcome = fields.Text(string="Follow-up Outcome", copy=False, groups="base.group_user")
    # No aggregator: a selection is text in SQL; the complaint analysis of
    # crm_analytics averages it as a number.
    followup_satisfaction = fields.Selection(SATISFACTION, string="Satisfaction", copy=False)

    # The default views, the escalation job and the counters read the open
    # complaints: a fifth of the table, found without scanning the closed ones.
    _open_idx = models.Index(
        "(team_id, user_id) WHERE is_closed IS NOT TRUE AND active IS TRUE"
    )

    # ------------------------------------------------------------
    # DEFAULTS / GROUP EXPAND
    # ------------------------------------------------------------

    def _default_team_id(self):
        team_id = self.env.context.get("default_team_id")
        if team_id:
            return team_id
        Team = self.env["crm.complaint.team"]
        company = self.env.company
        return (
            Team.search([("member_ids", "in", self.env.uid), ("company_id", "=", company.id)],
                        limit=1)
            or Team.search([("company_id", "=", company.id)], limit=1)
        )

    def _default_stage_id(self):
        return self.env["crm.complaint.stage"].search([], limit=1)

    @api.model
    def _read_group_expand_stage_ids(self, stages, domain):
        # pylint: disable-next=no-search-all  # group_expand: every stage is a kanban column
        return stages.search([], order=stages._order)

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("partner_id")
    def _compute_email_from(self):
        for complaint in self:
            if complaint.partner_id.email:
                complaint.email_from = complaint.partner_id.email

    def _compute_action_counts(self):
        # Counts only, in one query per model; sudo so that a complaint handler
        # without stock or accounting rights still sees that something was done.
        counts = {}
        for model, fname in (("stock.picking", "return_count"),
                             ("account.move", "credit_note_count"),
                             ("sale.order", "replacement_count")):
            rows = self.env[model].sudo()._read_group(
                [("crm_complaint_id", "in", self.ids)], ["crm_complaint_id"], ["__count"]
            )
            counts[fname] = {complaint.id: count for complaint, count in rows}
        for complaint in self:
            for fname, by_complaint in counts.items():
                complaint[fname] = by_complaint.get(complaint.id, 0)

    @api.depends("category_id", "product_id")
    def _compute_similar_complaint_ids(self):
        """Shown on one form at a time; each search is bounded and indexed."""
        for complaint in self:
            if not (complaint.category_id and complaint.product_id):
                complaint.similar_complaint_ids = False
                continue
            complaint.similar_complaint_ids = self.search([
                ("id", "!=", complaint._origin.id or 0),
                ("category_id", "=", complaint.category_id.id),
                ("product_id", "=", complaint.product_id.id),
                ("resolved_date", "!=", False),
            ], order="resolved_date desc", limit=5)

    @api.depends("sale_line_id")
    def _compute_product_id(self):
        for complaint in self:
            if complaint.sale_line_id:
                complaint.product_id = complaint.sale_line_id.product_id

    @api.depends(
        "first_response_deadline", "resolution_deadline", "first_response_date",
        "resolved_date", "closed_date", "sla_paused_since", "sla_start",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for complaint in self:
            complaint.sla_status = complaint._crm_sla_status_at(now)

    def _crm_sla_status_at(self, now):
        """Status against the deadlines; the same rule as the cron's SQL."""
        self.ensure_one()
        if not self.sla_start:
            return False
        now = self.sla_paused_since or now
        response_at = self.first_response_date or self.resolved_date or self.closed_date or now
        resolved_at = self.resolved_date or self.closed_date or now
        if (self.first_response_deadline and response_at > self.first_response_deadline) or (
            self.resolution_deadline and resolved_at > self.resolution_deadline
        ):
            return "breached"
        if self.resolved_date or self.closed_date:
            return "on_time"
        deadlines = [self.resolution_deadline]
        if not self.first_response_date:
            deadlines.append(self.first_response_deadline)
        for deadline in filter(None, deadlines):
            window = (deadline - self.sla_start).total_seconds()
            if window > 0 and (deadline - now).total_seconds() < window * AT_RISK_SHARE:
                return "at_risk"
        return "on_time"

    @api.depends("sla_start", "first_response_date", "resolved_date", "team_id")
    def _compute_time_to(self):
        for complaint in self:
            calendar = complaint._crm_get_sla_policy()["calendar"]
            complaint.time_to_first_response_hours = complaint._crm_work_hours(
                calendar, complaint.sla_start, complaint.first_response_date
            )
            complaint.time_to_resolution_hours = complaint._crm_work_hours(
                calendar, complaint.sla_start, complaint.resolved_date
            )

    @api.model
    def _crm_work_hours(self, calendar, start, end):
        if not start or not end or end <= start:
            return 0.0
        if not calendar:
            return (end - start).total_seconds() / 3600
        return calendar.get_work_hours_count(
            start.replace(tzinfo=None), end.replace(tzinfo=None), compute_leaves=True
        )

    def _compute_access_url(self):  # pylint: disable=missing-return  # computes return nothing
        super()._compute_access_url()
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"

    @api.depends("code", "name")
    def _compute_display_name(self):
        for complaint in self:
            complaint.display_name = (
                f"{complaint.code} {complaint.name}"
                if complaint.code and complaint.code != "/" else complaint.name
            )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("stage_id", "team_id")
    def _check_stage_team(self):
        for complaint in self:
            stage = complaint.stage_id
            if stage.team_ids and complaint.team_id not in stage.team_ids:
                raise ValidationError(self.env._(
                    "The stage %(stage)s is not used by the team %(team)s.",
                    stage=stage.name, team=complaint.team_id.name or "-",
                ))

    @api.constrains("first_response_deadline", "resolution_deadline", "sla_start")
    def _check_deadlines(self):
        for complaint in self:
            if complaint.first_response_deadline and complaint.resolution_deadline and (
                complaint.resolution_deadline < complaint.first_response_deadline
            ):
                raise ValidationError(self.env._(
                    "%(complaint)s: the resolution deadline cannot come before the first "
                    "response deadline.", complaint=complaint.display_name,
                ))

    # ------------------------------------------------------------
    # SERVICE LEVEL POLICY
    # ------------------------------------------------------------

    def _crm_get_sla_policy(self):
        """The service level of this complaint, in ONE place so that a service
        contract (or any other module) can override it.

        Returns ``{"first_response_hours", "resolution_hours", "calendar"}``:
        hours are working hours of ``calendar`` (a resource.calendar, possibly
        empty meaning wall-clock). The customer's tier sets the hours, the team's
        defaults apply otherwise, and the priority shortens them."""
        self.ensure_one()
        team = self.team_id
        tier = self.tier_id
        first = tier.first_response_hours or team.first_response_hours
        resolution = tier.resolution_hours or team.resolution_hours
        factor = PRIORITY_SLA_FACTOR.get(self.priority or "0", 1.0)
        return {
            "first_response_hours": first * factor,
            "resolution_hours": resolution * factor,
            "escalation_hours": team.escalation_hours,
            "calendar": team.resource_calendar_id or self.company_id.resource_calendar_id,
        }

    @api.model
    def _crm_plan(self, calendar, hours, start):
        """``start`` + ``hours`` working hours of ``calendar`` (naive UTC)."""
        if not hours:
            return False
        if not calendar:
            return start + timedelta(hours=hours)
        # A naive datetime is read as UTC and the result comes back naive UTC.
        deadline = calendar.plan_hours(hours, start, compute_leaves=True)
        if not deadline:
            return False
        # Days worked until 24:00 end at 23:59:59.999999: to the nearest second.
        return (deadline + timedelta(microseconds=500000)).replace(microsecond=0)

    def _crm_set_sla_deadlines(self, start=None, only_resolution=False):
        """Deadlines from the policy, one calendar computation per distinct
        policy, one write per group."""
        start = start or fields.Datetime.now()
        groups = {}
        for complaint in self:
            policy = complaint._crm_get_sla_policy()
            key = (policy["calendar"].id, policy["first_response_hours"],
                   policy["resolution_hours"], policy["escalation_hours"])
            groups.setdefault(key, [policy, self.browse()])
            groups[key][1] |= complaint
        for policy, complaints in groups.values():
            calendar = policy["calendar"]
            resolution = self._crm_plan(calendar, policy["resolution_hours"], start)
            vals = {
                "sla_start": start,
                "resolution_deadline": resolution,
                "escalation_deadline": resolution and self._crm_plan(
                    calendar, policy["escalation_hours"], resolution
                ) if policy["escalation_hours"] else resolution,
            }
            if only_resolution:
                del vals["sla_start"]
            else:
                vals["first_response_deadline"] = self._crm_plan(
                    calendar, policy["first_response_hours"], start
                )
            complaints.with_context(crm_complaint_sla_system=True).write(vals)

    def _crm_shift_deadlines(self, now):
        """Leaving a waiting stage: move every deadline by the working time the
        complaint waited on the customer."""
        for complaint in self.filtered("sla_paused_since"):
            calendar = complaint._crm_get_sla_policy()["calendar"]
            hours = self._crm_work_hours(calendar, complaint.sla_paused_since, now)
            vals = {"sla_paused_since": False}
            if hours > 0:
                for fname in ("first_response_deadline", "resolution_deadline",
                              "escalation_deadline"):
                    deadline = complaint[fname]
                    if deadline and not (fname == "first_response_deadline"
                                         and complaint.first_response_date):
                        vals[fname] = self._crm_plan(calendar, hours, deadline)
            complaint.with_context(crm_complaint_sla_system=True).write(vals)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("code", "/") == "/":
                vals["code"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "crm.complaint"
                ) or "/"
            if vals.get("partner_id"):
                customer = Partner.browse(vals["partner_id"]).commercial_partner_id
                tier = customer.with_company(company).sudo().crm_tier_id
                if tier and "tier_id" not in vals:
                    vals["tier_id"] = tier.id
                if tier and "priority" not in vals:
                    vals["priority"] = tier.priority
        complaints = super().create(vals_list)
        complaints._crm_assign()
        complaints._crm_set_sla_deadlines()
        for complaint in complaints.filtered("partner_id"):
            if complaint.partner_id not in complaint.message_partner_ids:
                complaint.message_subscribe(partner_ids=complaint.partner_id.ids)
        complaints._crm_send_acknowledgement()
        complaints._crm_send_stage_templates()
        return complaints

    def write(self, vals):
        if not self.env.context.get("crm_complaint_sla_system"):
            self._crm_check_manual_deadlines(vals)
        now = fields.Datetime.now()
        stage = "stage_id" in vals and self.env["crm.complaint.stage"].browse(vals["stage_id"])
        if stage:
            leaving_pause = self.filtered(lambda c: c.sla_paused_since and not stage.sla_pause)
        if vals.get("user_id") and "stage_id" not in vals:
            assigned = self.env.ref("crm_extended.crm_complaint_stage_assigned",
                                    raise_if_not_found=False)
            new = self.env.ref("crm_extended.crm_complaint_stage_new", raise_if_not_found=False)
            if assigned and new:
                (self.filtered(lambda c: c.stage_id == new)).with_context(
                    crm_complaint_sla_system=True
                ).write({"stage_id": assigned.id})
        result = super().write(vals)
        if stage:
            if stage.sla_pause:
                self.filtered(lambda c: not c.sla_paused_since).with_context(
                    crm_complaint_sla_system=True
                ).write({"sla_paused_since": now})
            leaving_pause._crm_shift_deadlines(now)
            self._crm_track_stage_dates(now)
            self._crm_send_stage_templates()
        return result

    def _crm_check_manual_deadlines(self, vals):
        now = fields.Datetime.now() - timedelta(minutes=1)
        for fname in ("first_response_deadline", "resolution_deadline", "escalation_deadline"):
            if vals.get(fname) and fields.Datetime.to_datetime(vals[fname]) < now:
                raise UserError(self.env._(
                    "A deadline cannot be set in the past (%(field)s).",
                    field=self._fields[fname]._description_string(self.env),
                ))

    def _crm_track_stage_dates(self, now):
        # One write per set of dates to stamp, not one per complaint (a kanban
        # or mass stage change moves many at once).
        to_stamp = {}
        for complaint in self:
            stage = complaint.stage_id
            fnames = []
            if stage.is_resolved and not complaint.resolved_date:
                fnames.append("resolved_date")
            if (stage.is_resolved or stage.is_closed) and not complaint.first_response_date:
                fnames.append("first_response_date")
            if stage.is_closed and not complaint.closed_date:
                fnames.append("closed_date")
            if fnames:
                to_stamp[tuple(fnames)] = to_stamp.get(tuple(fnames), self.browse()) | complaint
        for fnames, complaints in to_stamp.items():
            complaints.with_context(crm_complaint_sla_system=True).write(dict.fromkeys(fnames, now))

    def _crm_send_acknowledgement(self):
        template = self.env.ref("crm_extended.mail_template_complaint_ack",
                                raise_if_not_found=False)
        if template and template.active:
            self._crm_send_template(template)

    def _crm_send_stage_templates(self):
        for stage, complaints in self.grouped("stage_id").items():
            if stage.template_id:
                complaints._crm_send_template(stage.template_id)

    def _crm_send_template(self, template):
        # Automatic emails are no first response from the team. An automated
        # comment (not a notification) with a public subtype: the customer
        # reads it in the portal chatter too.
        # Sent while a portal customer submits: in the company's name, not as
        # the customer writing to themselves.
        author = self.env.user.partner_id
        for complaint in self.filtered(lambda c: c.partner_id.email):
            complaint.with_context(crm_complaint_auto_mail=True).message_post_with_source(
                template, message_type="auto_comment", subtype_xmlid="mail.mt_comment",
                author_id=(complaint.company_id.partner_id if self.env.user.share else author).id,
            )

    # ------------------------------------------------------------
    # ASSIGNMENT
    # ------------------------------------------------------------

    def _crm_assign(self):
        """Assign unassigned complaints by their team's rule, VIPs first to the
        team's senior members."""
        for team, complaints in self.filtered(lambda c: not c.user_id).grouped("team_id").items():
            if not team:
                continue
            flags = []
            for complaint in complaints:
                customer = complaint.commercial_partner_id.with_company(complaint.company_id).sudo()
                flags.append(bool(customer.crm_value_grade == "a" or complaint.tier_id))
            users = team._crm_pick_users(flags)
            by_user = {}
            for complaint, user in zip(complaints, users, strict=True):
                if user:
                    by_user.setdefault(user, []).append(complaint.id)
            for user, complaint_ids in by_user.items():
                self.browse(complaint_ids).user_id = user

    # ------------------------------------------------------------
    # MAIL / RATING
    # ------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An email to the team alias: the sender is matched to a contact by
        address (or created), the subject becomes the subject."""
        values = dict(custom_values or {})
        if not msg_dict.get("author_id") and msg_dict.get("email_from"):
            author = self.env["mail.thread"]._partner_find_from_emails_single(
                [msg_dict["email_from"]], no_create=False
            )
            msg_dict["author_id"] = author.id
        values.setdefault("name", msg_dict.get("subject") or self.env._("No Subject"))
        values.setdefault("partner_id", msg_dict.get("author_id"))
        values.setdefault("channel", "email")
        values.setdefault("description", msg_dict.get("body"))
        return super().message_new(msg_dict, custom_values=values)

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        comment = self.env.ref("mail.mt_comment")
        author = message.author_id
        if self.env.context.get("crm_complaint_auto_mail"):
            return result
        if message.message_type in ("comment", "email") and message.subtype_id == comment:
            now = fields.Datetime.now()
            # sudo: a portal customer answering reads no internal field; the
            # SLA fields are only compared here.
            for complaint in self.sudo():
                internal = author.user_ids and not author.user_ids[0].share
                if internal and not complaint.first_response_date:
                    complaint.with_context(crm_complaint_sla_system=True).write(
                        {"first_response_date": now}
                    )
                elif not internal and complaint.sla_paused_since and author == complaint.partner_id:
                    # The customer answered: the clock runs again.
                    stage = self.env.ref("crm_extended.crm_complaint_stage_in_progress",
                                         raise_if_not_found=False)
                    if stage:
                        complaint.sudo().with_context(crm_complaint_sla_system=True).write(
                            {"stage_id": stage.id}
                        )
        return result

    def _rating_get_parent_field_name(self):
        return False

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_reopen(self):
        """The customer is not satisfied: back to work, counted, with a new
        resolution deadline and escalation starting over."""
        stage = self.env.ref("crm_extended.crm_complaint_stage_in_progress")
        not_done = self.filtered(lambda c: not (c.is_resolved or c.is_closed or c.resolved_date))
        if not_done:
            raise UserError(self.env._(
                "Only resolved or closed complaints can be reopened: %(names)s.",
                names=", ".join(not_done.mapped("display_name")),
            ))
        for complaint in self:
            complaint.with_context(crm_complaint_sla_system=True).write({
                "stage_id": stage.id,
                "reopen_count": complaint.reopen_count + 1,
                "resolved_date": False,
                "closed_date": False,
                "escalation_level": "0",
                "escalated_date": False,
            })
            complaint.message_post(
                body=self.env._("Reopened: the customer is not satisfied with the resolution."),
                subtype_xmlid="mail.mt_note",
            )
        self._crm_set_sla_deadlines(only_resolution=True)
        return True

    # ------------------------------------------------------------
    # SCHEDULED ACTION: SLA STATUS AND ESCALATION
    # ------------------------------------------------------------

    @api.model
    def _cron_escalate(self, now=None):
        """Refresh the SLA status of every open complaint and escalate breaches,
        set-based: one UPDATE for the statuses, one UPDATE ... RETURNING per
        escalation level. The level guards the UPDATE, so a complaint is
        notified once per level however often the job runs."""
        now = now or fields.Datetime.now()
        self.flush_model()
        self._crm_refresh_sla_status(now)
        running = SQL(
            "is_closed IS NOT TRUE AND resolved_date IS NULL AND sla_paused_since IS NULL"
            " AND active"
        )
        # The candidates are found in SQL (every company, no record rule: a
        # system job), locked against a concurrent run, then escalated with one
        # ORM write per level, so that the tracked level shows in the chatter
        # and write_date/write_uid move as for any write.
        level_1 = self._crm_escalation_candidates(SQL(
            """escalation_level = '0' AND %(running)s
               AND ((first_response_date IS NULL AND first_response_deadline < %(now)s)
                    OR resolution_deadline < %(now)s)""", running=running, now=now))
        level_1._crm_escalate_to("1", now)
        level_2 = self._crm_escalation_candidates(SQL(
            """escalation_level IN ('0', '1') AND %(running)s
               AND escalation_deadline < %(now)s""", running=running, now=now))
        level_2._crm_escalate_to("2", now)
        level_1._crm_notify_escalation("1")
        level_2._crm_notify_escalation("2")
        return len(level_1), len(level_2)

    @api.model
    def _crm_escalation_candidates(self, condition):
        ids = [row[0] for row in self.env.execute_query(SQL(
            "SELECT id FROM crm_complaint WHERE %s ORDER BY id FOR UPDATE SKIP LOCKED",
            condition))]
        # sudo: the cron escalates complaints of every team and company.
        return self.sudo().with_context(active_test=False).browse(ids)

    def _crm_escalate_to(self, level, now):
        if self:
            self.with_context(crm_complaint_sla_system=True).write(
                {"escalation_level": level, "escalated_date": now})
            self.flush_recordset(["escalation_level", "escalated_date"])

    @api.model
    def _crm_refresh_sla_status(self, now):
        """The rule of ``_crm_sla_status_at`` in SQL, over all running complaints;
        write_date/write_uid move on the complaints whose status changed only."""
        self.env.cr.execute(SQL(
            """UPDATE crm_complaint c SET sla_status = s.status,
                      write_date = %(write_date)s, write_uid = %(uid)s
                 FROM (
                   SELECT id, CASE
                     WHEN first_response_date IS NULL AND first_response_deadline < %(now)s
                       OR resolution_deadline < %(now)s THEN 'breached'
                     WHEN first_response_deadline < first_response_date THEN 'breached'
                     WHEN (first_response_date IS NULL AND first_response_deadline - %(now)s
                              < (first_response_deadline - sla_start) * %(share)s)
                       OR resolution_deadline - %(now)s
                              < (resolution_deadline - sla_start) * %(share)s THEN 'at_risk'
                     ELSE 'on_time' END AS status
                   FROM crm_complaint
                  WHERE is_closed IS NOT TRUE AND resolved_date IS NULL
                    AND sla_paused_since IS NULL AND sla_start IS NOT NULL
                 ) s
                WHERE c.id = s.id AND c.sla_status IS DISTINCT FROM s.status""",
            now=now, share=AT_RISK_SHARE, write_date=self.env.cr.now(), uid=self.env.uid,
        ))
        self.invalidate_model(["sla_status", "write_date", "write_uid"])

    def _crm_notify_escalation(self, level):
        """Log the escalation on each complaint, give the target (the team
        leader at level 1, the escalation manager at level 2) an activity on
        each, and send the target ONE notification per run listing them, not
        one email per complaint."""
        if not self:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)

        def summary_in(lang):
            lang_env = self.with_context(lang=lang or "en_US").env
            if level == "1":
                return lang_env._("SLA breached: escalated to the team leader")
            return lang_env._("SLA still breached: escalated to the manager")

        # The log in the language of each complaint's company, the activity
        # and the digest in the language of the person escalated to.
        self._message_log_batch(bodies={
            complaint.id: summary_in(complaint.company_id.partner_id.lang)
            for complaint in self
        })
        activities, by_target = [], {}
        today = fields.Date.context_today(self)
        for complaint in self:
            team = complaint.team_id
            target = team.leader_id if level == "1" else (
                team.escalation_manager_id or team.leader_id
            )
            if not target:
                continue
            by_target.setdefault((target, team), []).append(complaint.id)
            activities.append({
                "res_model_id": model_id,
                "res_id": complaint.id,
                "activity_type_id": todo.id,
                "summary": summary_in(target.lang),
                "user_id": target.id,
                "date_deadline": today,
            })
        # Activities are created silently; the digest below is the notification.
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            activities
        )
        for (target, team), complaint_ids in by_target.items():
            complaints = self.browse(complaint_ids)
            shown = complaints[:50]
            lang_env = self.with_context(lang=target.lang or "en_US").env
            summary = summary_in(target.lang)
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                lang_env._("%(count)s complaints of %(team)s passed their deadline:",
                           count=len(complaints), team=team.with_context(lang=target.lang).name),
                Markup().join(
                    Markup("<li>%s</li>") % complaint._get_html_link(title=complaint.display_name)
                    for complaint in shown
                ),
            )
            if len(complaints) > len(shown):
                body += Markup("<p>%s</p>") % lang_env._(
                    "... and %(count)s more: see the Escalated filter.",
                    count=len(complaints) - len(shown),
                )
            team.sudo().message_notify(
                partner_ids=target.partner_id.ids, subject=summary, body=body,
                model_description=lang_env._("Complaint Escalation"),
            )

    # ------------------------------------------------------------
    # ERP ACTIONS: RETURN, CREDIT NOTE, REPLACEMENT, SUPPLIER CLAIM
    # ------------------------------------------------------------

    @api.model
    def _crm_action_list(self, domain, context=None):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Complaints"),
            "res_model": "crm.complaint",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": list(domain),
            "context": context or {},
        }

    def _crm_delivered_picking(self):
        """The done delivery to return from: the linked one, else the order's last."""
        self.ensure_one()
        picking = self.picking_id
        if not picking and self.sale_order_id:
            picking = self.sale_order_id.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state == "done"
            ).sorted("date_done", reverse=True)[:1]
        if not picking:
            if self.sale_order_id:
                raise UserError(self.env._(
                    "The order %(order)s has not been delivered yet: there is nothing to "
                    "return.", order=self.sale_order_id.name,
                ))
            raise UserError(self.env._(
                "Link the complaint to a delivery or a sales order before creating a return."
            ))
        if picking.state != "done" or picking.picking_type_code != "outgoing":
            raise UserError(self.env._(
                "%(picking)s is not a done delivery to the customer: only delivered goods can "
                "be returned.", picking=picking.name,
            ))
        return picking

    def action_crm_return(self):
        """Open Odoo's return wizard on the original delivery; the return it
        creates is linked to this complaint."""
        self.ensure_one()
        picking = self._crm_delivered_picking()
        if not self.picking_id:
            self.picking_id = picking
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return of %(picking)s", picking=picking.name),
            "res_model": "stock.return.picking",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_id": picking.id, "active_ids": picking.ids,
                        "active_model": "stock.picking", "crm_complaint_id": self.id},
        }

    def _crm_posted_invoice(self):
        self.ensure_one()
        invoice = self.invoice_id
        if not invoice and self.sale_order_id:
            invoice = self.sale_order_id.invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )[:1]
        if not invoice:
            raise UserError(self.env._(
                "Link the complaint to a posted customer invoice before issuing a credit note."
            ))
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(self.env._(
                "%(invoice)s is not a posted customer invoice: only posted invoices can be "
                "credited.", invoice=invoice.display_name,
            ))
        return invoice

    def action_crm_credit_note(self):
        """Open Odoo's reversal wizard on the invoice; the credit note is linked."""
        self.ensure_one()
        invoice = self._crm_posted_invoice()
        if not self.invoice_id:
            self.invoice_id = invoice
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Note for %(invoice)s", invoice=invoice.display_name),
            "res_model": "account.move.reversal",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_id": invoice.id, "active_ids": invoice.ids,
                        "active_model": "account.move", "crm_complaint_id": self.id,
                        "default_reason": self.env._("Complaint %(code)s", code=self.code),
                        "crm_complaint_reversed_invoice": invoice.display_name},
        }

    def action_crm_replacement(self):
        """Open a new quotation for a replacement of the product, priced by the
        customer's pricelist, for the salesperson to check and save. Free of
        charge as a 100% discount when discounts are shown on order lines,
        else at its price for the salesperson to decide."""
        self.ensure_one()
        product = self.product_id
        if not product:
            raise UserError(self.env._("Set the product of the complaint to quote a replacement."))
        if not self.partner_id:
            raise UserError(self.env._("Set the customer of the complaint to quote a replacement."))
        line = {
            "product_id": product.id,
            "product_uom_qty": self.sale_line_id.product_uom_qty or 1.0,
        }
        if self.env.user.has_group("sale.group_discount_per_so_line"):
            line["discount"] = 100.0
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replacement for %(complaint)s", complaint=self.display_name),
            "res_model": "sale.order",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": (self.sale_order_id.partner_id or self.partner_id).id,
                "default_company_id": self.company_id.id,
                "default_origin": self.code,
                "default_crm_complaint_id": self.id,
                "default_order_line": [fields.Command.create(line)],
            },
        }

    def _crm_find_supplier(self):
        """(purchase order line, vendor) the goods came from: the receipt of the
        lot if known, else the last confirmed purchase of the product, else the
        product's first vendor."""
        self.ensure_one()
        PurchaseLine = self.env["purchase.order.line"]
        line = PurchaseLine
        if self.supplier_id:
            # Set by hand: its last confirmed purchase of the product, if any.
            line = PurchaseLine.search([
                ("product_id", "=", self.product_id.id), ("state", "=", "purchase"),
                ("partner_id", "=", self.supplier_id.id),
                ("company_id", "=", self.company_id.id),
            ], limit=1, order="date_order desc, id desc")
            return line, self.supplier_id
        if self.lot_id:
            move_line = self.env["stock.move.line"].search([
                ("lot_id", "=", self.lot_id.id), ("move_id.purchase_line_id", "!=", False),
                ("state", "=", "done"),
            ], limit=1, order="date desc")
            line = move_line.move_id.purchase_line_id
        if not line:
            line = PurchaseLine.search([
                ("product_id", "=", self.product_id.id), ("state", "=", "purchase"),
                ("company_id", "=", self.company_id.id),
            ], limit=1, order="date_order desc, id desc")
        vendor = line.partner_id or self.product_id.seller_ids[:1].partner_id
        return line, vendor

    def action_crm_supplier_claim(self):
        """Record the claim on the vendor and the purchase order, and open a
        return to the vendor when the goods came in on a receipt."""
        self.ensure_one()
        if not self.product_id:
            raise UserError(self.env._("Set the product of the complaint to claim to its supplier."))
        line, vendor = self._crm_find_supplier()
        if not vendor:
            raise UserError(self.env._(
                "No supplier is known for %(product)s: no purchase and no vendor on the product. "
                "Choose the Supplier in the Order and Product tab of the complaint, then click "
                "Supplier Claim again (or add a vendor on the product's Purchase tab).",
                product=self.product_id.display_name,
            ))
        order = line.order_id
        self.write({"supplier_id": vendor.id, "purchase_order_id": order.id})
        claim = self.env._(
            "Supplier claim for customer complaint %(complaint)s about %(product)s.",
            complaint=self._get_html_link(title=self.display_name),
            product=self.product_id.display_name,
        )
        if order:
            order.message_post(body=claim, subtype_xmlid="mail.mt_note")
        self.message_post(body=self.env._(
            "Claim opened with the supplier %(vendor)s%(order)s.",
            vendor=vendor.display_name,
            order=f" ({order.name})" if order else "",
        ), subtype_xmlid="mail.mt_note")
        receipt = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming" and p.state == "done"
            and self.product_id in p.move_ids.product_id
        ).sorted("date_done", reverse=True)[:1]
        if not receipt:
            return {
                "type": "ir.actions.act_window",
                "res_model": "purchase.order" if order else "res.partner",
                "res_id": (order or vendor).id,
                "view_mode": "form",
                "views": [(False, "form")],
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return to %(vendor)s", vendor=vendor.display_name),
            "res_model": "stock.return.picking",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_id": receipt.id, "active_ids": receipt.ids,
                        "active_model": "stock.picking", "crm_complaint_id": self.id},
        }

    def action_crm_view_returns(self):
        return self._crm_action_records("stock.picking", self.return_picking_ids)

    def action_crm_view_credit_notes(self):
        return self._crm_action_records("account.move", self.credit_note_ids)

    def action_crm_view_replacements(self):
        return self._crm_action_records("sale.order", self.replacement_order_ids)

    def _crm_action_records(self, model, records):
        action = {
            "type": "ir.actions.act_window",
            "name": self.env["ir.model"]._get(model).name,
            "res_model": model,
            "domain": [("id", "in", records.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }
        if len(records) == 1:
            action.update(res_id=records.id, view_mode="form", views=[(False, "form")])
        return action
