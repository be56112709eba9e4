from datetime import datetime

from odoo import Command
from odoo.tests import new_test_user

from .common import CrmExtendedCase


class CrmComplaintCase(CrmExtendedCase):
    """A team working Monday to Friday 9-12 and 13-17 UTC (7 hours a day),
    with a leader, a manager and two members."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create({
            "name": "Complaint desk 9-17",
            "tz": "UTC",
            "company_id": cls.company.id,
            "attendance_ids": [
                Command.create({"name": f"{day} {start}", "dayofweek": str(day),
                                "hour_from": start, "hour_to": end, "day_period": period})
                for day in range(5)
                for start, end, period in ((9, 12, "morning"), (13, 17, "afternoon"))
            ],
        })
        cls.leader = new_test_user(cls.env, login="cmp_leader", name="Team Leader",
                                   groups="sales_team.group_sale_salesman")
        cls.agent_1 = new_test_user(cls.env, login="cmp_agent1", name="Agent One",
                                    groups="sales_team.group_sale_salesman")
        cls.agent_2 = new_test_user(cls.env, login="cmp_agent2", name="Agent Two",
                                    groups="sales_team.group_sale_salesman")
        cls.team = cls.env["crm.complaint.team"].create({
            "name": "After-sales",
            "sequence": 1,  # before the Customer Service team the module ships
            "leader_id": cls.leader.id,
            "escalation_manager_id": cls.manager.id,
            "member_ids": [Command.set([cls.agent_1.id, cls.agent_2.id])],
            "resource_calendar_id": cls.calendar.id,
            "first_response_hours": 4.0,
            "resolution_hours": 14.0,
            "escalation_hours": 7.0,
            "assignment_mode": "round_robin",
        })
        cls.customer = cls._crm_customer("Canning Factory", email="buyer@canning.example.com")
        cls.contact = cls.env["res.partner"].create({
            "name": "Wang Li", "parent_id": cls.customer.id, "email": "wang.li@canning.example.com",
        })
        Stage = cls.env["crm.complaint.stage"]
        cls.stage_new = cls.env.ref("crm_extended.crm_complaint_stage_new")
        cls.stage_progress = cls.env.ref("crm_extended.crm_complaint_stage_in_progress")
        cls.stage_waiting = cls.env.ref("crm_extended.crm_complaint_stage_waiting")
        cls.stage_resolved = cls.env.ref("crm_extended.crm_complaint_stage_resolved")
        cls.stage_closed = cls.env.ref("crm_extended.crm_complaint_stage_closed")
        cls.Stage = Stage

    @classmethod
    def _complaint(cls, **vals):
        return cls.env["crm.complaint"].create({
            "name": "Broken lids",
            "partner_id": cls.contact.id,
            "team_id": cls.team.id,
            **vals,
        })

    @staticmethod
    def dt(text):
        return datetime.strptime(text, "%Y-%m-%d %H:%M")
