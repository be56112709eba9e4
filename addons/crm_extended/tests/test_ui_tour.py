from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCrmExtendedTours(HttpCase):
    """The Customer 360 view and the blacklist banner in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Tour Widget", "type": "consu", "list_price": 100.0}
        )
        cls.tier = cls.env["crm.customer.tier"].create(
            {
                "name": "Tour Gold",
                "min_yearly_amount": 1000.0,
                "grace_months": 14,
                "first_response_hours": 4.0,
            }
        )
        cls.account_manager = cls.env["res.users"].create(
            {
                "name": "Tour Account Manager",
                "login": "tour_account_manager",
                "group_ids": [Command.set([cls.env.ref("sales_team.group_sale_salesman").id])],
            }
        )

    def _order(self, partner, qty):
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": qty,
                            "price_unit": 100.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def test_partner_360_tour(self):
        customer = self.env["res.partner"].create(
            {"name": "Tour VIP Customer", "is_company": True, "email": "vip@example.com"}
        )
        orders = self._order(customer, 10) | self._order(customer, 5)
        orders.action_confirm()
        invoice = orders[0]._create_invoices()
        invoice.action_post()
        today = fields.Date.context_today(customer)
        # A manager's override, locked so that the recompute keeps it: it also
        # writes the classification history shown on the page.
        customer.with_context(crm_classification_reason="Strategic account").write(
            {
                "crm_value_grade": "a",
                "crm_value_grade_locked": True,
                "crm_value_grade_lock_reason": "Strategic account",
                "crm_lifecycle_stage": "loyal",
                "crm_lifecycle_locked": True,
                "crm_lifecycle_lock_reason": "Ten years of business",
                "crm_tier_id": self.tier.id,
                "crm_tier_valid_until": today + timedelta(days=400),
            }
        )
        customer.write(
            {
                "crm_credit_rating": "aa",
                "crm_credit_rating_locked": True,
                "crm_credit_rating_lock_reason": "Pays on time",
                "crm_key_account": "key",
                "crm_account_manager_id": self.account_manager.id,
            }
        )
        self.assertEqual(customer.crm_value_grade, "a")
        self.assertEqual(customer.crm_360_sale_order_count, 2)
        self.assertTrue(customer.crm_classification_history_ids)
        self.start_tour("/odoo", "crm_extended_partner_360_tour", login="admin")

    def test_blacklist_banner_tour(self):
        customer = self.env["res.partner"].create(
            {"name": "Tour Blocked Customer", "is_company": True}
        )
        order = self._order(customer, 1)
        customer.write(
            {
                "crm_commercial_blacklist": True,
                "crm_blacklist_reason": "Sold our samples on the grey market",
            }
        )
        self.assertTrue(order.crm_is_blacklisted_customer)
        self.start_tour(
            f"/odoo/sale.order/{order.id}", "crm_extended_blacklist_banner_tour", login="admin"
        )
