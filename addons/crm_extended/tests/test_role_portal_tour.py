from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRolePortalTour(HttpCase):
    """A portal customer's day in a real browser, in English and in Chinese:
    send a complaint with a description and a photo, read the
    acknowledgement, add a close-up, follow it and rate the resolution."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({
            "name": "Tour Canning Factory", "is_company": True,
            "email": "buyer@canning.example.com",
        })
        cls.portal_user = new_test_user(
            cls.env, login="tour_portal", password="tour_portal_pw", name="Wang Li",
            email="wang.li@canning.example.com", groups="base.group_portal",
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.agent = new_test_user(
            cls.env, login="tour_portal_agent", name="Agent Zhang",
            groups="sales_team.group_sale_salesman",
        )

    def _customer_day(self, lang, tour_suffix=""):
        Complaint = self.env["crm.complaint"]
        self.portal_user.lang = lang
        self.start_tour("/my", f"crm_extended_role_portal_submit_tour{tour_suffix}",
                        login="tour_portal")
        complaint = Complaint.search([("name", "=", "Tour: the lids of batch 42 do not close")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual((complaint.partner_id, complaint.commercial_partner_id),
                         (self.portal_user.partner_id, self.customer))
        self.assertEqual(complaint.channel, "portal")
        self.assertIn("Half of the 500 lids delivered on Monday do not close.",
                      str(complaint.description))
        # The acknowledgement comes from the company, not from the customer.
        acknowledgement = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(acknowledgement), 1)
        self.assertEqual(acknowledgement.author_id, complaint.company_id.partner_id)
        # The shipped Customer Service team took it: deadlines and an assignee.
        self.assertTrue(complaint.team_id)
        self.assertTrue(complaint.resolution_deadline)
        # The photo sent with the form and the close-up sent in the
        # conversation: linked to the complaint, each in a message of the customer.
        for name, text in (("broken_lid.png", None),
                           ("lid_close_up.png", "Here is a close-up of one of the lids.")):
            photo = self.env["ir.attachment"].search([
                ("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id),
                ("name", "=", name),
            ])
            self.assertEqual(len(photo), 1, name)
            self.assertEqual(photo.mimetype, "image/png")
            message = complaint.message_ids.filtered(lambda m, photo=photo: photo in m.attachment_ids)
            self.assertEqual(message.author_id, self.portal_user.partner_id)
            self.assertEqual(message.message_type, "comment")
            if text:
                self.assertIn(text, str(message.body))

        # The team resolves it (the agent's tour shows how).
        complaint.write({"user_id": self.agent.id})
        complaint.with_user(self.agent).write({
            "resolution": "<p>New lids sent by express on Tuesday.</p>",
            "stage_id": self.env.ref("crm_extended.crm_complaint_stage_resolved").id,
        })
        self.start_tour("/my/complaints", f"crm_extended_role_portal_rate_tour{tour_suffix}",
                        login="tour_portal")
        rating = self.env["rating.rating"].search([
            ("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id),
        ])
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.rating, 5)
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.feedback, "Fast and friendly, thank you.")
        self.assertEqual(rating.partner_id, self.portal_user.partner_id)
        self.assertEqual(complaint.rating_last_value, 5)

    def test_portal_customer_day(self):
        self._customer_day("en_US")

    def test_portal_customer_day_zh_cn(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["portal", "rating", "crm_extended"], ["zh_CN"], overwrite=True)
        self._customer_day("zh_CN", "_zh_cn")
