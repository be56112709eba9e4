from datetime import date, timedelta

from odoo import Command, fields, models

# Demo segments: (name, {option kind: codes}, description).
DEMO_SEGMENTS = [
    ("At-risk A and B customers", {"value_grade": ["a", "b"], "churn_risk": ["high"]},
     "Valuable customers who may be leaving: call them this week."),
    ("Champions and loyal customers", {"rfm_segment": ["champions", "loyal"]},
     "The best customers by RFM: invite them to the customer day."),
    ("Lapsed customers", {"lifecycle_stage": ["at_risk", "lost"]},
     "No recent orders: win-back mailing."),
    ("New customers", {"lifecycle_stage": ["new"]},
     "First order recently: welcome call."),
]
BIRTHDAY_SHARE = 0.5
UPCOMING_BIRTHDAYS = 3


class CrmDemoGenerator(models.AbstractModel):
    """Birthdays, saved segments and the first customer event activities for
    the demo, so that CRM > Customers > Customer Segments and Customer Events
    show something."""

    _inherit = "crm.demo.generator"

    def _demo_customer_events(self, rng, partners, now):
        """Birthdays, the example segments, then the customer events of the
        coming days with their activities; returns their counts."""
        partners = self.env["res.partner"].browse(partners.ids)
        summary = {"birthdays": self._demo_birthdays(rng, partners, now)}
        summary["segments"] = len(self._demo_segments())
        summary["event_activities"] = len(
            self.env["crm.customer.event"].with_context(
                crm_event_today=fields.Date.context_today(self, now),
            )._crm_create_events(self.env.company))
        return summary

    def _demo_birthdays(self, rng, partners, now):
        """A birthday for about half of the people (contacts and individual
        customers), a few of them in the coming days."""
        people = (partners.child_ids | partners.filtered(lambda p: not p.is_company)).sorted("id")
        chosen = people[:UPCOMING_BIRTHDAYS] | people[UPCOMING_BIRTHDAYS:].filtered(
            lambda _p: rng.random() < BIRTHDAY_SHARE)
        today = fields.Date.context_today(self, now)
        by_birthday = {}
        for index, person in enumerate(chosen):
            year = rng.randint(1960, 2000)
            if index < UPCOMING_BIRTHDAYS:
                upcoming = today + timedelta(days=1 + index * 2)
                # 29 February of a leap year only.
                year = 1984 if (upcoming.month, upcoming.day) == (2, 29) else year
                birthday = date(year, upcoming.month, upcoming.day)
            else:
                birthday = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
            by_birthday.setdefault(birthday, []).append(person.id)
        for birthday, ids in by_birthday.items():
            self.env["res.partner"].browse(ids).write({"crm_birthday": birthday})
        return len(chosen)

    def _demo_segments(self):
        Segment = self.env["crm.customer.segment"]
        Option = self.env["crm.customer.segment.option"]
        existing = set(Segment.search([("company_id", "=", self.env.company.id)]).mapped("name"))
        vals_list = []
        for name, criteria, description in DEMO_SEGMENTS:
            if name in existing:
                continue
            vals = {"name": name, "description": description}
            for kind, codes in criteria.items():
                field = {"value_grade": "value_grade_ids", "lifecycle_stage": "lifecycle_stage_ids",
                         "rfm_segment": "rfm_segment_ids", "churn_risk": "churn_risk_ids"}[kind]
                vals[field] = [Command.set(
                    Option.search([("kind", "=", kind), ("code", "in", codes)]).ids)]
            vals_list.append(vals)
        return Segment.create(vals_list)
