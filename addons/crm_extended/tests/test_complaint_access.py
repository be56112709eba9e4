from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .complaint_common import CrmComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintAccess(CrmComplaintCase):
    """Users see their own team's complaints, managers all; companies are apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = new_test_user(cls.env, login="cmp_outsider", name="Other Team Agent",
                                     groups="sales_team.group_sale_salesman")
        cls.other_team = cls.env["crm.complaint.team"].create({
            "name": "Key Accounts", "member_ids": [(6, 0, cls.outsider.ids)],
        })
        cls.ours = cls._complaint(name="Ours")
        cls.theirs = cls._complaint(name="Theirs", team_id=cls.other_team.id)
        cls.company_b = cls.env["res.company"].create({"name": "Complaint Company B"})
        cls.manager.company_ids += cls.company_b
        cls.in_b = cls.env["crm.complaint"].with_company(cls.company_b).create({
            "name": "In B", "company_id": cls.company_b.id, "team_id": False,
        })

    def test_user_sees_own_team(self):
        Complaint = self.env["crm.complaint"].with_user(self.agent_2)
        visible = Complaint.search([("id", "in", (self.ours | self.theirs).ids)])
        self.assertEqual(visible, self.ours)
        with self.assertRaises(AccessError):
            Complaint.browse(self.theirs.id).read(["name"])
        with self.assertRaises(AccessError):
            Complaint.browse(self.ours.id).unlink()  # no delete for users
        Complaint.browse(self.ours.id).write({"resolution": "<p>Replaced</p>"})
        # The leader is not a member but sees the team's complaints.
        self.assertTrue(self.env["crm.complaint"].with_user(self.leader).search(
            [("id", "=", self.ours.id)]))

    def test_manager_sees_all_in_allowed_companies(self):
        Complaint = self.env["crm.complaint"].with_user(self.manager).with_context(
            allowed_company_ids=[self.company.id])
        ids = (self.ours | self.theirs | self.in_b).ids
        self.assertEqual(Complaint.search([("id", "in", ids)]), self.ours | self.theirs)
        in_both = Complaint.with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        self.assertEqual(len(in_both.search([("id", "in", ids)])), 3)

    def test_configuration_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["crm.complaint.team"].with_user(self.agent_1).create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.env["crm.complaint.stage"].with_user(self.agent_1).create({"name": "Mine"})
        self.env["crm.complaint.stage"].with_user(self.manager).create({"name": "Legal review"})


class TestComplaintCustomer360(CrmComplaintCase):
    """Complaints on the partner form and in the hand-over."""

    def test_partner_counts_and_action(self):
        self._complaint()
        late = self._complaint(name="Late")
        late.sla_status = "breached"
        self._complaint(name="Done").stage_id = self.stage_closed
        for partner in (self.customer, self.contact):
            self.assertEqual(partner.crm_360_complaint_count, 3)
            self.assertEqual(partner.crm_360_open_complaint_count, 2)
            self.assertEqual(partner.crm_360_breached_complaint_count, 1)
        action = self.contact.action_crm_360_view_complaints()
        self.assertEqual(action["res_model"], "crm.complaint")
        self.assertEqual(len(self.env["crm.complaint"].search(action["domain"])), 3)

    def test_handover_moves_open_complaints(self):
        open_one = self._complaint(user_id=self.agent_1.id)
        closed = self._complaint(user_id=self.agent_1.id)
        closed.stage_id = self.stage_closed
        wizard = self.env["crm.customer.handover"].with_user(self.manager).create({
            "from_user_id": self.agent_1.id, "to_user_id": self.agent_2.id,
            "move_customers": False, "move_account_manager": False,
            "move_opportunities": False, "move_quotations": False,
        })
        # Other features (contracts) add their own lines to the preview.
        self.assertIn("Open complaints: 1", wizard.preview.splitlines())
        wizard.action_handover()
        self.assertEqual(open_one.user_id, self.agent_2)
        self.assertEqual(closed.user_id, self.agent_1, "closed complaints keep their history")
        self.assertTrue(open_one.message_ids.filtered(lambda m: "Handed over" in str(m.body)))
        wizard = self.env["crm.customer.handover"].with_user(self.manager).create({
            "from_user_id": self.agent_2.id, "to_user_id": self.agent_1.id,
            "move_complaints": False,
        })
        self.assertNotIn("complaints", wizard.preview or "")
