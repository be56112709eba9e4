from collections import defaultdict
from itertools import permutations

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged, users

from odoo.addons.crm_extended.tests.common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestCrossSell(CrmExtendedCase):
    """Rules mined in SQL agree with a direct Python computation on a known
    basket set; recommendations, the segment and the access rights."""

    # (customer key, days ago, products) per confirmed order
    BASKETS = [
        ("c1", 100, "AB"), ("c1", 90, "C"),
        ("c2", 80, "ABC"),
        ("c3", 300, "A"), ("c3", 100, "B"),  # B 200 days after A
        ("c4", 50, "BC"),
        ("c5", 60, "AB"), ("c5", 30, "D"),
        ("c6", 20, "AC"),
        ("c7", 10, "A"),
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Second Meat Co"})
        cls.products = {
            code: cls.env["product.product"].create({
                "name": f"Basket Product {code}", "type": "service", "list_price": 10.0,
                "taxes_id": False,
            })
            for code in "ABCDE"
        }
        cls.customers = {
            key: cls._crm_customer(f"Basket Customer {key}")
            for key in sorted({basket[0] for basket in cls.BASKETS})
        }
        # c1 orders once through a contact person: rules count its company.
        cls.contact = cls.env["res.partner"].create(
            {"name": "李娜", "parent_id": cls.customers["c1"].id})
        for key, days_ago, codes in cls.BASKETS:
            partner = cls.contact if (key, days_ago) == ("c1", 90) else cls.customers[key]
            cls._basket_order(partner, codes, days_ago)
        # An unconfirmed quotation and another company's order change nothing here.
        cls._basket_order(cls.customers["c7"], "BD", 5, confirm=False)
        cls._basket_order(cls.customers["c7"], "AE", 5, company=cls.other_company)
        cls._basket_order(cls.customers["c6"], "AE", 4, company=cls.other_company)
        cls.company.write({
            "crm_xsell_min_support": 0.01, "crm_xsell_min_confidence": 0.0,
            "crm_xsell_min_lift": 0.0, "crm_xsell_sequence_days": 90,
        })
        cls.analyst = new_test_user(
            cls.env, login="crm_xsell_analyst", name="Analyst",
            groups="crm_analytics.group_crm_analytics_user")

    @classmethod
    def _basket_order(cls, partner, codes, days_ago, company=None, confirm=True):
        company = company or cls.company
        order = cls.env["sale.order"].with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [Command.create({
                "product_id": cls.products[code].id, "product_uom_qty": 1.0,
                "price_unit": 10.0, "tax_ids": [Command.clear()],
            }) for code in codes],
        })
        if confirm:
            order.with_context(allowed_company_ids=[company.id]).action_confirm()
        order.date_order = cls._crm_datetime(days_ago)
        return order

    def _mine(self, company=None):
        Rule = self.env["crm.cross.sell.rule"]
        Rule._mine_rules(company or self.company)
        return Rule.search([("company_id", "=", (company or self.company).id)])

    def _rules(self, rules, rule_type):
        code = {p: c for c, p in self.products.items()}
        return {
            (code[r.antecedent_id], code[r.consequent_id]):
                (r.support, r.confidence, r.lift, r.pair_count, r.transaction_count)
            for r in rules if r.rule_type == rule_type
        }

    # ------------------------------------------------------------
    # Direct computations
    # ------------------------------------------------------------

    def _direct_together(self, min_support=0.0, min_confidence=0.0, min_lift=0.0):
        orders = [set(codes) for _key, _days, codes in self.BASKETS]
        return self._direct_rules(orders, min_support, min_confidence, min_lift,
                                  lambda a, b: sum(1 for o in orders if a in o and b in o))

    def _direct_sequence(self, days, min_support=0.0, min_confidence=0.0, min_lift=0.0):
        history = defaultdict(list)
        for key, days_ago, codes in self.BASKETS:
            history[key].append((days_ago, set(codes)))
        baskets = [set().union(*(codes for _d, codes in h)) for h in history.values()]

        def first(h, code):  # days ago of the first purchase, None if never
            return max((d for d, codes in h if code in codes), default=None)

        def both(a, b):
            return sum(
                1 for h in history.values()
                if first(h, a) is not None and first(h, b) is not None
                and 0 < first(h, a) - first(h, b) <= days
            )
        return self._direct_rules(baskets, min_support, min_confidence, min_lift, both)

    def _direct_rules(self, transactions, min_support, min_confidence, min_lift, both):
        total = len(transactions)
        count = {c: sum(1 for t in transactions if c in t) for c in "ABCDE"}
        rules = {}
        for a, b in permutations("ABCDE", 2):
            n = both(a, b)
            if not n:
                continue
            support, confidence = n / total, n / count[a]
            lift = confidence / (count[b] / total)
            if support * 100 >= min_support and confidence * 100 >= min_confidence \
                    and lift >= min_lift:
                rules[(a, b)] = (support, confidence, lift, n, total)
        return rules

    def _assert_rules_equal(self, mined, direct):
        self.assertEqual(set(mined), set(direct))
        for pair, expected in direct.items():
            support, confidence, lift, n, total = mined[pair]
            self.assertEqual((n, total), expected[3:], pair)
            self.assertAlmostEqual(support, expected[0], places=4, msg=pair)
            self.assertAlmostEqual(confidence, expected[1], places=4, msg=pair)
            self.assertAlmostEqual(lift, expected[2], places=2, msg=pair)

    # ------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------

    def test_together_rules_match_direct_computation(self):
        rules = self._mine()
        mined = self._rules(rules, "together")
        self._assert_rules_equal(mined, self._direct_together())
        # 10 orders, A in 6, C in 4, A and C in 2.
        support, confidence, lift, n, total = mined[("A", "C")]
        self.assertEqual((n, total), (2, 10))
        self.assertAlmostEqual(support, 0.2, places=4)
        self.assertAlmostEqual(confidence, 2 / 6, places=4)
        self.assertAlmostEqual(lift, (2 / 6) / (4 / 10), places=2)
        self.assertNotIn(("B", "D"), mined, "quotations are not mined")
        self.assertNotIn(("A", "E"), mined, "another company's orders are not mined")

    def test_thresholds_filter_rules(self):
        self.company.write({"crm_xsell_min_support": 20.0, "crm_xsell_min_confidence": 50.0,
                            "crm_xsell_min_lift": 1.0})
        rules = self._mine()
        self._assert_rules_equal(self._rules(rules, "together"),
                                 self._direct_together(20.0, 50.0, 1.0))
        self._assert_rules_equal(self._rules(rules, "sequence"),
                                 self._direct_sequence(90, 20.0, 50.0, 1.0))
        self.assertTrue(self._rules(rules, "together"), "the crafted set keeps some rules")
        with self.assertRaises(ValidationError):
            self.company.crm_xsell_min_support = 0.0
        with self.assertRaises(ValidationError):
            self.company.crm_xsell_sequence_days = 0

    def test_sequence_window(self):
        rules = self._mine()
        mined = self._rules(rules, "sequence")
        self._assert_rules_equal(mined, self._direct_sequence(90))
        # c1 bought C 10 days after A and B; c5 bought D 30 days after A and B;
        # c3's B came 200 days after A: outside the window.
        self.assertEqual(mined[("A", "C")][3], 1)
        self.assertEqual(mined[("B", "D")][3], 1)
        self.assertNotIn(("A", "B"), mined)
        self.assertNotIn(("C", "A"), mined, "earlier purchases are not bought next")
        self.assertEqual(rules.filtered(lambda r: r.rule_type == "sequence")[:1].window_days, 90)

        self.company.crm_xsell_sequence_days = 365
        mined = self._rules(self._mine(), "sequence")
        self._assert_rules_equal(mined, self._direct_sequence(365))
        self.assertEqual(mined[("A", "B")][3], 1, "c3 counts with a one-year window")

    def test_recompute_replaces_previous_rules(self):
        first = self._mine()
        self.assertEqual(len(self._mine()), len(first), "no duplicates")
        self.assertFalse(first.exists(), "old rules are replaced")
        other = self._mine(self.other_company)
        self.assertEqual(set(self._rules(other, "together")), {("A", "E"), ("E", "A")})
        self.assertEqual(self.env["crm.cross.sell.rule"].search_count(
            [("company_id", "=", self.company.id)]), len(first),
            "mining one company keeps the other's rules")
        self.assertTrue(self.company.crm_xsell_computed_at)

    def test_recommendations_exclude_bought_products(self):
        self._mine()
        c6, c7 = self.customers["c6"], self.customers["c7"]
        partners = c6 | c7 | self.contact
        recommendations = partners._crm_xsell_recommendations()
        Rule = self.env["crm.cross.sell.rule"]
        code = {p: c for c, p in self.products.items()}
        c6_rules = Rule.browse(recommendations[c6.id])
        # c6 bought A and C: B and D are suggested, never A or C.
        self.assertEqual({code[p] for p in c6_rules.consequent_id}, {"B", "D"})
        self.assertTrue(all(code[r.antecedent_id] in "AC" for r in c6_rules))
        self.assertEqual(c6_rules.mapped("lift"), sorted(c6_rules.mapped("lift"), reverse=True))
        # c7 bought only A (its B/D quotation is not confirmed): B, C and D.
        self.assertEqual({code[p] for p in Rule.browse(recommendations[c7.id]).consequent_id},
                         {"B", "C", "D"})
        # A contact person gets the recommendations of its company, which bought A, B, C.
        self.assertEqual({code[p] for p in Rule.browse(recommendations[self.contact.id])
                          .consequent_id}, {"D"})
        self.assertEqual(c6.crm_xsell_rule_ids, c6_rules, "the field shows the same rules")
        best_b = max((r for r in c6_rules.search([
            ("company_id", "=", self.company.id), ("consequent_id", "=", self.products["B"].id),
            ("antecedent_id", "in", [self.products["A"].id, self.products["C"].id])])),
            key=lambda r: r.lift)
        self.assertIn(best_b, c6_rules, "each product comes with its strongest rule")

    def test_segment_bought_a_but_not_b(self):
        segment = self.env["crm.cross.sell.segment"].create({
            "bought_product_id": self.products["A"].id,
            "not_bought_product_id": self.products["B"].id,
        })
        action = segment.action_open_partners()
        partners = self.env["res.partner"].search(action["domain"])
        direct = {key for key, _d, codes in self.BASKETS if "A" in codes} - {
            key for key, _d, codes in self.BASKETS if "B" in codes}
        self.assertEqual(partners, self.customers["c6"] | self.customers["c7"])
        self.assertEqual({k for k, p in self.customers.items() if p in partners}, direct)
        segment.date_from = self._crm_datetime(15).date()
        self.assertEqual(self.env["res.partner"].search(segment.action_open_partners()["domain"]),
                         self.customers["c7"])
        segment.not_bought_product_id = self.products["A"]
        with self.assertRaises(UserError):
            segment.action_open_partners()

    @users("crm_salesman")
    def test_sales_users_read_managers_recompute(self):
        self.env["crm.cross.sell.rule"].sudo()._mine_rules(self.company)
        Rule = self.env["crm.cross.sell.rule"]
        self.assertTrue(Rule.search([]), "sales users read the rules")
        with self.assertRaises(AccessError):
            Rule.action_recompute()
        with self.assertRaises(AccessError):
            Rule.search([], limit=1).write({"lift": 99})
        template = self.products["A"].product_tmpl_id.with_env(self.env)
        self.assertEqual(template.crm_xsell_together_count,
                         len(self._direct_together().keys() & {("A", c) for c in "BCDE"}))
        self.assertEqual(template.crm_xsell_sequence_count, 2)
        action = template.action_crm_xsell_sequence()
        self.assertEqual(Rule.search(action["domain"]).consequent_id,
                         self.products["C"] | self.products["D"])
        target = Rule.search([("rule_type", "=", "together"),
                              ("antecedent_id", "=", self.products["A"].id),
                              ("consequent_id", "=", self.products["B"].id)])
        # Who bought what comes from the orders the user may read: this
        # salesperson of own documents sees the customers of their own orders.
        self.assertFalse(self.env["res.partner"].search(
            target.action_open_target_customers()["domain"]))
        self.env["sale.order"].sudo().search(
            [("partner_id", "=", self.customers["c6"].id)]).user_id = self.env.user
        self.assertEqual(self.env["res.partner"].search(
            target.action_open_target_customers()["domain"]), self.customers["c6"])
        self.assertEqual(self.env["res.partner"].with_user(self.manager).search(
            target.with_user(self.manager).action_open_target_customers()["domain"]),
            self.customers["c6"] | self.customers["c7"])

        manager_rules = Rule.with_user(self.manager)
        result = manager_rules.action_recompute()
        self.assertEqual(result["params"]["type"], "success")

    def test_other_company_users_do_not_see_rules(self):
        self._mine()
        self._mine(self.other_company)
        other_user = new_test_user(
            self.env, login="crm_xsell_other", name="Other Company Salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.other_company.id, company_ids=[self.other_company.id])
        rules = self.env["crm.cross.sell.rule"].with_user(other_user).search([])
        self.assertEqual(rules.company_id, self.other_company)
    def test_sequence_uses_first_purchases(self):
        # c8 bought B, then A 100 days later, then B again 50 days after A: B was
        # taken up before A, so it counts for B -> A only.
        c8 = self._crm_customer("Basket Customer c8")
        extra = [("c8", 200, "B"), ("c8", 100, "A"), ("c8", 50, "B")]
        for _key, days_ago, codes in extra:
            self._basket_order(c8, codes, days_ago)
        self.BASKETS = self.BASKETS + extra
        self.company.crm_xsell_sequence_days = 365
        mined = self._rules(self._mine(), "sequence")
        self._assert_rules_equal(mined, self._direct_sequence(365))
        self.assertEqual(mined[("A", "B")][3], 1, "only c3 took up B after A")
        self.assertEqual(mined[("B", "A")][3], 1, "c8 took up A after B")
