from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoleAgentTour(HttpCase):
    """A service agent's day in a real browser, in English and in Chinese,
    as a user with only the rights an after-sales agent has: sales (own
    documents), inventory, billing and purchase users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env, login="tour_agent", password="tour_agent_pw", name="Agent Zhang",
            email="zhang@example.com",
            groups="sales_team.group_sale_salesman,stock.group_stock_user,"
                   "account.group_account_invoice,purchase.group_purchase_user",
        )
        cls.team = cls.env["crm.complaint.team"].create({
            "name": "Tour After-sales", "sequence": 0, "assignment_mode": "manual",
            "member_ids": [Command.set(cls.agent.ids)],
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Tour Canning Factory", "is_company": True,
            "email": "buyer@canning.example.com",
        })
        cls.vendor = cls.env["res.partner"].create({
            "name": "Tour Tin Supplier", "is_company": True, "supplier_rank": 1,
        })
        # No vendor on the product: the agent chooses the supplier on the way.
        cls.product = cls.env["product.product"].create({
            "name": "Tour Tin Lid", "type": "consu", "list_price": 25.0, "taxes_id": False,
        })
        cls.order = cls.env["sale.order"].create({
            "partner_id": cls.customer.id,
            "user_id": cls.agent.id,
            "order_line": [Command.create({"product_id": cls.product.id,
                                           "product_uom_qty": 5.0, "price_unit": 25.0,
                                           "tax_ids": [Command.clear()]})],
        })
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        cls.delivery.move_ids.quantity = 5.0
        cls.delivery.move_ids.picked = True
        cls.delivery.button_validate()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()
        cls.complaint = cls.env["crm.complaint"].create({
            "name": "Tour: dented lids from order",
            "partner_id": cls.customer.id,
            "team_id": cls.team.id,
            "channel": "phone",
            "sale_order_id": cls.order.id,
            "sale_line_id": cls.order.order_line.id,
        })

    def _agent_day(self, tour_suffix=""):
        complaint = self.complaint
        self.assertFalse(complaint.user_id)
        self.start_tour("/odoo/action-crm_extended.crm_complaint_action",
                        f"crm_extended_role_agent_tour{tour_suffix}", login="tour_agent")
        self.assertEqual(complaint.user_id, self.agent)
        self.assertEqual(complaint.stage_id,
                         self.env.ref("crm_extended.crm_complaint_stage_resolved"))
        self.assertTrue(complaint.resolved_date)
        self.assertIn("returned, credited and replaced", str(complaint.resolution))
        # The answer is the first response of the team.
        answer = complaint.message_ids.filtered(
            lambda m: "we take the dented lids back" in str(m.body))
        self.assertEqual(answer.author_id, self.agent.partner_id)
        self.assertEqual(answer.message_type, "comment")
        self.assertTrue(complaint.first_response_date)
        # Odoo's return of the original delivery, two of the five lids.
        returned = complaint.return_picking_ids
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned.return_id, self.delivery)
        self.assertEqual(returned.move_ids.product_uom_qty, 2.0)
        # The credit note reverses the invoice.
        credit_note = complaint.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, self.invoice)
        self.assertEqual(complaint.invoice_id, self.invoice)
        # The replacement is quoted at the product's price.
        replacement = complaint.replacement_order_ids
        self.assertEqual(len(replacement), 1)
        self.assertEqual(replacement.partner_id, self.customer)
        self.assertEqual(replacement.order_line.product_id, self.product)
        self.assertEqual(replacement.order_line.price_unit, 25.0)
        self.assertEqual(replacement.amount_untaxed, 125.0)
        self.assertEqual(replacement.state, "draft")
        # The supplier claim, on the supplier chosen on the way.
        self.assertEqual(complaint.supplier_id, self.vendor)
        self.assertTrue(complaint.message_ids.filtered(
            lambda m: "Tour Tin Supplier" in str(m.body)))

    def test_agent_day(self):
        self._agent_day()

    def test_agent_day_zh_cn(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["web", "mail", "stock", "account", "sale", "crm_extended"], ["zh_CN"],
            overwrite=True)
        self.agent.lang = "zh_CN"
        self._agent_day("_zh_cn")
