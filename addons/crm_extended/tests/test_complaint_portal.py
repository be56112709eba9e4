from odoo.exceptions import AccessError
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged

from .complaint_common import CrmComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintPortal(CrmComplaintCase, HttpCase):
    """Over HTTP: a customer sees, submits and rates their own company's
    complaints, never another customer's, even guessing ids and tokens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="cmp_portal", password="cmp_portal_pw", name="Wang Li Portal",
            groups="base.group_portal",
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.other_customer = cls._crm_customer("Restaurant Chain", email="chef@rest.example.com")
        cls.own = cls._complaint(name="Lids do not close", description="<p>Batch 42</p>")
        # Another contact of the same company: the portal user sees it too.
        cls.colleague = cls._complaint(name="Late delivery of cans")
        cls.foreign = cls._complaint(name="Secret restaurant issue",
                                     partner_id=cls.other_customer.id)

    def setUp(self):
        super().setUp()
        self.authenticate("cmp_portal", "cmp_portal_pw")

    def test_list_and_detail_own_company_only(self):
        page = self.url_open("/my/complaints").text
        self.assertIn(self.own.code, page)
        self.assertIn(self.colleague.code, page)
        self.assertNotIn(self.foreign.code, page)
        self.assertNotIn("Secret restaurant issue", page)
        detail = self.url_open(f"/my/complaints/{self.own.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn("Lids do not close", detail.text)
        self.assertIn("Batch 42", detail.text)

    def test_guessing_ids_and_tokens(self):
        # Another customer's id: sent back to /my, nothing of the record shown.
        response = self.url_open(f"/my/complaints/{self.foreign.id}")
        self.assertNotIn("Secret restaurant issue", response.text)
        self.assertTrue(response.url.endswith("/my"), response.url)
        # With a made-up token, or the token of the user's own complaint.
        own_token = self.own._portal_ensure_token()
        self.foreign._portal_ensure_token()
        for token in ("0123456789abcdef", own_token):
            response = self.url_open(f"/my/complaints/{self.foreign.id}?access_token={token}")
            self.assertNotIn("Secret restaurant issue", response.text)
            self.assertTrue(response.url.endswith("/my"), response.url)
        # A record that does not exist.
        response = self.url_open("/my/complaints/987654321")
        self.assertTrue(response.url.endswith("/my"))
        # The ORM under the portal user's rights says the same.
        Complaint = self.env["crm.complaint"].with_user(self.portal_user)
        self.assertEqual(Complaint.search([]), self.own | self.colleague)
        with self.assertRaises(AccessError):
            Complaint.browse(self.foreign.id).read(["name"])
        with self.assertRaises(AccessError):
            Complaint.browse(self.own.id).write({"name": "Changed"})

    def test_the_email_link_token_opens_the_record(self):
        """The access token sent by email opens exactly its own record, even
        logged out."""
        self.logout()
        token = self.foreign._portal_ensure_token()
        response = self.url_open(f"/my/complaints/{self.foreign.id}?access_token={token}")
        self.assertIn("Secret restaurant issue", response.text)
        response = self.url_open(f"/my/complaints/{self.own.id}?access_token={token}")
        self.assertNotIn("Lids do not close", response.text)

    def test_submit_form(self):
        Complaint = self.env["crm.complaint"]
        before = Complaint.search_count([])
        # Bad input: no subject, someone else's order -> errors, nothing created.
        other_order = self.env["sale.order"].create({"partner_id": self.other_customer.id})
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "",
            "complaint_type": "complaint", "sale_order_id": str(other_order.id),
        })
        self.assertIn("Please give your message a subject.", response.text)
        self.assertIn("This order is not one of yours.", response.text)
        self.assertEqual(Complaint.search_count([]), before)
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "Great service",
            "complaint_type": "praise", "description": "Thanks to Agent One\nfor the quick help",
        })
        complaint = Complaint.search([("name", "=", "Great service")])
        self.assertEqual(len(complaint), 1)
        self.assertTrue(response.url.endswith(f"/my/complaints/{complaint.id}"))
        self.assertEqual(complaint.partner_id, self.portal_user.partner_id)
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertEqual((complaint.channel, complaint.complaint_type), ("portal", "praise"))
        self.assertEqual(complaint.team_id, self.team)
        self.assertTrue(complaint.resolution_deadline)

    def test_submit_form_limits(self):
        """A 2 MB subject, an endless description, the eleventh message of the
        hour: refused with a message on the form, nothing created, no e-mail."""
        Complaint = self.env["crm.complaint"]
        before = Complaint.search_count([])
        mails = self.env["mail.mail"].search_count([])
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "x" * (2 * 1024 * 1024),
            "complaint_type": "complaint", "description": "y" * 10001,
        })
        self.assertIn("The subject is too long: at most 200 characters.", response.text)
        self.assertIn("The description is too long: at most 10000 characters.", response.text)
        self.assertEqual(Complaint.search_count([]), before)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # The customer's company already sent ten through the portal this hour
        # (another contact's count too); older ones and other channels do not count.
        self.env["crm.complaint"].create([
            {"name": f"Portal message {n}", "partner_id": self.customer.id, "channel": "portal"}
            for n in range(9)
        ] + [{"name": "By phone", "partner_id": self.customer.id, "channel": "phone"}])
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "Tenth", "complaint_type": "complaint",
        })
        self.assertEqual(Complaint.search_count([("name", "=", "Tenth")]), 1)
        before = Complaint.search_count([])
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "Eleventh",
            "complaint_type": "complaint",
        })
        self.assertIn("You have sent 10 messages in the last hour", response.text)
        self.assertEqual(Complaint.search_count([]), before)

    def test_portal_reads_no_internal_field(self):
        """Over RPC the portal user reads the customer-facing fields of their
        complaint, not the team, handler, deadlines, cost or root cause."""
        self.own.write({"compensation_cost": 120.0, "followup_outcome": "Happy again"})
        complaint = self.own.with_user(self.portal_user)
        values = complaint.read(["name", "code", "stage_id", "resolution", "description"])[0]
        self.assertEqual(values["name"], "Lids do not close")
        for field in ("compensation_cost", "escalation_level", "resolution_deadline",
                      "first_response_deadline", "team_id", "user_id", "tier_id",
                      "root_cause_id", "followup_outcome", "billable", "sla_status"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                complaint.read([field])
        self.assertNotIn("compensation_cost", complaint.fields_get())
        # The portal page still shows the handler (rendered with sudo).
        response = self.url_open(f"/my/complaints/{self.own.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Lids do not close", response.text)

    def test_submit_form_refuses_nul_bytes_and_oversize_text(self):
        """A NUL byte would be a database error (HTTP 500) and a novel-sized
        description a burden: the form says so instead, and creates nothing."""
        Complaint = self.env["crm.complaint"]
        before = Complaint.search_count([])
        for data, message in (
            ({"name": "Broken\x00lid"}, "Subject must not contain NUL characters."),
            ({"name": "Broken lid", "description": "d" * 70000},
             "The description is too long: at most 10000 characters."),
            ({"name": "s" * 300}, "The subject is too long: at most 200 characters."),
            ({"name": "Broken lid", "sale_order_id": "9" * 30}, "This order is not one of yours."),
        ):
            with self.subTest(data=list(data)):
                response = self.url_open("/my/complaints/new", data={
                    "csrf_token": Request.csrf_token(self), "complaint_type": "complaint",
                    **data,
                })
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
        self.assertEqual(Complaint.search_count([]), before)

    def test_message_and_rating_of_the_resolution(self):
        # A message from the portal chatter lands on the complaint.
        self.make_jsonrpc_request("/mail/message/post", {
            "thread_model": "crm.complaint",
            "thread_id": self.own.id,
            "post_data": {"body": "Photo of the lid attached", "message_type": "comment"},
        })
        self.assertTrue(self.own.message_ids.filtered(
            lambda m: "Photo of the lid" in (m.body or "")
            and m.author_id == self.portal_user.partner_id
        ))
        page = self.url_open(f"/my/complaints/{self.own.id}").text
        self.assertNotIn("/rate/", page, "no rating before the resolution")
        self.own.write({"stage_id": self.stage_resolved.id,
                        "resolution": "<p>New lids sent</p>"})
        page = self.url_open(f"/my/complaints/{self.own.id}").text
        self.assertIn("New lids sent", page)
        rating = self.env["rating.rating"].search([("res_model", "=", "crm.complaint"),
                                                   ("res_id", "=", self.own.id)])
        self.assertEqual(len(rating), 1)
        self.assertIn(f"/rate/{rating.access_token}/5", page)
        # Odoo's rating page, the same the satisfaction email links to.
        self.url_open(f"/rate/{rating.access_token}/submit_feedback", data={
            "csrf_token": Request.csrf_token(self), "rate": "5", "feedback": "Quick and kind",
        })
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 5)
        self.assertEqual(self.own.rating_last_value, 5)

    def test_form_has_a_description_box_and_stores_it(self):
        """Issue 16: the empty <textarea> was dropped by QWeb."""
        page = self.url_open("/my/complaints/new").text
        self.assertRegex(page, r'<textarea [^>]*name="description"[^>]*></textarea>')
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "Dented cans",
            "complaint_type": "complaint", "description": "Three cans dented\nin batch 7",
        })
        complaint = self.env["crm.complaint"].search([("name", "=", "Dented cans")])
        self.assertTrue(response.url.endswith(f"/my/complaints/{complaint.id}"))
        self.assertIn("Three cans dented", str(complaint.description))
        self.assertIn("in batch 7", str(complaint.description))
        # Sent back with an error, the typed text is still in the box.
        page = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "",
            "description": "Kept text",
        }).text
        self.assertRegex(page, r'<textarea [^>]*name="description"[^>]*>Kept text</textarea>')

    def test_customer_reads_the_acknowledgement_without_preview_banner(self):
        """The portal customer sees the automatic acknowledgement in the
        chatter of the complaint page, and no employee preview banner."""
        self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "Rusty lids",
            "complaint_type": "complaint", "description": "Rust on the lids",
        })
        complaint = self.env["crm.complaint"].search([("name", "=", "Rusty lids")])
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertNotIn("preview of the customer portal", page)
        self.assertNotIn("Back to edit mode", page)
        result = self.make_jsonrpc_request("/mail/chatter_fetch", {
            "thread_model": "crm.complaint", "thread_id": complaint.id,
        })
        bodies = [str(m.get("body")) for m in result["data"]["mail.message"]]
        self.assertTrue(any("We registered it under the reference" in body for body in bodies),
                        bodies)
        # An employee opening the same page does get the way back to the form.
        self.authenticate("admin", "admin")
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertIn("Back to edit mode", page)

    def test_form_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["crm_extended"], ["zh_CN"],
                                                        overwrite=True)
        self.portal_user.lang = "zh_CN"
        self.authenticate("cmp_portal", "cmp_portal_pw")  # the session takes the language
        page = self.url_open("/my/complaints/new").text
        self.assertIn("提交反馈", page)
        self.assertIn('<option value="complaint">投诉</option>', page)
        self.assertNotIn(">Complaint</option>", page)
