from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_service_contract import ServiceContractCase


@tagged("post_install", "-at_install")
class TestServiceContractModel(ServiceContractCase):
    """Service level, dates and states, entitlements and the bad-input rules."""

    # ------------------------------------------------------------
    # Service level
    # ------------------------------------------------------------

    def test_service_level_defaults_from_tier_and_contract_wins(self):
        self.customer.crm_tier_id = self.tier
        contract = self._contract()
        self.assertEqual(contract.first_response_hours, 4.0)
        self.assertEqual(contract.resolution_hours, 24.0)
        self.assertEqual(contract.resource_calendar_id, self.company.resource_calendar_id)
        # A negotiated level on the contract is what cases follow.
        contract.write({"first_response_hours": 1.0, "resource_calendar_id": self.calendar_7x24.id})
        policy = contract._crm_get_sla_policy()
        self.assertEqual(policy, {
            "first_response_hours": 1.0, "resolution_hours": 24.0,
            "calendar": self.calendar_7x24,
        })
        # 7x24 really covers the night and the weekend.
        self.assertAlmostEqual(self.calendar_7x24.get_work_hours_count(
            self._crm_datetime(7), self._crm_datetime(0), compute_leaves=False), 7 * 24, places=2)
        customer_without_tier = self._contract(partner=self.other_customer)
        self.assertEqual(customer_without_tier.first_response_hours, 0.0)

    def test_covering_contract_prefers_serial(self):
        general = self._contract()
        specific = self._contract(
            start=self.today - relativedelta(months=1),
            line_ids=[Command.create({"product_id": self.machine.id, "lot_id": self.serial.id})])
        self.assertEqual(self.Contract._crm_get_covering_contracts(
            self.customer, product=self.machine, lot=self.serial), specific)
        self.assertEqual(self.Contract._crm_get_covering_contracts(
            self.customer, product=self.part), general)
        self.assertFalse(self.Contract._crm_get_covering_contracts(
            self.customer, date=self.today + relativedelta(years=2)))

    # ------------------------------------------------------------
    # Dates and states
    # ------------------------------------------------------------

    def test_sequence_and_activation(self):
        contract = self._contract(activate=False)
        self.assertTrue(contract.name.startswith("SC/"))
        self.assertEqual(contract.state, "draft")
        contract.action_activate()
        self.assertEqual(contract.state, "active")
        with self.assertRaises(UserError):
            contract.action_activate()

    def test_activation_of_a_contract_ending_soon_or_past(self):
        ending = self._contract(start=self.today - relativedelta(months=11, days=20))
        self.assertEqual(ending.state, "expiring")
        past = self._contract(start=self.today - relativedelta(years=2))
        self.assertEqual(past.state, "expired")

    def test_cron_states_reminders_without_duplicates(self):
        self.company.crm_contract_reminder_days = 30
        far = self._contract()
        soon = self._contract(start=self.today - relativedelta(months=11))
        soon.state = "active"  # as if activated before the window
        over = self._contract(start=self.today - relativedelta(months=13))
        over.state = "active"
        self.Contract._cron_crm_service_contracts()
        self.assertEqual(far.state, "active")
        self.assertEqual(soon.state, "expiring")
        self.assertEqual(over.state, "expired")
        self.assertEqual(soon.date_reminder_sent, self.today)
        self.assertEqual(len(soon.activity_ids), 1)
        self.assertEqual(soon.activity_ids.user_id, soon.user_id)
        mails = self.env["mail.mail"].search(
            [("model", "=", soon._name), ("res_id", "=", soon.id)])
        self.assertEqual(len(mails), 1)
        self.assertIn(soon.name, mails.subject)
        self.assertIn(self.customer, mails.recipient_ids)
        # The next day: nothing new for the same contract.
        self.Contract._cron_crm_service_contracts(today=self.today + relativedelta(days=1))
        self.assertEqual(len(soon.activity_ids), 1)
        self.assertEqual(self.env["mail.mail"].search_count(
            [("model", "=", soon._name), ("res_id", "=", soon.id)]), 1)
        self.assertFalse(far.activity_ids)
        # After its end the expiring contract expires.
        self.Contract._cron_crm_service_contracts(today=soon.date_end + relativedelta(days=1))
        self.assertEqual(soon.state, "expired")

    def test_cancel_and_delete(self):
        contract = self._contract()
        with self.assertRaises(UserError):
            contract.unlink()
        contract.action_cancel()
        self.assertEqual(contract.state, "cancelled")
        contract.action_draft()
        contract.unlink()
        self.assertFalse(contract.exists())

    # ------------------------------------------------------------
    # Bad input changes nothing
    # ------------------------------------------------------------

    def test_end_before_start(self):
        count = self.Contract.search_count([])
        with self._crm_assert_refused(ValidationError, "before it starts"):
            self._contract(months=0, date_end=self.today - relativedelta(days=1))
        self.assertEqual(self.Contract.search_count([]), count)
        contract = self._contract()
        end = contract.date_end
        with self._crm_assert_refused(ValidationError, "before it starts"):
            contract.date_end = self.today - relativedelta(days=3)
        contract.invalidate_recordset()
        self.assertEqual(contract.date_end, end)

    def test_negative_entitlement(self):
        for field in ("included_cases", "included_visits", "included_hours",
                      "visit_interval_months"):
            with self.subTest(field=field), self._crm_assert_refused(ValidationError, "negative"):
                self._contract(**{field: -1})
        with self._crm_assert_refused(ValidationError, "negative"):
            self._contract(fee_amount=-5)
        self.assertFalse(self.Contract.search([("partner_id", "=", self.customer.id)]))

    def test_serial_overlap(self):
        line = [Command.create({"product_id": self.machine.id, "lot_id": self.serial.id})]
        first = self._contract(line_ids=line)
        second = self._contract(activate=False, line_ids=line)
        with self._crm_assert_refused(ValidationError, "SN-0001 is already covered"):
            second.action_activate()
        self.assertEqual(second.state, "draft")
        # Nor by adding the serial to another live contract afterwards.
        other = self._contract()
        with self._crm_assert_refused(ValidationError, "SN-0001 is already covered"):
            self.env["crm.service.contract.line"].create({
                "contract_id": other.id, "product_id": self.machine.id,
                "lot_id": self.serial.id})
        self.assertFalse(other.line_ids)
        # The next period does not overlap: fine.
        third = self._contract(start=first.date_end + relativedelta(days=1), line_ids=line)
        self.assertEqual(third.state, "active")

    def test_serial_not_delivered_to_customer(self):
        with self._crm_assert_refused(ValidationError, "was not delivered to Other Customer"):
            self._contract(partner=self.other_customer, line_ids=[Command.create(
                {"product_id": self.machine.id, "lot_id": self.serial.id})])
        self.assertFalse(self.Contract.search([("partner_id", "=", self.other_customer.id)]))

    def test_consuming_an_expired_contract(self):
        contract = self._contract(start=self.today - relativedelta(years=2))
        self.assertEqual(contract.state, "expired")
        count = self.Visit.search_count([])
        with self._crm_assert_refused(ValidationError, "nothing can be charged"):
            self.Visit.create({"contract_id": contract.id})
        self.assertEqual(self.Visit.search_count([]), count)
        live = self._contract()
        with self._crm_assert_refused(ValidationError, "not"):
            self.Visit.create({"contract_id": live.id,
                               "date": self._crm_datetime(-400)})

    # ------------------------------------------------------------
    # Entitlements
    # ------------------------------------------------------------

    def test_entitlement_counting_and_billable(self):
        contract = self._contract(included_visits=2, included_hours=3.0)
        self.assertEqual((contract.used_visits, contract.remaining_visits), (0, 2))
        visits = self.Visit.create([
            {"contract_id": contract.id, "date": self._crm_datetime(0), "duration": 1.0},
            {"contract_id": contract.id, "date": self._crm_datetime(0), "duration": 1.5},
            {"contract_id": contract.id, "date": self._crm_datetime(0), "duration": 1.0},
        ])
        self.assertEqual(visits.partner_id, self.customer)
        visits[:2].action_done()
        contract.invalidate_recordset()
        self.assertEqual((contract.used_visits, contract.remaining_visits), (2, 0))
        self.assertEqual((contract.used_hours, contract.remaining_hours), (2.5, 0.5))
        self.assertTrue(contract.entitlement_exhausted)
        self.assertFalse(any(visits[:2].mapped("billable")))
        visits[2].action_done()
        self.assertTrue(visits[2].billable)
        contract.invalidate_recordset()
        self.assertEqual(contract.used_visits, 3)
        self.assertEqual(contract.remaining_visits, 0)
        # Planned and cancelled visits consume nothing.
        self.Visit.create({"contract_id": contract.id}).action_cancel()
        self.assertEqual(contract._crm_compute_consumption()[contract.id]["visits"], 3)
        self.assertEqual(contract._crm_compute_consumption()[contract.id]["cases"], 0)

    def test_unlimited_entitlement_never_exhausted(self):
        contract = self._contract()
        visit = self.Visit.create({"contract_id": contract.id})
        visit.action_done()
        self.assertFalse(visit.billable)
        self.assertFalse(contract.entitlement_exhausted)

    def test_visit_cost_confirmation_and_forecast(self):
        contract = self._contract(visit_interval_months=6)
        visits = self.Visit.create([{
            "contract_id": contract.id,
            "date": self._crm_datetime(0),
            "product_ids": [Command.set(self.machine.ids)],
            "part_ids": [Command.create({"product_id": self.part.id, "quantity": qty})],
        } for qty in (1, 3)])
        self.assertEqual(visits.mapped("cost"), [40.0, 120.0])
        visits.action_done()
        with self._crm_assert_refused(UserError, "who confirmed"):
            visits[0].action_confirm_customer()
        visits[0].confirmed_by = "Mr Wang"
        visits[0].action_confirm_customer()
        self.assertTrue(visits[0].date_confirmed)
        # The planned visit created at activation is the forecast.
        planned = contract.visit_ids.filtered(lambda v: v.state == "planned")
        self.assertEqual(len(planned), 1)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.crm_service_visit_cost, 160.0)
        self.assertEqual(self.customer.crm_next_visit_estimated_cost, 80.0)
        self.assertEqual(self.customer.crm_next_visit_date, planned.date.date())
        self.assertEqual(self.customer.crm_service_contract_count, 1)
