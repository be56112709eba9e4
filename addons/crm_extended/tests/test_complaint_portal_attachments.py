import base64

from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged

from .complaint_common import CrmComplaintCase

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVQIW2P4v5ThPwAG7wKklwQ/bwAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@tagged("post_install", "-at_install")
class TestComplaintPortalAttachments(CrmComplaintCase, HttpCase):
    """Photos and documents sent with the portal's complaint form: stored on
    the complaint in a message of the customer; too many, too large or of a
    type a browser would run, refused with nothing created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="cmp_portal_files", password="cmp_portal_files_pw",
            name="Wang Li Files", groups="base.group_portal",
        )
        cls.portal_user.partner_id.parent_id = cls.customer

    def setUp(self):
        super().setUp()
        self.authenticate("cmp_portal_files", "cmp_portal_files_pw")

    def _send(self, name, files):
        return self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": name,
            "complaint_type": "complaint", "description": "See the photos",
        }, files=[("attachments", file) for file in files])

    def test_photos_and_documents_on_the_complaint(self):
        response = self._send("Dented lids", [("lid.png", PNG, "image/png"),
                                              ("delivery note.pdf", PDF, "application/pdf")])
        complaint = self.env["crm.complaint"].search([("name", "=", "Dented lids")])
        self.assertEqual(len(complaint), 1)
        self.assertTrue(response.url.endswith(f"/my/complaints/{complaint.id}"))
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id)])
        self.assertEqual(sorted(attachments.mapped("name")), ["delivery note.pdf", "lid.png"])
        self.assertEqual(sorted(attachments.mapped("mimetype")), ["application/pdf", "image/png"])
        message = complaint.message_ids.filtered("attachment_ids")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.attachment_ids, attachments)
        self.assertEqual(message.author_id, self.portal_user.partner_id)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        # A public message: the customer reads it in their conversation.
        self.assertFalse(message.subtype_id.internal)
        # No file: no empty message.
        self._send("No photo", [])
        complaint = self.env["crm.complaint"].search([("name", "=", "No photo")])
        self.assertFalse(complaint.message_ids.filtered("attachment_ids"))

    def test_refused_files_create_nothing(self):
        Complaint, Attachment = self.env["crm.complaint"], self.env["ir.attachment"]
        complaints, attachments = Complaint.search_count([]), Attachment.search_count([])
        cases = [
            ([(f"lid{n}.png", PNG, "image/png") for n in range(6)],
             "At most 5 photos or documents can be sent with the form"),
            # The type is read from the content: a script named as a photo.
            ([("lid.png", SVG, "image/png")],
             "lid.png is not a photo (JPEG, PNG, GIF, WebP) or a PDF document."),
            ([("huge.png", PNG + b"\0" * (8 * 1024 * 1024), "image/png")],
             "huge.png is larger than 8 MB."),
            ([("page.html", b"<html><body>hi</body></html>", "text/html")],
             "page.html is not a photo"),
        ]
        for files, error in cases:
            with self.subTest(error=error):
                response = self._send("Refused", files)
                self.assertIn(error, response.text)
                self.assertEqual(Complaint.search_count([]), complaints)
                self.assertEqual(Attachment.search_count([]), attachments)
