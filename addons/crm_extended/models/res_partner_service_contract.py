from dateutil.relativedelta import relativedelta

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_service_contract_count = fields.Integer(
        string="Service Contracts", compute="_compute_crm_service",
        groups="crm_extended.group_crm_extended_user")
    crm_service_visit_count = fields.Integer(
        string="Maintenance Visits", compute="_compute_crm_service",
        groups="crm_extended.group_crm_extended_user")
    crm_service_visit_cost = fields.Monetary(
        string="Maintenance Cost to Date", compute="_compute_crm_service",
        currency_field="crm_360_currency_id", groups="crm_extended.group_crm_extended_user",
        help="Cost of the parts used in all done visits.")
    crm_next_visit_date = fields.Date(
        string="Next Maintenance", compute="_compute_crm_service",
        groups="crm_extended.group_crm_extended_user",
        help="The next planned visit, or the last visit plus the contract interval.")
    crm_next_visit_product_ids = fields.Many2many(
        "product.product", string="Next Maintenance Items", compute="_compute_crm_service",
        groups="crm_extended.group_crm_extended_user")
    crm_next_visit_estimated_cost = fields.Monetary(
        string="Next Maintenance Estimated Cost", compute="_compute_crm_service",
        currency_field="crm_360_currency_id", groups="crm_extended.group_crm_extended_user",
        help="Average cost of this customer's past visits.")

    def _compute_crm_service(self):
        """Contract and visit figures of the commercial partner: a few grouped
        queries for the whole recordset."""
        commercial = self.commercial_partner_id
        Visit = self.env["crm.service.visit"]
        contract_counts = dict(self.env["crm.service.contract"]._read_group(
            [("partner_id", "in", commercial.ids)], ["partner_id"], ["__count"]))
        done = {partner: (count, cost) for partner, count, cost in Visit._read_group(
            [("partner_id", "in", commercial.ids), ("state", "=", "done")],
            ["partner_id"], ["__count", "cost:sum"])}
        all_counts = dict(Visit._read_group(
            [("partner_id", "in", commercial.ids), ("state", "!=", "cancelled")],
            ["partner_id"], ["__count"]))
        planned = {}
        for visit in Visit.search_fetch(
            [("partner_id", "in", commercial.ids), ("state", "=", "planned")],
            ["partner_id", "date", "product_ids"], order="date desc",
        ):
            planned[visit.partner_id] = visit  # ends on the earliest
        last_done = {}
        for visit in Visit.search_fetch(
            [("partner_id", "in", commercial.ids), ("state", "=", "done")],
            ["partner_id", "date", "product_ids", "contract_id"], order="date",
        ):
            last_done[visit.partner_id] = visit  # ends on the latest
        for partner in self:
            key = partner.commercial_partner_id
            count, cost = done.get(key, (0, 0.0))
            partner.crm_service_contract_count = contract_counts.get(key, 0)
            partner.crm_service_visit_count = all_counts.get(key, 0)
            partner.crm_service_visit_cost = cost
            partner.crm_next_visit_estimated_cost = cost / count if count else 0.0
            next_visit = planned.get(key)
            previous = last_done.get(key)
            if next_visit:
                partner.crm_next_visit_date = next_visit.date.date()
                partner.crm_next_visit_product_ids = next_visit.product_ids
            elif previous and previous.contract_id.visit_interval_months:
                partner.crm_next_visit_date = previous.date.date() + relativedelta(
                    months=previous.contract_id.visit_interval_months)
                partner.crm_next_visit_product_ids = previous.product_ids
            else:
                partner.crm_next_visit_date = False
                partner.crm_next_visit_product_ids = False

    def action_crm_view_service_contracts(self):
        return self._crm_360_action(
            "crm_extended.crm_service_contract_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            {"default_partner_id": self.commercial_partner_id.id},
        )
