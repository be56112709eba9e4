from odoo import api, fields, models
from odoo.tools import SQL

RECOMMENDATION_LIMIT = 10


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_xsell_rule_ids = fields.Many2many(
        "crm.cross.sell.rule", string="Recommended Products",
        compute="_compute_crm_xsell_rule_ids",
        groups="crm_extended.group_crm_extended_user",
        help="Products the customer has not bought yet in this company, each with the "
        "strongest rule that suggests it (highest lift), best first.")

    @api.depends_context("company")
    def _compute_crm_xsell_rule_ids(self):
        recommendations = self._crm_xsell_recommendations()
        Rule = self.env["crm.cross.sell.rule"]
        for partner in self:
            partner.crm_xsell_rule_ids = Rule.browse(recommendations.get(partner.id, []))

    def _crm_xsell_recommendations(self, limit=RECOMMENDATION_LIMIT, company=None):
        """For every partner of ``self``, the ids of the rules recommending the
        products its commercial customer has not bought yet in ``company`` (one
        rule per product, the one with the highest lift), best first, at most
        ``limit``; in one query for the whole recordset."""
        ids = [pid for pid in self.ids if pid]
        if not ids:
            return {}
        company = company or self.env.company
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            WITH customers AS (
                SELECT id AS partner_id, commercial_partner_id AS customer_id
                  FROM res_partner WHERE id = ANY(%(ids)s)
            ), bought AS (
                SELECT DISTINCT p.commercial_partner_id AS customer_id, l.product_id
                  FROM sale_order_line l
                  JOIN res_partner p ON p.id = l.order_partner_id
                 WHERE l.state = 'sale' AND l.company_id = %(company)s
                   AND l.product_id IS NOT NULL
                   AND p.commercial_partner_id IN (SELECT customer_id FROM customers)
            ), candidates AS (
                SELECT DISTINCT ON (b.customer_id, r.consequent_id)
                       b.customer_id, r.id, r.lift, r.confidence
                  FROM bought b
                  JOIN crm_cross_sell_rule r
                    ON r.company_id = %(company)s AND r.antecedent_id = b.product_id
                  JOIN product_product pp ON pp.id = r.consequent_id AND pp.active
                 WHERE NOT EXISTS (SELECT 1 FROM bought b2
                                    WHERE b2.customer_id = b.customer_id
                                      AND b2.product_id = r.consequent_id)
                 ORDER BY b.customer_id, r.consequent_id, r.lift DESC, r.confidence DESC, r.id
            ), ranked AS (
                SELECT customer_id, id,
                       row_number() OVER (PARTITION BY customer_id
                                          ORDER BY lift DESC, confidence DESC, id) AS rank
                  FROM candidates
            )
            SELECT c.partner_id, array_agg(r.id ORDER BY r.rank)
              FROM customers c
              JOIN ranked r ON r.customer_id = c.customer_id AND r.rank <= %(limit)s
             GROUP BY c.partner_id
            """,
            ids=ids, company=company.id, limit=limit,
        ))
        return dict(self.env.cr.fetchall())
