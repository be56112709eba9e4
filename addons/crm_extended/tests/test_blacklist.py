from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestBlacklist(CrmExtendedCase):
    """Commercial blacklist: the wizard, its rights and its enforcement on sale
    orders and opportunities."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Salespeople usually edit contacts: with that right, only our own check
        # stands between them and the protected fields.
        cls.salesman.group_ids += cls.env.ref("base.group_partner_manager")
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({
            "name": "Bad Payer Ltd", "is_company": True, "email": "accounts@badpayer.example",
        })
        cls.contact = Partner.create({
            "name": "Bob Buyer", "parent_id": cls.customer.id, "email": "bob@badpayer.example",
        })
        cls.good_customer = Partner.create({"name": "Good Payer Ltd", "is_company": True})

    def _wizard(self, partner, user, **vals):
        """Open the wizard the way the partner form button does."""
        action = partner.with_user(user).action_crm_open_blacklist_wizard()
        self.assertEqual(action["res_model"], "crm.blacklist.wizard")
        self.assertEqual(action["target"], "new")
        wizard_form = Form(
            self.env["crm.blacklist.wizard"].with_user(user).with_context(**action["context"])
        )
        for name, value in vals.items():
            setattr(wizard_form, name, value)
        return wizard_form.save()

    def _blacklist(self, partner=None, reason="Unpaid invoices since March"):
        self._wizard(partner or self.customer, self.manager, reason=reason).action_apply()

    def _order(self, partner):
        return self.env["sale.order"].with_user(self.salesman).create({
            "partner_id": partner.id,
            "order_line": [fields.Command.create({"product_id": self.product.id})],
        })

    def _messages(self, partner):
        return self.env["mail.message"].search([
            ("model", "=", "res.partner"), ("res_id", "=", partner.id),
            ("message_type", "=", "comment"),
        ])

    # ------------------------------------------------------------------
    # wizard
    # ------------------------------------------------------------------

    def test_set_from_contact_acts_on_company(self):
        action = self.contact.with_user(self.manager).action_crm_open_blacklist_wizard()
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(action["context"]["default_action"], "set")

        before = fields.Datetime.now()
        self._blacklist(self.contact)
        self.assertTrue(self.customer.crm_commercial_blacklist)
        self.assertEqual(self.customer.crm_blacklist_reason, "Unpaid invoices since March")
        self.assertEqual(self.customer.crm_blacklist_user_id, self.manager)
        self.assertGreaterEqual(self.customer.crm_blacklist_date, before.replace(microsecond=0))
        self.assertFalse(self.contact.crm_commercial_blacklist, "flag lives on the company")
        self.assertTrue(self.contact.crm_is_blacklisted_customer)
        self.assertIn(
            self.contact, self.env["res.partner"].search([("crm_is_blacklisted_customer", "=", True)])
        )
        self.assertNotIn(
            self.good_customer,
            self.env["res.partner"].search([("crm_is_blacklisted_customer", "=", True)]),
        )
        message = self._messages(self.customer)
        self.assertEqual(len(message), 1)
        self.assertIn("Unpaid invoices since March", message.body)
        self.assertIn(self.manager.name, message.body)
        self.assertEqual(message.author_id, self.manager.partner_id)

    def test_lift_clears_everything_and_keeps_chatter(self):
        self._blacklist()
        action = self.customer.with_user(self.manager).action_crm_open_blacklist_wizard()
        self.assertEqual(action["context"]["default_action"], "lift")
        self._wizard(self.contact, self.manager, reason="Debt settled").action_apply()
        self.assertFalse(self.customer.crm_commercial_blacklist)
        self.assertFalse(self.customer.crm_blacklist_reason)
        self.assertFalse(self.customer.crm_blacklist_date)
        self.assertFalse(self.customer.crm_blacklist_user_id)
        self.assertFalse(self.contact.crm_is_blacklisted_customer)
        bodies = self._messages(self.customer).mapped("body")
        self.assertEqual(len(bodies), 2)
        lift = next(body for body in bodies if "Debt settled" in body)
        self.assertIn("Unpaid invoices since March", lift, "the lift message keeps the old reason")

    def test_set_twice_or_lift_unlisted_refused(self):
        wizard = self._wizard(self.good_customer, self.manager, action="lift", reason="Why not")
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertFalse(self._messages(self.good_customer))

        self._blacklist()
        wizard = self._wizard(self.customer, self.manager, action="set", reason="Again")
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertEqual(self.customer.crm_blacklist_reason, "Unpaid invoices since March")
        self.assertEqual(len(self._messages(self.customer)), 1)

    def test_reason_required(self):
        wizard = self.env["crm.blacklist.wizard"].with_user(self.manager).create({
            "partner_id": self.customer.id, "action": "set", "reason": "   ",
        })
        with self.assertRaises(UserError):
            wizard.action_apply()
        self.assertFalse(self.customer.crm_commercial_blacklist)

    def test_salesman_cannot_set_or_lift(self):
        Wizard = self.env["crm.blacklist.wizard"].with_user(self.salesman)
        with self.assertRaises(AccessError):
            Wizard.create({"partner_id": self.customer.id, "action": "set", "reason": "x"})
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).action_crm_open_blacklist_wizard()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write({"crm_commercial_blacklist": True})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Born bad", "crm_commercial_blacklist": True}
            )
        self.assertFalse(self.customer.crm_commercial_blacklist)

        self._blacklist()
        with self.assertRaises(AccessError):
            Wizard.create({"partner_id": self.customer.id, "action": "lift", "reason": "x"})
        for vals in (
            {"crm_commercial_blacklist": False},
            {"crm_blacklist_reason": "Nothing serious"},
            {"crm_blacklist_user_id": self.salesman.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.customer.with_user(self.salesman).write(vals)
        self.assertTrue(self.customer.crm_commercial_blacklist)
        self.assertEqual(self.customer.crm_blacklist_reason, "Unpaid invoices since March")
        # Other fields of the customer stay editable for the salesman.
        self.customer.with_user(self.salesman).write({"phone": "+1 555 0100"})

    # ------------------------------------------------------------------
    # enforcement
    # ------------------------------------------------------------------

    def test_order_confirmation_blocked(self):
        order_company = self._order(self.customer)
        order_contact = self._order(self.contact)
        self._blacklist()
        for order in (order_company, order_contact):
            with self.subTest(partner=order.partner_id.name):
                with self.assertRaisesRegex(UserError, "commercial blacklist"):
                    order.action_confirm()
                self.assertEqual(order.state, "draft")
                self.assertTrue(order.crm_is_blacklisted_customer)
                # The form offers no Confirm button for it, to a salesperson too.
                self.assertTrue(order.with_user(self.salesman).crm_confirm_blocked)
        # Paths that skip action_confirm (online payment) are refused too.
        with self.assertRaises(UserError):
            order_company.sudo()._action_confirm()
        self.assertEqual(order_company.state, "draft")
        self.assertFalse(order_company.picking_ids)

        # A batch with one blacklisted customer confirms nothing.
        good_order = self._order(self.good_customer)
        with self.assertRaises(UserError):
            (good_order | order_contact).action_confirm()
        self.assertEqual(good_order.state, "draft")

        self.assertFalse(good_order.with_user(self.salesman).crm_confirm_blocked)
        self._wizard(self.customer, self.manager, reason="Paid").action_apply()
        self.assertFalse(order_contact.crm_confirm_blocked)
        order_contact.action_confirm()
        self.assertEqual(order_contact.state, "sale")

    def test_opportunity_blocked_lead_allowed(self):
        self._blacklist()
        Lead = self.env["crm.lead"].with_user(self.salesman)
        for partner in (self.customer, self.contact):
            with self.subTest(partner=partner.name), self.assertRaises(UserError):
                Lead.create({"name": "New deal", "type": "opportunity", "partner_id": partner.id})
        self.assertFalse(self.env["crm.lead"].search([("partner_id", "in", self.contact.ids)]))

        lead = Lead.create({"name": "Inbound request", "type": "lead", "partner_id": self.contact.id})
        self.assertEqual(lead.type, "lead")
        with self.assertRaises(UserError):
            lead.convert_opportunity(self.customer)
        self.assertEqual(lead.type, "lead")

        # The conversion wizard of the lead form, linking to the customer.
        convert = self.env["crm.lead2opportunity.partner"].with_user(self.salesman).with_context(
            active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
        ).create({"name": "convert", "action": "exist", "partner_id": self.contact.id})
        with self.assertRaises(UserError):
            convert.action_apply()
        self.assertEqual(lead.type, "lead")

        # Moving an existing opportunity onto the blacklisted customer is refused.
        opportunity = Lead.create(
            {"name": "Other deal", "type": "opportunity", "partner_id": self.good_customer.id}
        )
        with self.assertRaises(UserError):
            opportunity.write({"partner_id": self.contact.id})
        self.assertEqual(opportunity.partner_id, self.good_customer)

        self._wizard(self.customer, self.manager, reason="Paid").action_apply()
        lead.convert_opportunity(self.customer)
        self.assertEqual(lead.type, "opportunity")

    def test_not_mail_blacklist(self):
        """The commercial blacklist and mail's e-mail opt-out are independent."""
        MailBlacklist = self.env["mail.blacklist"]
        self._blacklist()
        self.assertFalse(self.customer.is_blacklisted)
        self.assertFalse(self.contact.is_blacklisted)
        self.assertFalse(MailBlacklist.search([("email", "in", [
            "accounts@badpayer.example", "bob@badpayer.example",
        ])]))

        self._wizard(self.customer, self.manager, reason="Paid").action_apply()
        MailBlacklist._add("accounts@badpayer.example")
        self.customer.invalidate_recordset(["is_blacklisted"])
        self.assertTrue(self.customer.is_blacklisted)
        self.assertFalse(self.customer.crm_commercial_blacklist)
        self.assertFalse(self.contact.crm_is_blacklisted_customer)
        order = self._order(self.customer)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        Lead = self.env["crm.lead"].with_user(self.salesman)
        Lead.create({"name": "Still welcome", "type": "opportunity", "partner_id": self.customer.id})

    def test_direct_write_keeps_the_trail(self):
        """RPC and imports write the fields directly: who and when are still kept,
        and lifting clears them."""
        self.customer.with_user(self.manager).write({
            "crm_commercial_blacklist": True, "crm_blacklist_reason": "Fraud suspicion",
        })
        self.assertEqual(self.customer.crm_blacklist_user_id, self.manager)
        self.assertTrue(self.customer.crm_blacklist_date)
        self.customer.with_user(self.manager).write({"crm_commercial_blacklist": False})
        self.assertFalse(self.customer.crm_blacklist_reason)
        self.assertFalse(self.customer.crm_blacklist_date)
        self.assertFalse(self.customer.crm_blacklist_user_id)

    def test_flag_on_contact_refused(self):
        """Enforcement looks at the commercial entity: a flag on a contact is refused
        rather than looking like a block that blocks nothing."""
        with self.assertRaises(ValidationError):
            self.contact.with_user(self.manager).write({"crm_commercial_blacklist": True})
        self.assertFalse(self.contact.crm_commercial_blacklist)
