from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CrmExtendedCase

COUNTER_FIELDS = (
    "crm_360_sale_order_count",
    "crm_360_sale_amount",
    "crm_360_delivery_count",
    "crm_360_open_invoice_count",
    "crm_360_open_invoice_amount",
    "crm_360_overdue_invoice_count",
    "crm_360_overdue_invoice_amount",
    "crm_360_last_interaction_date",
)


@tagged("post_install", "-at_install")
class TestPartner360(CrmExtendedCase):
    """The live counters of the Customer 360 page, on crafted data: what is
    counted, what is not, contacts showing their company's figures, and a
    query count that does not grow with the number of customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.now = fields.Datetime.now()
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Globex 360", "is_company": True})
        cls.contact = Partner.create({"name": "Hank Scorpio", "parent_id": cls.customer.id})
        cls.other = Partner.create({"name": "Initech 360", "is_company": True})
        cls.nobody = Partner.create({"name": "No Business Yet", "is_company": True})

        # Orders: two confirmed (one by the contact), a quotation, a cancelled one.
        cls.order_1 = cls._make_order(cls.customer, 3, 100.0, days_ago=40)
        cls.order_2 = cls._make_order(cls.contact, 2, 50.0, days_ago=20)
        cls.quotation = cls._make_order(cls.customer, 1, 999.0, days_ago=5)
        cls.cancelled = cls._make_order(cls.customer, 1, 777.0, days_ago=2)
        cls.other_order = cls._make_order(cls.other, 1, 10.0, days_ago=100)
        (cls.order_1 | cls.order_2 | cls.cancelled | cls.other_order).action_confirm()
        cls.cancelled._action_cancel()
        # Confirming dates an order of the confirmation: put the dates back.
        for order, days_ago in (
            (cls.order_1, 40),
            (cls.order_2, 20),
            (cls.cancelled, 2),
            (cls.other_order, 100),
        ):
            order.date_order = cls.now - timedelta(days=days_ago)

        # Invoices: open and not due, open and overdue (partly paid), paid,
        # draft, and a credit note.
        cls.invoice_open = cls._make_invoice(cls.customer, 200.0, due_in_days=30)
        cls.invoice_overdue = cls._make_invoice(cls.contact, 120.0, due_in_days=-10)
        cls.invoice_paid = cls._make_invoice(cls.customer, 80.0, due_in_days=-5)
        cls.invoice_draft = cls._make_invoice(cls.customer, 60.0, due_in_days=-5, post=False)
        cls.refund = cls._make_invoice(cls.customer, 25.0, due_in_days=-5, move_type="out_refund")
        cls._pay(cls.invoice_paid, 80.0)
        cls._pay(cls.invoice_overdue, 20.0)

    @classmethod
    def _make_order(cls, partner, qty, price, days_ago, pricelist=None):
        vals = {
            "partner_id": partner.id,
            "date_order": cls.now - timedelta(days=days_ago),
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": qty,
                        "price_unit": price,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].create(vals)

    @classmethod
    def _make_invoice(cls, partner, amount, due_in_days, post=True, move_type="out_invoice"):
        invoice_date = cls.today - timedelta(days=60)
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "invoice_date_due": cls.today + timedelta(days=due_in_days),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount):
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": cls.today}).action_create_payments()

    def _fresh(self, partners):
        partners.invalidate_recordset()
        return partners

    # ------------------------------------------------------------
    # Counters
    # ------------------------------------------------------------

    def test_order_counters(self):
        customer = self._fresh(self.customer)
        self.assertEqual(customer.crm_360_sale_order_count, 2, "confirmed orders only")
        self.assertAlmostEqual(customer.crm_360_sale_amount, 3 * 100.0 + 2 * 50.0)
        self.assertEqual(customer.crm_360_currency_id, self.env.company.currency_id)
        self.assertEqual(self.other.crm_360_sale_order_count, 1)
        self.assertAlmostEqual(self.other.crm_360_sale_amount, 10.0)
        self.assertEqual(self.nobody.crm_360_sale_order_count, 0)
        self.assertEqual(self.nobody.crm_360_sale_amount, 0.0)

    def test_revenue_converted_to_company_currency(self):
        company_currency = self.env.company.currency_id
        foreign = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("id", "!=", company_currency.id)], limit=1)
        )
        foreign.active = True
        # One company currency unit is worth 4 foreign units.
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "rate": 4.0,
                "name": self.today - timedelta(days=1),
                "company_id": self.env.company.id,
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": foreign.id}
        )
        order = self._make_order(self.nobody, 1, 400.0, days_ago=1, pricelist=pricelist)
        self.assertEqual(order.currency_id, foreign)
        order.action_confirm()
        # The rate moves after the sale: revenue stays at the order's own rate
        # (the classification's rule too), not today's (it would say 50).
        self.env["res.currency.rate"].create(
            {
                "currency_id": foreign.id,
                "rate": 8.0,
                "name": self.today,
                "company_id": self.env.company.id,
            }
        )
        nobody = self._fresh(self.nobody)
        self.assertEqual(nobody.crm_360_sale_order_count, 1)
        self.assertAlmostEqual(nobody.crm_360_sale_amount, 100.0)

    def test_delivery_count(self):
        pickings = (self.order_1 | self.order_2).picking_ids
        self.assertEqual(len(pickings), 2, "goods are delivered: one transfer per order")
        self.assertEqual(set(pickings.mapped("picking_type_code")), {"outgoing"})
        self.assertTrue(self.cancelled.picking_ids, "the cancelled order had a transfer")
        self.assertEqual(self._fresh(self.customer).crm_360_delivery_count, 2)
        self.assertEqual(self.other.crm_360_delivery_count, 1)
        self.assertEqual(self.nobody.crm_360_delivery_count, 0)

    def test_invoice_counters(self):
        customer = self._fresh(self.customer)
        self.assertEqual(self.invoice_paid.payment_state, "paid")
        self.assertEqual(self.invoice_overdue.payment_state, "partial")
        self.assertEqual(customer.crm_360_open_invoice_count, 2)
        self.assertAlmostEqual(customer.crm_360_open_invoice_amount, 200.0 + 100.0)
        self.assertEqual(customer.crm_360_overdue_invoice_count, 1)
        self.assertAlmostEqual(customer.crm_360_overdue_invoice_amount, 100.0)
        self.assertEqual(self.other.crm_360_open_invoice_count, 0)
        self.assertEqual(self.other.crm_360_overdue_invoice_amount, 0.0)

    def test_last_interaction(self):
        # Orders only: the last non-cancelled order or quotation (5 days ago),
        # not the cancelled one (2 days ago).
        customer = self._fresh(self.customer)
        self.assertEqual(customer.crm_360_last_interaction_date, self.quotation.date_order)
        # A tracking notification is not an interaction ...
        self.other.message_post(body="Automatic notice", message_type="notification")
        self.assertEqual(
            self._fresh(self.other).crm_360_last_interaction_date, self.other_order.date_order
        )
        # ... a note logged on a contact is.
        note = self.contact.message_post(body="Called about the renewal", message_type="comment")
        self.assertGreater(note.date, self.quotation.date_order)
        customer = self._fresh(self.customer)
        self.assertEqual(customer.crm_360_last_interaction_date, note.date)
        self.assertFalse(self.nobody.crm_360_last_interaction_date)

    def test_done_activity_is_an_interaction(self):
        activity = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.nobody.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "summary": "Discovery call",
            }
        )
        self.assertFalse(self._fresh(self.nobody).crm_360_last_interaction_date)
        activity.action_feedback(feedback="Interested in widgets")
        self.assertTrue(self._fresh(self.nobody).crm_360_last_interaction_date)

    def test_contact_shows_commercial_partner_figures(self):
        contact, customer = self._fresh(self.contact | self.customer)
        for fname in COUNTER_FIELDS:
            self.assertEqual(contact[fname], customer[fname], fname)
        self.assertTrue(customer.crm_is_commercial_entity)
        self.assertFalse(contact.crm_is_commercial_entity)

    def test_blacklist_reason_of_the_company_on_the_contact(self):
        self.customer.sudo().write(
            {
                "crm_commercial_blacklist": True,
                "crm_blacklist_reason": "Unpaid debts",
            }
        )
        self.assertTrue(self.contact.crm_is_blacklisted_customer)
        self.assertEqual(self.contact.crm_customer_blacklist_reason, "Unpaid debts")

    def test_actions_open_the_counted_records(self):
        for partner in (self.customer, self.contact):
            action = partner.action_crm_360_view_orders()
            orders = self.env["sale.order"].search(action["domain"])
            self.assertEqual(orders, self.order_1 | self.order_2)
            action = partner.action_crm_360_view_deliveries()
            self.assertEqual(
                self.env["stock.picking"].search(action["domain"]),
                (self.order_1 | self.order_2).picking_ids,
            )
            action = partner.action_crm_360_view_open_invoices()
            self.assertEqual(
                self.env["account.move"].search(action["domain"]),
                self.invoice_open | self.invoice_overdue,
            )
            action = partner.action_crm_360_view_overdue_invoices()
            self.assertEqual(
                self.env["account.move"].search(action["domain"]), self.invoice_overdue
            )

    def test_counters_follow_access_rights(self):
        """Users see the counters of the documents they may read."""
        customer = self.customer.with_user(self.manager)
        self.assertEqual(customer.crm_360_sale_order_count, 2)
        plain = self.env["res.users"].create(
            {
                "name": "Plain Employee",
                "login": "plain_360",
                "group_ids": [Command.set([self.env.ref("base.group_user").id])],
            }
        )
        # No access to orders or invoices: zero, not an access error.
        customer = self.customer.with_user(plain)
        self.assertEqual(customer.crm_360_sale_order_count, 0)
        self.assertEqual(customer.crm_360_open_invoice_count, 0)

    def test_forms_open_for_a_salesperson(self):
        """The 360 page, the banner and the badges load for a salesperson, who
        is not a CRM manager (no header buttons) nor an accountant."""
        self.customer.write({"crm_commercial_blacklist": True, "crm_blacklist_reason": "Fraud"})
        # A salesperson reads their own documents only.
        (self.order_1 | self.order_2 | self.quotation).user_id = self.salesman
        customer = self.customer.with_user(self.salesman)
        arch = customer.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("crm_customer_360", arch)
        self.assertNotIn("action_crm_open_blacklist_wizard", arch)
        # Their counts cover their own orders only, next to figures of all
        # orders: the page says so to them, not to those who see every order.
        note = "count the documents you"
        self.assertIn(note, arch)
        manager_arch = self.customer.with_user(self.manager).get_views(
            [(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn(note, manager_arch)
        # The Customer 360 page is the one the form opens on, and sale's
        # orders button hides behind ours once there is a confirmed order.
        tree = etree.fromstring(arch)
        self.assertEqual([page.get("name") for page in tree.iterfind(".//page[@autofocus]")],
                         ["crm_customer_360"])
        [sale_button] = tree.xpath("//button[.//field[@name='sale_order_count']]")
        self.assertEqual(sale_button.get("invisible"), "crm_360_sale_order_count")
        form = Form(customer)
        self.assertTrue(form.crm_is_blacklisted_customer)
        self.assertEqual(form.crm_360_sale_order_count, 2)
        order = Form(self.quotation.with_user(self.salesman))
        self.assertEqual(order.crm_blacklist_reason, "Fraud")
        lead = Form(
            self.env["crm.lead"]
            .with_user(self.salesman)
            .create({"name": "Renewal", "type": "lead", "partner_id": self.contact.id})
        )
        self.assertTrue(lead.crm_is_blacklisted_customer)

    def test_customers_menu_lists_potential_customers(self):
        """CRM > Customers > Customers opens the CRM's own action, whose default
        filter keeps the potential customers (never ordered nor invoiced) and
        leaves out plain contacts."""
        menu = self.env.ref("crm_extended.crm_extended_customers_list_menu")
        action = self.env.ref("crm_extended.crm_customer_action")
        self.assertEqual(menu.action, action)
        context = safe_eval(action.context)
        self.assertEqual(context["search_default_crm_customers"], 1)
        Partner = self.env["res.partner"].with_user(self.salesman)
        arch = etree.fromstring(Partner.get_views([(False, "search")])["views"]["search"]["arch"])
        [customers_filter] = arch.xpath("//filter[@name='crm_customers']")
        domain = safe_eval(customers_filter.get("domain"))
        prospect, supplier = self.env["res.partner"].create([
            {"name": "Prospect 360", "is_company": True},
            {"name": "Supplier 360", "is_company": True},
        ])
        prospect.crm_lifecycle_stage = "potential"
        found = Partner.search(domain + [("id", "in", (prospect | supplier | self.customer).ids)])
        self.assertEqual(found, prospect | self.customer)

    def test_manager_sees_the_header_buttons(self):
        arch = self.customer.with_user(self.manager).get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn("action_crm_open_blacklist_wizard", arch)
        self.assertIn("action_crm_open_override_wizard", arch)

    # ------------------------------------------------------------
    # Set-based
    # ------------------------------------------------------------

    def _count_queries(self, partners):
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        for partner in partners:
            # Reading every partner as a list view does: the first access
            # computes the counters of the whole prefetched recordset.
            partner.read(list(COUNTER_FIELDS))
        return self.env.cr.sql_log_count - start

    def test_counters_query_count_does_not_grow(self):
        Partner = self.env["res.partner"]
        customers = Partner.create(
            [{"name": f"Bulk Customer {i}", "is_company": True} for i in range(50)]
        )
        contacts = Partner.create(
            [{"name": f"Bulk Contact {i}", "parent_id": customers[i].id} for i in range(50)]
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": (contacts if i % 2 else customers)[i].id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": 10.0 * (i + 1),
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for i in range(50)
            ]
        )
        orders.action_confirm()
        every = customers | contacts

        few = self._count_queries(Partner.browse(every[:5].ids))
        many = self._count_queries(Partner.browse(every.ids))
        self.assertLessEqual(many, few, "the queries must not grow with the number of partners")
        self.assertLessEqual(many, 15)

        # And the figures of the bulk are right.
        self.env.invalidate_all()
        by_id = {partner.id: partner for partner in Partner.browse(every.ids)}
        for i, (customer, contact) in enumerate(zip(customers, contacts, strict=True)):
            for partner in (by_id[customer.id], by_id[contact.id]):
                self.assertEqual(partner.crm_360_sale_order_count, 1)
                self.assertAlmostEqual(partner.crm_360_sale_amount, 10.0 * (i + 1))
                self.assertEqual(partner.crm_360_delivery_count, 1)


@tagged("post_install", "-at_install")
class TestClassificationSearchViews(CrmExtendedCase):
    """Every filter and group-by added by this module runs, and the
    classification filters on orders and leads follow the customer's grade."""

    SEARCH_VIEWS = (
        ("res.partner", "base.view_res_partner_filter"),
        ("sale.order", "sale.view_sales_order_filter"),
        ("sale.order", "sale.sale_order_view_search_inherit_quotation"),
        ("crm.lead", "crm.view_crm_case_opportunities_filter"),
        ("crm.lead", "crm.view_crm_case_leads_filter"),
        ("crm.classification.history", "crm_extended.crm_classification_history_view_search"),
    )

    def _filters(self, model, view_xmlid):
        view = self.env.ref(view_xmlid)
        arch = self.env[model].get_view(view.id, "search")["arch"]
        for node in etree.fromstring(arch).iter("filter"):
            name = node.get("name") or ""
            if model == "crm.classification.history" or name.startswith("crm_"):
                yield name, node

    def test_filters_and_groupbys_run(self):
        for model, view_xmlid in self.SEARCH_VIEWS:
            Model = self.env[model]
            names = []
            for name, node in self._filters(model, view_xmlid):
                names.append(name)
                with self.subTest(model=model, filter=name):
                    if node.get("domain"):
                        domain = safe_eval(node.get("domain"), {"uid": self.env.uid})
                        Model.search_count(domain)
                    if node.get("context"):
                        group_by = safe_eval(node.get("context"), {"uid": self.env.uid})["group_by"]
                        Model.formatted_read_group([], [group_by], ["__count"])
                    if node.get("date"):
                        self.assertIn(node.get("date"), Model._fields)
            self.assertTrue(names, f"no crm_extended filter in {view_xmlid}")

    def test_grade_filter_and_groupby_on_orders_and_leads(self):
        Partner = self.env["res.partner"]
        vip = Partner.create({"name": "VIP Ltd", "is_company": True})
        vip_contact = Partner.create({"name": "VIP Buyer", "parent_id": vip.id})
        ordinary = Partner.create({"name": "Ordinary Ltd", "is_company": True})
        (vip | ordinary).with_user(self.manager).write({"crm_value_grade": "c"})
        vip.with_user(self.manager).write(
            {
                "crm_value_grade": "a",
                "crm_value_grade_locked": True,
                "crm_value_grade_lock_reason": "Strategic",
            }
        )
        orders = self.env["sale.order"].create(
            [
                {"partner_id": vip_contact.id},
                {"partner_id": ordinary.id},
            ]
        )
        leads = self.env["crm.lead"].create(
            [
                {"name": "VIP deal", "type": "opportunity", "partner_id": vip_contact.id},
                {"name": "Small deal", "type": "opportunity", "partner_id": ordinary.id},
            ]
        )
        self.assertEqual(
            self.env["sale.order"].search(
                [("id", "in", orders.ids), ("crm_value_grade", "=", "a")]
            ),
            orders[0],
        )
        self.assertEqual(
            self.env["crm.lead"].search([("id", "in", leads.ids), ("crm_value_grade", "=", "a")]),
            leads[0],
        )
        groups = self.env["sale.order"]._read_group(
            [("id", "in", orders.ids)], ["crm_value_grade"], ["__count"]
        )
        self.assertEqual(dict(groups), {"a": 1, "c": 1})
        self.assertEqual(
            Partner.search(
                [("id", "in", (vip | vip_contact | ordinary).ids), ("crm_value_grade", "=", "a")]
            ),
            vip,
        )
