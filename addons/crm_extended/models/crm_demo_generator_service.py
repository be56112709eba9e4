import logging
import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Share of demo customers with complaints or feedback, and with a service contract.
COMPLAINT_SHARE = 0.2
CONTRACT_SHARE = 0.12
DEMO_COMPLAINTS = [
    # (type, title, channel, stage xml id, priority, compensation)
    ("complaint", "Parcel arrived damaged", "email", "crm_complaint_stage_closed", "1", 120.0),
    ("complaint", "Wrong item delivered", "phone", "crm_complaint_stage_resolved", "1", 0.0),
    ("complaint", "Invoice amount does not match the quotation", "email",
     "crm_complaint_stage_in_progress", "0", 0.0),
    ("complaint", "Delivery two weeks late", "phone", "crm_complaint_stage_assigned", "2", 0.0),
    ("complaint", "Device stopped working after a month", "portal",
     "crm_complaint_stage_new", "2", 0.0),
    ("complaint", "Salesperson did not call back", "phone", "crm_complaint_stage_followup",
     "0", 50.0),
    ("suggestion", "Please offer delivery on Saturdays", "portal", "crm_complaint_stage_new",
     "0", 0.0),
    ("praise", "Very helpful installation team", "email", "crm_complaint_stage_closed", "0", 0.0),
    ("inquiry", "Is an extended warranty available?", "phone", "crm_complaint_stage_resolved",
     "0", 0.0),
    ("complaint", "Price went up without notice", "email", "crm_complaint_stage_waiting",
     "1", 0.0),
]


class CrmDemoGenerator(models.AbstractModel):
    """Complaints, feedback and service contracts for the demo customers: a few
    per customer through the ORM, so that every stage, SLA status, contract state
    and visit shows up in the demo."""

    _inherit = "crm.demo.generator"

    def generate(self, customers=300, orders_per_customer=8, seed=7):
        summary = super().generate(customers=customers, orders_per_customer=orders_per_customer,
                                   seed=seed)
        rng = random.Random(seed + 1)
        partners = self.env["res.partner"].browse(summary["customer_ids"])
        generator = self.with_context(tracking_disable=True, mail_create_nolog=True,
                                      mail_notrack=True, mail_create_nosubscribe=True)
        # Contracts first: a complaint of a covered customer is charged to its contract.
        contracts = generator._demo_contracts(rng, partners)
        summary["contracts"] = len(contracts)
        summary["visits"] = len(contracts.visit_ids)
        summary["complaints"] = len(generator._demo_complaints(rng, partners))
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
        return Team.create({
            "name": "Customer Service",
            "company_id": company.id,
            "member_ids": [Command.set(users.ids)],
            "leader_id": managers[:1].id,
            "escalation_manager_id": self.env.user.id,
            "resource_calendar_id": company.resource_calendar_id.id,
        })

    def _demo_complaints(self, rng, partners):
        team = self._demo_complaint_team()
        customers = partners.filtered(lambda p: not p.crm_commercial_blacklist)
        chosen = rng.sample(list(customers), max(1, int(len(customers) * COMPLAINT_SHARE)))
        categories = self.env["crm.complaint.category"].search([])
        orders = self.env["sale.order"].search(
            [("partner_id", "in", [p.id for p in chosen]), ("state", "=", "sale")],
            order="date_order desc",
        ).grouped("partner_id")
        vals_list, stages, ages = [], [], []
        now = fields.Datetime.now()
        for partner in chosen:
            kind, title, channel, stage, priority, cost = rng.choice(DEMO_COMPLAINTS)
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
            ages.append(rng.randint(0, 20))
        complaints = self.env["crm.complaint"].create(vals_list)
        for complaint, stage in zip(complaints, stages):
            if stage != "crm_complaint_stage_new":
                complaint.stage_id = self.env.ref(f"crm_extended.{stage}")
        # Spread the intake over the last three weeks, in office hours (some
        # are now overdue); the team answered a few hours after the intake and
        # resolved within the days since, not at the instant of this script.
        intakes = [min(now - timedelta(days=age, minutes=rng.randint(0, 59)),
                       (now - timedelta(days=age)).replace(hour=rng.randint(8, 15),
                                                           minute=rng.randint(0, 59)))
                   for age in ages]
        response_hours = [rng.randint(1, 30) for _ in ages]
        resolution_share = [rng.uniform(0.2, 0.9) for _ in ages]
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """WITH v AS (
                   SELECT v.id, v.intake, v.hours, v.share,
                          v.intake - c.create_date AS shift,
                          (now() AT TIME ZONE 'UTC' - v.intake) * v.share AS early
                     FROM unnest(%s::int[], %s::timestamp[], %s::int[], %s::float[])
                          AS v(id, intake, hours, share)
                     JOIN crm_complaint c ON c.id = v.id
               )
               UPDATE crm_complaint c SET create_date = c.create_date + v.shift,
                      sla_start = c.sla_start + v.shift,
                      first_response_deadline = c.first_response_deadline + v.shift,
                      resolution_deadline = c.resolution_deadline + v.shift,
                      first_response_date = CASE WHEN c.first_response_date IS NOT NULL THEN
                          LEAST(c.first_response_date, v.intake + v.hours * interval '1 hour',
                                c.resolved_date - v.early, c.closed_date - v.early) END,
                      resolved_date = c.resolved_date - v.early,
                      closed_date = c.closed_date - v.early
                 FROM v
                WHERE c.id = v.id""",
            complaints.ids, intakes, response_hours, resolution_share,
        ))
        # The stored working-hour figures and SLA status follow those dates.
        self.env.invalidate_all()
        complaints.modified(["sla_start", "first_response_date", "resolved_date", "closed_date",
                             "first_response_deadline", "resolution_deadline"])
        self.env.flush_all()
        self.env["crm.complaint"]._cron_escalate(now=now)
        return complaints

    def _demo_contracts(self, rng, partners):
        customers = partners.filtered(lambda p: not p.crm_commercial_blacklist)
        chosen = rng.sample(list(customers), max(1, int(len(customers) * CONTRACT_SHARE)))
        today = fields.Date.context_today(self)
        Contract = self.env["crm.service.contract"]
        plans = []
        for partner in chosen:
            # Started between 20 months and 1 month ago, for one year: some are
            # expired, some expiring soon, most active.
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
            if date < fields.Datetime.now():
                visits |= self.env["crm.service.visit"].create({
                    "contract_id": contract.id, "date": date,
                    "user_id": contract.user_id.id, "duration": 2.0,
                    "report": "Routine maintenance done; no defect found.",
                    "confirmed_by": contract.partner_id.name,
                })
        visits.action_done()
        return contracts
