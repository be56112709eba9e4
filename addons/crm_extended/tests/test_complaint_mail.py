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
