from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged, users

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestAccess(CrmExtendedCase):
    """Who may do what: plain sales users work with classified customers, CRM
    managers configure and override; companies do not see each other's tiers
    and history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # With contact editing rights, only our own checks stop the salesman.
        cls.salesman.group_ids += cls.env.ref("base.group_partner_manager")
        cls.customer = cls.env["res.partner"].create({"name": "Access Customer", "is_company": True})
        cls.company_b = cls.env["res.company"].create({"name": "Access Company B"})
        cls.tier_a = cls.env["crm.customer.tier"].create({
            "name": "Tier of A", "company_id": cls.company.id, "min_yearly_amount": 1000,
        })
        cls.tier_b = cls.env["crm.customer.tier"].create({
            "name": "Tier of B", "company_id": cls.company_b.id, "min_yearly_amount": 1000,
        })
        History = cls.env["crm.classification.history"]
        cls.history_a, cls.history_b = History.create([
            {"partner_id": cls.customer.id, "company_id": company.id,
             "classification": "credit_rating", "new_value": "aaa", "rule": "test"}
            for company in (cls.company, cls.company_b)
        ])
        cls.user_a = new_test_user(
            cls.env, login="access_user_a", groups="sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.manager_a = new_test_user(
            cls.env, login="access_manager_a", groups="crm_extended.group_crm_extended_manager",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.user_ab = new_test_user(
            cls.env, login="access_user_ab", groups="sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[cls.company.id, cls.company_b.id],
        )

    # ------------------------------------------------------------------
    # salesman versus manager
    # ------------------------------------------------------------------

    @users("crm_salesman")
    def test_salesman_cannot_manage_blacklist(self):
        customer = self.customer.with_env(self.env)
        with self.assertRaises(AccessError):
            self.env["crm.blacklist.wizard"].create(
                {"partner_id": customer.id, "action": "set", "reason": "x"}
            )
        with self.assertRaises(AccessError):
            customer.write({"crm_commercial_blacklist": True})
        # Lifting an existing blacklist is refused the same way.
        self.customer.sudo().write({"crm_commercial_blacklist": True, "crm_blacklist_reason": "x"})
        with self.assertRaises(AccessError):
            self.env["crm.blacklist.wizard"].create(
                {"partner_id": customer.id, "action": "lift", "reason": "x"}
            )
        with self.assertRaises(AccessError):
            customer.write({"crm_commercial_blacklist": False})
        self.assertTrue(customer.crm_commercial_blacklist)
        self.assertTrue(customer.crm_is_blacklisted_customer)  # but can see it

    @users("crm_manager")
    def test_manager_can_manage_blacklist(self):
        customer = self.customer.with_env(self.env)
        self.env["crm.blacklist.wizard"].create(
            {"partner_id": customer.id, "action": "set", "reason": "Fraud"}
        ).action_apply()
        self.assertTrue(customer.crm_commercial_blacklist)
        self.env["crm.blacklist.wizard"].create(
            {"partner_id": customer.id, "action": "lift", "reason": "Cleared"}
        ).action_apply()
        self.assertFalse(customer.crm_commercial_blacklist)

    @users("crm_salesman")
    def test_salesman_cannot_edit_tiers(self):
        Tier = self.env["crm.customer.tier"]
        tier = self.tier_a.with_env(self.env)
        self.assertEqual(tier.name, "Tier of A")  # reading is fine
        with self.assertRaises(AccessError):
            tier.write({"min_yearly_amount": 1.0})
        with self.assertRaises(AccessError):
            Tier.create({"name": "Self-made tier", "min_yearly_amount": 0})
        with self.assertRaises(AccessError):
            tier.unlink()
        with self.assertRaises(AccessError):
            customer = self.customer.with_env(self.env)
            customer.write({"crm_credit_rating": "aaa"})

    @users("crm_manager")
    def test_manager_can_edit_tiers(self):
        tier = self.tier_a.with_env(self.env)
        tier.write({"min_yearly_amount": 2000})
        self.assertEqual(tier.min_yearly_amount, 2000)
        self.env["crm.customer.tier"].create({"name": "Manager tier", "min_yearly_amount": 10})

    @users("crm_salesman")
    def test_salesman_cannot_run_manager_wizards(self):
        for model in ("crm.classification.override", "crm.customer.handover",
                      "crm.blacklist.wizard"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].check_access("create")
        with self.assertRaises(AccessError):
            self.env["crm.customer.handover"].create(
                {"from_user_id": self.salesman.id, "to_user_id": self.manager.id}
            )
        with self.assertRaises(AccessError):
            self.env["crm.classification.history"].create({
                "partner_id": self.customer.id, "company_id": self.company.id,
                "classification": "credit_rating", "new_value": "c",
            })

    @users("crm_manager")
    def test_manager_can_run_manager_wizards(self):
        for model in ("crm.classification.override", "crm.customer.handover",
                      "crm.blacklist.wizard"):
            self.env[model].check_access("create")
        wizard = self.env["crm.customer.handover"].create(
            {"from_user_id": self.salesman.id, "to_user_id": self.manager.id}
        )
        self.assertEqual(wizard.state, "draft")

    # ------------------------------------------------------------------
    # multi-company
    # ------------------------------------------------------------------

    def test_tier_of_other_company_invisible(self):
        for user in (self.user_a, self.manager_a):
            Tier = self.env["crm.customer.tier"].with_user(user)
            with self.subTest(user=user.login):
                visible = Tier.search([("id", "in", (self.tier_a | self.tier_b).ids)])
                self.assertEqual(visible, self.tier_a.with_user(user))
                with self.assertRaises(AccessError):
                    self.tier_b.with_user(user).read(["name"])
        # A user of both companies sees it once company B is active.
        Tier = self.env["crm.customer.tier"].with_user(self.user_ab).with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        self.assertEqual(
            set(Tier.search([("id", "in", (self.tier_a | self.tier_b).ids)]).ids),
            set((self.tier_a | self.tier_b).ids),
        )
        self.assertIn(self.tier_b, Tier.search([]))
        only_a = self.env["crm.customer.tier"].with_user(self.user_ab).with_context(
            allowed_company_ids=[self.company.id]
        )
        self.assertNotIn(self.tier_b, only_a.search([]))

    def test_history_of_other_company_invisible(self):
        pair = (self.history_a | self.history_b).ids
        for user in (self.user_a, self.manager_a):
            History = self.env["crm.classification.history"].with_user(user)
            with self.subTest(user=user.login):
                self.assertEqual(History.search([("id", "in", pair)]).ids, self.history_a.ids)
                with self.assertRaises(AccessError):
                    self.history_b.with_user(user).read(["new_value"])
        both = self.env["crm.classification.history"].with_user(self.user_ab).with_context(
            allowed_company_ids=[self.company.id, self.company_b.id]
        )
        self.assertEqual(set(both.search([("id", "in", pair)]).ids), set(pair))

    def test_history_is_read_only(self):
        for user in (self.salesman, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.history_a.with_user(user).write({"new_value": "c"})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.history_a.with_user(user).unlink()

    def test_portal_customer_cannot_read_internal_classification(self):
        """A portal customer may read its own partner (name, address), never how
        we rate it: grade, credit, blacklist reason and 360 figures are internal."""
        self.customer.sudo().write({
            "crm_value_grade": "c", "crm_credit_rating": "c",
            "crm_commercial_blacklist": True, "crm_blacklist_reason": "Suspected fraud",
        })
        portal = new_test_user(
            self.env, login="access_portal", groups="base.group_portal",
            parent_id=self.customer.id,
        )
        own_company = self.customer.with_user(portal)
        self.assertEqual(own_company.read(["name"])[0]["name"], "Access Customer")
        for field in ("crm_value_grade", "crm_credit_rating", "crm_blacklist_reason",
                      "crm_360_sale_amount", "crm_classification_history_ids"):
            with self.assertRaises(AccessError, msg=field):
                own_company.read([field])
        # A plain read of every field the user may see leaves them out.
        self.assertFalse(
            [name for name in own_company.fields_get() if name.startswith("crm_")]
        )
