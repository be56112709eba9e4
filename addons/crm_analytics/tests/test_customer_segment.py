import json
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged, users

from odoo.addons.crm_analytics.models.crm_customer_segment import (
    EXPORT_FIELDS,
    OPTION_SELECTIONS,
)
from odoo.addons.crm_extended.tests.common import CrmExtendedCase

# Every segment of these tests is limited to the customers made here.
MINE = "[('name', '=like', 'SegTest %')]"


@tagged("post_install", "-at_install")
class TestCustomerSegment(CrmExtendedCase):
    """Segments count and list the same customers as a direct search, act on
    them (activities, mailing lists, export) and respect the access rights;
    the event job plans birthday and contract anniversary activities once."""

    # name: (grade, stage, rfm segment, churn risk, value score, e-mail)
    CUSTOMERS = {
        "a_risk": ("a", "at_risk", "at_risk", "high", 80.0, "a.risk@example.com"),
        "a_loyal": ("a", "loyal", "champions", "low", 95.0, "a.loyal@example.com"),
        "b_risk": ("b", "at_risk", "cannot_lose", "high", 60.0, "b.risk@example.com"),
        "b_new": ("b", "new", "new", "medium", 40.0, False),
        "c_lost": ("c", "lost", "lost", "high", 5.0, "c.lost@example.com"),
        "c_none": ("c", "regular", None, None, None, "A.RISK@example.com"),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Segment Other Co"})
        cls.tier_gold = cls.env["crm.customer.tier"].create(
            {"name": "SegTest Gold", "min_yearly_amount": 10 ** 9})
        cls.account_manager = new_test_user(
            cls.env, login="seg_account_manager", name="Account Manager",
            groups="sales_team.group_sale_salesman")
        cls.seller = new_test_user(
            cls.env, login="seg_seller", name="Seller", groups="sales_team.group_sale_salesman")
        cls.fallback = new_test_user(
            cls.env, login="seg_fallback", name="Fallback", groups="sales_team.group_sale_salesman")
        cls.portal_user = new_test_user(cls.env, login="seg_portal", groups="base.group_portal")
        cls.integration = new_test_user(
            cls.env, login="seg_integration",
            groups="crm_extended.group_crm_extended_integration")
        cls.other_salesman = new_test_user(
            cls.env, login="seg_other_salesman", groups="sales_team.group_sale_salesman",
            company_id=cls.other_company.id, company_ids=[Command.set(cls.other_company.ids)])
        cls.partners = {
            key: cls._crm_customer(f"SegTest {key}", email=email, customer_rank=1)
            for key, (_g, _s, _r, _c, _v, email) in cls.CUSTOMERS.items()
        }
        # Products: a_risk and b_risk bought P1 (b_risk through a contact),
        # a_loyal bought P1 and P2, P2 in the other company for c_lost.
        cls.p1 = cls.env["product.product"].create({"name": "SegTest P1", "type": "service"})
        cls.p2 = cls.env["product.product"].create({"name": "SegTest P2", "type": "service"})
        contact = cls.env["res.partner"].create(
            {"name": "Contact of b_risk", "parent_id": cls.partners["b_risk"].id})
        cls._seg_order(cls.partners["a_risk"], cls.p1)
        cls._seg_order(contact, cls.p1)
        cls._seg_order(cls.partners["a_loyal"], cls.p1 | cls.p2)
        cls._seg_order(cls.partners["c_lost"], cls.p2, company=cls.other_company)
        cls._seg_order(cls.partners["c_none"], cls.p2, confirm=False)
        # Classification and scores are set after the orders, whose
        # confirmation reclassifies and rescores the customers.
        Score = cls.env["crm.customer.score"]
        Score.search([("partner_id", "in", [p.id for p in cls.partners.values()])]).unlink()
        for key, (grade, stage, rfm, churn, score, _email) in cls.CUSTOMERS.items():
            partner = cls.partners[key]
            partner.with_company(cls.company).write({
                "crm_value_grade": grade, "crm_lifecycle_stage": stage})
            if rfm:
                Score.create({
                    "partner_id": partner.id, "company_id": cls.company.id,
                    "rfm_segment": rfm, "churn_risk": churn, "value_score": score,
                })
        # The other company sees a_loyal as at risk and ordinary: never mixed in.
        Score.create({"partner_id": cls.partners["a_loyal"].id,
                      "company_id": cls.other_company.id, "rfm_segment": "at_risk",
                      "churn_risk": "high", "value_score": 10.0})
        cls.partners["a_loyal"].with_company(cls.other_company).crm_value_grade = "c"
        cls.partners["b_new"].with_company(cls.company).crm_tier_id = cls.tier_gold
        cls.Segment = cls.env["crm.customer.segment"]

    @classmethod
    def _seg_order(cls, partner, products, company=None, confirm=True):
        company = company or cls.company
        order = cls.env["sale.order"].with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [Command.create({
                "product_id": product.id, "product_uom_qty": 1.0, "price_unit": 10.0,
                "tax_ids": [Command.clear()],
            }) for product in products],
        })
        if confirm:
            order.with_context(allowed_company_ids=[company.id]).action_confirm()
        return order

    @classmethod
    def _options(cls, kind, *codes):
        return cls.env["crm.customer.segment.option"].search(
            [("kind", "=", kind), ("code", "in", codes)])

    def _segment(self, **vals):
        return self.Segment.create({"name": "SegTest segment", "partner_domain": MINE, **vals})

    def _keys(self, partners):
        names = {partner.id: key for key, partner in self.partners.items()}
        return {names[partner.id] for partner in partners}

    def _members(self, segment):
        return segment._crm_segment_partners().search(segment._crm_segment_domain())

    # ------------------------------------------------------------
    # Criteria and counts
    # ------------------------------------------------------------

    def test_options_match_the_selections(self):
        Option = self.env["crm.customer.segment.option"]
        for kind, selection in OPTION_SELECTIONS.items():
            self.assertEqual(
                sorted(Option.search([("kind", "=", kind)]).mapped("code")),
                sorted(key for key, _label in selection), kind)

    def test_counts_per_criterion(self):
        """Each criterion alone, then together, against the expected customers
        and a direct search with the same condition."""
        Partner = self.env["res.partner"].with_company(self.company)
        mine = [("name", "=like", "SegTest %")]
        cases = [
            ({}, set(self.CUSTOMERS), mine),
            ({"value_grade_ids": [Command.set(self._options("value_grade", "a").ids)]},
             {"a_risk", "a_loyal"}, mine + [("crm_value_grade", "=", "a")]),
            ({"lifecycle_stage_ids": [Command.set(
                self._options("lifecycle_stage", "at_risk", "lost").ids)]},
             {"a_risk", "b_risk", "c_lost"},
             mine + [("crm_lifecycle_stage", "in", ["at_risk", "lost"])]),
            ({"tier_ids": [Command.set(self.tier_gold.ids)]}, {"b_new"},
             mine + [("crm_tier_id", "=", self.tier_gold.id)]),
            ({"rfm_segment_ids": [Command.set(
                self._options("rfm_segment", "at_risk", "cannot_lose").ids)]},
             {"a_risk", "b_risk"}, None),
            ({"churn_risk_ids": [Command.set(self._options("churn_risk", "high").ids)]},
             {"a_risk", "b_risk", "c_lost"}, None),
            ({"min_value_score": 60.0}, {"a_risk", "a_loyal", "b_risk"}, None),
            ({"bought_product_ids": [Command.set(self.p1.ids)]},
             {"a_risk", "a_loyal", "b_risk"}, None),
            ({"bought_product_ids": [Command.set(self.p1.ids)],
              "not_bought_product_ids": [Command.set(self.p2.ids)]},
             {"a_risk", "b_risk"}, None),
            # P2 only in the other company or unconfirmed: nobody else bought it here.
            ({"not_bought_product_ids": [Command.set(self.p2.ids)]},
             set(self.CUSTOMERS) - {"a_loyal"}, None),
            ({"partner_domain": "[('name', '=like', 'SegTest %'), ('email', '=', False)]"},
             {"b_new"}, mine + [("email", "=", False)]),
            # "Every at-risk A customer": grade and churn risk together.
            ({"value_grade_ids": [Command.set(self._options("value_grade", "a").ids)],
              "churn_risk_ids": [Command.set(self._options("churn_risk", "high").ids)]},
             {"a_risk"}, None),
        ]
        for vals, expected, direct in cases:
            with self.subTest(vals=vals):
                segment = self._segment(**vals)
                self.assertEqual(self._keys(self._members(segment)), expected)
                self.assertEqual(segment.customer_count, len(expected))
                if direct:
                    self.assertEqual(self._keys(Partner.search(direct)), expected)
        # The expected sets above agree with direct searches of the fixture's
        # score rows and confirmed order lines (a check of the fixture itself).
        Score = self.env["crm.customer.score"]
        mine_scores = [("company_id", "=", self.company.id),
                       ("partner_id.name", "=like", "SegTest %")]
        for domain, expected in (
            ([("churn_risk", "=", "high")], {"a_risk", "b_risk", "c_lost"}),
            ([("rfm_segment", "in", ["at_risk", "cannot_lose"])], {"a_risk", "b_risk"}),
            ([("value_score", ">=", 60.0)], {"a_risk", "a_loyal", "b_risk"}),
        ):
            self.assertEqual(self._keys(Score.search(mine_scores + domain).partner_id), expected)
        lines = self.env["sale.order.line"].search([
            ("state", "=", "sale"), ("company_id", "=", self.company.id),
            ("product_id", "=", self.p1.id)])
        self.assertEqual(self._keys(lines.order_partner_id.commercial_partner_id),
                         {"a_risk", "a_loyal", "b_risk"})

    def test_other_company_segment(self):
        segment = self._segment(
            company_id=self.other_company.id,
            value_grade_ids=[Command.set(self._options("value_grade", "c").ids)],
            churn_risk_ids=[Command.set(self._options("churn_risk", "high").ids)])
        # Grade and score of the other company: only a_loyal is C and high there.
        self.assertEqual(self._keys(self._members(segment)), {"a_loyal"})
        self.assertEqual(segment.customer_count, 1)
        with self.assertRaisesRegex(UserError, "switch to that company"):
            segment.action_open_customers()

    def test_open_customers_and_bad_input(self):
        segment = self._segment(
            value_grade_ids=[Command.set(self._options("value_grade", "a", "b").ids)],
            bought_product_ids=[Command.set(self.p1.ids)])
        action = segment.action_open_customers()
        self.assertEqual(action["res_model"], "res.partner")
        # The action's domain is plain data and finds the same customers.
        found = self.env["res.partner"].search(action["domain"])
        self.assertEqual(self._keys(found), {"a_risk", "a_loyal", "b_risk"})
        with self.assertRaises(ValidationError):
            self._segment(partner_domain="[('no_such_field', '=', 1)]")
        with self.assertRaises(ValidationError):
            self._segment(partner_domain="not a domain")
        with self.assertRaises(ValidationError):
            segment.write({"not_bought_product_ids": [Command.set(self.p1.ids)]})
        with self.assertRaises(ValidationError):
            segment.min_value_score = 101
        self.assertEqual(segment.customer_count, 3)

    def test_purchased_products_field(self):
        partners = self.partners["a_loyal"] | self.partners["b_risk"] | self.partners["c_lost"]
        self.assertEqual(self.partners["a_loyal"].crm_purchased_product_ids, self.p1 | self.p2)
        self.assertEqual(self.partners["b_risk"].crm_purchased_product_ids, self.p1)
        self.assertFalse(self.partners["c_lost"].crm_purchased_product_ids)
        self.assertEqual(
            partners.with_company(self.other_company).mapped(
                lambda p: p.crm_purchased_product_ids.ids),
            [[], [], self.p2.ids])

    # ------------------------------------------------------------
    # Export API
    # ------------------------------------------------------------

    def test_export_api(self):
        segment = self._segment(name="SegTest High Churn", churn_risk_ids=[
            Command.set(self._options("churn_risk", "high").ids)])
        self.partners["a_risk"].write({"ref": "R-1", "crm_external_ref": "EXT-1"})
        result = self.Segment.crm_api_segment_export("SegTest High Churn")
        self.assertEqual(result["header"], list(EXPORT_FIELDS))
        self.assertEqual(result["total"], 3)
        self.assertEqual(result["segment"]["id"], segment.id)
        rows = {row[1]: row for row in result["rows"]}
        self.assertEqual(list(rows), ["SegTest a_risk", "SegTest b_risk", "SegTest c_lost"])
        self.assertEqual(rows["SegTest a_risk"], [
            self.partners["a_risk"].id, "SegTest a_risk", "R-1", "EXT-1", "a.risk@example.com",
            "a", "at_risk", "at_risk", "high", 80.0])
        self.assertEqual(rows["SegTest b_risk"][2:4], [False, False])
        # Pages by id, a subset of the columns.
        page = self.Segment.crm_api_segment_export(
            segment.id, fields=["id", "value_score"], offset=1, limit=1)
        self.assertEqual(page["header"], ["id", "value_score"])
        self.assertEqual(page["rows"], [[self.partners["b_risk"].id, 60.0]])
        self.assertEqual((page["total"], page["offset"]), (3, 1))
        self.assertEqual(
            self.Segment.crm_api_segment_export(segment.id, offset=3)["rows"], [])
        # The same page as one JSON text, for XML-RPC clients.
        packed = self.Segment.crm_api_segment_export(
            segment.id, fields=["id", "value_score"], offset=1, limit=1, rows_as_json=True)
        self.assertEqual(json.loads(packed["rows"]), [[self.partners["b_risk"].id, 60.0]])
        for kwargs, error in (
            ({"segment": "No Such Segment"}, UserError),
            ({"segment": 0}, UserError),
            ({"segment": None}, ValidationError),
            ({"segment": segment.id, "fields": ["id", "password"]}, ValidationError),
            ({"segment": segment.id, "fields": []}, ValidationError),
            ({"segment": segment.id, "limit": 0}, ValidationError),
            ({"segment": segment.id, "limit": 10001}, ValidationError),
            ({"segment": segment.id, "offset": -1}, ValidationError),
            ({"segment": segment.id, "offset": "1"}, ValidationError),
            ({"segment": segment.id, "rows_as_json": "yes"}, ValidationError),
        ):
            with self.subTest(kwargs=kwargs), self.assertRaises(error):
                self.Segment.crm_api_segment_export(**kwargs)
        self._segment(name="SegTest High Churn")
        with self.assertRaisesRegex(UserError, "Several customer segments"):
            self.Segment.crm_api_segment_export("SegTest High Churn")

    # ------------------------------------------------------------
    # Activities
    # ------------------------------------------------------------

    def _schedule(self, segment, **vals):
        wizard = self.env["crm.customer.segment.activity"].with_context(
            default_segment_id=segment.id)
        form = Form(wizard)
        form.activity_type_id = self.env.ref("mail.mail_activity_data_call")
        form.summary = "Call them"
        form.deadline_days = 5
        form.fallback_user_id = self.fallback
        for name, value in vals.items():
            setattr(form, name, value)
        return form.save()._crm_schedule()

    def test_activity_wizard_assignees_and_no_duplicates(self):
        self.partners["a_risk"].crm_account_manager_id = self.account_manager
        self.partners["a_risk"].user_id = self.seller
        self.partners["b_risk"].user_id = self.seller
        archived = new_test_user(self.env, login="seg_archived", groups="base.group_user")
        self.partners["c_lost"].crm_account_manager_id = archived
        archived.action_archive()
        segment = self._segment(churn_risk_ids=[
            Command.set(self._options("churn_risk", "high").ids)])
        result = self._schedule(segment)
        self.assertEqual((result["created"], result["skipped"]), (3, 0))
        by_partner = {activity.res_id: activity for activity in result["activities"]}
        self.assertEqual(by_partner[self.partners["a_risk"].id].user_id, self.account_manager)
        self.assertEqual(by_partner[self.partners["b_risk"].id].user_id, self.seller)
        # An archived account manager and no salesperson: the fallback user.
        self.assertEqual(by_partner[self.partners["c_lost"].id].user_id, self.fallback)
        activity = by_partner[self.partners["a_risk"].id]
        self.assertEqual(activity.date_deadline, date.today() + relativedelta(days=5))
        self.assertEqual((activity.res_model, activity.summary), ("res.partner", "Call them"))
        # A re-run adds nothing; another type does.
        again = self._schedule(segment)
        self.assertEqual((again["created"], again["skipped"]), (0, 3))
        todo = self._schedule(segment, activity_type_id=self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(todo["created"], 3)
        # Done activities are no longer open: the next campaign plans them again.
        result["activities"].filtered(
            lambda a: a.res_id == self.partners["b_risk"].id).action_done()
        third = self._schedule(segment)
        self.assertEqual((third["created"], third["skipped"]), (1, 2))
        with self.assertRaises(UserError):
            self._schedule(segment, deadline_days=-1)
        # The button reports the counts and leaves a trace on the segment.
        wizard = self.env["crm.customer.segment.activity"].create({
            "segment_id": segment.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            "fallback_user_id": self.fallback.id})
        action = wizard.action_schedule()
        self.assertIn("0 activities scheduled, 3 customers skipped", action["params"]["message"])
        self.assertIn("3 customers skipped", segment.message_ids[0].body)

    def test_activity_wizard_is_batched(self):
        """The queries do not grow with the number of customers."""
        many = self.env["res.partner"].create([
            {"name": f"SegTest many {i}", "customer_rank": 1, "user_id": self.seller.id}
            for i in range(20)])
        self.assertEqual(len(many), 20)
        everyone = self._segment()
        two = self._segment(partner_domain="[('name', 'in', ['SegTest a_risk', 'SegTest b_new'])]")
        for partner in self.partners.values():
            partner.user_id = self.seller
        self._schedule(two, activity_type_id=self.env.ref("mail.mail_activity_data_todo"))
        counts = {}
        for key, segment, xmlid in ((2, two, "mail.mail_activity_data_call"),
                                    (26, everyone, "mail.mail_activity_data_meeting")):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            result = self._schedule(segment, activity_type_id=self.env.ref(xmlid))
            counts[key] = self.env.cr.sql_log_count - start
            self.assertEqual(result["created"], key)
        # 24 more customers, at most a handful more queries (not one per customer).
        self.assertLessEqual(counts[26], counts[2] + 4, counts)

    # ------------------------------------------------------------
    # Mailing lists (mass_mailing is installed by tools/dev.py test)
    # ------------------------------------------------------------

    def test_mailing_list(self):
        self.assertIn("mailing.list", self.env,
                      "these tests need Email Marketing (mass_mailing) installed, as "
                      "`python3 tools/dev.py test` does")
        segment = self._segment()
        self.assertTrue(segment.mass_mailing_installed)
        mailing_list = self.env["mailing.list"].create({"name": "SegTest list"})
        # a.risk@ is known already (not on the list); c.lost@ is on it already.
        known = self.env["mailing.contact"].create({"name": "Known", "email": "a.risk@example.com"})
        self.env["mailing.contact"].create({
            "name": "Listed", "email": "c.lost@example.com",
            "list_ids": [Command.link(mailing_list.id)]})
        action = segment.action_add_to_mailing_list()
        wizard = self.env["crm.customer.segment.mailing"].with_context(**action["context"]).create(
            {"mailing_list": str(mailing_list.id)})
        self.assertIn(str(mailing_list.id), dict(wizard._selection_mailing_list()))
        result = wizard._crm_add_to_list()
        # Five customers have an address, c_none shares a_risk's (other case).
        self.assertEqual(
            {k: result[k] for k in ("added", "created", "already", "no_email")},
            {"added": 3, "created": 2, "already": 1, "no_email": 1})
        self.assertIn(mailing_list, known.list_ids)
        contacts = self.env["mailing.contact"].search([("list_ids", "in", mailing_list.ids)])
        self.assertEqual(sorted(contacts.mapped("email_normalized")), [
            "a.loyal@example.com", "a.risk@example.com", "b.risk@example.com",
            "c.lost@example.com"])
        again = wizard._crm_add_to_list()
        self.assertEqual((again["added"], again["created"], again["already"]), (0, 0, 4))
        self.assertEqual(
            self.env["mailing.contact"].search_count([("list_ids", "in", mailing_list.ids)]), 4)
        # Sales users without Email Marketing rights neither see nor run it.
        as_salesman = segment.with_user(self.salesman)
        self.assertFalse(as_salesman.mass_mailing_installed)
        with self.assertRaisesRegex(AccessError, "Only Email Marketing users"):
            as_salesman.action_add_to_mailing_list()
        with self.assertRaisesRegex(AccessError, "Only Email Marketing users"):
            wizard.with_user(self.salesman)._crm_add_to_list()
        # A list deleted meanwhile: a clear error, nothing added.
        gone = self.env["mailing.list"].create({"name": "SegTest gone"})
        wizard.mailing_list = str(gone.id)
        gone.unlink()
        with self.assertRaisesRegex(UserError, "Choose an existing mailing list"):
            wizard._crm_add_to_list()

    # ------------------------------------------------------------
    # Birthdays and contract anniversaries
    # ------------------------------------------------------------

    def _events(self, today):
        Event = self.env["crm.customer.event"].with_context(crm_event_today=today)
        return Event._crm_create_events(self.company)

    def test_birthday_events(self):
        company = self.partners["a_risk"]
        company.crm_account_manager_id = self.account_manager
        self.partners["b_risk"].user_id = self.seller
        person = self.env["res.partner"].create({
            "name": "SegTest person", "parent_id": company.id, "crm_birthday": "1980-03-04"})
        leap = self.env["res.partner"].create({
            "name": "SegTest leap", "parent_id": self.partners["b_risk"].id,
            "crm_birthday": "2000-02-29"})
        self.env["res.partner"].create({  # nobody to call: no event
            "name": "SegTest orphan", "crm_birthday": "1990-03-01"})
        self.company.crm_event_days_ahead = 7
        events = self._events(date(2027, 2, 25))
        self.assertEqual(
            {(e.partner_id, e.event_date, e.years, e.user_id) for e in events},
            {(person, date(2027, 3, 4), 47, self.account_manager),
             (leap, date(2027, 2, 28), 27, self.seller)})
        activity = events.filtered(lambda e: e.partner_id == person).activity_id
        self.assertEqual(
            (activity.res_model, activity.res_id, activity.user_id, activity.date_deadline,
             activity.activity_type_id),
            ("res.partner", person.id, self.account_manager, date(2027, 3, 4),
             self.env.ref("crm_analytics.mail_activity_type_crm_birthday")))
        self.assertEqual(activity.summary, "Birthday of SegTest person (47)")
        # Once per year: not the next day, not after the activity is done.
        activity.action_done()
        self.assertFalse(self._events(date(2027, 2, 26)))
        # A leap year keeps 29 February.
        events = self._events(date(2028, 2, 25))
        self.assertEqual(events.filtered(lambda e: e.partner_id == leap).event_date,
                         date(2028, 2, 29))
        # The window crosses the new year.
        person.crm_birthday = "1980-01-02"
        events = self._events(date(2030, 12, 29))
        self.assertEqual((events.partner_id, events.event_date, events.years),
                         (person, date(2031, 1, 2), 51))
        self.company.crm_event_days_ahead = 0
        self.assertFalse(self._events(date(2032, 1, 1)))
        self.assertEqual(self._events(date(2032, 1, 2)).partner_id, person)
        with self.assertRaises(ValidationError):
            self.company.crm_event_days_ahead = 400

    def test_contract_anniversary_events(self):
        customer = self.partners["a_loyal"]
        customer.crm_account_manager_id = self.account_manager
        Contract = self.env["crm.service.contract"]
        old = Contract.create({"partner_id": customer.id, "user_id": self.seller.id,
                               "date_start": "2024-02-29", "date_end": "2028-02-28"})
        unowned = Contract.create({"partner_id": customer.id, "user_id": False,
                                   "date_start": "2025-03-02", "date_end": "2028-03-01"})
        young = Contract.create({"partner_id": customer.id, "date_start": "2026-03-01",
                                 "date_end": "2027-02-28"})
        draft = Contract.create({"partner_id": customer.id, "date_start": "2023-03-01",
                                 "date_end": "2028-02-28"})
        (old | unowned | young).write({"state": "active"})
        self.assertEqual(draft.state, "draft")
        events = self._events(date(2026, 2, 25))
        self.assertEqual(
            {(e.contract_id, e.event_date, e.years, e.user_id) for e in events},
            {(old, date(2026, 2, 28), 2, self.seller),
             (unowned, date(2026, 3, 2), 1, self.account_manager)})
        activity = events.filtered(lambda e: e.contract_id == old).activity_id
        self.assertEqual((activity.res_model, activity.res_id), ("crm.service.contract", old.id))
        self.assertEqual(activity.activity_type_id, self.env.ref(
            "crm_analytics.mail_activity_type_crm_contract_anniversary"))
        activity.unlink()
        self.assertFalse(self._events(date(2026, 2, 27)))
        # The young contract's first anniversary is after its end: none.
        self.assertEqual(sorted(self._events(date(2027, 2, 27)).mapped("years")), [2, 3])

    # ------------------------------------------------------------
    # Access
    # ------------------------------------------------------------

    @users("crm_salesman")
    def test_salesman_uses_segments(self):
        segment = self.Segment.sudo().create({
            "name": "SegTest shared", "partner_domain": MINE,
            "churn_risk_ids": [Command.set(self._options("churn_risk", "high").ids)]})
        segment = segment.with_user(self.env.user)
        self.assertEqual(segment.customer_count, 3)
        self.assertEqual(
            self.env["crm.customer.segment"].crm_api_segment_export(segment.id)["total"], 3)
        with self.assertRaises(AccessError):
            self.env["crm.customer.segment"].create({"name": "Mine"})
        with self.assertRaises(AccessError):
            segment.name = "Renamed"
        result = self._schedule(segment)
        self.assertEqual(result["created"], 3)
        self.assertEqual(result["activities"].create_uid, self.env.user)

    @users("crm_manager")
    def test_manager_manages_segments(self):
        segment = self.env["crm.customer.segment"].create({"name": "SegTest managed"})
        segment.write({"value_grade_ids": [Command.set(self._options("value_grade", "a").ids)]})
        segment.action_archive()
        self.assertFalse(segment.active)
        segment.unlink()

    def test_other_company_portal_and_integration(self):
        other = self.Segment.create({"name": "SegTest other", "company_id": self.other_company.id})
        mine = self._segment()
        salesman = self.Segment.with_user(self.salesman)
        self.assertEqual(salesman.search([("name", "=like", "SegTest %")]), mine)
        with self.assertRaises(AccessError):
            other.with_user(self.salesman).read(["name"])
        with self.assertRaisesRegex(UserError, "No customer segment"):
            salesman.crm_api_segment_export(other.id)
        self.assertEqual(
            self.Segment.with_user(self.other_salesman).search([("name", "=like", "SegTest %")]),
            other)
        with self.assertRaises(AccessError):
            mine.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.Segment.with_user(self.portal_user).crm_api_segment_export(mine.id)
        with self.assertRaises(AccessError):
            self.env["crm.customer.event"].with_user(self.portal_user).search([])
        integration = self.Segment.with_user(self.integration)
        self.assertEqual(integration.crm_api_segment_export(mine.id)["total"], 6)
        with self.assertRaises(AccessError):
            mine.with_user(self.integration).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            integration.create({"name": "Integration segment"})
