from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestServiceContractPortal(HttpCase):
    """/my/contracts over HTTP: a customer sees their contracts, coverage,
    remaining entitlement and visits, and nobody else's, by id or by token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Portal Customer Co", "is_company": True})
        cls.contact = Partner.create({"name": "Portal Contact", "parent_id": cls.customer.id,
                                      "email": "contact@example.com"})
        cls.stranger = Partner.create({"name": "Stranger Co", "is_company": True})
        cls.portal_user = new_test_user(
            cls.env, login="contract_portal", groups="base.group_portal",
            partner_id=cls.contact.id)
        cls.machine = cls.env["product.product"].create({"name": "Portal Boiler", "type": "consu"})
        today = fields.Date.today()
        Contract = cls.env["crm.service.contract"]
        cls.contract = Contract.create({
            "partner_id": cls.customer.id,
            "date_start": today - relativedelta(months=1),
            "date_end": today + relativedelta(months=11),
            "included_visits": 4,
            "first_response_hours": 8.0,
            "resource_calendar_id": cls.env.ref("crm_extended.resource_calendar_7x24").id,
            "note": "<p>INTERNAL-TERMS-SECRET</p>",
            "line_ids": [Command.create({"product_id": cls.machine.id})],
        })
        cls.contract.action_activate()
        visit = cls.env["crm.service.visit"].create({
            "contract_id": cls.contract.id, "date": fields.Datetime.now(),
            "report": "<p>Replaced the pump</p>",
        })
        visit.action_done()
        cls.done_visit = visit
        cls.foreign = Contract.create({
            "partner_id": cls.stranger.id,
            "date_start": today, "date_end": today + relativedelta(months=6),
        })
        cls.foreign.action_activate()
        cls.draft = Contract.create({
            "partner_id": cls.customer.id, "date_start": today,
            "date_end": today + relativedelta(months=6),
        })

    def test_list_and_detail(self):
        self.authenticate("contract_portal", "contract_portal")
        response = self.url_open("/my/contracts")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.contract.name, response.text)
        self.assertNotIn(self.foreign.name, response.text)
        self.assertNotIn(self.draft.name, response.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/contracts", home.text)

        response = self.url_open(f"/my/contracts/{self.contract.id}")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.url.endswith("/my"))
        page = response.text
        self.assertIn("7x24 Coverage", page)
        self.assertIn("Portal Boiler", page)
        self.assertIn(self.done_visit.name, page)
        self.assertRegex(page, r'o_remaining_visits">3<')

    def test_guessing_ids_and_tokens(self):
        self.authenticate("contract_portal", "contract_portal")
        for contract in (self.foreign, self.draft):
            response = self.url_open(f"/my/contracts/{contract.id}")
            self.assertTrue(response.url.endswith("/my"), response.url)
            self.assertNotIn(contract.name, response.text)
        # Someone else's token does not open a contract.
        other_token = self.contract._portal_ensure_token()
        response = self.url_open(
            f"/my/contracts/{self.foreign.id}?access_token={other_token}")
        self.assertTrue(response.url.endswith("/my"))
        self.assertNotIn(self.foreign.name, response.text)
        # The right token opens it, even without an account.
        self.logout()
        token = self.foreign._portal_ensure_token()
        response = self.url_open(f"/my/contracts/{self.foreign.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.foreign.name, response.text)
        response = self.url_open(f"/my/contracts/{self.foreign.id}?access_token=wrong")
        self.assertNotIn(self.foreign.name, response.text)
        response = self.url_open("/my/contracts")
        self.assertNotIn(self.contract.name, response.text)

    def test_portal_user_reads_no_internal_data_over_rpc(self):
        self.authenticate("contract_portal", "contract_portal")
        result = self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "crm.service.contract", "method": "search_read",
            "args": [[]], "kwargs": {"fields": ["name"]},
        })
        self.assertEqual([row["name"] for row in result], [self.contract.name])
        visits = self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "crm.service.visit", "method": "search_read",
            "args": [[]], "kwargs": {"fields": ["name", "state"]},
        })
        self.assertEqual([row["name"] for row in visits], [self.done_visit.name])
        # Costs, reports and parts are internal.
        with mute_logger("odoo.http"), self.assertRaisesRegex(Exception, "AccessError"):
            self.make_jsonrpc_request("/web/dataset/call_kw", {
                "model": "crm.service.visit", "method": "read",
                "args": [self.done_visit.ids, ["cost"]], "kwargs": {},
            })
        with mute_logger("odoo.http"), self.assertRaisesRegex(Exception, "AccessError"):
            self.make_jsonrpc_request("/web/dataset/call_kw", {
                "model": "crm.service.visit.part", "method": "search_read",
                "args": [[]], "kwargs": {"fields": ["product_id"]},
            })
