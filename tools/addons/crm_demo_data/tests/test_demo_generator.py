import re
from datetime import timedelta

import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.crm_extended.models.res_partner import LIFECYCLE_STAGES

CJK = re.compile(r"[\u4e00-\u9fff]")
# Moments that break a generator that counts from the wall clock (UTC).
MONDAY_NIGHT = "2026-11-30 01:00:00"
SATURDAY_NIGHT = "2026-12-05 23:30:00"
LEAP_DAY = "2028-02-29 12:00:00"
# Monday 10:00 in Brussels, the day after the clocks went forward (28 March 2027).
AFTER_DST_CHANGE = "2027-03-29 08:00:00"


@tagged("post_install", "-at_install")
class TestDemoGenerator(TransactionCase):
    """The demo data must show every classification the CRM computes, and the
    bulk rows must be what the ORM would have written."""

    def _generate_and_check(self, now, chinese=False):
        """Generate 30 customers at the frozen moment ``now`` and check that the
        demo shows everything the CRM computes, whatever the hour and weekday.
        ``chinese``: Simplified Chinese is active, the demo speaks it too."""
        Partner = self.env["res.partner"]
        if chinese:
            self.env["res.lang"]._activate_lang("zh_CN")
        summary = self.env["crm.demo.generator"].generate(customers=30, orders_per_customer=8, seed=7)
        customers = Partner.browse(summary["customer_ids"])
        self.assertEqual(len(customers), 30)
        self.assertEqual(summary["customers"], 30)
        self.assertEqual(customers.commercial_partner_id, customers)
        # Complaints and contracts of the demo customers, in several stages and states.
        complaints = self.env["crm.complaint"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(complaints), summary["complaints"])
        self.assertGreaterEqual(len(complaints), 4)
        self.assertGreater(len(complaints.stage_id), 1)
        self.assertTrue(complaints.filtered("is_closed") and complaints.filtered(lambda c: not c.is_closed))
        # Received, answered and resolved in the team's working hours, before
        # ``now``, in this order; the stored working hours say so.
        calendar = complaints.team_id.resource_calendar_id
        self.assertEqual(len(calendar), 1)
        answered = complaints.filtered("first_response_date")
        resolved = complaints.filtered("resolved_date")
        self.assertTrue(answered and resolved)
        for complaint in complaints:
            moments = [complaint.sla_start, complaint.first_response_date,
                       complaint.resolved_date, complaint.closed_date]
            moments = [moment for moment in moments if moment]
            self.assertEqual(moments, sorted(moments), complaint.name)
            self.assertLessEqual(moments[-1], now, complaint.name)
            for moment in moments[:3]:
                self.assertTrue(self._in_working_hours(calendar, moment),
                                f"{complaint.name}: {moment} is outside working hours")
        self.assertTrue(all(answered.mapped("time_to_first_response_hours")))
        self.assertTrue(all(resolved.mapped("time_to_resolution_hours")))
        # Mostly within the service level, a few late: not a wall of "Breached".
        breached = complaints.filtered(lambda c: c.sla_status == "breached")
        self.assertLess(len(breached), len(complaints) / 2)
        contracts = self.env["crm.service.contract"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(contracts), summary["contracts"])
        self.assertGreaterEqual(len(contracts), 3)
        self.assertTrue(set(contracts.mapped("state")) <= {"active", "expiring", "expired"})
        self.assertGreaterEqual(len(set(contracts.mapped("state"))), 2, "contracts in several states")
        self.assertTrue(contracts.visit_ids.filtered(lambda v: v.state == "done"))

        Partner.crm_recompute_classification()
        stages = set(customers.mapped("crm_lifecycle_stage"))
        self.assertEqual(stages, {key for key, _label in LIFECYCLE_STAGES})
        grades = {grade: customers.filtered(lambda c, g=grade: c.crm_value_grade == g)
                  for grade in ("a", "b", "c")}
        self.assertTrue(all(grades.values()), "every value grade appears")
        # Pareto: a minority of the buying customers makes most of the revenue.
        buying = customers.filtered("crm_revenue_12m")
        revenue = sum(buying.mapped("crm_revenue_12m"))
        revenue_a = sum(grades["a"].mapped("crm_revenue_12m"))
        self.assertLess(len(grades["a"]), len(buying) / 2)
        self.assertGreater(revenue_a, 0.7 * revenue)

        # Names: Chinese and English, companies with contacts, and people.
        names = customers.mapped("name")
        self.assertTrue(any(CJK.search(name) for name in names))
        self.assertTrue(any(name.isascii() for name in names))
        companies = customers.filtered("is_company")
        self.assertTrue(companies and companies != customers)
        self.assertTrue(companies.child_ids, "companies have contact persons")
        self.assertTrue(all(customers.mapped("email")) and all(customers.mapped("city")))
        salespeople = customers.user_id
        self.assertGreaterEqual(len(salespeople), 3)
        self.assertTrue(all(user.has_group("sales_team.group_sale_salesman")
                            for user in salespeople))
        self.assertTrue(any(CJK.search(user.name) for user in salespeople))
        key_accounts = customers.filtered(lambda c: c.crm_key_account == "key")
        self.assertTrue(key_accounts and all(key_accounts.mapped("crm_account_manager_id")))

        # Orders: every one confirmed, totals equal to their lines, over ~3 years.
        orders = self.env["sale.order"].search(
            [("partner_id.commercial_partner_id", "in", customers.ids)])
        confirmed = orders.filtered(lambda o: o.state == "sale")
        self.assertEqual(len(confirmed), summary["orders"])
        self.assertGreater(len(confirmed), 30 * 5)
        for order in confirmed:
            self.assertAlmostEqual(order.amount_untaxed, sum(order.order_line.mapped("price_subtotal")),
                                   places=2)
            self.assertAlmostEqual(order.amount_total, order.amount_untaxed + order.amount_tax,
                                   places=2)
        today = fields.Date.context_today(self.env["res.partner"])
        ages = [(today - order.date_order.date()).days for order in confirmed]
        self.assertGreater(max(ages), 3 * 365)
        self.assertLess(min(ages), 30)
        history = confirmed.filtered(lambda o: o.locked)
        self.assertTrue(history)
        self.assertEqual(set(history.mapped("invoice_status")), {"invoiced"})
        self.assertTrue(all(line.qty_invoiced == line.product_uom_qty
                            for line in history.order_line))
        names_seen = confirmed.mapped("name")
        self.assertEqual(len(names_seen), len(set(names_seen)), "order names are unique")
        self.assertTrue(orders.filtered(lambda o: o.state in ("draft", "sent")),
                        "open quotations exist")

        # Deliveries, invoices, payments and refunds.
        pickings = confirmed.picking_ids
        self.assertTrue(pickings.filtered(lambda p: p.state == "done"))
        invoices = self.env["account.move"].search(
            [("commercial_partner_id", "in", customers.ids), ("move_type", "=", "out_invoice")])
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(len(invoices), summary["invoices"])
        states = set(invoices.mapped("payment_state"))
        self.assertIn("paid", states)
        self.assertIn("not_paid", states)
        overdue = invoices.filtered(
            lambda m: m.payment_state == "not_paid" and m.invoice_date_due < today)
        self.assertTrue(overdue, "some invoices are overdue")
        refunds = self.env["account.move"].search(
            [("commercial_partner_id", "in", customers.ids), ("move_type", "=", "out_refund"),
             ("state", "=", "posted")])
        self.assertEqual(len(refunds), summary["refunds"])
        self.assertGreaterEqual(len(refunds), 1)
        paid_late = self.env["account.partial.reconcile"].search(
            [("debit_move_id", "in", invoices.line_ids.ids)]).filtered(
            lambda p: p.max_date > p.debit_move_id.date_maturity)
        self.assertTrue(paid_late, "some invoices were paid after their due date")

        # Pipeline, blacklist, credit limit.
        potential = customers.filtered(lambda c: c.crm_lifecycle_stage == "potential")
        leads = self.env["crm.lead"].search([("partner_id", "in", potential.ids)])
        self.assertEqual(leads.partner_id | orders.filtered(
            lambda o: o.state in ("draft", "sent") and o.partner_id in potential).partner_id,
            potential)
        self.assertTrue(self.env["crm.lead"].search_count([("type", "=", "lead")]))
        blacklisted = customers.filtered("crm_commercial_blacklist")
        self.assertTrue(blacklisted)
        self.assertTrue(all(blacklisted.mapped("crm_blacklist_reason")))
        self.assertTrue(customers.filtered("use_partner_credit_limit"))
        self.assertFalse(confirmed.filtered(lambda o: o.date_order > now), "no order after now")

        # A Chinese customer's complaints and visit reports are written in
        # Chinese, the others' in English.
        for complaint in complaints:
            in_chinese = complaint.partner_id.country_id.code == "CN"
            self.assertEqual(bool(CJK.search(complaint.name)), in_chinese, complaint.name)
            self.assertEqual(complaint.name.isascii(), not in_chinese, complaint.name)
        for visit in contracts.visit_ids.filtered("report"):
            self.assertEqual(bool(CJK.search(visit.report)),
                             visit.partner_id.country_id.code == "CN", visit.report)
        if chinese:
            self._check_chinese(customers)
        return summary

    def _check_chinese(self, customers):
        """With Chinese active: the catalogue, tags and teams read in Chinese for a
        Chinese user and in English for the others; the Chinese salespeople and
        customers use Chinese."""
        Product = self.env["product.product"]
        loin = Product.search([("default_code", "=", "MP-PL01")])
        self.assertEqual(loin.with_context(lang="en_US").name, "Chilled Pork Loin")
        self.assertEqual(loin.with_context(lang="zh_CN").name, "冷鲜猪里脊")
        catalogue = Product.with_context(lang="zh_CN").search([("default_code", "like", "-")])
        self.assertEqual(len(catalogue), 31)
        self.assertTrue(all(CJK.search(name) for name in catalogue.mapped("name")))
        tags = customers.category_id.with_context(lang="zh_CN")
        self.assertTrue(tags and all(CJK.search(name) for name in tags.mapped("name")))
        teams = customers.user_id.sale_team_id
        self.assertEqual(set(teams.with_context(lang="zh_CN").mapped("name")),
                         {"华东销售部", "国际销售部"})
        self.assertEqual(set(teams.with_context(lang="en_US").mapped("name")),
                         {"East China Sales", "International Sales"})
        for user in customers.user_id:
            self.assertEqual(user.lang, "zh_CN" if CJK.search(user.name) else "en_US", user.name)
        for customer in customers:
            chinese = customer.country_id.code == "CN"
            self.assertEqual(customer.lang, "zh_CN" if chinese else "en_US", customer.name)
            self.assertEqual(set(customer.child_ids.mapped("lang")) - {customer.lang}, set())
        # A Chinese customer's quotation lines read in Chinese.
        quotations = self.env["sale.order"].search([
            ("partner_id", "in", customers.ids), ("partner_id.lang", "=", "zh_CN"),
            ("state", "in", ("draft", "sent"))])
        self.assertTrue(all(CJK.search(name) for name in quotations.order_line.mapped("name")))

    @staticmethod
    def _in_working_hours(calendar, moment):
        start = pytz.utc.localize(moment - timedelta(minutes=1))
        stop = pytz.utc.localize(moment + timedelta(minutes=1))
        intervals = calendar._work_intervals_batch(start, stop)[False]
        return any(interval_start <= start + timedelta(minutes=1) <= interval_stop
                   for interval_start, interval_stop, _meta in intervals)

    # The demo placed intake and answers relative to the clock and failed on
    # Monday mornings: the same checks at moments that used to break it.
    @freeze_time(MONDAY_NIGHT)
    def test_generate_monday_before_office_hours(self):
        self._generate_and_check(fields.Datetime.to_datetime(MONDAY_NIGHT))

    @freeze_time(SATURDAY_NIGHT)
    def test_generate_saturday_night(self):
        self._generate_and_check(fields.Datetime.to_datetime(SATURDAY_NIGHT))

    @freeze_time(LEAP_DAY)
    def test_generate_leap_day_in_chinese(self):
        self._generate_and_check(fields.Datetime.to_datetime(LEAP_DAY), chinese=True)

    @freeze_time(AFTER_DST_CHANGE)
    def test_generate_across_a_dst_change(self):
        """Working hours in a company time zone that moved to summer time on
        the Sunday before: intakes and answers still fall in office hours."""
        self.env.company.resource_calendar_id.tz = "Europe/Brussels"
        self._generate_and_check(fields.Datetime.to_datetime(AFTER_DST_CHANGE))

    def test_same_seed_and_moment_same_data(self):
        """The generator's ``now`` makes the data independent of the clock."""
        moment = fields.Datetime.to_datetime(MONDAY_NIGHT)
        fingerprints = []
        for clock in (MONDAY_NIGHT, "2026-11-30 16:47:13"):
            with freeze_time(clock):
                savepoint = self.env.cr.savepoint(flush=False)
                summary = self.env["crm.demo.generator"].generate(
                    customers=12, orders_per_customer=4, seed=3, now=moment)
                fingerprints.append(self._fingerprint(summary))
                savepoint.close(rollback=True)
                self.env.invalidate_all()
        self.assertTrue(fingerprints[0]["orders"] and fingerprints[0]["complaints"])
        self.maxDiff = None
        self.assertEqual(fingerprints[0], fingerprints[1])

    def _fingerprint(self, summary):
        customers = self.env["res.partner"].browse(summary["customer_ids"])
        orders = self.env["sale.order"].search(
            [("partner_id.commercial_partner_id", "in", customers.ids)])
        complaints = self.env["crm.complaint"].search([("partner_id", "in", customers.ids)])
        contracts = self.env["crm.service.contract"].search([("partner_id", "in", customers.ids)])
        return {
            "customers": sorted(customers.mapped(lambda p: (p.name, p.email, p.city))),
            "orders": sorted(orders.mapped(lambda o: (
                o.partner_id.name, str(o.date_order), o.state, o.amount_untaxed))),
            "complaints": sorted(complaints.mapped(lambda c: (
                c.partner_id.name, c.name, c.stage_id.name, str(c.sla_start),
                str(c.first_response_date), str(c.resolved_date), str(c.closed_date)))),
            "contracts": sorted(contracts.mapped(lambda c: (
                c.partner_id.name, str(c.date_start), str(c.date_end)))),
        }

    def test_generate_rejects_bad_input(self):
        generator = self.env["crm.demo.generator"]
        partners_before = self.env["res.partner"].search_count([])
        for kwargs in ({"customers": 0}, {"customers": 5000}, {"orders_per_customer": 0},
                       {"customers": 5, "now": "yesterday"}, {"customers": 5, "now": "1850-01-01"}):
            with self.assertRaises(UserError):
                generator.generate(**kwargs)
        with self.assertRaises(UserError):
            generator.generate_bulk(customers=0)
        with self.assertRaises(UserError):
            generator.generate_bulk(customers=10, order_lines=-1)
        salesman = new_test_user(self.env, login="demo_gen_salesman",
                                 groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            generator.with_user(salesman).generate(customers=5)
        with self.assertRaises(AccessError):
            generator.with_user(salesman).generate_bulk(customers=5, order_lines=10)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before + 1)

    @freeze_time(SATURDAY_NIGHT)
    def test_generate_bulk_rows_are_consistent(self):
        cr = self.env.cr
        SaleOrder = self.env["sale.order"]
        orders_before = SaleOrder.search([])
        partners_before = self.env["res.partner"].search([])
        summary = self.env["crm.demo.generator"].generate_bulk(
            customers=200, order_lines=2000, seed=7, now=SATURDAY_NIGHT)
        self.assertEqual(summary["customers"], 200)
        self.assertEqual(summary["order_lines"], 2000)
        self.assertEqual(summary["orders"], 200)

        # The four demo salespeople come with their partners.
        customers = (self.env["res.partner"].search([]) - partners_before).filtered(
            lambda p: not p.user_ids)
        self.assertEqual(len(customers), 200)
        self.assertEqual(customers.commercial_partner_id, customers)
        self.assertTrue(any(CJK.search(name) for name in customers.mapped("name")))
        self.assertTrue(all(customers.mapped("user_id")))
        new_orders = SaleOrder.search([]) - orders_before
        orders = new_orders.filtered(lambda o: o.state == "sale")
        self.assertEqual(len(orders), summary["orders"])
        # Quotations sent to customers who never ordered: potential customers.
        quotations = new_orders - orders
        self.assertEqual(len(quotations), summary["quotations"])
        self.assertTrue(quotations, "some customers who never ordered have a quotation")
        self.assertEqual(set(quotations.mapped("state")), {"sent"})
        self.assertFalse(quotations.partner_id & orders.partner_id)
        self.assertEqual(set(quotations.order_line.mapped("invoice_status")),
                         {"no"})
        self.assertEqual(SaleOrder.search_count([("id", "in", orders.ids), ("state", "=", "sale")]),
                         200)
        self.assertEqual(len(orders.order_line), 2000)
        # Amounts: the untaxed total is the sum of the lines, the total adds the
        # taxes (rounded per line or globally: within a cent per line).
        cr.execute(
            """SELECT count(*) FROM sale_order o
                 JOIN (SELECT order_id, sum(price_subtotal) AS untaxed, sum(price_tax) AS tax,
                              count(*) AS lines
                         FROM sale_order_line GROUP BY order_id) l ON l.order_id = o.id
                WHERE o.id = ANY(%s)
                  AND (abs(o.amount_untaxed - l.untaxed) > 0.005
                       OR abs(o.amount_total - o.amount_untaxed - o.amount_tax) > 0.005
                       OR abs(o.amount_tax - l.tax) > 0.01 * l.lines)""",
            [orders.ids],
        )
        self.assertEqual(cr.fetchone()[0], 0)
        # The ORM recomputes exactly the stored amounts.
        sample = orders[:40]
        fields_line = ["price_subtotal", "price_tax", "price_total", "price_reduce_taxexcl",
                       "price_reduce_taxinc"]
        def amounts():
            # price_tax is a float difference in the ORM: compare to the cent.
            return [
                {key: round(value, 6) if isinstance(value, float) else value
                 for key, value in row.items()}
                for row in sample.read(["amount_untaxed", "amount_tax", "amount_total"])
                + sample.order_line.read(fields_line)
            ]

        before = amounts()
        sample.order_line._compute_amount()
        sample.order_line._compute_price_reduce_taxexcl()
        sample.order_line._compute_price_reduce_taxinc()
        sample._compute_amounts()
        self.maxDiff = None
        self.assertEqual(before, amounts(), "the ORM recomputes the same amounts")
        self.assertEqual(len(set(orders.mapped("name"))), 200)
        self.assertTrue(all(orders.order_line.mapped("tax_ids")))
        self.assertEqual(set(orders.mapped("company_id")), {self.env.company})
        self.assertEqual(set(orders.mapped("currency_id")), {self.env.company.currency_id})
        today = fields.Date.context_today(SaleOrder)
        ages = [(today - o.date_order.date()).days for o in orders]
        self.assertGreater(max(ages), 365)
        self.assertLess(min(ages), 60)
        # The volume is skewed: the top tenth of the buyers places a large share.
        counts = sorted((len(group) for group in orders.grouped("partner_id").values()),
                        reverse=True)
        self.assertGreater(sum(counts[: max(1, len(counts) // 10)]), 0.25 * len(orders))

        # The ORM works on the rows: invoice an order, create the next one.
        order = orders.sorted("amount_total")[-1]
        invoice = order._create_invoices()
        self.assertAlmostEqual(invoice.amount_total, order.amount_total, places=2)
        self.assertEqual(order.invoice_status, "invoiced")
        new_order = SaleOrder.create({
            "partner_id": customers[0].id,
            "order_line": [fields.Command.create({"product_id": order.order_line[0].product_id.id})],
        })
        self.assertNotIn(new_order.name, orders.mapped("name"))

        self.env["res.partner"].crm_recompute_classification()
        self.assertGreaterEqual(len(set(customers.mapped("crm_lifecycle_stage")) - {False}), 3)

    @freeze_time(MONDAY_NIGHT)
    def test_bulk_order_dates_follow_customer_activity(self):
        self.env["crm.demo.generator"].generate_bulk(customers=300, order_lines=3000, seed=11,
                                                     now=MONDAY_NIGHT)
        today = fields.Date.context_today(self.env["sale.order"])
        self.env.cr.execute(
            """SELECT so.partner_id, max(so.date_order)::date
                 FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                WHERE p.email LIKE 'customer%%@example.%%'
                GROUP BY so.partner_id"""
        )
        last_orders = dict(self.env.cr.fetchall())
        stopped = [p for p, day in last_orders.items() if day < today - timedelta(days=365)]
        active = [p for p, day in last_orders.items() if day > today - timedelta(days=60)]
        self.assertTrue(stopped, "some customers stopped buying more than a year ago")
        self.assertTrue(active, "most customers still buy")

    def test_generate_is_a_model_method(self):
        """Callable without ids (``env[...].generate()`` in dev.py's shell): every
        entry point keeps @api.model."""
        Generator = self.env.registry["crm.demo.generator"]
        for name in ("generate", "generate_bulk", "generate_bulk_purchases",
                     "generate_bulk_complaints", "generate_bulk_contracts",
                     "generate_bulk_contract_history"):
            for cls in Generator.__mro__:
                method = cls.__dict__.get(name)
                if method is not None:
                    with self.subTest(cls=cls, method=name):
                        self.assertTrue(getattr(method, "_api_model", False),
                                        f"{cls.__module__}.{name} lost @api.model")

    @freeze_time(MONDAY_NIGHT)
    def test_demo_segments_birthdays_and_events(self):
        """The demo adds birthdays, example segments and the first event
        activities (three birthdays in the coming days)."""
        Segment = self.env["crm.customer.segment"]
        summary = self.env["crm.demo.generator"].generate(
            customers=8, orders_per_customer=2, seed=3, now=MONDAY_NIGHT)
        self.assertEqual(summary["segments"], 4)
        self.assertGreaterEqual(summary["birthdays"], 3)
        segments = Segment.search([("name", "=", "At-risk A and B customers")])
        self.assertEqual(len(segments), 1)
        self.assertEqual(sorted(segments.value_grade_ids.mapped("code")), ["a", "b"])
        customers = self.env["res.partner"].browse(summary["customer_ids"])
        people = customers.child_ids | customers.filtered(lambda p: not p.is_company)
        self.assertEqual(len(people.filtered("crm_birthday")), summary["birthdays"])
        events = self.env["crm.customer.event"].search([("partner_id", "in", people.ids)])
        self.assertEqual(len(events), summary["event_activities"])
        self.assertGreaterEqual(len(events), 3)
        self.assertTrue(all(events.activity_id))
        # A second run adds no segment twice.
        self.assertFalse(self.env["crm.demo.generator"]._demo_segments())

    def test_benchmark_generators(self):
        """The benchmarks' purchase histories, complaints and contracts: the
        counts asked for, rows the ORM reads back, refused for a non-admin."""
        Generator = self.env["crm.demo.generator"]
        salesman = new_test_user(self.env, login="demo_bench_salesman",
                                 groups="sales_team.group_sale_salesman")
        for method, kwargs in (("generate_bulk_purchases", {"customers": 5, "orders": 10}),
                               ("generate_bulk_complaints", {"count": 5}),
                               ("generate_bulk_contracts", {"customers": 2, "contracts": 2}),
                               ("generate_bulk_contract_history", {"contracts": 2})):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(Generator.with_user(salesman), method)(**kwargs)

        summary = Generator.generate_bulk_purchases(customers=120, orders=900, seed=5)
        self.assertEqual((summary["customers"], summary["orders"]), (120, 900))
        orders = self.env["sale.order"].search([("name", "=like", "BENCH%")])
        self.assertEqual(len(orders), 900)
        self.assertEqual(set(orders.mapped("state")), {"sale"})
        # Every customer bought at least once; one in a hundred is archived.
        self.assertEqual(len(orders.partner_id), 120)
        self.assertEqual(len(orders.partner_id.filtered(lambda p: not p.active)), 1)
        self.assertEqual(set(orders.currency_id.mapped("name")), {"USD", "EUR"})

        Generator.generate_bulk_complaints(count=300)
        complaints = self.env["crm.complaint"].search([("code", "=like", "BENCH/%")])
        self.assertEqual(len(complaints), 300)
        self.assertAlmostEqual(len(complaints.filtered("is_closed")) / 300, 0.8, delta=0.02)
        self.assertEqual(complaints.team_id.name, "Bench After-sales")

        Generator.generate_bulk_contracts(customers=20, contracts=40)
        contracts = self.env["crm.service.contract"].search([("name", "=like", "BENCH/%")])
        self.assertEqual(len(contracts), 40)
        self.assertEqual(set(contracts.mapped("state")), {"active"})
        self.assertEqual(len(contracts.visit_ids.filtered(lambda v: v.state == "done")), 20)

        Generator.generate_bulk_contract_history(contracts=600)
        history = self.env["crm.service.contract"].search([("name", "=like", "XSBENCH/%")])
        self.assertEqual(len(history), 600)
        self.assertLessEqual({"active", "expired"}, set(history.mapped("state")))
        self.assertTrue(history.filtered("previous_contract_id"))
