from odoo import fields, models


class CrmCustomerInfoMixin(models.AbstractModel):
    """The customer's classification and blacklist, shown on the documents of a
    customer (quotations and orders, leads and opportunities) so that the
    salesperson recognises the customer at once. Read from the commercial
    partner of the document's ``partner_id``."""

    _name = "crm.customer.info.mixin"
    _description = "Customer Classification on Documents"

    # Declared for the related fields below; the inheriting model's own
    # definition (sale.order, crm.lead) completes it.
    partner_id = fields.Many2one("res.partner", string="Customer")

    crm_value_grade = fields.Selection(
        string="Value Grade",
        related="partner_id.commercial_partner_id.crm_value_grade",
    )
    crm_lifecycle_stage = fields.Selection(
        string="Lifecycle Stage",
        related="partner_id.commercial_partner_id.crm_lifecycle_stage",
    )
    crm_tier_id = fields.Many2one(
        "crm.customer.tier", string="Customer Tier",
        related="partner_id.commercial_partner_id.crm_tier_id",
    )
    crm_is_blacklisted_customer = fields.Boolean(
        related="partner_id.crm_is_blacklisted_customer", string="Customer Blacklisted"
    )
    crm_blacklist_reason = fields.Text(
        related="partner_id.commercial_partner_id.crm_blacklist_reason",
        string="Blacklist Reason",
    )
