from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError

from .complaint_common import CrmComplaintCase

# 2026-11-20 is a Friday.
FRIDAY_15 = "2026-11-20 15:00:00"


class TestComplaintSla(CrmComplaintCase):

    def test_sequence_stage_and_subscription(self):
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
        self.assertRegex(complaint.code, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertIn(self.contact, complaint.message_partner_ids)
        self.assertEqual(complaint.email_from, "wang.li@canning.example.com")
        # Auto-assigned on creation, so it is no longer "new".
        self.assertEqual(complaint.stage_id, self.env.ref("crm_extended.crm_complaint_stage_assigned"))

    def test_deadlines_in_working_hours(self):
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
            self.assertEqual(complaint.sla_status, "on_time")
        # 2 hours on Friday, then Monday from 9:00.
        self.assertEqual(complaint.sla_start, self.dt("2026-11-20 15:00"))
        self.assertEqual(complaint.first_response_deadline, self.dt("2026-11-23 11:00"))
        # 14h: Friday 2 + Monday 7 + Tuesday 3 (9-12) + 2 (13-15).
        self.assertEqual(complaint.resolution_deadline, self.dt("2026-11-24 15:00"))
        # Manager 7 working hours after that: Tuesday 2 + Wednesday 5.
        self.assertEqual(complaint.escalation_deadline, self.dt("2026-11-25 15:00"))

    def test_public_holiday_is_not_working_time(self):
        self.env["resource.calendar.leaves"].create({
            "name": "Company day off", "calendar_id": self.calendar.id,
            "date_from": "2026-11-23 00:00:00", "date_to": "2026-11-23 23:59:59",
        })
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
        # Friday 2 hours, Monday off, Tuesday 9:00-11:00.
        self.assertEqual(complaint.first_response_deadline, self.dt("2026-11-24 11:00"))
        with freeze_time("2026-11-24 10:00:00"):
            complaint.stage_id = self.stage_resolved
        # Friday 2 + Tuesday 1: the holiday is not counted either.
        self.assertAlmostEqual(complaint.time_to_resolution_hours, 3.0)

    def test_tier_and_priority_set_the_policy(self):
        tier = self.env["crm.customer.tier"].create({
            "name": "Gold", "min_yearly_amount": 1000, "first_response_hours": 2.0,
            "resolution_hours": 7.0, "priority": "1",
        })
        self.customer.crm_tier_id = tier
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
            urgent = self._complaint(priority="2")
        self.assertEqual(complaint.tier_id, tier)
        self.assertEqual(complaint.priority, "1", "the tier's priority is the default")
        policy = complaint._crm_get_sla_policy()
        self.assertEqual(policy["calendar"], self.calendar)
        self.assertAlmostEqual(policy["first_response_hours"], 1.5)  # 2h x 0.75 (high)
        self.assertEqual(complaint.first_response_deadline, self.dt("2026-11-20 16:30"))
        self.assertAlmostEqual(urgent._crm_get_sla_policy()["resolution_hours"], 3.5)
        # 3.5h: Friday 2h, Monday 9:00-10:30.
        self.assertEqual(urgent.resolution_deadline, self.dt("2026-11-23 10:30"))

    def test_pause_while_waiting_on_customer(self):
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
        with freeze_time("2026-11-23 10:00:00"):
            complaint.stage_id = self.stage_waiting
            self.assertEqual(complaint.sla_paused_since, self.dt("2026-11-23 10:00"))
        with freeze_time("2026-11-23 20:00:00"):
            # Deadline passed on the clock, but the complaint waits on the customer.
            self.assertEqual(self.env["crm.complaint"]._cron_escalate(), (0, 0))
            self.assertEqual(complaint.escalation_level, "0")
        with freeze_time("2026-11-24 10:00:00"):
            # The customer answers by email: back to work, clock running again.
            complaint.message_post(body="Here are the photos", author_id=self.contact.id,
                                   message_type="email", subtype_xmlid="mail.mt_comment")
        self.assertEqual(complaint.stage_id, self.stage_progress)
        self.assertFalse(complaint.sla_paused_since)
        # Paused 7 working hours (Mon 10-12, 13-17, Tue 9-10): every deadline moves 7 hours.
        self.assertEqual(complaint.first_response_deadline, self.dt("2026-11-24 11:00"))
        self.assertEqual(complaint.resolution_deadline, self.dt("2026-11-25 15:00"))
        self.assertEqual(complaint.escalation_deadline, self.dt("2026-11-26 15:00"))

    def test_escalation_levels_without_duplicates(self):
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
            on_time = self._complaint(name="Late invoice")
        Complaint = self.env["crm.complaint"]
        activities = self.env["mail.activity"].search
        with freeze_time("2026-11-23 09:00:00"):
            self.assertEqual(Complaint._cron_escalate(), (0, 0))
            self.assertEqual(complaint.sla_status, "at_risk")
        with freeze_time("2026-11-23 10:30:00"):
            on_time.message_post(body="We are on it", author_id=self.agent_1.partner_id.id,
                                 message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertEqual(on_time.first_response_date, self.dt("2026-11-23 10:30"))
        # 2h on Friday + 1.5h on Monday.
        self.assertAlmostEqual(on_time.time_to_first_response_hours, 3.5)
        with freeze_time("2026-11-23 12:00:00"):
            self.assertEqual(Complaint._cron_escalate(), (1, 0))
            self.assertEqual(Complaint._cron_escalate(), (0, 0), "no second notification")
        self.assertEqual(complaint.escalation_level, "1")
        self.assertEqual(complaint.sla_status, "breached")
        self.assertEqual(on_time.escalation_level, "0")
        leader_activities = activities([("res_id", "=", complaint.id),
                                        ("res_model", "=", "crm.complaint"),
                                        ("user_id", "=", self.leader.id)])
        self.assertEqual(len(leader_activities), 1)
        digests = self.env["mail.message"].search([
            ("model", "=", "crm.complaint.team"), ("res_id", "=", self.team.id),
            ("partner_ids", "in", self.leader.partner_id.ids),
        ])
        self.assertEqual(len(digests), 1, "one notification to the leader, not one per run")
        self.assertIn(complaint.code, str(digests.body))
        self.assertIn(self.leader.partner_id, complaint.message_partner_ids, "leader follows")
        with freeze_time("2026-11-25 16:00:00"):
            # Past the manager deadline: level 2 once, for the late one.
            on_time.stage_id = self.stage_resolved
            self.assertEqual(Complaint._cron_escalate(), (0, 1))
            self.assertEqual(Complaint._cron_escalate(), (0, 0))
        self.assertEqual(complaint.escalation_level, "2")
        manager_activities = activities([("res_id", "=", complaint.id),
                                         ("res_model", "=", "crm.complaint"),
                                         ("user_id", "=", self.manager.id)])
        self.assertEqual(len(manager_activities), 1)
        self.assertEqual(on_time.sla_status, "breached", "resolved after the resolution deadline")
        self.assertEqual(on_time.escalation_level, "0")
        # Resolution counted in working hours: Fri 2 + Mon 7 + Tue 7 + Wed 6 = 22.
        self.assertAlmostEqual(on_time.time_to_resolution_hours, 22.0)

    def test_reopen(self):
        with freeze_time(FRIDAY_15):
            complaint = self._complaint()
        with freeze_time("2026-11-23 10:00:00"):
            complaint.stage_id = self.stage_resolved
        self.assertEqual(complaint.resolved_date, self.dt("2026-11-23 10:00"))
        self.assertEqual(complaint.first_response_date, self.dt("2026-11-23 10:00"))
        with freeze_time("2026-11-26 16:00:00"):
            complaint.action_reopen()
        self.assertEqual(complaint.reopen_count, 1)
        self.assertEqual(complaint.stage_id, self.stage_progress)
        self.assertFalse(complaint.resolved_date)
        # A fresh 14 working hours from Thursday 16:00: Thu 1 + Fri 7 + Mon 6.
        self.assertEqual(complaint.resolution_deadline, self.dt("2026-11-30 16:00"))
        with self.assertRaises(UserError):
            complaint.action_reopen()  # not resolved any more
        self.assertEqual(complaint.reopen_count, 1)

    def test_bad_input(self):
        complaint = self._complaint()
        deadline = complaint.resolution_deadline
        with self.assertRaises(UserError) as error:
            complaint.resolution_deadline = "2020-01-01 10:00:00"
        self.assertIn("cannot be set in the past", str(error.exception))
        self.assertEqual(complaint.resolution_deadline, deadline)
        other_team = self.env["crm.complaint.team"].create({"name": "Key accounts"})
        private_stage = self.Stage.create({"name": "Legal review", "team_ids": other_team.ids})
        stage = complaint.stage_id
        with self.assertRaises(ValidationError) as error:
            complaint.stage_id = private_stage
        self.assertIn("is not used by the team", str(error.exception))
        complaint.invalidate_recordset()
        self.assertEqual(complaint.stage_id, stage)
        with self.assertRaises(ValidationError):
            self.team.senior_member_ids = self.leader  # not a member

    def test_assignment_round_robin_least_load_and_vip(self):
        first, second, third = (self._complaint(name=f"C{i}") for i in range(3))
        self.assertEqual((first.user_id, second.user_id, third.user_id),
                         (self.agent_1, self.agent_2, self.agent_1))
        self.team.assignment_mode = "least_load"
        # agent_1 has two open complaints, agent_2 one.
        self.assertEqual(self._complaint().user_id, self.agent_2)
        self.team.senior_member_ids = self.agent_1
        self.customer.crm_value_grade = "a"
        self.assertEqual(self._complaint().user_id, self.agent_1, "VIPs go to senior members")
        self.team.assignment_mode = "manual"
        self.assertFalse(self._complaint().user_id)
