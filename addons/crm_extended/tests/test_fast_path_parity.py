"""Parity of the SQL fast paths with the ORM.

The classification, the credit rating and the complaints' SLA refresh write
Odoo tables with one UPDATE each. These tests hold them to what an ORM write
gives: the same stored values, write_date/write_uid moved on exactly the rows
that changed, and the tracking of a tracked field on the chatter.

Compared: the columns each fast path writes, for the company's key of the
company-dependent jsonb columns (other companies' keys are not touched by
either path). Excluded, and why:
- id, name, create_uid/create_date and every column neither path writes;
- write_date/write_uid, compared on their own: each path stamps the time of its
  own write;
- an absent jsonb key and a jsonb ``null`` are the same empty value (the fast
  path removes the key, the ORM may store ``null``): both read as False.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.res_partner_credit import CREDIT_METRIC_COLUMNS
from .common import CrmExtendedCase
from .complaint_common import CrmComplaintCase

OLD_STAMP = datetime(2001, 1, 1)
CLASSIFICATION_COLUMNS = (
    "crm_value_grade", "crm_lifecycle_stage", "crm_tier_id", "crm_tier_valid_until",
    "crm_revenue_12m", "crm_order_count", "crm_order_count_12m", "crm_first_order_date",
    "crm_last_order_date", "crm_avg_order_interval", "crm_classified_at",
)
CREDIT_COLUMNS = ("crm_credit_rating", *CREDIT_METRIC_COLUMNS)


class FastPathMixin:

    def _age_stamps(self, table, ids):
        """write_date/write_uid of ``ids`` set far in the past (as superuser)."""
        self.env.flush_all()
        self.env.cr.execute(SQL(
            "UPDATE %s SET write_date = %s, write_uid = %s WHERE id = ANY(%s)",
            SQL.identifier(table), OLD_STAMP, self.env.ref("base.user_root").id, list(ids)))
        self.env.invalidate_all()

    def _stamps(self, table, ids):
        self.env.flush_all()
        rows = self.env.execute_query(SQL(
            "SELECT id, write_date, write_uid FROM %s WHERE id = ANY(%s)",
            SQL.identifier(table), list(ids)))
        return {row[0]: (row[1], row[2]) for row in rows}

    def _company_values(self, partner_ids, columns, company):
        """The company's key of each jsonb column, ``null`` read as absent."""
        self.env.flush_all()
        key = str(company.id)
        rows = self.env.execute_query(SQL(
            "SELECT id, %s FROM res_partner WHERE id = ANY(%s)",
            SQL(", ").join(SQL("NULLIF(%s -> %s, 'null'::jsonb)", SQL.identifier(column), key)
                           for column in columns),
            list(partner_ids)))
        return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}

    def _copy_through_orm(self, source, target, columns, company):
        """Write ``source``'s values of ``columns`` onto ``target`` with the ORM."""
        source = source.with_company(company).sudo()
        vals = {}
        for column in columns:
            value = source[column]
            field = source._fields[column]
            vals[column] = value.id if field.type == "many2one" else value
        target.with_company(company).sudo().write(vals)


@tagged("post_install", "-at_install")
class TestClassificationFastPath(FastPathMixin, CrmExtendedCase):

    def test_classification_update_matches_the_orm_and_stamps_changed_rows(self):
        self.company.write({
            "crm_grade_method": "threshold",
            "crm_grade_a_threshold": 5000, "crm_grade_b_threshold": 1000,
        })
        tier = self.env["crm.customer.tier"].create({
            "name": "Parity Gold", "min_yearly_amount": 2000,
        })
        grows = self._crm_customer("Parity Grows")
        steady = self._crm_customer("Parity Steady")
        twin = self._crm_customer("Parity Twin (ORM)")
        self._crm_orders(grows, [(400, 700), (90, 1200.55), (20, 300)])
        self._crm_orders(steady, [(200, 1500)])
        self.env["res.partner"].with_user(self.manager).crm_recompute_classification(
            today=self.today)
        self.assertEqual(grows.with_company(self.company).crm_tier_id, tier)

        # A second run where one customer changed: only that row is stamped.
        self._crm_order(grows, 4000, days_ago=5)
        self._age_stamps("res_partner", [grows.id, steady.id])
        self.env["res.partner"].with_user(self.manager).crm_recompute_classification(
            today=self.today)
        stamps = self._stamps("res_partner", [grows.id, steady.id])
        # The ORM stamps the transaction's time (cr.now()), and so does the fast path.
        self.assertEqual(stamps[grows.id], (self.env.cr.now(), self.manager.id))
        self.assertEqual(stamps[steady.id], (OLD_STAMP, self.env.ref("base.user_root").id),
                         "an unchanged customer keeps its write_date")
        self.assertEqual(grows.with_company(self.company).crm_value_grade, "a")

        # The same values through the ORM store the same jsonb values.
        self._copy_through_orm(grows, twin, CLASSIFICATION_COLUMNS, self.company)
        values = self._company_values([grows.id, twin.id], CLASSIFICATION_COLUMNS, self.company)
        self.assertTrue(values[grows.id]["crm_revenue_12m"], "the fast path wrote a revenue")
        self.assertTrue(values[grows.id]["crm_tier_valid_until"])
        for column in CLASSIFICATION_COLUMNS:
            with self.subTest(column=column):
                self.assertEqual(values[grows.id][column], values[twin.id][column])


@tagged("post_install", "-at_install")
class TestCreditFastPath(FastPathMixin, CrmExtendedCase):

    def _invoice(self, partner, due, amount):
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": due - timedelta(days=30),
            "invoice_date_due": due,
            "invoice_line_ids": [Command.create({
                "product_id": self.product.id, "quantity": 1, "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })
        invoice.action_post()
        return invoice

    def test_credit_update_matches_the_orm_and_stamps_changed_rows(self):
        today = fields.Date.context_today(self.env["res.partner"])
        late = self._crm_customer("Credit Late")
        clean = self._crm_customer("Credit Without Invoices")
        twin = self._crm_customer("Credit Twin (ORM)")
        self._invoice(late, today - timedelta(days=45), 333.33)
        self._invoice(late, today - timedelta(days=5), 100.0)
        self._age_stamps("res_partner", [late.id, clean.id])
        self.env["res.partner"].with_user(self.manager).crm_recompute_credit_rating()
        stamps = self._stamps("res_partner", [late.id, clean.id])
        self.assertEqual(stamps[late.id], (self.env.cr.now(), self.manager.id))
        self.assertEqual(stamps[clean.id], (OLD_STAMP, self.env.ref("base.user_root").id))
        self.assertTrue(late.with_company(self.company).crm_credit_rating)

        # Nothing changed since: a second run stamps nothing.
        self._age_stamps("res_partner", [late.id])
        self.env["res.partner"].with_user(self.manager).crm_recompute_credit_rating()
        self.assertEqual(self._stamps("res_partner", [late.id])[late.id][0], OLD_STAMP)

        self._copy_through_orm(late, twin, CREDIT_COLUMNS, self.company)
        values = self._company_values([late.id, twin.id], CREDIT_COLUMNS, self.company)
        self.assertTrue(values[late.id]["crm_overdue_amount"])
        for column in CREDIT_COLUMNS:
            with self.subTest(column=column):
                self.assertEqual(values[late.id][column], values[twin.id][column])


@tagged("post_install", "-at_install")
class TestComplaintFastPath(FastPathMixin, CrmComplaintCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second team working around the clock (no calendar hours: a 24/7
        # calendar) and a holiday on the first team's calendar.
        cls.calendar_24 = cls.env["resource.calendar"].create({
            "name": "Around the clock", "tz": "UTC", "company_id": cls.company.id,
            "attendance_ids": [
                Command.create({"name": f"{day}", "dayofweek": str(day), "hour_from": 0,
                                "hour_to": 24, "day_period": "full_day"})
                for day in range(7)
            ],
        })
        cls.team_24 = cls.team.copy({
            "name": "Hotline", "resource_calendar_id": cls.calendar_24.id,
            "first_response_hours": 2.0, "resolution_hours": 30.0, "escalation_hours": 10.0,
        })
        cls.env["resource.calendar.leaves"].create({
            "name": "Company day off", "calendar_id": cls.calendar.id,
            "date_from": "2026-11-24 00:00:00", "date_to": "2026-11-24 23:59:59",
        })

    def _grid(self):
        """Complaints of both teams opened at several times, some answered,
        some waiting on the customer, some resolved."""
        complaints = self.env["crm.complaint"]
        for opened in ("2026-11-20 15:00:00", "2026-11-23 09:30:00", "2026-11-23 16:45:00",
                       "2026-11-25 11:00:00"):
            for team in (self.team, self.team_24):
                with freeze_time(opened):
                    complaints |= self._complaint(team_id=team.id, name=f"{team.name} {opened}")
        start = datetime(2026, 11, 20, 15)
        answered, paused, resolved = complaints[0:2], complaints[2:4], complaints[6]
        with freeze_time(start + timedelta(days=3, hours=1)):
            for complaint in answered:
                complaint.message_post(body="On it", author_id=self.agent_1.partner_id.id,
                                       message_type="comment", subtype_xmlid="mail.mt_comment")
        with freeze_time("2026-11-25 14:00:00"):
            paused.stage_id = self.stage_waiting
            resolved.stage_id = self.stage_resolved
        return complaints

    def test_sla_sql_matches_python_over_a_grid(self):
        complaints = self._grid()
        Complaint = self.env["crm.complaint"]
        seen = set()
        times = [datetime(2026, 11, 20, 16) + timedelta(hours=hours)
                 for hours in (0, 2, 17, 18.5, 20, 41, 44, 66, 90, 113, 150)]
        for now in times:
            with self.subTest(now=now):
                before = {c.id: c.sla_status for c in complaints}
                self._age_stamps("crm_complaint", complaints.ids)
                with freeze_time(now + timedelta(minutes=1)):
                    Complaint.with_user(self.manager)._crm_refresh_sla_status(now)
                stamps = self._stamps("crm_complaint", complaints.ids)
                for complaint in complaints:
                    expected = complaint._crm_sla_status_at(now)
                    seen.add(expected)
                    self.assertEqual(complaint.sla_status, expected,
                                     f"{complaint.name}: SQL and Python disagree at {now}")
                    if complaint.sla_status != before[complaint.id]:
                        self.assertEqual(stamps[complaint.id],
                                         (self.env.cr.now(), self.manager.id))
                    else:
                        self.assertEqual(stamps[complaint.id][0], OLD_STAMP,
                                         f"{complaint.name}: stamped though unchanged")
        self.assertEqual(seen, {"on_time", "at_risk", "breached"},
                         "the grid reaches every status")

    def test_escalation_is_tracked_on_the_chatter(self):
        with freeze_time("2026-11-20 15:00:00"):
            complaint = self._complaint()
            # The creation's transaction ends (precommit: tracking of a record
            # created in the same transaction is skipped).
            self.env.flush_all()
            self.env.cr.flush()
        self._age_stamps("crm_complaint", complaint.ids)
        with freeze_time("2026-11-25 12:00:00"):
            self.assertEqual(self.env["crm.complaint"]._cron_escalate(), (1, 0))
            self.env.flush_all()
            self.env.cr.flush()
        self.assertEqual(complaint.escalation_level, "1")
        self.assertEqual(complaint.escalated_date, datetime(2026, 11, 25, 12))
        self.assertEqual(complaint.write_date, self.env.cr.now(), "an ORM write")
        tracked = complaint.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "escalation_level")
        self.assertEqual(len(tracked), 1)
        self.assertEqual((tracked.old_value_char, tracked.new_value_char),
                         ("None", "Team Leader"))
        with freeze_time("2026-11-27 12:00:00"):
            self.assertEqual(self.env["crm.complaint"]._cron_escalate(), (0, 1))
            self.env.flush_all()
            self.env.cr.flush()
        tracked = complaint.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "escalation_level")
        self.assertEqual(sorted(tracked.mapped("new_value_char")), ["Manager", "Team Leader"])
