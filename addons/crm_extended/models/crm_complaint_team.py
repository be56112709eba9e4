import ast

from odoo import api, fields, models
from odoo.exceptions import ValidationError

ASSIGNMENT_MODES = [
    ("manual", "Manual"),
    ("round_robin", "Round Robin"),
    ("least_load", "Least Open Load"),
]


class CrmComplaintTeam(models.Model):
    """After-sales team that receives complaints: members, a leader who is the
    first escalation target, a manager for the second, a mail alias for intake
    and the working hours in which its service levels are counted."""

    _name = "crm.complaint.team"
    _description = "Complaint Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    member_ids = fields.Many2many(
        "res.users",
        "crm_complaint_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    senior_member_ids = fields.Many2many(
        "res.users",
        "crm_complaint_team_senior_rel",
        "team_id",
        "user_id",
        string="Senior Members",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Complaints of VIP (grade A) customers and customers with a tier are "
        "assigned among these members first.",
    )
    leader_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="First escalation target when a service level is breached.",
    )
    escalation_manager_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Second escalation target when a breached complaint stays unresolved.",
    )
    assignment_mode = fields.Selection(
        ASSIGNMENT_MODES, default="least_load", required=True,
        help="Round robin: members in turn. Least open load: the member with the "
        "fewest open complaints.",
    )
    last_assigned_user_id = fields.Many2one("res.users", readonly=True, copy=False)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Service level deadlines are counted in these working hours.",
    )
    first_response_hours = fields.Float(
        string="First Response Time (hours)", default=8.0,
        help="Working hours for a first response when the customer's tier sets none.",
    )
    resolution_hours = fields.Float(string="Resolution Time (hours)", default=40.0)
    escalation_hours = fields.Float(
        string="Manager Escalation After (hours)", default=8.0,
        help="Working hours after the resolution deadline at which an unresolved "
        "complaint escalates to the manager.",
    )
    complaint_ids = fields.One2many("crm.complaint", "team_id", string="Complaints")
    open_complaint_count = fields.Integer(compute="_compute_complaint_counts")
    breached_complaint_count = fields.Integer(compute="_compute_complaint_counts")
    color = fields.Integer()

    _hours_positive = models.Constraint(
        "CHECK (coalesce(first_response_hours, 0) >= 0 AND coalesce(resolution_hours, 0) >= 0 "
        "AND coalesce(escalation_hours, 0) >= 0)",
        "Service level times cannot be negative.",
    )

    def _compute_complaint_counts(self):
        rows = self.env["crm.complaint"]._read_group(
            [("team_id", "in", self.ids), ("is_closed", "=", False)],
            ["team_id", "sla_status"],
            ["__count"],
        )
        open_counts, breached = {}, {}
        for team, status, count in rows:
            open_counts[team.id] = open_counts.get(team.id, 0) + count
            if status == "breached":
                breached[team.id] = breached.get(team.id, 0) + count
        for team in self:
            team.open_complaint_count = open_counts.get(team.id, 0)
            team.breached_complaint_count = breached.get(team.id, 0)

    @api.constrains("leader_id", "member_ids", "senior_member_ids")
    def _check_senior_members(self):
        for team in self:
            if team.senior_member_ids - team.member_ids:
                raise ValidationError(
                    self.env._("Senior members of %(team)s must also be members of the team.",
                               team=team.name)
                )

    # ------------------------------------------------------------
    # MAIL ALIAS
    # ------------------------------------------------------------

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get("crm.complaint").id
        if self.id:
            values["alias_defaults"] = defaults = ast.literal_eval(self.alias_defaults or "{}")
            defaults["team_id"] = self.id
            defaults.setdefault("channel", "email")
        return values

    # ------------------------------------------------------------
    # ASSIGNMENT
    # ------------------------------------------------------------

    def _crm_pick_users(self, count_by_vip):
        """Assignees for new complaints of this team, in one load query.

        ``count_by_vip`` is ``[is_vip, ...]`` in creation order; returns a list of
        users (possibly empty records) in the same order."""
        self.ensure_one()
        if self.assignment_mode == "manual" or not self.member_ids:
            return [self.env["res.users"]] * len(count_by_vip)
        members = self.member_ids.sorted("id")
        load = {}
        if self.assignment_mode == "least_load":
            rows = self.env["crm.complaint"].sudo()._read_group(
                [("team_id", "=", self.id), ("user_id", "in", members.ids),
                 ("is_closed", "=", False)],
                ["user_id"], ["__count"],
            )
            load = {user.id: count for user, count in rows}
        picked = []
        last = self.last_assigned_user_id
        for is_vip in count_by_vip:
            pool = (self.senior_member_ids & members).sorted("id") if is_vip else members
            pool = pool or members
            if self.assignment_mode == "least_load":
                user = min(pool, key=lambda u: (load.get(u.id, 0), u.id))
                load[user.id] = load.get(user.id, 0) + 1
            else:
                later = pool.filtered(lambda u, last=last: u.id > last.id)
                user = later[:1] or pool[:1]
            last = user
            picked.append(user)
        if self.assignment_mode == "round_robin":
            self.sudo().last_assigned_user_id = last
        return picked
