from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.http import Request
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common_service_contract import ServiceContractCase
from .complaint_common import CrmComplaintCase

# 2026-11-20 is a Friday.
FRIDAY_15 = "2026-11-20 15:00:00"
# A contract from 2026-11-01 in force for decades: it covers the frozen intake
# dates below and the database's own clock (a record's create_date), whatever
# the day the suite runs.
LONG_TERM = 12 * 60


class ComplaintContractCase(CrmComplaintCase, ServiceContractCase):
    """The complaint desk (team working 5x8, Monday to Friday 9-17 UTC) and a
    customer with a serial-numbered machine delivered to it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The complaint case's customer (set last) owns the contracts here.
        cls.machine_serial = cls._crm_deliver_serial(cls.customer, cls.machine, "SN-CMP-1")
        cls.Complaint = cls.env["crm.complaint"]

    def _serial_contract(self, **vals):
        return self._contract(line_ids=[Command.create({
            "product_id": self.machine.id, "lot_id": self.machine_serial.id,
        })], **vals)

    def _machine_complaint(self, **vals):
        return self._complaint(product_id=self.machine.id, lot_id=self.machine_serial.id, **vals)


class TestComplaintContract(ComplaintContractCase):

    # ------------------------------------------------------------
    # 1. Coverage: contract set at intake, editable, checked
    # ------------------------------------------------------------

    def test_covering_contract_set_at_intake_most_specific_first(self):
        general = self._contract()
        by_product = self._contract(line_ids=[Command.create({"product_id": self.product.id})])
        by_serial = self._serial_contract()
        self.assertEqual(self._machine_complaint().contract_id, by_serial)
        self.assertEqual(self._complaint(product_id=self.product.id).contract_id, by_product)
        # Nothing specific covers it: the contract without covered products.
        self.assertEqual(self._complaint(product_id=self.part.id).contract_id, general)
        self.assertEqual(self._complaint().contract_id, general)
        # No customer, or a customer without contract: no contract.
        self.assertFalse(self._complaint(partner_id=False).contract_id)
        other_contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.other_customer.id})
        self.assertFalse(self._complaint(partner_id=other_contact.id).contract_id)
        # Editable: another covering contract of the customer can be chosen.
        complaint = self._machine_complaint()
        complaint.contract_id = general
        self.assertEqual(complaint.contract_id, general)

    def test_draft_expired_and_cancelled_contracts_do_not_cover(self):
        self._contract(activate=False)
        self._contract(start=self.today - relativedelta(years=2))
        cancelled = self._contract()
        cancelled.action_cancel()
        self.assertFalse(self._complaint().contract_id)

    def test_charging_a_contract_that_does_not_cover_is_refused(self):
        live = self._contract()
        expired = self._contract(start=self.today - relativedelta(years=2))
        self.assertEqual(expired.state, "expired")
        draft = self._contract(activate=False)
        foreign = self._contract(partner=self.other_customer)
        complaint = self._complaint()
        self.assertEqual(complaint.contract_id, live)
        with self._crm_assert_refused(ValidationError, rf"{expired.name} is Expired"):
            complaint.contract_id = expired
        with self._crm_assert_refused(ValidationError, rf"{draft.name} is Draft"):
            complaint.contract_id = draft
        with self._crm_assert_refused(ValidationError, r"belongs to Other Customer"):
            complaint.contract_id = foreign
        with self._crm_assert_refused(ValidationError, rf"{expired.name} is Expired"):
            self._complaint(contract_id=expired.id, name="Charged to the expired one")
        # Nothing changed.
        self.assertEqual(complaint.contract_id, live)
        self.assertFalse(self.Complaint.search([("name", "=", "Charged to the expired one")]))
        self.assertEqual(expired.complaint_count, 0)

    def test_case_date_must_be_within_the_contract(self):
        """A complaint received before the contract started cannot be charged to it."""
        with freeze_time("2026-10-05 10:00:00"):
            old = self._complaint()
        contract = self._contract(start=date(2026, 11, 1), months=LONG_TERM)
        with self._crm_assert_refused(ValidationError, r"covers 2026-11-01 to .*not 2026-10-05"):
            old.contract_id = contract
        self.assertFalse(old.contract_id)

    # ------------------------------------------------------------
    # 2. Service level from the contract
    # ------------------------------------------------------------

    def test_deadlines_from_the_contract_in_its_calendar(self):
        with freeze_time(FRIDAY_15):
            contract = self._serial_contract(
                start=date(2026, 11, 1), months=LONG_TERM, first_response_hours=2.0, resolution_hours=10.0,
                resource_calendar_id=self.calendar_7x24.id,
            )
            covered = self._machine_complaint()
            not_covered = self._complaint(product_id=self.part.id)
        self.assertEqual(covered.contract_id, contract)
        self.assertFalse(not_covered.contract_id)
        policy = covered._crm_get_sla_policy()
        self.assertEqual(policy["calendar"], self.calendar_7x24)
        self.assertEqual(policy["escalation_hours"], 7.0, "escalation stays the team's")
        # 7x24: Friday 15:00 + 2 hours and + 10 hours, into the night.
        self.assertEqual(covered.first_response_deadline, self.dt("2026-11-20 17:00"))
        self.assertEqual(covered.resolution_deadline, self.dt("2026-11-21 01:00"))
        self.assertEqual(covered.escalation_deadline, self.dt("2026-11-21 08:00"))
        # Without a contract: the customer's tier (4 and 24 hours) in the team's
        # 5x8 (7 hours a day): Friday 2 + Monday 2; Friday 2 + Mon-Wed 21 + Thursday 1.
        self.assertEqual(not_covered.tier_id, self.tier)
        self.assertEqual(not_covered.first_response_deadline, self.dt("2026-11-23 11:00"))
        self.assertEqual(not_covered.resolution_deadline, self.dt("2026-11-26 10:00"))
        # The same contract times in office hours: Friday 2 hours, then Monday
        # 7 and Tuesday 1 for the resolution.
        contract.resource_calendar_id = self.calendar
        with freeze_time(FRIDAY_15):
            office = self._machine_complaint()
        self.assertEqual(office.first_response_deadline, self.dt("2026-11-20 17:00"))
        self.assertEqual(office.resolution_deadline, self.dt("2026-11-24 10:00"))

    def test_priority_shortens_the_contract_times_and_rebinding_replans(self):
        with freeze_time(FRIDAY_15):
            contract = self._serial_contract(
                start=date(2026, 11, 1), months=LONG_TERM, first_response_hours=4.0, resolution_hours=24.0,
                resource_calendar_id=self.calendar_7x24.id,
            )
            urgent = self._machine_complaint(priority="2")
            self.assertEqual(urgent.first_response_deadline, self.dt("2026-11-20 17:00"))
            complaint = self._complaint()
            self.assertFalse(complaint.contract_id)
            self.assertEqual(complaint.first_response_deadline, self.dt("2026-11-23 11:00"))
        with freeze_time("2026-11-20 16:00:00"):
            complaint.contract_id = contract
        # Re-planned from the intake in the contract's calendar.
        self.assertEqual(complaint.first_response_deadline, self.dt("2026-11-20 19:00"))
        self.assertEqual(complaint.resolution_deadline, self.dt("2026-11-21 15:00"))

    # ------------------------------------------------------------
    # 3. Entitlement: cases counted, billable beyond the included ones
    # ------------------------------------------------------------

    def test_cases_counted_in_one_query_and_billable_beyond_entitlement(self):
        contract = self._contract(included_cases=2)
        first, second = self._complaint(name="First"), self._complaint(
            name="Second", complaint_type="inquiry")
        praise = self._complaint(name="Thanks", complaint_type="praise")
        self.assertEqual(praise.contract_id, contract)
        self.assertEqual((contract.used_cases, contract.remaining_cases), (2, 0))
        self.assertTrue(contract.entitlement_exhausted)
        self.assertFalse((first | second | praise).filtered("billable"))
        third = self._complaint(name="Third")
        contract.invalidate_recordset(["used_cases"])
        self.assertTrue(third.billable)
        self.assertTrue(third.message_ids.filtered(lambda m: "is billable" in (m.body or "")))
        self.assertEqual(contract.used_cases, 3)
        self.assertEqual(contract.complaint_count, 4, "all feedback is listed, cases counted")
        # Cancelled cases do not count; resolved ones do.
        first.stage_id = self.env.ref("crm_extended.crm_complaint_stage_cancelled")
        second.stage_id = self.stage_resolved
        contract.invalidate_recordset(["used_cases"])
        self.assertEqual(contract.used_cases, 2)
        # A batch beyond the entitlement: only those over it are billable.
        other = self._contract(partner=self.customer, included_cases=1,
                               line_ids=[Command.create({"product_id": self.product.id})])
        batch = self.Complaint.create([{
            "name": f"Batch {n}", "partner_id": self.contact.id, "team_id": self.team.id,
            "product_id": self.product.id,
        } for n in range(3)])
        self.assertEqual(batch.contract_id, other)
        self.assertEqual(batch.mapped("billable"), [False, True, True])
        # One query for any number of contracts.
        contracts = contract | other
        contracts.invalidate_recordset()
        with self.assertQueryCount(1):
            counts = contracts._crm_count_cases()
        self.assertEqual(counts, {contract.id: 2, other.id: 3})
        # Charged elsewhere: no longer billable under the first contract.
        third.contract_id = False
        self.assertFalse(third.billable)

    def test_contract_smart_button(self):
        contract = self._contract()
        complaint = self._complaint()
        action = contract.action_view_complaints()
        self.assertEqual(self.Complaint.search(action["domain"]), complaint)
        self.assertEqual(action["context"]["default_contract_id"], contract.id)
        self.assertEqual(complaint.action_crm_view_contract()["res_id"], contract.id)

    # ------------------------------------------------------------
    # 4. A visit raised from a complaint
    # ------------------------------------------------------------

    def test_visit_raised_from_a_complaint(self):
        contract = self._serial_contract(included_visits=1)
        complaint = self._machine_complaint()
        self.assertTrue(complaint.user_id, "assigned by the team")
        agent = complaint.user_id
        action = complaint.with_user(agent).action_crm_create_visit()
        # A form opens for the agent to choose the date: nothing is created before.
        self.assertEqual((action["res_model"], action["target"]), ("crm.service.visit", "new"))
        self.assertNotIn("res_id", action)
        self.assertFalse(complaint.visit_ids)
        form = Form(self.Visit.with_user(agent).with_context(**action["context"]))
        self.assertEqual(form.contract_id, contract)
        chosen = datetime.combine(self.today + relativedelta(days=7), time(9, 0))
        form.date = chosen
        visit = form.save()
        # The agent has no inventory rights: the serial shows as text.
        self.assertEqual(visit.lot_names, self.machine_serial.name)
        visit = self.Visit.browse(visit.id)
        self.assertEqual(visit.date, chosen)
        self.assertEqual(visit.complaint_id, complaint)
        self.assertTrue(complaint.message_ids.filtered(
            lambda m: f'data-oe-id="{visit.id}"' in str(m.body)), "logged on the complaint")
        self.assertEqual(complaint.visit_ids, visit)
        self.assertEqual(complaint.visit_count, 1)
        self.assertEqual(visit.contract_id, contract)
        self.assertEqual(visit.partner_id, self.customer)
        self.assertEqual(visit.user_id, complaint.user_id)
        self.assertEqual((visit.product_ids, visit.lot_ids), (self.machine, self.machine_serial))
        self.assertEqual(self.Visit.search(complaint.action_crm_view_visits()["domain"]), visit)
        self.assertEqual(visit.action_crm_view_complaint()["res_id"], complaint.id)
        # Done, it consumes the contract's visits like any visit.
        visit.action_done()
        contract.invalidate_recordset(["used_visits"])
        self.assertEqual(contract.used_visits, 1)
        # Without a contract the visit is for the customer, charged to nothing.
        loose = self._complaint(partner_id=self.contact.id)
        loose_action = loose.action_crm_create_visit()
        loose_visit = Form(self.Visit.with_context(**loose_action["context"])).save()
        self.assertFalse(loose_visit.contract_id)
        self.assertEqual(loose_visit.partner_id, self.customer)

    def test_visit_refused_on_bad_input(self):
        contract = self._serial_contract()
        complaint = self._machine_complaint()
        # The contract ended since the complaint came in.
        contract.write({"state": "expired"})
        with self._crm_assert_refused(ValidationError, rf"{contract.name} is Expired"):
            complaint.action_crm_create_visit()
        anonymous = self._complaint(partner_id=False)
        with self._crm_assert_refused(UserError, r"Set the customer"):
            anonymous.action_crm_create_visit()
        complaint.stage_id = self.stage_closed
        with self._crm_assert_refused(UserError, r"is closed"):
            complaint.action_crm_create_visit()
        self.assertFalse(self.Visit.search([("complaint_id", "in", (complaint | anonymous).ids)]))


@tagged("post_install", "-at_install")
class TestComplaintContractPortal(ComplaintContractCase, HttpCase):
    """Over HTTP: the customer charges feedback to one of their contracts and
    sees a contract's complaints, never another customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="cmp_ct_portal", password="cmp_ct_portal_pw", name="Portal Buyer",
            groups="base.group_portal",
        )
        cls.portal_user.partner_id.parent_id = cls.customer

    def setUp(self):
        super().setUp()
        self.authenticate("cmp_ct_portal", "cmp_ct_portal_pw")

    def test_submit_with_contract_and_contract_page(self):
        general = self._contract()
        serial = self._serial_contract()
        expired = self._contract(start=self.today - relativedelta(years=2))
        foreign = self._contract(partner=self.other_customer)
        form = self.url_open("/my/complaints/new").text
        self.assertIn(general.name, form)
        self.assertIn(serial.name, form)
        self.assertNotIn(expired.name, form)
        self.assertNotIn(foreign.name, form)
        before = self.Complaint.search_count([])
        for contract in (foreign, expired):
            response = self.url_open("/my/complaints/new", data={
                "csrf_token": Request.csrf_token(self), "name": "Boiler leaks",
                "complaint_type": "complaint", "contract_id": str(contract.id),
            })
            self.assertIn("This contract is not one of your active contracts.", response.text)
        self.assertEqual(self.Complaint.search_count([]), before)
        response = self.url_open("/my/complaints/new", data={
            "csrf_token": Request.csrf_token(self), "name": "Boiler leaks",
            "complaint_type": "complaint", "contract_id": str(serial.id),
        })
        complaint = self.Complaint.search([("name", "=", "Boiler leaks")])
        self.assertEqual(complaint.contract_id, serial)
        self.assertIn(serial.name, response.text, "the complaint page shows its contract")
        # The contract page lists its complaints, not those of other contracts.
        elsewhere = self._complaint(name="Unrelated", contract_id=general.id)
        page = self.url_open(f"/my/contracts/{serial.id}").text
        self.assertIn(complaint.code, page)
        self.assertNotIn(elsewhere.code, page)
        # Another customer's contract page: nothing shown.
        response = self.url_open(f"/my/contracts/{foreign.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
