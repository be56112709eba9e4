from odoo.tools import mute_logger

from .complaint_common import CrmComplaintCase

RAW_EMAIL = """Return-Path: <{email_from}>
To: {to}
From: {from_header}
Subject: {subject}
Message-ID: <{message_id}>
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}
"""


class TestComplaintMail(CrmComplaintCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        alias_domain = cls.env["mail.alias.domain"].create({"name": "complaints.example.com"})
        cls.team.write({"alias_name": "complaints-test", "alias_domain_id": alias_domain.id})
        cls.alias_email = "complaints-test@complaints.example.com"

    def _email(self, subject, message_id, email_from, extra="", body="The lids are broken."):
        return RAW_EMAIL.format(
            email_from=email_from, from_header=f"Wang Li <{email_from}>", to=self.alias_email,
            subject=subject, message_id=message_id, extra=extra, body=body,
        )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_email_intake_and_reply(self):
        self.assertTrue(self.team.alias_id, "the team has a mail alias")
        Complaint = self.env["crm.complaint"]
        res_id = self.env["mail.thread"].message_process(
            None, self._email("Lids do not close", "first@canning.example.com",
                              "wang.li@canning.example.com"),
        )
        complaint = Complaint.browse(res_id)
        self.assertEqual(complaint._name, "crm.complaint")
        self.assertEqual(complaint.name, "Lids do not close")
        self.assertEqual(complaint.partner_id, self.contact, "matched by address")
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertEqual(complaint.team_id, self.team)
        self.assertEqual(complaint.channel, "email")
        self.assertIn("The lids are broken.", str(complaint.description))
        self.assertTrue(complaint.resolution_deadline)
        self.assertTrue(complaint.user_id)
        # The reply threads into the same record.
        count = Complaint.search_count([])
        reply_id = self.env["mail.thread"].message_process(
            None, self._email("Re: Lids do not close", "second@canning.example.com",
                              "wang.li@canning.example.com",
                              extra="In-Reply-To: <first@canning.example.com>\n"
                                    "References: <first@canning.example.com>\n",
                              body="Here are more photos."),
        )
        self.assertEqual(reply_id, complaint.id)
        self.assertEqual(Complaint.search_count([]), count)
        self.assertTrue(complaint.message_ids.filtered(lambda m: "more photos" in (m.body or "")))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_email_from_unknown_sender_creates_contact(self):
        res_id = self.env["mail.thread"].message_process(
            None, self._email("Question about prices", "third@new.example.com",
                              "someone@new.example.com"),
        )
        complaint = self.env["crm.complaint"].browse(res_id)
        self.assertEqual(complaint.partner_id.email, "someone@new.example.com")


class TestComplaintTemplates(CrmComplaintCase):
    """Acknowledgement, resolution and satisfaction emails, in the customer's language."""

    def _sent(self, complaint, text):
        return complaint.message_ids.filtered(
            lambda m: text in (m.subject or "") or text in str(m.body or "")
        )

    def test_acknowledgement_resolution_and_rating_request(self):
        complaint = self._complaint()
        ack = self._sent(complaint, f"We received your message {complaint.code}")
        self.assertEqual(len(ack), 1)
        self.assertIn(self.contact, ack.partner_ids | complaint.message_partner_ids)
        self.assertFalse(complaint.first_response_date, "an automatic email is no response")
        complaint.write({"stage_id": self.stage_resolved.id, "resolution": "<p>New lids sent</p>"})
        resolved = self._sent(complaint, f"Your complaint {complaint.code} is resolved")
        self.assertEqual(len(resolved), 1)
        self.assertIn("New lids sent", str(resolved.body))
        complaint.stage_id = self.env.ref("crm_extended.crm_complaint_stage_followup")
        request = self._sent(complaint, f"How did we handle {complaint.code}?")
        self.assertEqual(len(request), 1)
        rating = self.env["rating.rating"].search([("res_model", "=", "crm.complaint"),
                                                   ("res_id", "=", complaint.id)])
        self.assertEqual(rating.partner_id, self.contact)
        self.assertIn(f"/rate/{rating.access_token}/5", str(request.body))
        # The customer clicks: Odoo's rating is applied to the complaint.
        complaint.rating_apply(5, token=rating.access_token, feedback="Quick and kind")
        self.assertEqual(complaint.rating_last_value, 5)

    def test_templates_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["crm_extended"], ["zh_CN"], overwrite=True)
        self.contact.lang = "zh_CN"
        complaint = self._complaint()
        ack = complaint.message_ids.filtered(lambda m: complaint.code in (m.subject or ""))
        self.assertEqual(ack.subject, f"我们已收到您的留言 {complaint.code}")
        self.assertIn("感谢您的留言", str(ack.body))
