from odoo import fields, models


class CrmComplaintStage(models.Model):
    """Step of the closed loop: new, assigned, in progress, waiting on the
    customer, resolved, follow-up visit, closed, cancelled. The flags, not the
    names, drive the behaviour, so stages can be renamed and added freely."""

    _name = "crm.complaint.stage"
    _description = "Complaint Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(string="Folded in Kanban")
    is_resolved = fields.Boolean(
        string="Resolved Stage",
        help="Reaching this stage sets the resolution date and stops the resolution clock.",
    )
    is_closed = fields.Boolean(
        string="Closed Stage",
        help="Complaints in this stage are finished: no service level applies any more.",
    )
    sla_pause = fields.Boolean(
        string="Waiting on Customer",
        help="The service level clock stops while a complaint is in this stage; the "
        "deadlines move by the working time spent here.",
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'crm.complaint')]",
        help="Email sent to the customer when a complaint reaches this stage.",
    )
    team_ids = fields.Many2many(
        "crm.complaint.team",
        string="Teams",
        help="Teams that use this stage; empty means every team.",
    )
    description = fields.Text(translate=True)
