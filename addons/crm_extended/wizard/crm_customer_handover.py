from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain


class CrmCustomerHandover(models.TransientModel):
    """Move everything a salesperson looks after to a colleague in one go, e.g.
    when someone leaves: the history stays on the records and each moved record
    gets a note saying from whom to whom."""

    _name = "crm.customer.handover"
    _description = "Hand Customers Over to Another Salesperson"

    from_user_id = fields.Many2one(
        "res.users", string="From", required=True, domain="[('share', '=', False)]"
    )
    to_user_id = fields.Many2one(
        "res.users", string="To", required=True, domain="[('share', '=', False)]"
    )
    move_customers = fields.Boolean(
        string="Customers",
        default=True,
        help="Companies and individuals whose salesperson is the person handing over, "
        "with their contacts that have the same salesperson.",
    )
    move_account_manager = fields.Boolean(
        string="Account Manager Assignments",
        default=True,
        help="Key accounts and potential key accounts this person manages.",
    )
    move_opportunities = fields.Boolean(
        string="Open Leads and Opportunities",
        default=True,
        help="Active leads and opportunities that are neither won nor lost.",
    )
    move_quotations = fields.Boolean(
        string="Open Quotations",
        default=True,
        help="Quotations not confirmed yet (draft or sent).",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")], default="draft", required=True
    )
    preview = fields.Text(string="To Move", compute="_compute_preview")
    summary = fields.Text(readonly=True)

    # ------------------------------------------------------------
    # HAND-OVER HOOK
    # ------------------------------------------------------------

    def _get_handover_models(self):
        """What a hand-over moves: a list of ``(model, domain_builder, field)``.

        ``domain_builder()`` returns the domain of the records to move, or None
        when the user switched that part off; ``field`` is the user field that
        is rewritten. Modules that add complaints or contracts extend this list
        (and add their own option field)."""
        return [
            ("res.partner", self._handover_domain_customers, "user_id"),
            ("res.partner", self._handover_domain_account_manager, "crm_account_manager_id"),
            ("crm.lead", self._handover_domain_opportunities, "user_id"),
            ("sale.order", self._handover_domain_quotations, "user_id"),
        ]

    def _handover_domain_customers(self):
        if not self.move_customers:
            return None
        return Domain("user_id", "=", self.from_user_id.id) & Domain(
            "commercial_partner_id.user_id", "=", self.from_user_id.id
        )

    def _handover_domain_account_manager(self):
        if not self.move_account_manager:
            return None
        return Domain("crm_account_manager_id", "=", self.from_user_id.id)

    def _handover_domain_opportunities(self):
        if not self.move_opportunities:
            return None
        return Domain("user_id", "=", self.from_user_id.id) & Domain(
            "won_status", "=", "pending"
        )

    def _handover_domain_quotations(self):
        if not self.move_quotations:
            return None
        return Domain("user_id", "=", self.from_user_id.id) & Domain(
            "state", "in", ["draft", "sent"]
        )

    def _handover_domains(self):
        """[(model, field, domain)] for every enabled part of the hand-over."""
        self.ensure_one()
        if not self.from_user_id:
            return []
        return [
            (model, field, domain)
            for model, domain_builder, field in self._get_handover_models()
            if (domain := domain_builder()) is not None
        ]

    def _handover_batches(self):
        """[(model, field, records)] for every enabled part of the hand-over."""
        return [
            (model, field, self.env[model].search(domain))
            for model, field, domain in self._handover_domains()
        ]

    def _handover_part_labels(self):
        """What each part of the hand-over moves, in the words of the form."""
        # One statement per label: babel's extractor takes the keys of a
        # literal of translated values for terms too.
        labels = {}
        labels["res.partner", "user_id"] = self.env._("Customers and their contacts")
        labels["res.partner", "crm_account_manager_id"] = self.env._("Key accounts managed")
        labels["crm.lead", "user_id"] = self.env._("Open leads and opportunities")
        labels["sale.order", "user_id"] = self.env._("Open quotations")
        labels["crm.complaint", "user_id"] = self.env._("Open complaints")
        labels["crm.service.contract", "user_id"] = self.env._("Live service contracts")
        return labels

    def _handover_label(self, model, field):
        if label := self._handover_part_labels().get((model, field)):
            return label
        Model = self.env[model]
        # ir.model's name is translated, the class _description is not.
        return self.env._(
            "%(records)s (%(field)s)",
            records=self.env["ir.model"].sudo()._get(model).name,
            field=Model._fields[field]._description_string(self.env),
        )

    # ------------------------------------------------------------
    # COMPUTE / CRUD
    # ------------------------------------------------------------

    @api.depends(
        "from_user_id", "move_customers", "move_account_manager",
        "move_opportunities", "move_quotations",
    )
    def _compute_preview(self):
        for wizard in self:
            if wizard.state != "draft" or not wizard.from_user_id:
                wizard.preview = False
                continue
            wizard.preview = "\n".join(
                self.env._(
                    "%(what)s: %(count)s", what=wizard._handover_label(model, field),
                    count=self.env[model].search_count(domain),
                )
                # Recomputed at each option change: count, do not load records.
                for model, field, domain in wizard._handover_domains()
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_handover_rights()
        return super().create(vals_list)

    def _check_handover_rights(self):
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(
                self.env._("Only CRM managers may hand customers over to someone else.")
            )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_handover(self):
        self.ensure_one()
        self._check_handover_rights()
        if self.from_user_id == self.to_user_id:
            raise UserError(
                self.env._("Choose two different people: %(user)s cannot hand over to "
                           "themselves.", user=self.from_user_id.name)
            )
        if self.to_user_id.share:
            raise UserError(
                self.env._("%(user)s is a portal user and cannot take over customers.",
                           user=self.to_user_id.name)
            )
        batches = [batch for batch in self._handover_batches() if batch[2]]
        if not batches:
            raise UserError(
                self.env._("%(user)s has nothing to hand over with the selected options.",
                           user=self.from_user_id.name)
            )
        body = self.env._(
            "Handed over from %(from_user)s to %(to_user)s by %(user)s.",
            from_user=self.from_user_id.name,
            to_user=self.to_user_id.name,
            user=self.env.user.name,
        )
        lines = []
        for model, field, records in batches:
            # One write per model and field over the whole recordset.
            records.write({field: self.to_user_id.id})
            if isinstance(records, self.pool["mail.thread"]):
                records._message_log_batch(bodies=dict.fromkeys(records.ids, body))
            lines.append(
                self.env._("%(what)s: %(count)s", what=self._handover_label(model, field),
                           count=len(records))
            )
        self.write({
            "state": "done",
            "summary": "\n".join(
                [self.env._("Moved from %(from_user)s to %(to_user)s:",
                            from_user=self.from_user_id.name, to_user=self.to_user_id.name)]
                + lines
            ),
        })
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hand-over Done"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
