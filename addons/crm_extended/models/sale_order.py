from odoo import api, fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "crm.customer.info.mixin"]

    # Readable by everyone who sees the order (the blacklist fields are not):
    # the form hides its Confirm buttons with it.
    crm_confirm_blocked = fields.Boolean(
        string="Confirmation Blocked", compute="_compute_crm_confirm_blocked",
        compute_sudo=True,
        help="The customer is on the commercial blacklist: the order cannot be confirmed.",
    )

    @api.depends("partner_id.commercial_partner_id.crm_commercial_blacklist")
    def _compute_crm_confirm_blocked(self):
        for order in self:
            order.crm_confirm_blocked = order.partner_id.commercial_partner_id \
                .crm_commercial_blacklist

    def _confirmation_error_message(self):
        # The standard hook behind action_confirm: the blacklist refuses like
        # any other confirmation error, before anything is written.
        error = super()._confirmation_error_message()
        if error:
            return error
        blocked = self.partner_id.commercial_partner_id.filtered("crm_commercial_blacklist")
        if blocked:
            return self.env._(
                "%(customer)s is on the commercial blacklist (%(reason)s): you cannot "
                "confirm this order. Ask a CRM manager to lift the blacklist first.",
                customer=blocked.display_name,
                reason=blocked.crm_blacklist_reason or self.env._("no reason given"),
            )
        return False

    def _action_confirm(self):
        # Paths that skip action_confirm (online payment, automation) end here.
        self.partner_id._crm_check_not_blacklisted(self.env._("confirm a sale order"))
        result = super()._action_confirm()
        self._crm_reclassify_customers()
        return result

    def _action_cancel(self):
        result = super()._action_cancel()
        self._crm_reclassify_customers()
        return result

    def _crm_reclassify_customers(self):
        """Refresh the classification of these orders' customers, per company
        (not under ``crm_skip_reclassify``: the order import reclassifies once
        for all its batches)."""
        if self.env.context.get("crm_skip_reclassify"):
            return
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id.commercial_partner_id
            partners.with_company(company)._crm_recompute_classification_partners()


class SaleOrderComplaint(models.Model):
    """Complaints about an order, and the replacement quotation a complaint made."""

    _inherit = "sale.order"

    crm_complaint_id = fields.Many2one(
        "crm.complaint", string="Replacement for Complaint", index="btree_not_null",
        copy=False, readonly=True,
    )
    crm_complaint_count = fields.Integer(
        string="Complaints", compute="_compute_crm_complaint_count",
        groups="crm_extended.group_crm_extended_user",
    )

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        for order in orders.filtered("crm_complaint_id"):
            order.crm_complaint_id.message_post(body=self.env._(
                "Replacement quotation %(order)s created.", order=order._get_html_link(),
            ), subtype_xmlid="mail.mt_note")
        return orders

    def _compute_crm_complaint_count(self):
        rows = self.env["crm.complaint"]._read_group(
            [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
        )
        counts = {order.id: count for order, count in rows}
        for order in self:
            order.crm_complaint_count = counts.get(order.id, 0)

    def action_crm_view_complaints(self):
        return self.env["crm.complaint"]._crm_action_list(
            [("sale_order_id", "in", self.ids)], {"default_sale_order_id": self[:1].id}
        )
