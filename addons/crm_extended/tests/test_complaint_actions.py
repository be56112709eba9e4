from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .complaint_common import CrmComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintActions(CrmComplaintCase):
    """Return, credit note, replacement and supplier claim through Odoo's own
    wizards, linked both ways."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Tin Supplier Ltd"})
        cls.product.write({"seller_ids": [Command.create({"partner_id": cls.vendor.id,
                                                          "price": 40.0})]})
        cls.order = cls.env["sale.order"].create({
            "partner_id": cls.customer.id,
            "order_line": [Command.create({"product_id": cls.product.id,
                                           "product_uom_qty": 5.0, "price_unit": 100.0,
                                           "tax_ids": [Command.clear()]})],
        })
        cls.order.action_confirm()
        cls.delivery = cls.order.picking_ids
        # The least-privileged roles that see each button.
        cls.billing = new_test_user(
            cls.env, login="cmp_billing", name="Billing Clerk",
            groups="crm_extended.group_crm_extended_user,account.group_account_invoice")
        cls.buyer = new_test_user(
            cls.env, login="cmp_buyer", name="Buyer",
            groups="crm_extended.group_crm_extended_user,purchase.group_purchase_user")
        # Complaint users see their team's complaints.
        cls.team.member_ids += cls.billing + cls.buyer

    def _deliver(self):
        self.delivery.move_ids.quantity = 5.0
        self.delivery.move_ids.picked = True
        self.delivery.button_validate()
        self.assertEqual(self.delivery.state, "done")

    def _complaint_on_order(self, **vals):
        return self._complaint(sale_order_id=self.order.id,
                               sale_line_id=self.order.order_line.id, **vals)

    def test_return_from_original_delivery(self):
        complaint = self._complaint_on_order()
        self.assertEqual(complaint.product_id, self.product)
        with self.assertRaises(UserError) as error:
            complaint.action_crm_return()
        self.assertIn("has not been delivered yet", str(error.exception))
        self.assertFalse(complaint.picking_id)
        self._deliver()
        action = complaint.action_crm_return()
        self.assertEqual(complaint.picking_id, self.delivery)
        wizard = Form(self.env["stock.return.picking"].with_context(**action["context"]))
        with wizard.product_return_moves.edit(0) as line:
            line.quantity = 2.0
        result = wizard.save().with_context(**action["context"]).action_create_returns()
        returned = self.env["stock.picking"].browse(result["res_id"])
        self.assertEqual(returned.return_id, self.delivery, "Odoo's own return mechanism")
        self.assertEqual(returned.crm_complaint_id, complaint)
        self.assertEqual(returned.move_ids.product_uom_qty, 2.0)
        self.assertEqual(complaint.return_picking_ids, returned)
        self.assertEqual(complaint.return_count, 1)
        self.assertEqual(self.delivery.crm_complaint_count, 1)
        self.assertEqual(returned.crm_complaint_count, 1)
        self.assertEqual(self.order.crm_complaint_count, 1)
        self.assertEqual(self.product.product_tmpl_id.crm_complaint_count, 1)
        self.assertEqual(complaint.action_crm_view_returns()["res_id"], returned.id)
        # Logged on the complaint, with a link to the return.
        logged = complaint.message_ids.filtered(
            lambda m: f'data-oe-id="{returned.id}"' in str(m.body)
            and 'data-oe-model="stock.picking"' in str(m.body))
        self.assertEqual(len(logged), 1)
        self.assertIn(returned.name, str(logged.body))

    def test_credit_note_of_posted_invoice(self):
        self._deliver()
        invoice = self.order._create_invoices()
        complaint = self._complaint_on_order(invoice_id=invoice.id)
        with self.assertRaises(UserError) as error:
            complaint.action_crm_credit_note()
        self.assertIn("not a posted customer invoice", str(error.exception))
        self.assertFalse(complaint.credit_note_ids)
        invoice.action_post()
        action = complaint.with_user(self.billing).action_crm_credit_note()
        # The dialog says which invoice it reverses: in its title and its form.
        self.assertIn(invoice.name, action["name"])
        Reversal = self.env["account.move.reversal"].with_user(self.billing).with_context(
            **action["context"])
        arch = Reversal.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("o_crm_complaint_reversed_invoice", arch)
        form = Form(Reversal)
        self.assertEqual(form.move_ids[:], invoice)
        form.journal_id = invoice.journal_id
        result = form.save().with_context(**action["context"]).reverse_moves()
        credit_note = self.env["account.move"].browse(result["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.crm_complaint_id, complaint)
        self.assertIn(complaint.code, credit_note.ref)
        self.assertEqual(complaint.credit_note_count, 1)

    def _replacement_form(self, complaint, user):
        action = complaint.with_user(user).action_crm_replacement()
        self.assertFalse(complaint.replacement_order_ids, "nothing created before saving")
        return Form(self.env[action["res_model"]].with_user(user).with_context(
            **action["context"]))

    def test_replacement_quotation(self):
        """A priced quotation opens for the salesperson to check and save."""
        complaint = self._complaint_on_order()
        form = self._replacement_form(complaint, self.agent_1)
        self.assertEqual(form.partner_id, self.customer)
        with form.order_line.edit(0) as line:
            self.assertEqual(line.product_id, self.product)
            self.assertEqual(line.product_uom_qty, 5.0)
            self.assertEqual(line.price_unit, 100.0, "the pricelist price")
        quotation = form.save()
        self.assertFalse(quotation.order_line.discount,
                         "no discount the salesperson's form does not show")
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(quotation.crm_complaint_id, complaint)
        self.assertEqual(quotation.origin, complaint.code)
        self.assertEqual(quotation.amount_untaxed, 500.0)
        self.assertEqual(complaint.replacement_order_ids, quotation)
        self.assertTrue(complaint.message_ids.filtered(
            lambda m: f'data-oe-id="{quotation.id}"' in str(m.body)))
        no_product = self._complaint()
        with self.assertRaises(UserError):
            no_product.with_user(self.agent_1).action_crm_replacement()

    def test_replacement_free_of_charge_with_visible_discount(self):
        self.agent_1.group_ids += self.env.ref("sale.group_discount_per_so_line")
        complaint = self._complaint_on_order()
        form = self._replacement_form(complaint, self.agent_1)
        with form.order_line.edit(0) as line:
            self.assertEqual(line.price_unit, 100.0)
            self.assertEqual(line.discount, 100.0)
        quotation = form.save()
        self.assertEqual(quotation.amount_untaxed, 0.0, "free of charge, as a shown discount")

    def test_supplier_claim_and_return_to_vendor(self):
        purchase = self.env["purchase.order"].create({
            "partner_id": self.vendor.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_qty": 10.0,
                                           "price_unit": 40.0})],
        })
        purchase.button_confirm()
        receipt = purchase.picking_ids
        receipt.move_ids.quantity = 10.0
        receipt.move_ids.picked = True
        receipt.button_validate()
        complaint = self._complaint_on_order()
        action = complaint.action_crm_supplier_claim()
        self.assertEqual(complaint.supplier_id, self.vendor)
        self.assertEqual(complaint.purchase_order_id, purchase)
        self.assertEqual(purchase.crm_complaint_count, 1)
        self.assertTrue(purchase.message_ids.filtered(lambda m: complaint.code in (m.body or "")))
        self.assertEqual(action["res_model"], "stock.return.picking")
        wizard = Form(self.env["stock.return.picking"].with_context(**action["context"]))
        with wizard.product_return_moves.edit(0) as line:
            line.quantity = 3.0
        result = wizard.save().with_context(**action["context"]).action_create_returns()
        vendor_return = self.env["stock.picking"].browse(result["res_id"])
        self.assertEqual(vendor_return.return_id, receipt)
        self.assertEqual(vendor_return.picking_type_code, "outgoing")
        self.assertEqual(vendor_return.crm_complaint_id, complaint)

    def test_supplier_claim_needs_a_supplier(self):
        other = self.env["product.product"].create({"name": "Unknown origin", "type": "consu"})
        complaint = self._complaint(product_id=other.id)
        with self.assertRaises(UserError) as error:
            complaint.with_user(self.buyer).action_crm_supplier_claim()
        self.assertIn("No supplier is known", str(error.exception))
        self.assertIn("Choose the Supplier", str(error.exception))
        # The way out: the Supplier field, shown and editable on the form.
        form = Form(complaint.with_user(self.buyer))
        form.supplier_id = self.vendor
        form.save()
        action = complaint.with_user(self.buyer).action_crm_supplier_claim()
        self.assertEqual(complaint.supplier_id, self.vendor)
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.vendor.id))
        # Without purchases, the product's vendor is claimed to.
        found = self._complaint(product_id=self.product.id)
        action = found.with_user(self.buyer).action_crm_supplier_claim()
        self.assertEqual(found.supplier_id, self.vendor)
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", self.vendor.id))

    def test_similar_resolved_complaints_suggested(self):
        category = self.env.ref("crm_extended.crm_complaint_category_core_service")
        pricing = self.env.ref("crm_extended.crm_complaint_category_pricing")
        solved = self._complaint(name="Lids bent", category_id=category.id,
                                 product_id=self.product.id)
        solved.write({"stage_id": self.stage_resolved.id,
                      "resolution": "<p>Sent a new batch of lids</p>"})
        self._complaint(name="Still open", category_id=category.id, product_id=self.product.id)
        self._complaint(name="Too expensive", category_id=pricing.id,
                        product_id=self.product.id).stage_id = self.stage_resolved
        new = Form(self.env["crm.complaint"])
        new.name = "Lids broken again"
        new.partner_id = self.contact
        new.category_id = category
        new.product_id = self.product
        self.assertEqual(new.similar_complaint_ids[:], solved)
        self.assertNotIn(solved, solved.similar_complaint_ids)
