from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

RULE_TYPES = [
    ("together", "Bought Together"),
    ("sequence", "Bought Next"),
]


class CrmCrossSellRule(models.Model):
    """An association rule "customers who buy A also buy B", mined from the
    confirmed order lines of one company.

    * ``together``: A and B in the same confirmed order; transactions are orders.
    * ``sequence``: the same commercial customer first bought B in a later order
      within the company's window after first buying A; transactions are customers.

    support = both / transactions, confidence = both / with A,
    lift = confidence / (with B / transactions).
    The rules are only written by :meth:`_mine_rules` (SQL, all at once)."""

    _name = "crm.cross.sell.rule"
    _description = "Cross-Selling Rule"
    _order = "company_id, rule_type, lift desc, confidence desc, id"
    _rec_name = "consequent_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True,
                                 index=True)
    rule_type = fields.Selection(RULE_TYPES, required=True, readonly=True)
    antecedent_id = fields.Many2one(
        "product.product", string="If Bought", required=True, readonly=True, index=True,
        ondelete="cascade")
    consequent_id = fields.Many2one(
        "product.product", string="Then Buys", required=True, readonly=True, index=True,
        ondelete="cascade")
    support = fields.Float(
        readonly=True, digits=(16, 4), aggregator="max",
        help="Share of all transactions (orders, or customers for bought next) "
        "containing both products.")
    confidence = fields.Float(
        readonly=True, digits=(16, 4), aggregator="max",
        help="Share of the transactions with the first product that also have the second one.")
    lift = fields.Float(
        readonly=True, digits=(16, 2), aggregator="max",
        help="Confidence divided by the share of transactions with the second product: "
        "above 1 the first product makes the second one more likely.")
    pair_count = fields.Integer(string="Both Bought", readonly=True, aggregator="sum")
    antecedent_count = fields.Integer(string="First Product Bought", readonly=True,
                                      aggregator="max")
    consequent_count = fields.Integer(string="Second Product Bought", readonly=True,
                                      aggregator="max")
    transaction_count = fields.Integer(
        string="Transactions", readonly=True, aggregator="max",
        help="Confirmed orders (bought together) or commercial customers with an order "
        "(bought next) of the company when the rules were mined.")
    window_days = fields.Integer(string="Window (days)", readonly=True, aggregator="max")

    _company_antecedent_idx = models.Index("(company_id, rule_type, antecedent_id)")
    _company_consequent_idx = models.Index("(company_id, rule_type, consequent_id)")

    @api.depends("antecedent_id", "consequent_id", "rule_type")
    def _compute_display_name(self):
        types = dict(self._fields["rule_type"]._description_selection(self.env))
        for rule in self:
            rule.display_name = self.env._(
                "%(type)s: %(first)s → %(second)s", type=types.get(rule.rule_type),
                first=rule.antecedent_id.display_name, second=rule.consequent_id.display_name)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_recompute(self):
        """Manager button (list header, settings): mine the rules again for the
        companies selected; the rules selected in the list, if any, do not matter."""
        if not self.env.user.has_group("crm_extended.group_crm_extended_manager"):
            raise AccessError(
                self.env._("Only CRM managers can recompute the cross-selling rules."))
        counts = self.sudo()._mine_rules(self.env.companies)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(together)s bought together and %(sequence)s bought next rules found.",
                    together=counts["together"], sequence=counts["sequence"]),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_mine_rules(self):
        # pylint: disable-next=no-search-all  # every company: the cron covers them all, one at a time
        self._mine_rules(self.env["res.company"].sudo().search([]))

    # ------------------------------------------------------------
    # MINING
    # ------------------------------------------------------------

    @api.model
    def _mine_rules(self, companies):
        """Replace the rules of ``companies`` by freshly mined ones, in this
        transaction (a reader sees the old rules or the new ones).

        :return: dict with the number of rules per type
        """
        self.env.flush_all()
        cr = self.env.cr
        company_ids = list(companies.ids)
        cr.execute(SQL("DELETE FROM crm_cross_sell_rule WHERE company_id = ANY(%s)", company_ids))
        cr.execute(self._together_query(company_ids))
        together = cr.rowcount
        cr.execute(self._sequence_query(company_ids))
        sequence = cr.rowcount
        # a technical time stamp, written for whoever may mine the rules
        companies.sudo().write({"crm_xsell_computed_at": fields.Datetime.now()})
        self.invalidate_model()
        return {"together": together, "sequence": sequence}

    def _insert_rules(self, rule_type):
        """INSERT of the rules from the CTEs ``pairs`` (company_id, a, b, n),
        ``counts`` (company_id, product_id, n) and ``totals`` (company_id, n),
        filtered by the thresholds of each company."""
        return SQL(
            """
            INSERT INTO crm_cross_sell_rule (
                company_id, rule_type, antecedent_id, consequent_id, support, confidence, lift,
                pair_count, antecedent_count, consequent_count, transaction_count, window_days,
                create_uid, write_uid, create_date, write_date)
            SELECT company_id, %(rule_type)s, a, b, support, confidence, lift,
                   n, n_a, n_b, total, %(window)s, %(uid)s, %(uid)s,
                   now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM (
                SELECT p.company_id, p.a, p.b, p.n, ca.n AS n_a, cb.n AS n_b, t.n AS total,
                       p.n::numeric / t.n AS support,
                       p.n::numeric / ca.n AS confidence,
                       (p.n::numeric * t.n) / (ca.n::numeric * cb.n) AS lift,
                       c.crm_xsell_min_confidence, c.crm_xsell_min_lift,
                       c.crm_xsell_sequence_days AS days
                  FROM pairs p
                  JOIN totals t ON t.company_id = p.company_id
                  JOIN res_company c ON c.id = p.company_id
                  JOIN counts ca ON ca.company_id = p.company_id AND ca.product_id = p.a
                  JOIN counts cb ON cb.company_id = p.company_id AND cb.product_id = p.b
              ) r
             WHERE confidence * 100 >= crm_xsell_min_confidence - 1e-9
               AND lift >= crm_xsell_min_lift - 1e-9
            """,
            rule_type=rule_type, uid=self.env.uid,
            window=SQL("days") if rule_type == "sequence" else SQL("NULL::int"),
        )

    def _together_query(self, company_ids):
        """Pairs of distinct products in the same confirmed order, both directions."""
        return SQL(
            """
            WITH items AS (
                SELECT DISTINCT l.company_id, l.order_id, l.product_id
                  FROM sale_order_line l
                 WHERE l.state = 'sale' AND l.company_id = ANY(%(companies)s)
                   AND l.product_id IS NOT NULL AND l.display_type IS NULL
                   AND l.is_downpayment IS NOT TRUE
            ), totals AS (
                SELECT company_id, count(DISTINCT order_id) AS n FROM items GROUP BY company_id
            ), counts AS (
                SELECT company_id, product_id, count(*) AS n FROM items GROUP BY company_id, product_id
            ), frequent AS (
                -- a product under the minimum support cannot be in a frequent pair
                SELECT ct.company_id, ct.product_id
                  FROM counts ct
                  JOIN totals t ON t.company_id = ct.company_id
                  JOIN res_company c ON c.id = ct.company_id
                 WHERE ct.n * 100.0 >= c.crm_xsell_min_support * t.n - 1e-9
            ), frequent_items AS (
                SELECT i.* FROM items i
                  JOIN frequent f ON f.company_id = i.company_id AND f.product_id = i.product_id
            ), half AS (
                SELECT x.company_id, x.product_id AS a, y.product_id AS b, count(*) AS n
                  FROM frequent_items x
                  JOIN frequent_items y ON y.order_id = x.order_id AND y.product_id > x.product_id
                 GROUP BY x.company_id, x.product_id, y.product_id
            ), pairs AS (
                SELECT h.company_id, h.a, h.b, h.n
                  FROM half h
                  JOIN totals t ON t.company_id = h.company_id
                  JOIN res_company c ON c.id = h.company_id
                 WHERE h.n * 100.0 >= c.crm_xsell_min_support * t.n - 1e-9
                UNION ALL
                SELECT h.company_id, h.b, h.a, h.n
                  FROM half h
                  JOIN totals t ON t.company_id = h.company_id
                  JOIN res_company c ON c.id = h.company_id
                 WHERE h.n * 100.0 >= c.crm_xsell_min_support * t.n - 1e-9
            )
            %(insert)s
            """,
            companies=company_ids,
            insert=self._insert_rules("together"),
        )

    def _sequence_query(self, company_ids):
        """Customers whose first purchase of B came in a later order within the
        company's window after their first purchase of A: the order in which a
        customer takes up products. First purchases keep the self-join at one
        row per customer and product, whatever the customer's order count."""
        return SQL(
            """
            WITH firsts AS (
                SELECT l.company_id, p.commercial_partner_id AS customer_id,
                       l.product_id, min(o.date_order) AS first_date
                  FROM sale_order_line l
                  JOIN sale_order o ON o.id = l.order_id
                  JOIN res_partner p ON p.id = l.order_partner_id
                 WHERE l.state = 'sale' AND l.company_id = ANY(%(companies)s)
                   AND l.product_id IS NOT NULL AND l.display_type IS NULL
                   AND l.is_downpayment IS NOT TRUE
                 GROUP BY l.company_id, p.commercial_partner_id, l.product_id
            ), totals AS (
                SELECT company_id, count(DISTINCT customer_id) AS n FROM firsts GROUP BY company_id
            ), counts AS (
                SELECT company_id, product_id, count(*) AS n
                  FROM firsts GROUP BY company_id, product_id
            ), frequent AS (
                SELECT ct.company_id, ct.product_id, c.crm_xsell_sequence_days AS days
                  FROM counts ct
                  JOIN totals t ON t.company_id = ct.company_id
                  JOIN res_company c ON c.id = ct.company_id
                 WHERE ct.n * 100.0 >= c.crm_xsell_min_support * t.n - 1e-9
            ), frequent_firsts AS (
                SELECT fi.*, f.days FROM firsts fi
                  JOIN frequent f ON f.company_id = fi.company_id AND f.product_id = fi.product_id
            ), pairs AS (
                SELECT x.company_id, x.product_id AS a, y.product_id AS b, count(*) AS n
                  FROM frequent_firsts x
                  JOIN frequent_firsts y
                    ON y.company_id = x.company_id AND y.customer_id = x.customer_id
                   AND y.first_date > x.first_date
                   AND y.first_date <= x.first_date + make_interval(days => x.days)
                  JOIN totals t ON t.company_id = x.company_id
                  JOIN res_company c ON c.id = x.company_id
                 GROUP BY x.company_id, x.product_id, y.product_id, t.n, c.crm_xsell_min_support
                HAVING count(*) * 100.0 >= c.crm_xsell_min_support * t.n - 1e-9
            )
            %(insert)s
            """,
            companies=company_ids,
            insert=self._insert_rules("sequence"),
        )

    def action_open_target_customers(self):
        """Customers who bought the first product but not yet the second one."""
        self.ensure_one()
        segment = self.env["crm.cross.sell.segment"].create({
            "company_id": self.company_id.id,
            "bought_product_id": self.antecedent_id.id,
            "not_bought_product_id": self.consequent_id.id,
        })
        return segment.action_open_partners()
