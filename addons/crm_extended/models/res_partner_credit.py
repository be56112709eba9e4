from odoo import fields, models

CREDIT_RATINGS = [
    ("aaa", "AAA"),
    ("aa", "AA"),
    ("a", "A"),
    ("bbb", "BBB"),
    ("bb", "BB"),
    ("b", "B"),
    ("c", "C"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Builds on account's own credit_limit / use_partner_credit_limit: the rating
    # describes payment behaviour, the limit stays Odoo's.
    crm_credit_rating = fields.Selection(
        CREDIT_RATINGS, string="Credit Rating", company_dependent=True, copy=False
    )
    crm_credit_rating_locked = fields.Boolean(
        string="Credit Rating Locked", company_dependent=True, copy=False
    )
    crm_credit_rating_lock_reason = fields.Char(
        string="Credit Rating Override Reason", company_dependent=True, copy=False
    )
    crm_avg_days_late = fields.Float(
        string="Average Days Late", company_dependent=True, copy=False, readonly=True
    )
    crm_late_invoice_ratio = fields.Float(
        string="Late Paid Invoices (%)", company_dependent=True, copy=False, readonly=True
    )
