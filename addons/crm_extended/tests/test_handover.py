from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestHandover(CrmExtendedCase):
    """The hand-over wizard moves customers, account-manager assignments, open
    leads and open quotations in batches and notes it on every record."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "sales_team.group_sale_salesman,base.group_partner_manager"
        cls.alice = new_test_user(cls.env, login="handover_alice", name="Alice Leaving",
                                  groups=groups)
        cls.bob = new_test_user(cls.env, login="handover_bob", name="Bob Taking Over",
                                groups=groups)
        cls.carol = new_test_user(cls.env, login="handover_carol", name="Carol Other",
                                  groups=groups)
        Partner = cls.env["res.partner"]
        cls.company_alice = Partner.create(
            {"name": "Alice Corp", "is_company": True, "user_id": cls.alice.id}
        )
        cls.contact_alice = Partner.create(
            {"name": "Contact at Alice Corp", "parent_id": cls.company_alice.id}
        )
        cls.person_alice = Partner.create({"name": "Private Alice Customer", "user_id": cls.alice.id})
        cls.company_carol = Partner.create(
            {"name": "Carol Corp", "is_company": True, "user_id": cls.carol.id}
        )
        # Alice is the salesperson of this contact only; the company is Carol's.
        cls.contact_at_carol = Partner.create({
            "name": "Alice's contact at Carol Corp", "parent_id": cls.company_carol.id,
            "user_id": cls.alice.id,
        })
        cls.key_account = Partner.create({
            "name": "Big Key Account", "is_company": True, "user_id": cls.carol.id,
            "crm_key_account": "key", "crm_account_manager_id": cls.alice.id,
        })

        Lead = cls.env["crm.lead"]
        won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.open_opportunity, cls.open_lead, cls.won_opportunity, cls.lost_opportunity = (
            Lead.create([
                {"name": "Open deal", "type": "opportunity", "user_id": cls.alice.id,
                 "partner_id": cls.company_alice.id},
                {"name": "Open lead", "type": "lead", "user_id": cls.alice.id},
                {"name": "Won deal", "type": "opportunity", "user_id": cls.alice.id,
                 "stage_id": won_stage.id},
                {"name": "Lost deal", "type": "opportunity", "user_id": cls.alice.id},
            ])
        )
        cls.lost_opportunity.action_set_lost()
        cls.carol_opportunity = Lead.create(
            {"name": "Carol's deal", "type": "opportunity", "user_id": cls.carol.id}
        )

        SaleOrder = cls.env["sale.order"]
        line = [fields.Command.create({"product_id": cls.product.id})]
        cls.draft_order, cls.sent_order, cls.confirmed_order = SaleOrder.create([
            {"partner_id": cls.company_alice.id, "user_id": cls.alice.id, "order_line": line},
            {"partner_id": cls.company_alice.id, "user_id": cls.alice.id, "order_line": line},
            {"partner_id": cls.company_alice.id, "user_id": cls.alice.id, "order_line": line},
        ])
        cls.sent_order.state = "sent"
        cls.confirmed_order.action_confirm()

    def _wizard(self, user=None, **vals):
        vals = {"from_user_id": self.alice.id, "to_user_id": self.bob.id, **vals}
        return self.env["crm.customer.handover"].with_user(user or self.manager).create(vals)

    def _notes(self, records):
        return self.env["mail.message"].search([
            ("model", "=", records._name), ("res_id", "in", records.ids),
            ("body", "ilike", "Handed over from Alice Leaving to Bob Taking Over"),
        ])

    def test_handover_moves_open_work(self):
        wizard = self._wizard()
        # Features that extend the hand-over add their own lines after these.
        self.assertEqual(
            wizard.preview.splitlines()[:4],
            ["Customers and their contacts: 3", "Key accounts managed: 1",
             "Open leads and opportunities: 2", "Open quotations: 2"],
        )
        action = wizard.action_handover()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        self.assertEqual(wizard.state, "done")
        self.assertIn("Customers and their contacts: 3", wizard.summary)
        self.assertIn("Open quotations: 2", wizard.summary)

        moved_partners = self.company_alice | self.contact_alice | self.person_alice
        self.assertEqual(set(moved_partners.mapped("user_id")), {self.bob})
        self.assertEqual(self.key_account.crm_account_manager_id, self.bob)
        self.assertEqual(self.key_account.user_id, self.carol, "only the assignment moves")
        self.assertEqual(self.contact_at_carol.user_id, self.alice,
                         "a contact of another salesperson's customer stays")
        self.assertEqual((self.open_opportunity | self.open_lead).user_id, self.bob)
        self.assertEqual((self.draft_order | self.sent_order).user_id, self.bob)
        for record in (self.won_opportunity, self.lost_opportunity, self.confirmed_order):
            self.assertEqual(record.with_context(active_test=False).user_id, self.alice)
        self.assertEqual(self.carol_opportunity.user_id, self.carol)

        for records in (
            moved_partners | self.key_account,
            self.open_opportunity | self.open_lead,
            self.draft_order | self.sent_order,
        ):
            notes = self._notes(records)
            self.assertEqual(set(notes.mapped("res_id")), set(records.ids))
            self.assertIn(self.manager.name, notes[0].body)
        self.assertFalse(self._notes(self.confirmed_order))
        self.assertFalse(self._notes(self.won_opportunity))

    def test_options_limit_what_moves(self):
        self._wizard(
            move_customers=False, move_opportunities=False, move_quotations=False,
        ).action_handover()
        self.assertEqual(self.key_account.crm_account_manager_id, self.bob)
        self.assertEqual(self.company_alice.user_id, self.alice)
        self.assertEqual(self.open_opportunity.user_id, self.alice)
        self.assertEqual(self.draft_order.user_id, self.alice)

    def test_refusals(self):
        with self.assertRaises(UserError):
            self._wizard(to_user_id=self.alice.id).action_handover()
        nothing = new_test_user(self.env, login="handover_idle", groups="sales_team.group_sale_salesman")
        with self.assertRaises(UserError):
            self._wizard(from_user_id=nothing.id).action_handover()
        with self.assertRaises(UserError):
            self._wizard(
                move_customers=False, move_account_manager=False,
                move_opportunities=False, move_quotations=False,
            ).action_handover()
        portal = new_test_user(self.env, login="handover_portal", groups="base.group_portal")
        with self.assertRaises(UserError):
            self._wizard(to_user_id=portal.id).action_handover()
        self.assertEqual(self.company_alice.user_id, self.alice)

    def test_manager_only(self):
        for user in (self.salesman, self.alice):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._wizard(user=user)
        # A wizard created by a manager cannot be run by someone else either.
        wizard = self._wizard()
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesman).action_handover()
        self.assertEqual(self.company_alice.user_id, self.alice)

    def test_form_and_menu_action(self):
        action = self.env.ref("crm_extended.crm_customer_handover_action")
        self.assertEqual(action.res_model, "crm.customer.handover")
        wizard_form = Form(self.env["crm.customer.handover"].with_user(self.manager))
        wizard_form.from_user_id = self.alice
        wizard_form.to_user_id = self.bob
        wizard_form.move_quotations = False
        self.assertNotIn("quotations", wizard_form.preview)
        wizard_form.save().action_handover()
        self.assertEqual(self.company_alice.user_id, self.bob)
        self.assertEqual(self.draft_order.user_id, self.alice)

    def test_handover_hook(self):
        wizard = self._wizard()
        # The base entries come first; extensions (complaints, ...) append theirs.
        entries = wizard._get_handover_models()[:4]
        self.assertEqual(
            [(model, field) for model, _builder, field in entries][:4],
            [("res.partner", "user_id"), ("res.partner", "crm_account_manager_id"),
             ("crm.lead", "user_id"), ("sale.order", "user_id")],
        )
        for model, builder, _field in entries[:4]:
            self.assertTrue(self.env[model].search(builder()))


@tagged("post_install", "-at_install")
class TestKeyAccount(CrmExtendedCase):

    def test_key_account_needs_manager(self):
        Partner = self.env["res.partner"]
        with self.assertRaises(ValidationError):
            Partner.create({"name": "Key without manager", "is_company": True,
                            "crm_key_account": "key"})
        potential = Partner.create({"name": "Maybe key", "is_company": True,
                                    "crm_key_account": "potential"})
        with self.assertRaises(ValidationError):
            potential.crm_key_account = "key"
        potential.write({"crm_key_account": "key", "crm_account_manager_id": self.manager.id})
        with self.assertRaises(ValidationError):
            potential.crm_account_manager_id = False
        self.assertEqual(potential.crm_account_manager_id, self.manager)
        potential.write({"crm_key_account": False, "crm_account_manager_id": False})
        self.assertFalse(potential.crm_key_account)
