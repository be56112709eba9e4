from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .crm_customer_score import CHURN_RISKS, RFM_SEGMENTS

RECOMMENDATION_LIMIT = 10
# The score fields read crm.customer.score: the groups that may read it, so that
# a plain employee neither sees them nor fails reading every field of a partner.
SCORE_GROUPS = "crm_extended.group_crm_extended_user,crm_extended.group_crm_extended_integration"


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_estimated_potential = fields.Float(
        string="Estimated Yearly Potential",
        company_dependent=True,
        copy=False,
        groups="base.group_user",
        help="What the customer spends per year on what we sell, with us and elsewhere "
        "(an estimate). Gives the share of wallet of the value scoring.",
    )
    # The score of the commercial entity in the current company, shown on the
    # partner form (computed together, not stored: the score table is the truth).
    crm_score_id = fields.Many2one(
        "crm.customer.score", string="Value Score Record", compute="_compute_crm_score",
        groups=SCORE_GROUPS,
    )
    crm_value_score = fields.Float(string="Value Score", compute="_compute_crm_score",
                                   digits=(16, 1), groups=SCORE_GROUPS)
    crm_rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment",
                                       compute="_compute_crm_score", groups=SCORE_GROUPS)
    crm_rfm_code = fields.Char(string="RFM", compute="_compute_crm_score",
                               groups=SCORE_GROUPS)
    crm_churn_risk = fields.Selection(CHURN_RISKS, string="Churn Risk",
                                      compute="_compute_crm_score", groups=SCORE_GROUPS)
    crm_churn_reasons = fields.Text(string="Churn Reasons", compute="_compute_crm_score",
                                    groups=SCORE_GROUPS)
    crm_p_alive = fields.Float(string="Probability Active", compute="_compute_crm_score",
                               groups=SCORE_GROUPS)
    crm_predicted_clv = fields.Monetary(string="Predicted Lifetime Value",
                                        currency_field="crm_score_currency_id",
                                        compute="_compute_crm_score", groups=SCORE_GROUPS)
    crm_score_profit = fields.Monetary(string="Profit", currency_field="crm_score_currency_id",
                                       compute="_compute_crm_score", groups=SCORE_GROUPS)
    crm_score_currency_id = fields.Many2one("res.currency", string="Score Currency",
                                            compute="_compute_crm_score",
                                            groups=SCORE_GROUPS)
    # The scores of the commercial entity in every company: segments filter on
    # them with one EXISTS ("crm_score_ids any [...]").
    crm_score_ids = fields.One2many("crm.customer.score", "partner_id", string="Value Scores",
                                    groups=SCORE_GROUPS)
    crm_purchased_product_ids = fields.Many2many(
        "product.product", string="Products Bought", compute="_compute_crm_purchased_products",
        search="_search_crm_purchased_products", groups="base.group_user",
        help="Products of the confirmed orders of the customer (and its contacts) in the "
        "current company.")
    crm_birthday = fields.Date(
        string="Birthday", groups="base.group_user",
        help="A birthday activity is planned for the account manager a few days ahead "
        "(Settings > CRM > Customer Events).")

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_crm_score(self):
        """The score of each partner's commercial entity in the current company
        (one search for the whole recordset)."""
        scores = self.env["crm.customer.score"].search(
            [("partner_id", "in", self.commercial_partner_id.ids),
             ("company_id", "=", self.env.company.id)],
        )
        by_partner = {score.partner_id.id: score for score in scores}
        for partner in self:
            score = by_partner.get(partner.commercial_partner_id.id,
                                   self.env["crm.customer.score"])
            partner.crm_score_id = score
            partner.crm_value_score = score.value_score
            partner.crm_rfm_segment = score.rfm_segment
            partner.crm_rfm_code = score.rfm_code if score else False
            partner.crm_churn_risk = score.churn_risk
            partner.crm_churn_reasons = score.churn_reasons if score else False
            partner.crm_p_alive = score.p_alive
            partner.crm_predicted_clv = score.predicted_clv
            partner.crm_score_profit = score.profit
            partner.crm_score_currency_id = score.currency_id

    @api.model
    def _crm_readable_sale_lines(self, domain=()):
        """The confirmed order lines of the current company the user may read,
        as a sub-select of ids (sale.order.line's access rights and record
        rules: a salesperson of own documents sees the lines of their orders),
        or None when the user may not read order lines at all. What a customer
        bought is sales data: it is shown as the orders are."""
        Line = self.env["sale.order.line"]
        if not Line.has_access("read"):
            return None
        query = Line._search(Domain.AND([
            [("state", "=", "sale"), ("company_id", "=", self.env.company.id),
             ("product_id", "!=", False)],
            list(domain),
        ]))
        return query.subselect()

    @api.depends_context("company", "uid")
    def _compute_crm_purchased_products(self):
        ids = [pid for pid in self.ids if pid]
        bought = {}
        lines = self._crm_readable_sale_lines() if ids else None
        if lines is not None:
            self.env.flush_all()
            rows = self.env.execute_query(SQL(
                """
                SELECT c.id, array_agg(DISTINCT l.product_id)
                  FROM res_partner c
                  JOIN res_partner p ON p.commercial_partner_id = c.commercial_partner_id
                  JOIN sale_order_line l ON l.order_partner_id = p.id
                 WHERE c.id = ANY(%s) AND l.id IN %s
                 GROUP BY c.id
                """,
                ids, lines,
            ))
            bought = dict(rows)
        Product = self.env["product.product"]
        for partner in self:
            partner.crm_purchased_product_ids = Product.browse(bought.get(partner.id, []))

    def _search_crm_purchased_products(self, operator, value):
        """Commercial partners (and their contacts) with a confirmed order line
        of one of the products in the current company: one sub-select."""
        if operator not in ("in", "not in"):
            return NotImplemented
        product_ids = [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
        if len(product_ids) != len([v for v in value if v is not False]):
            return NotImplemented
        lines = self._crm_readable_sale_lines([("product_id", "in", product_ids)])
        if lines is None:
            # Who bought what is not for users who may not read orders.
            return Domain.FALSE if operator == "in" else Domain.TRUE
        buyers = SQL(
            """
            SELECT buyer.commercial_partner_id
              FROM sale_order_line l
              JOIN res_partner buyer ON buyer.id = l.order_partner_id
             WHERE l.id IN %s AND buyer.commercial_partner_id IS NOT NULL
            """,
            lines,
        )
        return Domain("commercial_partner_id", "any!" if operator == "in" else "not any!", buyers)

    def action_crm_open_score(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.customer.score",
            "res_id": self.crm_score_id.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _crm_score_partners_update(self):
        """Incremental value score update of these customers in the current
        company (see crm.customer.score._crm_score_partners)."""
        partners = self.commercial_partner_id
        if partners:
            self.env["crm.customer.score"]._crm_score_partners(partners)

    @api.model
    def _crm_grade_basis_sql(self, company):
        """Value grade by value score: the customer's stored score in the
        company (0 without a score). Pareto shares then split the total of the
        scores, and thresholds are in score points."""
        if company.crm_grade_basis != "value_score":
            return super()._crm_grade_basis_sql(company)
        return SQL(
            "COALESCE((SELECT s.value_score FROM crm_customer_score s "
            "WHERE s.partner_id = c.partner_id AND s.company_id = %s), 0)",
            company.id,
        )
    crm_xsell_rule_ids = fields.Many2many(
        "crm.cross.sell.rule", string="Recommended Products",
        compute="_compute_crm_xsell_rule_ids",
        groups="crm_extended.group_crm_extended_user",
        help="Products the customer has not bought yet in this company, each with the "
        "strongest rule that suggests it (highest lift), best first.")

    @api.depends_context("company", "uid")
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
        # Built on what the customer bought: from the orders the user may read.
        lines = self.with_company(company)._crm_readable_sale_lines()
        if lines is None:
            return {}
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
                 WHERE l.id IN %(lines)s
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
            ids=ids, company=company.id, limit=limit, lines=lines,
        ))
        return dict(self.env.cr.fetchall())
