import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Share of demo customers with complaints or feedback, and with a service contract.
COMPLAINT_SHARE = 0.2
CONTRACT_SHARE = 0.12
DEMO_COMPLAINTS = [
    # (type, title, title in Chinese, channel, stage xml id, priority, compensation)
    ("complaint", "Parcel arrived damaged", "包裹到货时已破损", "email",
     "crm_complaint_stage_closed", "1", 120.0),
    ("complaint", "Wrong item delivered", "发错货了", "phone", "crm_complaint_stage_resolved",
     "1", 0.0),
    ("complaint", "Invoice amount does not match the quotation", "发票金额与报价不符", "email",
     "crm_complaint_stage_in_progress", "0", 0.0),
    ("complaint", "Delivery two weeks late", "交货延迟两周", "phone",
     "crm_complaint_stage_assigned", "2", 0.0),
    ("complaint", "Device stopped working after a month", "设备使用一个月后停止工作", "portal",
     "crm_complaint_stage_new", "2", 0.0),
    ("complaint", "Salesperson did not call back", "销售人员一直没有回电", "phone",
     "crm_complaint_stage_followup", "0", 50.0),
    ("suggestion", "Please offer delivery on Saturdays", "希望周六也能送货", "portal",
     "crm_complaint_stage_new", "0", 0.0),
    ("praise", "Very helpful installation team", "安装团队非常专业热心", "email",
     "crm_complaint_stage_closed", "0", 0.0),
    ("inquiry", "Is an extended warranty available?", "是否提供延长保修？", "phone",
     "crm_complaint_stage_resolved", "0", 0.0),
    ("complaint", "Price went up without notice", "价格上涨未提前通知", "email",
     "crm_complaint_stage_waiting", "1", 0.0),
]
VISIT_REPORT = "Routine maintenance done; no defect found."
VISIT_REPORT_ZH = "已完成例行维护，未发现缺陷。"
TEAM_NAME_ZH = "客户服务部"


class CrmDemoGenerator(models.AbstractModel):
    """Complaints, feedback and service contracts for the demo customers: a few
    per customer through the ORM, so that every stage, SLA status, contract state
    and visit shows up in the demo. A Chinese customer writes in Chinese."""

    _inherit = "crm.demo.generator"

    def _demo_service(self, rng, partners, now):
        """Contracts with their visits, then complaints; returns their counts."""
        generator = self.with_context(tracking_disable=True, mail_create_nolog=True,
                                      mail_notrack=True, mail_create_nosubscribe=True)
        partners = generator.env["res.partner"].browse(partners.ids)
        # Contracts first: a complaint of a covered customer is charged to its contract.
        contracts = generator._demo_contracts(rng, partners, now)
        summary = {"contracts": len(contracts), "visits": len(contracts.visit_ids)}
        summary["complaints"] = len(generator._demo_complaints(rng, partners, now))
        self.env.flush_all()
        _logger.info("demo: %s complaints, %s contracts, %s visits", summary["complaints"],
                     summary["contracts"], summary["visits"])
        return summary

    def _demo_complaint_team(self):
        """The company's complaint team, made of the demo salespeople when there
        is none: without a team a complaint has no working hours, hence no SLA."""
        company = self.env.company
        Team = self.env["crm.complaint.team"]
        team = Team.search([("company_id", "=", company.id)], limit=1)
        users = self.env["res.users"].union(*self._demo_sales_users(company)["users"].values())
        if team:
            if team == self.env.ref("crm_extended.crm_complaint_team_customer_service",
                                    raise_if_not_found=False):
                # The team the module ships: the demo salespeople join it.
                team.member_ids = [Command.link(user.id) for user in users]
            return team
        managers = users.filtered(lambda u: u.has_group("crm_extended.group_crm_extended_manager"))
        team = Team.create({
            "name": "Customer Service",
            "company_id": company.id,
            "member_ids": [Command.set(users.ids)],
            "leader_id": managers[:1].id,
            "escalation_manager_id": self.env.user.id,
            "resource_calendar_id": company.resource_calendar_id.id,
        })
        self._demo_translate(team, {team.id: TEAM_NAME_ZH})
        return team

    def _demo_complaints(self, rng, partners, now):
        team = self._demo_complaint_team()
        customers = partners.filtered(lambda p: not p.crm_commercial_blacklist)
        chosen = rng.sample(list(customers), max(1, int(len(customers) * COMPLAINT_SHARE)))
        # pylint: disable-next=no-search-all  # every category: complaints are spread over all of them
        categories = self.env["crm.complaint.category"].search([])
        orders = self.env["sale.order"].search(
            [("partner_id", "in", [p.id for p in chosen]), ("state", "=", "sale")],
            order="date_order desc",
        ).grouped("partner_id")
        vals_list, stages = [], []
        for partner in chosen:
            kind, title_en, title_cn, channel, stage, priority, cost = rng.choice(DEMO_COMPLAINTS)
            title = title_cn if partner.country_id.code == "CN" else title_en
            order = orders.get(partner, self.env["sale.order"])[:1]
            line = order.order_line[:1]
            vals_list.append({
                "name": title,
                "complaint_type": kind,
                "partner_id": partner.id,
                "channel": channel,
                "priority": priority,
                "category_id": rng.choice(categories).id if kind == "complaint" else False,
                "description": title,
                "sale_order_id": order.id or False,
                "product_id": line.product_id.id or False,
                "compensation_cost": cost,
                "team_id": team.id,
            })
            stages.append(stage)
        complaints = self.env["crm.complaint"].create(vals_list)
        for complaint, stage in zip(complaints, stages, strict=False):
            if stage != "crm_complaint_stage_new":
                complaint.stage_id = self.env.ref(f"crm_extended.{stage}")
        self._demo_complaint_timeline(rng, complaints, now)
        self.env["crm.complaint"]._cron_escalate(now=now)
        return complaints

    def _demo_complaint_timeline(self, rng, complaints, now):
        """Date every complaint's intake, answer, pause, resolution and closing
        in the working hours of its SLA calendar, counted back from ``now``.

        The stage changes above stamped the script's own instant; a dashboard of
        such data shows 0 working hours everywhere, and the data would depend on
        the hour and weekday the generator runs. Here each complaint gets a
        timeline in working hours (mostly within its SLA, some late), and the
        intake is placed that many working hours (plus an idle margin) before
        ``now``: every date is in office time, and the same seed and ``now``
        give the same dates."""
        Complaint = self.env["crm.complaint"]
        rows = []
        for complaint in complaints:
            policy = complaint._crm_get_sla_policy()
            calendar = policy["calendar"]
            first_hours = policy["first_response_hours"] or 8.0
            resolution_hours = max(policy["resolution_hours"] or 40.0, first_hours + 1)
            late = rng.random() < 0.15
            answered = bool(complaint.first_response_date) or complaint.stage_id.sequence > 2
            resolved = bool(complaint.resolved_date)
            closed = bool(complaint.closed_date)
            paused = bool(complaint.sla_paused_since)
            # Working hours from the intake to each event.
            response = first_hours * (rng.uniform(1.1, 1.8) if late else rng.uniform(0.15, 0.85))
            resolution = max(response + 0.5, resolution_hours * (
                rng.uniform(1.05, 1.5) if late else rng.uniform(0.3, 0.9)))
            closing = resolution + rng.uniform(1, 8)
            pause = response + rng.uniform(0.5, 4)
            if closed:
                span = closing
            elif resolved:
                span = resolution
            elif paused:
                span = pause
            elif answered:
                span = response
            else:
                span = 0.0
            # Idle time after the last event: open complaints are mostly within
            # their deadlines (a few late), closed ones anywhere in three weeks.
            if resolved or closed:
                idle = rng.uniform(1, 100)
            else:
                limit = resolution_hours if answered else first_hours
                idle = max(0.25, limit * (rng.uniform(1.0, 1.3) if late else rng.uniform(0.05, 0.6))
                           - span)
            intake = self._demo_working_hours_before(calendar, span + idle, now)
            plan = lambda hours, calendar=calendar, intake=intake: Complaint._crm_plan(  # noqa: E731
                calendar, hours, intake)
            first_deadline = plan(policy["first_response_hours"])
            resolution_deadline = plan(policy["resolution_hours"])
            escalation_deadline = resolution_deadline and (
                Complaint._crm_plan(calendar, policy["escalation_hours"], resolution_deadline)
                if policy.get("escalation_hours") else resolution_deadline)
            rows.append((
                complaint.id, intake,
                first_deadline or None, resolution_deadline or None, escalation_deadline or None,
                plan(response) if answered else None,
                plan(pause) if paused else None,
                plan(resolution) if resolved else None,
                plan(closing) if closed else None,
            ))
        self.env.flush_all()
        columns = list(zip(*rows, strict=False)) if rows else [[]] * 9
        self.env.cr.execute(SQL(
            """UPDATE crm_complaint c
                  SET create_date = v.intake, sla_start = v.intake,
                      first_response_deadline = v.first_deadline,
                      resolution_deadline = v.resolution_deadline,
                      escalation_deadline = v.escalation_deadline,
                      first_response_date = v.response, sla_paused_since = v.paused,
                      resolved_date = v.resolved, closed_date = v.closed
                 FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[], %s::timestamp[],
                             %s::timestamp[], %s::timestamp[], %s::timestamp[],
                             %s::timestamp[], %s::timestamp[])
                      AS v(id, intake, first_deadline, resolution_deadline, escalation_deadline,
                           response, paused, resolved, closed)
                WHERE c.id = v.id""",
            *[list(column) for column in columns],
        ))
        # The stored working-hour figures and SLA status follow those dates.
        self.env.invalidate_all()
        complaints.modified(["sla_start", "first_response_date", "resolved_date", "closed_date",
                             "first_response_deadline", "resolution_deadline",
                             "sla_paused_since"])
        self.env.flush_all()

    @api.model
    def _demo_working_hours_before(self, calendar, hours, now):
        """The instant ``hours`` working hours of ``calendar`` before ``now``
        (naive UTC; wall-clock hours without a calendar)."""
        if not calendar:
            return (now - timedelta(hours=hours)).replace(microsecond=0)
        moment = calendar.plan_hours(-hours, now, compute_leaves=True)
        return (moment or now - timedelta(hours=hours)).replace(microsecond=0)

    def _demo_contracts(self, rng, partners, now):
        customers = partners.filtered(lambda p: not p.crm_commercial_blacklist)
        count = min(len(customers), max(2, int(len(customers) * CONTRACT_SHARE)))
        chosen = rng.sample(list(customers), count)
        today = fields.Date.context_today(self, now)
        Contract = self.env["crm.service.contract"]
        plans = []
        reminder_days = self.env.company.crm_contract_reminder_days
        for index, partner in enumerate(chosen):
            # One year from between 20 months and 1 month ago: most active, the
            # first one expired and the second expiring soon, however few.
            if index == 0:
                start = today - relativedelta(months=rng.randint(13, 20), days=rng.randint(0, 27))
            elif index == 1:
                start = today - relativedelta(years=1) + timedelta(
                    days=rng.randint(1, max(1, reminder_days - 1)))
            else:
                start = today - relativedelta(months=rng.randint(1, 20), days=rng.randint(0, 27))
            plans.append((partner, start))
        contracts = Contract.create([{
            "partner_id": partner.id,
            "user_id": partner.user_id.id or self.env.user.id,
            "date_start": start,
            "date_end": start + relativedelta(years=1, days=-1),
            "visit_interval_months": rng.choice([3, 6]),
            "included_visits": 4,
            "included_cases": rng.choice([5, 10]),
            "fee_amount": rng.choice([1200.0, 2400.0, 4800.0]),
        } for partner, start in plans])
        contracts.action_activate()
        # Past visits: done, with a report; the next one stays planned.
        visits = self.env["crm.service.visit"]
        for contract in contracts.filtered(lambda c: c.state in ("active", "expiring")):
            date = fields.Datetime.to_datetime(contract.date_start) + timedelta(days=30, hours=9)
            if date < now:
                visits |= self.env["crm.service.visit"].create({
                    "contract_id": contract.id, "date": date,
                    "user_id": contract.user_id.id, "duration": 2.0,
                    "report": (VISIT_REPORT_ZH if contract.partner_id.country_id.code == "CN"
                               else VISIT_REPORT),
                    "confirmed_by": contract.partner_id.name,
                })
        visits.action_done()
        return contracts
