import json

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged, users

from odoo.addons.crm_extended.tests.common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestCustomerScoreApi(CrmExtendedCase):
    """crm_api_read_scores: the table external tools read, with the rules of
    search_read (company rule, access rights) and validated arguments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.customer.score"]
        cls.customers = cls.env["res.partner"]
        for index in range(4):
            partner = cls._crm_customer(f"API Buyer {index}", crm_external_ref=f"API-{index}")
            cls._crm_orders(partner, [(10 + 30 * k, 100.0 * (index + 1)) for k in range(index + 1)])
            cls.customers |= partner
        cls.other_company = cls.env["res.company"].create({"name": "Other Scoring Company"})
        cls.foreign_customer = cls._crm_customer("Other Company Buyer")
        cls._crm_orders(cls.foreign_customer, [(5, 900.0), (50, 900.0)], company=cls.other_company)
        cls.Score._crm_score_company(cls.company)
        cls.Score._crm_score_company(cls.other_company)
        cls.portal_user = new_test_user(cls.env, login="api_portal", groups="base.group_portal")

    @users("crm_salesman")
    def test_rows_match_the_records(self):
        # Ours only: the database may hold other scores (a developer's data).
        domain = [("partner_id", "in", (self.customers | self.foreign_customer).ids)]
        answer = self.env["crm.customer.score"].crm_api_read_scores(
            domain=domain, columns=["partner_id", "name", "external_ref", "value_score", "rfm_code"])
        scores = self.env["crm.customer.score"].search(domain, order="value_score desc, id")
        self.assertEqual(answer["total"], len(scores))
        self.assertEqual(answer["rows"], [
            [s.partner_id.id, s.partner_id.name, s.partner_id.crm_external_ref,
             s.value_score, s.rfm_code] for s in scores])
        # The company rule applies: only the current company's customers.
        self.assertEqual({row[0] for row in answer["rows"]}, set(self.customers.ids))
        self.assertNotIn(self.foreign_customer.id, [row[0] for row in answer["rows"]])

    @users("crm_salesman")
    def test_pages_and_domain(self):
        Score = self.env["crm.customer.score"]
        mine = [("partner_id", "in", self.customers.ids)]
        whole = Score.crm_api_read_scores(domain=mine, columns=["partner_id"])["rows"]
        first = Score.crm_api_read_scores(domain=mine, limit=3, columns=["partner_id"])
        rest = Score.crm_api_read_scores(domain=mine, offset=3, limit=3, columns=["partner_id"])
        self.assertEqual(first["total"], 4)
        self.assertEqual(first["rows"] + rest["rows"], whole)
        one = Score.crm_api_read_scores(
            domain=[("partner_id.crm_external_ref", "=", "API-2")], columns=["external_ref"])
        self.assertEqual(one, {"columns": ["external_ref"], "rows": [["API-2"]], "total": 1})
        # The same table as one JSON text, for XML-RPC clients.
        packed = Score.crm_api_read_scores(domain=mine, columns=["partner_id"], rows_as_json=True)
        self.assertIsInstance(packed["rows"], str)
        self.assertEqual(json.loads(packed["rows"]), whole)

    def test_bad_arguments_refused(self):
        Score = self.Score.with_user(self.salesman)
        for kwargs in ({"limit": -1}, {"offset": True}, {"limit": 100_001},
                       {"columns": ["partner_id", "password"]}, {"columns": "name"},
                       {"domain": "everything"}, {"domain": [("no_such_field", "=", 1)]},
                       {"rows_as_json": "yes"}):
            with self.subTest(kwargs=kwargs), self.assertRaises(ValidationError):
                Score.crm_api_read_scores(**kwargs)

    def test_portal_reads_nothing(self):
        with self.assertRaises(AccessError):
            self.Score.with_user(self.portal_user).crm_api_read_scores(limit=1)
